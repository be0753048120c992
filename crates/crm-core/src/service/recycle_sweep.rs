//! Scheduled recycling: for each enabled pool (in order) and each of its rules and level
//! limits, an indexed query finds the owned customers whose clock passed the limit (or the
//! reminder point) — with the cut-offs of the due rule itself,
//! [`DueWindow`](crate::pool::recycle::DueWindow) — and each batch is applied as one unit
//! of work.

use super::{json, Crm, Ctx};
use crate::customer::Customer;
use crate::error::{CrmError, CrmResult};
use crate::pool::recycle::{candidate_filters, due_recycle, due_reminders, into_pool, DueWindow};
use crate::pool::{OwnerChange, Pool};
use crate::store::check::MAX_FILTER_VALUES;
use crate::store::{Changes, Entity, EventKind, Filter, Query, SqlValue, Store, StoreExt};

/// Rows per sweep batch.
const BATCH: u32 = 500;

/// What a sweep pass looks for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pass {
    Recycle,
    Remind,
}

impl Ctx {
    /// Owners for whom `pool` is the first matching enabled pool.
    fn owners_of(&self, pool: &Pool) -> Vec<SqlValue> {
        self.access
            .org()
            .users
            .keys()
            .filter(|u| self.pool_for_owner(**u).is_some_and(|p| p.id == pool.id))
            .map(|u| SqlValue::Int(u.0))
            .collect()
    }
}

impl<S: Store> Crm<S> {
    /// Recycles every customer a rule has fired for, then sends due reminders. Returns
    /// (recycled, reminded).
    pub(crate) async fn sweep_recycling(&self, ctx: &Ctx) -> CrmResult<(u64, u64)> {
        let mut recycled = 0;
        let mut reminded = 0;
        for pass in [Pass::Recycle, Pass::Remind] {
            for pool in ctx
                .pools
                .iter()
                .filter(|p| p.enabled && p.rules.holds == crate::pool::PoolHolds::Customers)
            {
                let all_owners = ctx.owners_of(pool);
                // A query compares with at most MAX_FILTER_VALUES values: owners go in
                // slices, leaving room for the rule's own filters.
                for owners in all_owners.chunks(MAX_FILTER_VALUES - 16) {
                    for rule in &pool.rules.recycle {
                        for (level, days) in rule.limits.entries() {
                            // The due rule's own cut-offs (pool::recycle::DueWindow).
                            let window = DueWindow::of(rule, days, ctx.now);
                            let Some(due) = (match pass {
                                Pass::Recycle => window.recycle_filters(),
                                Pass::Remind => window.remind_filters(),
                            }) else {
                                continue;
                            };
                            let mut query = Query::new(Entity::Customer, ctx.tenant.id)
                                .filter(Filter::is_in("owner_id", owners.to_vec()))
                                .limit(BATCH);
                            for filter in candidate_filters(pool, rule.kind, level)
                                .into_iter()
                                .chain(due)
                            {
                                query = query.filter(filter);
                            }
                            let n = self.sweep_query(ctx, pool, &query, pass).await?;
                            match pass {
                                Pass::Recycle => recycled += n,
                                Pass::Remind => reminded += n,
                            }
                        }
                    }
                }
            }
        }
        Ok((recycled, reminded))
    }

    async fn sweep_query(
        &self,
        ctx: &Ctx,
        pool: &Pool,
        query: &Query,
        pass: Pass,
    ) -> CrmResult<u64> {
        let mut done = 0;
        let mut after = None;
        let mut conflicts = 0;
        loop {
            let batch: Vec<Customer> = self.store().load_all(&query.clone().after(after)).await?;
            let Some(last) = batch.last().map(|c| c.id.0) else {
                break;
            };
            let changes = match pass {
                Pass::Recycle => self.recycle_batch(ctx, pool, &batch).await?,
                Pass::Remind => remind_batch(ctx, pool, &batch)?,
            };
            let n = changes.1;
            if n > 0 {
                match self.store().apply(changes.0).await {
                    Ok(_) => done += n,
                    // Another runner changed some of these rows: read the batch again.
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

    async fn recycle_batch(
        &self,
        ctx: &Ctx,
        pool: &Pool,
        batch: &[Customer],
    ) -> CrmResult<(Changes, u64)> {
        let mut changes = Changes::new(ctx.tenant.id);
        let mut pairs = Vec::new();
        for c in batch {
            let Some(status) = due_recycle(pool, c, ctx.now) else {
                continue;
            };
            let reason = status.kind.reason(status.limit_days);
            let next = into_pool(c, pool.id, &reason, ctx.now);
            changes.update(&next)?;
            changes.audit(ctx.audit(
                "due_work.recycle",
                Entity::Customer,
                c.id.0,
                json(c),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::CustomerRecycled,
                Entity::Customer,
                c.id.0,
                serde_json::json!({ "pool_id": pool.id, "previous_owner_id": c.owner_id, "reason": reason, "rule": status.kind, "manual": false }),
            ));
            pairs.push((c.clone(), next, reason));
        }
        if pairs.is_empty() {
            return Ok((changes, 0));
        }
        self.adjust_held(
            ctx.tenant.id,
            &mut changes,
            pairs.iter().map(|(b, a, _)| (Some(b), a)),
        )
        .await?;
        let first = self
            .store()
            .allocate_ids(Entity::OwnerHistory, pairs.len() as u32)
            .await?;
        for (i, (before, after, reason)) in pairs.iter().enumerate() {
            ctx.push_history(
                &mut changes,
                first + i as i64,
                after,
                before.owner_id,
                OwnerChange::Recycled,
                Some(pool.id),
                Some(reason.clone()),
            )?;
        }
        Ok((changes, pairs.len() as u64))
    }
}

fn remind_batch(ctx: &Ctx, pool: &Pool, batch: &[Customer]) -> CrmResult<(Changes, u64)> {
    let mut changes = Changes::new(ctx.tenant.id);
    let mut n = 0;
    for c in batch {
        let due = due_reminders(pool, c, ctx.now);
        if due.is_empty() {
            continue;
        }
        let mut next = c.clone();
        for s in &due {
            next.recycle_reminders
                .insert(s.kind.as_str().to_owned(), s.clock);
            changes.event(ctx.event(
                EventKind::RecycleDueSoon,
                Entity::Customer,
                c.id.0,
                serde_json::json!({ "owner_id": c.owner_id, "rule": s.kind, "days_left": s.days_left, "fires_at": s.fires_at, "pool_id": pool.id }),
            ));
            n += 1;
        }
        changes.update(&next)?;
    }
    Ok((changes, n))
}
