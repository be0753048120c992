//! The assignment stress scenario shared by the store crates: many writers (threads or
//! processes) capturing leads through one round-robin entry whose members each have a
//! daily cap equal to their fair share. Exact fairness is only possible when no two
//! writers ever take the same turn and no cap is passed.

use crate::actor::Actor;
use crate::assignment::{
    AssignmentRecord, AssignmentRules, Availability, Condition, Entry, EntryMember, LeadLoad,
    OverflowTarget, Strategy,
};
use crate::error::CrmError;
use crate::ids::UserId;
use crate::lead::{Lead, LeadInput};
use crate::store::{Entity, Query, Store, StoreExt};
use crate::testkit::fixture::*;
use crate::Crm;
use std::collections::BTreeMap;

/// The eight members of the round-robin entry.
pub const ASSIGNEES: [UserId; 8] = [
    BOSS,
    MANAGER,
    REP,
    REP2,
    DEPT_VIEWER,
    TREE_VIEWER,
    NOBODY,
    SERVICE,
];

/// Saves one round-robin entry over [`ASSIGNEES`] (overflow: a lead pool) and gives
/// each member the daily cap `cap`.
pub async fn prepare_round_robin<S: Store>(f: &Fixture<S>, cap: u32) {
    let pool = crate::testkit::conformance::lead_pools::lead_pool(
        f,
        Default::default(),
        Default::default(),
        &[],
    )
    .await;
    let admin = Actor::system(T1);
    for user in ASSIGNEES {
        f.crm
            .set_assignment_member(
                admin,
                user,
                Availability {
                    daily_cap: Some(cap),
                    ..Availability::default()
                },
            )
            .await
            .expect("member settings");
    }
    let rules = AssignmentRules {
        entries: vec![Entry {
            name: "everyone".into(),
            condition: Condition::Always,
            members: ASSIGNEES
                .iter()
                .map(|&user| EntryMember { user, weight: 1 })
                .collect(),
            strategy: Strategy::RoundRobin,
            overflow: OverflowTarget::Pool(pool),
        }],
    };
    f.crm
        .set_assignment_rules(admin, rules)
        .await
        .expect("rules");
}

/// Captures `n` leads by the rules as writer `worker`, retrying a create that lost every
/// optimistic attempt (it wrote nothing). Returns how many such retries were needed.
pub async fn capture_leads<S: Store>(crm: &Crm<S>, worker: usize, n: usize) -> usize {
    let mut retries = 0;
    for i in 0..n {
        let input = LeadInput {
            name: format!("worker {worker} lead {i}"),
            region: Some("华东".into()),
            ..LeadInput::default()
        };
        loop {
            match crm
                .create_lead_by_rules(Actor::system(T1), input.clone())
                .await
            {
                Ok(_) => break,
                Err(CrmError::Conflict { .. }) => retries += 1,
                Err(e) => panic!("worker {worker}: {e:?}"),
            }
        }
    }
    retries
}

/// Checks the outcome of `total` captured leads over [`ASSIGNEES`] with daily cap `cap`:
/// every member owns `total / 8` leads, none is pooled, each lead has exactly one
/// assignment record, and each member's stored counts equal what the leads say.
pub async fn check_fair_shares<S: Store>(store: &S, total: usize, cap: u32) {
    let leads: Vec<Lead> = store
        .load_all(&Query::new(Entity::Lead, T1).limit(100_000))
        .await
        .expect("leads");
    assert_eq!(leads.len(), total, "every capture wrote one lead");
    let mut owned: BTreeMap<UserId, usize> = BTreeMap::new();
    for l in &leads {
        let owner = l
            .owner_id
            .unwrap_or_else(|| panic!("lead {} unowned", l.id));
        *owned.entry(owner).or_default() += 1;
    }
    for user in ASSIGNEES {
        assert_eq!(
            owned.get(&user).copied().unwrap_or(0),
            total / ASSIGNEES.len(),
            "member {user} got a fair share: {owned:?}"
        );
    }
    let records: Vec<AssignmentRecord> = store
        .load_all(&Query::new(Entity::LeadAssignment, T1).limit(100_000))
        .await
        .expect("records");
    let mut per_lead: BTreeMap<i64, usize> = BTreeMap::new();
    for r in &records {
        *per_lead.entry(r.lead_id.0).or_default() += 1;
    }
    assert_eq!(per_lead.len(), total, "every lead has a record");
    assert!(per_lead.values().all(|&n| n == 1), "no lead assigned twice");
    for user in ASSIGNEES {
        let load = store
            .load::<LeadLoad>(T1, user.0)
            .await
            .expect("load")
            .expect("stored");
        let n = owned.get(&user).copied().unwrap_or(0);
        assert_eq!(load.open_leads as usize, n, "{user}: open count");
        assert!(load.assigned_today <= cap, "{user}: cap {cap} passed");
    }
}
