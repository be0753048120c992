//! Opportunity reports over plain data (§4.4): weighted pipeline, cumulative forecast
//! categories, funnel with conversion and dwell, win rate.
//!
//! - **Weighted pipeline**: each deal contributes `round(amount × p / 100)` to its group,
//!   `p` being 100 for won, 0 for lost, else its probability; rounding is per deal with the
//!   tenant's mode, so every grouping (month, owner, both) adds up to the same total. Lost
//!   deals contribute nothing (not even to `count`/`amount`). Groups are per currency.
//! - **Forecast categories** (unweighted, cumulative): `closed` = won; `commit` = closed +
//!   open deals in commit stages; `best_case` = commit + open best-case deals; `pipeline` =
//!   best case + open pipeline deals. Open deals at a stage the pipeline does not know count
//!   as `pipeline`.
//! - **Funnel**: a deal *reached* a stage when its history (or current stage) entered that
//!   stage or any later one; won deals reached every stage and the final `won` step. So the
//!   funnel never widens and conversions stay ≤ 100 %.
//! - **Dwell**: per deal, the time between entering a stage and the next history entry,
//!   summed over re-entries; the stage average is over deals that left the stage at least
//!   once (time in the current stage is not counted).
//! - **Win rate**: won / (won + lost) among deals whose close date lies in the period.

use super::pipeline::{
    effective_probability, ForecastCategory, OpportunityStatus, Pipeline, StageChange, WON,
};
use super::units::round_to;
use crate::error::CrmResult;
use crate::ids::UserId;
use crate::money::{checked, Currency, RoundingMode};
use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the reports need of one opportunity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OpportunityFacts {
    /// Owner.
    pub owner: UserId,
    /// Amount.
    pub amount: Decimal,
    /// Currency of the amount.
    pub currency: Currency,
    /// Stored probability in percent (ignored for won/lost).
    pub probability: Decimal,
    /// Status.
    pub status: OpportunityStatus,
    /// Expected close date while open; the actual close date once won or lost.
    pub close_date: NaiveDate,
    /// Current stage key.
    pub stage: String,
    /// Stage history (any order; sorted by time here).
    #[serde(default)]
    pub history: Vec<StageChange>,
}

impl OpportunityFacts {
    /// 100 when won, 0 when lost, else the stored probability.
    pub fn effective_probability(&self) -> Decimal {
        effective_probability(self.status, self.probability)
    }
}

/// A calendar month (`2024-06`).
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
pub struct YearMonth {
    /// Year.
    pub year: i32,
    /// Month, 1–12.
    pub month: u32,
}

impl YearMonth {
    /// The month of `date`.
    pub fn of(date: NaiveDate) -> Self {
        YearMonth {
            year: date.year(),
            month: date.month(),
        }
    }
}

impl std::fmt::Display for YearMonth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// An amount in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CurrencyAmount {
    /// Currency.
    pub currency: Currency,
    /// Amount.
    pub amount: Decimal,
}

/// One group of the weighted pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct WeightedRow<G> {
    /// The group (month, owner, …).
    pub group: G,
    /// Currency of the amounts.
    pub currency: Currency,
    /// Open and won deals in the group.
    pub count: u32,
    /// Σ amounts of those deals (unweighted).
    pub amount: Decimal,
    /// Σ round(amount × probability / 100).
    pub weighted: Decimal,
}

/// Weighted pipeline grouped by `group_of`, one row per (group, currency), sorted. Sums are
/// checked: an overflow is the rule `amount_overflow`, never a capped total.
pub fn weighted_pipeline<G: Ord + Clone>(
    opportunities: &[OpportunityFacts],
    mode: RoundingMode,
    group_of: impl Fn(&OpportunityFacts) -> G,
) -> CrmResult<Vec<WeightedRow<G>>> {
    let mut rows: BTreeMap<(G, Currency), WeightedRow<G>> = BTreeMap::new();
    for o in opportunities {
        if o.status == OpportunityStatus::Lost {
            continue;
        }
        let product = checked::mul(o.amount, o.effective_probability(), "weighted pipeline")?;
        let weighted = round_to(product / Decimal::ONE_HUNDRED, &o.currency, mode);
        let g = group_of(o);
        let row = rows
            .entry((g.clone(), o.currency.clone()))
            .or_insert_with(|| WeightedRow {
                group: g,
                currency: o.currency.clone(),
                count: 0,
                amount: checked::zero(&o.currency),
                weighted: checked::zero(&o.currency),
            });
        row.count = row.count.saturating_add(1);
        row.amount = checked::add(row.amount, o.amount, "pipeline amount")?;
        row.weighted = checked::add(row.weighted, weighted, "weighted pipeline")?;
    }
    Ok(rows.into_values().collect())
}

