//! `contract.*`: contracts (合同): drafts, pricing, submission for approval, approve / reject
//! level by level, amendments, completion and termination, reading and listing.

use super::{ById, Op, Request};
use crate::error::FfiResult;
use crm_core::contract::ContractStatus;
use crm_core::sales::{Decision, PricingInput};
use crm_core::service::{ContractFilter, NewContract};
use serde::Deserialize;

/// The JSON description of a `pricing` member (a literal, for `concat!`).
macro_rules! pricing {
    () => {
        r#"{"currency": "ISO code, e.g. CNY", "lines": [{"product": "string", "quantity": "decimal string", "unit_price": "decimal string", "discount?": "decimal string, per line", "tax_rate?": "decimal string, percent"}], "order_discount?": "decimal string, allocated before tax"}"#
    };
}

pub(super) const OPS: &[Op] = &[
    Op {
        name: "contract.create",
        calls: "create_contract",
        summary: "Creates a draft contract on a customer (optionally closing an opportunity); totals are computed from the lines with the tenant's rounding.",
        request: concat!(
            r#"{"number": "string, unique per tenant", "customer_id": "int", "opportunity_id?": "int", "owner_id?": "int, default the acting user", "signed_on?": "YYYY-MM-DD", "start_on": "YYYY-MM-DD", "end_on": "YYYY-MM-DD, not before start_on", "pricing": "#,
            pricing!(),
            "}"
        ),
        handler: create,
    },
    Op {
        name: "contract.update_pricing",
        calls: "update_contract_pricing",
        summary: "Replaces the lines of a draft or rejected contract.",
        request: concat!(r#"{"id": "int", "pricing": "#, pricing!(), "}"),
        handler: update_pricing,
    },
    Op {
        name: "contract.submit",
        calls: "submit_contract",
        summary: "Submits a draft or rejected contract for approval under the tenant's approval policy (active at once when no level applies).",
        request: r#"{"id": "int"}"#,
        handler: submit,
    },
    Op {
        name: "contract.decide",
        calls: "decide_contract",
        summary: "An approver approves or rejects the current level of a contract or its pending amendment (a rejection needs a comment); user actors only. The last approval activates it: the opportunity is won and the customer dealt.",
        request: r#"{"id": "int", "decision": "approve | reject", "comment?": "string, required to reject"}"#,
        handler: decide,
    },
    Op {
        name: "contract.amend",
        calls: "amend_contract",
        summary: "Amends an active contract's pricing; the amendment re-enters approval (from level 1 when the amendment guard demands it) and unpaid installments re-flow on approval.",
        request: concat!(r#"{"id": "int", "pricing": "#, pricing!(), "}"),
        handler: amend,
    },
    Op {
        name: "contract.close",
        calls: "close_contract",
        summary: "Completes or terminates an active contract.",
        request: r#"{"id": "int", "status": "completed | terminated"}"#,
        handler: close,
    },
    Op {
        name: "contract.get",
        calls: "get_contract",
        summary: "One contract with its pricing, approval run, installments and ledger; fields the actor's contract and receivable field rules withhold are absent and listed in hidden_fields.",
        request: r#"{"id": "int"}"#,
        handler: get,
    },
    Op {
        name: "contract.list",
        calls: "list_contracts",
        summary: "A page of the contracts the actor may read, field rules applied as for contract.get: {items, next_after}.",
        request: r#"{"customer_id?": "int", "status?": "draft | pending_approval | active | rejected | completed | terminated | expired", "after?": "int", "limit?": "int 1..=500, default 50"}"#,
        handler: list,
    },
];

fn create(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let input: NewContract = r.parse()?;
    r.run(move |crm| async move { crm.create_contract(actor, input).await })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Pricing {
    id: i64,
    pricing: PricingInput,
}

fn update_pricing(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: Pricing = r.parse()?;
    r.run(move |crm| async move {
        crm.update_contract_pricing(actor, req.id, req.pricing)
            .await
    })
}

fn submit(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: ById = r.parse()?;
    r.run(move |crm| async move { crm.submit_contract(actor, req.id).await })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Decide {
    id: i64,
    decision: Decision,
    #[serde(default)]
    comment: Option<String>,
}

fn decide(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: Decide = r.parse()?;
    r.run(move |crm| async move {
        crm.decide_contract(actor, req.id, req.decision, req.comment)
            .await
    })
}

fn amend(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: Pricing = r.parse()?;
    r.run(move |crm| async move { crm.amend_contract(actor, req.id, req.pricing).await })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Close {
    id: i64,
    status: ContractStatus,
}

fn close(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: Close = r.parse()?;
    r.run(move |crm| async move { crm.close_contract(actor, req.id, req.status).await })
}

fn get(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: ById = r.parse()?;
    r.run(move |crm| async move { crm.get_contract(actor, req.id).await })
}

fn list(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let filter: ContractFilter = r.parse()?;
    r.run(move |crm| async move { crm.list_contracts(actor, filter).await })
}
