//! Lead assignment on every store: the stored round-robin cursor and the removed-member
//! rule, leave ranges and caps at the tenant's local midnight, capacity at its limit and one
//! past it, the overflow target, the explanation record, the audited manual override, and
//! refusals that write nothing.

use crate::assignment::{
    AssignedBy, AssignmentRules, Availability, Condition, Entry, EntryMember, LeadField, Leave,
    Outcome, OverflowReason, OverflowTarget, SkipReason, Strategy,
};
use crate::error::CrmError;
use crate::ids::{LeadId, PoolId, UserId};
use crate::lead::LeadInput;
use crate::store::{Entity, Query, Store};
use crate::testkit::fixture::*;
use crate::Actor;
use chrono::{NaiveDate, TimeZone, Utc};
use std::sync::Arc;

fn lead(name: &str, region: &str) -> LeadInput {
    LeadInput {
        name: name.into(),
        region: Some(region.into()),
        ..LeadInput::default()
    }
}

fn members(users: &[UserId]) -> Vec<EntryMember> {
    users
        .iter()
        .map(|&user| EntryMember { user, weight: 1 })
        .collect()
}

fn entry(name: &str, condition: Condition, users: &[UserId], overflow: OverflowTarget) -> Entry {
    Entry {
        name: name.into(),
        condition,
        members: members(users),
        strategy: Strategy::RoundRobin,
        overflow,
    }
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap_or_default()
}

/// The instant of the local (Shanghai) midnight starting `2026-m-d`.
fn local_midnight(m: u32, d: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, m, d, 0, 0, 0)
        .single()
        .unwrap_or_default()
        - chrono::Duration::hours(8)
}

async fn by_rules<S: Store>(f: &Fixture<S>, name: &str) -> (LeadId, Option<UserId>, Option<i64>) {
    let shown = f
        .crm
        .create_lead_by_rules(Actor::system(T1), lead(name, "华东"))
        .await
        .expect("lead by rules");
    let id = LeadId(shown.record["id"].as_i64().unwrap_or_default());
    let owner = shown.record["owner_id"].as_i64().map(UserId);
    (id, owner, shown.record["pool_id"].as_i64())
}

async fn pool_id<S: Store>(f: &Fixture<S>) -> PoolId {
    super::lead_pools::lead_pool(f, Default::default(), Default::default(), &[]).await
}

async fn set_member<S: Store>(f: &Fixture<S>, user: UserId, a: Availability) {
    f.crm
        .set_assignment_member(user_actor(ADMIN), user, a)
        .await
        .expect("member settings");
}

fn user_actor(u: UserId) -> Actor {
    user(u)
}

