//! Claim (领取) and distribute (分配): taking customers out of a pool under the held limit,
//! the daily cap, the previous-owner cooldown and new-in-pool protection — decided on
//! versioned counter rows so concurrent claims cannot overrun a limit.

use super::held_counters::write_counter;
use super::{json, transact, Crm, Ctx};
use crate::access::ViewContext;
use crate::actor::Actor;
use crate::customer::Customer;
use crate::error::{CrmError, CrmResult};
use crate::ids::{CustomerId, PoolId, UserId};
use crate::pool::{
    check_claim_customers, decide_claim, held_limit_in, ClaimCounter, ClaimMode, ClaimSnapshot,
    OwnerChange, Pool, PoolHolds,
};
use crate::store::{Changes, Entity, EventKind, Filter, Query, Store, StoreExt};
use crate::tenant::local_day_bounds;
use crate::view::Visible;

fn denied(action: &str, field: Option<&str>) -> CrmError {
    CrmError::PermissionDenied {
        module: "pools".into(),
        action: action.into(),
        field: field.map(str::to_owned),
    }
}

/// The tenant's local day at the call's instant, `YYYY-MM-DD`: the key of daily counters.
pub(crate) fn local_day_key(ctx: &Ctx) -> CrmResult<String> {
    let tz = ctx.tenant.settings.tz()?;
    let (day_start, _) = local_day_bounds(tz, ctx.now);
    Ok(day_start.with_timezone(&tz).format("%Y-%m-%d").to_string())
}

impl<S: Store> Crm<S> {
    /// The acting user claims customers from a pool they are a member of. All or nothing.
    pub async fn claim(
        &self,
        actor: Actor,
        pool: PoolId,
        customers: Vec<CustomerId>,
    ) -> CrmResult<Vec<Visible<Customer>>> {
        let user = actor
            .user_id()
            .ok_or_else(|| denied("claim", Some("actor")))?;
        self.take_from_pool(actor, pool, customers, user, ClaimMode::Claim)
            .await
    }

    /// A pool admin gives customers to a member of the pool. All or nothing.
    pub async fn distribute(
        &self,
        actor: Actor,
        pool: PoolId,
        customers: Vec<CustomerId>,
        to: UserId,
    ) -> CrmResult<Vec<Visible<Customer>>> {
        self.take_from_pool(actor, pool, customers, to, ClaimMode::Distribute)
            .await
    }

    pub(crate) async fn daily_counter(
        &self,
        ctx: &Ctx,
        pool: PoolId,
        user: UserId,
        day: &str,
    ) -> CrmResult<Option<ClaimCounter>> {
        let rows: Vec<ClaimCounter> = self
            .store()
            .load_all(
                &Query::new(Entity::ClaimCounter, ctx.tenant.id)
                    .filter(Filter::eq("pool_id", pool.0))
                    .filter(Filter::eq("user_id", user.0))
                    .filter(Filter::eq("day", day)),
            )
            .await?;
        Ok(rows.into_iter().next())
    }

    /// Adds the write of `claimant`'s claim counter in `pool` for `day` at `claims`: an
    /// update at the version read, or an insert when none was read (so two first claims of
    /// the day conflict on the insert).
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn write_daily(
        &self,
        ctx: &Ctx,
        changes: &mut Changes,
        read: Option<ClaimCounter>,
        pool_id: PoolId,
        claimant: UserId,
        day: String,
        claims: i64,
    ) -> CrmResult<()> {
        match read {
            Some(d) => changes.update(&ClaimCounter { claims, ..d }),
            None => changes.insert(&ClaimCounter {
                tenant: ctx.tenant.id,
                id: self.new_id(Entity::ClaimCounter).await?,
                version: 1,
                pool_id,
                user_id: claimant,
                day,
                claims,
            }),
        }
    }

    pub(super) fn check_take_rights(
        ctx: &Ctx,
        pool: &Pool,
        claimant: UserId,
        mode: ClaimMode,
    ) -> CrmResult<()> {
        let org = ctx.access.org();
        let user = org
            .users
            .get(&claimant)
            .ok_or_else(|| CrmError::not_found("user", claimant))?;
        if !user.active {
            return Err(CrmError::validation("to", "user is inactive"));
        }
        let in_pool = pool.admits(org, claimant);
        match mode {
            ClaimMode::Claim if !in_pool => return Err(denied("claim", None)),
            ClaimMode::Distribute if !ctx.is_pool_admin(pool) => {
                return Err(denied("distribute", None))
            }
            ClaimMode::Distribute if !in_pool => return Err(denied("distribute", Some("to"))),
            _ => {}
        }
        // The pool's state is told only to those with rights in it.
        if !pool.enabled {
            return Err(CrmError::rule(
                "pool_disabled",
                format!("pool {} is disabled", pool.id),
            ));
        }
        Ok(())
    }

