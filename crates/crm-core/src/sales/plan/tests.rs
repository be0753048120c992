//! Unit tests of installment plans.

use super::*;
use chrono::Days;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}
fn cny() -> Currency {
    Currency::parse("CNY", "c").unwrap()
}
fn day(n: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1)
        .unwrap()
        .checked_add_days(Days::new(n))
        .unwrap()
}
fn by_percent(total: &str, ps: &[&str]) -> Vec<Installment> {
    let items: Vec<ScheduledPercent> = ps
        .iter()
        .enumerate()
        .map(|(i, p)| ScheduledPercent {
            due_date: day(30 * (i as u64 + 1)),
            percent: d(p),
        })
        .collect();
    plan_from_percents(d(total), &cny(), &items).unwrap()
}
fn amounts(plan: &[Installment]) -> Vec<Decimal> {
    plan.iter().map(|i| i.amount).collect()
}

#[test]
fn explicit_amounts_must_sum_to_the_total() {
    let items = |a: &str, b: &str| {
        vec![
            ScheduledAmount {
                due_date: day(60),
                amount: d(a),
            },
            ScheduledAmount {
                due_date: day(30),
                amount: d(b),
            },
        ]
    };
    let plan = plan_from_amounts(d("100"), &cny(), &items("70", "30")).unwrap();
    assert_eq!(plan[0].due_date, day(30), "sorted by due date");
    assert_eq!(amounts(&plan), vec![d("30"), d("70")]);
    assert_eq!(plan[0].percent, d("30"));
    for (a, b) in [("70", "29.99"), ("70", "30.01")] {
        let err = plan_from_amounts(d("100"), &cny(), &items(a, b)).unwrap_err();
        match err {
            CrmError::RuleViolation { rule, detail } => {
                assert_eq!(rule, "plan_sum");
                assert!(detail.contains("100") && detail.contains(&(d(a) + d(b)).to_string()));
            }
            other => panic!("{other:?}"),
        }
    }
    let err = plan_from_amounts(d("100"), &cny(), &items("70.001", "30")).unwrap_err();
    assert!(matches!(err, CrmError::Validation { field, .. } if field == "installments[0].amount"));
    assert!(plan_from_amounts(d("100"), &cny(), &[]).is_err());
}

#[test]
fn derived_percents_sum_to_100() {
    let items: Vec<ScheduledAmount> = (0..3)
        .map(|i| ScheduledAmount {
            due_date: day(i),
            amount: d("1"),
        })
        .collect();
    let plan = plan_from_amounts(d("3"), &cny(), &items).unwrap();
    let ps: Vec<Decimal> = plan.iter().map(|i| i.percent).collect();
    assert_eq!(ps, vec![d("33.3334"), d("33.3333"), d("33.3333")]);
}

#[test]
fn percents_allocate_by_largest_remainder() {
    assert_eq!(
        amounts(&by_percent("5.47", &["33.34", "33.33", "33.33"])),
        vec![d("1.83"), d("1.82"), d("1.82")]
    );
    assert_eq!(
        amounts(&by_percent("100", &["33.34", "33.33", "33.33"])),
        vec![d("33.34"), d("33.33"), d("33.33")]
    );
    let items = vec![
        ScheduledPercent {
            due_date: day(1),
            percent: d("50"),
        },
        ScheduledPercent {
            due_date: day(2),
            percent: d("50.01"),
        },
    ];
    let err = plan_from_percents(d("100"), &cny(), &items).unwrap_err();
    assert!(matches!(err, CrmError::RuleViolation { rule, .. } if rule == "percent_sum"));
    let items = vec![
        ScheduledPercent {
            due_date: day(1),
            percent: d("101"),
        },
        ScheduledPercent {
            due_date: day(2),
            percent: d("-1"),
        },
    ];
    let err = plan_from_percents(d("100"), &cny(), &items).unwrap_err();
    assert!(
        matches!(err, CrmError::Validation { field, .. } if field == "installments[0].percent")
    );
}

