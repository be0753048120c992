//! Claim and distribute rules on both sides of every boundary: held limit, dealt customers,
//! daily cap at local midnight, cooldown, new-in-pool protection, all-or-nothing batches.

use chrono::Duration;
use crm_core::customer::DealStatus;
use crm_core::ids::{CustomerId, PoolId};
use crm_core::pool::{HeldLimits, PoolRules};
use crm_core::service::CustomerFilter;
use crm_core::testkit::fixture::*;
use crm_core::testkit::MemoryStore;
use crm_core::{Actor, CrmError};

fn rule_of(e: &CrmError) -> &str {
    match e {
        CrmError::RuleViolation { rule, .. } => rule,
        _ => "",
    }
}

async fn setup(
    rules: PoolRules,
    limits: HeldLimits,
    n: usize,
) -> (Fixture<MemoryStore>, PoolId, Vec<CustomerId>) {
    let f = Fixture::new(MemoryStore::new()).await;
    let pool = f.pool(rules, limits).await;
    let ids = f.fill(pool, n).await;
    (f, pool, ids)
}

fn limit(n: u32) -> HeldLimits {
    HeldLimits {
        default: Some(n),
        ..HeldLimits::default()
    }
}

#[tokio::test]
async fn held_limit_allows_the_limit_and_refuses_one_more() {
    let (f, pool, ids) = setup(PoolRules::default(), limit(2), 5).await;
    f.crm
        .claim(user(REP), pool, vec![ids[0]])
        .await
        .expect("1 of 2");
    f.crm
        .claim(user(REP), pool, vec![ids[1]])
        .await
        .expect("2 of 2");
    let err = f
        .crm
        .claim(user(REP), pool, vec![ids[2]])
        .await
        .expect_err("3 of 2");
    assert_eq!(rule_of(&err), "held_limit");
    // Customers created owned count too.
    let (f, pool, ids) = setup(PoolRules::default(), limit(2), 5).await;
    f.crm
        .create_customer(
            user(REP),
            crm_core::customer::NewCustomer {
                name: "own".into(),
                ..Default::default()
            },
        )
        .await
        .expect("own");
    f.crm
        .claim(user(REP), pool, vec![ids[0]])
        .await
        .expect("2 of 2");
    assert_eq!(
        rule_of(
            &f.crm
                .claim(user(REP), pool, vec![ids[1]])
                .await
                .expect_err("3")
        ),
        "held_limit"
    );
}

#[tokio::test]
async fn a_batch_over_the_limit_fails_whole_and_changes_nothing() {
    let (f, pool, ids) = setup(PoolRules::default(), limit(2), 5).await;
    f.crm
        .claim(user(REP), pool, vec![ids[0]])
        .await
        .expect("one");
    let before = f
        .crm
        .events_after(Actor::system(T1), 0, 1000)
        .await
        .expect("events")
        .len();
    let err = f
        .crm
        .claim(user(REP), pool, vec![ids[1], ids[2]])
        .await
        .expect_err("batch of 2 with 1 left");
    assert_eq!(rule_of(&err), "held_limit");
    assert_eq!(
        f.crm
            .events_after(Actor::system(T1), 0, 1000)
            .await
            .expect("events")
            .len(),
        before
    );
    for id in &ids[1..3] {
        assert_eq!(
            f.crm
                .get_customer(Actor::system(T1), *id)
                .await
                .expect("c")
                .record
                .pool_id,
            Some(pool)
        );
    }
    f.crm
        .claim(user(REP), pool, vec![ids[1]])
        .await
        .expect("one left fits");
}

#[tokio::test]
async fn dealt_customers_do_not_count_unless_configured() {
    let (f, pool, ids) = setup(PoolRules::default(), limit(1), 3).await;
    f.crm
        .claim(user(REP), pool, vec![ids[0]])
        .await
        .expect("1 of 1");
    assert_eq!(
        rule_of(
            &f.crm
                .claim(user(REP), pool, vec![ids[1]])
                .await
                .expect_err("full")
        ),
        "held_limit"
    );
    f.crm
        .set_deal_status(user(REP), ids[0], DealStatus::Dealt)
        .await
        .expect("won");
    f.crm
        .claim(user(REP), pool, vec![ids[1]])
        .await
        .expect("the won customer no longer counts");

    let (f, pool, ids) = setup(
        PoolRules::default(),
        HeldLimits {
            count_dealt: true,
            ..limit(1)
        },
        3,
    )
    .await;
    f.crm
        .claim(user(REP), pool, vec![ids[0]])
        .await
        .expect("1 of 1");
    f.crm
        .set_deal_status(user(REP), ids[0], DealStatus::Dealt)
        .await
        .expect("won");
    assert_eq!(
        rule_of(
            &f.crm
                .claim(user(REP), pool, vec![ids[1]])
                .await
                .expect_err("counted")
        ),
        "held_limit"
    );
}

