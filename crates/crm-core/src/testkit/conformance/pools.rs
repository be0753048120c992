//! Pools on every store: concurrent claimers never pass the held limit or double-claim, the
//! counter rows equal the real counts, and scheduled work is idempotent.

use crate::actor::Actor;
use crate::customer::Customer;
use crate::error::CrmError;
use crate::followup::{FollowUpKind, NewFollowUp};
use crate::ids::{CustomerId, UserId};
use crate::pool::{HeldCounter, HeldLimits, LevelLimits, PoolRules, RecycleKind, RecycleRule};
use crate::store::{Entity, Query, Store, StoreExt};
use crate::testkit::fixture::*;
use chrono::Duration;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Checks, from the stored rows, that every customer has at most one owner and no owner
/// while in a pool, that nobody holds more than `limit`, and that every held counter equals
/// the real count.
pub async fn check_pool_invariants<S: Store>(store: &S, limit: Option<i64>) {
    let customers: Vec<Customer> = store
        .load_all(&Query::new(Entity::Customer, T1))
        .await
        .expect("customers");
    let mut held: BTreeMap<UserId, (i64, i64)> = BTreeMap::new();
    for c in &customers {
        assert!(
            !(c.owner_id.is_some() && c.pool_id.is_some()),
            "customer {} owned while in a pool",
            c.id
        );
        if let Some(o) = c.owner_id {
            let e = held.entry(o).or_default();
            e.0 += 1;
            e.1 += i64::from(c.deal_status == crate::customer::DealStatus::Dealt);
        }
    }
    let counters: Vec<HeldCounter> = store
        .load_all(&Query::new(Entity::HeldCounter, T1))
        .await
        .expect("counters");
    for counter in &counters {
        let real = held.get(&counter.user_id).copied().unwrap_or_default();
        assert_eq!(
            (counter.held, counter.held_dealt),
            real,
            "counter of user {}",
            counter.user_id
        );
    }
    for (user, (n, _)) in &held {
        assert!(
            counters.iter().any(|c| c.user_id == *user),
            "user {user} holds {n} without a counter"
        );
        if let Some(limit) = limit {
            assert!(*n <= limit, "user {user} holds {n} > {limit}");
        }
    }
}

/// Eight claimers race over the same pooled customers under a held limit: each ends with
/// at most the limit, nobody's customer is claimed twice, counters match reality.
pub async fn concurrent_claims_respect_the_held_limit<S: Store>(store: Arc<S>) {
    let f = Arc::new(Fixture::new(store.clone()).await);
    let limit = 5;
    let pool = f
        .pool(
            PoolRules::default(),
            HeldLimits {
                default: Some(limit),
                ..HeldLimits::default()
            },
        )
        .await;
    let ids = f.fill(pool, 60).await;
    let claimers = [
        BOSS,
        MANAGER,
        REP,
        REP2,
        DEPT_VIEWER,
        TREE_VIEWER,
        NOBODY,
        BOSS,
    ];
    let mut tasks = Vec::new();
    for (k, who) in claimers.into_iter().enumerate() {
        let f = f.clone();
        let ids = ids.clone();
        tasks.push(tokio::spawn(async move {
            let mut won: Vec<CustomerId> = Vec::new();
            for step in 0..ids.len() {
                let i = (step * 7 + k * 13) % ids.len();
                let batch = if step % 3 == 0 {
                    vec![ids[i], ids[(i + 1) % ids.len()]]
                } else {
                    vec![ids[i]]
                };
                match f.crm.claim(Actor::user(T1, who), pool, batch.clone()).await {
                    Ok(_) => won.extend(batch),
                    Err(CrmError::RuleViolation { .. })
                    | Err(CrmError::Conflict { .. })
                    | Err(CrmError::Validation { .. }) => {}
                    Err(e) => panic!("unexpected {e:?}"),
                }
            }
            won
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("task"));
    }
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), n, "no customer claimed twice");
    check_pool_invariants(&*store, Some(i64::from(limit))).await;
    let owned = f
        .crm
        .list_customers(Actor::system(T1), Default::default())
        .await
        .expect("list");
    assert!(
        owned
            .items
            .iter()
            .filter(|c| c.record.owner_id.is_some())
            .count()
            >= 5,
        "claims happened"
    );
}

