//! Lead pools (§4.8 "lead pools reuse §4.3"): a member claims leads from a lead pool and an
//! owner gives a lead back, decided by the pool rules customers use
//! ([`decide_take`](crate::pool::decide_take) over [`Pooled`](crate::pool::Pooled) leads).
//! The held limit counts the claimant's open leads (their `lead_loads` row) against the
//! tenant's `held_limits` for them; that row and today's claim counter are written at the
//! versions read in the claim's unit of work, so concurrent claims cannot pass either
//! (ADR 0021).

use super::claims::local_day_key;
use super::lead_loads::LoadBook;
use super::{json, transact, Crm, Ctx};
use crate::access::{Action, ViewContext};
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::ids::{LeadId, PoolId, UserId};
use crate::lead::Lead;
use crate::pool::{
    check_claim, decide_take, held_limit_in, pool_of_kind_for_owner, ClaimMode, Pool, PoolHolds,
    TakeCounts,
};
use crate::store::{Changes, Entity, EventKind, Store, StoreExt};
use crate::validate::required_text;
use crate::view::VisibleJson;

/// Most leads in one claim.
const MAX_CLAIM: usize = 1000;
/// Longest release reason.
const MAX_REASON: usize = 500;

fn denied(action: &str, field: Option<&str>) -> CrmError {
    CrmError::PermissionDenied {
        module: "pools".into(),
        action: action.into(),
        field: field.map(str::to_owned),
    }
}

impl Ctx {
    /// The lead pool `id`, enabled: refused when it holds customers.
    fn lead_pool(&self, id: PoolId) -> CrmResult<&Pool> {
        let pool = self.pool(id)?;
        if pool.rules.holds != PoolHolds::Leads {
            return Err(CrmError::rule(
                "pool_holds_customers",
                format!("pool {id} holds customers, not leads"),
            ));
        }
        Ok(pool)
    }

    /// Where a released lead goes: the pool asked for, else the lead pool it was last
    /// claimed from, else its owner's first lead pool.
    fn release_pool(&self, lead: &Lead, owner: UserId, asked: Option<PoolId>) -> CrmResult<&Pool> {
        let pool = match asked {
            Some(id) => Some(self.lead_pool(id)?),
            None => lead
                .last_pool_id
                .and_then(|id| self.lead_pool(id).ok())
                .filter(|p| p.enabled)
                .or_else(|| {
                    pool_of_kind_for_owner(&self.pools, self.access.org(), owner, PoolHolds::Leads)
                }),
        };
        let pool = pool.ok_or_else(|| {
            CrmError::rule("no_lead_pool", "no enabled lead pool takes this lead")
        })?;
        if !pool.enabled {
            return Err(CrmError::rule(
                "pool_disabled",
                format!("pool {} is disabled", pool.id),
            ));
        }
        Ok(pool)
    }
}