#[tokio::test]
async fn limits_per_user_and_department_and_admin_exemption() {
    let mut limits = limit(5);
    limits.departments.insert(SALES_EAST, 1);
    limits.users.insert(REP2, 2);
    let (f, pool, ids) = setup(PoolRules::default(), limits.clone(), 8).await;
    f.crm
        .claim(user(REP), pool, vec![ids[0]])
        .await
        .expect("dept limit 1");
    assert!(f.crm.claim(user(REP), pool, vec![ids[1]]).await.is_err());
    f.crm
        .claim(user(REP2), pool, vec![ids[1], ids[2]])
        .await
        .expect("user limit 2 beats dept");
    assert!(f.crm.claim(user(REP2), pool, vec![ids[3]]).await.is_err());
    f.crm
        .claim(user(BOSS), pool, vec![ids[3], ids[4]])
        .await
        .expect("default 5");
    // The manager is pool admin and in Sales East (limit 1); exempt only when configured.
    f.crm
        .claim(user(MANAGER), pool, vec![ids[5]])
        .await
        .expect("1");
    assert!(f
        .crm
        .claim(user(MANAGER), pool, vec![ids[6]])
        .await
        .is_err());
    let (f, pool, ids) = setup(
        PoolRules::default(),
        HeldLimits {
            exempt_pool_admins: true,
            ..limits
        },
        3,
    )
    .await;
    f.crm
        .claim(user(MANAGER), pool, ids.clone())
        .await
        .expect("exempt admin");
}

#[tokio::test]
async fn daily_cap_counts_claims_and_resets_at_local_midnight() {
    let rules = PoolRules {
        daily_claim_cap: Some(2),
        ..PoolRules::default()
    };
    let (f, pool, ids) = setup(rules, HeldLimits::default(), 8).await;
    // Start: 10:00 Shanghai. Local midnight is start + 14 h.
    f.crm
        .claim(user(REP), pool, vec![ids[0]])
        .await
        .expect("1 of 2");
    assert_eq!(
        rule_of(
            &f.crm
                .claim(user(REP), pool, vec![ids[1], ids[2]])
                .await
                .expect_err("3 of 2")
        ),
        "daily_claim_cap"
    );
    f.crm
        .claim(user(REP), pool, vec![ids[1]])
        .await
        .expect("failed batch used no quota: 2 of 2");
    f.crm
        .claim(user(REP2), pool, vec![ids[2]])
        .await
        .expect("caps are per user");
    f.clock
        .set(start() + Duration::hours(14) - Duration::seconds(1));
    assert_eq!(
        rule_of(
            &f.crm
                .claim(user(REP), pool, vec![ids[3]])
                .await
                .expect_err("23:59:59")
        ),
        "daily_claim_cap"
    );
    f.clock.set(start() + Duration::hours(14));
    f.crm
        .claim(user(REP), pool, vec![ids[3], ids[4]])
        .await
        .expect("00:00 next day: fresh cap");
    // Distribution is not capped.
    f.crm
        .distribute(user(MANAGER), pool, vec![ids[5]], REP)
        .await
        .expect("distribute past the cap");
}

#[tokio::test]
async fn previous_owner_cooldown_is_blocked_through_day_n() {
    let rules = PoolRules {
        previous_owner_cooldown_days: 3,
        ..PoolRules::default()
    };
    let (f, pool, ids) = setup(rules, HeldLimits::default(), 1).await;
    f.crm
        .claim(user(REP), pool, vec![ids[0]])
        .await
        .expect("claim");
    let reason = f
        .crm
        .get_tenant(Actor::system(T1))
        .await
        .expect("t")
        .settings
        .recycle_reasons[0]
        .clone();
    f.crm
        .release_customer(user(REP), ids[0], &reason)
        .await
        .expect("release");
    let released = start();
    f.clock
        .set(released + Duration::days(4) - Duration::seconds(1));
    let err = f
        .crm
        .claim(user(REP), pool, vec![ids[0]])
        .await
        .expect_err("3 whole days <= 3");
    assert_eq!(rule_of(&err), "previous_owner_cooldown");
    f.clock.set(released + Duration::days(4));
    f.crm
        .claim(user(REP), pool, vec![ids[0]])
        .await
        .expect("4 whole days");
}

