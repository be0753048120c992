//! Several OS processes sharing one PostgreSQL schema through the service layer: every
//! successful update lands exactly once (versions and audit agree), and a writer killed in
//! the middle of its work leaves no half-applied unit of work.

mod common;

use common::*;
use crm_core::customer::CustomerPatch;
use crm_core::ids::CustomerId;
use crm_core::pool::{HeldLimits, PoolRules};
use crm_core::store::{Entity, Query, Store, StoreExt};
use crm_core::testkit::conformance::check_pool_invariants;
use crm_core::testkit::fixture::{Fixture, REP, REP2, T1};
use crm_core::{Actor, Crm, CrmError, SystemClock};
use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

const SCHEMA_VAR: &str = "CRM_PG_CHILD_SCHEMA";
const IDS_VAR: &str = "CRM_PG_CHILD_CUSTOMERS";
const OUT_VAR: &str = "CRM_PG_CHILD_OUT";
const WORKER_VAR: &str = "CRM_PG_CHILD_WORKER";
const ROUNDS: usize = 15;

fn ids_from_env() -> Vec<CustomerId> {
    std::env::var(IDS_VAR)
        .unwrap_or_default()
        .split(',')
        .filter_map(|s| s.parse().ok())
        .map(CustomerId)
        .collect()
}

