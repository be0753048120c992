//! `pool.quota` reports exactly what the claim decision checks: held against the limit,
//! claims today against the cap (reset at local midnight), admin exemption, and who may ask.

use chrono::Duration;
use crm_core::ids::{CustomerId, PoolId};
use crm_core::pool::{HeldLimits, PoolRules, Quota};
use crm_core::testkit::fixture::*;
use crm_core::testkit::MemoryStore;
use crm_core::{Actor, CrmError};

async fn setup(cap: u32, limit: u32) -> (Fixture<MemoryStore>, PoolId, Vec<CustomerId>) {
    let f = Fixture::new(MemoryStore::new()).await;
    let pool = f
        .pool(
            PoolRules {
                daily_claim_cap: Some(cap),
                ..PoolRules::default()
            },
            HeldLimits {
                default: Some(limit),
                exempt_pool_admins: true,
                ..HeldLimits::default()
            },
        )
        .await;
    let ids = f.fill(pool, 8).await;
    (f, pool, ids)
}

async fn quota(f: &Fixture<MemoryStore>, who: crm_core::ids::UserId) -> Quota {
    f.crm.pool_quota(user(who), None).await.expect("quota")
}

#[tokio::test]
async fn quota_follows_claims_to_the_limit_and_the_cap() {
    let (f, pool, ids) = setup(2, 3).await;
    let q = quota(&f, REP).await;
    assert_eq!((q.user_id, q.held, q.held_counted), (REP, 0, 0));
    assert_eq!(q.day, "2026-03-02");
    let p = &q.pools[0];
    assert_eq!(p.pool_id, pool);
    assert_eq!((p.held_limit, p.held_remaining), (Some(3), Some(3)));
    assert_eq!(
        (p.claims_today, p.daily_cap, p.claims_remaining),
        (0, Some(2), Some(2))
    );

    f.crm.claim(user(REP), pool, vec![ids[0]]).await.expect("1");
    f.crm.claim(user(REP), pool, vec![ids[1]]).await.expect("2");
    let p = quota(&f, REP).await.pools[0].clone();
    assert_eq!(
        (p.held_remaining, p.claims_today, p.claims_remaining),
        (Some(1), 2, Some(0))
    );
    // The quota says no claim is left today, and a claim is indeed refused.
    let err = f
        .crm
        .claim(user(REP), pool, vec![ids[2]])
        .await
        .expect_err("cap");
    assert!(matches!(err, CrmError::RuleViolation { rule, .. } if rule == "daily_claim_cap"));
    // A refused claim used no quota.
    assert_eq!(quota(&f, REP).await.pools[0].claims_today, 2);

    // Local midnight in Shanghai is start + 14 h: one second before, still today's count.
    f.clock.advance(Duration::hours(14) - Duration::seconds(1));
    let q = quota(&f, REP).await;
    assert_eq!((q.day.as_str(), q.pools[0].claims_today), ("2026-03-02", 2));
    f.clock.advance(Duration::seconds(1));
    let q = quota(&f, REP).await;
    assert_eq!((q.day.as_str(), q.pools[0].claims_today), ("2026-03-03", 0));
    assert_eq!(q.pools[0].claims_remaining, Some(2));
    // The held limit carries over days: one left, and one more claim takes it.
    assert_eq!(q.pools[0].held_remaining, Some(1));
    f.crm
        .claim(user(REP), pool, vec![ids[2]])
        .await
        .expect("3 of 3");
    let p = quota(&f, REP).await.pools[0].clone();
    assert_eq!(p.held_remaining, Some(0));
    let err = f
        .crm
        .claim(user(REP), pool, vec![ids[3]])
        .await
        .expect_err("4 of 3");
    assert!(matches!(err, CrmError::RuleViolation { rule, .. } if rule == "held_limit"));
}

#[tokio::test]
async fn exempt_pool_admins_have_no_held_limit_there() {
    let (f, _pool, _) = setup(2, 3).await;
    let manager = quota(&f, MANAGER).await;
    assert_eq!(manager.pools[0].held_limit, None);
    assert_eq!(manager.pools[0].held_remaining, None);
    assert_eq!(quota(&f, REP).await.pools[0].held_limit, Some(3));
}

#[tokio::test]
async fn who_may_read_whose_quota() {
    let (f, _pool, _) = setup(2, 3).await;
    // Another rep's quota: refused, naming the field.
    let err = f
        .crm
        .pool_quota(user(REP2), Some(REP))
        .await
        .expect_err("peer");
    assert!(matches!(err, CrmError::PermissionDenied { field: Some(f), .. } if f == "user_id"));
    // The pool's admin sees a member's quota in their pool; the tenant admin anyone's.
    let by_admin = f
        .crm
        .pool_quota(user(MANAGER), Some(REP))
        .await
        .expect("pool admin");
    assert_eq!(by_admin.pools.len(), 1);
    assert_eq!(
        f.crm
            .pool_quota(user(ADMIN), Some(REP))
            .await
            .expect("tenant admin"),
        by_admin
    );
    assert_eq!(
        f.crm
            .pool_quota(Actor::system(T1), Some(REP))
            .await
            .expect("system"),
        by_admin
    );
    // Someone outside every pool has no pools; the system actor must name a user.
    assert!(quota(&f, SERVICE).await.pools.is_empty());
    assert!(matches!(
        f.crm.pool_quota(Actor::system(T1), None).await,
        Err(CrmError::Validation { field, .. }) if field == "user_id"
    ));
    assert!(matches!(
        f.crm
            .pool_quota(user(ADMIN), Some(crm_core::ids::UserId(999)))
            .await,
        Err(CrmError::NotFound { .. })
    ));
}
