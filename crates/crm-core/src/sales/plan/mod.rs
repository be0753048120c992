//! Installment plans (回款计划, §4.5): built from explicit amounts, from percents, or from a
//! payment-terms template, and re-flowed when an amendment changes the contract total.
//!
//! Invariants every function here keeps (and [`check_plan`] verifies):
//! - the amounts of the non-void installments sum to the contract total exactly;
//! - per installment `paid + outstanding + written_off = amount`, all non-negative and exact
//!   in the currency's minor units; a void installment has nothing paid or written off;
//! - due dates ascend in slice order;
//! - the percents of the non-void installments sum to 100 (each installment's share of the
//!   total, 4 decimals, largest remainder), except that a zero total keeps its percents.

mod terms;

pub use terms::{PaymentTerm, PaymentTerms, TermAnchor};

use super::allocate::{allocate_minor, check_percents};
use super::units::{self, from_minor, to_minor};
use crate::error::{CrmError, CrmResult};
use crate::money::Currency;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One installment of a receivable plan, with what has been paid and written off on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Installment {
    /// Due date (a date in the tenant's zone).
    pub due_date: NaiveDate,
    /// Amount due, exact in the currency's minor units.
    pub amount: Decimal,
    /// Share of the contract total in percent (4 decimals at most for derived shares).
    pub percent: Decimal,
    /// Paid so far (payments minus refunds).
    #[serde(default)]
    pub paid: Decimal,
    /// Closed without payment (write-offs).
    #[serde(default)]
    pub written_off: Decimal,
    /// Voided: takes no payments and counts as zero in every sum.
    #[serde(default)]
    pub void: bool,
}

impl Installment {
    /// A fresh, unpaid installment.
    /// Nothing paid and nothing written off, at the amount's scale (`0.00` next to `100.00`).
    pub fn new(due_date: NaiveDate, amount: Decimal, percent: Decimal) -> Self {
        let zero = Decimal::new(0, amount.scale());
        Installment {
            due_date,
            amount,
            percent,
            paid: zero,
            written_off: zero,
            void: false,
        }
    }

    /// `amount − paid − written_off`; zero for a void installment.
    pub fn outstanding(&self) -> Decimal {
        if self.void {
            Decimal::ZERO
        } else {
            self.amount - self.paid - self.written_off
        }
    }

    /// The amount counted in plan sums: `amount`, or zero when void.
    pub fn counted_amount(&self) -> Decimal {
        if self.void {
            Decimal::ZERO
        } else {
            self.amount
        }
    }
}

/// An explicit amount due on a date (input of [`plan_from_amounts`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ScheduledAmount {
    /// Due date.
    pub due_date: NaiveDate,
    /// Amount, exact in the currency's minor units.
    #[serde(deserialize_with = "crate::money::strict::deserialize")]
    pub amount: Decimal,
}

/// A percent of the total due on a date (input of [`plan_from_percents`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ScheduledPercent {
    /// Due date.
    pub due_date: NaiveDate,
    /// Percent of the total, `0..=100`, at most 6 decimals.
    #[serde(deserialize_with = "crate::money::strict::deserialize")]
    pub percent: Decimal,
}

/// Each amount's share of their sum in percent, 4 decimals, summing to exactly 100 (largest
/// remainder); equal shares when every amount is zero.
fn shares_of(amounts: &[Decimal]) -> CrmResult<Vec<Decimal>> {
    if amounts.is_empty() {
        return Ok(Vec::new());
    }
    let weights: Vec<Decimal> = if amounts.iter().all(|a| a.is_zero()) {
        vec![Decimal::ONE; amounts.len()]
    } else {
        amounts.to_vec()
    };
    allocate_minor(1_000_000, &weights)?
        .into_iter()
        .map(|u| {
            Decimal::try_from_i128_with_scale(u, 4)
                .map_err(|_| CrmError::validation("percent", "out of range"))
        })
        .collect()
}

fn sort_by_due(mut plan: Vec<Installment>) -> Vec<Installment> {
    plan.sort_by_key(|i| i.due_date);
    plan
}

