//! For any touch list, amount and model, attribution splits the amount exactly in minor units,
//! never gives a negative credit, credits only touches inside the lookback window, and gives
//! the same split for the same inputs in any input order.

use chrono::{DateTime, Duration, TimeZone, Utc};
use crm_core::attribution::{attribute, by_campaign, AttributionModel, TouchPoint};
use crm_core::ids::{CampaignId, TouchId};
use crm_core::money::Currency;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn close() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap()
}

fn model() -> impl Strategy<Value = AttributionModel> {
    prop_oneof![
        Just(AttributionModel::FirstTouch),
        Just(AttributionModel::LastTouch),
        Just(AttributionModel::Linear),
        (1i64..=36_500).prop_map(|h| AttributionModel::TimeDecay {
            half_life_days: Decimal::new(h, 2)
        }),
        Just(AttributionModel::UShaped),
        Just(AttributionModel::WShaped),
        (0i64..=10_000, 0i64..=10_000).prop_map(|(a, b)| {
            let (lo, hi) = (a.min(b), a.max(b));
            AttributionModel::Custom {
                first: Decimal::new(lo, 2),
                middle: Decimal::new(hi - lo, 2),
                last: Decimal::new(10_000 - hi, 2),
            }
        }),
    ]
}

fn touches() -> impl Strategy<Value = Vec<TouchPoint>> {
    // Offsets in seconds before the close, some beyond a 90-day lookback and some after it.
    prop::collection::vec((1i64..6, -86_400i64..(100 * 86_400)), 0..40).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (campaign, before))| TouchPoint {
                touch_id: TouchId(i as i64 + 1),
                campaign_id: CampaignId(campaign),
                channel: "email".into(),
                kind: "clicked".into(),
                at: close() - Duration::seconds(before),
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn credits_sum_exactly_are_never_negative_and_repeat(
        minor in 0i64..=1_000_000_000_000_000,
        jpy in any::<bool>(),
        model in model(),
        touches in touches(),
        milestone_days in proptest::option::of(0i64..120),
        reverse in any::<bool>(),
    ) {
        let (currency, scale) = if jpy { ("JPY", 0) } else { ("CNY", 2) };
        let currency = Currency::parse(currency, "currency").unwrap();
        let amount = Decimal::new(minor, scale);
        let milestone = milestone_days.map(|d| close() - Duration::days(d));
        let credits = attribute(amount, &currency, &touches, &model, close(), 90, milestone).unwrap();
        let window_start = close() - Duration::days(90);
        let inside = touches.iter().filter(|t| t.at >= window_start && t.at <= close()).count();
        prop_assert_eq!(credits.len(), inside);
        if inside > 0 {
            let sum: Decimal = credits.iter().map(|c| c.amount).sum();
            prop_assert_eq!(sum, amount);
            let campaigns: Decimal = by_campaign(&credits).iter().map(|c| c.amount).sum();
            prop_assert_eq!(campaigns, amount);
        }
        for c in &credits {
            prop_assert!(c.amount >= Decimal::ZERO);
            prop_assert!(c.amount.scale() <= scale);
            prop_assert!(c.at >= window_start && c.at <= close());
        }
        let mut shuffled = touches.clone();
        if reverse {
            shuffled.reverse();
        }
        let again = attribute(amount, &currency, &shuffled, &model, close(), 90, milestone).unwrap();
        prop_assert_eq!(again, credits);
    }
}
