//! `segment.*`: customer segments (客户分群) — define, retire, evaluate the materialized
//! membership, include and exclude by hand, read members, counts and join/leave history in
//! the actor's scope, and preview an unsaved expression.

use super::{facet, operation};
use crate::ids::{CustomerId, SegmentId};
use crate::segment::{OverrideMode, Segment, SegmentExpr, SegmentInput, SegmentMember};
pub use crate::service::SegmentFilter;
use crate::service::{OverrideOutcome, Page, SegmentEvaluation, SegmentPreview};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

facet!(
    /// Customer segments (客户分群): a boolean expression over customer state, tags and other
    /// segments, evaluated into a membership with join/leave history; manual includes and
    /// excludes survive evaluation and exclusion wins.
    segments -> SegmentOps {
        create: CreateSegment,
        update: UpdateSegment,
        retire: RetireSegment,
        get: GetSegment,
        list: SegmentFilter,
        evaluate: EvaluateSegments,
        include: IncludeInSegment,
        exclude: ExcludeFromSegment,
        clear_override: ClearSegmentOverride,
        members: SegmentMembers,
        count: CountSegment,
        history: SegmentHistory,
        preview: PreviewSegment,
    }
);

/// Creates a segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSegment {
    /// The definition.
    pub segment: SegmentInput,
}

operation!(CreateSegment, "segment.create", Marketing, Create, Segment,
    "Creates an active segment: name trimmed and unique (name_taken), expression within 8 levels and 64 nodes (expr_too_deep, expr_too_large), its conditions valid, naming only existing active segments (unknown_segment, segment_retired).",
    |crm, actor, r| crm.create_segment(actor, r.segment));

/// Replaces a segment's definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSegment {
    /// The segment (active).
    pub id: SegmentId,
    /// The new definition.
    pub segment: SegmentInput,
}

operation!(UpdateSegment, "segment.update", Marketing, Update, Segment,
    "Replaces an active segment's name, description and expression with the rules of create; refused when the expression would reach the segment itself, directly or through others (segment_cycle, naming the path). Membership follows at the next evaluation.",
    |crm, actor, r| crm.update_segment(actor, r.id, r.segment));

/// Retires a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetireSegment {
    /// The segment (active).
    pub id: SegmentId,
}

operation!(RetireSegment, "segment.retire", Marketing, Update, Segment,
    "Retires an active segment: no longer evaluated nor overridden, its membership kept as last materialized; refused while an active segment names it (segment_in_use).",
    |crm, actor, r| crm.retire_segment(actor, r.id));

/// Reads one segment definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetSegment {
    /// The segment.
    pub id: SegmentId,
}

operation!(
    GetSegment,
    "segment.get",
    Marketing,
    Read,
    Segment,
    "One segment definition (Marketing read).",
    |crm, actor, r| crm.get_segment(actor, r.id)
);

operation!(
    SegmentFilter,
    "segment.list",
    Marketing,
    Read,
    Page<Segment>,
    "Segment definitions by ascending id, optionally by status, a page at a time.",
    |crm, actor, r| crm.list_segments(actor, r)
);

/// Evaluates segments' membership.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluateSegments {
    /// Only this segment (active); otherwise every active segment, each after those it names.
    #[serde(default)]
    pub segment: Option<SegmentId>,
    /// The instant to evaluate as of (default now; never later than now, never before the
    /// segment's last evaluation).
    #[serde(default)]
    pub as_of: Option<DateTime<Utc>>,
}

operation!(EvaluateSegments, "segment.evaluate", Marketing, Update, SegmentEvaluation,
    "Materializes membership as of an instant (default now; as_of_in_future, as_of_before_last_evaluation): every customer of the tenant in keyset batches of 500; a customer joins when the expression matches or it is included, leaves when it stops matching or is excluded (exclusion wins); only changes are written, as stints with joined_at and left_at, audited, with SegmentJoined and SegmentLeft events.",
    |crm, actor, r| crm.evaluate_segments(actor, r.segment, r.as_of));

