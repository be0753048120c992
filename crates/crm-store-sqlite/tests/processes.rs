//! Several processes sharing one database file: ids stay unique and unit-of-work writes
//! from every process all land, with a gapless event sequence.

mod common;

use common::*;
use crm_core::ids::TenantId;
use crm_core::store::{Changes, Entity, EventKind, NewEvent, Query, Store, Write};
use crm_store_sqlite::SqliteStore;
use std::process::{Command, Stdio};

const DB_VAR: &str = "CRM_SQLITE_CHILD_DB";
const OUT_VAR: &str = "CRM_SQLITE_CHILD_OUT";
const ROUNDS: usize = 40;

/// Allocates an id, inserts a customer with it and an event, `ROUNDS` times.
async fn work(store: &SqliteStore) -> Vec<i64> {
    let mut ids = Vec::new();
    for _ in 0..ROUNDS {
        let id = store
            .allocate_ids(Entity::Customer, 1)
            .await
            .expect("allocate");
        let mut changes = Changes::new(TenantId(1));
        changes
            .writes
            .push(Write::Insert(customer(1, id, Cust::default())));
        changes.events.push(NewEvent {
            kind: EventKind::CustomerCreated,
            at: at(id),
            entity: "customer".into(),
            record_id: id,
            payload: serde_json::json!({ "id": id }),
        });
        store.apply(changes).await.expect("apply");
        ids.push(id);
    }
    ids
}

/// The child side: run only when the parent test below starts this binary.
#[tokio::test]
#[ignore = "started as a child process by several_processes_share_one_file"]
async fn child_process_worker() {
    let (Ok(db), Ok(out)) = (std::env::var(DB_VAR), std::env::var(OUT_VAR)) else {
        return;
    };
    let store = SqliteStore::open(&db).await.expect("child open");
    let ids = work(&store).await;
    store.close().await;
    let text: Vec<String> = ids.iter().map(i64::to_string).collect();
    std::fs::write(out, text.join("\n")).expect("write ids");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_processes_share_one_file() {
    let path = temp_db_path("processes");
    let db = path.to_str().expect("utf-8").to_owned();
    let exe = std::env::current_exe().expect("test binary");
    let children: Vec<_> = (0..3)
        .map(|i| {
            let out = format!("{db}.child{i}");
            let child = Command::new(&exe)
                .args(["--exact", "child_process_worker", "--ignored", "--quiet"])
                .env(DB_VAR, &db)
                .env(OUT_VAR, &out)
                .stdout(Stdio::null())
                .spawn()
                .expect("spawn child");
            (child, out)
        })
        .collect();

    let store = SqliteStore::open(&db).await.expect("parent open");
    let mut all = work(&store).await;
    for (mut child, out) in children {
        assert!(child.wait().expect("wait").success(), "child failed");
        let text = std::fs::read_to_string(&out).expect("child ids");
        all.extend(text.lines().map(|l| l.parse::<i64>().expect("id")));
        let _ = std::fs::remove_file(out);
    }
    all.sort_unstable();
    let expected: Vec<i64> = (1..=(4 * ROUNDS) as i64).collect();
    assert_eq!(all, expected, "every id handed out exactly once");
    let total = store
        .count(&Query::new(Entity::Customer, TenantId(1)))
        .await
        .expect("count");
    assert_eq!(total, (4 * ROUNDS) as u64);
    let seqs: Vec<i64> = store
        .events_after(TenantId(1), 0, 1000)
        .await
        .expect("events")
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(seqs, expected, "gapless event sequence across processes");
    store.close().await;
    remove_db(&path);
}
