//! Pool administration: create, change, delete, list, and the customers of a pool.

use super::{json, page_limit, transact, Crm, Ctx, Page};
use crate::access::{Action, ViewContext};
use crate::actor::Actor;
use crate::customer::Customer;
use crate::error::{CrmError, CrmResult};
use crate::ids::{PoolId, UserId};
use crate::pool::{Pool, PoolHolds, PoolInput};
use crate::store::{Changes, Entity, EventKind, Filter, Query, Store, StoreExt};
use crate::view::Visible;

impl Ctx {
    /// The first enabled pool (in configured order) whose members include `user`.
    pub(crate) fn pool_for_owner(&self, user: UserId) -> Option<&Pool> {
        crate::pool::pool_for_owner(&self.pools, self.access.org(), user)
    }

    /// The tenant's default pool.
    pub(crate) fn default_pool(&self) -> Option<&Pool> {
        self.pools.iter().find(|p| p.is_default && p.enabled)
    }

    /// True when the actor administers `pool` (the system actor administers all).
    pub(crate) fn is_pool_admin(&self, pool: &Pool) -> bool {
        match self.access.user() {
            None => true,
            Some(u) => pool.is_admin(self.access.org(), u.id),
        }
    }
}

impl<S: Store> Crm<S> {
    /// Creates a pool (tenant admins). The first pool becomes the default.
    pub async fn create_pool(&self, actor: Actor, input: PoolInput) -> CrmResult<Pool> {
        crate::validate::texts(&input, "")?;
        let id = PoolId(self.new_id(Entity::Pool).await?);
        self.save_pool(actor, id, input, true).await
    }

    /// Replaces a pool's definition (tenant admins).
    pub async fn update_pool(&self, actor: Actor, id: PoolId, input: PoolInput) -> CrmResult<Pool> {
        crate::validate::texts(&input, "")?;
        self.save_pool(actor, id, input, false).await
    }

