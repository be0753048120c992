//! Bad input through the service layer: refused naming the field, nothing written.

use super::*;

/// Bad input is refused with an error naming the field, and nothing is written.
pub async fn service_bad_input_writes_nothing<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store).await;
    let ok = f
        .crm
        .create_customer(user(REP), company("Valid", "13800000009"))
        .await
        .expect("valid")
        .record
        .id;
    let other_tenant = f
        .crm
        .create_customer(Actor::user(T2, BOSS), company("T2 Co", "13800000010"))
        .await
        .expect("t2")
        .record
        .id;
    let events_before = f
        .crm
        .events_after(Actor::system(T1), 0, 1000)
        .await
        .expect("events")
        .len();
    let audit_before = f
        .crm
        .audit_by_user(Actor::system(T1), REP, 0, 1000)
        .await
        .expect("audit")
        .len();
    let cases: Vec<(NewCustomer, &str)> = vec![
        (
            NewCustomer {
                name: "   ".into(),
                ..Default::default()
            },
            "name",
        ),
        (
            NewCustomer {
                name: "x".repeat(201),
                ..Default::default()
            },
            "name",
        ),
        (company("Bad Phone", "call me maybe"), "phone"),
        (
            NewCustomer {
                email: Some("no-at-sign".into()),
                ..company("Bad Mail", "13800000011")
            },
            "email",
        ),
        (
            NewCustomer {
                address: Some("x".repeat(501)),
                ..company("Long", "13800000012")
            },
            "address",
        ),
        (
            NewCustomer {
                custom: [("budget".to_owned(), serde_json::json!(1))].into(),
                ..company("Custom", "13800000013")
            },
            "custom.budget",
        ),
    ];
    for (input, field) in cases {
        match f.crm.create_customer(user(REP), input).await {
            Err(CrmError::Validation { field: got, .. }) => assert_eq!(got, field),
            other => panic!("expected validation on {field}, got {other:?}"),
        }
    }
    let unknown_owner = NewCustomer {
        owner_id: Some(UserId(999)),
        ..company("Ghost", "13800000014")
    };
    assert!(matches!(
        f.crm.create_customer(user(REP), unknown_owner).await,
        Err(CrmError::NotFound { .. })
    ));
    assert!(matches!(
        f.crm.get_customer(user(REP), CustomerId(424242)).await,
        Err(CrmError::NotFound { .. })
    ));
    assert!(matches!(
        f.crm.get_customer(user(BOSS), other_tenant).await,
        Err(CrmError::NotFound { .. })
    ));
    let patch = CustomerPatch {
        phone: Some("12ab".into()),
        ..Default::default()
    };
    assert!(
        matches!(f.crm.update_customer(user(REP), ok, patch).await, Err(CrmError::Validation { field, .. }) if field == "phone")
    );
    let patch = CustomerPatch {
        name: Some("stolen".into()),
        ..Default::default()
    };
    assert!(matches!(
        f.crm.update_customer(user(BOSS), other_tenant, patch).await,
        Err(CrmError::NotFound { .. })
    ));
    let fu = NewFollowUp {
        customer_id: ok,
        kind: FollowUpKind::Visit,
        content: "".into(),
        at: None,
        location: None,
        next_followup_at: None,
    };
    assert!(
        matches!(f.crm.record_followup(user(REP), fu).await, Err(CrmError::Validation { field, .. }) if field == "content")
    );
    assert!(matches!(
        f.crm.import_customers_csv(user(REP), "nom\nx\n", ImportOptions::default()).await,
        Err(CrmError::Validation { field, .. }) if field == "csv.header"
    ));
    assert_eq!(
        f.crm
            .events_after(Actor::system(T1), 0, 1000)
            .await
            .expect("events")
            .len(),
        events_before
    );
    assert_eq!(
        f.crm
            .audit_by_user(Actor::system(T1), REP, 0, 1000)
            .await
            .expect("audit")
            .len(),
        audit_before
    );
    assert_eq!(
        f.crm
            .get_customer(user(REP), ok)
            .await
            .expect("unchanged")
            .record
            .version,
        1
    );
}
