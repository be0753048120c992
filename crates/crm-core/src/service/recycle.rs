//! Putting customers back into a pool by hand (放入公海), locking, deal status, and the
//! recycle countdown.

use super::{json, transact, Crm, Ctx};
use crate::access::{Action, Module, ViewContext};
use crate::actor::Actor;
use crate::customer::{Customer, DealStatus};
use crate::error::{CrmError, CrmResult};
use crate::ids::{CustomerId, PoolId};
use crate::pool::recycle::{countdown, into_pool};
use crate::pool::{OwnerChange, Pool, RuleStatus};
use crate::store::{Changes, Entity, EventKind, Store};
use crate::view::Visible;

impl Ctx {
    /// Where a customer goes back to: the pool it came from, else its owner's pool, else
    /// the default pool.
    pub(crate) fn return_pool(&self, c: &Customer) -> CrmResult<&Pool> {
        c.last_pool_id
            .and_then(|id| {
                self.pools.iter().find(|p| {
                    p.id == id && p.enabled && p.rules.holds == crate::pool::PoolHolds::Customers
                })
            })
            .or_else(|| c.owner_id.and_then(|o| self.pool_for_owner(o)))
            .or_else(|| self.default_pool())
            .ok_or_else(|| CrmError::rule("no_pool", "the tenant has no enabled pool"))
    }
}

