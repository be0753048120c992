//! Commission statements (提成单): one user's commission under one plan for one fiscal
//! period, computed from credit records, approved, then immutable (DESIGN §4.10, ADR 0029).
//!
//! [`calculate`] is the pure calculation. A statement has lines:
//! - `commission`: the bands applied to the period's band base (its net credits, less the
//!   reversals carried as adjustments). On a `booked` base that is the commission; on a
//!   `collected` base it is split over the period's contracts (pro rata of their credit,
//!   largest remainder in minor units) and each contract's part is released in proportion
//!   to what was paid on it by the period's end (at most all of it).
//! - `release`: on a collected base, what became collectable since on contracts booked in
//!   earlier approved statements (released to date minus released in earlier approved
//!   statements; negative when refunds took payments back).
//! - `adjustment`: a reversal (refund, termination) in the period of a source credited in an
//!   earlier period with an approved statement is not netted into this period's band base;
//!   it is −(reversed amount × that statement's effective rate, its band commission over
//!   its band base), rounded half-up once.
//!
//! The total is the sum of the lines at the currency's scale.

use super::plan::{CommissionBase, CommissionPlan};
use crate::credit::{Credit, CreditSource};
use crate::error::{CrmError, CrmResult};
use crate::ids::{CommissionPlanId, StatementId, TenantId, UserId};
use crate::money::{Currency, RoundingMode};
use crate::sales::{allocate_minor, from_minor, to_minor};
use crate::store::{Entity, Record, SqlValue};
use crate::target::{attainment, FiscalPeriod, Metric};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where a statement is.
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
pub enum StatementStatus {
    /// Computed; may be recomputed.
    Computed,
    /// Approved: immutable.
    Approved,
}

impl StatementStatus {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            StatementStatus::Computed => "computed",
            StatementStatus::Approved => "approved",
        }
    }
}

impl std::fmt::Display for StatementStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a statement line pays.
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
pub enum LineKind {
    /// The bands on the period's base (on a collected base: the part released so far).
    Commission,
    /// Commission of an earlier period's contract released by payments since.
    Release,
    /// A reversal of a source paid in an earlier approved statement.
    Adjustment,
}

impl LineKind {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            LineKind::Commission => "commission",
            LineKind::Release => "release",
            LineKind::Adjustment => "adjustment",
        }
    }
}

impl std::fmt::Display for LineKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One line of a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StatementLine {
    /// What it pays.
    pub kind: LineKind,
    /// The amount at the currency's scale (negative for claw-backs).
    pub amount: Decimal,
    /// The source record (contract) a release or adjustment concerns.
    pub source_id: Option<i64>,
    /// The period key of the earlier statement a release or adjustment refers to.
    pub from_period: Option<String>,
    /// The reversed amount of an adjustment (negative), or the base of a commission line.
    pub basis: Decimal,
}

/// A contract's part of the commission on a collected base, and what of it is released.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ContractShare {
    /// The contract.
    pub contract_id: i64,
    /// The period key of the statement that booked it.
    pub booked_in: String,
    /// Its net credit to the user in that period.
    pub credit: Decimal,
    /// Its part of that statement's commission.
    pub part: Decimal,
    /// Paid to the user on it up to this statement's period end (refunds deducted, not
    /// below 0).
    pub paid: Decimal,
    /// Released to date: part × min(1, paid / credit), half-up in minor units.
    pub released_to_date: Decimal,
    /// Released by this statement.
    pub released_here: Decimal,
}

