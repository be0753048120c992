//! Payments (回款), refunds and write-offs applied to installments, and installment statuses.
//!
//! Every entry is explicit and returns the new installments plus what went where:
//! - **Payment**: to the targeted installment first (if any), then to the oldest due
//!   installment with something outstanding (due date, then slice order). What exceeds the
//!   contract's outstanding amount is returned as `credit` for the customer — never dropped.
//! - **Refund**: reduces paid amounts of the targeted installment, or newest due first; it
//!   may not exceed what was paid (rule `refund_exceeds_paid`).
//! - **Write-off**: closes outstanding amounts of the targeted installment, or oldest due
//!   first; it may not exceed what is outstanding (rule `write_off_exceeds_outstanding`).
//!
//! Void installments take nothing: targeting one is rule `installment_void`. After every
//! entry `paid + outstanding + written_off = amount` per installment and per contract.

use super::plan::{check_installments, Installment};
use super::units;
use crate::error::{CrmError, CrmResult};
use crate::money::{checked, Currency};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Status of an installment on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum InstallmentStatus {
    /// Nothing paid or written off yet, not overdue.
    Pending,
    /// Partly paid (or partly written off), not overdue.
    PartiallyPaid,
    /// Nothing outstanding: paid in full, or the rest written off (as ERPNext marks a
    /// written-off invoice paid). A zero-amount installment is paid.
    Paid,
    /// Due date before today (in the tenant's zone) and something still outstanding.
    Overdue,
    /// Voided; takes no payments.
    Void,
}

impl Installment {
    /// Status on `today` (the current date in the tenant's zone, see [`today_in`]). An
    /// installment due today is not yet overdue.
    pub fn status(&self, today: NaiveDate) -> InstallmentStatus {
        if self.void {
            InstallmentStatus::Void
        } else if self.outstanding() <= Decimal::ZERO {
            InstallmentStatus::Paid
        } else if self.due_date < today {
            InstallmentStatus::Overdue
        } else if (self.paid + self.written_off).is_zero() {
            InstallmentStatus::Pending
        } else {
            InstallmentStatus::PartiallyPaid
        }
    }

    /// True when due before `today` and not fully settled.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status(today) == InstallmentStatus::Overdue
    }
}

/// The date of `now` in the tenant's zone: what every `today` argument expects.
pub fn today_in(tz: chrono_tz::Tz, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

/// Kind of a receivable entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EntryKind {
    /// Money received (回款).
    Payment,
    /// Money given back; reopens what it reduces.
    Refund,
    /// Outstanding amount closed without payment.
    WriteOff,
}

/// A payment, refund or write-off against one contract's installments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Entry {
    /// What kind of entry.
    pub kind: EntryKind,
    /// Amount, greater than 0 and exact in the currency's minor units.
    pub amount: Decimal,
    /// Index of the installment to apply to first (payments) or only (refunds,
    /// write-offs); `None` for the default order.
    #[serde(default)]
    pub target: Option<usize>,
}

/// How much of an entry went to one installment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Allocation {
    /// Index of the installment.
    pub installment: usize,
    /// Amount applied (always positive; the entry's kind says in which direction).
    pub amount: Decimal,
}

/// Result of applying an [`Entry`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EntryOutcome {
    /// The installments after the entry.
    pub installments: Vec<Installment>,
    /// What went to which installment, in application order.
    pub allocations: Vec<Allocation>,
    /// Part of a payment beyond the contract's outstanding amount: unallocated credit for
    /// the customer. Zero for refunds and write-offs.
    pub credit: Decimal,
}

/// Contract-level sums over installments (void ones excluded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ReceivableSummary {
    /// Σ amounts.
    pub total: Decimal,
    /// Σ paid.
    pub paid: Decimal,
    /// Σ written off.
    pub written_off: Decimal,
    /// Σ outstanding (`total − paid − written_off`).
    pub outstanding: Decimal,
    /// Σ outstanding of overdue installments.
    pub overdue: Decimal,
}

