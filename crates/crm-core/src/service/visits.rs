//! Field visits (DESIGN §4.9): plan, read, list and cancel, in the actor's visit scope (the
//! visitor's data scope), and the tenant's visit settings.

use super::{json, transact, Crm, Ctx, Page};
use crate::access::{Action, Module, Reach};
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::ids::{CustomerId, UserId, VisitId};
use crate::store::{Changes, Entity, EventKind, Filter, Order, Store, StoreExt};
use crate::tenant::Tenant;
use crate::visit::{PlanVisit, Visit, VisitSettings, VisitStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Which visits to list (`visit.list`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitFilter {
    /// Only this visitor's.
    #[serde(default)]
    pub owner_id: Option<UserId>,
    /// Only visits to this customer.
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    /// Only in this status.
    #[serde(default)]
    pub status: Option<VisitStatus>,
    /// Only visits filed at or after this instant (the check-in, else the planned start).
    #[serde(default)]
    pub from: Option<DateTime<Utc>>,
    /// Only visits filed before this instant.
    #[serde(default)]
    pub to: Option<DateTime<Utc>>,
    /// Only flagged (`true`) or unflagged (`false`) visits.
    #[serde(default)]
    pub flagged: Option<bool>,
    /// Keyset cursor (the previous page's `next_after`).
    #[serde(default)]
    pub after: Option<i64>,
    /// Page size, 1..=500 (default 50).
    #[serde(default)]
    pub limit: Option<u32>,
}

impl Ctx {
    /// Whether `action` on visits reaches a visit of this visitor.
    pub(super) fn reaches_visit(&self, action: Action, owner: UserId) -> CrmResult<()> {
        let ok = match self.access.require(Module::Visits, action)? {
            Reach::All => true,
            Reach::Owners(set) => set.contains(&owner),
        };
        if ok {
            Ok(())
        } else {
            Err(CrmError::PermissionDenied {
                module: Module::Visits.as_str().into(),
                action: action.as_str().into(),
                field: None,
            })
        }
    }
}

impl<S: Store> Crm<S> {
    /// Loads a visit the actor may `action`; one outside the actor's read scope is not found.
    pub(super) async fn visit_for(
        &self,
        ctx: &Ctx,
        id: VisitId,
        action: Action,
    ) -> CrmResult<Visit> {
        ctx.access.require(Module::Visits, Action::Read)?;
        let visit = self
            .store()
            .load::<Visit>(ctx.tenant.id, id)
            .await?
            .filter(|v| ctx.reaches_visit(Action::Read, v.owner_id).is_ok())
            .ok_or_else(|| CrmError::not_found("visit", id))?;
        ctx.reaches_visit(action, visit.owner_id)?;
        Ok(visit)
    }

    /// Plans a visit to a customer the actor may read, for a visitor in the actor's scope.
    pub async fn plan_visit(&self, actor: Actor, request: PlanVisit) -> CrmResult<Visit> {
        crate::validate::texts(&request, "")?;
        let id = VisitId(self.new_id(Entity::Visit).await?);
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let owner = request
                .owner_id
                .or(ctx.access.user().map(|u| u.id))
                .ok_or_else(|| CrmError::validation("owner_id", "required for the system actor"))?;
            if !ctx.access.org().users.get(&owner).is_some_and(|u| u.active) {
                return Err(CrmError::validation(
                    "owner_id",
                    format!("no active user {owner}"),
                ));
            }
            ctx.reaches_visit(Action::Create, owner)?;
            self.customer_for(&ctx, request.customer_id, Action::Read)
                .await?;
            let by = ctx.access.user().map(|u| u.id);
            let visit = Visit::planned(ctx.tenant.id, id, owner, &request, by, ctx.now)?;
            let mut changes = Changes::new(ctx.tenant.id);
            changes.insert(&visit)?;
            changes.audit(ctx.audit(
                "visit.plan",
                Entity::Visit,
                id.0,
                serde_json::Value::Null,
                json(&visit),
            ));
            changes.event(ctx.event(
                EventKind::VisitPlanned,
                Entity::Visit,
                id.0,
                serde_json::json!({
                    "customer_id": visit.customer_id,
                    "owner_id": visit.owner_id,
                    "planned_start": visit.planned_start,
                    "planned_end": visit.planned_end,
                }),
            ));
            Ok((changes, visit))
        })
    }

    /// One visit in the actor's scope.
    pub async fn get_visit(&self, actor: Actor, id: VisitId) -> CrmResult<Visit> {
        let ctx = self.ctx(actor).await?;
        self.visit_for(&ctx, id, Action::Read).await
    }

    /// A page of the visits in the actor's scope, oldest first, filtered.
    pub async fn list_visits(&self, actor: Actor, filter: VisitFilter) -> CrmResult<Page<Visit>> {
        let ctx = self.ctx(actor).await?;
        let (mut query, limit) = ctx.scoped_page(
            Module::Visits,
            Entity::Visit,
            Order::IdAsc,
            filter.after,
            filter.limit,
        )?;
        if let Some(owner) = filter.owner_id {
            query = query.filter(Filter::eq("owner_id", owner.0));
        }
        if let Some(customer) = filter.customer_id {
            query = query.filter(Filter::eq("customer_id", customer.0));
        }
        if let Some(status) = filter.status {
            query = query.filter(Filter::eq("status", status.as_str()));
        }
        if let Some(from) = filter.from {
            query = query.filter(Filter::ge("at", crate::clock::ceil_micros(from)));
        }
        if let Some(to) = filter.to {
            query = query.filter(Filter::lt("at", crate::clock::ceil_micros(to)));
        }
        if let Some(flagged) = filter.flagged {
            query = query.filter(Filter::eq("flagged", flagged));
        }
        let rows: Vec<Visit> = self.store().load_all(&query).await?;
        Ok(Page::of(rows, limit, |v| v))
    }

    /// Cancels a planned visit in the actor's update scope.
    pub async fn cancel_visit(
        &self,
        actor: Actor,
        id: VisitId,
        reason: Option<String>,
    ) -> CrmResult<Visit> {
        crate::validate::texts(&reason, "reason")?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let visit = self.visit_for(&ctx, id, Action::Update).await?;
            let next = visit.cancelled(reason.as_deref(), ctx.now)?;
            let mut changes = Changes::new(ctx.tenant.id);
            changes.update(&next)?;
            changes.audit(ctx.audit(
                "visit.cancel",
                Entity::Visit,
                id.0,
                json(&visit),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::VisitCancelled,
                Entity::Visit,
                id.0,
                serde_json::json!({ "owner_id": next.owner_id, "reason": next.cancel_reason }),
            ));
            let stored = Visit {
                version: next.version + 1,
                ..next
            };
            Ok((changes, stored))
        })
    }

    /// The tenant's visit settings (any user of the tenant may read them).
    pub async fn visit_settings(&self, actor: Actor) -> CrmResult<VisitSettings> {
        Ok(self.ctx(actor).await?.tenant.settings.visits)
    }

    /// Replaces the tenant's visit settings (tenant admins and the system actor).
    pub async fn set_visit_settings(
        &self,
        actor: Actor,
        settings: VisitSettings,
    ) -> CrmResult<VisitSettings> {
        settings.validate()?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            ctx.access.require_settings(Action::Update)?;
            let current = ctx.tenant.clone();
            let mut changes = Changes::new(ctx.tenant.id);
            if current.settings.visits == settings {
                return Ok((changes, settings));
            }
            let mut next: Tenant = current.clone();
            next.settings.visits = settings;
            changes.update(&next)?;
            changes.audit(ctx.audit(
                "visit.settings_set",
                Entity::Tenant,
                ctx.tenant.id.0,
                json(&current),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::TenantConfigured,
                Entity::Tenant,
                ctx.tenant.id.0,
                serde_json::json!({ "name": next.name, "visits": settings }),
            ));
            Ok((changes, settings))
        })
    }
}
