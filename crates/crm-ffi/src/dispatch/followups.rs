//! `followup.*`: follow-up records and the agenda.

use super::{Op, Request};
use crate::error::FfiResult;
use crm_core::followup::NewFollowUp;
use crm_core::ids::{CustomerId, UserId};
use serde::Deserialize;

pub(super) const OPS: &[Op] = &[
    Op {
        name: "followup.record",
        calls: "record_followup",
        summary: "Records a follow-up and moves the customer's follow-up clocks.",
        request: r#"{"customer_id": "int", "kind": "call | visit | message | email | meeting", "content": "string", "at?": "RFC 3339 UTC, default now", "location?": {"latitude": "number", "longitude": "number", "address?": "string"}, "next_followup_at?": "RFC 3339 UTC"}"#,
        handler: record,
        access: None,
        schemas: None,
    },
    Op {
        name: "followup.list",
        calls: "list_followups",
        summary: "Follow-ups of a customer, newest first: {items, next_after}.",
        request: r#"{"customer_id": "int", "after?": "int", "limit?": "int 1..=500, default 50"}"#,
        handler: list,
        access: None,
        schemas: None,
    },
    Op {
        name: "followup.agenda",
        calls: "agenda",
        summary: "A user's overdue and due-today follow-ups (default: the acting user).",
        request: r#"{"user_id?": "int"}"#,
        handler: agenda,
        access: None,
        schemas: None,
    },
];

fn record(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let input: NewFollowUp = r.parse()?;
    r.run(move |crm| async move { crm.record_followup(actor, input).await })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct List {
    customer_id: i64,
    #[serde(default)]
    after: Option<i64>,
    #[serde(default)]
    limit: Option<u32>,
}

fn list(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: List = r.parse()?;
    r.run(move |crm| async move {
        crm.list_followups(actor, CustomerId(req.customer_id), req.after, req.limit)
            .await
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Agenda {
    #[serde(default)]
    user_id: Option<i64>,
}

fn agenda(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: Agenda = r.parse()?;
    r.run(move |crm| async move { crm.agenda(actor, req.user_id.map(UserId)).await })
}