/// Sums a contract's installments in `currency` on `today`, every sum at the currency's
/// scale; an overflow is the rule `amount_overflow` (a plan validated by
/// [`check_installments`] sums to a total within [`MAX_AMOUNT`](crate::money::MAX_AMOUNT), so
/// it never happens for stored plans).
pub fn summarize(
    installments: &[Installment],
    currency: &Currency,
    today: NaiveDate,
) -> CrmResult<ReceivableSummary> {
    let zero = checked::zero(currency);
    let mut s = ReceivableSummary {
        total: zero,
        paid: zero,
        written_off: zero,
        outstanding: zero,
        overdue: zero,
    };
    for it in installments.iter().filter(|i| !i.void) {
        s.total = checked::add(s.total, it.amount, "receivable total")?;
        s.paid = checked::add(s.paid, it.paid, "receivable paid")?;
        s.written_off = checked::add(s.written_off, it.written_off, "receivable written off")?;
        s.outstanding = checked::add(s.outstanding, it.outstanding(), "receivable outstanding")?;
        if it.is_overdue(today) {
            s.overdue = checked::add(s.overdue, it.outstanding(), "receivable overdue")?;
        }
    }
    Ok(s)
}

fn target_index(installments: &[Installment], target: Option<usize>) -> CrmResult<Option<usize>> {
    match target {
        None => Ok(None),
        Some(i) => {
            let it = installments.get(i).ok_or_else(|| {
                CrmError::validation("target", format!("no installment {i} in this plan"))
            })?;
            if it.void {
                return Err(CrmError::rule(
                    "installment_void",
                    format!("installment {i} is void and takes no entries"),
                ));
            }
            Ok(Some(i))
        }
    }
}

/// Non-void indexes by due date, then slice order (oldest first).
fn oldest_first(installments: &[Installment]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..installments.len())
        .filter(|&i| !installments[i].void)
        .collect();
    order.sort_by_key(|&i| (installments[i].due_date, i));
    order
}

/// Applies a payment, refund or write-off; see the [module docs](self).
///
/// Errors: field `amount` (not positive or too precise), field `target` (no such
/// installment), field `installments[i].…` (inconsistent stored state), rules
/// `installment_void`, `refund_exceeds_paid`, `write_off_exceeds_outstanding`.
pub fn apply_entry(
    installments: &[Installment],
    currency: &Currency,
    entry: &Entry,
) -> CrmResult<EntryOutcome> {
    check_installments(installments, currency)?;
    let amount = units::positive_money(entry.amount, currency, "amount")?;
    let target = target_index(installments, entry.target)?;
    let mut plan = installments.to_vec();
    let mut allocations = Vec::new();
    let mut left = amount;
    match entry.kind {
        EntryKind::Payment => {
            let order = target.into_iter().chain(
                oldest_first(installments)
                    .into_iter()
                    .filter(|&i| Some(i) != target),
            );
            for i in order {
                let take = left.min(plan[i].outstanding());
                if take > Decimal::ZERO {
                    plan[i].paid += take;
                    left -= take;
                    allocations.push(Allocation {
                        installment: i,
                        amount: take,
                    });
                }
            }
        }
        EntryKind::WriteOff => {
            let order: Vec<usize> = match target {
                Some(i) => vec![i],
                None => oldest_first(installments),
            };
            let available =
                units::checked_sum(order.iter().map(|&i| plan[i].outstanding()), "installments")?;
            if amount > available {
                return Err(CrmError::rule(
                    "write_off_exceeds_outstanding",
                    format!("write-off {amount} exceeds the {available} outstanding"),
                ));
            }
            for i in order {
                let take = left.min(plan[i].outstanding());
                if take > Decimal::ZERO {
                    plan[i].written_off += take;
                    left -= take;
                    allocations.push(Allocation {
                        installment: i,
                        amount: take,
                    });
                }
            }
        }
        EntryKind::Refund => {
            let order: Vec<usize> = match target {
                Some(i) => vec![i],
                None => oldest_first(installments).into_iter().rev().collect(),
            };
            let available =
                units::checked_sum(order.iter().map(|&i| plan[i].paid), "installments")?;
            if amount > available {
                return Err(CrmError::rule(
                    "refund_exceeds_paid",
                    format!("refund {amount} exceeds the {available} paid"),
                ));
            }
            for i in order {
                let take = left.min(plan[i].paid);
                if take > Decimal::ZERO {
                    plan[i].paid -= take;
                    left -= take;
                    allocations.push(Allocation {
                        installment: i,
                        amount: take,
                    });
                }
            }
        }
    }
    let credit = if entry.kind == EntryKind::Payment {
        left
    } else {
        checked::zero(currency)
    };
    Ok(EntryOutcome {
        installments: plan,
        allocations,
        credit,
    })
}

