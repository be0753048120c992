//! The agenda over 1,000 users' data holds exactly what each reader's scope reaches of the
//! user's items in the range (random orgs and scopes, checked against an independent
//! reading of the rules), on the memory store.

use crm_core::testkit::agenda_oracle::check_agenda_scopes;
use crm_core::testkit::MemoryStore;

#[tokio::test]
async fn agenda_over_1000_users_stays_in_scope() {
    for seed in [1] {
        check_agenda_scopes(MemoryStore::new(), seed, 1000, 300).await;
    }
}
