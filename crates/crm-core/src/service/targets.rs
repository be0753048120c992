//! Sales targets (DESIGN §4.10, issue 16): declaring (申报) a subject's target for a metric and
//! fiscal year, and reading targets in the actor's scope.
//!
//! Who may do what (kept deliberately simple, ADR 0028):
//! - declare a user's target: Targets Create whose reach holds that user (a rep declares
//!   their own: every reach holds the actor); a department's or the tenant's: Targets Create
//!   with reach `all`, or a tenant admin;
//! - read a user's target: Targets Read whose reach holds the subject user; a department's:
//!   reach `all`, or a reach holding every active user of its subtree; the tenant's: reach
//!   `all` or every active user. Tenant admins and the system actor read every target.
//!   Out of scope is not found (get) or absent (list).
//! - the approval rules live in [`target_approval`](super::target_approval).

use super::{json, page_limit, transact, Crm, Ctx, Page};
use crate::access::{Action, Module, Reach};
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::ids::{TargetId, TenantId, UserId};
use crate::store::{Changes, Entity, EventKind, Filter, Order, Query, Store, StoreExt};
use crate::target::{
    declared_months, DeclareTarget, Metric, Target, TargetStatus, TargetStep, TargetSubject,
};
use serde::{Deserialize, Serialize};

/// Rows read per batch while a list filters by scope.
const LIST_BATCH: u32 = 500;

/// Which targets to list (`target.list`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetFilter {
    /// Only this subject's.
    #[serde(default)]
    pub subject: Option<TargetSubject>,
    /// Only this metric.
    #[serde(default)]
    pub metric: Option<Metric>,
    /// Only this fiscal year.
    #[serde(default)]
    pub fiscal_year: Option<i32>,
    /// Only in this status.
    #[serde(default)]
    pub status: Option<TargetStatus>,
    /// Keyset cursor (the previous page's `next_after`).
    #[serde(default)]
    pub after: Option<i64>,
    /// Page size, 1..=500 (default 50).
    #[serde(default)]
    pub limit: Option<u32>,
}

pub(super) fn denied(action: Action) -> CrmError {
    CrmError::PermissionDenied {
        module: Module::Targets.as_str().into(),
        action: action.as_str().into(),
        field: None,
    }
}

impl Ctx {
    /// The acting user's id (`None` for the system actor).
    pub(super) fn acting_user(&self) -> Option<UserId> {
        self.access.user().map(|u| u.id)
    }

    /// The system actor or a tenant admin.
    pub(super) fn targets_admin(&self) -> bool {
        self.access.user().is_none_or(|u| u.tenant_admin)
    }

    /// Whether `action` on targets reaches every record (reach `all`).
    fn targets_reach_all(&self, action: Action) -> bool {
        self.access.is_system()
            || matches!(self.access.reach(Module::Targets, action), Some(Reach::All))
    }

    /// Whether `action` on targets reaches `user`'s records.
    pub(super) fn targets_reach_user(&self, action: Action, user: UserId) -> bool {
        match self.access.reach(Module::Targets, action) {
            Some(Reach::All) => true,
            Some(Reach::Owners(owners)) => owners.contains(&user),
            None => false,
        }
    }

    /// Whether the actor may declare (Create) or change (Update) a target of `subject`.
    pub(super) fn may_write_target(&self, action: Action, subject: TargetSubject) -> bool {
        match subject {
            TargetSubject::User { id } => self.targets_reach_user(action, id),
            TargetSubject::Department { .. } | TargetSubject::Tenant => {
                self.targets_admin() || self.targets_reach_all(action)
            }
        }
    }

    /// Whether the actor may read targets of `subject`.
    pub(super) fn may_read_target(&self, subject: TargetSubject) -> bool {
        if self.targets_admin() {
            return true;
        }
        let Some(reach) = self.access.reach(Module::Targets, Action::Read) else {
            return false;
        };
        let owners = match reach {
            Reach::All => return true,
            Reach::Owners(owners) => owners,
        };
        let org = self.access.org();
        match subject {
            TargetSubject::User { id } => owners.contains(&id),
            TargetSubject::Department { id } => {
                // An empty subtree is never "covered": only scope all reads its targets.
                let tree = org.department_subtree(id);
                let mut active = org
                    .users
                    .values()
                    .filter(|u| u.active && u.department_id.is_some_and(|d| tree.contains(&d)))
                    .peekable();
                active.peek().is_some() && active.all(|u| owners.contains(&u.id))
            }
            TargetSubject::Tenant => org
                .users
                .values()
                .filter(|u| u.active)
                .all(|u| owners.contains(&u.id)),
        }
    }

