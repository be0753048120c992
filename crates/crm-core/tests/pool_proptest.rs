//! Property: under random interleavings of claim, distribute, release, follow-up,
//! lock/unlock, time advances and scheduled sweeps, after every step no customer has two
//! owners or an owner while in a pool, nobody exceeds the held limit, counters equal the
//! real counts, and no successful claim beat a cooldown or the daily cap.

use chrono::Duration;
use crm_core::customer::Customer;
use crm_core::followup::{FollowUpKind, NewFollowUp};
use crm_core::ids::{CustomerId, UserId};
use crm_core::pool::claim::whole_days;
use crm_core::pool::{HeldLimits, LevelLimits, PoolRules, RecycleKind, RecycleRule};
use crm_core::store::StoreExt;
use crm_core::tenant::local_day_bounds;
use crm_core::testkit::conformance::check_pool_invariants;
use crm_core::testkit::fixture::*;
use crm_core::testkit::MemoryStore;
use crm_core::{Actor, Clock, CrmError};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;

const LIMIT: u32 = 3;
const CAP: u32 = 4;
const COOLDOWN: u32 = 2;
const USERS: [UserId; 4] = [REP, REP2, BOSS, MANAGER];
const N: usize = 8;

#[derive(Debug, Clone)]
enum Step {
    Claim {
        user: usize,
        customers: Vec<usize>,
    },
    Distribute {
        to: usize,
        customers: Vec<usize>,
    },
    Release {
        customer: usize,
        by: usize,
    },
    FollowUp {
        customer: usize,
        by: usize,
    },
    Lock {
        customer: usize,
        on: bool,
    },
    Advance {
        hours: i64,
    },
    RunDue,
    /// Claim, release, wait around the cooldown boundary, claim again — same user.
    Bounce {
        customer: usize,
        user: usize,
        hours: i64,
    },
}

fn step() -> impl Strategy<Value = Step> {
    let customers = proptest::collection::vec(0..N, 1..4);
    prop_oneof![
        4 => (0..USERS.len(), customers.clone()).prop_map(|(user, customers)| Step::Claim { user, customers }),
        1 => (0..USERS.len(), customers).prop_map(|(to, customers)| Step::Distribute { to, customers }),
        2 => (0..N, 0..USERS.len()).prop_map(|(customer, by)| Step::Release { customer, by }),
        2 => (0..N, 0..USERS.len()).prop_map(|(customer, by)| Step::FollowUp { customer, by }),
        1 => (0..N, any::<bool>()).prop_map(|(customer, on)| Step::Lock { customer, on }),
        2 => (1i64..60).prop_map(|hours| Step::Advance { hours }),
        1 => Just(Step::RunDue),
        2 => (0..N, 0..USERS.len(), 40i64..80).prop_map(|(customer, user, hours)| Step::Bounce { customer, user, hours }),
    ]
}

async fn customer(f: &Fixture<Arc<MemoryStore>>, id: CustomerId) -> Customer {
    f.crm
        .store()
        .load::<Customer>(T1, id.0)
        .await
        .expect("load")
        .expect("present")
}

async fn run(steps: Vec<Step>) {
    let store = Arc::new(MemoryStore::new());
    let f = Fixture::new(store.clone()).await;
    let rules = PoolRules {
        daily_claim_cap: Some(CAP),
        previous_owner_cooldown_days: COOLDOWN,
        recycle: vec![RecycleRule {
            kind: RecycleKind::NoFollowUp,
            limits: LevelLimits::all(3),
            remind_days_before: 1,
        }],
        ..PoolRules::default()
    };
    let pool = f
        .pool(
            rules,
            HeldLimits {
                default: Some(LIMIT),
                ..HeldLimits::default()
            },
        )
        .await;
    let ids = f.fill(pool, N).await;
    let reason = f
        .crm
        .get_tenant(Actor::system(T1))
        .await
        .expect("tenant")
        .settings
        .recycle_reasons[0]
        .clone();
    let tz = chrono_tz::Asia::Shanghai;
    let mut claims_per_day: BTreeMap<(UserId, chrono::DateTime<chrono::Utc>), u32> =
        BTreeMap::new();
    let mut expanded = Vec::new();
    for s in steps {
        match s {
            Step::Bounce {
                customer,
                user,
                hours,
            } => {
                expanded.push(Step::Claim {
                    user,
                    customers: vec![customer],
                });
                expanded.push(Step::Release { customer, by: user });
                expanded.push(Step::Advance { hours });
                expanded.push(Step::Claim {
                    user,
                    customers: vec![customer],
                });
            }
            other => expanded.push(other),
        }
    }
    for s in expanded {
        let now = f.clock.now();
        match s {
            Step::Claim { user, customers } => {
                let who = USERS[user];
                let batch: Vec<CustomerId> = customers.iter().map(|i| ids[*i]).collect();
                let mut before = Vec::new();
                for id in &batch {
                    before.push(customer(&f, *id).await);
                }
                if f.crm
                    .claim(Actor::user(T1, who), pool, batch.clone())
                    .await
                    .is_ok()
                {
                    for c in &before {
                        if c.previous_owner_id == Some(who) {
                            let entered = c
                                .entered_pool_at
                                .expect("pooled customers have an entry time");
                            assert!(
                                whole_days(entered, now) > i64::from(COOLDOWN),
                                "claim of {} beat the cooldown",
                                c.id
                            );
                        }
                    }
                    let day = local_day_bounds(tz, now).0;
                    let n = claims_per_day.entry((who, day)).or_default();
                    *n += batch.len() as u32;
                    assert!(*n <= CAP, "user {who} claimed {n} on one day");
                }
            }
            Step::Distribute { to, customers } => {
                let batch = customers.iter().map(|i| ids[*i]).collect();
                let _ = f
                    .crm
                    .distribute(Actor::user(T1, MANAGER), pool, batch, USERS[to])
                    .await;
            }
            Step::Release { customer: c, by } => {
                let _ = f
                    .crm
                    .release_customer(Actor::user(T1, USERS[by]), ids[c], &reason)
                    .await;
            }
            Step::FollowUp { customer: c, by } => {
                let fu = NewFollowUp {
                    customer_id: ids[c],
                    kind: FollowUpKind::Call,
                    content: "跟进".into(),
                    at: None,
                    location: None,
                    next_followup_at: None,
                };
                let _ = f.crm.record_followup(Actor::user(T1, USERS[by]), fu).await;
            }
            Step::Lock { customer: c, on } => {
                let _ = f.crm.set_locked(Actor::system(T1), ids[c], on).await;
            }
            Step::Advance { hours } => f.clock.advance(Duration::hours(hours)),
            Step::RunDue => {
                let r = f.crm.run_due_work(T1, now).await;
                assert!(!matches!(r, Err(CrmError::Storage(_))), "{r:?}");
            }
            Step::Bounce { .. } => unreachable!("expanded above"),
        }
        check_pool_invariants(&*store, Some(i64::from(LIMIT))).await;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]
    #[test]
    fn pool_invariants_hold_under_random_interleavings(steps in proptest::collection::vec(step(), 1..40)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(run(steps));
    }
}
