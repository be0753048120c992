//! Property: for random orgs, roles, shares and customers, no scoped list or read ever
//! returns a record the actor may not read, and none it may is missing.

use crm_core::testkit::scope_oracle::check_random_scopes;
use crm_core::testkit::MemoryStore;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    #[test]
    fn scoped_queries_never_leak(seed in 1u64..u64::MAX / 2) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(check_random_scopes(MemoryStore::new(), seed));
    }
}
