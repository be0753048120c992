//! `pool.quota`: a user's held count, limits, claims today and daily caps per pool.

use super::claims::local_day_key;
use super::Crm;
use crate::access::{Action, Module};
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::ids::UserId;
use crate::pool::{pool_quota, Quota};
use crate::store::Store;

impl<S: Store> Crm<S> {
    /// The quotas of `user` (default: the acting user) in every enabled pool they may claim
    /// from. Users read their own; tenant admins and the system actor anyone's; a pool admin
    /// sees another user's quota in the pools they administer only.
    pub async fn pool_quota(&self, actor: Actor, user: Option<UserId>) -> CrmResult<Quota> {
        let ctx = self.ctx(actor).await?;
        let me = ctx.access.user().map(|u| u.id);
        let user = match (user, me) {
            (Some(u), _) => u,
            (None, Some(me)) => me,
            (None, None) => {
                return Err(CrmError::validation(
                    "user_id",
                    "required for the system actor",
                ))
            }
        };
        let org = ctx.access.org();
        if !org.users.contains_key(&user) {
            return Err(CrmError::not_found("user", user));
        }
        let whole_tenant = me == Some(user) || ctx.access.require_settings(Action::Read).is_ok();
        let held = self.held_counter(ctx.tenant.id, user).await?;
        let day = local_day_key(&ctx)?;
        let limits = &ctx.tenant.settings.held_limits;
        let mut pools = Vec::new();
        for pool in ctx.pools.iter().filter(|p| p.enabled) {
            let may_claim = pool.admits(org, user);
            if !may_claim || !(whole_tenant || ctx.is_pool_admin(pool)) {
                continue;
            }
            let claims_today = self
                .daily_counter(&ctx, pool.id, user, &day)
                .await?
                .map_or(0, |c| c.claims);
            pools.push(pool_quota(limits, pool, org, user, &held, claims_today));
        }
        if !whole_tenant && pools.is_empty() {
            return Err(CrmError::PermissionDenied {
                module: Module::Pools.as_str().into(),
                action: Action::Read.as_str().into(),
                field: Some("user_id".into()),
            });
        }
        Ok(Quota {
            user_id: user,
            day,
            held: held.held,
            held_counted: held.counted(limits.count_dealt),
            pools,
        })
    }
}
