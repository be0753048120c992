//! Lead assignment rules (DESIGN §4.8, REFERENCE-CASES LA*): strategies, eligibility,
//! overflow and the explanation, as pure decisions over loaded state.

use chrono::{NaiveDate, TimeZone, Utc};
use crm_core::assignment::*;
use crm_core::error::CrmError;
use crm_core::ids::{PoolId, UserId};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

const A: UserId = UserId(1);
const B: UserId = UserId(2);
const C: UserId = UserId(3);
const D: UserId = UserId(4);
const SPARE: UserId = UserId(99);

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, 11).unwrap_or_default()
}

fn member(user: UserId) -> EntryMember {
    EntryMember { user, weight: 1 }
}

fn entry(name: &str, condition: Condition, users: &[UserId], strategy: Strategy) -> Entry {
    Entry {
        name: name.into(),
        condition,
        members: users.iter().copied().map(member).collect(),
        strategy,
        overflow: OverflowTarget::Pool(PoolId(7)),
    }
}

fn single(strategy: Strategy, users: &[UserId]) -> AssignmentRules {
    AssignmentRules {
        entries: vec![entry("all", Condition::Always, users, strategy)],
    }
}

fn active() -> (Availability, Load) {
    (
        Availability {
            active: true,
            ..Availability::default()
        },
        Load::default(),
    )
}

fn everyone(users: &[UserId]) -> BTreeMap<UserId, (Availability, Load)> {
    users.iter().map(|u| (*u, active())).collect()
}

/// Runs `n` leads through `rules`, carrying the entry states and bumping the counts of
/// whoever is chosen, as the service does; returns the outcomes.
fn run(
    rules: &AssignmentRules,
    people: &mut BTreeMap<UserId, (Availability, Load)>,
    states: &mut BTreeMap<usize, EntryState>,
    n: usize,
) -> Vec<Decision> {
    (0..n)
        .map(|_| {
            let d = decide(rules, &LeadFacts::default(), states, people, today())
                .unwrap_or_else(|e| panic!("decide: {e}"));
            states.insert(d.entry, d.state.clone());
            if let Outcome::Member { user } = d.outcome {
                if let Some((_, load)) = people.get_mut(&user) {
                    load.today += 1;
                    load.this_month += 1;
                    load.open_leads += 1;
                }
            }
            d
        })
        .collect()
}

fn members_of(ds: &[Decision]) -> Vec<Option<UserId>> {
    ds.iter()
        .map(|d| match d.outcome {
            Outcome::Member { user } => Some(user),
            _ => None,
        })
        .collect()
}

#[test]
fn la1_round_robin_without_a_cursor_starts_at_the_top() {
    let rules = single(Strategy::RoundRobin, &[A, B, C]);
    let mut people = everyone(&[A, B, C]);
    let ds = run(&rules, &mut people, &mut BTreeMap::new(), 4);
    assert_eq!(members_of(&ds), [Some(A), Some(B), Some(C), Some(A)]);
}

#[test]
fn la2_round_robin_skips_an_inactive_member_and_says_why() {
    let rules = single(Strategy::RoundRobin, &[A, B, C, D]);
    let mut people = everyone(&[A, B, C, D]);
    if let Some((a, _)) = people.get_mut(&B) {
        a.active = false;
    }
    let ds = run(&rules, &mut people, &mut BTreeMap::new(), 5);
    assert_eq!(
        members_of(&ds),
        [Some(A), Some(C), Some(D), Some(A), Some(C)]
    );
    let inactive_b = vec![Skipped {
        user: B,
        reason: SkipReason::Inactive,
    }];
    assert_eq!(ds[1].skipped, inactive_b);
    assert!(ds[2].skipped.is_empty());
    assert_eq!(ds[4].skipped, inactive_b);
}