/// Child: updates every customer `ROUNDS` times through the service; writes
/// "customer successes" lines.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "started as a child process by writer_processes_lose_and_double_nothing"]
async fn child_service_writer() {
    let (Ok(schema), Ok(out)) = (std::env::var(SCHEMA_VAR), std::env::var(OUT_VAR)) else {
        return;
    };
    let worker = std::env::var(WORKER_VAR).unwrap_or_default();
    let crm = Crm::new(store_in(&schema).await, Arc::new(SystemClock));
    let mut wins: BTreeMap<i64, u32> = BTreeMap::new();
    for round in 0..ROUNDS {
        for id in ids_from_env() {
            let patch = CustomerPatch {
                address: Some(format!("worker {worker} round {round}")),
                ..Default::default()
            };
            match crm.update_customer(Actor::system(T1), id, patch).await {
                Ok(_) => *wins.entry(id.0).or_default() += 1,
                Err(CrmError::Conflict { .. }) => {}
                Err(e) => panic!("worker {worker}: {e:?}"),
            }
        }
    }
    let lines: Vec<String> = wins.iter().map(|(id, n)| format!("{id} {n}")).collect();
    std::fs::write(out, lines.join("\n")).expect("write results");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writer_processes_lose_and_double_nothing() {
    let schema = fresh_schema_name();
    let store = store_in(&schema).await;
    let f = Fixture::new(store).await;
    let mut ids = Vec::new();
    for i in 0..4 {
        let input = crm_core::customer::NewCustomer {
            name: format!("shared {i}"),
            owner_id: Some(REP),
            ..Default::default()
        };
        ids.push(
            f.crm
                .create_customer(Actor::system(T1), input)
                .await
                .expect("customer")
                .record
                .id,
        );
    }
    let list = ids
        .iter()
        .map(|c| c.0.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let exe = std::env::current_exe().expect("test binary");
    let children: Vec<_> = (0..4)
        .map(|w| {
            let out = std::env::temp_dir().join(format!("{schema}.w{w}"));
            let child = Command::new(&exe)
                .args(["--exact", "child_service_writer", "--ignored", "--quiet"])
                .env(SCHEMA_VAR, &schema)
                .env(IDS_VAR, &list)
                .env(OUT_VAR, &out)
                .env(WORKER_VAR, w.to_string())
                .stdout(Stdio::null())
                .spawn()
                .expect("spawn writer");
            (child, out)
        })
        .collect();
    let mut wins: BTreeMap<i64, u32> = BTreeMap::new();
    for (mut child, out) in children {
        assert!(child.wait().expect("wait").success(), "writer failed");
        for line in std::fs::read_to_string(&out).expect("results").lines() {
            let mut parts = line.split(' ');
            let id: i64 = parts.next().and_then(|s| s.parse().ok()).expect("id");
            let n: u32 = parts.next().and_then(|s| s.parse().ok()).expect("count");
            *wins.entry(id).or_default() += n;
        }
        let _ = std::fs::remove_file(out);
    }
    let mut total = 0;
    for id in &ids {
        let c = f
            .crm
            .get_customer(Actor::system(T1), *id)
            .await
            .expect("customer")
            .record;
        let n = wins.get(&id.0).copied().unwrap_or(0);
        total += n;
        assert_eq!(
            c.version,
            1 + i64::from(n),
            "customer {id}: version counts every successful update once"
        );
        let audit = f
            .crm
            .customer_audit(Actor::system(T1), *id)
            .await
            .expect("audit");
        assert_eq!(
            audit
                .iter()
                .filter(|a| a.operation == "customer.update")
                .count(),
            n as usize
        );
    }
    assert!(total > 0, "some updates succeeded");
    drop_store(f.crm.store().clone()).await;
}

/// Child: claims and releases pooled customers in a loop until killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "started as a child process by a_killed_writer_leaves_no_half_applied_work"]
async fn child_claim_looper() {
    let Ok(schema) = std::env::var(SCHEMA_VAR) else {
        return;
    };
    let crm = Crm::new(store_in(&schema).await, Arc::new(SystemClock));
    let ids = ids_from_env();
    let pool = crm.list_pools(Actor::system(T1)).await.expect("pools")[0].id;
    let reason = crm
        .get_tenant(Actor::system(T1))
        .await
        .expect("tenant")
        .settings
        .recycle_reasons[0]
        .clone();
    let who = if std::env::var(WORKER_VAR).as_deref() == Ok("0") {
        REP
    } else {
        REP2
    };
    loop {
        for id in &ids {
            if crm
                .claim(Actor::user(T1, who), pool, vec![*id])
                .await
                .is_ok()
            {
                let _ = crm
                    .release_customer(Actor::user(T1, who), *id, &reason)
                    .await;
            }
        }
    }
}

/// How many events the tenant's outbox holds (every page).
async fn all_events<S: crm_core::store::Store>(f: &Fixture<S>) -> usize {
    let mut cursor = 0;
    let mut n = 0;
    loop {
        let page = f
            .crm
            .events_after(Actor::system(T1), cursor, 1000)
            .await
            .expect("events");
        n += page.len();
        match page.last() {
            Some(e) if page.len() == 1000 => cursor = e.seq,
            _ => return n,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_writer_leaves_no_half_applied_work() {
    let schema = fresh_schema_name();
    let f = Fixture::new(store_in(&schema).await).await;
    let pool = f
        .pool(
            PoolRules::default(),
            HeldLimits {
                default: Some(2),
                ..HeldLimits::default()
            },
        )
        .await;
    let ids = f.fill(pool, 6).await;
    let list = ids
        .iter()
        .map(|c| c.0.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let exe = std::env::current_exe().expect("test binary");
    let mut children: Vec<_> = (0..2)
        .map(|w| {
            Command::new(&exe)
                .args(["--exact", "child_claim_looper", "--ignored", "--quiet"])
                .env(SCHEMA_VAR, &schema)
                .env(IDS_VAR, &list)
                .env(WORKER_VAR, w.to_string())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn looper")
        })
        .collect();
    // Let them work until plenty of units landed, then kill both mid-flight.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let n = f
            .crm
            .events_after(Actor::system(T1), 0, 1000)
            .await
            .expect("events")
            .len();
        if n > 200 || std::time::Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for child in &mut children {
        child.kill().expect("kill");
        let _ = child.wait();
    }
    // A COMMIT a killed child had already sent still lands after its process is gone (the
    // server finishes it); the checks below read in several statements, so wait until the
    // outbox stops growing before reading anything.
    let mut seen = usize::MAX;
    for _ in 0..40 {
        let n = all_events(&f).await;
        if n == seen {
            break;
        }
        seen = n;
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let store = f.crm.store();
    check_pool_invariants(store, Some(2)).await;
    let customers: Vec<crm_core::customer::Customer> = store
        .load_all(&Query::new(Entity::Customer, T1))
        .await
        .expect("customers");
    let mut moves = 0;
    for c in &customers {
        let audit = store
            .audit_for_record(T1, "customer", c.id.0)
            .await
            .expect("audit");
        assert_eq!(
            c.version,
            audit.len() as i64,
            "customer {}: one audit entry per applied version",
            c.id
        );
        moves += audit
            .iter()
            .filter(|a| a.operation == "pool.claim" || a.operation == "pool.release")
            .count();
    }
    let events = f
        .crm
        .events_after(Actor::system(T1), 0, 1000)
        .await
        .expect("events");
    let mut all = events.clone();
    let mut cursor = all.last().map(|e| e.seq).unwrap_or(0);
    loop {
        let more = f
            .crm
            .events_after(Actor::system(T1), cursor, 1000)
            .await
            .expect("events");
        let Some(last) = more.last().map(|e| e.seq) else {
            break;
        };
        cursor = last;
        all.extend(more);
    }
    let moved_events = all
        .iter()
        .filter(|e| e.kind == "CustomerClaimed" || e.kind == "CustomerRecycled")
        .count();
    assert_eq!(
        moved_events, moves,
        "every applied claim or release has its event, and no event lacks its rows"
    );
    assert!(moves > 0);
    let seqs: Vec<i64> = all.iter().map(|e| e.seq).collect();
    assert_eq!(
        seqs,
        (1..=seqs.len() as i64).collect::<Vec<_>>(),
        "gapless event sequence"
    );
    drop_store(f.crm.store().clone()).await;
}

/// Child: one claimer process; writes how many customers it won.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "started as a child process by eight_claimer_processes_1000_customers_limit_50"]
async fn child_claimer() {
    let (Ok(schema), Ok(out)) = (std::env::var(SCHEMA_VAR), std::env::var(OUT_VAR)) else {
        return;
    };
    let k: usize = std::env::var(WORKER_VAR)
        .ok()
        .and_then(|w| w.parse().ok())
        .unwrap_or(0);
    let crm = Crm::new(store_in(&schema).await, Arc::new(SystemClock));
    let ids = ids_from_env();
    let pool = crm.list_pools(Actor::system(T1)).await.expect("pools")[0].id;
    let won = crm_core::testkit::stress::claim_until_full(
        &crm,
        crm_core::testkit::stress::CLAIMERS[k],
        k,
        pool,
        &ids,
    )
    .await;
    let text: Vec<String> = won.iter().map(|c| c.0.to_string()).collect();
    std::fs::write(out, text.join("\n")).expect("write results");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_claimer_processes_1000_customers_limit_50() {
    let schema = fresh_schema_name();
    let f = Fixture::new(store_in(&schema).await).await;
    let (_pool, ids) = crm_core::testkit::stress::prepare(&f, 1000, 50).await;
    let list = ids
        .iter()
        .map(|c| c.0.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let exe = std::env::current_exe().expect("test binary");
    let children: Vec<_> = (0..8)
        .map(|k| {
            let out = std::env::temp_dir().join(format!("{schema}.claimer{k}"));
            let child = Command::new(&exe)
                .args(["--exact", "child_claimer", "--ignored", "--quiet"])
                .env(SCHEMA_VAR, &schema)
                .env(IDS_VAR, &list)
                .env(OUT_VAR, &out)
                .env(WORKER_VAR, k.to_string())
                .stdout(Stdio::null())
                .spawn()
                .expect("spawn claimer");
            (child, out)
        })
        .collect();
    let mut all = Vec::new();
    for (mut child, out) in children {
        assert!(child.wait().expect("wait").success(), "claimer failed");
        let won: Vec<i64> = std::fs::read_to_string(&out)
            .expect("results")
            .lines()
            .filter_map(|l| l.parse().ok())
            .collect();
        assert_eq!(
            won.len(),
            50,
            "each claimer process reaches exactly the limit"
        );
        all.extend(won);
        let _ = std::fs::remove_file(out);
    }
    let n = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), n, "no customer claimed twice across processes");
    check_pool_invariants(f.crm.store(), Some(50)).await;
    drop_store(f.crm.store().clone()).await;
}
