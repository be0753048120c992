//! The credit record: who earned how much of which metric, when, and from which event.

use crate::ids::{CreditId, CustomerId, DepartmentId, TenantId, UserId};
use crate::store::{Entity, Record, SqlValue};
use crate::target::Metric;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The event a credit was earned by.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CreditSource {
    /// A contract became active (its amount, by the contract's split).
    ContractActivated,
    /// An approved amendment changed an active contract's amount: the difference, either
    /// sign (a change of currency reverses the old amount and credits the new one).
    ContractAmended,
    /// An active contract was terminated (its amount reversed, by the same split).
    ContractTerminated,
    /// A payment was recorded on a contract (by the contract's split).
    PaymentReceived,
    /// A refund was recorded on a contract (negative, by the contract's split).
    Refund,
    /// A customer's first deal (to the customer's owner).
    CustomerWon,
    /// A lead was converted (to the lead's owner).
    LeadConverted,
    /// An opportunity was won (by the opportunity's split).
    OpportunityWon,
    /// A won opportunity was reopened (its win reversed, by the split it was won with).
    OpportunityReopened,
}

impl CreditSource {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            CreditSource::ContractActivated => "contract_activated",
            CreditSource::ContractAmended => "contract_amended",
            CreditSource::ContractTerminated => "contract_terminated",
            CreditSource::PaymentReceived => "payment_received",
            CreditSource::Refund => "refund",
            CreditSource::CustomerWon => "customer_won",
            CreditSource::LeadConverted => "lead_converted",
            CreditSource::OpportunityWon => "opportunity_won",
            CreditSource::OpportunityReopened => "opportunity_reopened",
        }
    }

    /// The metric this source earns.
    pub fn metric(self) -> Metric {
        match self {
            CreditSource::ContractActivated
            | CreditSource::ContractAmended
            | CreditSource::ContractTerminated => Metric::ContractAmount,
            CreditSource::PaymentReceived | CreditSource::Refund => Metric::PaymentsReceived,
            CreditSource::CustomerWon => Metric::CustomersWon,
            CreditSource::LeadConverted => Metric::LeadsConverted,
            CreditSource::OpportunityWon | CreditSource::OpportunityReopened => {
                Metric::OpportunitiesWon
            }
        }
    }

    /// Whether the credit is a reversal (negative).
    pub fn is_reversal(self) -> bool {
        matches!(
            self,
            CreditSource::ContractTerminated
                | CreditSource::Refund
                | CreditSource::OpportunityReopened
        )
    }
}

impl std::fmt::Display for CreditSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One user's share of one crediting event. Written once, never updated: a reversal is a
/// new record with a negative amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Credit {
    /// Tenant.
    pub tenant: TenantId,
    /// Id.
    pub id: CreditId,
    /// Optimistic version (always 1: credits are never changed).
    #[serde(default)]
    pub version: i64,
    /// The metric earned.
    pub metric: Metric,
    /// The credited user.
    pub user_id: UserId,
    /// The credited user's department at the event (department achievement sums by it).
    pub department_id: Option<DepartmentId>,
    /// The user's share of the event, a percentage (0, 100] with at most 2 decimals.
    pub share: Decimal,
    /// The credited quantity, signed: an amount at the currency's scale for amount metrics,
    /// a fraction of one (the share) for counts. Negative for reversals.
    pub amount: Decimal,
    /// The currency (ISO 4217) for amount metrics; `None` for counts.
    pub currency: Option<String>,
    /// The tenant-local day of the event: the day that decides its period.
    pub local_date: NaiveDate,
    /// The instant of the event.
    pub at: DateTime<Utc>,
    /// The event it was earned by.
    pub source: CreditSource,
    /// The record the event happened to (contract, customer, lead or opportunity id).
    pub source_id: i64,
    /// Distinguishes several events of one source record (a payment's ledger position); 0
    /// otherwise.
    pub source_ref: i64,
    /// The customer concerned, if any.
    pub customer_id: Option<CustomerId>,
}

impl Record for Credit {
    const ENTITY: Entity = Entity::Credit;
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
            self.metric.as_str().into(),
            self.user_id.0.into(),
            self.department_id.map(|d| d.0).into(),
            self.local_date.format("%Y-%m-%d").to_string().into(),
            self.source.as_str().into(),
            self.source_id.into(),
            self.source_ref.into(),
        ]
    }
}

/// The text a credit's `local_date` column holds for `day` (ISO, so text order is day
/// order for the years periods may name).
pub fn date_key(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}
