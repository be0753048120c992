//! Attribution models and the weight each gives to the touches of one deal.

use crate::error::{CrmError, CrmResult};
use chrono::{DateTime, Utc};
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The longest half-life a time-decay model accepts, in days.
pub const MAX_HALF_LIFE_DAYS: u32 = 3650;

/// How a deal's amount is shared among its touches (earliest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum AttributionModel {
    /// The earliest touch gets everything.
    FirstTouch,
    /// The latest touch gets everything.
    LastTouch,
    /// Every touch the same.
    Linear,
    /// Weight 2^(−age / half-life), age measured back from the close: a touch one half-life
    /// older than another weighs half as much.
    TimeDecay {
        /// Half-life in days, above 0 and at most 3650, at most 2 decimals.
        half_life_days: Decimal,
    },
    /// 40 % first, 40 % last, 20 % shared by the touches between; one touch 100 %, two 50/50.
    UShaped,
    /// 30 % each to the first touch, the milestone touch (the last touch at or before the
    /// deal was opened, else the middle one) and the last touch, 10 % shared by the others;
    /// one touch 100 %, two 50/50, three a third each.
    WShaped,
    /// Position weights in percent summing to exactly 100: `first`, `middle` (shared by the
    /// touches between) and `last`. One touch 100 %; two touches split `first`:`last` (50/50
    /// when both are 0).
    Custom {
        /// Share of the earliest touch, in percent.
        first: Decimal,
        /// Share of the touches between the first and the last, in percent.
        middle: Decimal,
        /// Share of the latest touch, in percent.
        last: Decimal,
    },
}

