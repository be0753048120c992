//! The one write path: atomic, optimistic, unique and reference checks mapped alike.

use crate::access::Role;
use crate::customer::Customer;
use crate::error::CrmError;
use crate::ids::{RoleId, TenantId};
use crate::store::{Changes, Entity, Record, Store, StoreExt, Write};
use crate::testkit::fixture::{start, T1, T2};
use crate::testkit::samples;
use std::sync::Arc;

async fn sizes<S: Store>(store: &S, tenant: TenantId) -> (usize, usize) {
    let events = store
        .events_after(tenant, 0, 1000)
        .await
        .expect("events")
        .len();
    let audit = store
        .audit_for_record(tenant, "customer", 1)
        .await
        .expect("audit")
        .len();
    (events, audit)
}

/// Updates bump the version; a stale version is a `Conflict` and writes nothing at all,
/// not even the earlier writes, audit entries or events of the same unit.
pub async fn stale_versions_conflict_and_write_nothing<S: Store>(store: Arc<S>) {
    let now = start();
    let c1 = samples::customer(T1, 1, Some(12), "one", now);
    let mut setup = samples::inserting(T1, std::slice::from_ref(&c1));
    setup.audit(samples::audit(T1, Some(12), Entity::Customer, 1, now));
    setup.event(samples::event(1, now));
    store.apply(setup).await.expect("setup");
    let before = sizes(&*store, T1).await;

    let mut renamed = c1.clone();
    renamed.name = "renamed".into();
    let mut ok = Changes::new(T1);
    ok.update(&renamed).expect("encode");
    store.apply(ok).await.expect("update at version 1");
    let stored: Customer = store.load(T1, 1).await.expect("load").expect("present");
    assert_eq!((stored.version, stored.name.as_str()), (2, "renamed"));

    // Unit: insert customer 2, update customer 1 at the stale version 1, audit, event.
    let mut stale = samples::inserting(T1, &[samples::customer(T1, 2, Some(12), "two", now)]);
    stale.update(&c1).expect("encode");
    stale.audit(samples::audit(T1, Some(12), Entity::Customer, 1, now));
    stale.event(samples::event(2, now));
    let err = store.apply(stale).await.expect_err("stale");
    assert!(matches!(err, CrmError::Conflict { .. }), "{err:?}");
    assert!(
        store
            .get(Entity::Customer, T1, 2)
            .await
            .expect("get")
            .is_none(),
        "insert rolled back"
    );
    assert_eq!(
        sizes(&*store, T1).await,
        before,
        "no audit entry or event of the failed unit"
    );
    let stored: Customer = store.load(T1, 1).await.expect("load").expect("present");
    assert_eq!(stored.version, 2);

    // Deletes check versions too.
    let mut del = Changes::new(T1);
    del.delete(&c1);
    assert!(matches!(
        store.apply(del).await,
        Err(CrmError::Conflict { .. })
    ));
    let mut del = Changes::new(T1);
    del.delete(&stored);
    store.apply(del).await.expect("delete at current version");
    assert!(store
        .get(Entity::Customer, T1, 1)
        .await
        .expect("get")
        .is_none());

    // Updating a row that does not exist is a conflict as well.
    let mut ghost = Changes::new(T1);
    ghost
        .update(&samples::customer(T1, 77, None, "ghost", now))
        .expect("encode");
    assert!(matches!(
        store.apply(ghost).await,
        Err(CrmError::Conflict { .. })
    ));
}

