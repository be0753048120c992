//! Append-only audit entries: who changed what, field by field.

use crate::ids::{TenantId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One field's change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FieldChange {
    /// Field name (dotted for nested fields).
    pub field: String,
    /// Value before (`null` on insert).
    pub before: serde_json::Value,
    /// Value after (`null` on delete).
    pub after: serde_json::Value,
}

/// One mutation of one record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AuditEntry {
    /// Position in the store's audit log (0 until stored).
    pub id: i64,
    /// Tenant.
    pub tenant: TenantId,
    /// When.
    pub at: DateTime<Utc>,
    /// Acting user; `None` for the system actor.
    pub actor: Option<UserId>,
    /// Operation name, e.g. `customer.create`.
    pub operation: String,
    /// Record kind (`customer`).
    pub entity: String,
    /// Record id.
    pub record_id: i64,
    /// Field-level before → after.
    pub changes: Vec<FieldChange>,
}

impl AuditEntry {
    /// Field-level diff of two JSON objects (top-level keys), skipping `version`.
    pub fn diff(before: &serde_json::Value, after: &serde_json::Value) -> Vec<FieldChange> {
        let empty = serde_json::Map::new();
        let b = before.as_object().unwrap_or(&empty);
        let a = after.as_object().unwrap_or(&empty);
        let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .filter(|k| k.as_str() != "version")
            .filter_map(|k| {
                let bv = b.get(k).cloned().unwrap_or(serde_json::Value::Null);
                let av = a.get(k).cloned().unwrap_or(serde_json::Value::Null);
                (bv != av).then(|| FieldChange {
                    field: k.clone(),
                    before: bv,
                    after: av,
                })
            })
            .collect()
    }
}
