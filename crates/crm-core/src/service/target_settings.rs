//! The tenant's target settings and the guard on its fiscal calendar: once any target
//! revision has been approved, the fiscal start month is fixed (rule
//! `fiscal_calendar_in_use`), since approved months would otherwise shift under it.

use super::{json, transact, Crm};
use crate::access::Action;
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::ids::TenantId;
use crate::store::{Changes, Entity, EventKind, Filter, Query, SqlValue, Store};
use crate::target::{TargetSettings, TargetStatus};
use crate::tenant::Tenant;

impl<S: Store> Crm<S> {
    /// Refuses a change of the fiscal start month while any target revision of the tenant is
    /// approved or superseded (rule `fiscal_calendar_in_use`).
    pub(super) async fn check_target_settings_change(
        &self,
        tenant: TenantId,
        before: &TargetSettings,
        after: &TargetSettings,
    ) -> CrmResult<()> {
        if before.fiscal_start_month == after.fiscal_start_month {
            return Ok(());
        }
        let approved = [TargetStatus::Approved, TargetStatus::Superseded]
            .map(|s| SqlValue::from(s.as_str()))
            .to_vec();
        let any = self
            .store()
            .query(
                &Query::new(Entity::Target, tenant)
                    .filter(Filter::is_in("status", approved))
                    .limit(1),
            )
            .await?;
        if !any.is_empty() {
            return Err(CrmError::rule(
                "fiscal_calendar_in_use",
                "the fiscal start month cannot change once a target has been approved",
            ));
        }
        Ok(())
    }

    /// The tenant's target settings (any user of the tenant may read them).
    pub async fn target_settings(&self, actor: Actor) -> CrmResult<TargetSettings> {
        Ok(self.ctx(actor).await?.tenant.settings.targets)
    }

    /// Replaces the tenant's target settings (tenant admins and the system actor).
    pub async fn set_target_settings(
        &self,
        actor: Actor,
        settings: TargetSettings,
    ) -> CrmResult<TargetSettings> {
        settings.validate()?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            ctx.access.require_settings(Action::Update)?;
            let current = ctx.tenant.clone();
            let mut changes = Changes::new(ctx.tenant.id);
            if current.settings.targets == settings {
                return Ok((changes, settings));
            }
            self.check_target_settings_change(ctx.tenant.id, &current.settings.targets, &settings)
                .await?;
            let mut next: Tenant = current.clone();
            next.settings.targets = settings;
            changes.update(&next)?;
            changes.audit(ctx.audit(
                "target.settings_set",
                Entity::Tenant,
                ctx.tenant.id.0,
                json(&current),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::TenantConfigured,
                Entity::Tenant,
                ctx.tenant.id.0,
                serde_json::json!({ "name": next.name, "targets": settings }),
            ));
            Ok((changes, settings))
        })
    }
}
