//! Owner history: every change of a customer's owner or pool, append-only.

use crate::ids::{CustomerId, PoolId, TenantId, UserId};
use crate::store::{Entity, Record, SqlValue};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How a customer changed hands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OwnerChange {
    /// Created with an owner.
    Created,
    /// Claimed from a pool by the new owner (领取).
    Claimed,
    /// Given from a pool by a pool admin (分配).
    Distributed,
    /// Transferred between owners (转移).
    Transferred,
    /// Put back into a pool by hand (放入公海).
    Released,
    /// Recycled into a pool by a rule (回收).
    Recycled,
}

/// One owner-history row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OwnerHistory {
    /// Tenant.
    pub tenant: TenantId,
    /// Id.
    pub id: i64,
    /// Version (rows are never updated).
    #[serde(default)]
    pub version: i64,
    /// The customer.
    pub customer_id: CustomerId,
    /// How.
    pub change: OwnerChange,
    /// Owner before.
    pub from_owner: Option<UserId>,
    /// Owner after.
    pub to_owner: Option<UserId>,
    /// Pool involved (source of a claim, target of a recycle).
    pub pool_id: Option<PoolId>,
    /// Who did it (`None` for the system actor).
    pub by: Option<UserId>,
    /// Reason (recycle rule or manual reason).
    pub reason: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

impl Record for OwnerHistory {
    const ENTITY: Entity = Entity::OwnerHistory;
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
        vec![self.customer_id.0.into(), self.at.into()]
    }
}