/// Includes customers in a segment by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IncludeInSegment {
    /// The segment (active).
    pub segment: SegmentId,
    /// The customers (1..=500, in the actor's Marketing update scope).
    pub customers: Vec<CustomerId>,
}

operation!(IncludeInSegment, "segment.include", Marketing, Update, OverrideOutcome,
    "Includes customers by hand (replacing an exclude): they join at once and stay members whatever the expression says until the include is cleared.",
    |crm, actor, r| crm.override_segment(actor, r.segment, &r.customers, OverrideMode::Include));

/// Excludes customers from a segment by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExcludeFromSegment {
    /// The segment (active).
    pub segment: SegmentId,
    /// The customers (1..=500, in the actor's Marketing update scope).
    pub customers: Vec<CustomerId>,
}

operation!(ExcludeFromSegment, "segment.exclude", Marketing, Update, OverrideOutcome,
    "Excludes customers by hand (replacing an include): they leave at once and stay out after every evaluation until the exclusion is cleared; exclusion wins.",
    |crm, actor, r| crm.override_segment(actor, r.segment, &r.customers, OverrideMode::Exclude));

/// Lifts manual includes and excludes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClearSegmentOverride {
    /// The segment (active).
    pub segment: SegmentId,
    /// The customers (1..=500, in the actor's Marketing update scope).
    pub customers: Vec<CustomerId>,
}

operation!(ClearSegmentOverride, "segment.clear_override", Marketing, Update, OverrideOutcome,
    "Lifts the include or exclude of customers; the expression decides their membership at once (reason cleared).",
    |crm, actor, r| crm.clear_segment_override(actor, r.segment, &r.customers));

/// Current members of a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentMembers {
    /// The segment.
    pub id: SegmentId,
    /// Keyset cursor (the previous page's `next_after`).
    #[serde(default)]
    pub after: Option<i64>,
    /// Page size, 1..=500 (default 50).
    #[serde(default)]
    pub limit: Option<u32>,
}

operation!(SegmentMembers, "segment.members", Marketing, Read, Page<SegmentMember>,
    "The open stints of a segment's current members in the actor's scope (others absent), by ascending id, a page at a time.",
    |crm, actor, r| crm.segment_members(actor, r.id, r.after, r.limit));

/// Counts a segment's current members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CountSegment {
    /// The segment.
    pub id: SegmentId,
}

operation!(
    CountSegment,
    "segment.count",
    Marketing,
    Read,
    u64,
    "The number of a segment's current members in the actor's scope (others not counted).",
    |crm, actor, r| crm.segment_count(actor, r.id)
);

/// Join/leave history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentHistory {
    /// A segment's stints.
    #[serde(default)]
    pub segment: Option<SegmentId>,
    /// A customer's stints.
    #[serde(default)]
    pub customer: Option<CustomerId>,
    /// Keyset cursor (the previous page's `next_after`).
    #[serde(default)]
    pub after: Option<i64>,
    /// Page size, 1..=500 (default 50).
    #[serde(default)]
    pub limit: Option<u32>,
}

operation!(SegmentHistory, "segment.history", Marketing, Read, Page<SegmentMember>,
    "Join/leave stints (joined_at, left_at, reasons) of a segment, a customer or both (history_subject), in the actor's scope, by ascending id.",
    |crm, actor, r| crm.segment_history(actor, r.segment, r.customer, r.after, r.limit));

/// Previews an unsaved expression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewSegment {
    /// The expression.
    pub expr: SegmentExpr,
    /// The instant to evaluate as of (default now).
    #[serde(default)]
    pub as_of: Option<DateTime<Utc>>,
    /// Page size of the listed customers, 1..=500 (default 50).
    #[serde(default)]
    pub limit: Option<u32>,
}

operation!(PreviewSegment, "segment.preview", Marketing, Read, SegmentPreview,
    "Counts the customers in the actor's scope an unsaved expression matches as of an instant and lists the first page of them, writing nothing.",
    |crm, actor, r| crm.preview_segment(actor, r.expr, r.as_of, r.limit));
