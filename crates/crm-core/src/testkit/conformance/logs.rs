//! The outbox and the audit log: per-tenant sequences, cursors, limits, round trips.

use crate::ids::UserId;
use crate::store::{Changes, Entity, Store};
use crate::testkit::fixture::{start, T1, T2};
use crate::testkit::samples;
use std::sync::Arc;

/// Sequences start at 1 per tenant and increase by one per event; `events_after` pages by
/// cursor and limit; payloads round-trip.
pub async fn event_sequences_are_per_tenant<S: Store>(store: Arc<S>) {
    let now = start();
    let mut ch = Changes::new(T1);
    ch.event(samples::event(1, now));
    ch.event(samples::event(2, now));
    assert_eq!(store.apply(ch).await.expect("apply"), vec![1, 2]);
    let mut ch = Changes::new(T2);
    ch.event(samples::event(3, now));
    assert_eq!(store.apply(ch).await.expect("apply"), vec![1]);
    let mut ch = Changes::new(T1);
    ch.event(samples::event(4, now));
    assert_eq!(store.apply(ch).await.expect("apply"), vec![3]);

    let all = store.events_after(T1, 0, 100).await.expect("events");
    assert_eq!(
        all.iter().map(|e| (e.seq, e.record_id)).collect::<Vec<_>>(),
        vec![(1, 1), (2, 2), (3, 4)]
    );
    assert_eq!(all[0].kind, "CustomerCreated");
    assert_eq!(all[0].payload, samples::event(1, now).payload);
    assert_eq!(all[0].at, now);
    assert_eq!(all[0].entity, "customer");
    let page = store.events_after(T1, 1, 1).await.expect("events");
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![2]);
    assert!(store
        .events_after(T1, 3, 10)
        .await
        .expect("events")
        .is_empty());
    assert_eq!(
        store.events_after(T2, 0, 10).await.expect("events").len(),
        1
    );
}

/// Concurrent writers of one tenant never produce duplicate or missing sequence numbers.
pub async fn concurrent_events_have_gapless_sequences<S: Store>(store: Arc<S>) {
    let now = start();
    let mut tasks = Vec::new();
    for w in 0..6 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..5 {
                let mut ch = Changes::new(T1);
                ch.event(samples::event(w * 100 + i, now));
                s.apply(ch).await.expect("apply");
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    let seqs: Vec<i64> = store
        .events_after(T1, 0, 1000)
        .await
        .expect("events")
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(seqs, (1..=30).collect::<Vec<_>>());
}

/// Audit entries read back per record (oldest first) and per user (after an id, limited),
/// never across tenants.
pub async fn audit_reads_back<S: Store>(store: Arc<S>) {
    let now = start();
    let mut ch = Changes::new(T1);
    ch.audit(samples::audit(T1, Some(12), Entity::Customer, 1, now));
    ch.audit(samples::audit(T1, None, Entity::Customer, 1, now));
    ch.audit(samples::audit(T1, Some(12), Entity::Customer, 2, now));
    ch.audit(samples::audit(T1, Some(13), Entity::Contact, 1, now));
    store.apply(ch).await.expect("apply");
    let mut ch = Changes::new(T2);
    ch.audit(samples::audit(T2, Some(12), Entity::Customer, 1, now));
    store.apply(ch).await.expect("apply");

    let rec = store
        .audit_for_record(T1, "customer", 1)
        .await
        .expect("audit");
    assert_eq!(rec.len(), 2);
    assert_eq!(rec[0].actor, Some(UserId(12)));
    assert_eq!(rec[1].actor, None);
    assert!(rec[0].id < rec[1].id);
    assert_eq!(
        rec[0].changes,
        samples::audit(T1, Some(12), Entity::Customer, 1, now).changes
    );
    assert_eq!(rec[0].operation, "test.op");
    assert_eq!(rec[0].at, now);
    assert_eq!(
        store
            .audit_for_record(T1, "contact", 1)
            .await
            .expect("audit")
            .len(),
        1
    );

    let by = store
        .audit_by_user(T1, UserId(12), 0, 10)
        .await
        .expect("audit");
    assert_eq!(
        by.iter().map(|a| a.record_id).collect::<Vec<_>>(),
        vec![1, 2]
    );
    let rest = store
        .audit_by_user(T1, UserId(12), by[0].id, 10)
        .await
        .expect("audit");
    assert_eq!(rest.len(), 1);
    assert_eq!(
        store
            .audit_by_user(T1, UserId(12), 0, 1)
            .await
            .expect("audit")
            .len(),
        1
    );
    assert_eq!(
        store
            .audit_by_user(T2, UserId(12), 0, 10)
            .await
            .expect("audit")
            .len(),
        1
    );
}