/// Unique keys (role name, customer external_ref, one membership per user and customer)
/// clash as `Conflict`; NULL keys never clash; the same key in another tenant is fine.
pub async fn unique_keys_conflict<S: Store>(store: Arc<S>) {
    let now = start();
    let role = |id: i64, tenant: TenantId, name: &str| Role {
        tenant,
        id: RoleId(id),
        version: 1,
        name: name.into(),
        grants: vec![],
        fields: vec![],
    };
    store
        .apply(samples::inserting(T1, &[role(1, T1, "sales")]))
        .await
        .expect("first");
    let err = store
        .apply(samples::inserting(T1, &[role(2, T1, "sales")]))
        .await
        .expect_err("dup");
    assert!(matches!(err, CrmError::Conflict { .. }), "{err:?}");
    store
        .apply(samples::inserting(T2, &[role(3, T2, "sales")]))
        .await
        .expect("other tenant");

    let mut a = samples::customer(T1, 1, None, "a", now);
    a.external_ref = Some("ERP-1".into());
    let mut b = samples::customer(T1, 2, None, "b", now);
    b.external_ref = Some("ERP-1".into());
    let c = samples::customer(T1, 3, None, "c", now);
    let d = samples::customer(T1, 4, None, "d", now);
    store
        .apply(samples::inserting(T1, &[a, c, d]))
        .await
        .expect("nulls do not clash");
    let err = store
        .apply(samples::inserting(T1, &[b.clone()]))
        .await
        .expect_err("dup ref");
    assert!(matches!(err, CrmError::Conflict { .. }), "{err:?}");
    // Changing a row onto a taken key clashes too.
    let mut moved = samples::customer(T1, 3, None, "c", now);
    moved.external_ref = Some("ERP-1".into());
    let mut ch = Changes::new(T1);
    ch.update(&moved).expect("encode");
    assert!(matches!(
        store.apply(ch).await,
        Err(CrmError::Conflict { .. })
    ));

    store
        .apply(samples::inserting(
            T1,
            &[samples::member(T1, 1, 1, 12, false, None, now)],
        ))
        .await
        .expect("member");
    let err = store
        .apply(samples::inserting(
            T1,
            &[samples::member(T1, 2, 1, 12, true, None, now)],
        ))
        .await
        .expect_err("second membership");
    assert!(matches!(err, CrmError::Conflict { .. }), "{err:?}");
    assert_eq!(
        store
            .count(&crate::store::Query::new(Entity::TeamMember, T1))
            .await
            .expect("count"),
        1
    );
}

/// A child pointing at a missing customer (or another tenant's) is `NotFound`, and the
/// unit is not written.
pub async fn missing_references_are_not_found<S: Store>(store: Arc<S>) {
    let now = start();
    store
        .apply(samples::inserting(
            T2,
            &[samples::customer(T2, 5, None, "t2", now)],
        ))
        .await
        .expect("t2");
    store
        .apply(samples::inserting(
            T1,
            &[samples::customer(T1, 6, None, "t1", now)],
        ))
        .await
        .expect("t1");
    for customer in [999, 5] {
        let mut ch = samples::inserting(T1, &[samples::contact(T1, 1, 6, "ok", now)]);
        ch.insert(&samples::contact(T1, 2, customer, "dangling", now))
            .expect("encode");
        let err = store.apply(ch).await.expect_err("dangling");
        assert!(
            matches!(err, CrmError::NotFound { .. }),
            "customer {customer}: {err:?}"
        );
        assert!(
            store
                .get(Entity::Contact, T1, 1)
                .await
                .expect("get")
                .is_none(),
            "nothing written"
        );
    }
}

/// Many writers racing on one row at one version: exactly one wins.
pub async fn concurrent_writers_one_winner<S: Store>(store: Arc<S>) {
    let now = start();
    let base = samples::customer(T1, 1, Some(12), "race", now);
    store
        .apply(samples::inserting(T1, std::slice::from_ref(&base)))
        .await
        .expect("setup");
    let mut tasks = Vec::new();
    for i in 0..8 {
        let s = store.clone();
        let mut next = base.clone();
        next.name = format!("writer {i}");
        tasks.push(tokio::spawn(async move {
            let mut ch = Changes::new(T1);
            ch.update(&next).expect("encode");
            ch.event(samples::event(1, now));
            s.apply(ch).await
        }));
    }
    let mut wins = 0;
    for t in tasks {
        match t.await.expect("task") {
            Ok(_) => wins += 1,
            Err(CrmError::Conflict { .. }) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(wins, 1);
    let stored = store
        .get(Entity::Customer, T1, 1)
        .await
        .expect("get")
        .expect("row");
    assert_eq!(stored.version, 2);
    assert_eq!(
        store.events_after(T1, 0, 100).await.expect("events").len(),
        1,
        "losers' events not written"
    );
}

/// Rows of another tenant inside a unit are refused outright.
pub async fn foreign_tenant_rows_are_refused<S: Store>(store: Arc<S>) {
    let now = start();
    let ch = Changes {
        tenant: T1,
        writes: vec![Write::Insert(
            samples::customer(T2, 1, None, "sneaky", now)
                .to_row()
                .expect("row"),
        )],
        audit: vec![],
        events: vec![],
    };
    assert!(store.apply(ch).await.is_err());
    assert!(store
        .get(Entity::Customer, T2, 1)
        .await
        .expect("get")
        .is_none());
    assert!(store
        .get(Entity::Customer, T1, 1)
        .await
        .expect("get")
        .is_none());
}