#[test]
fn terms_template_gives_due_dates() {
    let signed = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
    let plan = plan_from_terms(
        d("1000"),
        &cny(),
        &PaymentTerms::thirty_on_signing_seventy_net_60(),
        signed,
    )
    .unwrap();
    assert_eq!(plan[0].due_date, signed);
    assert_eq!(plan[0].amount, d("300"));
    assert_eq!(
        plan[1].due_date,
        NaiveDate::from_ymd_opt(2024, 4, 30).unwrap()
    );
    assert_eq!(plan[1].amount, d("700"));

    let chained = PaymentTerms {
        terms: vec![
            PaymentTerm {
                percent: d("50"),
                offset_days: 10,
                anchor: TermAnchor::Signed,
            },
            PaymentTerm {
                percent: d("50"),
                offset_days: 30,
                anchor: TermAnchor::PreviousDue,
            },
        ],
    };
    let dates = chained.due_dates(signed).unwrap();
    assert_eq!(
        dates,
        vec![
            NaiveDate::from_ymd_opt(2024, 3, 11).unwrap(),
            NaiveDate::from_ymd_opt(2024, 4, 10).unwrap(),
        ]
    );

    let backwards = PaymentTerms {
        terms: vec![
            PaymentTerm {
                percent: d("50"),
                offset_days: 60,
                anchor: TermAnchor::Signed,
            },
            PaymentTerm {
                percent: d("50"),
                offset_days: 30,
                anchor: TermAnchor::Signed,
            },
        ],
    };
    let err = backwards.validate().unwrap_err();
    assert!(matches!(err, CrmError::Validation { field, .. } if field == "terms[1].offset_days"));
    let same_day = PaymentTerms {
        terms: vec![
            PaymentTerm {
                percent: d("50"),
                offset_days: 30,
                anchor: TermAnchor::Signed,
            },
            PaymentTerm {
                percent: d("50"),
                offset_days: 30,
                anchor: TermAnchor::Signed,
            },
        ],
    };
    assert!(same_day.validate().is_ok());
    let short = PaymentTerms {
        terms: vec![PaymentTerm {
            percent: d("99.99"),
            offset_days: 0,
            anchor: TermAnchor::Signed,
        }],
    };
    assert!(
        matches!(short.validate(), Err(CrmError::RuleViolation { rule, .. }) if rule == "percent_sum")
    );
}

#[test]
fn reflow_keeps_paid_parts_and_spreads_the_rest() {
    // 30/50/20 of 100; 30 paid on the first, 10 on the second.
    let mut plan = by_percent("100", &["30", "50", "20"]);
    plan[0].paid = d("30");
    plan[1].paid = d("10");
    let out = reflow(&plan, d("200"), &cny(), day(0)).unwrap();
    // 200 − 40 = 160 over weights 50:20 → 114.29 / 45.71; the second keeps its 10.
    assert_eq!(amounts(&out), vec![d("30"), d("124.29"), d("45.71")]);
    assert_eq!(out.iter().map(|i| i.amount).sum::<Decimal>(), d("200"));
    assert_eq!(out[1].paid, d("10"));
    let ps: Decimal = out.iter().map(|i| i.percent).sum();
    assert_eq!(ps, d("100"));

    // Lowering to exactly what was paid closes everything.
    let out = reflow(&plan, d("40"), &cny(), day(0)).unwrap();
    assert_eq!(amounts(&out), vec![d("30"), d("10"), d("0")]);
    // One cent below what was paid is refused.
    let err = reflow(&plan, d("39.99"), &cny(), day(0)).unwrap_err();
    assert!(matches!(err, CrmError::RuleViolation { rule, .. } if rule == "reflow_below_paid"));
}

#[test]
fn reflow_with_write_offs_and_nothing_open() {
    let mut plan = by_percent("100", &["50", "50"]);
    plan[0].paid = d("50");
    plan[1].paid = d("40");
    plan[1].written_off = d("10");
    let err = reflow(&plan, d("95"), &cny(), day(0)).unwrap_err();
    assert!(matches!(err, CrmError::RuleViolation { rule, .. } if rule == "reflow_below_settled"));
    let same = reflow(&plan, d("100"), &cny(), day(0)).unwrap();
    assert_eq!(amounts(&same), amounts(&plan));
    let grown = reflow(&plan, d("120"), &cny(), day(500)).unwrap();
    assert_eq!(grown.len(), 3);
    assert_eq!(grown[2].amount, d("20"));
    assert_eq!(grown[2].due_date, day(500));
    let early = reflow(&plan, d("120"), &cny(), day(0)).unwrap();
    assert_eq!(
        early[2].due_date, plan[1].due_date,
        "due dates stay ascending"
    );
}

#[test]
fn void_installments_are_skipped() {
    let plan = by_percent("100", &["50", "50"]);
    let voided = void_installment(&plan, 1).unwrap();
    check_plan(&voided, d("50"), &cny()).unwrap();
    assert!(void_installment(&voided, 1).is_err());
    assert!(void_installment(&voided, 7).is_err());
    let out = reflow(&voided, d("80"), &cny(), day(0)).unwrap();
    assert_eq!(amounts(&out), vec![d("80"), d("50")]);
    assert!(out[1].void);
    let mut paid = plan.clone();
    paid[0].paid = d("1");
    assert!(
        matches!(void_installment(&paid, 0), Err(CrmError::RuleViolation { rule, .. }) if rule == "installment_settled")
    );
}

#[test]
fn check_plan_catches_broken_state() {
    let plan = by_percent("100", &["50", "50"]);
    check_plan(&plan, d("100"), &cny()).unwrap();
    assert!(check_plan(&plan, d("100.01"), &cny()).is_err());
    let mut bad = plan.clone();
    bad[0].paid = d("50.01");
    assert!(check_plan(&bad, d("100"), &cny()).is_err());
    let mut bad = plan.clone();
    bad.swap(0, 1);
    assert!(check_plan(&bad, d("100"), &cny()).is_err());
}