fn field_of<T: std::fmt::Debug>(r: crate::CrmResult<T>) -> String {
    match r {
        Err(CrmError::Validation { field, .. }) => field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// Round robin follows the stored cursor across calls, passes over a member on leave (on
/// the leave's first and last local day, not the day after) and names them in the
/// explanation; after an edit removes the last-assigned member, the member now at that
/// position comes next.
pub async fn assignment_round_robin_follows_the_stored_cursor<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store).await;
    let pool = pool_id(&f).await;
    // Fixtures start Monday 2026-03-02 10:00 in Shanghai; REP2 is away 03-02..=03-03.
    set_member(
        &f,
        REP2,
        Availability {
            leave: vec![Leave {
                from: day(3, 2),
                to: day(3, 3),
            }],
            ..Availability::default()
        },
    )
    .await;
    let rules = AssignmentRules {
        entries: vec![entry(
            "everyone",
            Condition::Always,
            &[REP, REP2, MANAGER],
            OverflowTarget::Pool(pool),
        )],
    };
    let saved = f
        .crm
        .set_assignment_rules(user(ADMIN), rules.clone())
        .await
        .expect("rules");
    assert_eq!(saved.version, 1);
    let mut owners = Vec::new();
    let mut ids = Vec::new();
    for i in 0..4 {
        let (id, owner, _) = by_rules(&f, &format!("lead {i}")).await;
        owners.push(owner);
        ids.push(id);
    }
    assert_eq!(
        owners,
        vec![Some(REP), Some(MANAGER), Some(REP), Some(MANAGER)],
        "REP2 is on leave, the others alternate"
    );
    let records = f
        .crm
        .explain_assignment(user(BOSS), ids[1])
        .await
        .expect("explain");
    assert_eq!(records.len(), 1);
    let AssignedBy::Rule { decision } = &records[0].assigned_by else {
        panic!("a rule decision: {records:?}");
    };
    assert_eq!(decision.entry_name, "everyone");
    assert_eq!(decision.outcome, Outcome::Member { user: MANAGER });
    assert_eq!(decision.skipped.len(), 1);
    assert_eq!(decision.skipped[0].user, REP2);
    assert_eq!(decision.skipped[0].reason, SkipReason::OnLeave);

    // The last second of the leave's last local day: still away.
    f.clock
        .set(local_midnight(3, 4) - chrono::Duration::seconds(1));
    let (_, owner, _) = by_rules(&f, "last day").await;
    assert_eq!(owner, Some(REP));
    // The local midnight after: back, and next after REP in the list.
    f.clock.set(local_midnight(3, 4));
    let (_, owner, _) = by_rules(&f, "back").await;
    assert_eq!(owner, Some(REP2));

    // An edit removes REP2 (position 1, the cursor's): the member now at position 1 is next.
    let edited = AssignmentRules {
        entries: vec![entry(
            "everyone",
            Condition::Always,
            &[REP, MANAGER, BOSS],
            OverflowTarget::Pool(pool),
        )],
    };
    let saved = f
        .crm
        .set_assignment_rules(user(ADMIN), edited)
        .await
        .expect("edit");
    assert_eq!(saved.version, 2);
    let (_, owner, _) = by_rules(&f, "after edit").await;
    assert_eq!(owner, Some(MANAGER));
    let (_, owner, _) = by_rules(&f, "after edit 2").await;
    assert_eq!(owner, Some(BOSS));

    // The first matching entry wins; a lead it does not match falls to the default.
    let two = AssignmentRules {
        entries: vec![
            entry(
                "north",
                Condition::Equals {
                    field: LeadField::Region,
                    value: "华北".into(),
                },
                &[REP2],
                OverflowTarget::Pool(pool),
            ),
            entry(
                "everyone",
                Condition::Always,
                &[REP, MANAGER, BOSS],
                OverflowTarget::Pool(pool),
            ),
        ],
    };
    f.crm
        .set_assignment_rules(user(ADMIN), two)
        .await
        .expect("two entries");
    let north = f
        .crm
        .create_lead_by_rules(Actor::system(T1), lead("north", "华北"))
        .await
        .expect("north lead");
    assert_eq!(north.record["owner_id"], serde_json::json!(REP2.0));
    let (_, owner, _) = by_rules(&f, "east").await;
    assert_eq!(
        owner,
        Some(REP),
        "the default entry's cursor went on from BOSS"
    );
}