    /// Refuses a subject the tenant does not have (field `subject.id`).
    fn check_subject(&self, subject: TargetSubject) -> CrmResult<()> {
        let org = self.access.org();
        match subject {
            TargetSubject::User { id } => {
                if !org.users.get(&id).is_some_and(|u| u.active) {
                    return Err(CrmError::validation(
                        "subject.id",
                        format!("no active user {id}"),
                    ));
                }
            }
            TargetSubject::Department { id } => {
                if !org.departments.contains_key(&id) {
                    return Err(CrmError::validation(
                        "subject.id",
                        format!("no department {id}"),
                    ));
                }
            }
            TargetSubject::Tenant => {}
        }
        Ok(())
    }
}

/// The event payload of a target step.
pub(super) fn target_payload(target: &Target) -> serde_json::Value {
    serde_json::json!({
        "subject": target.subject,
        "metric": target.metric,
        "fiscal_year": target.fiscal_year,
        "revision": target.revision,
        "annual": json(&target.annual()),
    })
}

/// The query of every revision of `subject`'s `metric` target for `fiscal_year`.
fn revisions_query(tenant: TenantId, subject: TargetSubject, metric: Metric, year: i32) -> Query {
    Query::new(Entity::Target, tenant)
        .filter(Filter::eq("subject_kind", subject.kind()))
        .filter(Filter::eq("subject_id", subject.raw_id()))
        .filter(Filter::eq("metric", metric.as_str()))
        .filter(Filter::eq("fiscal_year", i64::from(year)))
}

impl<S: Store> Crm<S> {
    /// Every revision of a subject's target for a metric and year, oldest first.
    pub(super) async fn target_revisions(
        &self,
        tenant: TenantId,
        subject: TargetSubject,
        metric: Metric,
        year: i32,
    ) -> CrmResult<Vec<Target>> {
        let mut rows: Vec<Target> = self
            .store()
            .load_all(&revisions_query(tenant, subject, metric, year))
            .await?;
        rows.sort_by_key(|t| t.revision);
        Ok(rows)
    }

    /// A target the actor may read, or (`or_approver`) approve; otherwise not found.
    pub(super) async fn target_for(
        &self,
        ctx: &Ctx,
        id: TargetId,
        or_approver: bool,
    ) -> CrmResult<Target> {
        self.store()
            .load::<Target>(ctx.tenant.id, id)
            .await?
            .filter(|t| {
                ctx.may_read_target(t.subject) || (or_approver && ctx.may_approve_target(t.subject))
            })
            .ok_or_else(|| CrmError::not_found("target", id))
    }

