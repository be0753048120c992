//! REFERENCE-CASES "Money, plans, payments, aging": one test per bullet, against the pure
//! sales rules.

use chrono::{Days, NaiveDate};
use crm_core::ids::UserId;
use crm_core::money::{Currency, RoundingMode};
use crm_core::sales::aging::{aging_report, receivables_of, AgingBuckets, Receivable};
use crm_core::sales::allocate::{allocate_amount, allocate_minor, allocate_percents};
use crm_core::sales::forecast::{weighted_by_month, OpportunityFacts, YearMonth};
use crm_core::sales::lines::{price, LineInput, PricingInput};
use crm_core::sales::payments::{apply_payment, summarize, InstallmentStatus};
use crm_core::sales::pipeline::OpportunityStatus;
use crm_core::sales::plan::{
    plan_from_amounts, plan_from_percents, Installment, ScheduledAmount, ScheduledPercent,
};
use rust_decimal::Decimal;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}
fn cny() -> Currency {
    Currency::parse("CNY", "currency").unwrap()
}
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 15).unwrap()
}
fn plus(days: u64) -> NaiveDate {
    today().checked_add_days(Days::new(days)).unwrap()
}
fn minus(days: u64) -> NaiveDate {
    today().checked_sub_days(Days::new(days)).unwrap()
}
fn deal(amount: &str, probability: &str, close: NaiveDate) -> OpportunityFacts {
    OpportunityFacts {
        owner: UserId(1),
        amount: d(amount),
        currency: cny(),
        probability: d(probability),
        status: OpportunityStatus::Open,
        close_date: close,
        stage: "propose".into(),
        history: Vec::new(),
    }
}
fn ds(v: &[&str]) -> Vec<Decimal> {
    v.iter().map(|s| d(s)).collect()
}

#[test]
fn weighted_pipeline_sums_amount_times_probability_per_deal() {
    let june = NaiveDate::from_ymd_opt(2024, 6, 30).unwrap();
    let rows = weighted_by_month(
        &[deal("100", "99", june), deal("200", "0", june)],
        RoundingMode::HalfUp,
    )
    .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].weighted.to_string(), "99.00");
    // Not the average probability (49.5 %) times the sum (300) = 148.50.
    assert_ne!(rows[0].weighted, d("148.50"));
}

#[test]
fn monthly_forecast_per_close_month() {
    let deals = [
        deal(
            "100000",
            "50",
            NaiveDate::from_ymd_opt(2024, 6, 15).unwrap(),
        ),
        deal(
            "100000",
            "50",
            NaiveDate::from_ymd_opt(2024, 7, 15).unwrap(),
        ),
        deal(
            "100000",
            "100",
            NaiveDate::from_ymd_opt(2024, 8, 15).unwrap(),
        ),
    ];
    let rows = weighted_by_month(&deals, RoundingMode::HalfUp).unwrap();
    let got: Vec<(YearMonth, Decimal)> = rows.iter().map(|r| (r.group, r.weighted)).collect();
    assert_eq!(
        got,
        vec![
            (
                YearMonth {
                    year: 2024,
                    month: 6
                },
                d("50000")
            ),
            (
                YearMonth {
                    year: 2024,
                    month: 7
                },
                d("50000")
            ),
            (
                YearMonth {
                    year: 2024,
                    month: 8
                },
                d("100000")
            ),
        ]
    );
}

#[test]
fn plan_split_sums_exactly() {
    let split = allocate_percents(d("5.47"), &ds(&["33.34", "33.33", "33.33"]), &cny()).unwrap();
    assert_eq!(split, ds(&["1.83", "1.82", "1.82"]));
    // The same through a percent plan.
    let items: Vec<ScheduledPercent> = ["33.34", "33.33", "33.33"]
        .iter()
        .enumerate()
        .map(|(i, p)| ScheduledPercent {
            due_date: plus(30 * (i as u64 + 1)),
            percent: d(p),
        })
        .collect();
    let plan = plan_from_percents(d("5.47"), &cny(), &items).unwrap();
    let amounts: Vec<Decimal> = plan.iter().map(|i| i.amount).collect();
    assert_eq!(amounts, ds(&["1.83", "1.82", "1.82"]));

    let thirds = plan_from_percents(d("30000"), &cny(), &items).unwrap();
    let sum: Decimal = thirds.iter().map(|i| i.amount).sum();
    assert_eq!(sum.to_string(), "30000.00");
    let equal = allocate_amount(d("30000"), &ds(&["1", "1", "1"]), &cny()).unwrap();
    assert_eq!(equal.iter().copied().sum::<Decimal>(), d("30000.00"));

    let hundred =
        allocate_percents(d("100.00"), &ds(&["33.34", "33.33", "33.33"]), &cny()).unwrap();
    assert_eq!(hundred, ds(&["33.34", "33.33", "33.33"]));
    let hundred = allocate_amount(d("100.00"), &ds(&["1", "1", "1"]), &cny()).unwrap();
    assert_eq!(hundred, ds(&["33.34", "33.33", "33.33"]));
}

