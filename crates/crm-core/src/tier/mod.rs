//! Customer tiers (客户分层, §4.2): RFM figures from purchases, scores by thresholds or
//! quintiles, ordered tier rules with a default.

mod purchase;
pub mod rfm;
mod rules;

pub use purchase::{Purchase, PurchaseInput, PurchaseKind};
pub use rfm::{Quintiles, RfmFigures, RfmScores, Scoring, Thresholds};
pub use rules::{TierCondition, TierRule, TierSettings};

use crate::error::CrmResult;
use crate::money::checked;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

/// RFM figures of one customer from its purchases at `now`: recency from the last purchase
/// ever, frequency and monetary over the window; only amounts in `currency` are summed, with
/// checked arithmetic (rule `amount_overflow`, never a panic).
pub fn figures(
    last_purchase_at: Option<DateTime<Utc>>,
    purchases_in_window: &[Purchase],
    currency: &str,
    now: DateTime<Utc>,
) -> CrmResult<RfmFigures> {
    let monetary = purchases_in_window
        .iter()
        .filter(|p| p.currency == currency)
        .try_fold(Decimal::ZERO, |sum, p| {
            checked::add(sum, p.amount, "monetary (RFM)")
        })?;
    Ok(RfmFigures {
        recency_days: last_purchase_at.map(|t| crate::pool::claim::whole_days(t, now)),
        frequency: u32::try_from(purchases_in_window.len()).unwrap_or(u32::MAX),
        monetary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> crate::customer::Customer {
        let input = crate::customer::NewCustomer {
            name: "x".into(),
            ..Default::default()
        };
        let now = chrono::DateTime::<Utc>::default();
        input
            .into_customer(
                &crate::tenant::TenantSettings::default(),
                crate::ids::TenantId(1),
                crate::ids::CustomerId(1),
                None,
                None,
                now,
            )
            .expect("valid")
    }

    #[test]
    fn default_rules_first_match_wins_on_both_sides_of_90_and_365_days() {
        let t = TierSettings::default();
        let c = sample();
        let s = |fig: &RfmFigures| match &t.scoring {
            Scoring::Thresholds(th) => th.score(fig),
            Scoring::Quintiles => unreachable!("default uses thresholds"),
        };
        let fig = |r: Option<i64>, f: u32, m: i64| RfmFigures {
            recency_days: r,
            frequency: f,
            monetary: Decimal::from(m),
        };
        let tier = |f: RfmFigures| t.assign(&c, &f, &s(&f));
        assert_eq!(tier(fig(Some(89), 0, 0)), "普通");
        assert_eq!(tier(fig(Some(90), 0, 0)), "沉睡");
        assert_eq!(tier(fig(Some(364), 0, 0)), "沉睡");
        assert_eq!(tier(fig(Some(365), 0, 0)), "流失");
        assert_eq!(tier(fig(None, 0, 0)), "普通", "never bought is not churned");
        assert_eq!(tier(fig(Some(10), 5, 50_000)), "重要价值");
        assert_eq!(tier(fig(Some(10), 4, 50_000)), "潜力", "frequency score 3");
        assert_eq!(
            tier(fig(Some(61), 5, 50_000)),
            "普通",
            "recency score 3 is neither"
        );
    }
}
