//! Tag definitions and customers' tags as stored.

use crate::audience::Condition;
use crate::ids::{CustomerId, CustomerTagId, TagId, TenantId, UserId};
use crate::store::{Entity, Record, SqlValue};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Manual or rule-driven.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TagKind {
    /// Put on and taken off by users.
    Manual,
    /// Evaluated from its rule (users may still apply or remove it).
    Rule,
}

impl TagKind {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            TagKind::Manual => "manual",
            TagKind::Rule => "rule",
        }
    }
}

/// Active or retired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TagStatus {
    /// In use.
    Active,
    /// Retired: removed from every customer, never evaluated or applied again; its name
    /// stays taken.
    Retired,
}

impl TagStatus {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            TagStatus::Active => "active",
            TagStatus::Retired => "retired",
        }
    }
}

/// A tag definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Tag {
    /// Tenant.
    pub tenant: TenantId,
    /// Id.
    pub id: TagId,
    /// Optimistic version.
    #[serde(default)]
    pub version: i64,
    /// Name, unique in the tenant.
    pub name: String,
    /// Kind.
    pub kind: TagKind,
    /// The rule (rule tags only).
    #[serde(default)]
    pub rule: Option<Condition>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Color (`#rrggbb`).
    #[serde(default)]
    pub color: Option<String>,
    /// Status.
    pub status: TagStatus,
    /// Created by.
    pub created_by: Option<UserId>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

impl Record for Tag {
    const ENTITY: Entity = Entity::Tag;
    fn tenant(&self) -> TenantId {
        self.tenant
    }
    fn raw_id(&self) -> i64 {
        self.id.0
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn set_version(&mut self, version: i64) {
        self.version = version;
    }
    fn columns(&self) -> Vec<SqlValue> {
        vec![
            self.name.clone().into(),
            self.kind.as_str().into(),
            self.status.as_str().into(),
        ]
    }
}

/// Who put a tag on a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TagSource {
    /// A user.
    Manual,
    /// The tag's rule.
    Rule,
}

/// One tag on (or once on) one customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CustomerTag {
    /// Tenant.
    pub tenant: TenantId,
    /// Id.
    pub id: CustomerTagId,
    /// Optimistic version.
    #[serde(default)]
    pub version: i64,
    /// The customer.
    pub customer_id: CustomerId,
    /// The tag.
    pub tag_id: TagId,
    /// Whether the customer carries the tag now.
    pub active: bool,
    /// Who put it on last.
    pub source: TagSource,
    /// When it last went on or off.
    pub since: DateTime<Utc>,
    /// A user removed this rule tag: it stays off until the rule stops matching (which
    /// clears this) and then matches again.
    #[serde(default)]
    pub suppressed: bool,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

impl Record for CustomerTag {
    const ENTITY: Entity = Entity::CustomerTag;
    fn tenant(&self) -> TenantId {
        self.tenant
    }
    fn raw_id(&self) -> i64 {
        self.id.0
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn set_version(&mut self, version: i64) {
        self.version = version;
    }
    fn columns(&self) -> Vec<SqlValue> {
        vec![
            self.customer_id.0.into(),
            self.tag_id.0.into(),
            self.active.into(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tag::TagReason;

    fn serde_name<T: Serialize>(v: T) -> String {
        serde_json::to_value(v)
            .ok()
            .and_then(|j| j.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    #[test]
    fn stable_names_are_the_serde_names() {
        for k in [TagKind::Manual, TagKind::Rule] {
            assert_eq!(serde_name(k), k.as_str());
        }
        for s in [TagStatus::Active, TagStatus::Retired] {
            assert_eq!(serde_name(s), s.as_str());
        }
        for r in [
            TagReason::Manual,
            TagReason::RuleMatches,
            TagReason::RuleNoLongerMatches,
            TagReason::TagRetired,
        ] {
            assert_eq!(serde_name(r), r.as_str());
            assert_eq!(r.to_string(), r.as_str());
        }
    }
}
