//! `tier.*`: purchases feeding RFM tiers (客户分层), and batch recomputation.

use super::{facet, operation};
use crate::actor::Actor;
use crate::error::CrmResult;
use crate::service::Crm;
use crate::store::Store;
use crate::tier::Purchase;
pub use crate::tier::PurchaseInput;
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

facet!(
    /// Customer tiers: purchases and recomputation.
    tiers -> TierOps {
        record_purchase: PurchaseInput,
        recompute: RecomputeTiers,
    }
);

operation!(
    PurchaseInput,
    "tier.record_purchase",
    Customers,
    Update,
    Purchase,
    "Records a purchase (order, payment or contract) of a customer and recomputes its tier.",
    |crm, actor, r| crm.record_purchase(actor, r)
);

/// Recomputes every customer's tier in the actor's tenant (system actor only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecomputeTiers {
    /// The instant to compute at (default: the engine's clock).
    #[serde(default)]
    pub now: Option<DateTime<Utc>>,
}

/// How many customers changed tier in a recomputation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TiersRecomputed {
    /// Customers whose tier changed.
    pub changed: u64,
}

operation!(RecomputeTiers, "tier.recompute", Settings, Update, TiersRecomputed,
    "Recomputes every customer's tier in the actor's tenant at `now`: {\"changed\": n}. System actor only.",
    |crm, actor, r| recompute(crm, actor, r.now));

async fn recompute<S: Store>(
    crm: &Crm<S>,
    actor: Actor,
    now: Option<DateTime<Utc>>,
) -> CrmResult<TiersRecomputed> {
    let tenant = super::scheduled::system_tenant(actor)?;
    let now = now.unwrap_or_else(|| crm.clock().now());
    let changed = crm.recompute_tiers(tenant, now).await?;
    Ok(TiersRecomputed { changed })
}
