//! The statement calculation: CM1 and CM2 through a statement, booked against collected,
//! releases across statements, adjustments for reversals of paid periods, zero targets and
//! zero bases.

use super::plan::{CommissionBase, CommissionPlan, PlanMembers, PlanStatus};
use super::statement::{
    calculate, CalcInput, Calculation, CommissionStatement, LineKind, StatementStatus,
};
use super::{Band, BandBasis, BandMode, Bands};
use crate::credit::{Credit, CreditSource};
use crate::ids::{CommissionPlanId, CreditId, StatementId, TenantId, UserId};
use crate::money::Currency;
use crate::target::{FiscalCalendar, FiscalPeriod, Metric};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn cny() -> Currency {
    Currency::parse("CNY", "currency").unwrap()
}

fn band(from: &str, to: Option<&str>, rate: &str) -> Band {
    Band {
        from: dec(from),
        to: to.map(dec),
        rate: dec(rate),
    }
}

/// CM1/CM2's bands: [0,100 %) 3 %, [100 %,120 %) 5 %, [120 %,∞) 8 %.
fn attainment_bands(mode: BandMode) -> Bands {
    Bands {
        basis: BandBasis::Attainment,
        mode,
        bands: vec![
            band("0", Some("100"), "3"),
            band("100", Some("120"), "5"),
            band("120", None, "8"),
        ],
        cap: None,
    }
}

/// One amount band at `rate` percent.
fn flat_rate(rate: &str) -> Bands {
    Bands {
        basis: BandBasis::Amount,
        mode: BandMode::Flat,
        bands: vec![band("0", None, rate)],
        cap: None,
    }
}

fn plan(metric: Metric, base: CommissionBase, bands: Bands) -> CommissionPlan {
    CommissionPlan {
        tenant: TenantId(1),
        id: CommissionPlanId(1),
        version: 1,
        name: "east".into(),
        revision: 1,
        effective_from: day(1, 1),
        metric,
        base,
        bands,
        currency: "CNY".into(),
        applies_to: PlanMembers::default(),
        status: PlanStatus::Active,
        created_by: None,
        created_at: DateTime::<Utc>::default(),
    }
}

fn day(month: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, d).unwrap()
}

fn credit(id: i64, source: CreditSource, source_id: i64, amount: &str, on: NaiveDate) -> Credit {
    Credit {
        tenant: TenantId(1),
        id: CreditId(id),
        version: 1,
        metric: source.metric(),
        user_id: UserId(12),
        department_id: None,
        share: Decimal::ONE_HUNDRED,
        amount: dec(amount),
        currency: Some("CNY".into()),
        local_date: on,
        at: DateTime::<Utc>::default(),
        source,
        source_id,
        source_ref: id,
        customer_id: None,
    }
}

struct Run<'a> {
    plan: &'a CommissionPlan,
    month: u32,
    credits: &'a [Credit],
    payments: &'a [Credit],
    target: &'a str,
    earlier: &'a [CommissionStatement],
}

fn key(month: u32) -> String {
    format!("FY2026-M{month:02}")
}

fn run(r: Run<'_>) -> Calculation {
    let period = FiscalPeriod::Month {
        year: 2026,
        month: r.month,
    };
    let (start, end) = FiscalCalendar::default().bounds(period).unwrap();
    let currency = cny();
    let k = key(r.month);
    calculate(&CalcInput {
        plan: r.plan,
        currency: &currency,
        period_key: &k,
        start,
        end,
        credits: r.credits,
        payments: r.payments,
        target: dec(r.target),
        earlier: r.earlier,
    })
    .unwrap()
}

/// The approved statement of `month` with the figures of `calc`.
fn approved(plan: &CommissionPlan, month: u32, calc: &Calculation) -> CommissionStatement {
    let period = FiscalPeriod::Month { year: 2026, month };
    let (start, end) = FiscalCalendar::default().bounds(period).unwrap();
    CommissionStatement {
        tenant: TenantId(1),
        id: StatementId(i64::from(month)),
        version: 2,
        user_id: UserId(12),
        plan_name: plan.name.clone(),
        plan_id: plan.id,
        plan_revision: plan.revision,
        period,
        period_key: key(month),
        period_start: start,
        period_end: end,
        metric: plan.metric,
        base: plan.base,
        currency: plan.currency.clone(),
        net_credits: calc.net_credits,
        band_base: calc.band_base,
        target: Decimal::ZERO,
        attainment: calc.attainment,
        band_commission: calc.band_commission,
        lines: calc.lines.clone(),
        contracts: calc.contracts.clone(),
        total: calc.total,
        status: StatementStatus::Approved,
        computed_by: None,
        computed_at: DateTime::<Utc>::default(),
        approved_by: Some(UserId(11)),
        approved_at: Some(DateTime::<Utc>::default()),
    }
}

