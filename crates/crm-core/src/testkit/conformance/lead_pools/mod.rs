//! Lead pools on every store (§4.8 "lead pools reuse §4.3", ADR 0021): claim under the held
//! limit on open leads, the daily cap, new-in-pool protection and the previous-owner
//! cooldown, each on both sides of its boundary; release; recycle after N days without a
//! follow-up on the boundary day; an overflow lead from the assignment rules claimed by a
//! pool member; concurrent claimers never passing the held limit.

mod claims;
mod concurrent;
mod recycle;

pub use claims::*;
pub use concurrent::*;
pub use recycle::*;

use crate::actor::Actor;
use crate::assignment::LeadLoad;
use crate::clock::Clock;
use crate::error::CrmError;
use crate::ids::{LeadId, PoolId, UserId};
use crate::lead::{Lead, LeadInput};
use crate::pool::{HeldLimits, Members, PoolHolds, PoolInput, PoolRules};
use crate::store::{Changes, Store, StoreExt};
use crate::testkit::fixture::*;

/// A lead pool whose members are the sales department (and `extra` departments), with
/// `rules` (made to hold leads), after the tenant's default customer pool with `limits`.
pub(crate) async fn lead_pool<S: Store>(
    f: &Fixture<S>,
    rules: PoolRules,
    limits: HeldLimits,
    extra: &[crate::ids::DepartmentId],
) -> PoolId {
    let mut departments = vec![SALES];
    departments.extend_from_slice(extra);
    let members = Members {
        users: vec![],
        departments,
    };
    lead_pool_for(f, rules, limits, members).await
}

/// A lead pool with these members, administered by the east manager, phone masked for
/// members, after the tenant's default customer pool with `limits`.
pub(crate) async fn lead_pool_for<S: Store>(
    f: &Fixture<S>,
    mut rules: PoolRules,
    limits: HeldLimits,
    members: Members,
) -> PoolId {
    f.pool(PoolRules::default(), limits).await;
    rules.holds = PoolHolds::Leads;
    let input = PoolInput {
        name: "线索池".into(),
        position: 1,
        is_default: false,
        enabled: true,
        admins: Members {
            users: vec![MANAGER],
            departments: vec![],
        },
        members,
        rules,
        field_rules: vec![crate::pool::PoolFieldRule {
            field: "phone".into(),
            mode: crate::pool::PoolFieldMode::Masked,
        }],
    };
    f.crm
        .create_pool(Actor::system(T1), input)
        .await
        .expect("lead pool")
        .id
}

/// `n` leads put straight into `pool` at the clock's now (created unowned by the system).
pub(crate) async fn pooled_leads<S: Store>(f: &Fixture<S>, pool: PoolId, n: usize) -> Vec<LeadId> {
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let shown = f
            .crm
            .create_lead(
                Actor::system(T1),
                LeadInput {
                    name: format!("池中线索 {i}"),
                    ..LeadInput::default()
                },
                None,
            )
            .await
            .expect("lead");
        ids.push(LeadId(shown.record["id"].as_i64().unwrap_or_default()));
    }
    let store = f.crm.store();
    let mut changes = Changes::new(T1);
    for id in &ids {
        let lead = load(f, *id).await;
        changes
            .update(&Lead {
                pool_id: Some(pool),
                entered_pool_at: Some(f.clock.now()),
                ..lead
            })
            .expect("pooled");
    }
    store.apply(changes).await.expect("apply");
    ids
}

/// A lead as stored.
pub(crate) async fn load<S: Store>(f: &Fixture<S>, id: LeadId) -> Lead {
    f.crm
        .store()
        .load::<Lead>(T1, id)
        .await
        .expect("load")
        .expect("lead exists")
}

/// The open leads `user` holds by their stored count.
pub(crate) async fn open_leads<S: Store>(f: &Fixture<S>, user: UserId) -> u32 {
    f.crm
        .store()
        .load::<LeadLoad>(T1, user.0)
        .await
        .expect("load")
        .map_or(0, |l| l.open_leads)
}

/// The rule a call was refused by.
pub(crate) fn refused_by<T: std::fmt::Debug>(r: crate::CrmResult<T>) -> String {
    match r {
        Err(CrmError::RuleViolation { rule, .. }) => rule,
        Err(CrmError::PermissionDenied { .. }) => "permission_denied".into(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Events of `kind` by record id.
pub(crate) async fn fired<S: Store>(f: &Fixture<S>, kind: &str) -> Vec<i64> {
    f.crm
        .events_after(Actor::system(T1), 0, 1000)
        .await
        .expect("events")
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.record_id)
        .collect()
}
