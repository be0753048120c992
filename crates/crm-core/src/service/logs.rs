//! The event outbox and the audit log, read back, with the reader's field rules applied to
//! every value (ADR 0011): a tenant admin sees the fields their roles let them read.

use super::Crm;
use crate::access::{Action, Module};
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::ids::{CustomerId, UserId};
use crate::store::{AuditEntry, Entity, Event, Store};

/// Most events or audit entries returned per call.
pub const MAX_LOG_PAGE: u32 = 1000;

fn check_limit(limit: u32) -> CrmResult<u32> {
    if limit == 0 || limit > MAX_LOG_PAGE {
        return Err(CrmError::validation(
            "limit",
            format!("must be 1..={MAX_LOG_PAGE}"),
        ));
    }
    Ok(limit)
}

impl<S: Store> Crm<S> {
    /// Events of the actor's tenant after `cursor` (0 for the beginning), oldest first.
    /// For the host's delivery and sync code: tenant admins and the system actor.
    pub async fn events_after(
        &self,
        actor: Actor,
        cursor: i64,
        limit: u32,
    ) -> CrmResult<Vec<Event>> {
        let limit = check_limit(limit)?;
        let ctx = self.ctx(actor).await?;
        ctx.access.require_settings(Action::Read)?;
        let events = self
            .store()
            .events_after(ctx.tenant.id, cursor, limit)
            .await?;
        self.visible_events(&ctx, events).await
    }

    /// The audit trail of one customer (readers of the customer may see it).
    pub async fn customer_audit(&self, actor: Actor, id: CustomerId) -> CrmResult<Vec<AuditEntry>> {
        let ctx = self.ctx(actor).await?;
        self.customer_for(&ctx, id, Action::Read).await?;
        let entries = self
            .store()
            .audit_for_record(ctx.tenant.id, Entity::Customer.name(), id.0)
            .await?;
        self.visible_audit(&ctx, entries).await
    }

    /// The audit trail of any record (tenant admins and the system actor).
    pub async fn record_audit(
        &self,
        actor: Actor,
        entity: &str,
        record_id: i64,
    ) -> CrmResult<Vec<AuditEntry>> {
        let ctx = self.ctx(actor).await?;
        ctx.access.require_settings(Action::Read)?;
        if Entity::from_name(entity).is_none() {
            return Err(CrmError::validation(
                "entity",
                format!("unknown record kind {}", crate::validate::quote(entity)),
            ));
        }
        let entries = self
            .store()
            .audit_for_record(ctx.tenant.id, entity, record_id)
            .await?;
        self.visible_audit(&ctx, entries).await
    }

    /// What one user changed, oldest first, after audit id `after`. Users may read their
    /// own; tenant admins and the system actor anyone's.
    pub async fn audit_by_user(
        &self,
        actor: Actor,
        user: UserId,
        after: i64,
        limit: u32,
    ) -> CrmResult<Vec<AuditEntry>> {
        let limit = check_limit(limit)?;
        let ctx = self.ctx(actor).await?;
        if ctx.access.user().map(|u| u.id) != Some(user) {
            ctx.access
                .require_settings(Action::Read)
                .map_err(|_| CrmError::PermissionDenied {
                    module: Module::Settings.as_str().into(),
                    action: Action::Read.as_str().into(),
                    field: Some("user_id".into()),
                })?;
        }
        let entries = self
            .store()
            .audit_by_user(ctx.tenant.id, user, after, limit)
            .await?;
        self.visible_audit(&ctx, entries).await
    }
}
