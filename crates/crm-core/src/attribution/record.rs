//! The stored attribution of one won deal under one model.

use super::{AttributionModel, CampaignCredit, DealKind, TouchCredit};
use crate::ids::{AttributionId, CustomerId, TenantId, UserId};
use crate::store::{Entity, Record, SqlValue};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The attribution of one won deal under one model, written when the deal is won and
/// rewritten when recomputed; removed when the win is undone (an opportunity reopened, a
/// contract terminated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Attribution {
    /// Tenant.
    pub tenant: TenantId,
    /// Id.
    pub id: AttributionId,
    /// Version.
    #[serde(default)]
    pub version: i64,
    /// What kind of deal.
    pub deal_kind: DealKind,
    /// The opportunity or contract id.
    pub deal_id: i64,
    /// The deal's customer (the scope of this record).
    pub customer_id: CustomerId,
    /// The deal's owner when it was won.
    pub owner_id: Option<UserId>,
    /// The model.
    pub model: AttributionModel,
    /// The model's key (`linear`, `time_decay:7`, …).
    pub model_key: String,
    /// The attributed amount, at the currency's scale.
    pub amount: Decimal,
    /// Its currency.
    pub currency: String,
    /// When the deal was won: the end of the lookback window.
    pub closed_at: DateTime<Utc>,
    /// When the deal was opened (the W-shaped milestone).
    pub opened_at: Option<DateTime<Utc>>,
    /// The lookback window in days.
    pub lookback_days: u32,
    /// Each touch's share, earliest first; empty when no touch fell in the window.
    pub touches: Vec<TouchCredit>,
    /// The shares summed per campaign.
    pub campaigns: Vec<CampaignCredit>,
    /// When it was computed.
    pub computed_at: DateTime<Utc>,
}

impl Record for Attribution {
    const ENTITY: Entity = Entity::Attribution;
    fn tenant(&self) -> TenantId {
        self.tenant
    }
    fn raw_id(&self) -> i64 {
        self.id.0
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn set_version(&mut self, version: i64) {
        self.version = version;
    }
    fn columns(&self) -> Vec<SqlValue> {
        vec![
            self.deal_kind.as_str().into(),
            self.deal_id.into(),
            self.customer_id.0.into(),
            self.model_key.clone().into(),
            self.closed_at.into(),
        ]
    }
}
