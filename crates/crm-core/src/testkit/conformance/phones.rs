//! Phones in the tenant's region on every store: a national number and its international
//! form are one number for the duplicate check; the region is a validated setting.

use crate::actor::Actor;
use crate::customer::NewCustomer;
use crate::error::CrmError;
use crate::store::Store;
use crate::testkit::fixture::*;
use std::sync::Arc;

/// `030 1234567` in a `DE` tenant duplicates `+49 30 1234567`; in a `CN` tenant it does not.
pub async fn service_phones_in_the_tenants_region<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store).await;
    let sys = Actor::system(T1);
    let tenant = f.crm.get_tenant(sys).await.expect("tenant");
    let create = |name: &str, phone: &str| NewCustomer {
        name: name.into(),
        phone: Some(phone.into()),
        ..Default::default()
    };
    // Default region CN: the German national form is a different (Chinese) number.
    f.crm
        .create_customer(user(REP), create("Berlin GmbH", "+49 30 1234567"))
        .await
        .expect("international");
    f.crm
        .create_customer(user(REP), create("Peking Co", "030 1234567"))
        .await
        .expect("a Chinese number in a CN tenant");

    let mut bad = tenant.settings.clone();
    bad.phone_region = "XX".into();
    assert!(matches!(
        f.crm.setup_tenant(sys, &tenant.name, bad).await,
        Err(CrmError::Validation { field, .. }) if field == "settings.phone_region"
    ));
    let mut de = tenant.settings.clone();
    de.phone_region = "DE".into();
    f.crm
        .setup_tenant(sys, &tenant.name, de)
        .await
        .expect("region DE");
    match f
        .crm
        .create_customer(user(REP), create("Berlin Zwei", "030 1234567"))
        .await
    {
        Err(CrmError::Duplicate { matched_on, .. }) => assert_eq!(matched_on, "phone"),
        other => panic!("expected a duplicate, got {other:?}"),
    }
    let us = f
        .crm
        .create_customer(user(REP), create("SF Inc", "089 7654321"))
        .await
        .expect("a Munich number");
    assert_eq!(
        us.record.phone.as_deref(),
        Some("+49 89 7654321"),
        "stored in international form"
    );
    // Contacts read their phones in the tenant's region too, and a member who does not own
    // the customer sees the number's own shape masked.
    let contact = f
        .crm
        .create_contact(
            user(REP),
            us.record.id,
            crate::contact::ContactInput {
                name: "Frau Weber".into(),
                phone: Some("030 1234567".into()),
                ..Default::default()
            },
        )
        .await
        .expect("contact");
    assert_eq!(contact.record.phone.as_deref(), Some("+49 30 1234567"));
    assert_eq!(
        crate::access::mask_phone("+49 30 1234567"),
        "+49 30-***-4567",
        "the mask keeps the country code and the area code"
    );
    // Chinese numbers with their prefix still match the CN-era rows.
    f.crm
        .create_customer(user(REP), create("沪 Co", "+86 138 1234 5678"))
        .await
        .expect("cn mobile");
    assert!(matches!(
        f.crm
            .create_customer(user(REP), create("沪 Co 2", "0086 13812345678"))
            .await,
        Err(CrmError::Duplicate { .. })
    ));
}
