//! `opportunity.*`: sales opportunities (商机) on a tenant pipeline: create, move through the
//! stages (won / lost / reopen), probability by hand or by stage, reading and listing.

use super::{facet, operation};
use crate::credit::CreditSplit;
use crate::ids::OpportunityId;
use crate::sales::StageMove;
use crate::service::Page;
pub use crate::service::{NewOpportunity, OpportunityFilter};
use crate::view::VisibleJson;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

facet!(
    /// Opportunities (商机) along the pipeline.
    opportunities -> OpportunityOps {
        create: NewOpportunity,
        move_stage: MoveOpportunity,
        set_probability: SetOpportunityProbability,
        set_credit_split: SetOpportunityCreditSplit,
        get: GetOpportunity,
        list: OpportunityFilter,
    }
);

operation!(NewOpportunity, "opportunity.create", Opportunities, Create, VisibleJson,
    "Creates an opportunity on a customer in an open stage of a pipeline; counts as the customer's open opportunity.",
    |crm, actor, r| crm.create_opportunity(actor, r));

/// Moves an opportunity to another stage, won, lost, or reopens it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveOpportunity {
    /// The opportunity.
    pub id: OpportunityId,
    /// The move (`to`, `win`, `lose` or `reopen`).
    #[serde(rename = "move")]
    pub stage_move: StageMove,
}

operation!(MoveOpportunity, "opportunity.move", Opportunities, Update, VisibleJson,
    "Moves an opportunity to another open stage, won, lost (reason required; notes when the reason is \"other\"), or reopens it into an open stage; history is kept.",
    |crm, actor, r| crm.move_opportunity(actor, r.id, r.stage_move));

/// Sets an opportunity's probability by hand, or returns it to the stage default.
#[derive(Debug, Clone, Default, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetOpportunityProbability {
    /// The opportunity.
    pub id: OpportunityId,
    /// Decimal string 0..=100 (read strictly); null or absent follows the stage.
    #[serde(default, deserialize_with = "crate::money::strict::option")]
    pub probability: Option<Decimal>,
}

operation!(SetOpportunityProbability, "opportunity.set_probability", Opportunities, Update, VisibleJson,
    "Sets an opportunity's probability by hand, or (null / absent) returns it to the stage default.",
    |crm, actor, r| crm.set_opportunity_probability(actor, r.id, r.probability));

/// Reads one opportunity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetOpportunity {
    /// The opportunity.
    pub id: OpportunityId,
}

operation!(GetOpportunity, "opportunity.get", Opportunities, Read, VisibleJson,
    "One opportunity with its stage history; fields the actor's field rules withhold (e.g. amount) are absent and listed in hidden_fields.",
    |crm, actor, r| crm.get_opportunity(actor, r.id));

operation!(OpportunityFilter, "opportunity.list", Opportunities, Read, Page<VisibleJson>,
    "A page of the opportunities the actor may read, field rules applied as for opportunity.get: {items, next_after}.",
    |crm, actor, r| crm.list_opportunities(actor, r));

/// Sets who shares an opportunity's win (业绩分成) while it is open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetOpportunityCreditSplit {
    /// The opportunity (open).
    pub id: OpportunityId,
    /// Distinct active users whose shares sum to exactly 100 %; empty: back to the owner
    /// alone.
    pub split: CreditSplit,
}

operation!(SetOpportunityCreditSplit, "opportunity.set_credit_split", Opportunities, Update, VisibleJson,
    "Sets who shares the credit of an open opportunity's win (and of its contract when that has no split of its own), in percent summing to exactly 100 (rule share_sum; each user active, named once). Refused once it is won or lost (credit_already_earned).",
    |crm, actor, r| crm.set_opportunity_credit_split(actor, r.id, r.split));
