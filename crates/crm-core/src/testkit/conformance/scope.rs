//! Data scopes pushed into queries: owners, pools, team memberships (live, expired,
//! cascading), children through their customer; never across tenants.

use crate::error::CrmError;
use crate::ids::UserId;
use crate::store::{Entity, Query, ScopeFilter, Store};
use crate::testkit::fixture::{start, T1, T2};
use crate::testkit::samples;
use chrono::Duration;
use std::sync::Arc;

fn restricted(owners: &[i64], actor: i64, pools: &[i64]) -> ScopeFilter {
    ScopeFilter::Restricted {
        owners: owners.iter().copied().map(UserId).collect(),
        actor: UserId(actor),
        pools: pools.to_vec(),
        now: start(),
    }
}

async fn ids<S: Store>(store: &S, entity: Entity, scope: ScopeFilter) -> Vec<i64> {
    let q = Query::new(entity, T1).scope(scope);
    let rows: Vec<i64> = store
        .query(&q)
        .await
        .expect("query")
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(
        store.count(&q).await.expect("count"),
        rows.len() as u64,
        "count agrees with query"
    );
    rows
}

async fn seed<S: Store>(store: &S) {
    let now = start();
    // Customers: 1 owned by 12, 2 owned by 13, 3 owned by 20, 4 in pool 7, 5 in pool 8,
    // 6 owned by 20 shared with 12 (no cascade), 7 owned by 20 shared with 12 (cascade),
    // 8 owned by 20 shared with 12 but expired, 9 owned by 20 shared with 12 until later.
    let customers = vec![
        samples::customer(T1, 1, Some(12), "c1", now),
        samples::customer(T1, 2, Some(13), "c2", now),
        samples::customer(T1, 3, Some(20), "c3", now),
        samples::pooled(T1, 4, 7, "c4", now),
        samples::pooled(T1, 5, 8, "c5", now),
        samples::customer(T1, 6, Some(20), "c6", now),
        samples::customer(T1, 7, Some(20), "c7", now),
        samples::customer(T1, 8, Some(20), "c8", now),
        samples::customer(T1, 9, Some(20), "c9", now),
    ];
    store
        .apply(samples::inserting(T1, &customers))
        .await
        .expect("customers");
    let team = vec![
        samples::member(T1, 1, 6, 12, false, None, now),
        samples::member(T1, 2, 7, 12, true, None, now),
        samples::member(T1, 3, 8, 12, true, Some(now), now),
        samples::member(T1, 4, 9, 12, true, Some(now + Duration::seconds(1)), now),
        samples::member(T1, 5, 3, 13, true, None, now),
    ];
    store
        .apply(samples::inserting(T1, &team))
        .await
        .expect("team");
    // One contact per customer, id = 100 + customer id.
    let contacts: Vec<_> = (1..=9)
        .map(|c| samples::contact(T1, 100 + c, c, "contact", now))
        .collect();
    store
        .apply(samples::inserting(T1, &contacts))
        .await
        .expect("contacts");
    // Tenant 2 reuses user 12 and would match every scope if tenants leaked.
    store
        .apply(samples::inserting(
            T2,
            &[
                samples::customer(T2, 50, Some(12), "t2", now),
                samples::pooled(T2, 51, 7, "t2p", now),
            ],
        ))
        .await
        .expect("t2");
    store
        .apply(samples::inserting(
            T2,
            &[samples::member(T2, 60, 50, 12, true, None, now)],
        ))
        .await
        .expect("t2 team");
    store
        .apply(samples::inserting(
            T2,
            &[samples::contact(T2, 150, 50, "t2c", now)],
        ))
        .await
        .expect("t2 contact");
}

/// Customers: by owner, by pool, by live team membership (any access, cascade or not).
pub async fn customer_scope_is_pushed_down<S: Store>(store: Arc<S>) {
    seed(&*store).await;
    assert_eq!(
        ids(&*store, Entity::Customer, ScopeFilter::All).await,
        (1..=9).collect::<Vec<_>>()
    );
    assert_eq!(
        ids(&*store, Entity::Customer, restricted(&[12], 12, &[])).await,
        vec![1, 6, 7, 9]
    );
    assert_eq!(
        ids(&*store, Entity::Customer, restricted(&[12, 13], 12, &[])).await,
        vec![1, 2, 6, 7, 9]
    );
    assert_eq!(
        ids(&*store, Entity::Customer, restricted(&[12], 12, &[7])).await,
        vec![1, 4, 6, 7, 9]
    );
    assert_eq!(
        ids(&*store, Entity::Customer, restricted(&[], 99, &[])).await,
        Vec::<i64>::new()
    );
    assert_eq!(
        ids(&*store, Entity::Customer, restricted(&[20], 13, &[8])).await,
        vec![3, 5, 6, 7, 8, 9]
    );
}

/// Children: through the customer's owner, the actor owning the customer, pools, and only
/// cascading live memberships.
pub async fn child_scope_follows_the_customer<S: Store>(store: Arc<S>) {
    seed(&*store).await;
    assert_eq!(
        ids(&*store, Entity::Contact, restricted(&[12], 12, &[])).await,
        vec![101, 107, 109]
    );
    // Owners set without the actor: the actor's own customer still counts.
    assert_eq!(
        ids(&*store, Entity::Contact, restricted(&[13], 12, &[])).await,
        vec![101, 102, 107, 109]
    );
    assert_eq!(
        ids(&*store, Entity::Contact, restricted(&[], 13, &[8])).await,
        vec![102, 103, 105]
    );
    assert_eq!(
        ids(&*store, Entity::Contact, restricted(&[], 99, &[])).await,
        Vec::<i64>::new()
    );
    assert_eq!(
        ids(&*store, Entity::TeamMember, restricted(&[20], 99, &[])).await,
        vec![1, 2, 3, 4, 5]
    );
}

/// A restricted scope on a table that is not scoped is an error, not a silent "all".
pub async fn scope_on_unscoped_table_is_an_error<S: Store>(store: Arc<S>) {
    let err = store
        .query(&Query::new(Entity::User, T1).scope(restricted(&[1], 1, &[])))
        .await
        .expect_err("must refuse");
    assert!(matches!(err, CrmError::Storage(_)), "{err:?}");
    assert!(store
        .query(&Query::new(Entity::User, T1).scope(ScopeFilter::All))
        .await
        .is_ok());
}

/// Random orgs, roles and shares: every user's scoped list equals the rules' reading,
/// on this store (ten seeded scenarios).
pub async fn random_scopes_never_leak<S: Store>(store: Arc<S>) {
    for seed in 1..=10 {
        crate::testkit::scope_oracle::check_random_scopes(store.clone(), seed).await;
    }
}
