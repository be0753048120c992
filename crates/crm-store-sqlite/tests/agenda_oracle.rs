//! The agenda over 1,000 users' data in one SQLite file holds exactly what each reader's
//! scope reaches of the user's items (random org and scopes against an independent
//! reading of the rules).

mod common;

use common::temp_db_path;
use crm_core::testkit::agenda_oracle::check_agenda_scopes;
use crm_store_sqlite::SqliteStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agenda_over_1000_users_stays_in_scope() {
    let path = temp_db_path("agenda-oracle");
    let store = SqliteStore::open(path.to_str().expect("utf-8"))
        .await
        .expect("open");
    check_agenda_scopes(store, 7, 1000, 300).await;
}
