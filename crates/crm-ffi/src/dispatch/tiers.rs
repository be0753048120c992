//! `tier.*`: purchases feeding RFM tiers (客户分层), and batch recomputation.

use super::{Op, Request};
use crate::error::FfiResult;
use chrono::{DateTime, Utc};
use crm_core::tier::PurchaseInput;
use serde::Deserialize;

pub(super) const OPS: &[Op] = &[
    Op {
        name: "tier.record_purchase",
        calls: "record_purchase",
        summary: "Records a purchase (order, payment or contract) of a customer and recomputes its tier.",
        request: r#"{"customer_id": "int", "kind?": "order | payment | contract, default order", "at": "RFC 3339 UTC", "amount": "decimal string, e.g. \"1999.00\"", "currency": "ISO 4217", "reference?": "string"}"#,
        handler: record_purchase,
        access: None,
        schemas: None,
    },
    Op {
        name: "tier.recompute",
        calls: "recompute_tiers",
        summary: "Recomputes every customer's tier in the actor's tenant at `now`: {\"changed\": n}. System actor only.",
        request: r#"{"now?": "RFC 3339 UTC, default the engine's clock"}"#,
        handler: recompute,
        access: None,
        schemas: None,
    },
];

fn record_purchase(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let input: PurchaseInput = r.parse()?;
    r.run(move |crm| async move { crm.record_purchase(actor, input).await })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Recompute {
    #[serde(default)]
    now: Option<DateTime<Utc>>,
}

#[derive(serde::Serialize)]
struct Recomputed {
    changed: u64,
}

fn recompute(r: &Request<'_>) -> FfiResult<String> {
    let tenant = super::scheduled::system_tenant(r.actor()?)?;
    let req: Recompute = r.parse()?;
    r.run(move |crm| async move {
        let now = match req.now {
            Some(now) => now,
            None => crm.clock().now(),
        };
        crm.recompute_tiers(tenant, now)
            .await
            .map(|changed| Recomputed { changed })
    })
}