/// `run_due_work` at the same instant twice: the second run changes and emits nothing.
pub async fn due_work_twice_at_one_instant_does_nothing_more<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store.clone()).await;
    let rules = PoolRules {
        recycle: vec![
            RecycleRule {
                kind: RecycleKind::NoFollowUp,
                limits: LevelLimits::all(2),
                remind_days_before: 1,
            },
            RecycleRule {
                kind: RecycleKind::NoDeal,
                limits: LevelLimits::all(5),
                remind_days_before: 2,
            },
        ],
        ..PoolRules::default()
    };
    let pool = f.pool(rules, HeldLimits::default()).await;
    let ids = f.fill(pool, 6).await;
    f.crm
        .claim(user(REP), pool, ids[..3].to_vec())
        .await
        .expect("claim");
    f.crm
        .claim(user(REP2), pool, ids[3..].to_vec())
        .await
        .expect("claim");
    let fu = NewFollowUp {
        customer_id: ids[0],
        kind: FollowUpKind::Call,
        content: "hi".into(),
        at: None,
        location: None,
        next_followup_at: None,
    };
    f.crm
        .record_followup(user(REP), fu)
        .await
        .expect("follow-up");
    for days in [2, 3, 4, 6] {
        let now = start() + Duration::days(days);
        let first = f.crm.run_due_work(T1, now).await.expect("first run");
        let cursor = f
            .crm
            .events_after(Actor::system(T1), 0, 1000)
            .await
            .expect("events")
            .last()
            .map(|e| e.seq)
            .unwrap_or(0);
        let second = f.crm.run_due_work(T1, now).await.expect("second run");
        assert_eq!(
            second,
            Default::default(),
            "day {days}: second run did {second:?} after {first:?}"
        );
        assert!(
            f.crm
                .events_after(Actor::system(T1), cursor, 10)
                .await
                .expect("events")
                .is_empty(),
            "day {days}"
        );
        check_pool_invariants(&*store, None).await;
    }
    let owned: usize = ids.len()
        - f.crm
            .pool_customers(Actor::system(T1), pool, None, None)
            .await
            .expect("pool")
            .items
            .len();
    assert_eq!(owned, 0, "everything recycled by day 6");
}

/// Two runners sweep the same tenant at the same instant: every customer is recycled once,
/// every event appears once, the counters stay exact.
pub async fn concurrent_sweepers_do_each_thing_once<S: Store>(store: Arc<S>) {
    let f = Arc::new(Fixture::new(store.clone()).await);
    let rules = PoolRules {
        recycle: vec![RecycleRule {
            kind: RecycleKind::NoFollowUp,
            limits: LevelLimits::all(1),
            remind_days_before: 0,
        }],
        ..PoolRules::default()
    };
    let pool = f.pool(rules, HeldLimits::default()).await;
    let ids = f.fill(pool, 40).await;
    for chunk in ids.chunks(10) {
        f.crm
            .claim(user(REP), pool, chunk.to_vec())
            .await
            .expect("claim");
    }
    let at = start() + Duration::days(2);
    let a = {
        let f = f.clone();
        tokio::spawn(async move { f.crm.run_due_work(T1, at).await })
    };
    let b = {
        let f = f.clone();
        tokio::spawn(async move { f.crm.run_due_work(T1, at).await })
    };
    let (ra, rb) = (
        a.await.expect("task").expect("runner a"),
        b.await.expect("task").expect("runner b"),
    );
    assert_eq!(
        ra.recycled + rb.recycled,
        40,
        "split between runners, never done twice"
    );
    let events = f
        .crm
        .events_after(Actor::system(T1), 0, 1000)
        .await
        .expect("events");
    let mut recycled: Vec<i64> = events
        .iter()
        .filter(|e| e.kind == "CustomerRecycled")
        .map(|e| e.record_id)
        .collect();
    assert_eq!(recycled.len(), 40);
    recycled.sort_unstable();
    recycled.dedup();
    assert_eq!(recycled.len(), 40, "one event per customer");
    check_pool_invariants(&*store, None).await;
}
