//! Eight claimer threads over the same 1,000 pooled customers in one SQLite file, held
//! limit 50: nobody holds more than 50, no customer is claimed twice, counters equal reality.

mod common;

use common::temp_db_path;
use crm_core::testkit::conformance::check_pool_invariants;
use crm_core::testkit::fixture::Fixture;
use crm_core::testkit::stress::{claim_until_full, prepare, CLAIMERS};
use crm_store_sqlite::SqliteStore;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn eight_claimers_1000_customers_limit_50() {
    let path = temp_db_path("pool-stress");
    let store = SqliteStore::open(path.to_str().expect("utf-8"))
        .await
        .expect("open");
    let f = Arc::new(Fixture::new(store).await);
    let (pool, ids) = prepare(&f, 1000, 50).await;
    let mut tasks = Vec::new();
    for (k, who) in CLAIMERS.into_iter().enumerate() {
        let (f, ids) = (f.clone(), ids.clone());
        tasks.push(tokio::spawn(async move {
            (who, claim_until_full(&f.crm, who, k, pool, &ids).await)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        let (who, won) = t.await.expect("claimer");
        assert_eq!(won.len(), 50, "claimer {who} reached exactly the limit");
        all.extend(won);
    }
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), n, "no customer claimed twice");
    check_pool_invariants(f.crm.store(), Some(50)).await;
    let _ = std::fs::remove_file(&path);
}
