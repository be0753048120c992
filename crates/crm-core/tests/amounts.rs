//! Amounts through the service (ADR 0012): the documented maximum on both sides for every
//! amount input, sums that would overflow refused at input with a named field, amounts in any
//! other form than a decimal string refused, the tenant that one huge purchase used to stall
//! keeps working, and totals at each currency's scale.

use chrono::{Duration, NaiveDate};
use crm_core::customer::NewCustomer;
use crm_core::ids::CustomerId;
use crm_core::money::MAX_AMOUNT;
use crm_core::sales::{
    ApprovalLevel, ApprovalMode, ApprovalPolicy, Approvers, Branch, Condition, EntryKind,
    LineInput, PricingInput, Range, ScheduledAmount,
};
use crm_core::service::{LedgerInput, NewContract, NewOpportunity, PlanInput};
use crm_core::testkit::fixture::*;
use crm_core::testkit::MemoryStore;
use crm_core::tier::{PurchaseInput, PurchaseKind, TierCondition, TierRule};
use crm_core::{Actor, CrmError};
use rust_decimal::Decimal;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

fn day(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).expect("date")
}

fn field_of<T: std::fmt::Debug>(r: Result<T, CrmError>) -> String {
    match r {
        Err(CrmError::Validation { field, .. }) => field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn sys() -> Actor {
    Actor::system(T1)
}

async fn setup() -> (Fixture<MemoryStore>, CustomerId) {
    let f = Fixture::new(MemoryStore::new()).await;
    let c = f
        .crm
        .create_customer(
            user(REP),
            NewCustomer {
                name: "Huge Buyer".into(),
                ..Default::default()
            },
        )
        .await
        .expect("customer")
        .record
        .id;
    (f, c)
}

fn purchase(c: CustomerId, amount: &str, currency: &str) -> PurchaseInput {
    PurchaseInput {
        customer_id: c,
        kind: PurchaseKind::Order,
        at: start() - Duration::days(1),
        amount: d(amount),
        currency: currency.into(),
        reference: None,
    }
}

fn line(qty: &str, price: &str, tax: &str) -> LineInput {
    LineInput {
        product: "licence".into(),
        quantity: d(qty),
        unit_price: d(price),
        discount: Decimal::ZERO,
        tax_rate: d(tax),
    }
}

fn new_contract(c: CustomerId, number: &str, currency: &str, lines: Vec<LineInput>) -> NewContract {
    NewContract {
        number: number.into(),
        customer_id: c,
        opportunity_id: None,
        owner_id: Some(REP),
        signed_on: Some(day(2026, 3, 2)),
        start_on: day(2026, 3, 2),
        end_on: day(2027, 3, 1),
        pricing: PricingInput {
            currency: currency.into(),
            lines,
            order_discount: Decimal::ZERO,
        },
    }
}

fn opportunity(c: CustomerId, amount: &str, currency: &str) -> NewOpportunity {
    NewOpportunity {
        customer_id: c,
        name: "deal".into(),
        amount: d(amount),
        currency: currency.into(),
        pipeline: None,
        stage: "lead".into(),
        probability: None,
        expected_close: day(2026, 6, 30),
        owner_id: Some(REP),
        products: vec![],
    }
}

fn payment(amount: &str) -> LedgerInput {
    LedgerInput {
        kind: EntryKind::Payment,
        amount: d(amount),
        date: day(2026, 3, 5),
        installment: None,
        method: None,
        reference: None,
    }
}

/// An active contract over `total` (one line) with a one-installment plan.
async fn active_contract(
    f: &Fixture<MemoryStore>,
    c: CustomerId,
    number: &str,
    total: &str,
) -> i64 {
    let k = f
        .crm
        .create_contract(
            sys(),
            new_contract(c, number, "CNY", vec![line("1", total, "0")]),
        )
        .await
        .expect("contract")
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    f.crm.submit_contract(sys(), k.id).await.expect("submit");
    f.crm
        .set_plan(
            sys(),
            k.id,
            PlanInput::Amounts {
                installments: vec![ScheduledAmount {
                    due_date: day(2026, 6, 30),
                    amount: d(total),
                }],
            },
        )
        .await
        .expect("plan");
    k.id.into()
}

#[tokio::test]
async fn the_maximum_is_accepted_and_one_minor_unit_more_is_refused() {
    let (f, c) = setup().await;
    let max = MAX_AMOUNT.to_string();
    // Purchases, per currency scale.
    for (currency, over) in [
        ("CNY", "1000000000000000.01"),
        ("JPY", "1000000000000001"),
        ("KWD", "1000000000000000.001"),
        ("CLF", "1000000000000000.0001"),
    ] {
        f.crm
            .record_purchase(sys(), purchase(c, &max, currency))
            .await
            .unwrap_or_else(|e| panic!("{currency}: the maximum itself: {e:?}"));
        let r = f
            .crm
            .record_purchase(sys(), purchase(c, over, currency))
            .await;
        assert_eq!(field_of(r), "amount", "{currency}");
        let r = f
            .crm
            .record_purchase(sys(), purchase(c, &format!("-{max}"), currency))
            .await;
        assert_eq!(field_of(r), "amount", "{currency}: negative");
    }
    // Opportunities.
    let o = f
        .crm
        .create_opportunity(sys(), opportunity(c, &max, "CNY"))
        .await
        .expect("max opportunity")
        .decode::<crm_core::opportunity::Opportunity>()
        .expect("typed record");
    assert_eq!(o.amount.to_string(), "1000000000000000.00");
    let r = f
        .crm
        .create_opportunity(sys(), opportunity(c, "1000000000000000.01", "CNY"))
        .await;
    assert_eq!(field_of(r), "amount");
    // Contract unit prices and totals, plan amounts, payments.
    let k = active_contract(&f, c, "HT-MAX", &max).await;
    let r = f
        .crm
        .create_contract(
            sys(),
            new_contract(
                c,
                "HT-OVER",
                "CNY",
                vec![line("1", "1000000000000000.01", "0")],
            ),
        )
        .await;
    assert_eq!(field_of(r), "lines[0].unit_price");
    let r = f
        .crm
        .record_ledger(
            sys(),
            crm_core::ids::ContractId(k),
            payment("1000000000000000.01"),
        )
        .await;
    assert_eq!(field_of(r), "amount");
    let paid = f
        .crm
        .record_ledger(sys(), crm_core::ids::ContractId(k), payment(&max))
        .await
        .expect("pay the maximum")
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    assert_eq!(paid.ledger[0].amount.to_string(), "1000000000000000.00");
    let s = f
        .crm
        .receivable_summary(sys(), crm_core::ids::ContractId(k))
        .await
        .expect("summary");
    assert_eq!(
        (s.paid.to_string(), s.outstanding.to_string()),
        ("1000000000000000.00".into(), "0.00".into())
    );
}

#[tokio::test]
async fn sums_that_would_overflow_are_refused_at_input() {
    let (f, c) = setup().await;
    let max = MAX_AMOUNT.to_string();
    // Two lines at the maximum: each is fine, their total is not.
    let r = f
        .crm
        .create_contract(
            sys(),
            new_contract(
                c,
                "HT-2",
                "CNY",
                vec![line("1", &max, "0"), line("1", "0.01", "0")],
            ),
        )
        .await;
    assert_eq!(field_of(r), "lines");
    // Tax on top of the maximum.
    let r = f
        .crm
        .create_contract(
            sys(),
            new_contract(c, "HT-T", "CNY", vec![line("1", &max, "0.0001")]),
        )
        .await;
    assert_eq!(field_of(r), "lines");
    // Quantity × price beyond the maximum is the line's error.
    let r = f
        .crm
        .create_contract(
            sys(),
            new_contract(
                c,
                "HT-Q",
                "CNY",
                vec![line("1000000000", "1000000.01", "0")],
            ),
        )
        .await;
    assert_eq!(field_of(r), "lines[0]");
    let ok = f
        .crm
        .create_contract(
            sys(),
            new_contract(c, "HT-Q2", "CNY", vec![line("1000000000", "1000000", "0")]),
        )
        .await
        .expect("10^9 × 10^6 is exactly the maximum")
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    assert_eq!(ok.pricing.totals.grand_total, MAX_AMOUNT);
    let r = f
        .crm
        .create_contract(
            sys(),
            new_contract(c, "HT-Q3", "CNY", vec![line("1000000000.000001", "1", "0")]),
        )
        .await;
    assert_eq!(field_of(r), "lines[0].quantity");
    // Customer credit: over-payments add up to the maximum and not beyond.
    let k = active_contract(&f, c, "HT-C", "0.01").await;
    f.crm
        .record_ledger(sys(), crm_core::ids::ContractId(k), payment(&max))
        .await
        .expect("credit up to the maximum − 0.01");
    f.crm
        .record_ledger(sys(), crm_core::ids::ContractId(k), payment("0.01"))
        .await
        .expect("credit exactly the maximum");
    let before = f
        .crm
        .get_contract(sys(), crm_core::ids::ContractId(k))
        .await
        .expect("get");
    let r = f
        .crm
        .record_ledger(sys(), crm_core::ids::ContractId(k), payment("0.01"))
        .await;
    assert_eq!(field_of(r), "amount");
    let after = f
        .crm
        .get_contract(sys(), crm_core::ids::ContractId(k))
        .await
        .expect("get");
    assert_eq!(
        before.record["ledger"], after.record["ledger"],
        "nothing written"
    );
    let credit = f
        .crm
        .get_customer(sys(), c)
        .await
        .expect("customer")
        .record
        .credit;
    assert_eq!(
        credit.get("CNY").map(|a| a.to_string()),
        Some("1000000000000000.00".into())
    );
}

#[tokio::test]
async fn the_reported_huge_purchase_is_refused_and_the_tenant_keeps_working() {
    let (f, c) = setup().await;
    let r = f
        .crm
        .record_purchase(sys(), purchase(c, "79228162514264337593543950335", "CNY"))
        .await;
    assert_eq!(field_of(r), "amount");
    for _ in 0..3 {
        f.crm
            .record_purchase(sys(), purchase(c, &MAX_AMOUNT.to_string(), "CNY"))
            .await
            .expect("maximum-size purchase");
    }
    f.crm
        .recompute_tiers(T1, start())
        .await
        .expect("tier.recompute");
    f.crm
        .run_due_work(T1, start() + Duration::days(400))
        .await
        .expect("due work");
    f.crm
        .record_purchase(sys(), purchase(c, "1.00", "CNY"))
        .await
        .expect("later purchases");
}

#[tokio::test]
async fn amounts_in_any_other_form_than_a_decimal_string_are_refused() {
    let (f, c) = setup().await;
    let json = |amount: &str| {
        format!(
            r#"{{"customer_id": {}, "at": "2026-01-01T00:00:00Z", "amount": {amount}, "currency": "CNY"}}"#,
            c.0
        )
    };
    for bad in [
        "12.5",
        "12",
        "1e3",
        r#""1e3""#,
        r#""1_000""#,
        r#""+1""#,
        r#"" 1""#,
        r#""1 ""#,
        r#""1.""#,
        r#""""#,
        r#""1.000000000000000000000000000001""#,
        "null",
    ] {
        let err = serde_json::from_str::<PurchaseInput>(&json(bad)).expect_err(bad);
        assert!(
            err.to_string().contains("decimal string amount"),
            "{bad}: {err}"
        );
    }
    // Well-formed, but more decimals than the currency has, or a sign where none is meant.
    for (amount, currency) in [
        ("1.001", "CNY"),
        ("1.5", "JPY"),
        ("1.0001", "KWD"),
        ("-1", "CNY"),
    ] {
        let input: PurchaseInput =
            serde_json::from_str(&json(&format!("\"{amount}\"")).replace("CNY", currency))
                .expect("a decimal string");
        assert_eq!(
            field_of(f.crm.record_purchase(sys(), input).await),
            "amount"
        );
    }
    let ok: PurchaseInput = serde_json::from_str(&json(r#""1.10""#)).expect("plain");
    assert_eq!(
        f.crm
            .record_purchase(sys(), ok)
            .await
            .expect("ok")
            .amount
            .to_string(),
        "1.10"
    );
    // Lines, plans and ledger entries read the same way.
    let lines = r#"{"product": "p", "quantity": 1, "unit_price": "1"}"#;
    assert!(serde_json::from_str::<LineInput>(lines).is_err());
    let lines = r#"{"product": "p", "quantity": "1", "unit_price": "1", "tax_rate": "1e1"}"#;
    assert!(serde_json::from_str::<LineInput>(lines).is_err());
    let entry = r#"{"kind": "payment", "amount": 10.5, "date": "2026-01-01"}"#;
    assert!(serde_json::from_str::<LedgerInput>(entry).is_err());
    let plan =
        r#"{"type": "percents", "installments": [{"due_date": "2026-01-01", "percent": 100}]}"#;
    assert!(serde_json::from_str::<PlanInput>(plan).is_err());
}

#[tokio::test]
async fn thresholds_in_settings_obey_the_maximum() {
    let (f, _) = setup().await;
    let tenant = f.crm.get_tenant(sys()).await.expect("tenant");
    let level = ApprovalLevel {
        name: "manager".into(),
        approvers: Approvers::Users {
            users: vec![MANAGER],
        },
        mode: ApprovalMode::AnyOne,
    };
    let policy = |bound: &str| ApprovalPolicy {
        branches: vec![Branch {
            name: "b".into(),
            condition: Some(Condition {
                total: Some(Range::below(d(bound))),
                ..Default::default()
            }),
            levels: vec![level.clone()],
        }],
        forbid_self_approval: false,
        amendment_threshold_percent: d("20"),
    };
    let mut settings = tenant.settings.clone();
    settings.contracts.approval = Some(policy(&MAX_AMOUNT.to_string()));
    f.crm
        .setup_tenant(sys(), &tenant.name, settings.clone())
        .await
        .expect("a bound at the maximum");
    settings.contracts.approval = Some(policy("1000000000000000.01"));
    let r = f.crm.setup_tenant(sys(), &tenant.name, settings).await;
    assert_eq!(field_of(r), "branches[0].condition.total.max");

    let mut settings = tenant.settings.clone();
    settings.tiers.rules.insert(
        0,
        TierRule {
            tier: "whale".into(),
            when: TierCondition::MonetaryAtLeast {
                amount: d("1000000000000000.01"),
            },
        },
    );
    let r = f.crm.setup_tenant(sys(), &tenant.name, settings).await;
    assert_eq!(field_of(r), "settings.tiers.rules[0].when.amount");
}

#[tokio::test]
async fn contract_totals_and_installments_leave_at_the_currency_scale() {
    let (f, c) = setup().await;
    for (currency, price, tax, total) in [
        ("CNY", "100", "13", "113.00"),
        ("JPY", "1000.00", "10", "1100"),
        ("KWD", "1.5", "5", "1.575"),
    ] {
        let k = f
            .crm
            .create_contract(
                sys(),
                new_contract(
                    c,
                    &format!("HT-{currency}"),
                    currency,
                    vec![line("1", price, tax)],
                ),
            )
            .await
            .expect("contract")
            .decode::<crm_core::contract::Contract>()
            .expect("typed record");
        let t = &k.pricing.totals;
        assert_eq!(t.grand_total.to_string(), total, "{currency}");
        let dp = k.pricing.currency.minor_units();
        for a in [t.subtotal, t.order_discount, t.net_total, t.tax_total] {
            assert_eq!(a.scale(), dp, "{currency}: {t:?}");
        }
        assert_eq!(k.pricing.lines[0].input.unit_price.scale(), dp);
        f.crm.submit_contract(sys(), k.id).await.expect("submit");
        let k = f
            .crm
            .set_plan(
                sys(),
                k.id,
                PlanInput::Amounts {
                    installments: vec![ScheduledAmount {
                        due_date: day(2026, 6, 30),
                        amount: d(total),
                    }],
                },
            )
            .await
            .expect("plan")
            .decode::<crm_core::contract::Contract>()
            .expect("typed record");
        let it = &k.installments[0];
        assert_eq!(
            [it.amount.scale(), it.paid.scale(), it.written_off.scale()],
            [dp; 3],
            "{currency}"
        );
        let s = f
            .crm
            .receivable_summary(sys(), k.id)
            .await
            .expect("summary");
        assert!(
            [s.total, s.paid, s.written_off, s.outstanding, s.overdue]
                .iter()
                .all(|a| a.scale() == dp),
            "{currency}: {s:?}"
        );
    }
}
