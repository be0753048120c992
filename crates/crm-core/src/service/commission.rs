//! Commission plans in the service (ADR 0029): writing a revision and reading them.
//! Plans are settings-like: writing needs the commission `update` grant with scope `all`
//! (or a tenant admin, or the system actor); reading needs commission `read`.

use super::{json, transact, Crm, Ctx};
use crate::access::{Action, Module, Reach};
use crate::actor::Actor;
use crate::commission::{CommissionPlan, CommissionPlanInput};
use crate::error::{CrmError, CrmResult};
use crate::ids::{CommissionPlanId, UserId};
use crate::store::{Changes, Entity, EventKind, Filter, Query, Store, StoreExt};
use crate::target::FiscalCalendar;
use crate::tenant::Tenant;
use serde::{Deserialize, Serialize};

/// The tenant's fiscal calendar (`settings.targets.fiscal_start_month`).
pub(crate) fn fiscal_calendar(tenant: &Tenant) -> CrmResult<FiscalCalendar> {
    tenant.settings.targets.calendar()
}

fn denied(module: Module, action: Action) -> CrmError {
    CrmError::PermissionDenied {
        module: module.as_str().into(),
        action: action.as_str().into(),
        field: None,
    }
}

impl Ctx {
    /// Plans are written by tenant admins, the system actor, or a commission `update`
    /// grant reaching everyone.
    fn require_plan_admin(&self) -> CrmResult<()> {
        if self.access.require_settings(Action::Update).is_ok() {
            return Ok(());
        }
        match self.access.require(Module::Commission, Action::Update)? {
            Reach::All => Ok(()),
            Reach::Owners(_) => Err(denied(Module::Commission, Action::Update)),
        }
    }

    /// Plans are read by tenant admins, the system actor and commission readers.
    fn require_plan_reader(&self) -> CrmResult<()> {
        if self.access.require_settings(Action::Read).is_ok() {
            return Ok(());
        }
        self.access
            .require(Module::Commission, Action::Read)
            .map(|_| ())
    }

    /// Whether `action` on commission reaches `user`; a missing grant or a user out of
    /// reach is `PermissionDenied`.
    pub(super) fn reaches_commission(&self, action: Action, user: UserId) -> CrmResult<()> {
        let ok = match self.access.require(Module::Commission, action)? {
            Reach::All => true,
            Reach::Owners(set) => set.contains(&user),
        };
        if ok {
            Ok(())
        } else {
            Err(denied(Module::Commission, action))
        }
    }
}

/// Lists plans with their revisions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanFilter {
    /// Only this plan.
    #[serde(default)]
    pub name: Option<String>,
}

/// A plan's revisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PlanRevisions {
    /// The plan's name.
    pub name: String,
    /// Its revisions, oldest first.
    pub revisions: Vec<CommissionPlan>,
}

impl<S: Store> Crm<S> {
    /// Every revision of the plan `name`, by revision.
    pub(super) async fn plan_revisions(
        &self,
        ctx: &Ctx,
        name: &str,
    ) -> CrmResult<Vec<CommissionPlan>> {
        let query = Query::new(Entity::CommissionPlan, ctx.tenant.id)
            .filter(Filter::eq("name", name.to_owned()));
        let mut revisions: Vec<CommissionPlan> = self.store().load_all(&query).await?;
        revisions.sort_by_key(|p| p.revision);
        Ok(revisions)
    }

    /// Writes the next revision of a plan (revision 1 for a new name). Revisions are never
    /// changed; one effective month per plan (rule `plan_revision_exists`, and the unique
    /// key behind it).
    pub async fn set_commission_plan(
        &self,
        actor: Actor,
        input: CommissionPlanInput,
    ) -> CrmResult<CommissionPlan> {
        crate::validate::texts(&input, "")?;
        let id = CommissionPlanId(self.new_id(Entity::CommissionPlan).await?);
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            ctx.require_plan_admin()?;
            let currency = input.validate(ctx.access.org())?;
            let revisions = self.plan_revisions(&ctx, &input.name).await?;
            if let Some(same) = revisions
                .iter()
                .find(|p| p.effective_from == input.effective_from)
            {
                return Err(CrmError::rule(
                    "plan_revision_exists",
                    format!(
                        "revision {} of plan {} already takes effect on {}",
                        same.revision, same.name, same.effective_from
                    ),
                ));
            }
            let revision = revisions
                .iter()
                .map(|p| p.revision)
                .max()
                .unwrap_or(0)
                .saturating_add(1);
            let plan = CommissionPlan {
                tenant: ctx.tenant.id,
                id,
                version: 1,
                name: input.name.clone(),
                revision,
                effective_from: input.effective_from,
                metric: input.metric,
                base: input.base,
                bands: input.bands.clone(),
                currency: currency.code().to_owned(),
                applies_to: input.applies_to.clone(),
                status: input.status,
                created_by: ctx.access.user().map(|u| u.id),
                created_at: ctx.now,
            };
            let mut changes = Changes::new(ctx.tenant.id);
            changes.insert(&plan)?;
            changes.audit(ctx.audit(
                "commission.set_plan",
                Entity::CommissionPlan,
                id.0,
                serde_json::Value::Null,
                json(&plan),
            ));
            changes.event(ctx.event(
                EventKind::CommissionPlanChanged,
                Entity::CommissionPlan,
                id.0,
                serde_json::json!({
                    "name": plan.name,
                    "revision": plan.revision,
                    "effective_from": plan.effective_from,
                    "status": plan.status,
                }),
            ));
            Ok((changes, plan))
        })
    }

    /// Plans with all their revisions, by name.
    pub async fn commission_plans(
        &self,
        actor: Actor,
        filter: PlanFilter,
    ) -> CrmResult<Vec<PlanRevisions>> {
        let ctx = self.ctx(actor).await?;
        ctx.require_plan_reader()?;
        let mut query = Query::new(Entity::CommissionPlan, ctx.tenant.id);
        if let Some(name) = filter.name {
            query = query.filter(Filter::eq("name", name));
        }
        let rows: Vec<CommissionPlan> = self.store().load_all(&query).await?;
        let mut by_name: std::collections::BTreeMap<String, Vec<CommissionPlan>> =
            std::collections::BTreeMap::new();
        for plan in rows {
            by_name.entry(plan.name.clone()).or_default().push(plan);
        }
        Ok(by_name
            .into_iter()
            .map(|(name, mut revisions)| {
                revisions.sort_by_key(|p| p.revision);
                PlanRevisions { name, revisions }
            })
            .collect())
    }

    /// One revision of a plan (the latest when `revision` is `None`).
    pub async fn commission_plan(
        &self,
        actor: Actor,
        name: &str,
        revision: Option<i32>,
    ) -> CrmResult<CommissionPlan> {
        let ctx = self.ctx(actor).await?;
        ctx.require_plan_reader()?;
        let revisions = self.plan_revisions(&ctx, name).await?;
        let found = match revision {
            None => revisions.into_iter().last(),
            Some(r) => revisions.into_iter().find(|p| p.revision == r),
        };
        found.ok_or_else(|| {
            CrmError::not_found(
                "commission_plan",
                match revision {
                    None => name.to_owned(),
                    Some(r) => format!("{name} revision {r}"),
                },
            )
        })
    }
}
