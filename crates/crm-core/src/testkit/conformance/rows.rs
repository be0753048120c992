//! Rows: round trips, tenant isolation, ids.

use crate::customer::{Customer, CustomerLevel, DealStatus};
use crate::ids::TenantId;
use crate::store::{Entity, Record, Store, StoreExt};
use crate::testkit::fixture::{start, T1, T2};
use crate::testkit::samples;
use chrono::Duration;
use std::sync::Arc;

/// Every column type (int, text with non-ASCII, time, bool, NULL) and the body survive a
/// round trip; the version column wins over the body.
pub async fn rows_round_trip_every_column_type<S: Store>(store: Arc<S>) {
    let now = start();
    let mut c = samples::customer(T1, 7, Some(12), "北京星辰科技有限公司 'quoted' \"x\"", now);
    c.phone = Some("+86 138-1234-5678".into());
    c.external_ref = Some("ERP-0007".into());
    c.level = Some(CustomerLevel::A);
    c.deal_status = DealStatus::Dealt;
    c.next_followup_at = Some(now + Duration::microseconds(1_234_567));
    c.custom.insert("budget".into(), serde_json::json!("12.50"));
    store
        .apply(samples::inserting(T1, &[c.clone()]))
        .await
        .expect("insert");
    let row = store
        .get(Entity::Customer, T1, 7)
        .await
        .expect("get")
        .expect("row present");
    assert_eq!(row.version, 1);
    assert_eq!(
        row.columns,
        c.columns(),
        "indexed columns round-trip exactly"
    );
    let back = Customer::from_row(&row).expect("decode");
    assert_eq!(back, c);
    let loaded: Customer = store.load(T1, 7).await.expect("load").expect("present");
    assert_eq!(
        loaded.next_followup_at, c.next_followup_at,
        "microseconds kept"
    );
}

/// `get` never crosses tenants, and a missing id is `None`.
pub async fn get_is_confined_to_the_tenant<S: Store>(store: Arc<S>) {
    let now = start();
    store
        .apply(samples::inserting(
            T1,
            &[samples::customer(T1, 1, Some(12), "A", now)],
        ))
        .await
        .expect("t1");
    store
        .apply(samples::inserting(
            T2,
            &[samples::customer(T2, 2, Some(12), "B", now)],
        ))
        .await
        .expect("t2");
    assert!(store
        .get(Entity::Customer, T1, 1)
        .await
        .expect("get")
        .is_some());
    assert!(store
        .get(Entity::Customer, T2, 1)
        .await
        .expect("get")
        .is_none());
    assert!(store
        .get(Entity::Customer, T1, 2)
        .await
        .expect("get")
        .is_none());
    assert!(store
        .get(Entity::Customer, TenantId(99), 1)
        .await
        .expect("get")
        .is_none());
    assert!(store
        .get(Entity::Customer, T1, 3)
        .await
        .expect("get")
        .is_none());
}

/// Ids are handed out consecutively, never twice, also under concurrent callers.
pub async fn allocated_ids_are_fresh<S: Store>(store: Arc<S>) {
    let a = store
        .allocate_ids(Entity::Customer, 10)
        .await
        .expect("alloc");
    let b = store
        .allocate_ids(Entity::Customer, 1)
        .await
        .expect("alloc");
    assert!(a >= 1);
    assert_eq!(b, a + 10, "consecutive blocks");
    let c = store.allocate_ids(Entity::Contact, 1).await.expect("alloc");
    assert!(c >= 1, "each entity has its own sequence");
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for _ in 0..10 {
                let first = s.allocate_ids(Entity::FollowUp, 3).await.expect("alloc");
                got.extend([first, first + 1, first + 2]);
            }
            got
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("task"));
    }
    let n = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), n, "no id handed out twice");
}
