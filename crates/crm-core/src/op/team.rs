//! `team.*`: sharing a customer with other users (团队成员).

use super::{facet, operation};
use crate::access::TeamMember;
use crate::ids::{CustomerId, UserId};
use crate::service::TeamMemberInput;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

facet!(
    /// Customer teams: sharing a customer with colleagues.
    team -> TeamOps {
        add: AddTeamMember,
        remove: RemoveTeamMember,
        list: ListTeam,
    }
);

/// Adds or replaces a team member on a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddTeamMember {
    /// The customer.
    pub customer_id: CustomerId,
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
    |crm, actor, r| crm.add_team_member(actor, r.customer_id, r.member)
);

/// Removes a user from a customer's team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoveTeamMember {
    /// The customer.
    pub customer_id: CustomerId,
    /// The member to remove.
    pub user_id: UserId,
}

operation!(
    RemoveTeamMember,
    "team.remove",
    Customers,
    Update,
    (),
    "Removes a user from a customer's team; the response is null.",
    |crm, actor, r| crm.remove_team_member(actor, r.customer_id, r.user_id)
);

/// Lists the team of one customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListTeam {
    /// The customer.
    pub customer_id: CustomerId,
}

operation!(
    ListTeam,
    "team.list",
    Customers,
    Read,
    Vec<TeamMember>,
    "The team of a customer the actor may read.",
    |crm, actor, r| crm.list_team(actor, r.customer_id)
);
