//! The store conformance suite against a fresh SQLite file per case (WAL, pooled
//! connections), removed after a passing case.

mod common;

use crm_store_sqlite::SqliteStore;

async fn make_store() -> SqliteStore {
    let path = common::temp_db_path("conformance");
    SqliteStore::open(path.to_str().expect("utf-8 temp path"))
        .await
        .expect("open database file")
}

async fn drop_store(store: SqliteStore) {
    let path = store.pool().connect_options().get_filename().to_path_buf();
    store.close().await;
    common::remove_db(&path);
}

crm_core::crm_store_conformance_tests!(make_store, drop_store);