fn kinds(calc: &Calculation) -> Vec<(LineKind, Decimal)> {
    calc.lines.iter().map(|l| (l.kind, l.amount)).collect()
}

#[test]
fn cm1_and_cm2_through_a_statement() {
    let credits = [
        credit(
            1,
            CreditSource::ContractActivated,
            100,
            "80000.00",
            day(3, 5),
        ),
        credit(
            2,
            CreditSource::ContractActivated,
            101,
            "50000.00",
            day(3, 20),
        ),
        // Another month's credit is not in March's base.
        credit(
            3,
            CreditSource::ContractActivated,
            102,
            "9999.00",
            day(4, 1),
        ),
        credit(
            4,
            CreditSource::ContractActivated,
            103,
            "7777.00",
            day(2, 28),
        ),
    ];
    for (mode, total) in [
        (BandMode::Marginal, "4800.00"),
        (BandMode::Flat, "10400.00"),
    ] {
        let p = plan(
            Metric::ContractAmount,
            CommissionBase::Booked,
            attainment_bands(mode),
        );
        let calc = run(Run {
            plan: &p,
            month: 3,
            credits: &credits,
            payments: &[],
            target: "100000.00",
            earlier: &[],
        });
        assert_eq!(calc.net_credits, dec("130000.00"));
        assert_eq!(calc.band_base, dec("130000.00"));
        assert_eq!(calc.attainment, Some(dec("130.00")));
        assert_eq!(calc.total, dec(total));
        assert_eq!(calc.total.scale(), 2);
        assert_eq!(kinds(&calc), vec![(LineKind::Commission, dec(total))]);
    }
}

#[test]
fn booked_pays_at_once_collected_as_paid() {
    let credits = [
        credit(
            1,
            CreditSource::ContractActivated,
            100,
            "80000.00",
            day(3, 5),
        ),
        credit(
            2,
            CreditSource::ContractActivated,
            101,
            "50000.00",
            day(3, 20),
        ),
    ];
    let payments = [
        credit(
            10,
            CreditSource::PaymentReceived,
            100,
            "40000.00",
            day(3, 10),
        ),
        credit(
            11,
            CreditSource::PaymentReceived,
            101,
            "60000.00",
            day(3, 25),
        ),
        // After the period's end: not paid yet for March.
        credit(
            12,
            CreditSource::PaymentReceived,
            100,
            "40000.00",
            day(4, 2),
        ),
    ];
    let bands = attainment_bands(BandMode::Marginal);
    let booked = plan(
        Metric::ContractAmount,
        CommissionBase::Booked,
        bands.clone(),
    );
    let calc = run(Run {
        plan: &booked,
        month: 3,
        credits: &credits,
        payments: &payments,
        target: "100000.00",
        earlier: &[],
    });
    assert_eq!(calc.total, dec("4800.00"));
    assert!(calc.contracts.is_empty());

    let collected = plan(Metric::ContractAmount, CommissionBase::Collected, bands);
    let calc = run(Run {
        plan: &collected,
        month: 3,
        credits: &credits,
        payments: &payments,
        target: "100000.00",
        earlier: &[],
    });
    // 4800.00 split 80000:50000 → 2953.846… and 1846.153…: largest remainder gives the
    // extra cent to contract 100 (0.6 > 0.38): 2953.85 + 1846.15.
    let parts: Vec<(i64, Decimal, Decimal)> = calc
        .contracts
        .iter()
        .map(|c| (c.contract_id, c.part, c.released_to_date))
        .collect();
    // Contract 100 is half paid: 2953.85 × ½ = 1476.925 → 1476.93 (half-up); contract 101
    // is overpaid: its whole part, never more.
    assert_eq!(
        parts,
        vec![
            (100, dec("2953.85"), dec("1476.93")),
            (101, dec("1846.15"), dec("1846.15")),
        ]
    );
    assert_eq!(calc.band_commission, dec("4800.00"));
    assert_eq!(kinds(&calc), vec![(LineKind::Commission, dec("3323.08"))]);
    assert_eq!(calc.total, dec("3323.08"));
}

