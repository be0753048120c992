//! `pool.*`: customer pools (公海): administration, claim (领取), distribute (分配) and
//! release (放入公海).

use super::{ById, Empty, Op, Request};
use crate::error::FfiResult;
use crm_core::ids::{CustomerId, PoolId, UserId};
use crm_core::pool::PoolInput;
use serde::Deserialize;

const POOL: &str = r#"{"name": "string", "position?": "int, matching order", "is_default?": "bool", "enabled?": "bool, default true", "admins?": {"users": ["int"], "departments": ["int"]}, "members?": {"users": ["int"], "departments": ["int"]}, "rules?": {"daily_claim_cap?": "int", "previous_owner_cooldown_days?": "int", "new_in_pool_protection_hours?": "int", "recycle?": [{"kind": "no_follow_up | no_deal | no_open_opportunity", "limits": {"a?": "days", "b?": "days", "c?": "days", "unleveled?": "days"}, "remind_days_before?": "int"}], "dealt_exempt?": "bool, default true"}, "field_rules?": [{"field": "string", "mode": "hidden | masked"}]}"#;

pub(super) const OPS: &[Op] = &[
    Op {
        name: "pool.create",
        calls: "create_pool",
        summary: "Creates a pool (tenant admins; the first pool becomes the default).",
        request: POOL,
        handler: create,
        access: None,
        schemas: None,
    },
    Op {
        name: "pool.update",
        calls: "update_pool",
        summary: "Replaces a pool's definition (tenant admins).",
        request: r#"{"id": "int", "pool": "as for pool.create"}"#,
        handler: update,
        access: None,
        schemas: None,
    },
    Op {
        name: "pool.delete",
        calls: "delete_pool",
        summary: "Deletes a pool (tenant admins); the response is null.",
        request: r#"{"id": "int"}"#,
        handler: delete,
        access: None,
        schemas: None,
    },
    Op {
        name: "pool.list",
        calls: "list_pools",
        summary: "Pools the actor may see.",
        request: "{}",
        handler: list,
        access: None,
        schemas: None,
    },
    Op {
        name: "pool.customers",
        calls: "pool_customers",
        summary: "A page of the customers in a pool, masked per the pool's field rules: {items, next_after}.",
        request: r#"{"pool_id": "int", "after?": "int", "limit?": "int 1..=500, default 50"}"#,
        handler: customers,
        access: None,
        schemas: None,
    },
    Op {
        name: "pool.claim",
        calls: "claim",
        summary: "The acting user claims customers from a pool (all or nothing) under the held limit, daily cap, cooldown and new-in-pool protection; user actors only.",
        request: r#"{"pool_id": "int", "customer_ids": ["int"]}"#,
        handler: claim,
        access: None,
        schemas: None,
    },
    Op {
        name: "pool.distribute",
        calls: "distribute",
        summary: "A pool admin gives customers to a member (all or nothing) under the held limit.",
        request: r#"{"pool_id": "int", "customer_ids": ["int"], "to_user_id": "int"}"#,
        handler: distribute,
        access: None,
        schemas: None,
    },
    Op {
        name: "pool.release",
        calls: "release_customer",
        summary: "Puts an owned customer back into a pool with one of the tenant's recycle reasons.",
        request: r#"{"customer_id": "int", "reason": "string, one of the tenant's recycle_reasons"}"#,
        handler: release,
        access: None,
        schemas: None,
    },
    Op {
        name: "pool.quota",
        calls: "pool_quota",
        summary: "A user's held count and, per pool they may claim from, the held limit, what they may still take, claims today and the daily cap (default user: the actor; another user's for tenant admins, or a pool admin's own pools).",
        request: r#"{"user_id?": "int"}"#,
        handler: quota,
        access: None,
        schemas: None,
    },
];

fn create(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let input: PoolInput = r.parse()?;
    r.run(move |crm| async move { crm.create_pool(actor, input).await })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Update {
    id: i64,
    pool: PoolInput,
}

fn update(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: Update = r.parse()?;
    r.run(move |crm| async move { crm.update_pool(actor, PoolId(req.id), req.pool).await })
}

fn delete(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: ById = r.parse()?;
    r.run(move |crm| async move { crm.delete_pool(actor, PoolId(req.id)).await })
}

fn list(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let _: Empty = r.parse()?;
    r.run(move |crm| async move { crm.list_pools(actor).await })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Customers {
    pool_id: i64,
    #[serde(default)]
    after: Option<i64>,
    #[serde(default)]
    limit: Option<u32>,
}

fn customers(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: Customers = r.parse()?;
    r.run(move |crm| async move {
        crm.pool_customers(actor, PoolId(req.pool_id), req.after, req.limit)
            .await
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Claim {
    pool_id: i64,
    customer_ids: Vec<i64>,
}

fn claim(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: Claim = r.parse()?;
    let ids = req.customer_ids.into_iter().map(CustomerId).collect();
    r.run(move |crm| async move { crm.claim(actor, PoolId(req.pool_id), ids).await })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Distribute {
    pool_id: i64,
    customer_ids: Vec<i64>,
    to_user_id: i64,
}

fn distribute(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: Distribute = r.parse()?;
    let ids = req.customer_ids.into_iter().map(CustomerId).collect();
    r.run(move |crm| async move {
        crm.distribute(actor, PoolId(req.pool_id), ids, UserId(req.to_user_id))
            .await
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Release {
    customer_id: i64,
    reason: String,
}

fn release(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: Release = r.parse()?;
    r.run(move |crm| async move {
        crm.release_customer(actor, CustomerId(req.customer_id), &req.reason)
            .await
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuotaRequest {
    #[serde(default)]
    user_id: Option<i64>,
}

fn quota(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: QuotaRequest = r.parse()?;
    r.run(move |crm| async move { crm.pool_quota(actor, req.user_id.map(UserId)).await })
}