/// Weighted pipeline per close month and currency.
pub fn weighted_by_month(
    opportunities: &[OpportunityFacts],
    mode: RoundingMode,
) -> CrmResult<Vec<WeightedRow<YearMonth>>> {
    weighted_pipeline(opportunities, mode, |o| YearMonth::of(o.close_date))
}

/// Weighted pipeline per owner and currency.
pub fn weighted_by_owner(
    opportunities: &[OpportunityFacts],
    mode: RoundingMode,
) -> CrmResult<Vec<WeightedRow<UserId>>> {
    weighted_pipeline(opportunities, mode, |o| o.owner)
}

/// Weighted pipeline per (close month, owner) and currency.
pub fn weighted_by_month_and_owner(
    opportunities: &[OpportunityFacts],
    mode: RoundingMode,
) -> CrmResult<Vec<WeightedRow<(YearMonth, UserId)>>> {
    weighted_pipeline(opportunities, mode, |o| {
        (YearMonth::of(o.close_date), o.owner)
    })
}

/// Cumulative forecast amounts of one month and currency (each includes the next).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CategoryRow {
    /// Close month.
    pub month: YearMonth,
    /// Currency.
    pub currency: Currency,
    /// Won.
    pub closed: Decimal,
    /// Closed + open commit.
    pub commit: Decimal,
    /// Commit + open best case.
    pub best_case: Decimal,
    /// Best case + open pipeline.
    pub pipeline: Decimal,
}

/// Cumulative forecast categories per close month and currency, sorted.
pub fn forecast_categories(
    pipeline: &Pipeline,
    opportunities: &[OpportunityFacts],
) -> CrmResult<Vec<CategoryRow>> {
    let mut rows: BTreeMap<(YearMonth, Currency), [Decimal; 4]> = BTreeMap::new();
    for o in opportunities {
        let category = match o.status {
            OpportunityStatus::Lost => continue,
            OpportunityStatus::Won => ForecastCategory::Closed,
            OpportunityStatus::Open => pipeline
                .category_of(&o.stage)
                .filter(|c| *c != ForecastCategory::Closed)
                .unwrap_or(ForecastCategory::Pipeline),
        };
        let slot = match category {
            ForecastCategory::Closed => 0,
            ForecastCategory::Commit => 1,
            ForecastCategory::BestCase => 2,
            ForecastCategory::Pipeline => 3,
        };
        let sums = rows
            .entry((YearMonth::of(o.close_date), o.currency.clone()))
            .or_insert([checked::zero(&o.currency); 4]);
        sums[slot] = checked::add(sums[slot], o.amount, "forecast category")?;
    }
    rows.into_iter()
        .map(|((month, currency), a)| {
            let what = "forecast category";
            let closed = a[0];
            let commit = checked::add(closed, a[1], what)?;
            let best_case = checked::add(commit, a[2], what)?;
            Ok(CategoryRow {
                month,
                currency,
                closed,
                commit,
                best_case,
                pipeline: checked::add(best_case, a[3], what)?,
            })
        })
        .collect()
}

/// One step of the funnel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FunnelStep {
    /// Stage key (the last step is `won`).
    pub stage: String,
    /// Deals that reached the stage.
    pub count: u32,
    /// Their amounts per currency, by currency code.
    pub amounts: Vec<CurrencyAmount>,
    /// `count / previous count` in percent, 2 decimals half-up; `None` for the first step
    /// or when the previous step is empty.
    pub conversion_percent: Option<Decimal>,
    /// Average time deals spent in the stage, in whole seconds (see module docs); `None`
    /// when no deal has left it yet, and always `None` for `won`.
    pub average_dwell_seconds: Option<i64>,
}

/// Per open stage: the deepest position a deal reached (`stages.len()` for won), and its
/// total seconds per stage it has left.
fn trace(pipeline: &Pipeline, o: &OpportunityFacts) -> (Option<usize>, BTreeMap<usize, i64>) {
    let won_pos = pipeline.stages.len();
    let pos = |key: &str| {
        if key == WON {
            Some(won_pos)
        } else {
            pipeline.position(key)
        }
    };
    let mut history: Vec<&StageChange> = o.history.iter().collect();
    history.sort_by_key(|h| h.at);
    let mut deepest = pos(&o.stage);
    if o.status == OpportunityStatus::Won {
        deepest = Some(won_pos);
    }
    for h in &history {
        deepest = deepest.max(pos(&h.to));
    }
    let mut dwell: BTreeMap<usize, i64> = BTreeMap::new();
    for w in history.windows(2) {
        if let Some(p) = pipeline.position(&w[0].to) {
            let secs = (w[1].at - w[0].at).num_seconds().max(0);
            *dwell.entry(p).or_default() += secs;
        }
    }
    (deepest, dwell)
}