impl<S: Store> Crm<S> {
    /// The acting user claims leads from a lead pool they are a member of, under the pool's
    /// new-in-pool protection, previous-owner cooldown and daily cap and the held limit on
    /// their open leads. All or nothing; a refused claim writes nothing.
    pub async fn claim_leads(
        &self,
        actor: Actor,
        pool_id: PoolId,
        ids: Vec<LeadId>,
    ) -> CrmResult<Vec<VisibleJson>> {
        let claimant = actor
            .user_id()
            .ok_or_else(|| denied("claim", Some("actor")))?;
        if ids.len() > MAX_CLAIM {
            return Err(CrmError::validation("lead_ids", "at most 1000 at once"));
        }
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let pool = ctx.lead_pool(pool_id)?.clone();
            Self::check_take_rights(&ctx, &pool, claimant, ClaimMode::Claim)?;
            let mut leads = Vec::with_capacity(ids.len());
            for id in &ids {
                // A lead elsewhere is described ("not in this pool") only to someone who may
                // read it or saw it in this pool before it left; to anyone else it does not
                // exist.
                let lead = self
                    .store()
                    .load::<Lead>(ctx.tenant.id, *id)
                    .await?
                    .filter(|l| {
                        l.pool_id == Some(pool_id)
                            || l.last_pool_id == Some(pool_id)
                            || ctx.reaches_lead(Action::Read, l.owner_id).is_ok()
                    })
                    .ok_or_else(|| CrmError::not_found("lead", id))?;
                leads.push(lead);
            }
            // Refusals that need no counter are made before any counter is read.
            check_claim(&pool, &leads, claimant, ctx.now, ClaimMode::Claim)?;
            if let Some(l) = leads.iter().find(|l| !l.status.is_open()) {
                return Err(CrmError::rule(
                    "lead_closed",
                    format!("lead {} is {}", l.id, l.status),
                ));
            }
            let limits = &ctx.tenant.settings.held_limits;
            let held_limit = held_limit_in(limits, &pool, ctx.access.org(), claimant);
            let day = local_day_key(&ctx)?;
            let daily = self.daily_counter(&ctx, pool_id, claimant, &day).await?;
            let mut loads = LoadBook::default();
            let open = loads.get(self, ctx.tenant.id, claimant).await?.open_leads;
            let counts = TakeCounts {
                held_counted: i64::from(open),
                held_limit,
                claims_today: daily.as_ref().map_or(0, |d| d.claims),
            };
            let (pairs, daily_claims) =
                decide_take(&pool, leads, claimant, counts, ctx.now, ClaimMode::Claim)?;
            let mut changes = Changes::new(ctx.tenant.id);
            self.write_daily(
                &ctx,
                &mut changes,
                daily,
                pool_id,
                claimant,
                day,
                daily_claims,
            )
            .await?;
            let mut taken = Vec::with_capacity(pairs.len());
            for (before, mut after) in pairs {
                self.start_first_contact_clock(&ctx, &mut after).await?;
                taken.push((before, after));
            }
            loads
                .lead_changes(self, ctx.tenant.id, taken.iter().map(|(b, a)| (Some(b), a)))
                .await?;
            loads.write(&mut changes)?;
            let mut out = Vec::with_capacity(taken.len());
            for (before, after) in taken {
                changes.update(&after)?;
                changes.audit(ctx.audit(
                    "lead.claim",
                    Entity::Lead,
                    after.id,
                    json(&before),
                    json(&after),
                ));
                changes.event(ctx.event(
                    EventKind::LeadClaimed,
                    Entity::Lead,
                    after.id,
                    serde_json::json!({ "pool_id": pool_id, "owner_id": claimant }),
                ));
                let stored = Lead {
                    version: after.version + 1,
                    ..after
                };
                out.push(self.lead_view(&ctx, stored, ViewContext::Detail).await?);
            }
            Ok((changes, out))
        })
    }

    /// Gives an owned, open lead back to a lead pool with a reason: the pool asked for, else
    /// the one it was claimed from, else its owner's first lead pool. The owner, or anyone
    /// whose lead scope reaches it for update, may; the owner is recorded as previous owner
    /// (the pool's cooldown keeps them from re-claiming it at once).
    pub async fn release_lead(
        &self,
        actor: Actor,
        id: LeadId,
        pool: Option<PoolId>,
        reason: &str,
    ) -> CrmResult<VisibleJson> {
        let reason = required_text(reason, "reason", MAX_REASON)?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let current = self.lead_for(&ctx, id, Action::Update).await?;
            let Some(owner) = current.owner_id else {
                return Err(CrmError::rule(
                    "not_owned",
                    format!("lead {id} has no owner to give it back"),
                ));
            };
            if !current.status.is_open() {
                return Err(CrmError::rule(
                    "lead_closed",
                    format!("lead {id} is {}", current.status),
                ));
            }
            let target = ctx.release_pool(&current, owner, pool)?.id;
            let next = current.into_pool(target, &reason, ctx.now);
            let mut changes = Changes::new(ctx.tenant.id);
            let mut loads = LoadBook::default();
            loads
                .lead_changes(self, ctx.tenant.id, [(Some(&current), &next)])
                .await?;
            loads.write(&mut changes)?;
            changes.update(&next)?;
            changes.audit(ctx.audit(
                "lead.release",
                Entity::Lead,
                id,
                json(&current),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::LeadReleased,
                Entity::Lead,
                id,
                serde_json::json!({ "pool_id": target, "previous_owner_id": owner, "reason": reason }),
            ));
            let stored = Lead {
                version: next.version + 1,
                ..next
            };
            let shown = self.lead_view(&ctx, stored, ViewContext::Detail).await?;
            Ok((changes, shown))
        })
    }
}
