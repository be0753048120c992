//! An import stopped part-way by a real storage failure (a trigger refusing one row) names
//! the rows it committed, and resuming after `through_line` completes the file.

mod common;

use crm_core::testkit::interrupted_import::{
    first_batch_failure_is_plain, import_stops_then_resumes, POISON,
};
use crm_store_postgres::PostgresStore;
use std::sync::Arc;

async fn arm(store: &PostgresStore) {
    sqlx::raw_sql(&format!(
        "CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$ \
         BEGIN RAISE EXCEPTION 'poisoned row'; END $$; \
         CREATE TRIGGER poison BEFORE INSERT ON customers FOR EACH ROW \
         WHEN (NEW.name = '{POISON}') EXECUTE FUNCTION poison();"
    ))
    .execute(store.pool())
    .await
    .expect("arm the trigger");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_names_committed_rows_and_resumes() {
    let store = common::fresh_store().await;
    arm(&store).await;
    let store = Arc::new(store);
    let disarm = {
        let store = store.clone();
        async move {
            sqlx::query("DROP TRIGGER poison ON customers")
                .execute(store.pool())
                .await
                .expect("disarm");
        }
    };
    import_stops_then_resumes(store.clone(), disarm).await;
    if let Ok(store) = Arc::try_unwrap(store) {
        common::drop_store(store).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_first_batch_writes_nothing() {
    let store = common::fresh_store().await;
    arm(&store).await;
    let store = Arc::new(store);
    first_batch_failure_is_plain(store.clone()).await;
    if let Ok(store) = Arc::try_unwrap(store) {
        common::drop_store(store).await;
    }
}
