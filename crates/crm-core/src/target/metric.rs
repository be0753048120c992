//! What a target or a commission plan measures (DESIGN §4.10): two amounts in one currency and
//! three counts. Every metric is earned by credit records written when the event happens.

use serde::{Deserialize, Serialize};

/// A measured quantity.
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
pub enum Metric {
    /// Contract amount signed (签约金额): earned when a contract becomes active, reversed
    /// when it is terminated.
    ContractAmount,
    /// Payments received (回款金额): earned by a payment, reversed by a refund.
    PaymentsReceived,
    /// Customers won (成交客户数): a customer's first deal.
    CustomersWon,
    /// Leads converted (线索转化数).
    LeadsConverted,
    /// Opportunities won (赢单数).
    OpportunitiesWon,
}

impl Metric {
    /// Every metric, in declaration order.
    pub const ALL: [Metric; 5] = [
        Metric::ContractAmount,
        Metric::PaymentsReceived,
        Metric::CustomersWon,
        Metric::LeadsConverted,
        Metric::OpportunitiesWon,
    ];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::ContractAmount => "contract_amount",
            Metric::PaymentsReceived => "payments_received",
            Metric::CustomersWon => "customers_won",
            Metric::LeadsConverted => "leads_converted",
            Metric::OpportunitiesWon => "opportunities_won",
        }
    }

    /// Whether the metric is an amount of money (in one currency); the others are counts.
    pub fn is_amount(self) -> bool {
        matches!(self, Metric::ContractAmount | Metric::PaymentsReceived)
    }

    /// The metric with this stable name.
    pub fn parse(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == name)
    }
}

impl std::fmt::Display for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.as_str()), Some(m));
            assert_eq!(
                serde_json::to_value(m).ok(),
                Some(serde_json::Value::String(m.as_str().into()))
            );
        }
        assert_eq!(Metric::parse("revenue"), None);
        assert!(Metric::ContractAmount.is_amount() && !Metric::CustomersWon.is_amount());
    }
}