impl AttributionModel {
    /// Stable name of the model's kind (`linear`, `time_decay`, …).
    pub fn as_str(&self) -> &'static str {
        match self {
            AttributionModel::FirstTouch => "first_touch",
            AttributionModel::LastTouch => "last_touch",
            AttributionModel::Linear => "linear",
            AttributionModel::TimeDecay { .. } => "time_decay",
            AttributionModel::UShaped => "u_shaped",
            AttributionModel::WShaped => "w_shaped",
            AttributionModel::Custom { .. } => "custom",
        }
    }

    /// A key naming the model with its parameters (`time_decay:7`, `custom:40/20/40`), under
    /// which results are stored: two models with the same key attribute identically.
    pub fn key(&self) -> String {
        match self {
            AttributionModel::TimeDecay { half_life_days } => {
                format!("time_decay:{}", half_life_days.normalize())
            }
            AttributionModel::Custom {
                first,
                middle,
                last,
            } => format!(
                "custom:{}/{}/{}",
                first.normalize(),
                middle.normalize(),
                last.normalize()
            ),
            other => other.as_str().to_owned(),
        }
    }

    /// Refuses a half-life ≤ 0, above [`MAX_HALF_LIFE_DAYS`] or with more than 2 decimals
    /// (field `{field}.half_life_days`), custom weights outside 0–100 or with more than 2
    /// decimals (`{field}.first` …), and custom weights not summing to exactly 100 (rule
    /// `weight_sum`).
    pub fn validate(&self, field: &str) -> CrmResult<()> {
        let percent = |name: &str, v: &Decimal| {
            if v.is_sign_negative() && !v.is_zero()
                || *v > Decimal::ONE_HUNDRED
                || v.normalize().scale() > 2
            {
                Err(CrmError::validation(
                    format!("{field}.{name}"),
                    "a percentage from 0 to 100 with at most 2 decimals",
                ))
            } else {
                Ok(())
            }
        };
        match self {
            AttributionModel::TimeDecay { half_life_days } => {
                if *half_life_days <= Decimal::ZERO
                    || *half_life_days > Decimal::from(MAX_HALF_LIFE_DAYS)
                    || half_life_days.normalize().scale() > 2
                {
                    return Err(CrmError::validation(
                        format!("{field}.half_life_days"),
                        format!(
                            "a number of days above 0 and at most {MAX_HALF_LIFE_DAYS}, with at most 2 decimals"
                        ),
                    ));
                }
                Ok(())
            }
            AttributionModel::Custom {
                first,
                middle,
                last,
            } => {
                percent("first", first)?;
                percent("middle", middle)?;
                percent("last", last)?;
                let sum = *first + *middle + *last;
                if sum != Decimal::ONE_HUNDRED {
                    return Err(CrmError::rule(
                        "weight_sum",
                        format!("custom attribution weights sum to {sum} %, not 100 %"),
                    ));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The weight of each of `at` (touch instants, earliest first) for a deal closed at
    /// `close`; `milestone` is when the deal was opened (W-shaped). Proportions only: the
    /// caller normalizes. Never all zero for a non-empty list.
    pub fn weights(
        &self,
        at: &[DateTime<Utc>],
        close: DateTime<Utc>,
        milestone: Option<DateTime<Utc>>,
    ) -> Vec<Decimal> {
        let n = at.len();
        let one = Decimal::ONE;
        let zero = Decimal::ZERO;
        if n <= 1 {
            return vec![one; n];
        }
        let between = Decimal::from(n - 2);
        match self {
            AttributionModel::FirstTouch => {
                let mut w = vec![zero; n];
                w[0] = one;
                w
            }
            AttributionModel::LastTouch => {
                let mut w = vec![zero; n];
                w[n - 1] = one;
                w
            }
            AttributionModel::Linear => vec![one; n],
            AttributionModel::TimeDecay { half_life_days } => decay(at, close, *half_life_days),
            AttributionModel::UShaped => positional(n, Decimal::from(40), Decimal::from(20)),
            AttributionModel::WShaped => w_shaped(at, milestone),
            AttributionModel::Custom {
                first,
                middle,
                last,
            } => {
                if n == 2 {
                    if (*first + *last).is_zero() {
                        return vec![one, one];
                    }
                    return vec![*first, *last];
                }
                let mut w = vec![*middle; n];
                w[0] = *first * between;
                w[n - 1] = *last * between;
                w
            }
        }
    }
}

/// `ends` each to the first and last touch, `middle` shared by the `n − 2` between, scaled
/// by `n − 2` so the weights stay exact integers.
fn positional(n: usize, ends: Decimal, middle: Decimal) -> Vec<Decimal> {
    if n == 2 {
        return vec![Decimal::ONE, Decimal::ONE];
    }
    let between = Decimal::from(n - 2);
    let mut w = vec![middle; n];
    w[0] = ends * between;
    w[n - 1] = ends * between;
    w
}

fn w_shaped(at: &[DateTime<Utc>], milestone: Option<DateTime<Utc>>) -> Vec<Decimal> {
    let n = at.len();
    if n <= 3 {
        return vec![Decimal::ONE; n];
    }
    // The last touch at or before the deal was opened, when it lies strictly between the
    // first and the last; otherwise the middle touch.
    let m = milestone
        .and_then(|when| (1..n - 1).rev().find(|&i| at[i] <= when))
        .unwrap_or((n - 1) / 2);
    let others = Decimal::from(n - 3);
    let mut w = vec![Decimal::TEN; n];
    for i in [0, m, n - 1] {
        w[i] = Decimal::from(30) * others;
    }
    w
}

/// 2^(−age / half-life), relative to the newest touch so the newest weighs exactly 1 and the
/// weights never all vanish; 12 decimals, computed the same way for the same inputs.
fn decay(at: &[DateTime<Utc>], close: DateTime<Utc>, half_life_days: Decimal) -> Vec<Decimal> {
    let half_life_secs = f64::try_from(half_life_days).unwrap_or(1.0) * 86_400.0;
    let age = |t: &DateTime<Utc>| (close - *t).num_seconds().max(0) as f64;
    let youngest = at.iter().map(age).fold(f64::INFINITY, f64::min);
    at.iter()
        .map(|t| {
            let factor = (-(age(t) - youngest) / half_life_secs).exp2();
            Decimal::from_f64(factor)
                .unwrap_or(Decimal::ZERO)
                .round_dp(12)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 3, d, 12, 0, 0).unwrap()
    }

    #[test]
    fn u_shaped_gives_forty_twenty_forty_and_falls_back_for_short_paths() {
        let m = AttributionModel::UShaped;
        let close = day(20);
        assert_eq!(m.weights(&[day(1)], close, None), vec![Decimal::ONE]);
        assert_eq!(
            m.weights(&[day(1), day(2)], close, None),
            vec![Decimal::ONE, Decimal::ONE]
        );
        assert_eq!(
            m.weights(&[day(1), day(2), day(3)], close, None),
            vec![Decimal::from(40), Decimal::from(20), Decimal::from(40)]
        );
        // four touches: 40, 10, 10, 40 as 80:20:20:80
        assert_eq!(
            m.weights(&[day(1), day(2), day(3), day(4)], close, None),
            [80, 20, 20, 80].map(Decimal::from).to_vec()
        );
    }

    #[test]
    fn w_shaped_picks_the_milestone_before_the_deal_opened() {
        let m = AttributionModel::WShaped;
        let at = [day(1), day(2), day(3), day(4), day(5)];
        // opened on the 3rd at 12:00 → touch index 2 is the milestone (at or before)
        let w = m.weights(&at, day(9), Some(day(3)));
        assert_eq!(w, [60, 10, 60, 10, 60].map(Decimal::from).to_vec());
        // one second earlier → index 1
        let w = m.weights(&at, day(9), Some(day(3) - chrono::Duration::seconds(1)));
        assert_eq!(w, [60, 60, 10, 10, 60].map(Decimal::from).to_vec());
        // opened before any touch → the middle touch
        let w = m.weights(&at, day(9), Some(day(1) - chrono::Duration::days(1)));
        assert_eq!(w, [60, 10, 60, 10, 60].map(Decimal::from).to_vec());
        assert_eq!(m.weights(&at[..3], day(9), None), vec![Decimal::ONE; 3]);
    }

    #[test]
    fn time_decay_halves_per_half_life() {
        let m = AttributionModel::TimeDecay {
            half_life_days: Decimal::from(7),
        };
        let close = Utc.with_ymd_and_hms(2024, 3, 29, 12, 0, 0).unwrap();
        let w = m.weights(&[day(1), day(8), day(15), day(22)], close, None);
        assert_eq!(
            w,
            vec![
                Decimal::new(125, 3),
                Decimal::new(25, 2),
                Decimal::new(5, 1),
                Decimal::ONE
            ]
        );
    }

    #[test]
    fn custom_weights_must_sum_to_one_hundred() {
        let custom = |f: i64, m: i64, l: i64| AttributionModel::Custom {
            first: Decimal::from(f),
            middle: Decimal::from(m),
            last: Decimal::from(l),
        };
        assert!(custom(50, 0, 50).validate("model").is_ok());
        let err = custom(50, 0, 49).validate("model").unwrap_err();
        assert!(err.to_string().contains("weight_sum"), "{err}");
        let err = custom(101, 0, -1).validate("model").unwrap_err();
        assert!(err.to_string().contains("model.first"), "{err}");
        assert_eq!(
            custom(0, 100, 0).weights(&[day(1), day(2)], day(9), None),
            vec![Decimal::ONE, Decimal::ONE]
        );
        assert_eq!(custom(70, 0, 30).key(), "custom:70/0/30");
    }

    #[test]
    fn half_life_must_be_positive_and_bounded() {
        let decay = |d: Decimal| AttributionModel::TimeDecay { half_life_days: d };
        for bad in [
            Decimal::ZERO,
            Decimal::from(-1),
            Decimal::from(MAX_HALF_LIFE_DAYS + 1),
            Decimal::new(1001, 3),
        ] {
            let err = decay(bad).validate("model").unwrap_err();
            assert!(err.to_string().contains("model.half_life_days"), "{err}");
        }
        assert!(decay(Decimal::new(1, 2)).validate("model").is_ok());
        assert!(decay(Decimal::from(MAX_HALF_LIFE_DAYS))
            .validate("model")
            .is_ok());
    }
}
