//! Submitting, approving and returning target revisions (DESIGN §4.10 "Declaration").
//!
//! The approver of a user's target is any supervisor up the subject user's chain, or a user
//! holding Targets Approve whose reach holds the subject user; of a department's or the
//! tenant's target, Targets Approve with reach `all` or a tenant admin. Never the subject
//! user nor the declarer (rule `self_approval`), whatever their grants. Approved and
//! superseded revisions never change (rule `target_immutable`). Approving a revision that
//! supersedes another makes that one Superseded in the same unit of work. Department and
//! tenant targets are checked for coverage on submit and approve (see
//! [`target_coverage`](super::target_coverage)).

use super::targets::{denied, target_payload};
use super::{json, transact, Crm, Ctx};
use crate::access::Action;
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::ids::TargetId;
use crate::service::CoverageGap;
use crate::store::{Changes, Entity, EventKind, Store, StoreExt};
use crate::target::{Target, TargetStatus, TargetStep, TargetSubject};
use serde::{Deserialize, Serialize};

/// A target revision after a submit or approve, with the coverage shortfalls found (always
/// empty for a user's target).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TargetReview {
    /// The revision as stored.
    pub target: Target,
    /// Fiscal months where the members' and sub-departments' targets fall short (warnings;
    /// refused on approve when the tenant requires coverage).
    pub gaps: Vec<CoverageGap>,
}

impl Ctx {
    /// Whether the actor may approve or return a target of `subject` (self-approval is
    /// checked apart).
    pub(super) fn may_approve_target(&self, subject: TargetSubject) -> bool {
        match subject {
            TargetSubject::User { id } => {
                let Some(me) = self.acting_user() else {
                    return true;
                };
                let org = self.access.org();
                let levels = u32::try_from(org.users.len()).unwrap_or(u32::MAX);
                let supervises = (1..=levels)
                    .map_while(|level| org.supervisor(id, level))
                    .any(|s| s == me);
                supervises || self.targets_reach_user(Action::Approve, id)
            }
            TargetSubject::Department { .. } | TargetSubject::Tenant => {
                self.targets_admin()
                    || matches!(
                        self.access
                            .reach(crate::access::Module::Targets, Action::Approve),
                        Some(crate::access::Reach::All)
                    )
            }
        }
    }

    /// Refuses a decision by the subject user or the declarer (rule `self_approval`), then
    /// one the actor may not take.
    fn check_reviewer(&self, target: &Target) -> CrmResult<()> {
        if let Some(me) = self.acting_user() {
            if target.subject.user() == Some(me) || target.declared_by == Some(me) {
                return Err(CrmError::rule(
                    "self_approval",
                    "a target is never approved or returned by its subject or its declarer",
                ));
            }
        }
        if !self.may_approve_target(target.subject) {
            return Err(denied(Action::Approve));
        }
        Ok(())
    }
}

fn immutable(target: &Target) -> CrmResult<()> {
    if target.status.is_final() {
        return Err(CrmError::rule(
            "target_immutable",
            format!(
                "revision {} is {}: declare a change as a new revision",
                target.revision, target.status
            ),
        ));
    }
    Ok(())
}

fn must_be_submitted(target: &Target) -> CrmResult<()> {
    immutable(target)?;
    if target.status != TargetStatus::Submitted {
        return Err(CrmError::rule(
            "target_not_submitted",
            format!(
                "revision {} is {}, not submitted",
                target.revision, target.status
            ),
        ));
    }
    Ok(())
}

