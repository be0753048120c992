//! Purchases: the customer's buying history that tiers read. Hosts push orders; receivable
//! payments and contracts plug in as further kinds.

use crate::error::{CrmError, CrmResult};
use crate::ids::{CustomerId, PurchaseId, TenantId};
use crate::money::{Currency, Money};
use crate::store::{Entity, Record, SqlValue};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Where a purchase fact comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PurchaseKind {
    /// An order pushed by the host (shop, ERP).
    Order,
    /// A received payment (回款).
    Payment,
    /// A signed contract.
    Contract,
}

/// One purchase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Purchase {
    /// Tenant.
    pub tenant: TenantId,
    /// Id.
    pub id: PurchaseId,
    /// Version (rows are not updated).
    #[serde(default)]
    pub version: i64,
    /// The customer.
    pub customer_id: CustomerId,
    /// Kind.
    pub kind: PurchaseKind,
    /// When.
    pub at: DateTime<Utc>,
    /// Amount (decimal string).
    pub amount: Decimal,
    /// Currency code.
    pub currency: String,
    /// Host reference (order number …).
    pub reference: Option<String>,
}

/// A purchase to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PurchaseInput {
    /// The customer.
    pub customer_id: CustomerId,
    /// Kind (default order).
    #[serde(default = "order")]
    pub kind: PurchaseKind,
    /// When (at most 5 minutes in the future).
    pub at: DateTime<Utc>,
    /// Amount, exact in the currency's minor units, not negative, at most
    /// [`MAX_AMOUNT`](crate::money::MAX_AMOUNT).
    #[serde(deserialize_with = "crate::money::strict::deserialize")]
    pub amount: Decimal,
    /// Currency code.
    pub currency: String,
    /// Host reference.
    #[serde(default)]
    pub reference: Option<String>,
}

fn order() -> PurchaseKind {
    PurchaseKind::Order
}

impl PurchaseInput {
    /// Validates into a record.
    pub fn into_purchase(
        self,
        tenant: TenantId,
        id: i64,
        now: DateTime<Utc>,
    ) -> CrmResult<Purchase> {
        let currency = Currency::parse(&self.currency, "currency")?;
        let money = Money::new(self.amount, currency, "amount")?;
        if self.at > now + chrono::Duration::minutes(5) {
            return Err(CrmError::validation("at", "is in the future"));
        }
        Ok(Purchase {
            tenant,
            id: id.into(),
            version: 1,
            customer_id: self.customer_id,
            kind: self.kind,
            at: crate::clock::truncate_micros(self.at),
            amount: money.amount,
            currency: money.currency.code().to_owned(),
            reference: crate::validate::optional_text(self.reference.as_deref(), "reference", 100)?,
        })
    }
}

impl Record for Purchase {
    const ENTITY: Entity = Entity::Purchase;
    fn tenant(&self) -> TenantId {
        self.tenant
    }
    fn raw_id(&self) -> i64 {
        self.id.into()
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