#[test]
fn round_robin_continues_after_a_removed_member_at_their_old_position() {
    let mut states = BTreeMap::new();
    let mut people = everyone(&[A, B, C, D]);
    let before = single(Strategy::RoundRobin, &[A, B, C, D]);
    let ds = run(&before, &mut people, &mut states, 2);
    assert_eq!(members_of(&ds), [Some(A), Some(B)]);
    // B leaves the list: C, now at B's old position, is next (not D, not A).
    let after = single(Strategy::RoundRobin, &[A, C, D]);
    let ds = run(&after, &mut people, &mut states, 3);
    assert_eq!(members_of(&ds), [Some(C), Some(D), Some(A)]);
    // The last member removed: the turn wraps to the top.
    let mut states = BTreeMap::new();
    run(&before, &mut people, &mut states, 4); // … C, D
    let without_d = single(Strategy::RoundRobin, &[A, B, C]);
    let ds = run(&without_d, &mut people, &mut states, 1);
    assert_eq!(members_of(&ds), [Some(A)]);
}

#[test]
fn la5_smooth_weighted_round_robin_is_deterministic() {
    let mut rules = single(Strategy::WeightedRoundRobin, &[A, B]);
    rules.entries[0].members[1].weight = 2;
    let mut people = everyone(&[A, B]);
    let ds = run(&rules, &mut people, &mut BTreeMap::new(), 5);
    assert_eq!(
        members_of(&ds),
        [Some(B), Some(A), Some(B), Some(B), Some(A)]
    );
    let b = members_of(&ds).iter().filter(|u| **u == Some(B)).count();
    assert_eq!((5 - b, b), (2, 3));
}

#[test]
fn load_balancing_takes_the_lightest_then_the_least_recently_assigned() {
    let rules = single(Strategy::LoadBalancing, &[A, B, C]);
    let mut people = everyone(&[A, B, C]);
    let at = |h| Some(Utc.with_ymd_and_hms(2026, 5, 11, h, 0, 0).unwrap());
    // A: 2 of capacity 4 (0.5); B: 1 of capacity 1 would be full, give capacity 2 (0.5);
    // C: 3 of capacity 4 (0.75). A and B tie on load; B was assigned earlier.
    people.insert(
        A,
        (
            Availability {
                active: true,
                capacity: Some(4),
                ..Availability::default()
            },
            Load {
                open_leads: 2,
                last_assigned_at: at(9),
                ..Load::default()
            },
        ),
    );
    people.insert(
        B,
        (
            Availability {
                active: true,
                capacity: Some(2),
                ..Availability::default()
            },
            Load {
                open_leads: 1,
                last_assigned_at: at(8),
                ..Load::default()
            },
        ),
    );
    people.insert(
        C,
        (
            Availability {
                active: true,
                capacity: Some(4),
                ..Availability::default()
            },
            Load {
                open_leads: 3,
                ..Load::default()
            },
        ),
    );
    let d = decide(
        &rules,
        &LeadFacts::default(),
        &BTreeMap::new(),
        &people,
        today(),
    )
    .expect("decide");
    assert_eq!(d.outcome, Outcome::Member { user: B });
    // Never assigned beats assigned when the load ties; then list order.
    let mut fresh = everyone(&[A, B, C]);
    if let Some((_, l)) = fresh.get_mut(&A) {
        l.last_assigned_at = at(7);
    }
    let d = decide(
        &rules,
        &LeadFacts::default(),
        &BTreeMap::new(),
        &fresh,
        today(),
    )
    .expect("decide");
    assert_eq!(d.outcome, Outcome::Member { user: B });
}

#[test]
fn capacity_refuses_at_the_limit_and_takes_below_it() {
    let rules = single(Strategy::RoundRobin, &[A]);
    let mut people = everyone(&[A]);
    if let Some((a, l)) = people.get_mut(&A) {
        a.capacity = Some(3);
        l.open_leads = 2;
    }
    let ds = run(&rules, &mut people, &mut BTreeMap::new(), 2);
    assert_eq!(members_of(&ds), [Some(A), None]);
    assert_eq!(
        ds[1].skipped,
        [Skipped {
            user: A,
            reason: SkipReason::Capacity
        }]
    );
}

