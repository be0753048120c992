//! Amounts through a store (ADR 0012): persisted amounts read back at their currency's scale,
//! the documented maximum is accepted and one minor unit more is refused with nothing
//! written, and a maximum-size purchase leaves the tier batch and the scheduled work working.

use crate::actor::Actor;
use crate::customer::NewCustomer;
use crate::error::CrmError;
use crate::ids::{ContractId, CustomerId};
use crate::money::MAX_AMOUNT;
use crate::sales::{EntryKind, LineInput, PricingInput, ScheduledAmount};
use crate::service::{LedgerInput, NewContract, NewOpportunity, PlanInput};
use crate::store::{Entity, Query, Store, StoreExt};
use crate::testkit::fixture::*;
use crate::tier::{Purchase, PurchaseInput, PurchaseKind};
use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use serde_json::json;
use std::str::FromStr;
use std::sync::Arc;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

fn day(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).expect("date")
}

fn field_of(e: CrmError) -> String {
    match e {
        CrmError::Validation { field, .. } => field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn purchase(c: CustomerId, amount: Decimal, currency: &str) -> PurchaseInput {
    PurchaseInput {
        customer_id: c,
        kind: PurchaseKind::Order,
        at: start() - Duration::days(1),
        amount,
        currency: currency.into(),
        reference: None,
    }
}

/// An active contract of `currency` with one line of `price`, and an amounts plan.
async fn contract<S: Store>(
    f: &Fixture<Arc<S>>,
    c: CustomerId,
    number: &str,
    currency: &str,
    price: &str,
) -> ContractId {
    let sys = Actor::system(T1);
    let k = f
        .crm
        .create_contract(
            sys,
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
                    lines: vec![LineInput {
                        product: "licence".into(),
                        quantity: Decimal::ONE,
                        unit_price: d(price),
                        discount: Decimal::ZERO,
                        tax_rate: Decimal::ZERO,
                    }],
                    order_discount: Decimal::ZERO,
                },
            },
        )
        .await
        .expect("contract")
        .decode::<crate::contract::Contract>()
        .expect("typed record");
    f.crm.submit_contract(sys, k.id).await.expect("submit");
    f.crm
        .set_plan(
            sys,
            k.id,
            PlanInput::Amounts {
                installments: vec![ScheduledAmount {
                    due_date: day(2026, 1, 31),
                    amount: d(price),
                }],
            },
        )
        .await
        .expect("plan");
    k.id
}