/// Daily and monthly caps count in the tenant's local day and month, capacity refuses at
/// the limit and not one below; a lead nobody may take goes to the overflow target with
/// `no_eligible_member` and every candidate named; a manual assignment at a cap is
/// refused (nothing written) unless overridden, and the override is recorded. (SERVICE's
/// lead scope reaches every lead, pooled ones included.)
pub async fn assignment_caps_capacity_overflow_and_override<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store).await;
    let pool = pool_id(&f).await;
    set_member(
        &f,
        REP,
        Availability {
            daily_cap: Some(2),
            monthly_cap: Some(4),
            capacity: Some(3),
            ..Availability::default()
        },
    )
    .await;
    let rules = AssignmentRules {
        entries: vec![Entry {
            name: "rep only".into(),
            condition: Condition::Always,
            members: vec![],
            strategy: Strategy::Fixed { user: REP },
            overflow: OverflowTarget::Pool(pool),
        }],
    };
    f.crm
        .set_assignment_rules(user(ADMIN), rules)
        .await
        .expect("rules");
    let (a, owner, _) = by_rules(&f, "a").await;
    assert_eq!(owner, Some(REP));
    let (_, owner, _) = by_rules(&f, "b").await;
    assert_eq!(owner, Some(REP), "the second of a daily cap of 2");
    let (c, owner, pooled) = by_rules(&f, "c").await;
    assert_eq!(
        (owner, pooled),
        (None, Some(pool.0)),
        "the third passes the cap"
    );
    let records = f
        .crm
        .explain_assignment(user(SERVICE), c)
        .await
        .expect("why");
    let AssignedBy::Rule { decision } = &records[0].assigned_by else {
        panic!("{records:?}");
    };
    assert_eq!(
        decision.outcome,
        Outcome::Overflow {
            target: OverflowTarget::Pool(pool),
            reason: OverflowReason::NoEligibleMember
        }
    );
    assert_eq!(decision.skipped.len(), 1);
    assert_eq!(decision.skipped[0].reason, SkipReason::DailyCap);

    // Manual assignment at the cap: refused, nothing written; with the override it passes
    // and the record says which cap it passed.
    let before = f
        .crm
        .store()
        .count(&Query::new(Entity::LeadAssignment, T1))
        .await
        .ok();
    let refused = f
        .crm
        .assign_lead(user(SERVICE), c, Some(REP), false, None)
        .await;
    assert!(
        matches!(&refused, Err(CrmError::RuleViolation { rule, .. }) if rule == "assignment_cap"),
        "{refused:?}"
    );
    assert_eq!(
        f.crm
            .store()
            .count(&Query::new(Entity::LeadAssignment, T1))
            .await
            .ok(),
        before
    );
    let forced = f
        .crm
        .assign_lead(
            user(SERVICE),
            c,
            Some(REP),
            true,
            Some("key account".into()),
        )
        .await
        .expect("override");
    assert_eq!(forced.lead.record["owner_id"], serde_json::json!(REP.0));
    assert_eq!(
        forced.record.assigned_by,
        AssignedBy::Manual {
            passed: vec![SkipReason::DailyCap],
            reason: Some("key account".into())
        }
    );
    let audit = f
        .crm
        .record_audit(Actor::system(T1), "lead", c.0)
        .await
        .expect("audit");
    assert!(audit.iter().any(|e| e.operation == "lead.assign"));

    // The last second of the local day: still capped. The local midnight: a new day, but
    // REP holds 3 open leads, the capacity.
    f.clock
        .set(local_midnight(3, 3) - chrono::Duration::seconds(1));
    let (_, owner, _) = by_rules(&f, "d").await;
    assert_eq!(owner, None);
    f.clock.set(local_midnight(3, 3));
    let (d, owner, _) = by_rules(&f, "e").await;
    assert_eq!(owner, None, "capacity 3 reached");
    let why = f
        .crm
        .explain_assignment(user(SERVICE), d)
        .await
        .expect("why");
    let AssignedBy::Rule { decision } = &why[0].assigned_by else {
        panic!("{why:?}");
    };
    assert_eq!(decision.skipped[0].reason, SkipReason::Capacity);
    // One lead handed to someone else: 2 open, one below the capacity, so REP takes one.
    f.crm
        .assign_lead(user(SERVICE), a, Some(MANAGER), false, None)
        .await
        .expect("reassign");
    let (_, owner, _) = by_rules(&f, "f").await;
    assert_eq!(owner, Some(REP), "capacity 3, 2 open");
    // Monthly cap 4: the assignments in March so far are a, b, the override and f.
    let members = f
        .crm
        .assignment_members(user(ADMIN))
        .await
        .expect("members");
    let rep = members.iter().find(|m| m.user_id == REP).expect("rep");
    assert_eq!(rep.load.open_leads, 3);
    assert_eq!(rep.load.assigned_this_month, 4);
    f.clock
        .set(local_midnight(4, 1) - chrono::Duration::seconds(1));
    f.crm
        .assign_lead(user(SERVICE), c, Some(MANAGER), false, None)
        .await
        .expect("free capacity");
    let (g, owner, _) = by_rules(&f, "g").await;
    assert_eq!(owner, None, "March's cap of 4 reached");
    let why = f
        .crm
        .explain_assignment(user(SERVICE), g)
        .await
        .expect("why");
    let AssignedBy::Rule { decision } = &why[0].assigned_by else {
        panic!("{why:?}");
    };
    assert_eq!(decision.skipped[0].reason, SkipReason::MonthlyCap);
    f.clock.set(local_midnight(4, 1));
    let (h, owner, _) = by_rules(&f, "h").await;
    assert_eq!(owner, Some(REP), "a new local month");

    // The overflowed lead sits in the lead pool: its members read it and why it is there.
    // A peer's lead is not explained (not found).
    assert!(f.crm.explain_assignment(user(REP2), g).await.is_ok());
    let hidden = f.crm.explain_assignment(user(REP2), h).await;
    assert!(
        matches!(hidden, Err(CrmError::NotFound { .. })),
        "{hidden:?}"
    );
}

