//! Randomized data-scope check: a random org, random roles and shares, random customers;
//! every user's scoped list must equal what an independent reading of the rules allows.
//! Driven by a seed so a failure is reproducible; used by the conformance suite (every
//! store) and by a proptest in core.

use crate::access::{Action, DataScope, Grant, Module, TeamAccess};
use crate::actor::Actor;
use crate::clock::FixedClock;
use crate::customer::NewCustomer;
use crate::error::CrmError;
use crate::ids::{DepartmentId, RoleId, TenantId, UserId};
use crate::service::{Crm, CustomerFilter, DepartmentInput, RoleInput, TeamMemberInput, UserInput};
use crate::store::Store;
use crate::tenant::TenantSettings;
use chrono::Duration;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// A tiny deterministic generator (xorshift64*).
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }
}

pub(crate) const SCOPES: [Option<DataScope>; 6] = [
    None,
    Some(DataScope::SelfOnly),
    Some(DataScope::SelfAndSubordinates),
    Some(DataScope::Department),
    Some(DataScope::DepartmentTree),
    Some(DataScope::All),
];

struct UserSpec {
    dept: i64,
    supervisor: Option<i64>,
    scope: Option<DataScope>,
}

/// Runs one random scenario in tenant `1000 + seed` of `store`; panics on any leak or
/// omission.
pub async fn check_random_scopes<S: Store>(store: S, seed: u64) {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let tenant = TenantId(1000 + seed as i64);
    let sys = Actor::system(tenant);
    let t0 = crate::testkit::fixture::start();
    let clock = Arc::new(FixedClock::new(t0));
    let crm = Crm::new(store, clock.clone());
    crm.setup_tenant(sys, "random", TenantSettings::default())
        .await
        .expect("tenant");
    // Departments: 1 ⊃ 2 ⊃ 3, and 4 alone.
    let parents = [(1, None), (2, Some(1)), (3, Some(2)), (4, None)];
    for (id, parent) in parents {
        crm.upsert_department(
            sys,
            DepartmentInput {
                id: DepartmentId(id),
                name: format!("d{id}"),
                parent_id: parent.map(DepartmentId),
            },
        )
        .await
        .expect("dept");
    }
    let mut role_of: BTreeMap<DataScope, RoleId> = BTreeMap::new();
    for scope in SCOPES.into_iter().flatten() {
        let input = RoleInput {
            name: format!("{scope:?}"),
            grants: vec![Grant {
                module: Module::Customers,
                action: Action::Read,
                scope,
            }],
            fields: vec![],
        };
        role_of.insert(scope, crm.create_role(sys, input).await.expect("role").id);
    }
    let n_users = 3 + rng.below(6) as i64;
    let mut users = BTreeMap::new();
    for id in 1..=n_users {
        let spec = UserSpec {
            dept: 1 + rng.below(4) as i64,
            supervisor: (id > 1 && rng.below(3) > 0).then(|| 1 + rng.below(id as u64 - 1) as i64),
            scope: SCOPES[rng.below(SCOPES.len() as u64) as usize],
        };
        crm.upsert_user(
            sys,
            UserInput {
                id: UserId(id),
                name: format!("u{id}"),
                department_id: Some(DepartmentId(spec.dept)),
                supervisor_id: spec.supervisor.map(UserId),
                role_ids: spec
                    .scope
                    .and_then(|s| role_of.get(&s).copied())
                    .into_iter()
                    .collect(),
                tenant_admin: false,
                active: true,
                time_zone: None,
                joined_on: None,
            },
        )
        .await
        .expect("user");
        users.insert(id, spec);
    }
    // Customers with random owners (or none) and random shares, some expiring.
    let n_customers = 4 + rng.below(10);
    let mut owners: BTreeMap<i64, Option<i64>> = BTreeMap::new();
    let mut shares: BTreeMap<i64, BTreeSet<(i64, bool)>> = BTreeMap::new();
    for i in 0..n_customers {
        let owner = (rng.below(5) > 0).then(|| 1 + rng.below(n_users as u64) as i64);
        let input = NewCustomer {
            name: format!("c{i}"),
            owner_id: owner.map(UserId),
            ..NewCustomer::default()
        };
        let id = crm
            .create_customer(sys, input)
            .await
            .expect("customer")
            .record
            .id
            .0;
        owners.insert(id, owner);
        if owner.is_some() {
            for _ in 0..rng.below(3) {
                let member = 1 + rng.below(n_users as u64) as i64;
                if Some(member) == owner {
                    continue;
                }
                let expires = rng.below(2) == 0;
                let input = TeamMemberInput {
                    user_id: UserId(member),
                    access: TeamAccess::Read,
                    cascade: rng.below(2) == 0,
                    expires_at: expires.then(|| t0 + Duration::hours(1)),
                };
                crm.add_team_member(sys, crate::ids::CustomerId(id), input)
                    .await
                    .expect("share");
                let set = shares.entry(id).or_default();
                set.retain(|(m, _)| *m != member);
                set.insert((member, expires));
            }
        }
    }
    clock.set(t0 + Duration::hours(2));

    let org: BTreeMap<i64, OrgPlace> = users
        .iter()
        .map(|(id, s)| {
            (
                *id,
                OrgPlace {
                    dept: s.dept,
                    supervisor: s.supervisor,
                },
            )
        })
        .collect();
    for (&uid, spec) in &users {
        let actor = Actor::user(tenant, UserId(uid));
        let result = crm
            .list_customers(
                actor,
                CustomerFilter {
                    limit: Some(500),
                    ..CustomerFilter::default()
                },
            )
            .await;
        let Some(scope) = spec.scope else {
            assert!(
                matches!(result, Err(CrmError::PermissionDenied { .. })),
                "seed {seed}: user {uid} has no role"
            );
            continue;
        };
        let reach = oracle_reach(&org, uid, scope);
        let expected: BTreeSet<i64> = owners
            .iter()
            .filter(|(cid, owner)| {
                let by_owner = match (&reach, owner) {
                    (None, _) => true,
                    (Some(set), Some(o)) => set.contains(o),
                    (Some(_), None) => false,
                };
                let by_team = shares
                    .get(cid)
                    .is_some_and(|s| s.iter().any(|(m, expired)| *m == uid && !expired));
                by_owner || by_team
            })
            .map(|(cid, _)| *cid)
            .collect();
        let got: BTreeSet<i64> = result
            .expect("list")
            .items
            .iter()
            .map(|c| c.record.id.0)
            .collect();
        assert_eq!(got, expected, "seed {seed}: user {uid} with {scope:?}");
        for &cid in owners.keys() {
            let one = crm.get_customer(actor, crate::ids::CustomerId(cid)).await;
            assert_eq!(
                one.is_ok(),
                expected.contains(&cid),
                "seed {seed}: get of {cid} by user {uid}"
            );
        }
    }
}

