//! RFM figures and scores (1–5): thresholds, or quintiles over the tenant with recency
//! reversed (most recent = 5).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A customer's figures at a moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RfmFigures {
    /// Whole days since the last purchase; `None` if it never bought.
    pub recency_days: Option<i64>,
    /// Purchases in the window.
    pub frequency: u32,
    /// Sum of purchases in the window, in the tenant's default currency.
    pub monetary: Decimal,
}

/// Scores 1–5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RfmScores {
    /// Recency score (5 = most recent).
    pub r: u8,
    /// Frequency score.
    pub f: u8,
    /// Monetary score.
    pub m: u8,
}

/// Threshold scoring: four ascending bounds per figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Thresholds {
    /// Recency: days ≤ `b[0]` → 5, ≤ `b[1]` → 4, ≤ `b[2]` → 3, ≤ `b[3]` → 2, else (or never) 1.
    pub recency_days: [i64; 4],
    /// Frequency: ≥ `b[3]` → 5, ≥ `b[2]` → 4, ≥ `b[1]` → 3, ≥ `b[0]` → 2, else 1.
    pub frequency: [u32; 4],
    /// Monetary: ≥ `b[3]` → 5, ≥ `b[2]` → 4, ≥ `b[1]` → 3, ≥ `b[0]` → 2, else 1.
    #[serde(deserialize_with = "crate::money::strict::array")]
    pub monetary: [Decimal; 4],
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            recency_days: [30, 60, 90, 180],
            frequency: [2, 3, 5, 10],
            monetary: [
                Decimal::from(1_000),
                Decimal::from(10_000),
                Decimal::from(50_000),
                Decimal::from(100_000),
            ],
        }
    }
}

/// How scores are given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Scoring {
    /// Fixed bounds.
    Thresholds(Thresholds),
    /// Quintiles of the tenant's customers.
    Quintiles,
}

impl Default for Scoring {
    fn default() -> Self {
        Scoring::Thresholds(Thresholds::default())
    }
}

fn ascending_score<T: PartialOrd>(value: &T, bounds: &[T; 4]) -> u8 {
    1 + bounds.iter().filter(|b| value >= b).count() as u8
}

impl Thresholds {
    /// Scores figures.
    pub fn score(&self, f: &RfmFigures) -> RfmScores {
        let r = match f.recency_days {
            None => 1,
            Some(d) => 5 - self.recency_days.iter().filter(|b| d > **b).count() as u8,
        };
        RfmScores {
            r,
            f: ascending_score(&f.frequency, &self.frequency),
            m: ascending_score(&f.monetary, &self.monetary),
        }
    }
}

/// Quintile breakpoints computed over a population.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quintiles {
    recency: Vec<i64>,
    frequency: Vec<u32>,
    monetary: Vec<Decimal>,
}

fn score_in<T: PartialOrd>(sorted: &[T], value: &T) -> u8 {
    if sorted.is_empty() {
        return 3;
    }
    // Rank of the first element >= value, so ties share the lower score.
    let below = sorted.partition_point(|x| x < value);
    1 + ((below * 5) / sorted.len()).min(4) as u8
}

impl Quintiles {
    /// Breakpoints from every customer's figures (never-bought customers count as least
    /// recent).
    pub fn from_population(figures: &[RfmFigures]) -> Self {
        let mut recency: Vec<i64> = figures
            .iter()
            .map(|f| -f.recency_days.unwrap_or(i64::MAX / 2))
            .collect();
        let mut frequency: Vec<u32> = figures.iter().map(|f| f.frequency).collect();
        let mut monetary: Vec<Decimal> = figures.iter().map(|f| f.monetary).collect();
        recency.sort_unstable();
        frequency.sort_unstable();
        monetary.sort_unstable();
        Self {
            recency,
            frequency,
            monetary,
        }
    }

    /// Scores one customer against the population (recency reversed: most recent = 5).
    pub fn score(&self, f: &RfmFigures) -> RfmScores {
        RfmScores {
            r: score_in(&self.recency, &-f.recency_days.unwrap_or(i64::MAX / 2)),
            f: score_in(&self.frequency, &f.frequency),
            m: score_in(&self.monetary, &f.monetary),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fig(r: Option<i64>, f: u32, m: i64) -> RfmFigures {
        RfmFigures {
            recency_days: r,
            frequency: f,
            monetary: Decimal::from(m),
        }
    }

    #[test]
    fn thresholds_on_both_sides_of_each_bound() {
        let t = Thresholds::default();
        assert_eq!(t.score(&fig(Some(30), 0, 0)).r, 5);
        assert_eq!(t.score(&fig(Some(31), 0, 0)).r, 4);
        assert_eq!(t.score(&fig(Some(180), 0, 0)).r, 2);
        assert_eq!(t.score(&fig(Some(181), 0, 0)).r, 1);
        assert_eq!(t.score(&fig(None, 0, 0)).r, 1);
        assert_eq!(t.score(&fig(None, 1, 0)).f, 1);
        assert_eq!(t.score(&fig(None, 2, 0)).f, 2);
        assert_eq!(t.score(&fig(None, 9, 0)).f, 4);
        assert_eq!(t.score(&fig(None, 10, 0)).f, 5);
        assert_eq!(t.score(&fig(None, 0, 999)).m, 1);
        assert_eq!(t.score(&fig(None, 0, 1000)).m, 2);
        assert_eq!(t.score(&fig(None, 0, 100_000)).m, 5);
    }

    #[test]
    fn quintiles_reverse_recency_and_share_ties() {
        let pop: Vec<RfmFigures> = (0..10)
            .map(|i| fig(Some(i * 10), i as u32, i * 100))
            .collect();
        let q = Quintiles::from_population(&pop);
        assert_eq!(q.score(&pop[0]).r, 5, "most recent");
        assert_eq!(q.score(&pop[9]).r, 1, "least recent");
        assert_eq!(q.score(&pop[9]).f, 5);
        assert_eq!(q.score(&pop[0]).m, 1);
        assert_eq!(
            q.score(&fig(None, 0, 0)).r,
            1,
            "never bought is least recent"
        );
        let ties = vec![fig(Some(5), 1, 1); 10];
        let q = Quintiles::from_population(&ties);
        assert_eq!(q.score(&ties[0]), RfmScores { r: 1, f: 1, m: 1 });
    }
}
