//! `audit.*`: the audit log, read back.

use super::{facet, operation};
use crate::ids::UserId;
use crate::store::AuditEntry;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

facet!(
    /// The audit log: who changed what, per record and per user.
    audit -> AuditOps {
        record: RecordAudit,
        by_user: AuditByUser,
    }
);

/// Page size when a request gives no `limit`.
const DEFAULT_LIMIT: u32 = 100;

fn default_limit() -> u32 {
    DEFAULT_LIMIT
}

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
#[derive(Debug, Clone, Default, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditByUser {
    /// The user.
    pub user_id: UserId,
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
    |crm, actor, r| crm.audit_by_user(actor, r.user_id, r.after, r.limit)
);