    async fn save_pool(
        &self,
        actor: Actor,
        id: PoolId,
        input: PoolInput,
        create: bool,
    ) -> CrmResult<Pool> {
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            ctx.access.require_settings(if create {
                Action::Create
            } else {
                Action::Update
            })?;
            let name = input.validate(ctx.access.org())?;
            let existing = ctx.pools.iter().find(|p| p.id == id).cloned();
            if !create && existing.is_none() {
                return Err(CrmError::not_found("pool", id));
            }
            let first = ctx.pools.is_empty();
            let is_default =
                input.is_default || first || existing.as_ref().is_some_and(|p| p.is_default);
            if is_default && input.rules.holds == PoolHolds::Leads {
                return Err(CrmError::validation(
                    "pool.is_default",
                    "the default pool holds customers, not leads (create it first)",
                ));
            }
            if let Some(current) = &existing {
                if current.rules.holds != input.rules.holds {
                    return Err(CrmError::validation(
                        "pool.rules.holds",
                        format!(
                            "pool {id} holds {}; that does not change",
                            current.rules.holds.as_str()
                        ),
                    ));
                }
                if current.is_default && !input.is_default {
                    return Err(CrmError::rule(
                        "default_pool",
                        "make another pool the default first",
                    ));
                }
                if current.enabled && !input.enabled {
                    self.check_pool_can_go(&ctx, current).await?;
                }
            }
            let next = Pool {
                tenant: ctx.tenant.id,
                id,
                version: existing.as_ref().map(|p| p.version).unwrap_or(1),
                name,
                position: input.position,
                is_default,
                enabled: input.enabled || is_default,
                admins: input.admins.clone(),
                members: input.members.clone(),
                rules: input.rules.clone(),
                field_rules: input.field_rules.clone(),
            };
            let mut changes = Changes::new(ctx.tenant.id);
            if is_default {
                for other in ctx.pools.iter().filter(|p| p.id != id && p.is_default) {
                    changes.update(&Pool {
                        is_default: false,
                        ..other.clone()
                    })?;
                }
            }
            match &existing {
                None => changes.insert(&next)?,
                Some(_) => changes.update(&next)?,
            }
            changes.audit(ctx.audit(
                "pool.save",
                Entity::Pool,
                id.0,
                json(&existing),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::PoolChanged,
                Entity::Pool,
                id.0,
                serde_json::json!({ "name": next.name }),
            ));
            let stored = Pool {
                version: existing.map(|p| p.version + 1).unwrap_or(1),
                ..next
            };
            Ok((changes, stored))
        })
    }

    async fn check_pool_can_go(&self, ctx: &Ctx, pool: &Pool) -> CrmResult<()> {
        if pool.is_default {
            return Err(CrmError::rule(
                "default_pool",
                "the default pool cannot be disabled or deleted",
            ));
        }
        let (entity, what) = match pool.rules.holds {
            PoolHolds::Leads => (Entity::Lead, "lead(s)"),
            _ => (Entity::Customer, "customer(s)"),
        };
        let held = self
            .store()
            .count(&Query::new(entity, ctx.tenant.id).filter(Filter::eq("pool_id", pool.id.0)))
            .await?;
        if held > 0 {
            return Err(CrmError::rule(
                "pool_not_empty",
                format!("pool {} holds {held} {what}", pool.id),
            ));
        }
        if ctx
            .pools
            .iter()
            .filter(|p| p.enabled && p.id != pool.id)
            .count()
            == 0
        {
            return Err(CrmError::rule(
                "last_enabled_pool",
                "a tenant keeps at least one enabled pool",
            ));
        }
        Ok(())
    }

    /// Deletes an empty, non-default pool (tenant admins).
    pub async fn delete_pool(&self, actor: Actor, id: PoolId) -> CrmResult<()> {
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            ctx.access.require_settings(Action::Delete)?;
            let pool = ctx.pool(id)?.clone();
            self.check_pool_can_go(&ctx, &pool).await?;
            let mut changes = Changes::new(ctx.tenant.id);
            changes.delete(&pool);
            changes.audit(ctx.audit(
                "pool.delete",
                Entity::Pool,
                id.0,
                json(&pool),
                serde_json::Value::Null,
            ));
            changes.event(ctx.event(
                EventKind::PoolChanged,
                Entity::Pool,
                id.0,
                serde_json::json!({ "deleted": true }),
            ));
            Ok((changes, ()))
        })
    }

    /// Pools the actor may see: all for tenant admins and the system actor, otherwise the
    /// enabled pools they are a member or admin of.
    pub async fn list_pools(&self, actor: Actor) -> CrmResult<Vec<Pool>> {
        let ctx = self.ctx(actor).await?;
        if ctx.access.require_settings(Action::Read).is_ok() {
            return Ok(ctx.pools.as_ref().clone());
        }
        let visible = ctx.access.visible_pools().to_vec();
        Ok(ctx
            .pools
            .iter()
            .filter(|p| visible.contains(&p.id.0))
            .cloned()
            .collect())
    }

    /// A page of the customers sitting in a pool (its members and admins), masked per the
    /// pool's field rules.
    pub async fn pool_customers(
        &self,
        actor: Actor,
        pool: PoolId,
        after: Option<i64>,
        limit: Option<u32>,
    ) -> CrmResult<Page<Visible<Customer>>> {
        let ctx = self.ctx(actor).await?;
        ctx.pool(pool)?;
        if !ctx.access.is_system() && !ctx.access.visible_pools().contains(&pool.0) {
            return Err(CrmError::PermissionDenied {
                module: "pools".into(),
                action: "read".into(),
                field: None,
            });
        }
        let limit = page_limit(limit)?;
        let rows: Vec<Customer> = self
            .store()
            .load_all(
                &Query::new(Entity::Customer, ctx.tenant.id)
                    .filter(Filter::eq("pool_id", pool.0))
                    .after(after)
                    .limit(limit),
            )
            .await?;
        Ok(Page::of(rows, limit, |c| ctx.present(c, ViewContext::List)))
    }
}