/// A plan from explicit amounts. Each amount must be non-negative and exact in the currency
/// (field `installments[i].amount`), and they must sum to `total` exactly (rule `plan_sum`,
/// naming both sums). Percents are derived from the amounts; installments come back sorted
/// by due date (stable).
pub fn plan_from_amounts(
    total: Decimal,
    currency: &Currency,
    items: &[ScheduledAmount],
) -> CrmResult<Vec<Installment>> {
    let total = units::money(total, currency, "total")?;
    if items.is_empty() {
        return Err(CrmError::validation(
            "installments",
            "at least one installment",
        ));
    }
    let mut amounts = Vec::with_capacity(items.len());
    for (i, it) in items.iter().enumerate() {
        amounts.push(units::money(
            it.amount,
            currency,
            &format!("installments[{i}].amount"),
        )?);
    }
    let sum = units::checked_sum(amounts.iter().copied(), "installments")?;
    if sum != total {
        return Err(CrmError::rule(
            "plan_sum",
            format!("installments sum to {sum}, the contract total is {total}"),
        ));
    }
    let percents = shares_of(&amounts)?;
    Ok(sort_by_due(
        items
            .iter()
            .zip(amounts)
            .zip(percents)
            .map(|((it, a), p)| Installment::new(it.due_date, a, p))
            .collect(),
    ))
}

/// A plan from percents, which must sum to 100 (rule `percent_sum`; field
/// `installments[i].percent` for a percent outside `0..=100`). Amounts are allocated by
/// largest remainder, so they sum to `total` exactly (5.47 at 33.34/33.33/33.33 → 1.83,
/// 1.82, 1.82). Installments come back sorted by due date (stable).
pub fn plan_from_percents(
    total: Decimal,
    currency: &Currency,
    items: &[ScheduledPercent],
) -> CrmResult<Vec<Installment>> {
    let total = units::money(total, currency, "total")?;
    if items.is_empty() {
        return Err(CrmError::validation(
            "installments",
            "at least one installment",
        ));
    }
    let percents: Vec<Decimal> = items.iter().map(|i| i.percent).collect();
    check_percents(&percents, "installments", |i| {
        format!("installments[{i}].percent")
    })?;
    let units = to_minor(total, currency, "total")?;
    let parts = allocate_minor(units, &percents)?;
    let mut plan = Vec::with_capacity(items.len());
    for (it, part) in items.iter().zip(parts) {
        plan.push(Installment::new(
            it.due_date,
            from_minor(part, currency, "total")?,
            it.percent,
        ));
    }
    Ok(sort_by_due(plan))
}

/// A plan from a payment-terms template for a contract signed on `signed_on`: one installment
/// per term, due `offset_days` after its anchor, amounts by largest remainder.
pub fn plan_from_terms(
    total: Decimal,
    currency: &Currency,
    terms: &PaymentTerms,
    signed_on: NaiveDate,
) -> CrmResult<Vec<Installment>> {
    let dates = terms.due_dates(signed_on)?;
    let items: Vec<ScheduledPercent> = dates
        .into_iter()
        .zip(&terms.terms)
        .map(|(due_date, t)| ScheduledPercent {
            due_date,
            percent: t.percent,
        })
        .collect();
    plan_from_percents(total, currency, &items)
}

/// Checks the stored state of installments: amounts, paid and written-off parts non-negative
/// and exact in the currency (field `installments[i].amount` / `.paid` / `.written_off`),
/// `paid + written_off ≤ amount` (field `installments[i].paid`), nothing paid or written off
/// on a void installment.
pub fn check_installments(installments: &[Installment], currency: &Currency) -> CrmResult<()> {
    for (i, it) in installments.iter().enumerate() {
        let f = |leaf: &str| format!("installments[{i}].{leaf}");
        units::money(it.amount, currency, &f("amount"))?;
        units::money(it.paid, currency, &f("paid"))?;
        units::money(it.written_off, currency, &f("written_off"))?;
        let settled = it
            .paid
            .checked_add(it.written_off)
            .ok_or_else(|| CrmError::validation(f("paid"), "amount too large"))?;
        if settled > it.amount {
            return Err(CrmError::validation(
                f("paid"),
                format!(
                    "paid {} plus written off {} exceed the amount {}",
                    it.paid, it.written_off, it.amount
                ),
            ));
        }
        if it.void && !settled.is_zero() {
            return Err(CrmError::validation(
                f("void"),
                "a void installment has nothing paid or written off",
            ));
        }
    }
    Ok(())
}

/// Checks a whole plan against the contract total: [`check_installments`], then the
/// non-void amounts must sum to `total` (rule `plan_sum`) and due dates must ascend (field
/// `installments[i].due_date`).
pub fn check_plan(
    installments: &[Installment],
    total: Decimal,
    currency: &Currency,
) -> CrmResult<()> {
    check_installments(installments, currency)?;
    for (i, w) in installments.windows(2).enumerate() {
        if w[1].due_date < w[0].due_date {
            return Err(CrmError::validation(
                format!("installments[{}].due_date", i + 1),
                "due before the previous installment",
            ));
        }
    }
    let sum = units::checked_sum(
        installments.iter().map(Installment::counted_amount),
        "installments",
    )?;
    if sum != total {
        return Err(CrmError::rule(
            "plan_sum",
            format!("installments sum to {sum}, the contract total is {total}"),
        ));
    }
    Ok(())
}