impl<S: Store> Crm<S> {
    /// Submits a Draft or Returned revision for approval (its declarer, or Targets Update
    /// reaching the subject). A department's or the tenant's target answers its coverage
    /// shortfalls as warnings.
    pub async fn submit_target(&self, actor: Actor, id: TargetId) -> CrmResult<TargetReview> {
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let target = self.target_for(&ctx, id, false).await?;
            immutable(&target)?;
            if target.status == TargetStatus::Submitted {
                return Err(CrmError::rule(
                    "target_pending",
                    format!("revision {} is already submitted", target.revision),
                ));
            }
            let by = ctx.acting_user();
            let declarer = by.is_some() && target.declared_by == by;
            if !declarer && !ctx.may_write_target(Action::Update, target.subject) {
                return Err(denied(Action::Update));
            }
            let gaps = self.review_gaps(&ctx, &target).await?;
            let mut next = target.clone();
            next.status = TargetStatus::Submitted;
            next.steps.push(TargetStep {
                status: TargetStatus::Submitted,
                by,
                at: ctx.now,
                comment: None,
            });
            let mut changes = Changes::new(ctx.tenant.id);
            changes.update(&next)?;
            changes.audit(ctx.audit(
                "target.submit",
                Entity::Target,
                id.0,
                json(&target),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::TargetSubmitted,
                Entity::Target,
                id.0,
                target_payload(&next),
            ));
            let stored = Target {
                version: next.version + 1,
                ..next
            };
            Ok((
                changes,
                TargetReview {
                    target: stored,
                    gaps,
                },
            ))
        })
    }

    /// Approves a submitted revision (never by its subject or declarer); the revision it
    /// supersedes becomes Superseded in the same unit of work. A department's or the
    /// tenant's target with a coverage shortfall is refused when the tenant requires
    /// coverage (rule `coverage_gap`), otherwise answered with the shortfall.
    pub async fn approve_target(
        &self,
        actor: Actor,
        id: TargetId,
        comment: Option<String>,
    ) -> CrmResult<TargetReview> {
        crate::validate::texts(&comment, "comment")?;
        let comment = crate::validate::optional_text(
            comment.as_deref(),
            "comment",
            crate::validate::MAX_TEXT,
        )?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let target = self.target_for(&ctx, id, true).await?;
            must_be_submitted(&target)?;
            ctx.check_reviewer(&target)?;
            let gaps = self.review_gaps(&ctx, &target).await?;
            if !gaps.is_empty() && ctx.tenant.settings.targets.require_coverage {
                let months: Vec<String> = gaps.iter().map(|g| g.month.to_string()).collect();
                return Err(CrmError::rule(
                    "coverage_gap",
                    format!(
                        "the members' targets fall short in fiscal month(s) {}",
                        months.join(", ")
                    ),
                ));
            }
            let by = ctx.acting_user();
            let mut changes = Changes::new(ctx.tenant.id);
            if let Some(old_id) = target.supersedes {
                let old = self.store().load::<Target>(ctx.tenant.id, old_id).await?;
                if let Some(old) = old.filter(|o| o.status == TargetStatus::Approved) {
                    let mut superseded = old.clone();
                    superseded.status = TargetStatus::Superseded;
                    superseded.steps.push(TargetStep {
                        status: TargetStatus::Superseded,
                        by,
                        at: ctx.now,
                        comment: Some(format!("superseded by revision {}", target.revision)),
                    });
                    changes.update(&superseded)?;
                    changes.audit(ctx.audit(
                        "target.supersede",
                        Entity::Target,
                        old_id.0,
                        json(&old),
                        json(&superseded),
                    ));
                }
            }
            let mut next = target.clone();
            next.status = TargetStatus::Approved;
            next.steps.push(TargetStep {
                status: TargetStatus::Approved,
                by,
                at: ctx.now,
                comment: comment.clone(),
            });
            changes.update(&next)?;
            changes.audit(ctx.audit(
                "target.approve",
                Entity::Target,
                id.0,
                json(&target),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::TargetApproved,
                Entity::Target,
                id.0,
                target_payload(&next),
            ));
            let stored = Target {
                version: next.version + 1,
                ..next
            };
            Ok((
                changes,
                TargetReview {
                    target: stored,
                    gaps,
                },
            ))
        })
    }

    /// Returns a submitted revision to its declarer with a comment (required, field
    /// `comment`); the same people as approve may, never the subject or declarer.
    pub async fn return_target(
        &self,
        actor: Actor,
        id: TargetId,
        comment: &str,
    ) -> CrmResult<Target> {
        crate::validate::texts(comment, "comment")?;
        let comment =
            crate::validate::required_text(comment, "comment", crate::validate::MAX_TEXT)?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let target = self.target_for(&ctx, id, true).await?;
            must_be_submitted(&target)?;
            ctx.check_reviewer(&target)?;
            let mut next = target.clone();
            next.status = TargetStatus::Returned;
            next.steps.push(TargetStep {
                status: TargetStatus::Returned,
                by: ctx.acting_user(),
                at: ctx.now,
                comment: Some(comment.clone()),
            });
            let mut changes = Changes::new(ctx.tenant.id);
            changes.update(&next)?;
            changes.audit(ctx.audit(
                "target.return",
                Entity::Target,
                id.0,
                json(&target),
                json(&next),
            ));
            let mut payload = target_payload(&next);
            if let Some(map) = payload.as_object_mut() {
                map.insert("comment".into(), comment.clone().into());
            }
            changes.event(ctx.event(EventKind::TargetReturned, Entity::Target, id.0, payload));
            let stored = Target {
                version: next.version + 1,
                ..next
            };
            Ok((changes, stored))
        })
    }
}
