//! Splitting one won deal's amount over its touches inside the lookback window, exactly in
//! the currency's minor units.

use super::AttributionModel;
use crate::error::CrmResult;
use crate::ids::{CampaignId, TouchId};
use crate::money::Currency;
use crate::sales::allocate::allocate_amount;
use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A touch as attribution sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TouchPoint {
    /// The touch.
    pub touch_id: TouchId,
    /// Its campaign.
    pub campaign_id: CampaignId,
    /// Its channel (stable name).
    pub channel: String,
    /// Its kind (stable name: `opened`, `clicked`, …).
    pub kind: String,
    /// When it happened.
    pub at: DateTime<Utc>,
}

/// One touch's share of a deal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TouchCredit {
    /// The touch.
    pub touch_id: TouchId,
    /// Its campaign.
    pub campaign_id: CampaignId,
    /// Its channel.
    pub channel: String,
    /// Its kind.
    pub kind: String,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Its share in percent, 2 decimals half-up (for reading; `amount` is exact).
    pub share: Decimal,
    /// Its part of the amount, at the currency's scale.
    pub amount: Decimal,
}

/// One campaign's share of a deal: the sum over its touches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CampaignCredit {
    /// The campaign.
    pub campaign_id: CampaignId,
    /// Its part of the amount, at the currency's scale.
    pub amount: Decimal,
    /// How many of its touches counted.
    pub touches: u32,
}

/// Attributes `amount` (exact in `currency`) of a deal closed at `close` to the touches of
/// `touches` that happened within `lookback_days` before the close (the edge included; later
/// touches and earlier ones ignored), ordered by instant then touch id. The credits sum to
/// `amount` exactly, each ≥ 0; remainders go by largest remainder, ties to the earliest touch.
/// No touch in the window → no credits.
pub fn attribute(
    amount: Decimal,
    currency: &Currency,
    touches: &[TouchPoint],
    model: &AttributionModel,
    close: DateTime<Utc>,
    lookback_days: u32,
    milestone: Option<DateTime<Utc>>,
) -> CrmResult<Vec<TouchCredit>> {
    model.validate("model")?;
    let from = crate::clock::minus(close, Duration::days(i64::from(lookback_days)));
    let mut inside: Vec<&TouchPoint> = touches
        .iter()
        .filter(|t| t.at >= from && t.at <= close)
        .collect();
    if inside.is_empty() {
        return Ok(Vec::new());
    }
    inside.sort_by_key(|t| (t.at, t.touch_id));
    let at: Vec<DateTime<Utc>> = inside.iter().map(|t| t.at).collect();
    let weights = model.weights(&at, close, milestone);
    let total: Decimal = weights.iter().copied().sum();
    let parts = allocate_amount(amount, &weights, currency)?;
    Ok(inside
        .into_iter()
        .zip(weights.iter().zip(parts))
        .map(|(t, (w, part))| TouchCredit {
            touch_id: t.touch_id,
            campaign_id: t.campaign_id,
            channel: t.channel.clone(),
            kind: t.kind.clone(),
            at: t.at,
            share: if total.is_zero() {
                Decimal::ZERO
            } else {
                crate::target::achievement::round_half_up(*w * Decimal::ONE_HUNDRED / total, 2)
            },
            amount: part,
        })
        .collect())
}

