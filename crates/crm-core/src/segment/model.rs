//! The segment records: the definition ([`Segment`]), one row per membership stint
//! ([`SegmentMember`]: joined, and left once it ends; kept after it ends, as Mautic keeps
//! them) and the manual overrides ([`SegmentOverride`], one per segment and customer).

use super::expr::SegmentExpr;
use super::membership::JoinReason;
use crate::ids::{CustomerId, SegmentId, SegmentMemberId, SegmentOverrideId, TenantId, UserId};
use crate::store::{Entity, Record, SqlValue};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Whether a segment is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SegmentStatus {
    /// Evaluated by `segment.evaluate` and scheduled work; may be named by others.
    Active,
    /// No longer evaluated nor changed; its membership stays as last materialized.
    Retired,
}

impl SegmentStatus {
    /// The stable name (`active`, `retired`).
    pub fn as_str(self) -> &'static str {
        match self {
            SegmentStatus::Active => "active",
            SegmentStatus::Retired => "retired",
        }
    }
}

/// A manual override's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OverrideMode {
    /// A member whatever the expression says (unless excluded).
    Include,
    /// Never a member while the exclusion stands.
    Exclude,
}

impl OverrideMode {
    /// The stable name (`include`, `exclude`).
    pub fn as_str(self) -> &'static str {
        match self {
            OverrideMode::Include => "include",
            OverrideMode::Exclude => "exclude",
        }
    }
}

/// A segment definition (`segment.create`, `segment.update`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentInput {
    /// Name, trimmed, 1..=200 characters, unique in the tenant.
    pub name: String,
    /// Optional description, at most 500 characters.
    #[serde(default)]
    pub description: Option<String>,
    /// Who belongs.
    pub expr: SegmentExpr,
}

/// A segment (客户分群).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Segment {
    /// Tenant.
    pub tenant: TenantId,
    /// Id.
    pub id: SegmentId,
    /// Optimistic version.
    pub version: i64,
    /// Name (unique in the tenant).
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Who belongs.
    pub expr: SegmentExpr,
    /// Active or retired.
    pub status: SegmentStatus,
    /// Who created it (`None`: the system actor).
    pub created_by: Option<UserId>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When its definition last changed.
    pub updated_at: DateTime<Utc>,
    /// The instant its membership was last evaluated as of (`None`: never).
    #[serde(default)]
    pub evaluated_at: Option<DateTime<Utc>>,
}

impl Record for Segment {
    const ENTITY: Entity = Entity::Segment;
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
        vec![self.name.clone().into(), self.status.as_str().into()]
    }
}

/// One stint of a customer in a segment: open while `left_at` is unset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SegmentMember {
    /// Tenant.
    pub tenant: TenantId,
    /// Id.
    pub id: SegmentMemberId,
    /// Optimistic version.
    pub version: i64,
    /// The segment.
    pub segment_id: SegmentId,
    /// The customer.
    pub customer_id: CustomerId,
    /// When the stint began (the evaluation's instant, or the override's).
    pub joined_at: DateTime<Utc>,
    /// Why it began.
    pub joined_by: JoinReason,
    /// When it ended (`None`: a current member).
    #[serde(default)]
    pub left_at: Option<DateTime<Utc>>,
    /// Why it ended.
    #[serde(default)]
    pub left_by: Option<JoinReason>,
}

impl SegmentMember {
    /// Whether the stint is current.
    pub fn is_open(&self) -> bool {
        self.left_at.is_none()
    }
}

impl Record for SegmentMember {
    const ENTITY: Entity = Entity::SegmentMember;
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
            self.segment_id.into(),
            self.customer_id.into(),
            self.joined_at.into(),
            self.left_at.into(),
            // Set while open only: the partial unique key holds one open stint per customer.
            self.is_open().then_some(self.customer_id.0).into(),
        ]
    }
}

/// A manual include or exclude of one customer in one segment; lifting it deletes the row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SegmentOverride {
    /// Tenant.
    pub tenant: TenantId,
    /// Id.
    pub id: SegmentOverrideId,
    /// Optimistic version.
    pub version: i64,
    /// The segment.
    pub segment_id: SegmentId,
    /// The customer.
    pub customer_id: CustomerId,
    /// Include or exclude.
    pub mode: OverrideMode,
    /// Who set it (`None`: the system actor).
    pub by: Option<UserId>,
    /// When.
    pub at: DateTime<Utc>,
}

impl Record for SegmentOverride {
    const ENTITY: Entity = Entity::SegmentOverride;
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
            self.segment_id.into(),
            self.customer_id.into(),
            self.mode.as_str().into(),
        ]
    }
}

impl std::fmt::Display for SegmentStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for OverrideMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for JoinReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde_name<T: Serialize>(v: &T) -> String {
        serde_json::to_value(v)
            .ok()
            .and_then(|j| j.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    #[test]
    fn stable_names_are_the_serde_names() {
        for s in [SegmentStatus::Active, SegmentStatus::Retired] {
            assert_eq!(serde_name(&s), s.as_str());
            assert_eq!(s.to_string(), s.as_str());
        }
        for m in [OverrideMode::Include, OverrideMode::Exclude] {
            assert_eq!(serde_name(&m), m.as_str());
            assert_eq!(m.to_string(), m.as_str());
        }
        for r in [
            JoinReason::Rule,
            JoinReason::Include,
            JoinReason::Exclude,
            JoinReason::Cleared,
        ] {
            assert_eq!(serde_name(&r), r.as_str());
            assert_eq!(r.to_string(), r.as_str());
        }
    }

    #[test]
    fn only_an_open_stint_claims_the_open_key() {
        let at = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        let mut stint = SegmentMember {
            tenant: TenantId(1),
            id: SegmentMemberId(5),
            version: 1,
            segment_id: SegmentId(2),
            customer_id: CustomerId(9),
            joined_at: at,
            joined_by: JoinReason::Rule,
            left_at: None,
            left_by: None,
        };
        assert_eq!(stint.columns().last(), Some(&SqlValue::Int(9)));
        stint.left_at = Some(at);
        assert_eq!(stint.columns().last(), Some(&SqlValue::Null));
    }
}