#[tokio::test]
async fn others_may_claim_during_a_cooldown_and_distribution_ignores_it() {
    let rules = PoolRules {
        previous_owner_cooldown_days: 3,
        ..PoolRules::default()
    };
    let (f, pool, ids) = setup(rules, HeldLimits::default(), 2).await;
    let reason = f
        .crm
        .get_tenant(Actor::system(T1))
        .await
        .expect("t")
        .settings
        .recycle_reasons[0]
        .clone();
    f.crm
        .claim(user(REP), pool, ids.clone())
        .await
        .expect("claim");
    f.crm
        .release_customer(user(REP), ids[0], &reason)
        .await
        .expect("release");
    f.crm
        .release_customer(user(REP), ids[1], &reason)
        .await
        .expect("release");
    f.crm
        .claim(user(REP2), pool, vec![ids[0]])
        .await
        .expect("another rep");
    f.crm
        .distribute(user(MANAGER), pool, vec![ids[1]], REP)
        .await
        .expect("admin may give it back");
}

#[tokio::test]
async fn new_in_pool_protection_holds_for_its_hours() {
    let rules = PoolRules {
        new_in_pool_protection_hours: 24,
        ..PoolRules::default()
    };
    let (f, pool, ids) = setup(rules, HeldLimits::default(), 1).await;
    f.clock
        .set(start() + Duration::hours(24) - Duration::seconds(1));
    assert_eq!(
        rule_of(
            &f.crm
                .claim(user(REP), pool, vec![ids[0]])
                .await
                .expect_err("protected")
        ),
        "new_in_pool_protection"
    );
    f.clock.set(start() + Duration::hours(24));
    f.crm
        .claim(user(REP), pool, vec![ids[0]])
        .await
        .expect("after 24 h");
}

#[tokio::test]
async fn only_members_claim_only_admins_distribute_to_members() {
    let (f, pool, ids) = setup(PoolRules::default(), HeldLimits::default(), 3).await;
    assert!(matches!(
        f.crm.claim(user(SERVICE), pool, vec![ids[0]]).await,
        Err(CrmError::PermissionDenied { .. })
    ));
    assert!(matches!(
        f.crm.distribute(user(REP), pool, vec![ids[0]], REP2).await,
        Err(CrmError::PermissionDenied { .. })
    ));
    assert!(matches!(
        f.crm
            .distribute(user(MANAGER), pool, vec![ids[0]], SERVICE)
            .await,
        Err(CrmError::PermissionDenied { field: Some(_), .. })
    ));
    let given = f
        .crm
        .distribute(user(MANAGER), pool, vec![ids[0]], REP2)
        .await
        .expect("distribute");
    assert_eq!(given[0].record.owner_id, Some(REP2));
    assert_eq!(
        rule_of(
            &f.crm
                .claim(user(REP), pool, vec![ids[0]])
                .await
                .expect_err("owned now")
        ),
        "not_in_pool"
    );
    assert!(matches!(
        f.crm.claim(user(REP), pool, vec![ids[1], ids[1]]).await,
        Err(CrmError::Validation { .. })
    ));
    let events = f
        .crm
        .events_after(Actor::system(T1), 0, 1000)
        .await
        .expect("events");
    assert!(events
        .iter()
        .any(|e| e.kind == "CustomerDistributed" && e.record_id == ids[0].0));
}

#[tokio::test]
async fn members_see_pool_customers_masked_and_outsiders_do_not() {
    let (f, pool, ids) = setup(PoolRules::default(), HeldLimits::default(), 2).await;
    let page = f
        .crm
        .pool_customers(user(REP), pool, None, None)
        .await
        .expect("member");
    assert_eq!(page.items.len(), 2);
    assert!(page.items[0]
        .record
        .phone
        .as_deref()
        .is_some_and(|p| p.contains("****")));
    assert_eq!(page.items[0].masked_fields, vec!["phone".to_owned()]);
    let admin = f
        .crm
        .pool_customers(user(MANAGER), pool, None, None)
        .await
        .expect("admin");
    assert!(
        admin.items[0].masked_fields.is_empty(),
        "pool admins see clear fields"
    );
    assert!(matches!(
        f.crm.pool_customers(user(SERVICE), pool, None, None).await,
        Err(CrmError::PermissionDenied { .. })
    ));
    // Members' general list includes the pool; a non-member rep of another pool would not.
    let mine = f
        .crm
        .list_customers(user(REP), CustomerFilter::default())
        .await
        .expect("list");
    assert_eq!(mine.items.len(), 2);
    assert!(f.crm.get_customer(user(REP), ids[0]).await.is_ok());
    // Once claimed by REP2 it leaves REP's view.
    f.crm
        .claim(user(REP2), pool, vec![ids[0]])
        .await
        .expect("claim");
    assert!(matches!(
        f.crm.get_customer(user(REP), ids[0]).await,
        Err(CrmError::PermissionDenied { .. })
    ));
    let claimed = f.crm.get_customer(user(REP2), ids[0]).await.expect("owner");
    assert!(
        claimed.masked_fields.is_empty(),
        "owners see their own customers clear"
    );
}