#[test]
fn collected_commission_is_released_across_statements() {
    let p = plan(
        Metric::ContractAmount,
        CommissionBase::Collected,
        flat_rate("5"),
    );
    let credits = [credit(
        1,
        CreditSource::ContractActivated,
        100,
        "100000.00",
        day(1, 10),
    )];
    let mut payments = vec![credit(
        10,
        CreditSource::PaymentReceived,
        100,
        "30000.00",
        day(1, 20),
    )];
    // January: 5000.00 earned, 30 % paid → 1500.00 released.
    let jan = run(Run {
        plan: &p,
        month: 1,
        credits: &credits,
        payments: &payments,
        target: "0",
        earlier: &[],
    });
    assert_eq!(jan.band_commission, dec("5000.00"));
    assert_eq!(kinds(&jan), vec![(LineKind::Commission, dec("1500.00"))]);
    let jan = approved(&p, 1, &jan);

    // February: the remaining 70 % paid → 3500.00 released; nothing new booked.
    payments.push(credit(
        11,
        CreditSource::PaymentReceived,
        100,
        "70000.00",
        day(2, 3),
    ));
    let feb = run(Run {
        plan: &p,
        month: 2,
        credits: &credits,
        payments: &payments,
        target: "0",
        earlier: std::slice::from_ref(&jan),
    });
    assert_eq!(
        kinds(&feb),
        vec![
            (LineKind::Commission, dec("0.00")),
            (LineKind::Release, dec("3500.00")),
        ]
    );
    assert_eq!(feb.lines[1].source_id, Some(100));
    assert_eq!(feb.lines[1].from_period.as_deref(), Some("FY2026-M01"));
    assert_eq!(feb.total, dec("3500.00"));

    // Computed for February while January was not approved yet: nothing to release.
    let unapproved = run(Run {
        plan: &p,
        month: 2,
        credits: &credits,
        payments: &payments,
        target: "0",
        earlier: &[],
    });
    assert_eq!(unapproved.total, dec("0.00"));

    // March, after February's approval: everything released already, nothing more.
    let feb = approved(&p, 2, &feb);
    let mar = run(Run {
        plan: &p,
        month: 3,
        credits: &credits,
        payments: &payments,
        target: "0",
        earlier: &[jan.clone(), feb.clone()],
    });
    assert_eq!(kinds(&mar), vec![(LineKind::Commission, dec("0.00"))]);

    // A refund of 10000.00 in March takes 500.00 back (released to date 4500.00).
    payments.push(credit(
        12,
        CreditSource::Refund,
        100,
        "-10000.00",
        day(3, 9),
    ));
    let mar = run(Run {
        plan: &p,
        month: 3,
        credits: &credits,
        payments: &payments,
        target: "0",
        earlier: &[jan, feb],
    });
    assert_eq!(
        kinds(&mar),
        vec![
            (LineKind::Commission, dec("0.00")),
            (LineKind::Release, dec("-500.00")),
        ]
    );
}

#[test]
fn a_refund_of_a_paid_period_is_an_adjustment_at_its_rate() {
    // Payments received, booked, marginal by amount: [0, 10000) 5 %, [10000, ∞) 10 %.
    let p = plan(
        Metric::PaymentsReceived,
        CommissionBase::Booked,
        Bands {
            basis: BandBasis::Amount,
            mode: BandMode::Marginal,
            bands: vec![band("0", Some("10000"), "5"), band("10000", None, "10")],
            cap: None,
        },
    );
    let mut credits = vec![credit(
        1,
        CreditSource::PaymentReceived,
        100,
        "20000.00",
        day(1, 15),
    )];
    let jan = run(Run {
        plan: &p,
        month: 1,
        credits: &credits,
        payments: &[],
        target: "0",
        earlier: &[],
    });
    // 500 + 1000 = 1500.00 on 20000.00: an effective rate of 7.5 %.
    assert_eq!(jan.total, dec("1500.00"));
    let jan = approved(&p, 1, &jan);

    // February: a refund of 3333.00 on contract 100 (paid in January) and a new payment of
    // 10000.00 on contract 200, refunded in part (100.00) in the same month.
    credits.extend([
        credit(2, CreditSource::Refund, 100, "-3333.00", day(2, 10)),
        credit(
            3,
            CreditSource::PaymentReceived,
            200,
            "10000.00",
            day(2, 11),
        ),
        credit(4, CreditSource::Refund, 200, "-100.00", day(2, 12)),
    ]);
    let feb = run(Run {
        plan: &p,
        month: 2,
        credits: &credits,
        payments: &[],
        target: "0",
        earlier: std::slice::from_ref(&jan),
    });
    assert_eq!(feb.net_credits, dec("6567.00"));
    // The same month's refund is netted; January's is carried.
    assert_eq!(feb.band_base, dec("9900.00"));
    // −3333.00 × 7.5 % = −249.975 → −249.98 (half-up, once).
    assert_eq!(
        kinds(&feb),
        vec![
            (LineKind::Commission, dec("495.00")),
            (LineKind::Adjustment, dec("-249.98")),
        ]
    );
    let adjustment = &feb.lines[1];
    assert_eq!(adjustment.source_id, Some(100));
    assert_eq!(adjustment.from_period.as_deref(), Some("FY2026-M01"));
    assert_eq!(adjustment.basis, dec("-3333.00"));
    assert_eq!(feb.total, dec("245.02"));

    // Without January's approval the refund is netted into February's base instead.
    let netted = run(Run {
        plan: &p,
        month: 2,
        credits: &credits,
        payments: &[],
        target: "0",
        earlier: &[],
    });
    assert_eq!(netted.band_base, dec("6567.00"));
    assert_eq!(kinds(&netted), vec![(LineKind::Commission, dec("328.35"))]);
}