/// Where a user sits in a random org: department (1 ⊃ 2 ⊃ 3, and 4 alone) and supervisor.
#[derive(Debug, Clone, Copy)]
pub struct OrgPlace {
    /// Department 1–4.
    pub dept: i64,
    /// Direct supervisor.
    pub supervisor: Option<i64>,
}

/// The owners a `scope` of user `uid` reaches in `org`, read directly from the rules of
/// DESIGN §4.7 (`None`: everyone). The independent oracle the random scope checks compare
/// the engine with.
pub fn oracle_reach(
    org: &BTreeMap<i64, OrgPlace>,
    uid: i64,
    scope: DataScope,
) -> Option<BTreeSet<i64>> {
    let dept = org.get(&uid).map_or(0, |p| p.dept);
    let subtree = |d: i64| -> BTreeSet<i64> {
        match d {
            4 => BTreeSet::from([4]),
            _ => (d..=3).collect(),
        }
    };
    match scope {
        DataScope::All => None,
        DataScope::SelfOnly => Some(BTreeSet::from([uid])),
        DataScope::SelfAndSubordinates => {
            let mut set = BTreeSet::from([uid]);
            loop {
                let more: Vec<i64> = org
                    .iter()
                    .filter(|(id, p)| {
                        !set.contains(id) && p.supervisor.is_some_and(|sup| set.contains(&sup))
                    })
                    .map(|(id, _)| *id)
                    .collect();
                if more.is_empty() {
                    break Some(set);
                }
                set.extend(more);
            }
        }
        DataScope::Department => Some(
            org.iter()
                .filter(|(id, p)| p.dept == dept || **id == uid)
                .map(|(id, _)| *id)
                .collect(),
        ),
        DataScope::DepartmentTree => {
            let tree = subtree(dept);
            Some(
                org.iter()
                    .filter(|(id, p)| tree.contains(&p.dept) || **id == uid)
                    .map(|(id, _)| *id)
                    .collect(),
            )
        }
    }
}
