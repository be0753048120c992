//! `pool.*`: customer pools (公海): administration, claim (领取), distribute (分配) and
//! release (放入公海).

use super::{facet, operation};
use crate::customer::Customer;
use crate::ids::{CustomerId, PoolId, UserId};
pub use crate::pool::PoolInput;
use crate::pool::{Pool, Quota};
use crate::service::Page;
use crate::view::Visible;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

facet!(
    /// Customer pools (公海): administration, claim, distribute and release.
    pool -> PoolOps {
        create: PoolInput,
        update: UpdatePool,
        delete: DeletePool,
        list: ListPools,
        customers: PoolCustomers,
        claim: ClaimCustomers,
        distribute: DistributeCustomers,
        release: ReleaseCustomer,
        quota: PoolQuotaOf,
    }
);

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
    pub id: PoolId,
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
    |crm, actor, r| crm.update_pool(actor, r.id, r.pool)
);

/// Deletes a pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeletePool {
    /// The pool (empty, not the default).
    pub id: PoolId,
}

operation!(
    DeletePool,
    "pool.delete",
    Settings,
    Delete,
    (),
    "Deletes a pool (tenant admins); the response is null.",
    |crm, actor, r| crm.delete_pool(actor, r.id)
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
    pub pool_id: PoolId,
    /// Resume after this customer id (the previous page's `next_after`).
    #[serde(default)]
    pub after: Option<CustomerId>,
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
    |crm, actor, r| crm.pool_customers(actor, r.pool_id, r.after.map(|c| c.0), r.limit)
);

/// The acting user claims customers from a pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimCustomers {
    /// The pool.
    pub pool_id: PoolId,
    /// The customers to claim (all or nothing).
    pub customer_ids: Vec<CustomerId>,
}

operation!(ClaimCustomers, "pool.claim", Pools, Claim, Vec<Visible<Customer>>,
    "The acting user claims customers from a pool (all or nothing) under the held limit, daily cap, cooldown and new-in-pool protection; user actors only.",
    |crm, actor, r| crm.claim(actor, r.pool_id, r.customer_ids));

/// A pool admin gives customers to a member of the pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DistributeCustomers {
    /// The pool.
    pub pool_id: PoolId,
    /// The customers to give (all or nothing).
    pub customer_ids: Vec<CustomerId>,
    /// The member receiving them.
    pub to_user_id: UserId,
}

operation!(
    DistributeCustomers,
    "pool.distribute",
    Pools,
    Distribute,
    Vec<Visible<Customer>>,
    "A pool admin gives customers to a member (all or nothing) under the held limit.",
    |crm, actor, r| crm.distribute(actor, r.pool_id, r.customer_ids, r.to_user_id)
);

/// Puts an owned customer back into a pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseCustomer {
    /// The customer.
    pub customer_id: CustomerId,
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
    |crm, actor, r| crm.release_customer(actor, r.customer_id, &r.reason)
);

/// A user's pool quota.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PoolQuotaOf {
    /// The user (default: the actor).
    #[serde(default)]
    pub user_id: Option<UserId>,
}

operation!(PoolQuotaOf, "pool.quota", Pools, Read, Quota,
    "A user's held count and, per pool they may claim from, the held limit, what they may still take, claims today and the daily cap (default user: the actor; another user's for tenant admins, or a pool admin's own pools).",
    |crm, actor, r| crm.pool_quota(actor, r.user_id));