/// Re-flows a plan after an amendment changed the contract total to `new_total`.
///
/// - Paid and written-off parts stay where they are; installments with nothing outstanding
///   (paid or written off in full) and void installments are unchanged.
/// - The rest of the new total, `new_total − Σ (paid + written_off)`, is spread over the
///   installments that still have something outstanding in proportion to their percents
///   before the amendment (largest remainder; equal weights when those percents are all
///   zero). Each keeps its paid/written-off part on top of its new share.
/// - When nothing is outstanding anywhere but the total grew, the increase becomes a new
///   installment due on `amended_on` (or the last due date, if later), appended at the end.
/// - Percents are then recomputed as each installment's share of the new total.
///
/// Errors: rule `reflow_below_paid` when `new_total` is below what was already paid, rule
/// `reflow_below_settled` when it is below paid plus written off; the result always sums to
/// `new_total`.
pub fn reflow(
    installments: &[Installment],
    new_total: Decimal,
    currency: &Currency,
    amended_on: NaiveDate,
) -> CrmResult<Vec<Installment>> {
    check_installments(installments, currency)?;
    let new_total = units::money(new_total, currency, "total")?;
    let active: Vec<usize> = (0..installments.len())
        .filter(|&i| !installments[i].void)
        .collect();
    let paid = units::checked_sum(active.iter().map(|&i| installments[i].paid), "installments")?;
    let settled = units::checked_sum(
        active
            .iter()
            .map(|&i| installments[i].paid + installments[i].written_off),
        "installments",
    )?;
    if new_total < paid {
        return Err(CrmError::rule(
            "reflow_below_paid",
            format!("the new total {new_total} is below the {paid} already paid"),
        ));
    }
    if new_total < settled {
        return Err(CrmError::rule(
            "reflow_below_settled",
            format!("the new total {new_total} is below the {settled} already paid or written off"),
        ));
    }
    let mut plan = installments.to_vec();
    let remainder = new_total - settled;
    let open: Vec<usize> = active
        .iter()
        .copied()
        .filter(|&i| installments[i].outstanding() > Decimal::ZERO)
        .collect();
    if open.is_empty() {
        if remainder > Decimal::ZERO {
            let last_due = installments.iter().map(|i| i.due_date).max();
            let due = last_due.map_or(amended_on, |d| d.max(amended_on));
            plan.push(Installment::new(due, remainder, Decimal::ZERO));
        }
    } else {
        let mut weights: Vec<Decimal> = open.iter().map(|&i| installments[i].percent).collect();
        if weights.iter().all(|w| w.is_zero()) {
            weights = vec![Decimal::ONE; open.len()];
        }
        let shares = allocate_minor(to_minor(remainder, currency, "total")?, &weights)?;
        for (&i, share) in open.iter().zip(shares) {
            let it = &mut plan[i];
            let settled = crate::money::checked::add(it.paid, it.written_off, "installment")?;
            it.amount = crate::money::checked::add(
                settled,
                from_minor(share, currency, "total")?,
                "installment",
            )?;
        }
    }
    if !new_total.is_zero() {
        let idx: Vec<usize> = (0..plan.len()).filter(|&i| !plan[i].void).collect();
        let amounts: Vec<Decimal> = idx.iter().map(|&i| plan[i].amount).collect();
        for (&i, p) in idx.iter().zip(shares_of(&amounts)?) {
            plan[i].percent = p;
        }
    }
    Ok(plan)
}

/// Voids installment `index` (e.g. when a contract is terminated): it then takes no payments
/// and counts as zero in every sum, so the contract's receivable shrinks by its amount.
/// Rule `installment_void` if already void, `installment_settled` if anything was paid or
/// written off on it (refund first); field `installment` for an index out of range.
pub fn void_installment(installments: &[Installment], index: usize) -> CrmResult<Vec<Installment>> {
    let it = installments
        .get(index)
        .ok_or_else(|| CrmError::validation("installment", format!("no installment {index}")))?;
    if it.void {
        return Err(CrmError::rule(
            "installment_void",
            format!("installment {index} is already void"),
        ));
    }
    if !(it.paid + it.written_off).is_zero() {
        return Err(CrmError::rule(
            "installment_settled",
            format!("installment {index} has payments or write-offs; refund them first"),
        ));
    }
    let mut plan = installments.to_vec();
    plan[index].void = true;
    Ok(plan)
}

#[cfg(test)]
mod tests;