    /// Declares a target: the first revision in Draft; the Draft or Returned revision
    /// updated (by its declarer or someone who could declare it); after an approved
    /// revision, the next revision in Draft superseding it. Refused while a revision is
    /// submitted (rule `target_pending`).
    pub async fn declare_target(&self, actor: Actor, request: DeclareTarget) -> CrmResult<Target> {
        crate::validate::texts(&request, "")?;
        let id = TargetId(self.new_id(Entity::Target).await?);
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let calendar = ctx.tenant.settings.targets.calendar()?;
            let (currency, months) = declared_months(&request, &calendar)?;
            let subject = request.subject;
            ctx.check_subject(subject)?;
            let may_declare = ctx.may_write_target(Action::Create, subject);
            let revisions = self
                .target_revisions(ctx.tenant.id, subject, request.metric, request.fiscal_year)
                .await?;
            let by = ctx.acting_user();
            let step = TargetStep {
                status: TargetStatus::Draft,
                by,
                at: ctx.now,
                comment: None,
            };
            let currency = currency.map(|c| c.code().to_owned());
            let mut changes = Changes::new(ctx.tenant.id);
            let (before, stored) = match revisions.last() {
                Some(latest)
                    if matches!(latest.status, TargetStatus::Draft | TargetStatus::Returned) =>
                {
                    let declarer = by.is_some() && latest.declared_by == by;
                    if !may_declare && !declarer {
                        return Err(denied(Action::Create));
                    }
                    let mut next = latest.clone();
                    next.currency = currency;
                    next.months = months;
                    next.status = TargetStatus::Draft;
                    next.steps.push(step);
                    changes.update(&next)?;
                    let stored = Target {
                        version: next.version + 1,
                        ..next
                    };
                    (json(latest), stored)
                }
                Some(latest) if latest.status == TargetStatus::Submitted => {
                    return Err(CrmError::rule(
                        "target_pending",
                        format!(
                            "revision {} of this target is submitted and awaits a decision",
                            latest.revision
                        ),
                    ));
                }
                latest => {
                    if !may_declare {
                        return Err(denied(Action::Create));
                    }
                    let supersedes = revisions
                        .iter()
                        .rev()
                        .find(|t| t.status == TargetStatus::Approved)
                        .map(|t| t.id);
                    let target = Target {
                        tenant: ctx.tenant.id,
                        id,
                        version: 1,
                        subject,
                        metric: request.metric,
                        fiscal_year: request.fiscal_year,
                        currency,
                        months,
                        revision: latest.map_or(1, |t| t.revision.saturating_add(1)),
                        supersedes,
                        status: TargetStatus::Draft,
                        declared_by: by,
                        steps: vec![step],
                    };
                    changes.insert(&target)?;
                    (serde_json::Value::Null, target)
                }
            };
            changes.audit(ctx.audit(
                "target.declare",
                Entity::Target,
                stored.id.0,
                before,
                json(&stored),
            ));
            changes.event(ctx.event(
                EventKind::TargetDeclared,
                Entity::Target,
                stored.id.0,
                target_payload(&stored),
            ));
            Ok((changes, stored))
        })
    }

    /// One target in the actor's read scope (others are not found).
    pub async fn get_target(&self, actor: Actor, id: TargetId) -> CrmResult<Target> {
        let ctx = self.ctx(actor).await?;
        self.target_for(&ctx, id, false).await
    }

    /// A page of the targets in the actor's read scope, by ascending id, filtered.
    pub async fn list_targets(
        &self,
        actor: Actor,
        filter: TargetFilter,
    ) -> CrmResult<Page<Target>> {
        let ctx = self.ctx(actor).await?;
        if !ctx.targets_admin() {
            ctx.access.require(Module::Targets, Action::Read)?;
        }
        let limit = page_limit(filter.limit)?;
        let mut query = Query::new(Entity::Target, ctx.tenant.id).order(Order::IdAsc);
        if let Some(subject) = filter.subject {
            query = query
                .filter(Filter::eq("subject_kind", subject.kind()))
                .filter(Filter::eq("subject_id", subject.raw_id()));
        }
        if let Some(metric) = filter.metric {
            query = query.filter(Filter::eq("metric", metric.as_str()));
        }
        if let Some(year) = filter.fiscal_year {
            query = query.filter(Filter::eq("fiscal_year", i64::from(year)));
        }
        if let Some(status) = filter.status {
            query = query.filter(Filter::eq("status", status.as_str()));
        }
        // Subjects are few; decide each once.
        let mut readable: std::collections::BTreeMap<TargetSubject, bool> = Default::default();
        let mut items = Vec::new();
        let mut after = filter.after;
        'scan: loop {
            let batch: Vec<Target> = self
                .store()
                .load_all(&query.clone().after(after).limit(LIST_BATCH))
                .await?;
            let full = batch.len() == LIST_BATCH as usize;
            for target in batch {
                after = Some(target.id.0);
                let ok = *readable
                    .entry(target.subject)
                    .or_insert_with(|| ctx.may_read_target(target.subject));
                if ok {
                    items.push(target);
                    if items.len() == limit as usize {
                        break 'scan;
                    }
                }
            }
            if !full {
                break;
            }
        }
        let next_after = if items.len() == limit as usize {
            items.last().map(|t| t.id.0)
        } else {
            None
        };
        Ok(Page { items, next_after })
    }

    /// Every revision of a subject's target for a metric and year, oldest first; empty when
    /// there is none or the subject is outside the actor's read scope.
    pub async fn target_history(
        &self,
        actor: Actor,
        subject: TargetSubject,
        metric: Metric,
        fiscal_year: i32,
    ) -> CrmResult<Vec<Target>> {
        let ctx = self.ctx(actor).await?;
        if !ctx.targets_admin() {
            ctx.access.require(Module::Targets, Action::Read)?;
        }
        if !ctx.may_read_target(subject) {
            return Ok(Vec::new());
        }
        self.target_revisions(ctx.tenant.id, subject, metric, fiscal_year)
            .await
    }
}
