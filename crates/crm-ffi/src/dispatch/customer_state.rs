//! `customer.*` ops on a customer's pool-related state: lock (锁定), deal status (成交) and the
//! recycle countdown.

use super::{ById, Op, Request};
use crate::error::FfiResult;
use crm_core::customer::DealStatus;
use crm_core::ids::CustomerId;
use serde::Deserialize;

pub(super) const OPS: &[Op] = &[
    Op {
        name: "customer.set_locked",
        calls: "set_locked",
        summary: "Locks (exempt from recycling) or unlocks a customer.",
        request: r#"{"id": "int", "locked": "bool"}"#,
        handler: set_locked,
        access: None,
        schemas: None,
    },
    Op {
        name: "customer.set_deal_status",
        calls: "set_deal_status",
        summary: "Marks a customer as dealt (已成交) or not dealt.",
        request: r#"{"id": "int", "deal_status": "not_dealt | dealt"}"#,
        handler: set_deal_status,
        access: None,
        schemas: None,
    },
    Op {
        name: "customer.recycle_countdown",
        calls: "recycle_countdown",
        summary: "The recycle rule that fires first for an owned customer (days_left, fires_at, …), or null.",
        request: r#"{"id": "int"}"#,
        handler: recycle_countdown,
        access: None,
        schemas: None,
    },
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetLocked {
    id: i64,
    locked: bool,
}

fn set_locked(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: SetLocked = r.parse()?;
    r.run(move |crm| async move { crm.set_locked(actor, CustomerId(req.id), req.locked).await })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetDealStatus {
    id: i64,
    deal_status: DealStatus,
}

fn set_deal_status(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: SetDealStatus = r.parse()?;
    r.run(move |crm| async move {
        crm.set_deal_status(actor, CustomerId(req.id), req.deal_status)
            .await
    })
}

fn recycle_countdown(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: ById = r.parse()?;
    r.run(move |crm| async move { crm.recycle_countdown(actor, CustomerId(req.id)).await })
}
