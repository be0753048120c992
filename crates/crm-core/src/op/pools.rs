//! `pool.*`: customer pools (公海): administration, claim (领取), distribute (分配) and
//! release (放入公海).

use super::{operation, Visitor};
use crate::customer::Customer;
use crate::ids::{CustomerId, PoolId, UserId};
use crate::pool::{Pool, PoolInput, Quota};
use crate::service::Page;
use crate::view::Visible;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub(super) fn visit<V: Visitor>(v: &mut V) {
    v.visit::<PoolInput>();
    v.visit::<UpdatePool>();
    v.visit::<DeletePool>();
    v.visit::<ListPools>();
    v.visit::<PoolCustomers>();
    v.visit::<ClaimCustomers>();
    v.visit::<DistributeCustomers>();
    v.visit::<ReleaseCustomer>();
    v.visit::<PoolQuotaOf>();
}

operation!(
    PoolInput,
    "pool.create",
    Settings,
    Create,
    Pool,
    "Creates a pool (tenant admins; the first pool becomes the default).",
    |crm, actor, r| crm.create_pool(actor, r)
);

/// Replaces a pool's definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePool {
    /// The pool.
    pub id: i64,
    /// The new definition, as for `pool.create`.
    pub pool: PoolInput,
}

operation!(
    UpdatePool,
    "pool.update",
    Settings,
    Update,
    Pool,
    "Replaces a pool's definition (tenant admins).",
    |crm, actor, r| crm.update_pool(actor, PoolId(r.id), r.pool)
);

/// Deletes a pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeletePool {
    /// The pool (empty, not the default).
    pub id: i64,
}

operation!(
    DeletePool,
    "pool.delete",
    Settings,
    Delete,
    (),
    "Deletes a pool (tenant admins); the response is null.",
    |crm, actor, r| crm.delete_pool(actor, PoolId(r.id))
);

/// Lists the pools the actor may see.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListPools {}

operation!(
    ListPools,
    "pool.list",
    Pools,
    Read,
    Vec<Pool>,
    "Pools the actor may see.",
    |crm, actor, _r| crm.list_pools(actor)
);

/// A page of the customers in a pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PoolCustomers {
    /// The pool.
    pub pool_id: i64,
    /// Resume after this customer id (the previous page's `next_after`).
    #[serde(default)]
    pub after: Option<i64>,
    /// Page size, 1..=500 (default 50).
    #[serde(default)]
    pub limit: Option<u32>,
}

operation!(
    PoolCustomers,
    "pool.customers",
    Pools,
    Read,
    Page<Visible<Customer>>,
    "A page of the customers in a pool, masked per the pool's field rules: {items, next_after}.",
    |crm, actor, r| crm.pool_customers(actor, PoolId(r.pool_id), r.after, r.limit)
);

/// The acting user claims customers from a pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimCustomers {
    /// The pool.
    pub pool_id: i64,
    /// The customers to claim (all or nothing).
    pub customer_ids: Vec<i64>,
}

operation!(ClaimCustomers, "pool.claim", Pools, Claim, Vec<Visible<Customer>>,
    "The acting user claims customers from a pool (all or nothing) under the held limit, daily cap, cooldown and new-in-pool protection; user actors only.",
    |crm, actor, r| crm.claim(actor, PoolId(r.pool_id), customers(r.customer_ids)));

/// A pool admin gives customers to a member of the pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DistributeCustomers {
    /// The pool.
    pub pool_id: i64,
    /// The customers to give (all or nothing).
    pub customer_ids: Vec<i64>,
    /// The member receiving them.
    pub to_user_id: i64,
}

operation!(
    DistributeCustomers,
    "pool.distribute",
    Pools,
    Distribute,
    Vec<Visible<Customer>>,
    "A pool admin gives customers to a member (all or nothing) under the held limit.",
    |crm, actor, r| crm.distribute(
        actor,
        PoolId(r.pool_id),
        customers(r.customer_ids),
        UserId(r.to_user_id)
    )
);

/// Puts an owned customer back into a pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseCustomer {
    /// The customer.
    pub customer_id: i64,
    /// One of the tenant's `recycle_reasons`.
    pub reason: String,
}

operation!(
    ReleaseCustomer,
    "pool.release",
    Customers,
    Transfer,
    Visible<Customer>,
    "Puts an owned customer back into a pool with one of the tenant's recycle reasons.",
    |crm, actor, r| crm.release_customer(actor, CustomerId(r.customer_id), &r.reason)
);

/// A user's pool quota.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PoolQuotaOf {
    /// The user (default: the actor).
    #[serde(default)]
    pub user_id: Option<i64>,
}

operation!(PoolQuotaOf, "pool.quota", Pools, Read, Quota,
    "A user's held count and, per pool they may claim from, the held limit, what they may still take, claims today and the daily cap (default user: the actor; another user's for tenant admins, or a pool admin's own pools).",
    |crm, actor, r| crm.pool_quota(actor, r.user_id.map(UserId)));

fn customers(ids: Vec<i64>) -> Vec<CustomerId> {
    ids.into_iter().map(CustomerId).collect()
}