#[test]
fn fair_allocation_in_minor_units() {
    assert_eq!(allocate_minor(5, &ds(&["70", "30"])).unwrap(), vec![4, 1]);
    assert_eq!(allocate_minor(5, &ds(&["30", "70"])).unwrap(), vec![2, 3]);
    assert_eq!(
        allocate_minor(800, &ds(&["1", "1", "1"])).unwrap(),
        vec![267, 267, 266]
    );
}

fn plan_30_50_20() -> Vec<Installment> {
    let items: Vec<ScheduledPercent> = [("30", 30), ("50", 60), ("20", 90)]
        .iter()
        .map(|(p, days)| ScheduledPercent {
            due_date: plus(*days),
            percent: d(p),
        })
        .collect();
    plan_from_percents(d("100"), &cny(), &items).unwrap()
}

#[test]
fn receivables_by_installment() {
    let plan = plan_30_50_20();
    let out = apply_payment(&plan, &cny(), d("40"), None).unwrap();
    let p = &out.installments;
    assert_eq!((p[0].paid, p[0].outstanding()), (d("30"), d("0")));
    assert_eq!(p[0].status(today()), InstallmentStatus::Paid);
    assert_eq!((p[1].paid, p[1].outstanding()), (d("10"), d("40")));
    assert_eq!(p[1].status(today()), InstallmentStatus::PartiallyPaid);
    assert_eq!((p[2].paid, p[2].outstanding()), (d("0"), d("20")));
    assert_eq!(p[2].status(today()), InstallmentStatus::Pending);
    assert_eq!(out.credit, d("0"));

    let out = apply_payment(&plan, &cny(), d("99.99"), None).unwrap();
    let s = summarize(&out.installments, &cny(), today()).unwrap();
    assert_eq!(s.outstanding, d("0.01"));
    assert_eq!(s.paid + s.outstanding + s.written_off, s.total);
    assert_eq!(out.installments[2].outstanding(), d("0.01"));
}

#[test]
fn payment_fills_the_oldest_installment_first() {
    let items: Vec<ScheduledAmount> = [("60", 30), ("100", 60), ("40", 90)]
        .iter()
        .map(|(a, days)| ScheduledAmount {
            due_date: plus(*days),
            amount: d(a),
        })
        .collect();
    let plan = plan_from_amounts(d("200"), &cny(), &items).unwrap();
    let out = apply_payment(&plan, &cny(), d("40"), None).unwrap();
    let p = &out.installments;
    assert_eq!(
        (p[0].amount, p[0].paid, p[0].outstanding()),
        (d("60"), d("40"), d("20"))
    );
    assert_eq!(
        (p[1].amount, p[1].paid, p[1].outstanding()),
        (d("100"), d("0"), d("100"))
    );
    assert_eq!(
        (p[2].amount, p[2].paid, p[2].outstanding()),
        (d("40"), d("0"), d("40"))
    );
}