/// A statement: one user, one plan, one fiscal period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CommissionStatement {
    /// Tenant.
    pub tenant: TenantId,
    /// Id.
    pub id: StatementId,
    /// Optimistic version.
    #[serde(default)]
    pub version: i64,
    /// The user paid.
    pub user_id: UserId,
    /// The plan's name.
    pub plan_name: String,
    /// The plan revision applied (the one in force at the period start).
    pub plan_id: CommissionPlanId,
    /// Its revision number.
    pub plan_revision: i32,
    /// The fiscal period.
    pub period: FiscalPeriod,
    /// The period's key (`FY2026`, `FY2026-Q1`, `FY2026-M03`).
    pub period_key: String,
    /// Its first day.
    pub period_start: NaiveDate,
    /// Its last day.
    pub period_end: NaiveDate,
    /// The plan's metric.
    pub metric: Metric,
    /// The plan's base.
    pub base: CommissionBase,
    /// The currency.
    pub currency: String,
    /// Σ of the user's credits of the metric in the period.
    pub net_credits: Decimal,
    /// What the bands were applied to: the net credits less the carried reversals.
    pub band_base: Decimal,
    /// The user's approved target over the period (0 without one).
    pub target: Decimal,
    /// Band base / target in percent (2 decimals, half-up); `None` for a zero target.
    pub attainment: Option<Decimal>,
    /// The bands' commission on the band base (capped, rounded): what the effective rate of
    /// this statement is measured from.
    pub band_commission: Decimal,
    /// The lines.
    pub lines: Vec<StatementLine>,
    /// On a collected base, the contracts and their released parts.
    pub contracts: Vec<ContractShare>,
    /// Σ lines.
    pub total: Decimal,
    /// Computed or approved.
    pub status: StatementStatus,
    /// Who computed it last.
    pub computed_by: Option<UserId>,
    /// When.
    pub computed_at: DateTime<Utc>,
    /// Who approved it.
    pub approved_by: Option<UserId>,
    /// When.
    pub approved_at: Option<DateTime<Utc>>,
}

impl CommissionStatement {
    /// The effective rate of this statement: band commission / band base (0 for a base of
    /// 0 or less).
    pub fn effective_rate(&self) -> Decimal {
        if self.band_base <= Decimal::ZERO {
            return Decimal::ZERO;
        }
        self.band_commission
            .checked_div(self.band_base)
            .unwrap_or(Decimal::ZERO)
    }

    /// Whether `day` lies in the statement's period.
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.period_start <= day && day <= self.period_end
    }
}

impl Record for CommissionStatement {
    const ENTITY: Entity = Entity::CommissionStatement;
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
            self.user_id.0.into(),
            self.plan_name.clone().into(),
            self.period_key.clone().into(),
            crate::credit::model::date_key(self.period_start).into(),
            crate::credit::model::date_key(self.period_end).into(),
            self.status.as_str().into(),
        ]
    }
}

/// The stable key of a fiscal period: `FY2026`, `FY2026-Q1`, `FY2026-M03`.
pub fn period_key(period: FiscalPeriod) -> String {
    match period {
        FiscalPeriod::Year { year } => format!("FY{year}"),
        FiscalPeriod::Quarter { year, quarter } => format!("FY{year}-Q{quarter}"),
        FiscalPeriod::Month { year, month } => format!("FY{year}-M{month:02}"),
    }
}

/// The fiscal months (1–12) of a period.
pub fn fiscal_months(period: FiscalPeriod) -> std::ops::RangeInclusive<u32> {
    match period {
        FiscalPeriod::Year { .. } => 1..=12,
        FiscalPeriod::Quarter { quarter, .. } => (3 * quarter).saturating_sub(2)..=3 * quarter,
        FiscalPeriod::Month { month, .. } => month..=month,
    }
}

/// What [`calculate`] works from.
#[derive(Debug, Clone)]
pub struct CalcInput<'a> {
    /// The plan revision in force.
    pub plan: &'a CommissionPlan,
    /// Its currency.
    pub currency: &'a Currency,
    /// The period's key.
    pub period_key: &'a str,
    /// The period's first day.
    pub start: NaiveDate,
    /// The period's last day.
    pub end: NaiveDate,
    /// The user's credits of the plan's metric (and currency, for amounts) up to the
    /// period's end, any order; earlier ones are only looked at for reversals.
    pub credits: &'a [Credit],
    /// On a collected base, the user's `payment_received` and `refund` credits up to the
    /// period's end.
    pub payments: &'a [Credit],
    /// The user's approved target over the period.
    pub target: Decimal,
    /// The user's approved statements under the plan's name for periods before this one.
    pub earlier: &'a [CommissionStatement],
}