#[test]
fn la9_the_first_matching_entry_wins() {
    let east = entry(
        "East",
        Condition::Equals {
            field: LeadField::Region,
            value: "华东".into(),
        },
        &[A],
        Strategy::RoundRobin,
    );
    let key_accounts = entry(
        "KA",
        Condition::Amount {
            currency: "CNY".into(),
            min: Some(AmountBound {
                value: Decimal::from(1_000_000),
                inclusive: false,
            }),
            max: None,
        },
        &[B],
        Strategy::RoundRobin,
    );
    let default = entry("default", Condition::Always, &[C], Strategy::RoundRobin);
    let rules = AssignmentRules {
        entries: vec![east, key_accounts, default],
    };
    rules.validate().expect("valid");
    let people = everyone(&[A, B, C]);
    let lead = |region: &str, amount: i64| LeadFacts {
        region: Some(region.into()),
        amount: Some(Decimal::from(amount)),
        currency: Some("CNY".into()),
        ..LeadFacts::default()
    };
    let pick = |l: LeadFacts| {
        let d = decide(&rules, &l, &BTreeMap::new(), &people, today()).expect("decide");
        (d.entry_name, d.outcome)
    };
    assert_eq!(
        pick(lead("华东", 2_000_000)),
        ("East".into(), Outcome::Member { user: A })
    );
    assert_eq!(
        pick(lead("华北", 2_000_000)),
        ("KA".into(), Outcome::Member { user: B })
    );
    // The bound is exclusive: exactly 1,000,000 falls through to the default.
    assert_eq!(
        pick(lead("华北", 1_000_000)),
        ("default".into(), Outcome::Member { user: C })
    );
}

#[test]
fn la10_nobody_eligible_goes_to_overflow_naming_each_candidate() {
    let rules = single(Strategy::RoundRobin, &[A, B, C]);
    let mut people = everyone(&[A, B, C]);
    if let Some((a, l)) = people.get_mut(&A) {
        a.daily_cap = Some(5);
        l.today = 5;
    }
    if let Some((a, _)) = people.get_mut(&B) {
        a.leave = vec![Leave {
            from: today(),
            to: today(),
        }];
    }
    if let Some((a, l)) = people.get_mut(&C) {
        a.monthly_cap = Some(20);
        l.this_month = 20;
    }
    let mut states = BTreeMap::new();
    states.insert(
        0,
        EntryState {
            last: Some(Cursor {
                user: C,
                position: 2,
            }),
            ..EntryState::default()
        },
    );
    let d = decide(&rules, &LeadFacts::default(), &states, &people, today()).expect("decide");
    assert_eq!(
        d.outcome,
        Outcome::Overflow {
            target: OverflowTarget::Pool(PoolId(7)),
            reason: OverflowReason::NoEligibleMember
        }
    );
    assert_eq!(
        d.skipped,
        [
            Skipped {
                user: A,
                reason: SkipReason::DailyCap
            },
            Skipped {
                user: B,
                reason: SkipReason::OnLeave
            },
            Skipped {
                user: C,
                reason: SkipReason::MonthlyCap
            },
        ]
    );
    // The cursor does not move when nobody took the turn.
    assert_eq!(d.state, states[&0]);
    // The next day B is back from leave and takes it (A's count as given is still at the
    // cap: the service loads the new day's counts; here they are left as they were).
    let d = decide(
        &rules,
        &LeadFacts::default(),
        &states,
        &people,
        today().succ_opt().unwrap_or_default(),
    )
    .expect("decide");
    assert_eq!(d.outcome, Outcome::Member { user: B });
    assert_eq!(
        d.skipped,
        [Skipped {
            user: A,
            reason: SkipReason::DailyCap
        }]
    );
}

