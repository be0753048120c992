//! Aging report (账龄) as of a date: outstanding amounts per (customer, contract) key and
//! currency, in buckets by days past due.
//!
//! Days past due = `as_of − due_date`. Due after `as_of` → the "not yet due" bucket; due on
//! `as_of` is 0 days past due and lands in the first bucket. Bucket upper bounds are
//! inclusive: with the default `[30, 60, 90, 120]` the buckets are 0–30, 31–60, 61–90,
//! 91–120 and 121+. Every outstanding amount lands in exactly one bucket, so the buckets of
//! a row always add up to its outstanding total. Amounts are grouped per currency and never
//! added across currencies.

use super::plan::Installment;
use crate::error::{CrmError, CrmResult};
use crate::money::checked;
use crate::money::Currency;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Inclusive upper bounds, in days past due, of every bucket but the last (open-ended) one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AgingBuckets {
    /// Strictly ascending bounds; `[30, 60, 90, 120]` by default.
    pub upper_bounds: Vec<u32>,
}

impl Default for AgingBuckets {
    fn default() -> Self {
        AgingBuckets {
            upper_bounds: vec![30, 60, 90, 120],
        }
    }
}

impl AgingBuckets {
    /// Bounds must ascend strictly (field `aging.upper_bounds[i]`).
    pub fn validate(&self) -> CrmResult<()> {
        for (i, w) in self.upper_bounds.windows(2).enumerate() {
            if w[1] <= w[0] {
                return Err(CrmError::validation(
                    format!("aging.upper_bounds[{}]", i + 1),
                    "bounds must ascend strictly",
                ));
            }
        }
        Ok(())
    }

    /// Number of past-due buckets (bounds + 1).
    pub fn len(&self) -> usize {
        self.upper_bounds.len() + 1
    }

    /// Never true: there is always the open-ended bucket.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Index of the bucket for `days_past_due ≥ 0`: the first whose inclusive upper bound is
    /// not below it, else the open-ended last bucket.
    pub fn bucket_of(&self, days_past_due: u32) -> usize {
        self.upper_bounds
            .iter()
            .position(|&b| days_past_due <= b)
            .unwrap_or(self.upper_bounds.len())
    }

    /// Labels of the past-due buckets: `["0–30", "31–60", "61–90", "91–120", "121+"]`.
    pub fn labels(&self) -> Vec<String> {
        let mut out = Vec::with_capacity(self.len());
        let mut low: u64 = 0;
        for &b in &self.upper_bounds {
            out.push(format!("{low}–{b}"));
            low = u64::from(b) + 1;
        }
        out.push(format!("{low}+"));
        out
    }
}

/// One outstanding amount to age: a key (e.g. `(customer, contract)`), its currency, due
/// date and outstanding amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Receivable<K> {
    /// What rows group by; the service uses `(customer id, contract id)`.
    pub key: K,
    /// Currency of the amount.
    pub currency: Currency,
    /// Due date.
    pub due_date: NaiveDate,
    /// Outstanding amount, not negative.
    pub outstanding: Decimal,
}

/// The receivables of one contract's installments (void and settled ones skipped).
pub fn receivables_of<K: Clone>(
    key: K,
    currency: &Currency,
    installments: &[Installment],
) -> Vec<Receivable<K>> {
    installments
        .iter()
        .filter(|i| i.outstanding() > Decimal::ZERO)
        .map(|i| Receivable {
            key: key.clone(),
            currency: currency.clone(),
            due_date: i.due_date,
            outstanding: i.outstanding(),
        })
        .collect()
}

/// Bucketed amounts of one row or one currency total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AgingRow<K> {
    /// The key.
    pub key: K,
    /// Currency of every amount in the row.
    pub currency: Currency,
    /// Outstanding not yet due.
    pub not_yet_due: Decimal,
    /// Outstanding per past-due bucket, in [`AgingBuckets::labels`] order.
    pub buckets: Vec<Decimal>,
    /// `not_yet_due + Σ buckets`: everything outstanding.
    pub total: Decimal,
}

/// Totals of one currency over all rows.
pub type AgingTotals = AgingRow<()>;

/// The report: rows per (key, currency) sorted by key then currency code, and one total per
/// currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AgingReport<K> {
    /// The report date.
    pub as_of: NaiveDate,
    /// Bucket labels, e.g. `0–30 … 121+`.
    pub labels: Vec<String>,
    /// One row per key and currency with something outstanding.
    pub rows: Vec<AgingRow<K>>,
    /// One total per currency, by currency code.
    pub totals: Vec<AgingTotals>,
}

fn empty_row<K>(key: K, currency: Currency, n: usize) -> AgingRow<K> {
    let zero = crate::money::checked::zero(&currency);
    AgingRow {
        key,
        currency,
        not_yet_due: zero,
        buckets: vec![zero; n],
        total: zero,
    }
}

