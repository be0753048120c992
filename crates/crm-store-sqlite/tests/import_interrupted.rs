//! An import stopped part-way by a real storage failure (a trigger refusing one row) names
//! the rows it committed, and resuming after `through_line` completes the file.

mod common;

use crm_core::testkit::interrupted_import::{
    first_batch_failure_is_plain, import_stops_then_resumes, POISON,
};
use crm_store_sqlite::SqliteStore;
use std::sync::Arc;

async fn arm(store: &SqliteStore) {
    sqlx::query(&format!(
        "CREATE TRIGGER poison BEFORE INSERT ON customers WHEN NEW.name = '{POISON}' \
         BEGIN SELECT RAISE(ABORT, 'poisoned row'); END"
    ))
    .execute(store.pool())
    .await
    .expect("arm the trigger");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_names_committed_rows_and_resumes() {
    let (store, path) = common::file_store("import-interrupted").await;
    arm(&store).await;
    let store = Arc::new(store);
    let disarm = {
        let store = store.clone();
        async move {
            sqlx::query("DROP TRIGGER poison")
                .execute(store.pool())
                .await
                .expect("disarm");
        }
    };
    import_stops_then_resumes(store.clone(), disarm).await;
    store.close().await;
    common::remove_db(&path);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_first_batch_writes_nothing() {
    let (store, path) = common::file_store("import-first-batch").await;
    arm(&store).await;
    let store = Arc::new(store);
    first_batch_failure_is_plain(store.clone()).await;
    store.close().await;
    common::remove_db(&path);
}