impl<S: Store> Crm<S> {
    /// Puts an owned customer back into a pool with a reason from the tenant's list. The
    /// owner or anyone with transfer rights over it may; locked customers are refused.
    pub async fn release_customer(
        &self,
        actor: Actor,
        id: CustomerId,
        reason: &str,
    ) -> CrmResult<Visible<Customer>> {
        crate::validate::texts(reason, "reason")?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            if !ctx
                .tenant
                .settings
                .recycle_reasons
                .iter()
                .any(|r| r == reason)
            {
                return Err(CrmError::validation(
                    "reason",
                    format!(
                        "not one of the tenant's reasons: {}",
                        ctx.tenant.settings.recycle_reasons.join(" | ")
                    ),
                ));
            }
            let current = self.load_customer(ctx.tenant.id, id).await?;
            let Some(owner) = current.owner_id else {
                // Only someone who sees the pooled customer learns that it is in a pool.
                if !ctx.access.reaches_customer(
                    Module::Customers,
                    Action::Read,
                    None,
                    current.pool_id.map(|p| p.0),
                    &[],
                    ctx.now,
                ) {
                    return Err(CrmError::PermissionDenied {
                        module: "customers".into(),
                        action: "transfer".into(),
                        field: None,
                    });
                }
                return Err(CrmError::rule(
                    "not_owned",
                    format!("customer {id} is already in a pool"),
                ));
            };
            let is_owner = ctx.access.user().is_some_and(|u| u.id == owner);
            if !is_owner
                && !ctx.access.reaches_customer(
                    Module::Customers,
                    Action::Transfer,
                    Some(owner),
                    None,
                    &[],
                    ctx.now,
                )
            {
                return Err(CrmError::PermissionDenied {
                    module: "customers".into(),
                    action: "transfer".into(),
                    field: None,
                });
            }
            if current.locked {
                return Err(CrmError::rule(
                    "customer_locked",
                    "unlock the customer first",
                ));
            }
            let pool = ctx.return_pool(&current)?.id;
            let next = into_pool(&current, pool, reason, ctx.now);
            let mut changes = self
                .recycle_changes(&ctx, &current, &next, pool, reason, OwnerChange::Released)
                .await?;
            changes.audit(ctx.audit(
                "pool.release",
                Entity::Customer,
                id.0,
                json(&current),
                json(&next),
            ));
            let stored = Customer {
                version: next.version + 1,
                ..next
            };
            let view = ctx.present(stored, ViewContext::Detail);
            Ok((changes, view))
        })
    }

    /// The rows a recycle writes besides its audit entry: customer, held counter, owner
    /// history and the event.
    pub(crate) async fn recycle_changes(
        &self,
        ctx: &Ctx,
        before: &Customer,
        after: &Customer,
        pool: PoolId,
        reason: &str,
        how: OwnerChange,
    ) -> CrmResult<Changes> {
        let mut changes = Changes::new(ctx.tenant.id);
        changes.update(after)?;
        self.adjust_held(ctx.tenant.id, &mut changes, [(Some(before), after)])
            .await?;
        let hid = self.new_id(Entity::OwnerHistory).await?;
        ctx.push_history(
            &mut changes,
            hid,
            after,
            before.owner_id,
            how,
            Some(pool),
            Some(reason.to_owned()),
        )?;
        changes.event(ctx.event(
            EventKind::CustomerRecycled,
            Entity::Customer,
            after.id.0,
            serde_json::json!({ "pool_id": pool, "previous_owner_id": before.owner_id, "reason": reason, "manual": how == OwnerChange::Released }),
        ));
        Ok(changes)
    }

    /// Locks (exempts from recycling) or unlocks a customer; needs update rights on it.
    pub async fn set_locked(
        &self,
        actor: Actor,
        id: CustomerId,
        locked: bool,
    ) -> CrmResult<Visible<Customer>> {
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let (current, _) = self.customer_for(&ctx, id, Action::Update).await?;
            let mut changes = Changes::new(ctx.tenant.id);
            if current.locked == locked {
                return Ok((changes, ctx.present(current, ViewContext::Detail)));
            }
            let next = Customer {
                locked,
                updated_at: ctx.now,
                ..current.clone()
            };
            changes.update(&next)?;
            changes.audit(ctx.audit(
                if locked {
                    "customer.lock"
                } else {
                    "customer.unlock"
                },
                Entity::Customer,
                id.0,
                json(&current),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::CustomerLockChanged,
                Entity::Customer,
                id.0,
                serde_json::json!({ "locked": locked }),
            ));
            Ok((
                changes,
                ctx.present(
                    Customer {
                        version: next.version + 1,
                        ..next
                    },
                    ViewContext::Detail,
                ),
            ))
        })
    }

    /// Sets the deal status (已成交 / 未成交); needs update rights. Keeps held counts exact.
    pub async fn set_deal_status(
        &self,
        actor: Actor,
        id: CustomerId,
        status: DealStatus,
    ) -> CrmResult<Visible<Customer>> {
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let (current, _) = self.customer_for(&ctx, id, Action::Update).await?;
            let mut changes = Changes::new(ctx.tenant.id);
            if current.deal_status == status {
                return Ok((changes, ctx.present(current, ViewContext::Detail)));
            }
            let next = Customer {
                deal_status: status,
                updated_at: ctx.now,
                ..current.clone()
            };
            changes.update(&next)?;
            self.adjust_held(ctx.tenant.id, &mut changes, [(Some(&current), &next)])
                .await?;
            changes.audit(ctx.audit(
                "customer.deal_status",
                Entity::Customer,
                id.0,
                json(&current),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::DealStatusChanged,
                Entity::Customer,
                id.0,
                serde_json::json!({ "status": status }),
            ));
            Ok((
                changes,
                ctx.present(
                    Customer {
                        version: next.version + 1,
                        ..next
                    },
                    ViewContext::Detail,
                ),
            ))
        })
    }

    /// The recycle countdown of a customer the actor may read: the rule of its owner's pool
    /// closest to firing, or `None` when no rule applies.
    pub async fn recycle_countdown(
        &self,
        actor: Actor,
        id: CustomerId,
    ) -> CrmResult<Option<RuleStatus>> {
        let ctx = self.ctx(actor).await?;
        let (c, _) = self.customer_for(&ctx, id, Action::Read).await?;
        let Some(owner) = c.owner_id else {
            return Ok(None);
        };
        Ok(ctx
            .pool_for_owner(owner)
            .and_then(|p| countdown(p, &c, ctx.now)))
    }
}