#[test]
fn zero_targets_and_zero_bases_never_divide() {
    let p = plan(
        Metric::ContractAmount,
        CommissionBase::Booked,
        attainment_bands(BandMode::Flat),
    );
    let credits = [credit(
        1,
        CreditSource::ContractActivated,
        100,
        "5000.00",
        day(3, 1),
    )];
    // Zero target: every bound is 0, so the whole base is in the last band (8 %).
    let calc = run(Run {
        plan: &p,
        month: 3,
        credits: &credits,
        payments: &[],
        target: "0",
        earlier: &[],
    });
    assert_eq!(calc.attainment, None);
    assert_eq!(calc.total, dec("400.00"));

    // Zero base (no credits), with and without a target.
    for target in ["0", "100000.00"] {
        let calc = run(Run {
            plan: &p,
            month: 4,
            credits: &credits,
            payments: &[],
            target,
            earlier: &[],
        });
        assert_eq!(calc.band_base, Decimal::ZERO);
        assert_eq!(kinds(&calc), vec![(LineKind::Commission, dec("0.00"))]);
        assert_eq!(calc.total, dec("0.00"));
    }

    // A negative base (a termination of an unpaid earlier contract) earns 0, not less.
    let terminated = [
        credits[0].clone(),
        credit(
            2,
            CreditSource::ContractTerminated,
            100,
            "-5000.00",
            day(5, 2),
        ),
    ];
    let calc = run(Run {
        plan: &p,
        month: 5,
        credits: &terminated,
        payments: &[],
        target: "0",
        earlier: &[],
    });
    assert_eq!(calc.band_base, dec("-5000.00"));
    assert_eq!(calc.total, dec("0.00"));

    // A collected base with nothing booked and nothing earlier: zero, no division.
    let collected = plan(
        Metric::ContractAmount,
        CommissionBase::Collected,
        attainment_bands(BandMode::Marginal),
    );
    let calc = run(Run {
        plan: &collected,
        month: 4,
        credits: &credits,
        payments: &[],
        target: "0",
        earlier: &[],
    });
    assert_eq!(calc.total, dec("0.00"));
    assert!(calc.contracts.is_empty());
}

#[test]
fn names_are_stable_and_the_serde_names() {
    fn check<T: serde::Serialize + std::fmt::Display>(v: T, name: &str) {
        assert_eq!(serde_json::to_value(&v).unwrap(), serde_json::json!(name));
        assert_eq!(v.to_string(), name);
    }
    for (b, name) in [
        (CommissionBase::Booked, "booked"),
        (CommissionBase::Collected, "collected"),
    ] {
        assert_eq!(b.as_str(), name);
        check(b, name);
    }
    for (s, name) in [
        (PlanStatus::Active, "active"),
        (PlanStatus::Retired, "retired"),
    ] {
        assert_eq!(s.as_str(), name);
        check(s, name);
    }
    for (s, name) in [
        (StatementStatus::Computed, "computed"),
        (StatementStatus::Approved, "approved"),
    ] {
        assert_eq!(s.as_str(), name);
        check(s, name);
    }
    for (k, name) in [
        (LineKind::Commission, "commission"),
        (LineKind::Release, "release"),
        (LineKind::Adjustment, "adjustment"),
    ] {
        assert_eq!(k.as_str(), name);
        check(k, name);
    }
    let key = |p| super::statement::period_key(p);
    assert_eq!(key(FiscalPeriod::Year { year: 2026 }), "FY2026");
    assert_eq!(
        key(FiscalPeriod::Quarter {
            year: 2026,
            quarter: 2
        }),
        "FY2026-Q2"
    );
    assert_eq!(
        key(FiscalPeriod::Month {
            year: 2026,
            month: 3
        }),
        "FY2026-M03"
    );
}