/// The credits summed per campaign (a campaign touched twice gets both touches' parts), in
/// campaign id order.
pub fn by_campaign(credits: &[TouchCredit]) -> Vec<CampaignCredit> {
    let mut sums: BTreeMap<CampaignId, (Decimal, u32)> = BTreeMap::new();
    for c in credits {
        let entry = sums.entry(c.campaign_id).or_insert((Decimal::ZERO, 0));
        // Parts of one deal sum to at most its amount (≤ MAX_AMOUNT): no overflow.
        entry.0 += c.amount;
        entry.1 += 1;
    }
    sums.into_iter()
        .map(|(campaign_id, (amount, touches))| CampaignCredit {
            campaign_id,
            amount,
            touches,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn touch(id: i64, campaign: i64, at: DateTime<Utc>) -> TouchPoint {
        TouchPoint {
            touch_id: TouchId(id),
            campaign_id: CampaignId(campaign),
            channel: "email".into(),
            kind: "clicked".into(),
            at,
        }
    }

    fn cny() -> Currency {
        Currency::parse("CNY", "currency").unwrap()
    }

    fn close() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 6, 30, 8, 0, 0).unwrap()
    }

    fn amounts(c: &[TouchCredit]) -> Vec<Decimal> {
        c.iter().map(|c| c.amount).collect()
    }

    #[test]
    fn at1_linear_thousand_over_three_touches_gives_the_cent_to_the_earliest() {
        let t = [
            touch(3, 1, close() - Duration::days(3)),
            touch(1, 2, close() - Duration::days(9)),
            touch(2, 3, close() - Duration::days(5)),
        ];
        let c = attribute(
            Decimal::new(100_000, 2),
            &cny(),
            &t,
            &AttributionModel::Linear,
            close(),
            90,
            None,
        )
        .unwrap();
        assert_eq!(
            amounts(&c),
            vec![
                Decimal::new(33_334, 2),
                Decimal::new(33_333, 2),
                Decimal::new(33_333, 2)
            ]
        );
        assert_eq!(c[0].touch_id, TouchId(1), "earliest first");
        assert_eq!(c[0].share, Decimal::new(3333, 2));
    }

    #[test]
    fn at3_u_shaped_over_three_two_and_one_touches() {
        let t = [
            touch(1, 1, close() - Duration::days(9)),
            touch(2, 2, close() - Duration::days(5)),
            touch(3, 3, close() - Duration::days(3)),
        ];
        let run = |n: usize| {
            amounts(
                &attribute(
                    Decimal::from(1000),
                    &cny(),
                    &t[..n],
                    &AttributionModel::UShaped,
                    close(),
                    90,
                    None,
                )
                .unwrap(),
            )
        };
        let d = |v: i64| Decimal::new(v * 100, 2);
        assert_eq!(run(3), vec![d(400), d(200), d(400)]);
        assert_eq!(run(2), vec![d(500), d(500)]);
        assert_eq!(run(1), vec![d(1000)]);
    }

    #[test]
    fn lookback_edge_is_inclusive_and_touches_after_the_close_are_ignored() {
        let edge = close() - Duration::days(90);
        let t = [
            touch(1, 1, edge - Duration::seconds(1)),
            touch(2, 2, edge),
            touch(5, 5, edge + Duration::seconds(1)),
            touch(3, 3, close()),
            touch(4, 4, close() + Duration::seconds(1)),
        ];
        let c = attribute(
            Decimal::from(10),
            &cny(),
            &t,
            &AttributionModel::Linear,
            close(),
            90,
            None,
        )
        .unwrap();
        let ids: Vec<TouchId> = c.iter().map(|c| c.touch_id).collect();
        assert_eq!(ids, vec![TouchId(2), TouchId(5), TouchId(3)]);
        assert_eq!(
            amounts(&c),
            vec![
                Decimal::new(334, 2),
                Decimal::new(333, 2),
                Decimal::new(333, 2)
            ]
        );
        let none = attribute(
            Decimal::from(10),
            &cny(),
            &t[..1],
            &AttributionModel::Linear,
            close(),
            90,
            None,
        )
        .unwrap();
        assert!(none.is_empty());
    }

    #[test]
    fn a_campaign_touched_twice_gets_the_sum() {
        let t = [
            touch(1, 7, close() - Duration::days(9)),
            touch(2, 8, close() - Duration::days(5)),
            touch(3, 7, close() - Duration::days(3)),
        ];
        let c = attribute(
            Decimal::from(1000),
            &cny(),
            &t,
            &AttributionModel::UShaped,
            close(),
            90,
            None,
        )
        .unwrap();
        let sums = by_campaign(&c);
        assert_eq!(sums.len(), 2);
        assert_eq!(sums[0].campaign_id, CampaignId(7));
        assert_eq!(sums[0].amount, Decimal::new(80_000, 2));
        assert_eq!(sums[0].touches, 2);
        assert_eq!(sums[1].amount, Decimal::new(20_000, 2));
    }

    #[test]
    fn yen_and_zero_amounts_stay_exact() {
        let t = [
            touch(1, 1, close() - Duration::days(2)),
            touch(2, 1, close() - Duration::days(1)),
            touch(3, 1, close()),
        ];
        let jpy = Currency::parse("JPY", "currency").unwrap();
        let c = attribute(
            Decimal::from(100),
            &jpy,
            &t,
            &AttributionModel::Linear,
            close(),
            90,
            None,
        )
        .unwrap();
        assert_eq!(
            amounts(&c),
            [34, 33, 33].map(Decimal::from).to_vec(),
            "no fractions of a yen"
        );
        let zero = attribute(
            Decimal::ZERO,
            &jpy,
            &t,
            &AttributionModel::Linear,
            close(),
            90,
            None,
        )
        .unwrap();
        assert!(zero.iter().all(|c| c.amount.is_zero()));
    }
}
