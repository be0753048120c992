//! Eight writer threads capturing 1,000 leads in one SQLite file through one round-robin
//! entry over eight members, each with a daily cap of 125: every member gets exactly 125,
//! no cap is passed, no lead is assigned twice, and the stored counts equal the leads.

mod common;

use common::temp_db_path;
use crm_core::testkit::assignment_stress::{capture_leads, check_fair_shares, prepare_round_robin};
use crm_core::testkit::fixture::{Fixture, T1};
use crm_core::Actor;
use crm_store_sqlite::SqliteStore;
use std::sync::Arc;

const WRITERS: usize = 8;
const LEADS: usize = 1000;
const CAP: u32 = 125;

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn eight_threads_1000_leads_round_robin() {
    let path = temp_db_path("assignment-stress");
    let store = SqliteStore::open(path.to_str().expect("utf-8"))
        .await
        .expect("open");
    let f = Arc::new(Fixture::new(store).await);
    prepare_round_robin(&f, CAP).await;
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let f = f.clone();
        tasks.push(tokio::spawn(async move {
            capture_leads(&f.crm, w, LEADS / WRITERS).await
        }));
    }
    let mut retries = 0;
    for t in tasks {
        retries += t.await.expect("writer");
    }
    eprintln!("{LEADS} leads by {WRITERS} threads: {retries} whole-operation retries");
    check_fair_shares(f.crm.store(), LEADS, CAP).await;
    // Everyone is at the cap now: the next lead overflows to the pool.
    let next = f
        .crm
        .create_lead_by_rules(
            Actor::system(T1),
            crm_core::lead::LeadInput {
                name: "one too many".into(),
                ..Default::default()
            },
        )
        .await
        .expect("overflow");
    assert!(next.record["owner_id"].is_null());
    assert!(next.record["pool_id"].is_i64());
    let _ = std::fs::remove_file(&path);
}
