//! `team.*`: sharing a customer with other users (团队成员).

use super::{operation, Visitor};
use crate::access::TeamMember;
use crate::ids::{CustomerId, UserId};
use crate::service::TeamMemberInput;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub(super) fn visit<V: Visitor>(v: &mut V) {
    v.visit::<AddTeamMember>();
    v.visit::<RemoveTeamMember>();
    v.visit::<ListTeam>();
}

/// Adds or replaces a team member on a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddTeamMember {
    /// The customer.
    pub customer_id: i64,
    /// The user, their access and when it expires.
    pub member: TeamMemberInput,
}

operation!(
    AddTeamMember,
    "team.add",
    Customers,
    Update,
    TeamMember,
    "Adds or replaces a team member on a customer.",
    |crm, actor, r| crm.add_team_member(actor, CustomerId(r.customer_id), r.member)
);

/// Removes a user from a customer's team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoveTeamMember {
    /// The customer.
    pub customer_id: i64,
    /// The member to remove.
    pub user_id: i64,
}

operation!(
    RemoveTeamMember,
    "team.remove",
    Customers,
    Update,
    (),
    "Removes a user from a customer's team; the response is null.",
    |crm, actor, r| crm.remove_team_member(actor, CustomerId(r.customer_id), UserId(r.user_id))
);

/// Lists the team of one customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListTeam {
    /// The customer.
    pub customer_id: i64,
}

operation!(
    ListTeam,
    "team.list",
    Customers,
    Read,
    Vec<TeamMember>,
    "The team of a customer the actor may read.",
    |crm, actor, r| crm.team(actor, CustomerId(r.customer_id))
);
