//! Eight claimers at once on one lead pool never pass the held limit: the limit is checked
//! on each claimant's versioned lead-count row, written in the claim's unit of work.

use super::{lead_pool, open_leads, pooled_leads};
use crate::error::CrmError;
use crate::ids::{LeadId, PoolId, UserId};
use crate::lead::Lead;
use crate::pool::{HeldLimits, PoolRules};
use crate::service::Crm;
use crate::store::{Entity, Filter, Query, Store, StoreExt};
use crate::testkit::fixture::*;
use crate::testkit::stress::CLAIMERS;
use crate::Actor;
use std::sync::Arc;

/// The held limit of every claimer.
const LIMIT: u32 = 3;
/// Leads in the pool (more than the claimers may take together).
const LEADS: usize = 40;

/// Claims one lead at a time from its own offset until the held limit refuses it.
async fn claim_until_full<S: Store>(
    crm: &Crm<S>,
    who: UserId,
    k: usize,
    pool: PoolId,
    ids: &[LeadId],
) -> Vec<LeadId> {
    let mut won = Vec::new();
    for step in 0..ids.len() {
        let id = ids[(k * 5 + step) % ids.len()];
        match crm.claim_leads(Actor::user(T1, who), pool, vec![id]).await {
            Ok(_) => won.push(id),
            Err(CrmError::RuleViolation { rule, .. }) if rule == "held_limit" => break,
            Err(CrmError::RuleViolation { .. }) | Err(CrmError::Conflict { .. }) => {}
            Err(e) => panic!("claimer {who}: unexpected {e:?}"),
        }
    }
    won
}

/// 8 concurrent claimers, held limit 3 each: each ends with exactly what it won, never more
/// than 3, its stored open count equal to the leads it owns, and no lead won twice.
pub async fn concurrent_lead_claims_respect_the_held_limit<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store.clone()).await;
    let limits = HeldLimits {
        default: Some(LIMIT),
        ..HeldLimits::default()
    };
    let pool = lead_pool(&f, PoolRules::default(), limits, &[SERVICE_DEPT]).await;
    let ids = pooled_leads(&f, pool, LEADS).await;
    let crm = Arc::new(Crm::new(store.clone(), f.clock.clone()));
    let mut tasks = Vec::new();
    for (k, who) in CLAIMERS.into_iter().enumerate() {
        let crm = crm.clone();
        let ids = ids.clone();
        tasks.push(tokio::spawn(async move {
            (who, claim_until_full(&crm, who, k, pool, &ids).await)
        }));
    }
    let mut total = 0;
    let mut all = std::collections::BTreeSet::new();
    for t in tasks {
        let (who, won) = t.await.expect("claimer");
        assert!(won.len() <= LIMIT as usize, "{who} won {}", won.len());
        for id in &won {
            assert!(all.insert(*id), "lead {id} won twice");
        }
        let owned: Vec<Lead> = store
            .load_all(&Query::new(Entity::Lead, T1).filter(Filter::eq("owner_id", who.0)))
            .await
            .expect("owned");
        assert_eq!(owned.len(), won.len(), "{who}: stored owners match wins");
        assert_eq!(
            open_leads(&f, who).await as usize,
            won.len(),
            "{who}: count"
        );
        total += won.len();
    }
    assert_eq!(total, CLAIMERS.len() * LIMIT as usize);
}