    async fn take_from_pool(
        &self,
        actor: Actor,
        pool_id: PoolId,
        ids: Vec<CustomerId>,
        claimant: UserId,
        mode: ClaimMode,
    ) -> CrmResult<Vec<Visible<Customer>>> {
        if ids.len() > 1000 {
            return Err(CrmError::validation("customer_ids", "at most 1000 at once"));
        }
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let pool = ctx.pool(pool_id)?.clone();
            Self::check_take_rights(&ctx, &pool, claimant, mode)?;
            if pool.rules.holds != PoolHolds::Customers {
                return Err(CrmError::rule(
                    "pool_holds_leads",
                    format!("pool {pool_id} holds leads (claim them with lead.claim)"),
                ));
            }
            let mut customers = Vec::with_capacity(ids.len());
            for id in &ids {
                let c = self.load_customer(ctx.tenant.id, *id).await?;
                // A customer elsewhere is described ("not in this pool") only to someone who
                // may read it, or who saw it in this pool before it left (a lost race); to
                // anyone else it does not exist.
                if c.pool_id != Some(pool_id)
                    && c.last_pool_id != Some(pool_id)
                    && !ctx.access.reaches_customer(
                        crate::access::Module::Customers,
                        crate::access::Action::Read,
                        c.owner_id,
                        c.pool_id.map(|p| p.0),
                        &[],
                        ctx.now,
                    )
                {
                    return Err(CrmError::not_found("customer", id));
                }
                customers.push(c);
            }
            // Refusals that need no counter are made before any counter is read.
            check_claim_customers(&pool, &customers, claimant, ctx.now, mode)?;
            let settings = &ctx.tenant.settings;
            let limits = &settings.held_limits;
            let held_limit = held_limit_in(limits, &pool, ctx.access.org(), claimant);
            let day = local_day_key(&ctx)?;
            let daily = match mode {
                ClaimMode::Claim => self.daily_counter(&ctx, pool_id, claimant, &day).await?,
                ClaimMode::Distribute => None,
            };
            let held = self.held_counter(ctx.tenant.id, claimant).await?;
            let decision = decide_claim(
                ClaimSnapshot {
                    pool: &pool,
                    customers,
                    claimant,
                    held,
                    held_limit,
                    count_dealt: limits.count_dealt,
                    daily: daily.clone(),
                    now: ctx.now,
                },
                mode,
            )?;
            let mut changes = Changes::new(ctx.tenant.id);
            write_counter(&mut changes, &decision.held)?;
            if mode == ClaimMode::Claim {
                self.write_daily(
                    &ctx,
                    &mut changes,
                    daily,
                    pool_id,
                    claimant,
                    day,
                    decision.daily_claims,
                )
                .await?;
            }
            let first_history = self
                .store()
                .allocate_ids(Entity::OwnerHistory, decision.customers.len() as u32)
                .await?;
            let (how, kind, op) = match mode {
                ClaimMode::Claim => (
                    OwnerChange::Claimed,
                    EventKind::CustomerClaimed,
                    "pool.claim",
                ),
                ClaimMode::Distribute => (
                    OwnerChange::Distributed,
                    EventKind::CustomerDistributed,
                    "pool.distribute",
                ),
            };
            let mut out = Vec::with_capacity(decision.customers.len());
            for (i, (before, after)) in decision.customers.into_iter().enumerate() {
                changes.update(&after)?;
                ctx.push_history(
                    &mut changes,
                    first_history + i as i64,
                    &after,
                    None,
                    how,
                    Some(pool_id),
                    None,
                )?;
                changes.audit(ctx.audit(
                    op,
                    Entity::Customer,
                    after.id.0,
                    json(&before),
                    json(&after),
                ));
                changes.event(ctx.event(
                    kind,
                    Entity::Customer,
                    after.id.0,
                    serde_json::json!({ "pool_id": pool_id, "owner_id": claimant, "by": ctx.access.user().map(|u| u.id) }),
                ));
                out.push(ctx.present(
                    Customer {
                        version: after.version + 1,
                        ..after
                    },
                    ViewContext::Detail,
                ));
            }
            Ok((changes, out))
        })
    }
}