#[test]
fn aging_buckets_have_inclusive_upper_bounds_and_add_up() {
    let as_of = today();
    let cases: [(u64, usize); 9] = [
        (0, 0),
        (30, 0),
        (31, 1),
        (60, 1),
        (61, 2),
        (90, 2),
        (91, 3),
        (120, 3),
        (121, 4),
    ];
    let buckets = AgingBuckets::default();
    assert_eq!(
        buckets.labels(),
        vec!["0–30", "31–60", "61–90", "91–120", "121+"]
    );
    for (days, bucket) in cases {
        let item = Receivable {
            key: ("customer 1", "contract 1"),
            currency: cny(),
            due_date: minus(days),
            outstanding: d("10"),
        };
        let r = aging_report(&[item], as_of, &buckets).unwrap();
        let row = &r.rows[0];
        assert_eq!(row.not_yet_due, d("0"), "{days} days past due");
        for (i, amount) in row.buckets.iter().enumerate() {
            let expected = if i == bucket { d("10") } else { d("0") };
            assert_eq!(*amount, expected, "{days} days past due → bucket {bucket}");
        }
    }
    // Not yet due lands in its own bucket, and everything adds up to outstanding.
    let mut items: Vec<Receivable<(&str, &str)>> = cases
        .iter()
        .map(|(days, _)| Receivable {
            key: ("customer 1", "contract 1"),
            currency: cny(),
            due_date: minus(*days),
            outstanding: d("10"),
        })
        .collect();
    items.push(Receivable {
        key: ("customer 1", "contract 1"),
        currency: cny(),
        due_date: plus(1),
        outstanding: d("5"),
    });
    let r = aging_report(&items, as_of, &buckets).unwrap();
    let row = &r.rows[0];
    assert_eq!(row.not_yet_due, d("5"));
    assert_eq!(row.buckets, ds(&["20", "20", "20", "20", "10"]));
    assert_eq!(row.total, d("95"));
    assert_eq!(
        row.not_yet_due + row.buckets.iter().copied().sum::<Decimal>(),
        row.total
    );
}

#[test]
fn aging_from_installments_adds_up_to_outstanding() {
    let plan = plan_30_50_20();
    let paid = apply_payment(&plan, &cny(), d("40"), None)
        .unwrap()
        .installments;
    let later = plus(75); // first two due dates passed, the third not yet.
    let items = receivables_of(("c1", "k1"), &cny(), &paid);
    let r = aging_report(&items, later, &AgingBuckets::default()).unwrap();
    let row = &r.rows[0];
    assert_eq!(
        row.total,
        summarize(&paid, &cny(), later).unwrap().outstanding
    );
    assert_eq!(row.not_yet_due, d("20"));
    assert_eq!(row.buckets[0], d("40"));
}

#[test]
fn overdue_needs_a_past_due_date_and_something_outstanding() {
    let items = vec![
        ScheduledAmount {
            due_date: minus(1),
            amount: d("30"),
        },
        ScheduledAmount {
            due_date: plus(30),
            amount: d("70"),
        },
    ];
    let plan = plan_from_amounts(d("100"), &cny(), &items).unwrap();
    let paid_20 = apply_payment(&plan, &cny(), d("20"), None)
        .unwrap()
        .installments;
    assert_eq!(paid_20[0].status(today()), InstallmentStatus::Overdue);
    assert_eq!(
        summarize(&paid_20, &cny(), today()).unwrap().overdue,
        d("10")
    );
    let paid_30 = apply_payment(&plan, &cny(), d("30"), None)
        .unwrap()
        .installments;
    assert_eq!(paid_30[0].status(today()), InstallmentStatus::Paid);
    assert!(paid_30.iter().all(|i| !i.is_overdue(today())));
    assert_eq!(
        summarize(&paid_30, &cny(), today()).unwrap().overdue,
        d("0")
    );

    // Due today is not yet overdue; tomorrow it is.
    let due_today = Installment::new(today(), d("30"), d("100"));
    assert_eq!(due_today.status(today()), InstallmentStatus::Pending);
    assert_eq!(due_today.status(plus(1)), InstallmentStatus::Overdue);
}

#[test]
fn line_math() {
    let line = |q: &str| LineInput {
        product: "widget".into(),
        quantity: d(q),
        unit_price: d("100"),
        discount: d("15"),
        tax_rate: d("0"),
    };
    let one = price(
        &PricingInput {
            currency: "CNY".into(),
            lines: vec![line("1")],
            order_discount: d("0"),
        },
        RoundingMode::HalfUp,
    )
    .unwrap();
    assert_eq!(one.lines[0].net.to_string(), "85.00");
    let three = PricingInput {
        currency: "CNY".into(),
        lines: vec![line("3")],
        order_discount: d("0"),
    };
    let p = price(&three, RoundingMode::HalfUp).unwrap();
    assert_eq!(p.totals.subtotal.to_string(), "255.00");
    let discounted = PricingInput {
        order_discount: d("10"),
        ..three
    };
    let p = price(&discounted, RoundingMode::HalfUp).unwrap();
    assert_eq!(p.totals.net_total.to_string(), "229.50");
    assert_eq!(p.totals.grand_total.to_string(), "229.50");
}