fn percent_of(part: u32, whole: u32) -> Option<Decimal> {
    (whole > 0).then(|| {
        (Decimal::from(part) * Decimal::ONE_HUNDRED / Decimal::from(whole))
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
    })
}

/// The funnel over the pipeline's open stages plus a final `won` step.
pub fn funnel(
    pipeline: &Pipeline,
    opportunities: &[OpportunityFacts],
) -> CrmResult<Vec<FunnelStep>> {
    let n = pipeline.stages.len() + 1;
    let mut counts = vec![0u32; n];
    let mut amounts: Vec<BTreeMap<Currency, Decimal>> = vec![BTreeMap::new(); n];
    let mut dwell_sum = vec![0i64; n];
    let mut dwell_deals = vec![0i64; n];
    for o in opportunities {
        let (deepest, dwell) = trace(pipeline, o);
        if let Some(d) = deepest {
            for i in 0..=d.min(n - 1) {
                counts[i] = counts[i].saturating_add(1);
                let slot = amounts[i]
                    .entry(o.currency.clone())
                    .or_insert_with(|| checked::zero(&o.currency));
                *slot = checked::add(*slot, o.amount, "funnel amount")?;
            }
        }
        for (p, secs) in dwell {
            dwell_sum[p] = dwell_sum[p].saturating_add(secs);
            dwell_deals[p] += 1;
        }
    }
    let keys = pipeline
        .stages
        .iter()
        .map(|s| s.key.clone())
        .chain(std::iter::once(WON.to_owned()));
    Ok(keys
        .enumerate()
        .map(|(i, stage)| FunnelStep {
            stage,
            count: counts[i],
            amounts: amounts[i]
                .iter()
                .map(|(c, a)| CurrencyAmount {
                    currency: c.clone(),
                    amount: *a,
                })
                .collect(),
            conversion_percent: if i == 0 {
                None
            } else {
                percent_of(counts[i], counts[i - 1])
            },
            average_dwell_seconds: (dwell_deals[i] > 0).then(|| dwell_sum[i] / dwell_deals[i]),
        })
        .collect())
}

/// Won and lost deals of a period and the win rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct WinRate {
    /// Won deals closing in the period.
    pub won: u32,
    /// Lost deals closing in the period.
    pub lost: u32,
    /// `won / (won + lost)` in percent, 2 decimals half-up; `None` when nothing closed.
    pub rate_percent: Option<Decimal>,
}

