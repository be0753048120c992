//! Eight OS processes capturing 1,000 leads in one PostgreSQL schema through one
//! round-robin entry over eight members, each with a daily cap of 125: every member gets
//! exactly 125, no cap is passed, no lead is assigned twice, and the stored counts equal
//! the leads.

mod common;

use common::*;
use crm_core::testkit::assignment_stress::{capture_leads, check_fair_shares, prepare_round_robin};
use crm_core::testkit::fixture::Fixture;
use crm_core::{Crm, SystemClock};
use std::process::{Command, Stdio};
use std::sync::Arc;

const SCHEMA_VAR: &str = "CRM_PG_ASSIGN_SCHEMA";
const WORKER_VAR: &str = "CRM_PG_ASSIGN_WORKER";
const WRITERS: usize = 8;
const LEADS: usize = 1000;
const CAP: u32 = 125;

/// Child: captures its share of the leads by the rules.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "started as a child process by eight_processes_1000_leads_round_robin"]
async fn child_lead_capturer() {
    let Ok(schema) = std::env::var(SCHEMA_VAR) else {
        return;
    };
    let worker: usize = std::env::var(WORKER_VAR)
        .ok()
        .and_then(|w| w.parse().ok())
        .unwrap_or_default();
    let crm = Crm::new(store_in(&schema).await, Arc::new(SystemClock));
    let retries = capture_leads(&crm, worker, LEADS / WRITERS).await;
    eprintln!("worker {worker}: {retries} whole-operation retries");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_processes_1000_leads_round_robin() {
    let schema = fresh_schema_name();
    let f = Fixture::new(store_in(&schema).await).await;
    prepare_round_robin(&f, CAP).await;
    let exe = std::env::current_exe().expect("test binary");
    let children: Vec<_> = (0..WRITERS)
        .map(|w| {
            Command::new(&exe)
                .args(["--exact", "child_lead_capturer", "--ignored", "--quiet"])
                .env(SCHEMA_VAR, &schema)
                .env(WORKER_VAR, w.to_string())
                .stdout(Stdio::null())
                .spawn()
                .expect("spawn capturer")
        })
        .collect();
    for mut child in children {
        assert!(child.wait().expect("wait").success(), "capturer failed");
    }
    check_fair_shares(f.crm.store(), LEADS, CAP).await;
    drop_store(f.crm.store().clone()).await;
}
