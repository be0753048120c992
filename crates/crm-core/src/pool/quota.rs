//! What a user may still take from a pool: the held limit that applies to them there and
//! today's claims against the daily cap — the same figures the claim decision checks.

use super::counters::HeldCounter;
use super::model::{HeldLimits, Pool};
use crate::ids::{PoolId, UserId};
use crate::org::Org;
use serde::{Deserialize, Serialize};

/// The held limit that applies to `user` taking customers from `pool`: none when pool
/// admins are exempt and `user` is an admin of it.
pub fn held_limit_in(limits: &HeldLimits, pool: &Pool, org: &Org, user: UserId) -> Option<u32> {
    if limits.exempt_pool_admins && pool.is_admin(org, user) {
        None
    } else {
        limits.for_user(org, user)
    }
}

/// One user's standing in one pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PoolQuota {
    /// The pool.
    pub pool_id: PoolId,
    /// Its name.
    pub pool_name: String,
    /// The held limit that applies here (`None` = unlimited or exempt).
    pub held_limit: Option<u32>,
    /// Customers the user may still take before reaching it (`None` = unlimited).
    pub held_remaining: Option<i64>,
    /// Claims by the user from this pool today (the tenant's local day).
    pub claims_today: i64,
    /// The pool's daily claim cap (`None` = no cap).
    pub daily_cap: Option<u32>,
    /// Claims left today (`None` = no cap).
    pub claims_remaining: Option<i64>,
}

/// One user's quotas in every pool they may claim from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Quota {
    /// The user.
    pub user_id: UserId,
    /// The tenant's local day the claim counts are for (`YYYY-MM-DD`).
    pub day: String,
    /// Customers the user holds (私海).
    pub held: i64,
    /// Of those, the ones that count against held limits (dealt ones only when the tenant
    /// counts them).
    pub held_counted: i64,
    /// Per pool, in the pools' order.
    pub pools: Vec<PoolQuota>,
}

/// The quota in `pool` for a user holding `held` who claimed `claims_today` there today.
pub fn pool_quota(
    limits: &HeldLimits,
    pool: &Pool,
    org: &Org,
    user: UserId,
    held: &HeldCounter,
    claims_today: i64,
) -> PoolQuota {
    let held_limit = held_limit_in(limits, pool, org, user);
    let counted = held.counted(limits.count_dealt);
    let daily_cap = pool.rules.daily_claim_cap;
    PoolQuota {
        pool_id: pool.id,
        pool_name: pool.name.clone(),
        held_limit,
        held_remaining: held_limit.map(|l| (i64::from(l) - counted).max(0)),
        claims_today,
        daily_cap,
        claims_remaining: daily_cap.map(|c| (i64::from(c) - claims_today).max(0)),
    }
}
