//! Randomized agenda scope check over a large org: random departments, supervisors and
//! data scopes for `n_users` users, each owning random agenda items inside and just outside
//! a three-day range; for random (reader, user) pairs the agenda must hold exactly the
//! user's items in the range that the reader's scope reaches (the independent reading of
//! the rules in [`oracle_reach`]). Driven by a seed so a failure is reproducible.

use crate::access::{Action, DataScope, Grant, Module};
use crate::actor::Actor;
use crate::calendar::{EventInput, EventLinks, EventTime};
use crate::clock::FixedClock;
use crate::customer::NewCustomer;
use crate::followup::{FollowUpKind, NewFollowUp};
use crate::ids::{DepartmentId, RoleId, TenantId, UserId};
use crate::service::{Crm, DepartmentInput, NewOpportunity, RoleInput, UserInput};
use crate::store::Store;
use crate::task::{Due, TaskInput, TaskLinks};
use crate::tenant::TenantSettings;
use crate::testkit::scope_oracle::{oracle_reach, OrgPlace, Rng, SCOPES};
use crate::visit::PlanVisit;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The modules whose records the random roles read (in the role's one scope).
const READ_MODULES: [Module; 5] = [
    Module::Customers,
    Module::Opportunities,
    Module::Tasks,
    Module::Calendar,
    Module::Visits,
];

/// One expected agenda item: (kind, record id, owner, local day, collaborators).
type Expected = (&'static str, i64, i64, NaiveDate, Vec<i64>);

/// Runs one scenario in tenant `2000 + seed` with `n_users` users and checks `pairs`
/// random (reader, user) agendas; panics on any leak or omission.
pub async fn check_agenda_scopes<S: Store>(store: S, seed: u64, n_users: i64, pairs: usize) {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let tenant = TenantId(2000 + seed as i64);
    let sys = Actor::system(tenant);
    let t0 = crate::testkit::fixture::start();
    let clock = Arc::new(FixedClock::new(t0));
    let crm = Crm::new(store, clock.clone());
    crm.setup_tenant(sys, "agenda oracle", TenantSettings::default())
        .await
        .expect("tenant");
    for (id, parent) in [(1, None), (2, Some(1)), (3, Some(2)), (4, None)] {
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
            grants: READ_MODULES
                .iter()
                .map(|&module| Grant {
                    module,
                    action: Action::Read,
                    scope,
                })
                .collect(),
            fields: vec![],
        };
        role_of.insert(scope, crm.create_role(sys, input).await.expect("role").id);
    }
    let mut org = BTreeMap::new();
    let mut scopes = BTreeMap::new();
    for id in 1..=n_users {
        let place = OrgPlace {
            dept: 1 + rng.below(4) as i64,
            supervisor: (id > 1 && rng.below(4) > 0).then(|| 1 + rng.below(id as u64 - 1) as i64),
        };
        let scope = SCOPES[rng.below(SCOPES.len() as u64) as usize];
        crm.upsert_user(
            sys,
            UserInput {
                id: UserId(id),
                name: format!("u{id}"),
                department_id: Some(DepartmentId(place.dept)),
                supervisor_id: place.supervisor.map(UserId),
                role_ids: scope
                    .and_then(|s| role_of.get(&s).copied())
                    .into_iter()
                    .collect(),
                active: true,
                ..UserInput::default()
            },
        )
        .await
        .expect("user");
        org.insert(id, place);
        scopes.insert(id, scope);
    }

    // The range: three local days in Shanghai; items fall on the day before to the day
    // after, so the cut at both local midnights is checked too.
    let zone = chrono_tz::Asia::Shanghai;
    let first = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap_or_default();
    let last = first + Duration::days(2);
    let mut items: Vec<Expected> = Vec::new();
    for owner in 1..=n_users {
        if rng.below(3) == 0 {
            continue;
        }
        let customer = crm
            .create_customer(
                sys,
                NewCustomer {
                    name: format!("c{owner}"),
                    owner_id: Some(UserId(owner)),
                    ..NewCustomer::default()
                },
            )
            .await
            .expect("customer")
            .record
            .id;
        // A follow-up planned at a random quarter hour from the day before to the day after.
        let day = first + Duration::days(rng.below(5) as i64 - 1);
        let minutes = 15 * rng.below(96) as i64;
        let local = day.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::minutes(minutes);
        let next = zone
            .from_local_datetime(&local)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(t0);
        crm.record_followup(
            sys,
            NewFollowUp {
                customer_id: customer,
                kind: FollowUpKind::Call,
                content: format!("plan {owner}"),
                at: None,
                location: None,
                next_followup_at: Some(next),
            },
        )
        .await
        .expect("follow-up");
        items.push(("followup", customer.0, owner, day, vec![]));
        if rng.below(2) == 0 {
            let close = first + Duration::days(rng.below(5) as i64 - 1);
            let o = crm
                .create_opportunity(
                    sys,
                    NewOpportunity {
                        customer_id: customer,
                        name: format!("o{owner}"),
                        amount: Decimal::new(100_000, 2),
                        currency: "CNY".into(),
                        pipeline: None,
                        stage: "lead".into(),
                        probability: None,
                        expected_close: close,
                        owner_id: Some(UserId(owner)),
                        products: vec![],
                    },
                )
                .await
                .expect("opportunity")
                .decode::<crate::opportunity::Opportunity>()
                .expect("typed");
            items.push(("expected_close", o.id.0, owner, close, vec![]));
        }
        if rng.below(2) == 0 {
            // A task due on a random day around the range, all-day or at a quarter hour,
            // with up to two random collaborators (who read it whatever their scope).
            let date = first + Duration::days(rng.below(5) as i64 - 1);
            let due = if rng.below(2) == 0 {
                Due::AllDay { date }
            } else {
                let local = date.and_hms_opt(0, 0, 0).unwrap_or_default()
                    + Duration::minutes(15 * rng.below(96) as i64);
                Due::At {
                    at: zone
                        .from_local_datetime(&local)
                        .earliest()
                        .map(|t| t.with_timezone(&Utc))
                        .unwrap_or(t0),
                }
            };
            let collaborators: BTreeSet<i64> = (0..rng.below(3))
                .map(|_| 1 + rng.below(n_users as u64) as i64)
                .filter(|c| *c != owner)
                .collect();
            let input = TaskInput {
                title: format!("t{owner}"),
                kind: None,
                priority: 1,
                due,
                collaborators: collaborators.iter().copied().map(UserId).collect(),
                links: TaskLinks::default(),
                reminders: vec![],
                notes: None,
            };
            let t = crm
                .create_task(sys, input, Some(UserId(owner)))
                .await
                .expect("task");
            items.push((
                "task",
                t.task.id.0,
                owner,
                date,
                collaborators.into_iter().collect(),
            ));
        }
        if rng.below(2) == 0 {
            // A one-hour event at a random quarter hour around the range, with up to two
            // random attendees (who read it whatever their scope).
            let date = first + Duration::days(rng.below(5) as i64 - 1);
            let start = date.and_hms_opt(0, 0, 0).unwrap_or_default()
                + Duration::minutes(15 * rng.below(92) as i64);
            let attendees: BTreeSet<i64> = (0..rng.below(3))
                .map(|_| 1 + rng.below(n_users as u64) as i64)
                .filter(|a| *a != owner)
                .collect();
            let input = EventInput {
                title: format!("e{owner}"),
                time: EventTime::Timed {
                    start,
                    end: start + Duration::hours(1),
                },
                time_zone: Some("Asia/Shanghai".into()),
                attendees: attendees.iter().copied().map(UserId).collect(),
                links: EventLinks::default(),
                location: None,
                recurrence: None,
            };
            let e = crm
                .create_calendar_event(sys, input, Some(UserId(owner)))
                .await
                .expect("event")
                .decode::<crate::calendar::CalendarEvent>()
                .expect("typed");
            items.push((
                "event",
                e.id.0,
                owner,
                date,
                attendees.into_iter().collect(),
            ));
        }
        if rng.below(3) == 0 {
            // A planned visit at the customer, an hour at a random quarter hour.
            let date = first + Duration::days(rng.below(5) as i64 - 1);
            let local = date.and_hms_opt(0, 0, 0).unwrap_or_default()
                + Duration::minutes(15 * rng.below(92) as i64);
            let start = zone
                .from_local_datetime(&local)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or(t0);
            let v = crm
                .plan_visit(
                    sys,
                    PlanVisit {
                        customer_id: customer,
                        owner_id: Some(UserId(owner)),
                        start,
                        end: start + Duration::hours(1),
                        purpose: None,
                    },
                )
                .await
                .expect("visit");
            items.push(("visit", v.id.0, owner, date, vec![]));
        }
    }
    clock.set(t0 + Duration::hours(1));

    // Both sides must be exercised: agendas with items, and items the reader may not see.
    let (mut shown, mut withheld) = (0, 0);
    for n in 0..pairs {
        let reader = 1 + rng.below(n_users as u64) as i64;
        let target = if n % 3 == 0 {
            reader
        } else {
            1 + rng.below(n_users as u64) as i64
        };
        let agenda = crm
            .user_agenda(
                Actor::user(tenant, UserId(reader)),
                Some(UserId(target)),
                first,
                last,
            )
            .await
            .expect("agenda");
        let reach = scopes
            .get(&reader)
            .copied()
            .flatten()
            .map(|scope| oracle_reach(&org, reader, scope));
        let expected: BTreeSet<(&str, i64)> = items
            .iter()
            .filter(|(_, _, owner, day, collaborators)| {
                let theirs = *owner == target || collaborators.contains(&target);
                let readable = match &reach {
                    None => false,
                    Some(None) => true,
                    Some(Some(set)) => set.contains(owner) || collaborators.contains(&reader),
                };
                theirs && first <= *day && *day <= last && readable
            })
            .map(|(kind, id, _, _, _)| (*kind, *id))
            .collect();
        let got: BTreeSet<(&str, i64)> = agenda
            .items
            .iter()
            .map(|i| (i.kind.as_str(), i.id))
            .collect();
        assert_eq!(
            got,
            expected,
            "seed {seed}: reader {reader} ({:?}) reading user {target}",
            scopes.get(&reader)
        );
        assert_eq!(got.len(), agenda.items.len(), "seed {seed}: an item twice");
        let owned_in_range = items
            .iter()
            .filter(|(_, _, owner, day, collaborators)| {
                (*owner == target || collaborators.contains(&target))
                    && first <= *day
                    && *day <= last
            })
            .count();
        shown += got.len();
        withheld += owned_in_range - got.len();
    }
    assert!(
        shown > 0 && withheld > 0,
        "seed {seed}: {shown} shown, {withheld} withheld"
    );
}
