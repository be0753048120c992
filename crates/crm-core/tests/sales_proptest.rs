//! Property: after any random sequence of amendments (re-flow), payments, write-offs,
//! refunds and voids on a plan, the non-void installments sum to the contract total,
//! `paid + outstanding + written_off = amount` per installment and per contract, nothing is
//! negative, no amount has more decimals than its currency allows, and money is conserved
//! (every payment ends up paid or as credit; refunds take back exactly what they say).

use chrono::{Days, NaiveDate};
use crm_core::money::Currency;
use crm_core::sales::allocate::allocate_minor;
use crm_core::sales::payments::{apply_entry, summarize, Entry, EntryKind};
use crm_core::sales::plan::{
    check_plan, plan_from_amounts, plan_from_percents, reflow, void_installment, Installment,
    ScheduledAmount, ScheduledPercent,
};
use crm_core::sales::{from_minor, to_minor};
use proptest::prelude::*;
use rust_decimal::Decimal;

#[derive(Debug, Clone)]
enum Step {
    Amend { units: i64, day: u64 },
    Pay { units: i64, target: Option<usize> },
    Refund { units: i64, target: Option<usize> },
    WriteOff { units: i64, target: Option<usize> },
    Void { index: usize },
}

fn step() -> impl Strategy<Value = Step> {
    let target = proptest::option::of(0usize..7);
    prop_oneof![
        2 => (0i64..3_000_000, 0u64..400).prop_map(|(units, day)| Step::Amend { units, day }),
        4 => (1i64..600_000, target.clone()).prop_map(|(units, target)| Step::Pay { units, target }),
        2 => (1i64..800_000, target.clone()).prop_map(|(units, target)| Step::Refund { units, target }),
        2 => (1i64..800_000, target).prop_map(|(units, target)| Step::WriteOff { units, target }),
        1 => (0usize..7).prop_map(|index| Step::Void { index }),
    ]
}

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
}

fn assert_invariants(plan: &[Installment], total: Decimal, cur: &Currency) {
    check_plan(plan, total, cur).unwrap();
    let dp = cur.minor_units();
    for (i, it) in plan.iter().enumerate() {
        for v in [it.amount, it.paid, it.written_off, it.outstanding()] {
            assert!(
                v >= Decimal::ZERO,
                "installment {i}: negative {v} in {it:?}"
            );
            assert!(
                v.normalize().scale() <= dp,
                "installment {i}: {v} too precise for {}",
                cur.code()
            );
        }
        if it.void {
            assert_eq!(it.outstanding(), Decimal::ZERO);
        } else {
            assert_eq!(
                it.paid + it.outstanding() + it.written_off,
                it.amount,
                "installment {i}"
            );
        }
    }
    let s = summarize(plan, cur, start()).unwrap();
    assert_eq!(s.total, total);
    assert_eq!(s.paid + s.outstanding + s.written_off, s.total);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn plans_stay_consistent(
        code in prop_oneof![Just("CNY"), Just("JPY"), Just("KWD")],
        initial in 0i64..2_000_000,
        weights in proptest::collection::vec(0u32..100, 1..6),
        by_percent in any::<bool>(),
        steps in proptest::collection::vec(step(), 0..40),
    ) {
        let cur = Currency::parse(code, "currency").unwrap();
        let mut total = from_minor(i128::from(initial), &cur, "t").unwrap();
        let mut weights: Vec<Decimal> = weights.into_iter().map(Decimal::from).collect();
        if weights.iter().all(|w| w.is_zero()) {
            weights[0] = Decimal::ONE;
        }
        let due = |i: usize| start().checked_add_days(Days::new(30 * (i as u64 + 1))).unwrap();
        let mut plan = if by_percent {
            let percents = allocate_minor(10_000, &weights).unwrap();
            let items: Vec<ScheduledPercent> = percents
                .into_iter()
                .enumerate()
                .map(|(i, p)| ScheduledPercent {
                    due_date: due(i),
                    percent: Decimal::from_i128_with_scale(p, 2),
                })
                .collect();
            plan_from_percents(total, &cur, &items).unwrap()
        } else {
            let units = allocate_minor(i128::from(initial), &weights).unwrap();
            let items: Vec<ScheduledAmount> = units
                .into_iter()
                .enumerate()
                .map(|(i, u)| ScheduledAmount {
                    due_date: due(i),
                    amount: from_minor(u, &cur, "a").unwrap(),
                })
                .collect();
            plan_from_amounts(total, &cur, &items).unwrap()
        };
        assert_invariants(&plan, total, &cur);
        let mut credit = Decimal::ZERO;
        let mut paid_in = Decimal::ZERO;

        for s in steps {
            match s {
                Step::Amend { units, day } => {
                    let new_total = from_minor(i128::from(units), &cur, "t").unwrap();
                    let on = start().checked_add_days(Days::new(day)).unwrap();
                    let paid: Decimal = plan.iter().map(|i| i.paid).sum();
                    match reflow(&plan, new_total, &cur, on) {
                        Ok(next) => {
                            plan = next;
                            total = new_total;
                            if !total.is_zero() {
                                let ps: Decimal =
                                    plan.iter().filter(|i| !i.void).map(|i| i.percent).sum();
                                prop_assert_eq!(ps, Decimal::ONE_HUNDRED);
                            }
                        }
                        Err(_) => {
                            let settled: Decimal =
                                plan.iter().map(|i| i.paid + i.written_off).sum();
                            prop_assert!(new_total < settled, "refused although {new_total} ≥ {settled} (paid {paid})");
                        }
                    }
                }
                Step::Pay { units, target } | Step::Refund { units, target } | Step::WriteOff { units, target } => {
                    let kind = match s {
                        Step::Pay { .. } => EntryKind::Payment,
                        Step::Refund { .. } => EntryKind::Refund,
                        _ => EntryKind::WriteOff,
                    };
                    let amount = from_minor(i128::from(units), &cur, "a").unwrap();
                    let before = summarize(&plan, &cur, start()).unwrap();
                    if let Ok(out) = apply_entry(&plan, &cur, &Entry { kind, amount, target }) {
                        let applied: Decimal = out.allocations.iter().map(|a| a.amount).sum();
                        let after = summarize(&out.installments, &cur, start()).unwrap();
                        match kind {
                            EntryKind::Payment => {
                                prop_assert_eq!(applied + out.credit, amount);
                                prop_assert_eq!(after.paid - before.paid, applied);
                                // Credit only once the contract is fully settled.
                                if out.credit > Decimal::ZERO {
                                    prop_assert_eq!(after.outstanding, Decimal::ZERO);
                                }
                                credit += out.credit;
                                paid_in += applied;
                            }
                            EntryKind::Refund => {
                                prop_assert_eq!(applied, amount);
                                prop_assert_eq!(before.paid - after.paid, amount);
                                paid_in -= applied;
                            }
                            EntryKind::WriteOff => {
                                prop_assert_eq!(applied, amount);
                                prop_assert_eq!(after.written_off - before.written_off, amount);
                            }
                            other => prop_assert!(false, "the test only makes {other:?} entries"),
                        }
                        plan = out.installments;
                    }
                }
                Step::Void { index } => {
                    if let Ok(next) = void_installment(&plan, index) {
                        total -= plan[index].amount;
                        plan = next;
                    }
                }
            }
            assert_invariants(&plan, total, &cur);
            let paid: Decimal = plan.iter().map(|i| i.paid).sum();
            prop_assert_eq!(paid, paid_in);
            prop_assert!(credit >= Decimal::ZERO);
            prop_assert!(to_minor(credit, &cur, "credit").is_ok());
        }
    }
}