/// A payment of `amount`, to `target` first if given, then oldest due first; the excess
/// over the contract's outstanding amount comes back as `credit`.
pub fn apply_payment(
    installments: &[Installment],
    currency: &Currency,
    amount: Decimal,
    target: Option<usize>,
) -> CrmResult<EntryOutcome> {
    apply_entry(
        installments,
        currency,
        &Entry {
            kind: EntryKind::Payment,
            amount,
            target,
        },
    )
}

/// A refund of `amount` from `target`, or newest due first; never more than was paid.
pub fn refund(
    installments: &[Installment],
    currency: &Currency,
    amount: Decimal,
    target: Option<usize>,
) -> CrmResult<EntryOutcome> {
    apply_entry(
        installments,
        currency,
        &Entry {
            kind: EntryKind::Refund,
            amount,
            target,
        },
    )
}

/// A write-off of `amount` on `target`, or oldest due first; never more than is outstanding.
pub fn write_off(
    installments: &[Installment],
    currency: &Currency,
    amount: Decimal,
    target: Option<usize>,
) -> CrmResult<EntryOutcome> {
    apply_entry(
        installments,
        currency,
        &Entry {
            kind: EntryKind::WriteOff,
            amount,
            target,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sales::plan::{plan_from_percents, ScheduledPercent};
    use chrono::Days;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }
    fn cny() -> Currency {
        Currency::parse("CNY", "c").unwrap()
    }
    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 6, 15).unwrap()
    }
    fn plan(total: &str, ps: &[(&str, i64)]) -> Vec<Installment> {
        let items: Vec<ScheduledPercent> = ps
            .iter()
            .map(|(p, off)| ScheduledPercent {
                due_date: today() + chrono::Duration::days(*off),
                percent: d(p),
            })
            .collect();
        plan_from_percents(d(total), &cny(), &items).unwrap()
    }
    fn rule_of(e: CrmError) -> String {
        match e {
            CrmError::RuleViolation { rule, .. } => rule,
            other => panic!("expected a rule violation, got {other:?}"),
        }
    }

    #[test]
    fn targeted_payment_goes_there_first_then_oldest() {
        let p = plan("100", &[("30", 30), ("50", 60), ("20", 90)]);
        let out = apply_payment(&p, &cny(), d("25"), Some(2)).unwrap();
        assert_eq!(out.installments[2].paid, d("20"));
        assert_eq!(out.installments[0].paid, d("5"));
        assert_eq!(out.allocations.len(), 2);
        assert_eq!(
            out.allocations[0],
            Allocation {
                installment: 2,
                amount: d("20")
            }
        );
    }

    #[test]
    fn overpayment_becomes_credit() {
        let p = plan("100", &[("30", 30), ("70", 60)]);
        let out = apply_payment(&p, &cny(), d("100.01"), None).unwrap();
        assert_eq!(out.credit, d("0.01"));
        assert!(out
            .installments
            .iter()
            .all(|i| i.status(today()) == InstallmentStatus::Paid));
        let exact = apply_payment(&p, &cny(), d("100"), None).unwrap();
        assert_eq!(exact.credit, d("0"));
        let again = apply_payment(&exact.installments, &cny(), d("5"), None).unwrap();
        assert_eq!(again.credit, d("5"));
        assert!(again.allocations.is_empty());
    }

    #[test]
    fn refunds_newest_first_and_never_more_than_paid() {
        let p = plan("100", &[("30", 30), ("70", 60)]);
        let paid = apply_payment(&p, &cny(), d("50"), None)
            .unwrap()
            .installments;
        let r = refund(&paid, &cny(), d("25"), None).unwrap();
        assert_eq!(r.installments[1].paid, d("0"));
        assert_eq!(r.installments[0].paid, d("25"));
        assert_eq!(
            rule_of(refund(&paid, &cny(), d("50.01"), None).unwrap_err()),
            "refund_exceeds_paid"
        );
        assert!(refund(&paid, &cny(), d("50"), None).is_ok());
        assert_eq!(
            rule_of(refund(&paid, &cny(), d("20.01"), Some(1)).unwrap_err()),
            "refund_exceeds_paid"
        );
        let r = refund(&paid, &cny(), d("20"), Some(1)).unwrap();
        assert_eq!(r.installments[1].paid, d("0"));
        assert_eq!(r.credit, d("0"));
    }

    #[test]
    fn write_offs_close_outstanding_parts() {
        let p = plan("100", &[("30", -30), ("70", 60)]);
        let w = write_off(&p, &cny(), d("30"), Some(0)).unwrap();
        assert_eq!(w.installments[0].status(today()), InstallmentStatus::Paid);
        assert_eq!(w.installments[0].outstanding(), d("0"));
        assert_eq!(
            rule_of(write_off(&p, &cny(), d("30.01"), Some(0)).unwrap_err()),
            "write_off_exceeds_outstanding"
        );
        assert_eq!(
            rule_of(write_off(&p, &cny(), d("100.01"), None).unwrap_err()),
            "write_off_exceeds_outstanding"
        );
        let all = write_off(&p, &cny(), d("100"), None).unwrap();
        assert_eq!(
            summarize(&all.installments, &cny(), today())
                .unwrap()
                .outstanding
                .to_string(),
            "0.00"
        );
        let part = write_off(&p, &cny(), d("10"), Some(1)).unwrap();
        assert_eq!(
            part.installments[1].status(today()),
            InstallmentStatus::PartiallyPaid
        );
    }

    #[test]
    fn void_installments_take_nothing() {
        let mut p = plan("100", &[("30", 30), ("70", 60)]);
        p[0].void = true;
        for kind in [EntryKind::Payment, EntryKind::Refund, EntryKind::WriteOff] {
            let e = Entry {
                kind,
                amount: d("1"),
                target: Some(0),
            };
            assert_eq!(
                rule_of(apply_entry(&p, &cny(), &e).unwrap_err()),
                "installment_void"
            );
        }
        let out = apply_payment(&p, &cny(), d("80"), None).unwrap();
        assert_eq!(out.installments[0].paid, d("0"));
        assert_eq!(out.installments[1].paid, d("70"));
        assert_eq!(out.credit, d("10"));
        assert_eq!(out.installments[0].status(today()), InstallmentStatus::Void);
    }

    #[test]
    fn bad_entries_are_refused() {
        let p = plan("100", &[("100", 30)]);
        for a in ["0", "-1", "0.001"] {
            let err = apply_payment(&p, &cny(), d(a), None).unwrap_err();
            assert!(matches!(err, CrmError::Validation { field, .. } if field == "amount"));
        }
        let err = apply_payment(&p, &cny(), d("1"), Some(1)).unwrap_err();
        assert!(matches!(err, CrmError::Validation { field, .. } if field == "target"));
        let mut broken = p.clone();
        broken[0].paid = d("101");
        assert!(apply_payment(&broken, &cny(), d("1"), None).is_err());
    }

    #[test]
    fn status_boundaries_around_today() {
        let mut it = Installment::new(today(), d("10"), d("100"));
        assert_eq!(it.status(today()), InstallmentStatus::Pending);
        assert_eq!(
            it.status(today().checked_add_days(Days::new(1)).unwrap()),
            InstallmentStatus::Overdue
        );
        it.paid = d("9.99");
        assert_eq!(it.status(today()), InstallmentStatus::PartiallyPaid);
        it.paid = d("10");
        assert_eq!(
            it.status(today().checked_add_days(Days::new(9)).unwrap()),
            InstallmentStatus::Paid
        );
        let zero = Installment::new(today(), d("0"), d("0"));
        assert_eq!(zero.status(today()), InstallmentStatus::Paid);
    }

    #[test]
    fn today_follows_the_tenant_zone() {
        let now = DateTime::parse_from_rfc3339("2024-06-14T17:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(today_in(chrono_tz::Asia::Shanghai, now), today());
        assert_eq!(
            today_in(chrono_tz::UTC, now),
            NaiveDate::from_ymd_opt(2024, 6, 14).unwrap()
        );
    }
}
