//! `events.*` and `audit.*`: the event outbox and the audit log, read back.

use super::{Op, Request};
use crate::error::FfiResult;
use crm_core::ids::UserId;
use serde::Deserialize;

/// Page size when a request gives no `limit`.
const DEFAULT_LIMIT: u32 = 100;

pub(super) const OPS: &[Op] = &[
    Op {
        name: "events.after",
        calls: "events_after",
        summary: "Events of the actor's tenant after a cursor (seq), oldest first (tenant admin or system actor); same as crm_events_after.",
        request: r#"{"cursor?": "int, default 0", "limit?": "int 1..=1000, default 100"}"#,
        handler: events_after,
        access: None,
        schemas: None,
    },
    Op {
        name: "audit.record",
        calls: "record_audit",
        summary: "The audit trail of any record (tenant admin or system actor), with the reader's field rules applied (ADR 0011).",
        request: r#"{"entity": "customer | contact | follow_up | user | department | role | team_member | tenant | …", "record_id": "int"}"#,
        handler: record,
        access: None,
        schemas: None,
    },
    Op {
        name: "audit.by_user",
        calls: "audit_by_user",
        summary: "What one user changed, oldest first, after an audit id.",
        request: r#"{"user_id": "int", "after?": "int, default 0", "limit?": "int 1..=1000, default 100"}"#,
        handler: by_user,
        access: None,
        schemas: None,
    },
];

fn default_limit() -> u32 {
    DEFAULT_LIMIT
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventsAfter {
    #[serde(default)]
    cursor: i64,
    #[serde(default = "default_limit")]
    limit: u32,
}

fn events_after(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: EventsAfter = r.parse()?;
    r.run(move |crm| async move { crm.events_after(actor, req.cursor, req.limit).await })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordAudit {
    entity: String,
    record_id: i64,
}

fn record(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: RecordAudit = r.parse()?;
    r.run(move |crm| async move { crm.record_audit(actor, &req.entity, req.record_id).await })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ByUser {
    user_id: i64,
    #[serde(default)]
    after: i64,
    #[serde(default = "default_limit")]
    limit: u32,
}

fn by_user(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: ByUser = r.parse()?;
    r.run(move |crm| async move {
        crm.audit_by_user(actor, UserId(req.user_id), req.after, req.limit)
            .await
    })
}
