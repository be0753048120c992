//! Scheduled recycling of leads (§4.8 "recycle after N days without follow-up"): for each
//! enabled lead pool with a `no_followup` rule, the open leads owned by the users whose lead
//! pool it is go back to it once the rule fires
//! ([`due_followup_recycle`](crate::pool::due_followup_recycle): the latest follow-up or the
//! assignment, whichever is later, more whole days ago than the limit). Once per lead: a
//! recycled lead has no owner, so a second run at the same instant finds nothing.
//!
//! Leads carry no indexed recycle clock, so the pass reads the open leads of the pool's
//! owners page by page and decides each in core (ADR 0021).

use super::lead_loads::LoadBook;
use super::{json, Crm, Ctx};
use crate::error::{CrmError, CrmResult};
use crate::lead::{Lead, LeadStatus};
use crate::pool::{due_followup_recycle, pool_of_kind_for_owner, Pool, PoolHolds, RecycleKind};
use crate::store::check::MAX_FILTER_VALUES;
use crate::store::{Changes, Entity, EventKind, Filter, Query, SqlValue, Store, StoreExt};

/// Leads per sweep batch.
const BATCH: u32 = 500;

impl Ctx {
    /// Owners whose leads go back to `pool` (their first enabled lead pool).
    fn lead_owners_of(&self, pool: &Pool) -> Vec<SqlValue> {
        let org = self.access.org();
        org.users
            .keys()
            .filter(|u| {
                pool_of_kind_for_owner(&self.pools, org, **u, PoolHolds::Leads)
                    .is_some_and(|p| p.id == pool.id)
            })
            .map(|u| SqlValue::Int(u.0))
            .collect()
    }
}

impl<S: Store> Crm<S> {
    /// Recycles every owned open lead whose lead pool's `no_followup` rule fired; returns
    /// how many.
    pub(crate) async fn sweep_lead_recycling(&self, ctx: &Ctx) -> CrmResult<u64> {
        let mut recycled = 0;
        let open: Vec<SqlValue> = [
            LeadStatus::New,
            LeadStatus::Working,
            LeadStatus::Qualified,
            LeadStatus::Unqualified,
        ]
        .iter()
        .map(|s| s.as_str().into())
        .collect();
        for pool in ctx.pools.iter().filter(|p| {
            p.enabled
                && p.rules.holds == PoolHolds::Leads
                && p.rules
                    .recycle
                    .iter()
                    .any(|r| r.kind == RecycleKind::NoFollowUp)
        }) {
            let owners = ctx.lead_owners_of(pool);
            for slice in owners.chunks(MAX_FILTER_VALUES - 16) {
                let query = Query::new(Entity::Lead, ctx.tenant.id)
                    .filter(Filter::is_in("owner_id", slice.to_vec()))
                    .filter(Filter::is_in("status", open.clone()))
                    .limit(BATCH);
                recycled += self.sweep_lead_query(ctx, pool, &query).await?;
            }
        }
        Ok(recycled)
    }

    async fn sweep_lead_query(&self, ctx: &Ctx, pool: &Pool, query: &Query) -> CrmResult<u64> {
        let mut done = 0;
        let mut after = None;
        let mut conflicts = 0;
        loop {
            let batch: Vec<Lead> = self.store().load_all(&query.clone().after(after)).await?;
            let Some(last) = batch.last().map(|l| l.id.0) else {
                break;
            };
            let (changes, n) = self.lead_recycle_batch(ctx, pool, &batch).await?;
            if n > 0 {
                match self.store().apply(changes).await {
                    Ok(_) => done += n,
                    // Another runner changed some of these leads: read the batch again.
                    Err(CrmError::Conflict { .. }) if conflicts < 20 => {
                        conflicts += 1;
                        continue;
                    }
                    Err(e) => return Err(e),
                }
            }
            after = Some(last);
        }
        Ok(done)
    }

    async fn lead_recycle_batch(
        &self,
        ctx: &Ctx,
        pool: &Pool,
        batch: &[Lead],
    ) -> CrmResult<(Changes, u64)> {
        let mut changes = Changes::new(ctx.tenant.id);
        let mut pairs = Vec::new();
        for lead in batch {
            let Some(status) = due_followup_recycle(pool, lead, ctx.now) else {
                continue;
            };
            let reason = status.kind.reason(status.limit_days);
            let next = lead.into_pool(pool.id, &reason, ctx.now);
            changes.update(&next)?;
            changes.audit(ctx.audit(
                "due_work.lead_recycle",
                Entity::Lead,
                lead.id,
                json(lead),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::LeadRecycled,
                Entity::Lead,
                lead.id,
                serde_json::json!({ "pool_id": pool.id, "previous_owner_id": lead.owner_id, "reason": reason, "rule": status.kind, "clock": status.clock }),
            ));
            pairs.push((lead.clone(), next));
        }
        let mut loads = LoadBook::default();
        loads
            .lead_changes(self, ctx.tenant.id, pairs.iter().map(|(b, a)| (Some(b), a)))
            .await?;
        loads.write(&mut changes)?;
        Ok((changes, pairs.len() as u64))
    }
}
