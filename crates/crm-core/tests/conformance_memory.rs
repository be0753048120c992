//! The conformance suite against the in-memory store.

use crm_core::testkit::MemoryStore;

async fn make_store() -> MemoryStore {
    MemoryStore::new()
}

crm_core::crm_store_conformance_tests!(make_store);
