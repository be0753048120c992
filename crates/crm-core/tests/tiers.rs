//! Tiers through the service: purchases set a tier at once, the daily batch moves customers
//! across the 90- and 365-day boundaries, TierChanged fires once per change, quintile scoring
//! ranks the tenant, amounts in other currencies are never added.

use chrono::Duration;
use crm_core::customer::NewCustomer;
use crm_core::ids::CustomerId;
use crm_core::tenant::TenantSettings;
use crm_core::testkit::fixture::*;
use crm_core::testkit::MemoryStore;
use crm_core::tier::{PurchaseInput, PurchaseKind, Scoring};
use crm_core::{Actor, CrmError};
use rust_decimal::Decimal;

async fn tier(f: &Fixture<MemoryStore>, id: CustomerId) -> Option<String> {
    f.crm
        .get_customer(Actor::system(T1), id)
        .await
        .expect("get")
        .record
        .tier
}

fn buy(
    c: CustomerId,
    at: chrono::DateTime<chrono::Utc>,
    amount: i64,
    currency: &str,
) -> PurchaseInput {
    PurchaseInput {
        customer_id: c,
        kind: PurchaseKind::Order,
        at,
        amount: Decimal::from(amount),
        currency: currency.into(),
        reference: None,
    }
}

async fn customer(f: &Fixture<MemoryStore>, name: &str) -> CustomerId {
    f.crm
        .create_customer(
            user(REP),
            NewCustomer {
                name: name.into(),
                ..Default::default()
            },
        )
        .await
        .expect("c")
        .record
        .id
}

#[tokio::test]
async fn purchases_set_the_tier_and_the_daily_batch_moves_it_across_boundaries() {
    let f = Fixture::new(MemoryStore::new()).await;
    let vip = customer(&f, "VIP Co").await;
    let quiet = customer(&f, "Quiet Co").await;
    let t = start();
    for i in 0..5 {
        f.crm
            .record_purchase(
                Actor::system(T1),
                buy(vip, t - Duration::days(i * 10), 20_000, "CNY"),
            )
            .await
            .expect("buy");
    }
    assert_eq!(
        tier(&f, vip).await.as_deref(),
        Some("重要价值"),
        "R, F, M all ≥ 4"
    );
    f.crm
        .record_purchase(Actor::system(T1), buy(quiet, t, 500, "CNY"))
        .await
        .expect("buy");
    assert_eq!(
        tier(&f, quiet).await.as_deref(),
        Some("潜力"),
        "recent but not frequent"
    );

    // 90 whole days after the last purchase: dormant; one second earlier: not yet.
    let changed = f
        .crm
        .recompute_tiers(T1, t + Duration::days(90) - Duration::seconds(1))
        .await
        .expect("batch");
    assert_ne!(tier(&f, quiet).await.as_deref(), Some("沉睡"));
    assert!(changed >= 1);
    f.crm
        .recompute_tiers(T1, t + Duration::days(90))
        .await
        .expect("batch");
    assert_eq!(tier(&f, quiet).await.as_deref(), Some("沉睡"));
    f.crm
        .recompute_tiers(T1, t + Duration::days(365) - Duration::seconds(1))
        .await
        .expect("batch");
    assert_eq!(tier(&f, quiet).await.as_deref(), Some("沉睡"));
    f.crm
        .recompute_tiers(T1, t + Duration::days(365))
        .await
        .expect("batch");
    assert_eq!(tier(&f, quiet).await.as_deref(), Some("流失"));
    // Recomputing again at the same instant changes nothing and emits nothing.
    let events = f
        .crm
        .events_after(Actor::system(T1), 0, 1000)
        .await
        .expect("events")
        .len();
    assert_eq!(
        f.crm
            .recompute_tiers(T1, t + Duration::days(365))
            .await
            .expect("batch"),
        0
    );
    assert_eq!(
        f.crm
            .events_after(Actor::system(T1), 0, 1000)
            .await
            .expect("events")
            .len(),
        events
    );
    let changes: Vec<_> = f
        .crm
        .events_after(Actor::system(T1), 0, 1000)
        .await
        .expect("events")
        .into_iter()
        .filter(|e| e.kind == "TierChanged" && e.record_id == quiet.0)
        .map(|e| e.payload["to"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(changes.last().map(String::as_str), Some("流失"));
}

#[tokio::test]
async fn other_currencies_are_not_added_and_bad_purchases_are_refused() {
    let f = Fixture::new(MemoryStore::new()).await;
    let c = customer(&f, "Mixed").await;
    let t = start();
    for i in 0..5 {
        f.crm
            .record_purchase(
                Actor::system(T1),
                buy(c, t - Duration::days(i), 90_000, "USD"),
            )
            .await
            .expect("usd");
    }
    assert_eq!(
        tier(&f, c).await.as_deref(),
        Some("普通"),
        "USD never adds to the CNY monetary figure (it would make 重要价值)"
    );
    let bad = [
        (
            PurchaseInput {
                amount: Decimal::new(1001, 3),
                ..buy(c, t, 0, "CNY")
            },
            "amount",
        ),
        (
            PurchaseInput {
                amount: Decimal::from(-1),
                ..buy(c, t, 0, "CNY")
            },
            "amount",
        ),
        (buy(c, t, 1, "ABC"), "currency"),
        (buy(c, t + Duration::hours(1), 1, "CNY"), "at"),
    ];
    for (input, field) in bad {
        match f.crm.record_purchase(Actor::system(T1), input).await {
            Err(CrmError::Validation { field: got, .. }) => assert_eq!(got, field),
            other => panic!("expected validation of {field}, got {other:?}"),
        }
    }
    assert!(matches!(
        f.crm.record_purchase(user(REP2), buy(c, t, 1, "CNY")).await,
        Err(CrmError::PermissionDenied { .. })
    ));
}

#[tokio::test]
async fn quintile_scoring_ranks_the_tenant() {
    let f = Fixture::new(MemoryStore::new()).await;
    let sys = Actor::system(T1);
    let mut settings = TenantSettings::default();
    settings.tiers.scoring = Scoring::Quintiles;
    f.crm
        .setup_tenant(sys, "tenant 1", settings)
        .await
        .expect("settings");
    let t = start();
    let mut ids = Vec::new();
    for i in 0..10i64 {
        let id = customer(&f, &format!("c{i}")).await;
        for k in 0..=i {
            f.crm
                .record_purchase(
                    sys,
                    buy(
                        id,
                        t - Duration::days(50 - i * 5 + k),
                        1_000 * (i + 1),
                        "CNY",
                    ),
                )
                .await
                .expect("buy");
        }
        ids.push(id);
    }
    f.crm.recompute_tiers(T1, t).await.expect("batch");
    assert_eq!(
        tier(&f, ids[9]).await.as_deref(),
        Some("重要价值"),
        "top quintile in R, F and M"
    );
    assert_eq!(
        tier(&f, ids[0]).await.as_deref(),
        Some("普通"),
        "bottom quintile"
    );
}