/// Win rate among deals whose close date lies in `from..=to`.
pub fn win_rate(opportunities: &[OpportunityFacts], from: NaiveDate, to: NaiveDate) -> WinRate {
    let in_period = |o: &&OpportunityFacts| o.close_date >= from && o.close_date <= to;
    let won = opportunities
        .iter()
        .filter(in_period)
        .filter(|o| o.status == OpportunityStatus::Won)
        .count() as u32;
    let lost = opportunities
        .iter()
        .filter(in_period)
        .filter(|o| o.status == OpportunityStatus::Lost)
        .count() as u32;
    WinRate {
        won,
        lost,
        rate_percent: percent_of(won, won + lost),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sales::pipeline::Stage;
    use chrono::{DateTime, Duration, Utc};
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }
    fn date(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn opp(amount: &str, p: &str, status: OpportunityStatus, close: NaiveDate) -> OpportunityFacts {
        OpportunityFacts {
            owner: UserId(1),
            amount: d(amount),
            currency: Currency::parse("CNY", "c").unwrap(),
            probability: d(p),
            status,
            close_date: close,
            stage: "qualify".into(),
            history: vec![],
        }
    }
    fn pipeline() -> Pipeline {
        let st = |key: &str, p: i64, category| Stage {
            key: key.into(),
            name: key.into(),
            probability: Decimal::from(p),
            category,
        };
        Pipeline {
            stages: vec![
                st("qualify", 10, ForecastCategory::Pipeline),
                st("propose", 40, ForecastCategory::BestCase),
                st("negotiate", 80, ForecastCategory::Commit),
            ],
        }
    }
    fn t(hours: i64) -> DateTime<Utc> {
        DateTime::<Utc>::default() + Duration::hours(hours)
    }
    fn h(from: Option<&str>, to: &str, hours: i64) -> StageChange {
        StageChange {
            from: from.map(Into::into),
            to: to.into(),
            at: t(hours),
            by: UserId(1),
        }
    }

    #[test]
    fn won_counts_at_100_and_lost_at_0_whatever_is_stored() {
        let june = date(2024, 6, 10);
        let deals = vec![
            opp("100", "20", OpportunityStatus::Won, june),
            opp("100", "90", OpportunityStatus::Lost, june),
            opp("100", "30", OpportunityStatus::Open, june),
        ];
        let rows = weighted_by_month(&deals, RoundingMode::HalfUp).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].weighted, d("130"));
        assert_eq!(rows[0].count, 2);
        assert_eq!(rows[0].amount, d("200"));
    }

    #[test]
    fn weighted_rounds_per_deal_with_the_tenant_mode() {
        let june = date(2024, 6, 10);
        // 0.25 × 50 % = 0.125 per deal.
        let deals = vec![opp("0.25", "50", OpportunityStatus::Open, june)];
        assert_eq!(
            weighted_by_owner(&deals, RoundingMode::HalfUp).unwrap()[0].weighted,
            d("0.13")
        );
        assert_eq!(
            weighted_by_owner(&deals, RoundingMode::HalfEven).unwrap()[0].weighted,
            d("0.12")
        );
        let both = weighted_by_month_and_owner(&deals, RoundingMode::HalfUp).unwrap();
        assert_eq!(
            both[0].group,
            (
                YearMonth {
                    year: 2024,
                    month: 6
                },
                UserId(1)
            )
        );
        assert_eq!(YearMonth::of(june).to_string(), "2024-06");
    }

    #[test]
    fn categories_are_cumulative() {
        let m = date(2024, 6, 1);
        let mut deals = vec![
            opp("1", "0", OpportunityStatus::Won, m),
            opp("10", "0", OpportunityStatus::Open, m),
            opp("100", "0", OpportunityStatus::Open, m),
            opp("1000", "0", OpportunityStatus::Open, m),
            opp("10000", "0", OpportunityStatus::Lost, m),
            opp("100000", "0", OpportunityStatus::Open, m),
        ];
        deals[1].stage = "negotiate".into();
        deals[2].stage = "propose".into();
        deals[3].stage = "qualify".into();
        deals[5].stage = "unknown".into();
        let rows = forecast_categories(&pipeline(), &deals).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].closed, d("1"));
        assert_eq!(rows[0].commit, d("11"));
        assert_eq!(rows[0].best_case, d("111"));
        assert_eq!(rows[0].pipeline, d("101111"));
    }

    #[test]
    fn funnel_counts_reached_stages_conversion_and_dwell() {
        let m = date(2024, 6, 1);
        let mut a = opp("100", "0", OpportunityStatus::Won, m);
        a.stage = WON.into();
        a.history = vec![
            h(None, "qualify", 0),
            h(Some("qualify"), "negotiate", 10), // skipped propose
            h(Some("negotiate"), WON, 30),
        ];
        let mut b = opp("50", "0", OpportunityStatus::Lost, m);
        b.stage = "lost".into();
        b.history = vec![
            h(None, "qualify", 0),
            h(Some("qualify"), "propose", 20),
            h(Some("propose"), "lost", 25),
        ];
        let mut c = opp("10", "0", OpportunityStatus::Open, m);
        c.history = vec![h(None, "qualify", 0)];
        let steps = funnel(&pipeline(), &[a, b, c]).unwrap();
        let counts: Vec<u32> = steps.iter().map(|s| s.count).collect();
        assert_eq!(counts, vec![3, 2, 1, 1]);
        assert_eq!(steps[3].stage, WON);
        assert_eq!(steps[0].amounts[0].amount, d("160"));
        assert_eq!(steps[0].conversion_percent, None);
        assert_eq!(steps[1].conversion_percent, Some(d("66.67")));
        assert_eq!(steps[2].conversion_percent, Some(d("50")));
        assert_eq!(steps[3].conversion_percent, Some(d("100")));
        // qualify: a 10 h, b 20 h (c still there, not counted) → 15 h.
        assert_eq!(steps[0].average_dwell_seconds, Some(15 * 3600));
        assert_eq!(steps[1].average_dwell_seconds, Some(5 * 3600));
        assert_eq!(steps[2].average_dwell_seconds, Some(20 * 3600));
        assert_eq!(steps[3].average_dwell_seconds, None);
    }

    #[test]
    fn win_rate_in_a_period_inclusive() {
        let deals = vec![
            opp("1", "0", OpportunityStatus::Won, date(2024, 1, 1)),
            opp("1", "0", OpportunityStatus::Won, date(2024, 1, 31)),
            opp("1", "0", OpportunityStatus::Lost, date(2024, 1, 15)),
            opp("1", "0", OpportunityStatus::Won, date(2024, 2, 1)),
            opp("1", "0", OpportunityStatus::Open, date(2024, 1, 10)),
        ];
        let r = win_rate(&deals, date(2024, 1, 1), date(2024, 1, 31));
        assert_eq!((r.won, r.lost), (2, 1));
        assert_eq!(r.rate_percent, Some(d("66.67")));
        assert_eq!(
            win_rate(&deals, date(2023, 1, 1), date(2023, 12, 31)).rate_percent,
            None
        );
    }
}
