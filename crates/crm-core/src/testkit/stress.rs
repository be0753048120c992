//! The pool stress scenario shared by the store crates: many claimers over the same pooled
//! customers under a held limit.

use crate::actor::Actor;
use crate::error::CrmError;
use crate::ids::{CustomerId, PoolId, UserId};
use crate::pool::{HeldLimits, Members, PoolInput, PoolRules};
use crate::store::Store;
use crate::testkit::fixture::*;

/// The eight claimers (all pool members after [`prepare`]).
pub const CLAIMERS: [UserId; 8] = [
    BOSS,
    MANAGER,
    REP,
    REP2,
    DEPT_VIEWER,
    TREE_VIEWER,
    NOBODY,
    SERVICE,
];

/// Sets up a default pool holding `customers` customers, held limit `limit`, whose members
/// are the eight [`CLAIMERS`].
pub async fn prepare<S: Store>(
    f: &Fixture<S>,
    customers: usize,
    limit: u32,
) -> (PoolId, Vec<CustomerId>) {
    let pool = f
        .pool(
            PoolRules::default(),
            HeldLimits {
                default: Some(limit),
                ..HeldLimits::default()
            },
        )
        .await;
    let input = PoolInput {
        name: "公海".into(),
        position: 0,
        is_default: true,
        enabled: true,
        admins: Members {
            users: vec![MANAGER],
            departments: vec![],
        },
        members: Members {
            users: vec![],
            departments: vec![SALES, SERVICE_DEPT],
        },
        rules: PoolRules::default(),
        field_rules: vec![],
    };
    f.crm
        .update_pool(Actor::system(T1), pool, input)
        .await
        .expect("members");
    let ids = f.fill(pool, customers).await;
    (pool, ids)
}

/// One claimer: walks the customers from its own offset, claiming one at a time, until the
/// held limit refuses it or the list is exhausted. Returns what it won.
pub async fn claim_until_full<S: Store>(
    crm: &crate::Crm<S>,
    who: UserId,
    k: usize,
    pool: PoolId,
    ids: &[CustomerId],
) -> Vec<CustomerId> {
    let mut won = Vec::new();
    for step in 0..ids.len() {
        let id = ids[(k * 7 + step) % ids.len()];
        match crm.claim(Actor::user(T1, who), pool, vec![id]).await {
            Ok(_) => won.push(id),
            Err(CrmError::RuleViolation { rule, .. }) if rule == "held_limit" => break,
            Err(CrmError::RuleViolation { .. }) | Err(CrmError::Conflict { .. }) => {}
            Err(e) => panic!("claimer {who}: unexpected {e:?}"),
        }
    }
    won
}
