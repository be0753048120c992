//! The assignment record: one per owner change of a lead, by rule or by hand, holding the
//! explanation (the entry matched, the strategy, every candidate passed over and why) or,
//! for a manual assignment, the caps it passed under an explicit override.

use super::decide::Decision;
use super::eligibility::SkipReason;
use crate::ids::{LeadId, PoolId, TenantId, UserId};
use crate::store::{Entity, Record, SqlValue};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How the lead was assigned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "by")]
#[non_exhaustive]
pub enum AssignedBy {
    /// By the tenant's rules, with the decision's explanation.
    Rule {
        /// The decision.
        decision: Decision,
    },
    /// By hand.
    Manual {
        /// Caps and capacity the new owner had reached and that the override passed (empty
        /// without an override: a manual assignment at a cap is refused).
        passed: Vec<SkipReason>,
        /// Why, as given.
        reason: Option<String>,
    },
}

/// One assignment of a lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AssignmentRecord {
    /// Tenant.
    pub tenant: TenantId,
    /// Id (assigned by the store).
    pub id: i64,
    /// Optimistic version.
    #[serde(default)]
    pub version: i64,
    /// The lead.
    pub lead_id: LeadId,
    /// When.
    pub at: DateTime<Utc>,
    /// Who assigned (none: the system actor).
    pub actor_id: Option<UserId>,
    /// The owner before.
    pub from_owner: Option<UserId>,
    /// The new owner (none when it went to a pool).
    pub to_owner: Option<UserId>,
    /// The pool it went to (an overflow pool).
    pub to_pool: Option<PoolId>,
    /// How.
    pub assigned_by: AssignedBy,
}

impl Record for AssignmentRecord {
    const ENTITY: Entity = Entity::LeadAssignment;
    fn tenant(&self) -> TenantId {
        self.tenant
    }
    fn raw_id(&self) -> i64 {
        self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn set_version(&mut self, version: i64) {
        self.version = version;
    }
    fn columns(&self) -> Vec<SqlValue> {
        vec![self.lead_id.0.into(), self.at.into()]
    }
}