/// Persisted amounts come back at the currency's scale; the maximum holds on every store.
pub async fn service_amounts_keep_scale_and_limits<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store).await;
    let sys = Actor::system(T1);
    let c = f
        .crm
        .create_customer(
            user(REP),
            NewCustomer {
                name: "Amounts Co".into(),
                ..Default::default()
            },
        )
        .await
        .expect("customer")
        .record
        .id;

    // CNY: fresh installments show 0.00 paid; a payment of "100" is kept as 100.00.
    let k = contract(&f, c, "HT-CNY", "CNY", "100").await;
    let fresh = f.crm.get_contract(sys, k).await.expect("get");
    let it = &fresh.record["installments"][0];
    assert_eq!(
        (&it["amount"], &it["paid"]),
        (&json!("100.00"), &json!("0.00"))
    );
    f.crm
        .record_ledger(
            sys,
            k,
            LedgerInput {
                kind: EntryKind::Payment,
                amount: d("100"),
                date: day(2026, 3, 5),
                installment: None,
                method: None,
                reference: None,
            },
        )
        .await
        .expect("pay");
    let s = f.crm.receivable_summary(sys, k).await.expect("summary");
    let shown = [s.total, s.paid, s.written_off, s.outstanding, s.overdue].map(|a| a.to_string());
    assert_eq!(shown, ["100.00", "100.00", "0.00", "0.00", "0.00"]);
    let read = f.crm.get_contract(sys, k).await.expect("get");
    let read = &read.record;
    assert_eq!(read["ledger"][0]["amount"], json!("100.00"));
    assert_eq!(read["installments"][0]["paid"], json!("100.00"));
    assert_eq!(read["pricing"]["totals"]["grand_total"], json!("100.00"));
    assert_eq!(
        read["pricing_input"]["lines"][0]["unit_price"],
        json!("100.00"),
        "the stored input is the validated one, at scale"
    );

    // JPY (0 decimals) and KWD (3 decimals) keep theirs, in the aging report too.
    let jpy = contract(&f, c, "HT-JPY", "JPY", "500.00").await;
    let kwd = contract(&f, c, "HT-KWD", "KWD", "1.25").await;
    let jpy_it = f.crm.get_contract(sys, jpy).await.expect("jpy").record;
    assert_eq!(
        (
            &jpy_it["installments"][0]["amount"],
            &jpy_it["installments"][0]["paid"]
        ),
        (&json!("500"), &json!("0"))
    );
    let aging = f
        .crm
        .aging(sys, day(2026, 3, 10), None)
        .await
        .expect("aging");
    for row in &aging.rows {
        let dp = row.currency.minor_units();
        assert_eq!(row.total.scale(), dp, "{row:?}");
        assert_eq!(row.not_yet_due.scale(), dp, "{row:?}");
        assert!(row.buckets.iter().all(|b| b.scale() == dp), "{row:?}");
    }
    let kwd_row = aging.rows.iter().find(|r| r.key.1 == kwd).expect("kwd row");
    assert_eq!(kwd_row.total.to_string(), "1.250");

    // Opportunities: "86000" is kept and reported as 86000.00.
    let o = f
        .crm
        .create_opportunity(
            sys,
            NewOpportunity {
                customer_id: c,
                name: "big".into(),
                amount: d("86000"),
                currency: "CNY".into(),
                pipeline: None,
                stage: "lead".into(),
                probability: None,
                expected_close: day(2026, 6, 30),
                owner_id: Some(REP),
                products: vec![],
            },
        )
        .await
        .expect("opportunity")
        .decode::<crate::opportunity::Opportunity>()
        .expect("typed record");
    assert_eq!(o.amount.to_string(), "86000.00");
    let report = f
        .crm
        .sales_report(sys, "default", day(2000, 1, 1), day(2100, 1, 1))
        .await
        .expect("report");
    for row in &report.weighted_by_month {
        assert_eq!(row.amount.to_string(), "86000.00");
        assert_eq!(row.weighted.scale(), 2);
    }
    for row in &report.categories {
        assert!([row.closed, row.commit, row.best_case, row.pipeline]
            .iter()
            .all(|a| a.scale() == 2));
    }

    // The maximum is accepted; one minor unit more, and Decimal's own maximum, are refused
    // with nothing written.
    let max = f
        .crm
        .record_purchase(sys, purchase(c, MAX_AMOUNT, "CNY"))
        .await
        .expect("the maximum itself");
    assert_eq!(max.amount.to_string(), "1000000000000000.00");
    let before = f
        .crm
        .store()
        .count(&Query::new(Entity::Purchase, T1))
        .await
        .expect("count");
    for too_big in [MAX_AMOUNT + d("0.01"), Decimal::MAX] {
        let err = f
            .crm
            .record_purchase(sys, purchase(c, too_big, "CNY"))
            .await
            .expect_err("over the maximum");
        assert_eq!(field_of(err), "amount");
    }
    let after = f
        .crm
        .store()
        .count(&Query::new(Entity::Purchase, T1))
        .await
        .expect("count");
    assert_eq!(before, after, "a refused purchase writes nothing");
    let stored: Vec<Purchase> = f
        .crm
        .store()
        .load_all(&Query::new(Entity::Purchase, T1).limit(500))
        .await
        .expect("purchases");
    assert!(stored
        .iter()
        .any(|p| p.amount.to_string() == "1000000000000000.00"));

    // The tenant keeps working after a maximum-size purchase.
    f.crm
        .record_purchase(sys, purchase(c, MAX_AMOUNT, "CNY"))
        .await
        .expect("a second maximum-size purchase");
    f.crm
        .recompute_tiers(T1, start())
        .await
        .expect("tier.recompute");
    f.crm
        .run_due_work(T1, start() + Duration::days(1))
        .await
        .expect("due work");
}
