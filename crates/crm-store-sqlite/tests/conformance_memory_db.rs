//! The store conformance suite against a private in-memory SQLite database per case.

use crm_store_sqlite::SqliteStore;

async fn make_store() -> SqliteStore {
    SqliteStore::open_in_memory()
        .await
        .expect("open in-memory database")
}

crm_core::crm_store_conformance_tests!(make_store);
