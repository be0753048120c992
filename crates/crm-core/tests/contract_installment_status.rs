//! `contract.get` and `contract.list` show each installment's status on the tenant's today,
//! by its stable name: pending on its due date, overdue the day after (local midnight in
//! Shanghai), partially paid, paid.

use chrono::Duration;
use crm_core::contract::Contract;
use crm_core::customer::NewCustomer;
use crm_core::service::{ContractFilter, LedgerInput, NewContract, PlanInput};
use crm_core::testkit::fixture::*;
use crm_core::testkit::MemoryStore;
use crm_core::Actor;
use serde_json::{json, Value};

fn input<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("test input")
}

async fn statuses(f: &Fixture<MemoryStore>, id: i64) -> Vec<String> {
    let shown = f
        .crm
        .get_contract(Actor::system(T1), crm_core::ids::ContractId(id))
        .await
        .expect("get");
    let listed = f
        .crm
        .list_contracts(Actor::system(T1), ContractFilter::default())
        .await
        .expect("list");
    assert_eq!(
        listed.items[0].record["installments"],
        shown.record["installments"]
    );
    shown.record["installments"]
        .as_array()
        .expect("installments")
        .iter()
        .map(|i| i["status"].as_str().expect("status").to_owned())
        .collect()
}

#[tokio::test]
async fn installment_statuses_follow_the_local_day_and_payments() {
    let f = Fixture::new(MemoryStore::new()).await;
    let sys = Actor::system(T1);
    let c = f
        .crm
        .create_customer(
            user(REP),
            NewCustomer {
                name: "买家".into(),
                ..Default::default()
            },
        )
        .await
        .expect("customer")
        .record
        .id;
    let new: NewContract = input(json!({
        "number": "HT-STATUS", "customer_id": c, "owner_id": REP,
        "signed_on": "2026-03-02", "start_on": "2026-03-02", "end_on": "2027-03-01",
        "pricing": {"currency": "CNY", "order_discount": "0", "lines": [
            {"product": "许可", "quantity": "1", "unit_price": "100.00", "discount": "0", "tax_rate": "0"}]}
    }));
    let k: Contract = f
        .crm
        .create_contract(sys, new)
        .await
        .expect("create")
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    f.crm
        .submit_contract(sys, k.id)
        .await
        .expect("active without a policy");
    // Fixture time is 2026-03-02 10:00 in Shanghai: the first installment is due today.
    let plan: PlanInput = input(json!({"type": "amounts", "installments": [
        {"due_date": "2026-03-02", "amount": "60.00"},
        {"due_date": "2026-03-03", "amount": "40.00"}]}));
    f.crm.set_plan(sys, k.id, plan).await.expect("plan");
    assert_eq!(statuses(&f, k.id.into()).await, ["pending", "pending"]);
    // 23:59:59 local on the due date: still pending; local midnight: overdue.
    f.clock.advance(Duration::hours(14) - Duration::seconds(1));
    assert_eq!(statuses(&f, k.id.into()).await, ["pending", "pending"]);
    f.clock.advance(Duration::seconds(1));
    assert_eq!(statuses(&f, k.id.into()).await, ["overdue", "pending"]);
    let pay = |amount: &str, installment: usize| -> LedgerInput {
        input(
            json!({"kind": "payment", "amount": amount, "date": "2026-03-03",
                     "installment": installment}),
        )
    };
    f.crm
        .record_ledger(sys, k.id, pay("60.00", 0))
        .await
        .expect("pay first");
    f.crm
        .record_ledger(sys, k.id, pay("10.00", 1))
        .await
        .expect("pay part");
    assert_eq!(statuses(&f, k.id.into()).await, ["paid", "partially_paid"]);
}
