//! `target.*`: sales targets (销售目标) — declare (申报), submit, approve or return, read,
//! list, the revision history, department coverage and the tenant's target settings.

use super::{facet, operation};
use crate::ids::TargetId;
pub use crate::service::TargetFilter;
use crate::service::{Page, TargetCoverage, TargetReview};
pub use crate::target::{DeclareTarget, TargetSettings};
use crate::target::{Metric, Target, TargetSubject};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

facet!(
    /// Sales targets (销售目标): declare a user's, department's or the tenant's target for a
    /// metric and fiscal year, have it approved by a superior (never by oneself), and check a
    /// department's target against its members'.
    targets -> TargetOps {
        declare: DeclareTarget,
        submit: SubmitTarget,
        approve: ApproveTarget,
        return_target: ReturnTarget,
        get: GetTarget,
        list: TargetFilter,
        history: TargetHistory,
        coverage: TargetCoverageRequest,
        settings: GetTargetSettings,
        set_settings: SetTargetSettings,
    }
);

operation!(DeclareTarget, "target.declare", Targets, Create, Target,
    "Declares a target of a subject (user, department or tenant) for a metric and fiscal year: currency for amount metrics only, and either annual (spread over the fiscal months by largest remainder, earliest first) or exactly twelve months. Creates revision 1 in draft, updates the draft or returned revision, or after an approved revision starts the next one superseding it; refused while one is submitted (target_pending). A user's target needs Targets create reaching the user; a department's or the tenant's, reach all or a tenant admin.",
    |crm, actor, r| crm.declare_target(actor, r));

/// Submits a target revision for approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitTarget {
    /// The revision (draft or returned).
    pub id: TargetId,
}

operation!(SubmitTarget, "target.submit", Targets, Update, TargetReview,
    "Submits a draft or returned target revision for approval (its declarer, or Targets update reaching the subject). A department's or the tenant's target answers the fiscal months its members' targets fall short in (gaps, a warning).",
    |crm, actor, r| crm.submit_target(actor, r.id));

/// Approves a submitted target revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveTarget {
    /// The revision (submitted).
    pub id: TargetId,
    /// An optional comment.
    #[serde(default)]
    pub comment: Option<String>,
}

operation!(ApproveTarget, "target.approve", Targets, Approve, TargetReview,
    "Approves a submitted target revision: by a supervisor up the subject user's chain or Targets approve reaching the subject (department and tenant targets: reach all or a tenant admin), never by the subject or the declarer (self_approval). The revision it supersedes becomes superseded at once. Approved revisions never change (target_immutable). A department's or tenant's coverage gaps are answered, and refused when the tenant requires coverage (coverage_gap).",
    |crm, actor, r| crm.approve_target(actor, r.id, r.comment));

/// Returns a submitted target revision to its declarer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnTarget {
    /// The revision (submitted).
    pub id: TargetId,
    /// Why (required).
    pub comment: String,
}

operation!(ReturnTarget, "target.return", Targets, Approve, Target,
    "Returns a submitted target revision with a comment (required, field comment); the same people as approve may, never the subject or the declarer (self_approval). The declarer may then declare it again.",
    |crm, actor, r| crm.return_target(actor, r.id, &r.comment));

/// Reads one target revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetTarget {
    /// The revision.
    pub id: TargetId,
}

operation!(GetTarget, "target.get", Targets, Read, Target,
    "One target revision in the actor's read scope: a user's when Targets read reaches the user; a department's or the tenant's with reach all or a reach holding every active user below it (others are not found).",
    |crm, actor, r| crm.get_target(actor, r.id));

operation!(TargetFilter, "target.list", Targets, Read, Page<Target>,
    "Target revisions in the actor's read scope by ascending id, by subject, metric, fiscal year and status, a page at a time.",
    |crm, actor, r| crm.list_targets(actor, r));

/// Every revision of a subject's target for a metric and fiscal year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetHistory {
    /// Whose target.
    pub subject: TargetSubject,
    /// The metric.
    pub metric: Metric,
    /// The fiscal year.
    pub fiscal_year: i32,
}

operation!(TargetHistory, "target.history", Targets, Read, Vec<Target>,
    "Every revision of a subject's target for a metric and fiscal year, oldest first (empty outside the actor's read scope).",
    |crm, actor, r| crm.target_history(actor, r.subject, r.metric, r.fiscal_year));

/// Checks a department's or the tenant's target revision against its members'.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetCoverageRequest {
    /// The department's or tenant's target revision.
    pub id: TargetId,
}

operation!(TargetCoverageRequest, "target.coverage", Targets, Read, TargetCoverage,
    "Per fiscal month, a department's (or the tenant's) target revision against the sum of the current targets (approved, else latest pending) of its direct active members and direct sub-departments (a sub-department without a target adds its own coverage) in the same metric, year and currency; the tenant's against root departments and users without a department. Shortfalls are listed as gaps.",
    |crm, actor, r| crm.target_coverage(actor, r.id));

/// Reads the tenant's target settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetTargetSettings {}

operation!(GetTargetSettings, "target.settings", Settings, Read, TargetSettings,
    "The tenant's target settings: fiscal start month and whether department coverage is required (any user of the tenant).",
    |crm, actor, _r| crm.target_settings(actor));

/// Replaces the tenant's target settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetTargetSettings {
    /// The new settings.
    pub settings: TargetSettings,
}

operation!(SetTargetSettings, "target.set_settings", Settings, Update, TargetSettings,
    "Replaces the tenant's target settings (tenant admins and the system actor); the fiscal start month (1-12, field targets.fiscal_start_month) cannot change once a target is approved (fiscal_calendar_in_use).",
    |crm, actor, r| crm.set_target_settings(actor, r.settings));