#[test]
fn by_field_and_fixed_name_their_member() {
    let map: BTreeMap<String, UserId> = [("IT".to_string(), A), ("制造".to_string(), B)].into();
    let rules = AssignmentRules {
        entries: vec![Entry {
            overflow: OverflowTarget::User(SPARE),
            ..entry(
                "by industry",
                Condition::Always,
                &[],
                Strategy::ByField {
                    field: LeadField::Industry,
                    map,
                },
            )
        }],
    };
    rules.validate().expect("valid");
    let mut people = everyone(&[A, B]);
    let lead = |industry: Option<&str>| LeadFacts {
        industry: industry.map(Into::into),
        ..LeadFacts::default()
    };
    let outcome = |people: &BTreeMap<_, _>, l| {
        decide(&rules, &l, &BTreeMap::new(), people, today())
            .expect("decide")
            .outcome
    };
    assert_eq!(
        outcome(&people, lead(Some("制造"))),
        Outcome::Member { user: B }
    );
    assert_eq!(
        outcome(&people, lead(Some("零售"))),
        Outcome::Overflow {
            target: OverflowTarget::User(SPARE),
            reason: OverflowReason::NoMemberForValue
        }
    );
    assert_eq!(
        outcome(&people, lead(None)),
        Outcome::Overflow {
            target: OverflowTarget::User(SPARE),
            reason: OverflowReason::NoMemberForValue
        }
    );
    if let Some((a, _)) = people.get_mut(&A) {
        a.opted_out = true;
    }
    assert_eq!(
        outcome(&people, lead(Some("IT"))),
        Outcome::Overflow {
            target: OverflowTarget::User(SPARE),
            reason: OverflowReason::NoEligibleMember
        }
    );
    let fixed = single(Strategy::Fixed { user: C }, &[]);
    fixed.validate().expect("valid");
    let d = decide(
        &fixed,
        &LeadFacts::default(),
        &BTreeMap::new(),
        &people,
        today(),
    );
    // C is not among the people given: not an active user.
    assert_eq!(
        d.map(|d| d.skipped),
        Ok(vec![Skipped {
            user: C,
            reason: SkipReason::Inactive
        }])
    );
}

fn field_of(err: Result<(), CrmError>) -> String {
    match err {
        Err(CrmError::Validation { field, .. }) => field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn bad_rules_are_refused_naming_the_entry() {
    assert_eq!(field_of(AssignmentRules::default().validate()), "entries");
    let no_default = AssignmentRules {
        entries: vec![entry(
            "east",
            Condition::Equals {
                field: LeadField::Region,
                value: "华东".into(),
            },
            &[A],
            Strategy::RoundRobin,
        )],
    };
    assert_eq!(field_of(no_default.validate()), "entries[0].condition");
    let mut zero = single(Strategy::WeightedRoundRobin, &[A, B]);
    zero.entries[0].members[1].weight = 0;
    assert_eq!(field_of(zero.validate()), "entries[0].members[1].weight");
    zero.entries[0].members[1].weight = 1000;
    assert!(zero.validate().is_ok());
    zero.entries[0].members[1].weight = 1001;
    assert_eq!(field_of(zero.validate()), "entries[0].members[1].weight");
    let twice = single(Strategy::RoundRobin, &[A, B, A]);
    assert_eq!(field_of(twice.validate()), "entries[0].members[2]");
    let empty = single(Strategy::LoadBalancing, &[]);
    assert_eq!(field_of(empty.validate()), "entries[0].members");
    let unnamed = AssignmentRules {
        entries: vec![entry(" ", Condition::Always, &[A], Strategy::RoundRobin)],
    };
    assert_eq!(field_of(unnamed.validate()), "entries[0].name");
}

#[test]
fn an_entry_without_an_overflow_target_does_not_parse() {
    let json = serde_json::json!({"entries": [{
        "name": "all", "condition": {"kind": "always"},
        "members": [{"user": 1}], "strategy": {"kind": "round_robin"}
    }]});
    let err = serde_json::from_value::<AssignmentRules>(json)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("overflow"), "{err}");
}