/// What [`calculate`] answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calculation {
    /// Σ credits in the period.
    pub net_credits: Decimal,
    /// The band base.
    pub band_base: Decimal,
    /// Attainment of the band base against the target.
    pub attainment: Option<Decimal>,
    /// The bands' commission on the band base.
    pub band_commission: Decimal,
    /// The lines.
    pub lines: Vec<StatementLine>,
    /// Contracts of a collected base.
    pub contracts: Vec<ContractShare>,
    /// Σ lines.
    pub total: Decimal,
}

const FIELD: &str = "commission";

fn round(amount: Decimal, currency: &Currency) -> Decimal {
    let mut r = RoundingMode::HalfUp.round(amount, currency.minor_units());
    r.rescale(currency.minor_units());
    r
}

fn checked_sum<'a>(mut amounts: impl Iterator<Item = &'a Decimal>) -> CrmResult<Decimal> {
    amounts.try_fold(Decimal::ZERO, |acc, a| {
        acc.checked_add(*a)
            .ok_or_else(|| CrmError::validation(FIELD, "amount too large"))
    })
}

/// `part × min(paid, credit) / credit` in minor units, half-up; 0 when nothing was paid or
/// the credit is not positive.
fn released(part: i128, paid: i128, credit: i128) -> CrmResult<i128> {
    if credit <= 0 || paid <= 0 || part == 0 {
        return Ok(0);
    }
    let num = part
        .checked_mul(paid.min(credit))
        .ok_or_else(|| CrmError::validation(FIELD, "amount too large"))?;
    let (q, r) = (num / credit, num % credit);
    // part ≥ 0 here (allocated parts are never negative), so half-up is one comparison.
    Ok(if r.saturating_mul(2) >= credit {
        q + 1
    } else {
        q
    })
}

/// The earlier approved statement that paid the credit a reversal takes back: the latest
/// one whose period holds a non-reversal credit of the same source before `start`.
fn paying_statement<'a>(
    reversal: &Credit,
    input: &CalcInput<'a>,
) -> Option<&'a CommissionStatement> {
    input
        .credits
        .iter()
        .filter(|c| {
            !c.source.is_reversal()
                && c.source_id == reversal.source_id
                && c.local_date < input.start
        })
        .filter_map(|c| input.earlier.iter().find(|s| s.covers(c.local_date)))
        .max_by_key(|s| s.period_end)
}

/// Paid on `contract` (minor units, not below 0) by the payments in the input.
fn paid_on(input: &CalcInput<'_>, contract: i64) -> CrmResult<i128> {
    let paid = checked_sum(
        input
            .payments
            .iter()
            .filter(|p| p.source_id == contract && p.local_date <= input.end)
            .filter(|p| {
                matches!(
                    p.source,
                    CreditSource::PaymentReceived | CreditSource::Refund
                )
            })
            .map(|p| &p.amount),
    )?;
    Ok(to_minor(round(paid, input.currency), input.currency, FIELD)?.max(0))
}

