//! `assignment.*`: the tenant's lead assignment rules (线索分配), members' settings and the
//! explanation of each assignment.

use super::{facet, operation};
use crate::assignment::{AssignmentRecord, AssignmentRules, Availability, StoredRules};
use crate::ids::{LeadId, UserId};
use crate::service::AssignmentMemberView;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

facet!(
    /// Lead assignment: the rules, the members' availability and why a lead went where it
    /// went.
    assignment -> AssignmentOps {
        set_rules: SetAssignmentRules,
        rules: GetAssignmentRules,
        set_member: SetAssignmentMember,
        members: ListAssignmentMembers,
        explain: ExplainAssignment,
    }
);

/// Replaces the tenant's assignment rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetAssignmentRules {
    /// The rules: ordered entries, the last one `always`.
    pub rules: AssignmentRules,
}

operation!(SetAssignmentRules, "assignment.set_rules", Settings, Update, StoredRules,
    "Replaces the tenant's assignment rules (tenant admins): every member a user of the tenant, names unique, weights 1..=1000, an overflow target on every entry, the last entry `always`. Cursors are kept by entry name.",
    |crm, actor, r| crm.set_assignment_rules(actor, r.rules));

/// Reads the tenant's assignment rules.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetAssignmentRules {}

operation!(
    GetAssignmentRules,
    "assignment.rules",
    Settings,
    Read,
    StoredRules,
    "The tenant's assignment rules with their version (tenant admins); not found before any are saved.",
    |crm, actor, _r| crm.assignment_rules(actor)
);

/// Sets one member's assignment settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetAssignmentMember {
    /// The user.
    pub user_id: UserId,
    /// Opt-out, leaves, daily and monthly caps, open-lead capacity (`active` is the org's
    /// and ignored here).
    pub settings: Availability,
}

operation!(SetAssignmentMember, "assignment.set_member", Settings, Update, AssignmentMemberView,
    "Sets a member's opt-out, leaves (first and last day inclusive, none overlapping), daily and monthly caps (the tenant's local day and month) and open-lead capacity (tenant admins).",
    |crm, actor, r| crm.set_assignment_member(actor, r.user_id, r.settings));

/// Lists the members' settings and counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListAssignmentMembers {}

operation!(
    ListAssignmentMembers,
    "assignment.members",
    Settings,
    Read,
    Vec<AssignmentMemberView>,
    "Every user of the tenant with their assignment settings and counts (tenant admins).",
    |crm, actor, _r| crm.assignment_members(actor)
);

/// Explains a lead's assignments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExplainAssignment {
    /// The lead.
    pub lead_id: LeadId,
}

operation!(ExplainAssignment, "assignment.explain", Leads, Read, Vec<AssignmentRecord>,
    "The assignment records of a lead the actor may read, oldest first: for a rule decision the entry matched, the strategy and every candidate passed over with the reason; for a manual one the caps an override passed.",
    |crm, actor, r| crm.explain_assignment(actor, r.lead_id));
