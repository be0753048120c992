//! `events.*` and `audit.*`: the event outbox and the audit log, read back.

use super::{operation, Visitor};
use crate::ids::UserId;
use crate::store::{AuditEntry, Event};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub(super) fn visit<V: Visitor>(v: &mut V) {
    v.visit::<EventsAfter>();
    v.visit::<RecordAudit>();
    v.visit::<AuditByUser>();
}

/// Page size when a request gives no `limit`.
const DEFAULT_LIMIT: u32 = 100;

fn default_limit() -> u32 {
    DEFAULT_LIMIT
}

/// Events of the actor's tenant after a cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventsAfter {
    /// The last `seq` already seen (default 0: from the start).
    #[serde(default)]
    pub cursor: i64,
    /// Page size, 1..=1000 (default 100).
    #[serde(default = "default_limit")]
    pub limit: u32,
}

operation!(EventsAfter, "events.after", Settings, Read, Vec<Event>,
    "Events of the actor's tenant after a cursor (seq), oldest first (tenant admin or system actor); same as crm_events_after.",
    |crm, actor, r| crm.events_after(actor, r.cursor, r.limit));

/// The audit trail of one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordAudit {
    /// The record's entity (`customer`, `contact`, `follow_up`, `user`, `department`, `role`,
    /// `team_member`, `tenant`, …).
    pub entity: String,
    /// The record.
    pub record_id: i64,
}

operation!(RecordAudit, "audit.record", Settings, Read, Vec<AuditEntry>,
    "The audit trail of any record (tenant admin or system actor), with the reader's field rules applied (ADR 0011).",
    |crm, actor, r| crm.record_audit(actor, &r.entity, r.record_id));

/// What one user changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditByUser {
    /// The user.
    pub user_id: i64,
    /// Resume after this audit id (default 0: from the start).
    #[serde(default)]
    pub after: i64,
    /// Page size, 1..=1000 (default 100).
    #[serde(default = "default_limit")]
    pub limit: u32,
}

operation!(
    AuditByUser,
    "audit.by_user",
    Settings,
    Read,
    Vec<AuditEntry>,
    "What one user changed, oldest first, after an audit id.",
    |crm, actor, r| crm.audit_by_user(actor, UserId(r.user_id), r.after, r.limit)
);