/// Rules and settings a decision could not follow are refused with the field named, and
/// nothing is written; only tenant admins change them.
pub async fn assignment_bad_input_writes_nothing<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store).await;
    let pool = pool_id(&f).await;
    let good = entry(
        "everyone",
        Condition::Always,
        &[REP, REP2],
        OverflowTarget::Pool(pool),
    );
    let refused = |rules: Vec<Entry>| {
        let crm = &f.crm;
        async move {
            crm.set_assignment_rules(user(ADMIN), AssignmentRules { entries: rules })
                .await
        }
    };
    let unknown = Entry {
        members: members(&[REP, UserId(999)]),
        ..good.clone()
    };
    assert_eq!(
        field_of(refused(vec![unknown]).await),
        "entries[0].members[1]"
    );
    let heavy = Entry {
        members: vec![EntryMember {
            user: REP,
            weight: 0,
        }],
        ..good.clone()
    };
    assert_eq!(
        field_of(refused(vec![heavy]).await),
        "entries[0].members[0].weight"
    );
    let no_default = Entry {
        condition: Condition::Equals {
            field: LeadField::Region,
            value: "华北".into(),
        },
        ..good.clone()
    };
    assert_eq!(
        field_of(refused(vec![no_default]).await),
        "entries[0].condition"
    );
    let twice = vec![
        Entry {
            condition: Condition::Equals {
                field: LeadField::Region,
                value: "华北".into(),
            },
            ..good.clone()
        },
        good.clone(),
    ];
    assert_eq!(field_of(refused(twice).await), "entries[1].name");
    let no_pool = Entry {
        overflow: OverflowTarget::Pool(PoolId(999)),
        ..good.clone()
    };
    assert_eq!(
        field_of(refused(vec![no_pool]).await),
        "entries[0].overflow"
    );
    // The tenant's default pool holds customers: a lead sent there could never be claimed.
    let customer_pool = f
        .crm
        .list_pools(Actor::system(T1))
        .await
        .expect("pools")
        .into_iter()
        .find(|p| p.id != pool)
        .map(|p| p.id)
        .expect("the default customer pool");
    let to_customers = Entry {
        overflow: OverflowTarget::Pool(customer_pool),
        ..good.clone()
    };
    assert_eq!(
        field_of(refused(vec![to_customers]).await),
        "entries[0].overflow"
    );
    // An entry without an overflow target does not even parse, and says which field.
    let missing = serde_json::json!({ "entries": [{
        "name": "x", "condition": { "kind": "always" },
        "members": [{ "user": REP.0 }], "strategy": { "kind": "round_robin" }
    }]});
    let parsed = serde_json::from_value::<AssignmentRules>(missing);
    assert!(
        parsed
            .as_ref()
            .is_err_and(|e| e.to_string().contains("overflow")),
        "{parsed:?}"
    );
    let denied = f
        .crm
        .set_assignment_rules(
            user(REP),
            AssignmentRules {
                entries: vec![good],
            },
        )
        .await;
    assert!(
        matches!(denied, Err(CrmError::PermissionDenied { .. })),
        "{denied:?}"
    );
    let none = f.crm.assignment_rules(user(ADMIN)).await;
    assert!(matches!(none, Err(CrmError::NotFound { .. })), "{none:?}");

    // Overlapping leaves, an unknown user: refused, settings unchanged.
    let overlapping = Availability {
        leave: vec![
            Leave {
                from: day(3, 10),
                to: day(3, 12),
            },
            Leave {
                from: day(3, 12),
                to: day(3, 14),
            },
        ],
        ..Availability::default()
    };
    let r = f
        .crm
        .set_assignment_member(user(ADMIN), REP, overlapping)
        .await;
    assert_eq!(field_of(r), "settings.leave");
    let r = f
        .crm
        .set_assignment_member(user(ADMIN), UserId(999), Availability::default())
        .await;
    assert_eq!(field_of(r), "user_id");
    assert_eq!(
        f.crm
            .store()
            .count(&Query::new(Entity::AssignmentMember, T1))
            .await
            .ok(),
        Some(0)
    );
    // Assigning by rules before any rules exist is refused and writes no lead.
    let leads = f
        .crm
        .store()
        .count(&Query::new(Entity::Lead, T1))
        .await
        .ok();
    let r = f
        .crm
        .create_lead_by_rules(Actor::system(T1), lead("x", "华东"))
        .await;
    assert!(
        matches!(&r, Err(CrmError::RuleViolation { rule, .. }) if rule == "no_assignment_rules"),
        "{r:?}"
    );
    assert_eq!(
        f.crm
            .store()
            .count(&Query::new(Entity::Lead, T1))
            .await
            .ok(),
        leads
    );
}
