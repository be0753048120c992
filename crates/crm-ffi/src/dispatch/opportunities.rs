//! `opportunity.*`: sales opportunities (商机) on a tenant pipeline: create, move through the
//! stages (won / lost / reopen), probability by hand or by stage, reading and listing.

use super::{ById, Op, Request};
use crate::error::FfiResult;
use crm_core::money::strict::StrictDecimal;
use crm_core::sales::StageMove;
use crm_core::service::{NewOpportunity, OpportunityFilter};
use serde::Deserialize;

const NEW: &str = r#"{"customer_id": "int", "name": "string", "amount": "decimal string, exact in the currency", "currency": "ISO code, e.g. CNY", "pipeline?": "string, default \"default\"", "stage": "string, an open stage key of the pipeline", "probability?": "decimal string 0..=100; absent follows the stage", "expected_close": "YYYY-MM-DD", "owner_id?": "int, default the acting user", "products?": [{"product": "string", "quantity": "decimal string", "unit_price": "decimal string", "discount?": "decimal string", "tax_rate?": "decimal string"}]}"#;

pub(super) const OPS: &[Op] = &[
    Op {
        name: "opportunity.create",
        calls: "create_opportunity",
        summary: "Creates an opportunity on a customer in an open stage of a pipeline; counts as the customer's open opportunity.",
        request: NEW,
        handler: create,
        access: None,
        schemas: None,
    },
    Op {
        name: "opportunity.move",
        calls: "move_opportunity",
        summary: "Moves an opportunity to another open stage, won, lost (reason required; notes when the reason is \"other\"), or reopens it into an open stage; history is kept.",
        request: r#"{"id": "int", "move": {"move": "to | win | lose | reopen", "stage?": "string (to, reopen)", "reason?": "string (lose)", "notes?": "string (lose)"}}"#,
        handler: move_stage,
        access: None,
        schemas: None,
    },
    Op {
        name: "opportunity.set_probability",
        calls: "set_opportunity_probability",
        summary: "Sets an opportunity's probability by hand, or (null / absent) returns it to the stage default.",
        request: r#"{"id": "int", "probability?": "decimal string 0..=100, or null for the stage default"}"#,
        handler: set_probability,
        access: None,
        schemas: None,
    },
    Op {
        name: "opportunity.get",
        calls: "get_opportunity",
        summary: "One opportunity with its stage history; fields the actor's field rules withhold (e.g. amount) are absent and listed in hidden_fields.",
        request: r#"{"id": "int"}"#,
        handler: get,
        access: None,
        schemas: None,
    },
    Op {
        name: "opportunity.list",
        calls: "list_opportunities",
        summary: "A page of the opportunities the actor may read, field rules applied as for opportunity.get: {items, next_after}.",
        request: r#"{"customer_id?": "int", "owner_id?": "int", "status?": "open | won | lost", "after?": "int", "limit?": "int 1..=500, default 50"}"#,
        handler: list,
        access: None,
        schemas: None,
    },
];

fn create(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let input: NewOpportunity = r.parse()?;
    r.run(move |crm| async move { crm.create_opportunity(actor, input).await })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Move {
    id: i64,
    #[serde(rename = "move")]
    stage_move: StageMove,
}

fn move_stage(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: Move = r.parse()?;
    r.run(move |crm| async move { crm.move_opportunity(actor, req.id, req.stage_move).await })
}

/// The probability is read strictly as a decimal string (no JSON numbers).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Probability {
    id: i64,
    #[serde(default)]
    probability: Option<StrictDecimal>,
}

fn set_probability(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: Probability = r.parse()?;
    let probability = req.probability.map(|p| p.0);
    r.run(move |crm| async move {
        crm.set_opportunity_probability(actor, req.id, probability)
            .await
    })
}

fn get(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: ById = r.parse()?;
    r.run(move |crm| async move { crm.get_opportunity(actor, req.id).await })
}

fn list(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let filter: OpportunityFilter = r.parse()?;
    r.run(move |crm| async move { crm.list_opportunities(actor, filter).await })
}
