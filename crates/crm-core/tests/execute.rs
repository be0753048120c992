//! Operations as values from Rust: `Crm::execute` runs request types from the prelude, and
//! answers what the named methods answer.

use crm_core::customer::NewCustomer;
use crm_core::prelude::*;
use crm_core::testkit::fixture::*;
use crm_core::testkit::MemoryStore;
use serde_json::json;

#[tokio::test]
async fn execute_runs_requests_as_the_methods_do() {
    let f = Fixture::new(MemoryStore::new()).await;
    let sys = Actor::system(T1);
    let c = f
        .crm
        .create_customer(
            user(REP),
            NewCustomer {
                name: "执行".into(),
                ..Default::default()
            },
        )
        .await
        .expect("customer")
        .record
        .id;
    let new: NewContract = serde_json::from_value(json!({
        "number": "HT-EXEC", "customer_id": c, "owner_id": REP,
        "signed_on": "2026-03-02", "start_on": "2026-03-02", "end_on": "2027-03-01",
        "pricing": {"currency": "CNY", "order_discount": "0", "lines": [
            {"product": "许可", "quantity": "2", "unit_price": "10.00", "discount": "0", "tax_rate": "0"}]}
    }))
    .expect("request");
    let created = f.crm.execute(sys, new).await.expect("create");
    let id = ContractId(created.record["id"].as_i64().unwrap_or_default());
    assert!(id.0 > 0);
    let submitted = f
        .crm
        .execute(sys, SubmitContract { id })
        .await
        .expect("submit");
    assert_eq!(submitted.record["status"], json!("active"));
    let got = f.crm.execute(sys, GetContract { id }).await.expect("get");
    assert_eq!(got, f.crm.get_contract(sys, id).await.expect("get"));
    let page = f
        .crm
        .execute(sys, ContractFilter::default())
        .await
        .expect("list");
    assert_eq!(page.items.len(), 1);
    // The request's own errors come back as from the method: a contract not there.
    let missing = f
        .crm
        .execute(
            sys,
            GetContract {
                id: ContractId(id.0 + 1000),
            },
        )
        .await;
    assert!(
        matches!(missing, Err(CrmError::NotFound { .. })),
        "{missing:?}"
    );
    // Operation facts are constants hosts can read.
    assert_eq!(<SubmitContract as Operation>::NAME, "contract.submit");
}
