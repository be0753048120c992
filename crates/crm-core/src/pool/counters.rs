//! Versioned counter rows that make limits race-free: a claim reads the counter, checks the
//! limit and writes the counter back at the version it read, so two racing claims cannot
//! both pass.

use crate::customer::{Customer, DealStatus};
use crate::ids::{PoolId, TenantId, UserId};
use crate::store::{Entity, Record, SqlValue};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Customers a user holds (私海), kept in step with every ownership change. Its id is the
/// user's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HeldCounter {
    /// Tenant.
    pub tenant: TenantId,
    /// The user.
    pub user_id: UserId,
    /// Optimistic version; 0 means "not stored yet".
    #[serde(default)]
    pub version: i64,
    /// Customers owned.
    pub held: i64,
    /// Of those, customers with a deal (已成交).
    pub held_dealt: i64,
}

impl HeldCounter {
    /// A zero counter not yet stored.
    pub fn zero(tenant: TenantId, user_id: UserId) -> Self {
        Self {
            tenant,
            user_id,
            version: 0,
            held: 0,
            held_dealt: 0,
        }
    }

    /// Moves the counter by a (held, held_dealt) delta of [`held_deltas`].
    pub fn add(&mut self, (held, dealt): (i64, i64)) {
        self.held += held;
        self.held_dealt += dealt;
    }

    /// What counts against the held limit.
    pub fn counted(&self, count_dealt: bool) -> i64 {
        if count_dealt {
            self.held
        } else {
            self.held - self.held_dealt
        }
    }
}

impl Record for HeldCounter {
    const ENTITY: Entity = Entity::HeldCounter;
    fn tenant(&self) -> TenantId {
        self.tenant
    }
    fn raw_id(&self) -> i64 {
        self.user_id.0
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn set_version(&mut self, version: i64) {
        self.version = version;
    }
    fn columns(&self) -> Vec<SqlValue> {
        vec![self.held.into(), self.held_dealt.into()]
    }
}

/// Claims by one user from one pool on one local day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ClaimCounter {
    /// Tenant.
    pub tenant: TenantId,
    /// Id (assigned by the store).
    pub id: i64,
    /// Optimistic version.
    #[serde(default)]
    pub version: i64,
    /// Pool.
    pub pool_id: PoolId,
    /// Claimant.
    pub user_id: UserId,
    /// Local date in the tenant's zone, `YYYY-MM-DD`.
    pub day: String,
    /// Claims so far.
    pub claims: i64,
}

impl Record for ClaimCounter {
    const ENTITY: Entity = Entity::ClaimCounter;
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
        vec![
            self.pool_id.0.into(),
            self.user_id.0.into(),
            self.day.clone().into(),
            self.claims.into(),
        ]
    }
}

/// (held, held_dealt) contributed by a customer to its owner.
fn contribution(c: &Customer) -> Option<(UserId, i64, i64)> {
    c.owner_id
        .map(|o| (o, 1, i64::from(c.deal_status == DealStatus::Dealt)))
}

/// Per-user (held, held_dealt) deltas of a set of (before, after) customer changes: what
/// the held counters move by when these changes are written.
pub fn held_deltas<'a>(
    pairs: impl IntoIterator<Item = (Option<&'a Customer>, &'a Customer)>,
) -> BTreeMap<UserId, (i64, i64)> {
    let mut out: BTreeMap<UserId, (i64, i64)> = BTreeMap::new();
    for (before, after) in pairs {
        if let Some((u, h, d)) = before.and_then(contribution) {
            let e = out.entry(u).or_default();
            e.0 -= h;
            e.1 -= d;
        }
        if let Some((u, h, d)) = contribution(after) {
            let e = out.entry(u).or_default();
            e.0 += h;
            e.1 += d;
        }
    }
    out.retain(|_, v| *v != (0, 0));
    out
}