/// Computes a statement's figures and lines (see the module docs). Errors only on amounts
/// too large for exact arithmetic.
pub fn calculate(input: &CalcInput<'_>) -> CrmResult<Calculation> {
    let currency = input.currency;
    let in_period: Vec<&Credit> = input
        .credits
        .iter()
        .filter(|c| input.start <= c.local_date && c.local_date <= input.end)
        .collect();
    let net_credits = checked_sum(in_period.iter().map(|c| &c.amount))?;

    // Reversals of sources an earlier approved statement paid: adjustments, not base.
    let mut lines = Vec::new();
    let mut carried = Vec::new();
    let mut adjustments = Vec::new();
    for credit in &in_period {
        if !credit.source.is_reversal() {
            continue;
        }
        if let Some(paid_by) = paying_statement(credit, input) {
            carried.push(credit.id);
            let exact = credit
                .amount
                .checked_mul(paid_by.effective_rate())
                .ok_or_else(|| CrmError::validation(FIELD, "amount too large"))?;
            adjustments.push(StatementLine {
                kind: LineKind::Adjustment,
                amount: round(exact, currency),
                source_id: Some(credit.source_id),
                from_period: Some(paid_by.period_key.clone()),
                basis: credit.amount,
            });
        }
    }
    let base_credits: Vec<&Credit> = in_period
        .iter()
        .copied()
        .filter(|c| !carried.contains(&c.id))
        .collect();
    let band_base = checked_sum(base_credits.iter().map(|c| &c.amount))?;
    let band_commission = input
        .plan
        .bands
        .commission(band_base, input.target, currency)?;
    let attained = attainment(band_base, input.target);

    let mut contracts = Vec::new();
    match input.plan.base {
        CommissionBase::Booked => lines.push(StatementLine {
            kind: LineKind::Commission,
            amount: band_commission,
            source_id: None,
            from_period: None,
            basis: band_base,
        }),
        CommissionBase::Collected => {
            // The period's contracts with a positive net credit, in id order.
            let mut per_contract: BTreeMap<i64, Decimal> = BTreeMap::new();
            for c in &base_credits {
                let entry = per_contract.entry(c.source_id).or_default();
                *entry = entry
                    .checked_add(c.amount)
                    .ok_or_else(|| CrmError::validation(FIELD, "amount too large"))?;
            }
            per_contract.retain(|_, amount| *amount > Decimal::ZERO);
            let ids: Vec<i64> = per_contract.keys().copied().collect();
            let weights: Vec<Decimal> = per_contract.values().copied().collect();
            let total_minor = to_minor(band_commission, currency, FIELD)?;
            let parts = if weights.is_empty() {
                Vec::new()
            } else {
                allocate_minor(total_minor, &weights)?
            };
            let mut released_now = Decimal::ZERO;
            for ((id, credit), part) in ids.iter().zip(&weights).zip(parts) {
                let credit_minor = to_minor(*credit, currency, FIELD)?;
                let paid = paid_on(input, *id)?;
                let out = from_minor(released(part, paid, credit_minor)?, currency, FIELD)?;
                released_now = released_now
                    .checked_add(out)
                    .ok_or_else(|| CrmError::validation(FIELD, "amount too large"))?;
                contracts.push(ContractShare {
                    contract_id: *id,
                    booked_in: input.period_key.to_owned(),
                    credit: *credit,
                    part: from_minor(part, currency, FIELD)?,
                    paid: from_minor(paid, currency, FIELD)?,
                    released_to_date: out,
                    released_here: out,
                });
            }
            lines.push(StatementLine {
                kind: LineKind::Commission,
                amount: round(released_now, currency),
                source_id: None,
                from_period: None,
                basis: band_base,
            });
            // Releases on contracts booked in earlier approved statements.
            let mut earlier: Vec<&CommissionStatement> = input.earlier.iter().collect();
            earlier.sort_by_key(|s| s.period_start);
            for booking in &earlier {
                for share in booking
                    .contracts
                    .iter()
                    .filter(|s| s.booked_in == booking.period_key)
                {
                    let before = earlier
                        .iter()
                        .rev()
                        .find_map(|s| {
                            s.contracts.iter().find(|c| {
                                c.booked_in == share.booked_in && c.contract_id == share.contract_id
                            })
                        })
                        .map_or(Decimal::ZERO, |c| c.released_to_date);
                    let paid = paid_on(input, share.contract_id)?;
                    let to_date = from_minor(
                        released(
                            to_minor(share.part, currency, FIELD)?,
                            paid,
                            to_minor(share.credit, currency, FIELD)?,
                        )?,
                        currency,
                        FIELD,
                    )?;
                    let delta = to_date
                        .checked_sub(before)
                        .ok_or_else(|| CrmError::validation(FIELD, "amount too large"))?;
                    if delta.is_zero() {
                        continue;
                    }
                    lines.push(StatementLine {
                        kind: LineKind::Release,
                        amount: round(delta, currency),
                        source_id: Some(share.contract_id),
                        from_period: Some(share.booked_in.clone()),
                        basis: from_minor(paid, currency, FIELD)?,
                    });
                    contracts.push(ContractShare {
                        paid: from_minor(paid, currency, FIELD)?,
                        released_to_date: to_date,
                        released_here: delta,
                        ..share.clone()
                    });
                }
            }
        }
    }
    lines.extend(adjustments);
    let total = round(checked_sum(lines.iter().map(|l| &l.amount))?, currency);
    Ok(Calculation {
        net_credits,
        band_base,
        attainment: attained,
        band_commission,
        lines,
        contracts,
        total,
    })
}