fn add<K>(row: &mut AgingRow<K>, bucket: Option<usize>, amount: Decimal) -> CrmResult<()> {
    let slot = match bucket {
        None => &mut row.not_yet_due,
        Some(b) => &mut row.buckets[b],
    };
    *slot = checked::add(*slot, amount, "aging bucket")?;
    row.total = checked::add(row.total, amount, "aging total")?;
    Ok(())
}

/// Builds the aging report of `items` as of `as_of`. Zero amounts are skipped; a negative
/// amount is field `items[i].outstanding`; bad bounds are field `aging.upper_bounds[i]`.
pub fn aging_report<K: Ord + Clone>(
    items: &[Receivable<K>],
    as_of: NaiveDate,
    buckets: &AgingBuckets,
) -> CrmResult<AgingReport<K>> {
    buckets.validate()?;
    let n = buckets.len();
    let mut rows: BTreeMap<(K, Currency), AgingRow<K>> = BTreeMap::new();
    let mut totals: BTreeMap<Currency, AgingTotals> = BTreeMap::new();
    for (i, it) in items.iter().enumerate() {
        if it.outstanding < Decimal::ZERO {
            return Err(CrmError::validation(
                format!("items[{i}].outstanding"),
                "must not be negative",
            ));
        }
        if it.outstanding.is_zero() {
            continue;
        }
        let days = (as_of - it.due_date).num_days();
        let bucket = if days < 0 {
            None
        } else {
            Some(buckets.bucket_of(u32::try_from(days).unwrap_or(u32::MAX)))
        };
        let row = rows
            .entry((it.key.clone(), it.currency.clone()))
            .or_insert_with(|| empty_row(it.key.clone(), it.currency.clone(), n));
        add(row, bucket, it.outstanding)?;
        let total = totals
            .entry(it.currency.clone())
            .or_insert_with(|| empty_row((), it.currency.clone(), n));
        add(total, bucket, it.outstanding)?;
    }
    Ok(AgingReport {
        as_of,
        labels: buckets.labels(),
        rows: rows.into_values().collect(),
        totals: totals.into_values().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }
    fn cur(c: &str) -> Currency {
        Currency::parse(c, "c").unwrap()
    }
    fn as_of() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 12, 31).unwrap()
    }
    fn item(key: u32, c: &str, days_past_due: i64, amount: &str) -> Receivable<u32> {
        Receivable {
            key,
            currency: cur(c),
            due_date: as_of() - chrono::Duration::days(days_past_due),
            outstanding: d(amount),
        }
    }

    #[test]
    fn labels_and_bucket_bounds() {
        let b = AgingBuckets::default();
        assert_eq!(b.labels(), vec!["0–30", "31–60", "61–90", "91–120", "121+"]);
        assert_eq!(b.bucket_of(0), 0);
        assert_eq!(b.bucket_of(u32::MAX), 4);
        let custom = AgingBuckets {
            upper_bounds: vec![7],
        };
        assert_eq!(custom.labels(), vec!["0–7", "8+"]);
        assert_eq!(custom.bucket_of(7), 0);
        assert_eq!(custom.bucket_of(8), 1);
        let none = AgingBuckets {
            upper_bounds: vec![],
        };
        assert_eq!(none.labels(), vec!["0+"]);
        assert!(AgingBuckets {
            upper_bounds: vec![30, 30]
        }
        .validate()
        .is_err());
        assert!(AgingBuckets {
            upper_bounds: vec![60, 30]
        }
        .validate()
        .is_err());
    }

    #[test]
    fn currencies_are_never_added() {
        let items = vec![
            item(1, "CNY", 10, "100"),
            item(1, "USD", 10, "7"),
            item(2, "CNY", -5, "50"),
            item(2, "CNY", 200, "0"),
        ];
        let r = aging_report(&items, as_of(), &AgingBuckets::default()).unwrap();
        assert_eq!(r.rows.len(), 3);
        assert_eq!(r.totals.len(), 2);
        let cny = &r.totals[0];
        assert_eq!(cny.currency, cur("CNY"));
        assert_eq!(cny.total, d("150"));
        assert_eq!(cny.not_yet_due, d("50"));
        assert_eq!(cny.buckets[0], d("100"));
        assert_eq!(r.totals[1].total, d("7"));
    }

    #[test]
    fn negative_amounts_are_refused() {
        let items = vec![item(1, "CNY", 10, "-1")];
        let err = aging_report(&items, as_of(), &AgingBuckets::default()).unwrap_err();
        assert!(
            matches!(err, CrmError::Validation { field, .. } if field == "items[0].outstanding")
        );
    }
}
