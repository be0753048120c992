//! The target record (销售目标): one revision of one subject's target for a metric and fiscal
//! year, twelve monthly amounts in fiscal order, and its declaration and approval steps.
//! An approved revision is never changed: a change is the next revision, which supersedes it
//! once approved; every revision is kept.

use super::Metric;
use crate::ids::{DepartmentId, TargetId, TenantId, UserId};
use crate::store::{Entity, Record, SqlValue};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Whose target it is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum TargetSubject {
    /// One user's.
    User {
        /// The user.
        id: UserId,
    },
    /// A department's (its members and sub-departments together).
    Department {
        /// The department.
        id: DepartmentId,
    },
    /// The whole tenant's.
    Tenant,
}

impl TargetSubject {
    /// The stable name of the kind (`user`, `department`, `tenant`).
    pub fn kind(self) -> &'static str {
        match self {
            TargetSubject::User { .. } => "user",
            TargetSubject::Department { .. } => "department",
            TargetSubject::Tenant => "tenant",
        }
    }

    /// The subject's id as stored (0 for the tenant).
    pub fn raw_id(self) -> i64 {
        match self {
            TargetSubject::User { id } => id.0,
            TargetSubject::Department { id } => id.0,
            TargetSubject::Tenant => 0,
        }
    }

    /// The user, for a user's target.
    pub fn user(self) -> Option<UserId> {
        match self {
            TargetSubject::User { id } => Some(id),
            _ => None,
        }
    }
}

impl std::fmt::Display for TargetSubject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TargetSubject::Tenant => f.write_str("tenant"),
            other => write!(f, "{} {}", other.kind(), other.raw_id()),
        }
    }
}

/// Where a target revision is in its declaration (申报) and approval.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TargetStatus {
    /// Declared, still editable by the declarer.
    Draft,
    /// Submitted for approval.
    Submitted,
    /// Returned by the approver with a comment; editable again.
    Returned,
    /// Approved: immutable, and the revision achievement is measured against.
    Approved,
    /// An approved revision a later approved revision replaced; kept, immutable.
    Superseded,
}

impl TargetStatus {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetStatus::Draft => "draft",
            TargetStatus::Submitted => "submitted",
            TargetStatus::Returned => "returned",
            TargetStatus::Approved => "approved",
            TargetStatus::Superseded => "superseded",
        }
    }

    /// Whether the revision can no longer change.
    pub fn is_final(self) -> bool {
        matches!(self, TargetStatus::Approved | TargetStatus::Superseded)
    }
}

impl std::fmt::Display for TargetStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One step in a target's life (declared, submitted, approved, returned), kept in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TargetStep {
    /// The status the step led to.
    pub status: TargetStatus,
    /// Who took it (`None`: the system actor).
    pub by: Option<UserId>,
    /// When.
    pub at: DateTime<Utc>,
    /// The comment given (required when returning).
    pub comment: Option<String>,
}

/// One revision of a target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Target {
    /// Tenant.
    pub tenant: TenantId,
    /// Id.
    pub id: TargetId,
    /// Optimistic version.
    #[serde(default)]
    pub version: i64,
    /// Whose target.
    pub subject: TargetSubject,
    /// What it measures.
    pub metric: Metric,
    /// The fiscal year (named by the calendar year it starts in).
    pub fiscal_year: i32,
    /// The currency (ISO 4217) of an amount metric; `None` for counts.
    pub currency: Option<String>,
    /// Twelve monthly amounts in fiscal order (month 1 is the fiscal start month), at the
    /// currency's scale (counts: whole or fractional numbers ≥ 0).
    pub months: Vec<Decimal>,
    /// The revision number, from 1; each approved change is the next revision.
    pub revision: i32,
    /// The approved revision this one replaces once approved.
    pub supersedes: Option<TargetId>,
    /// Where it is.
    pub status: TargetStatus,
    /// Who declared it.
    pub declared_by: Option<UserId>,
    /// Its steps, oldest first.
    pub steps: Vec<TargetStep>,
}

impl Target {
    /// The annual amount: the sum of the months.
    pub fn annual(&self) -> Decimal {
        self.months.iter().copied().sum()
    }
}

impl Record for Target {
    const ENTITY: Entity = Entity::Target;
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
            self.subject.kind().into(),
            self.subject.raw_id().into(),
            self.subject.user().map(|u| u.0).into(),
            self.metric.as_str().into(),
            i64::from(self.fiscal_year).into(),
            i64::from(self.revision).into(),
            self.status.as_str().into(),
        ]
    }
}
