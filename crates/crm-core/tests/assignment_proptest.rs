//! Random rules, members, availability and lead streams: every lead ends with a member or
//! the overflow target, no cap or capacity is ever passed, and the explanation names every
//! skipped candidate with a true reason.

use chrono::{Duration, NaiveDate};
use crm_core::assignment::{
    decide, ineligible, AssignmentRules, Availability, Condition, Entry, EntryMember, EntryState,
    LeadFacts, LeadField, Leave, Load, Outcome, OverflowReason, OverflowTarget, SkipReason,
    Strategy as Pick,
};
use crm_core::ids::{PoolId, UserId};
use proptest::prelude::*;
use proptest::strategy::Strategy;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

const REGIONS: [&str; 3] = ["华东", "华北", "华南"];

fn day0() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 30).unwrap_or_default()
}

fn strategy() -> impl Strategy<Value = Pick> {
    prop_oneof![
        Just(Pick::RoundRobin),
        Just(Pick::WeightedRoundRobin),
        Just(Pick::LoadBalancing),
        (1i64..=6).prop_map(|u| Pick::Fixed { user: UserId(u) }),
        prop::collection::vec(1i64..=6, 3).prop_map(|us| Pick::ByField {
            field: LeadField::Region,
            map: REGIONS
                .iter()
                .zip(us)
                .map(|(r, u)| (r.to_string(), UserId(u)))
                .collect(),
        }),
    ]
}

fn entry(last: bool) -> impl Strategy<Value = Entry> {
    (
        strategy(),
        prop::sample::subsequence((1i64..=6).collect::<Vec<_>>(), 1..=6),
        prop::collection::vec(1u32..=4, 6),
        0usize..REGIONS.len(),
        any::<bool>(),
    )
        .prop_map(move |(strategy, users, weights, region, to_pool)| Entry {
            name: "e".into(),
            condition: if last {
                Condition::Always
            } else {
                Condition::Equals {
                    field: LeadField::Region,
                    value: REGIONS[region].into(),
                }
            },
            members: users
                .iter()
                .zip(weights)
                .map(|(u, weight)| EntryMember {
                    user: UserId(*u),
                    weight,
                })
                .collect(),
            strategy,
            overflow: if to_pool {
                OverflowTarget::Pool(PoolId(1))
            } else {
                OverflowTarget::User(UserId(100))
            },
        })
}

fn rules() -> impl Strategy<Value = AssignmentRules> {
    (prop::collection::vec(entry(false), 0..3), entry(true)).prop_map(|(mut entries, last)| {
        entries.push(last);
        // Names are unique per tenant (each entry's cursor is kept by name).
        for (i, e) in entries.iter_mut().enumerate() {
            e.name = format!("e{i}");
        }
        AssignmentRules { entries }
    })
}

fn availability() -> impl Strategy<Value = Availability> {
    (
        prop::bool::weighted(0.9),
        prop::bool::weighted(0.1),
        prop::option::of((0i64..4, 0i64..3)),
        prop::option::of(0u32..4),
        prop::option::of(0u32..8),
        prop::option::of(0u32..6),
    )
        .prop_map(
            |(active, opted_out, leave, daily, monthly, capacity)| Availability {
                active,
                opted_out,
                leave: leave
                    .map(|(start, len)| Leave {
                        from: day0() + Duration::days(start),
                        to: day0() + Duration::days(start + len),
                    })
                    .into_iter()
                    .collect(),
                daily_cap: daily,
                monthly_cap: monthly,
                capacity,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn assignment_never_passes_a_limit_and_explains_itself(
        rules in rules(),
        avail in prop::collection::vec(availability(), 6),
        leads in prop::collection::vec((0usize..4, 0i64..6, any::<bool>()), 1..60),
    ) {
        prop_assert!(rules.validate().is_ok());
        let mut people: BTreeMap<UserId, (Availability, Load)> = avail
            .iter()
            .enumerate()
            .map(|(i, a)| (UserId(i as i64 + 1), (a.clone(), Load::default())))
            .collect();
        let mut states: BTreeMap<usize, EntryState> = BTreeMap::new();
        let mut day = day0();
        for (region, step_days, closes) in leads {
            // Days pass (crossing the month end at day0 + 2); counts reset as the service
            // would load them: a new local day zeroes `today`, a new month `this_month`.
            if step_days > 3 {
                let next = day + Duration::days(1);
                for (_, load) in people.values_mut() {
                    load.today = 0;
                    if next.format("%Y-%m").to_string() != day.format("%Y-%m").to_string() {
                        load.this_month = 0;
                    }
                }
                day = next;
            }
            let lead = LeadFacts {
                region: REGIONS.get(region).map(|r| r.to_string()),
                amount: Some(Decimal::from(step_days)),
                ..LeadFacts::default()
            };
            let d = decide(&rules, &lead, &states, &people, day);
            prop_assert!(d.is_ok(), "{d:?}");
            let Ok(d) = d else { continue };
            // The first matching entry decided.
            let first = rules.entries.iter().position(|e| e.condition.matches(&lead));
            prop_assert_eq!(Some(d.entry), first);
            let entry = &rules.entries[d.entry];
            // Every skipped candidate's reason is true now.
            for s in &d.skipped {
                let truth = people.get(&s.user).map_or(Some(SkipReason::Inactive), |(a, l)| {
                    ineligible(a, l, day)
                });
                prop_assert_eq!(truth, Some(s.reason), "user {}", s.user);
                prop_assert!(entry.candidates().contains(&s.user));
            }
            match d.outcome {
                Outcome::Member { user } => {
                    prop_assert!(entry.candidates().contains(&user));
                    let (a, load) = &people[&user];
                    prop_assert_eq!(ineligible(a, load, day), None);
                    let (a, load) = people.get_mut(&user).map(|(a, l)| (a.clone(), l)).unwrap_or_else(|| unreachable!());
                    load.today += 1;
                    load.this_month += 1;
                    load.open_leads += 1;
                    prop_assert!(a.daily_cap.is_none_or(|c| load.today <= c));
                    prop_assert!(a.monthly_cap.is_none_or(|c| load.this_month <= c));
                    prop_assert!(a.capacity.is_none_or(|c| load.open_leads <= c));
                    states.insert(d.entry, d.state.clone());
                    if closes {
                        load.open_leads -= 1;
                    }
                }
                Outcome::Overflow { target, reason } => {
                    prop_assert_eq!(target, entry.overflow);
                    if reason == OverflowReason::NoEligibleMember {
                        // Nobody the strategy could pick was eligible.
                        let pickable: Vec<UserId> = match &entry.strategy {
                            Pick::ByField { .. } | Pick::Fixed { .. } => {
                                d.skipped.iter().map(|s| s.user).collect()
                            }
                            _ => entry.members.iter().map(|m| m.user).collect(),
                        };
                        prop_assert!(!pickable.is_empty());
                        for u in pickable {
                            prop_assert!(d.skipped.iter().any(|s| s.user == u), "{u} not explained");
                        }
                    }
                    // The cursor stays put.
                    prop_assert_eq!(&d.state, &states.get(&d.entry).cloned().unwrap_or_default());
                }
                _ => prop_assert!(false, "unknown outcome"),
            }
        }
    }
}
