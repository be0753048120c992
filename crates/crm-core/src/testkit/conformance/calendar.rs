//! Calendar events on every store: the calendar scope (owner's data scope, attendees read
//! only), field rules, occurrences through the service (month ends, daylight saving,
//! exceptions, splits), events and audit, and refusals that write nothing.

use crate::access::{Action, DataScope, FieldAccess, FieldRule, Grant, MaskMode, Module};
use crate::calendar::{EventInput, EventLinks, EventPatch, EventTime, MonthEnd, Recurrence};
use crate::error::CrmError;
use crate::ids::{CalendarEventId, CustomerId, UserId};
use crate::service::{CalendarEventFilter, RoleInput, UserInput};
use crate::store::{Entity, Query, Store};
use crate::testkit::fixture::*;
use crate::view::VisibleJson;
use crate::Actor;
use chrono::{DateTime, NaiveDateTime, Utc};
use std::sync::Arc;

fn at(s: &str) -> NaiveDateTime {
    s.parse().unwrap_or_default()
}

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap_or_default()
}

fn id_of(v: &VisibleJson) -> CalendarEventId {
    CalendarEventId(v.record["id"].as_i64().unwrap_or_default())
}

fn weekly_ny() -> EventInput {
    EventInput {
        title: "周会 weekly".into(),
        time: EventTime::Timed {
            start: at("2024-03-04T09:00:00"),
            end: at("2024-03-04T10:00:00"),
        },
        time_zone: Some("America/New_York".into()),
        attendees: vec![SERVICE],
        links: EventLinks::default(),
        location: Some("Room 5".into()),
        recurrence: Some(Recurrence {
            rule: "FREQ=WEEKLY;BYDAY=MO".into(),
            month_end: MonthEnd::Rfc,
        }),
    }
}

/// A role: name, scope, actions, field rules, and the users given it.
type RoleSpec = (
    &'static str,
    DataScope,
    &'static [Action],
    Vec<FieldRule>,
    &'static [UserId],
);

/// Calendar roles on top of the fixture's: reps reach their own events, the east manager
/// their subordinates', customer service reads its own (and those it attends) with the
/// location hidden.
async fn calendar_roles<S: Store>(f: &Fixture<S>) {
    let sys = Actor::system(T1);
    const ALL: &[Action] = &[Action::Create, Action::Read, Action::Update, Action::Delete];
    let specs: [RoleSpec; 3] = [
        (
            "calendar self",
            DataScope::SelfOnly,
            ALL,
            vec![],
            &[REP, REP2],
        ),
        (
            "calendar team",
            DataScope::SelfAndSubordinates,
            ALL,
            vec![],
            &[MANAGER],
        ),
        (
            "calendar reader",
            DataScope::SelfOnly,
            &[Action::Read],
            vec![FieldRule {
                module: Module::Calendar,
                field: "location".into(),
                access: FieldAccess::Hidden,
                mask: MaskMode::None,
            }],
            &[SERVICE],
        ),
    ];
    for (name, scope, actions, fields, users) in specs {
        let role = f
            .crm
            .create_role(
                sys,
                RoleInput {
                    name: name.into(),
                    grants: actions
                        .iter()
                        .map(|&action| Grant {
                            module: Module::Calendar,
                            action,
                            scope,
                        })
                        .collect(),
                    fields,
                },
            )
            .await
            .expect("role");
        for &u in users {
            let (name, dept, sup, base) = match u {
                REP => ("Rep Li", SALES_EAST, Some(MANAGER), "sales"),
                REP2 => ("Rep Wang", SALES_EAST, Some(MANAGER), "sales"),
                MANAGER => ("East Manager", SALES_EAST, Some(BOSS), "manager"),
                _ => ("Service Zhao", SERVICE_DEPT, None, "service"),
            };
            let mut role_ids: Vec<_> = f.roles.get(base).copied().into_iter().collect();
            role_ids.push(role.id);
            f.crm
                .upsert_user(
                    sys,
                    UserInput {
                        id: u,
                        name: name.into(),
                        department_id: Some(dept),
                        supervisor_id: sup,
                        role_ids,
                        tenant_admin: false,
                        active: true,
                        time_zone: None,
                        joined_on: None,
                    },
                )
                .await
                .expect("user");
        }
    }
}

async fn occurrence_starts<S: Store>(
    f: &Fixture<S>,
    actor: Actor,
    user: Option<UserId>,
    from: &str,
    to: &str,
) -> Vec<(String, String)> {
    f.crm
        .calendar_occurrences(actor, user, utc(from), utc(to))
        .await
        .expect("occurrences")
        .items
        .iter()
        .map(|o| {
            (
                o.record["start"].as_str().unwrap_or_default().to_owned(),
                o.record["title"].as_str().unwrap_or("<hidden>").to_owned(),
            )
        })
        .collect()
}

/// Who reads, lists, expands and changes an event: the owner's calendar scope, attendees
/// for reading only, nobody without a calendar grant, no other tenant.
pub async fn calendar_events_follow_scope_and_attendees<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store.clone()).await;
    calendar_roles(&f).await;
    let crm = &f.crm;
    let made = crm
        .create_calendar_event(user(REP), weekly_ny(), None)
        .await
        .expect("rep creates");
    let id = id_of(&made);
    assert_eq!(made.record["owner_id"], serde_json::json!(REP.0));
    assert_eq!(made.record["attendees"], serde_json::json!([SERVICE.0]));

    // The owner and their manager read it; a peer does not learn it exists.
    assert!(crm.get_calendar_event(user(REP), id).await.is_ok());
    assert!(crm.get_calendar_event(user(MANAGER), id).await.is_ok());
    let peer = crm.get_calendar_event(user(REP2), id).await;
    assert!(matches!(peer, Err(CrmError::NotFound { .. })), "{peer:?}");
    let listed = |actor| async move {
        crm.list_calendar_events(actor, CalendarEventFilter::default())
            .await
            .map(|p| p.items.iter().map(id_of).collect::<Vec<_>>())
    };
    assert_eq!(listed(user(REP)).await.ok(), Some(vec![id]));
    assert_eq!(listed(user(REP2)).await.ok(), Some(vec![]));
    assert_eq!(listed(Actor::system(T2)).await.ok(), Some(vec![]));
    let march = ("2024-03-01T00:00:00Z", "2024-03-19T00:00:00Z");
    assert!(
        occurrence_starts(&f, user(REP2), Some(REP), march.0, march.1)
            .await
            .is_empty(),
        "a peer expands none of the rep's events"
    );
    assert_eq!(
        occurrence_starts(&f, user(MANAGER), Some(REP), march.0, march.1)
            .await
            .len(),
        3
    );

    // The attendee reads it (location withheld by its field rule), lists and expands it as
    // theirs, and changes nothing.
    let seen = crm
        .get_calendar_event(user(SERVICE), id)
        .await
        .expect("attendee reads");
    assert!(seen.record.get("location").is_none(), "{seen:?}");
    assert!(seen.hidden_fields.contains(&"location".to_string()));
    assert_eq!(listed(user(SERVICE)).await.ok(), Some(vec![id]));
    assert_eq!(
        occurrence_starts(&f, user(SERVICE), None, march.0, march.1).await,
        [
            (
                "2024-03-04T14:00:00Z".to_string(),
                "周会 weekly".to_string()
            ),
            ("2024-03-11T13:00:00Z".into(), "周会 weekly".into()),
            ("2024-03-18T13:00:00Z".into(), "周会 weekly".into()),
        ]
    );
    let patch = EventPatch {
        title: Some("mine now".into()),
        ..EventPatch::default()
    };
    let refused = crm
        .update_calendar_event(user(SERVICE), id, patch.clone())
        .await;
    assert!(
        matches!(refused, Err(CrmError::PermissionDenied { .. })),
        "{refused:?}"
    );
    let refused = crm
        .delete_calendar_occurrence(user(SERVICE), id, at("2024-03-11T09:00:00"))
        .await;
    assert!(
        matches!(refused, Err(CrmError::PermissionDenied { .. })),
        "{refused:?}"
    );
    // A user without calendar grants is refused; another tenant does not find it.
    let nobody = crm.get_calendar_event(user(NOBODY), id).await;
    assert!(
        matches!(nobody, Err(CrmError::PermissionDenied { .. })),
        "{nobody:?}"
    );
    let other = crm.get_calendar_event(Actor::system(T2), id).await;
    assert!(matches!(other, Err(CrmError::NotFound { .. })), "{other:?}");
    // A rep cannot give a peer an event.
    let placed = crm
        .create_calendar_event(user(REP), weekly_ny(), Some(REP2))
        .await;
    assert!(
        matches!(placed, Err(CrmError::PermissionDenied { .. })),
        "{placed:?}"
    );

    // Dropping the attendee takes their reading away; the manager deletes the event.
    let dropped = EventPatch {
        attendees: Some(vec![]),
        ..EventPatch::default()
    };
    crm.update_calendar_event(user(REP), id, dropped)
        .await
        .expect("owner edits");
    let gone = crm.get_calendar_event(user(SERVICE), id).await;
    assert!(matches!(gone, Err(CrmError::NotFound { .. })), "{gone:?}");
    assert_eq!(listed(user(SERVICE)).await.ok(), Some(vec![]));
    crm.delete_calendar_event(user(MANAGER), id)
        .await
        .expect("manager deletes");
    let rows = store
        .count(&Query::new(Entity::CalendarEvent, T1))
        .await
        .expect("count");
    let attendee_rows = store
        .count(&Query::new(Entity::CalendarAttendee, T1))
        .await
        .expect("count");
    assert_eq!((rows, attendee_rows), (0, 0));
}

/// Occurrences through the service on every store: month ends (CL1, CL2), nine o'clock
/// local across the change, a deleted and a moved occurrence, a split, with events and
/// audit entries.
pub async fn calendar_series_expand_and_change<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store.clone()).await;
    calendar_roles(&f).await;
    let crm = &f.crm;
    let year = ("2024-01-01T00:00:00Z", "2024-12-31T00:00:00Z");
    for (mode, days) in [
        (MonthEnd::Rfc, ["2024-01-31", "2024-03-31", "2024-05-31"]),
        (MonthEnd::Clamp, ["2024-01-31", "2024-02-29", "2024-03-31"]),
    ] {
        let made = crm
            .create_calendar_event(
                user(REP2),
                EventInput {
                    title: format!("月结 {}", mode.as_str()),
                    time: EventTime::AllDay {
                        start: "2024-01-31".parse().unwrap_or_default(),
                        end: "2024-01-31".parse().unwrap_or_default(),
                    },
                    time_zone: None,
                    attendees: vec![],
                    links: EventLinks::default(),
                    location: None,
                    recurrence: Some(Recurrence {
                        rule: "FREQ=MONTHLY;COUNT=3".into(),
                        month_end: mode,
                    }),
                },
                None,
            )
            .await
            .expect("monthly");
        assert_eq!(
            made.record["time_zone"], "Asia/Shanghai",
            "the tenant's zone"
        );
        let got = crm
            .calendar_occurrences(user(REP2), None, utc(year.0), utc(year.1))
            .await
            .expect("occurrences");
        let local: Vec<String> = got
            .items
            .iter()
            .filter(|o| o.record["event_id"] == made.record["id"])
            .map(|o| o.record["local_start"].as_str().unwrap_or_default()[..10].to_owned())
            .collect();
        assert_eq!(local, days, "{}", mode.as_str());
    }

    let id = id_of(
        &crm.create_calendar_event(user(REP), weekly_ny(), None)
            .await
            .expect("weekly"),
    );
    crm.delete_calendar_occurrence(user(REP), id, at("2024-03-11T09:00:00"))
        .await
        .expect("delete one");
    crm.move_calendar_occurrence(
        user(REP),
        id,
        at("2024-03-18T09:00:00"),
        EventTime::Timed {
            start: at("2024-03-19T15:00:00"),
            end: at("2024-03-19T16:00:00"),
        },
        Some("moved".into()),
    )
    .await
    .expect("move one");
    let split = crm
        .split_calendar_series(
            user(REP),
            id,
            at("2024-03-25T09:00:00"),
            EventPatch {
                title: Some("new weekly".into()),
                ..EventPatch::default()
            },
        )
        .await
        .expect("split");
    let started = id_of(&split.started);
    assert_eq!(split.started.record["split_from"], serde_json::json!(id.0));
    assert_eq!(
        occurrence_starts(
            &f,
            user(REP),
            None,
            "2024-03-01T00:00:00Z",
            "2024-04-02T00:00:00Z"
        )
        .await,
        [
            (
                "2024-03-04T14:00:00Z".to_string(),
                "周会 weekly".to_string()
            ),
            ("2024-03-19T19:00:00Z".into(), "moved".into()),
            ("2024-03-25T13:00:00Z".into(), "new weekly".into()),
            ("2024-04-01T13:00:00Z".into(), "new weekly".into()),
        ]
    );
    // The attendee moved with the new series.
    assert_eq!(
        occurrence_starts(
            &f,
            user(SERVICE),
            None,
            "2024-03-24T00:00:00Z",
            "2024-03-26T00:00:00Z"
        )
        .await
        .len(),
        1
    );
    let events = store.events_after(T1, 0, 1000).await.expect("events");
    let kinds: Vec<&str> = events
        .iter()
        .filter(|e| e.entity == "calendar_event")
        .map(|e| e.kind.as_str())
        .collect();
    for kind in [
        "CalendarEventCreated",
        "CalendarOccurrenceDeleted",
        "CalendarOccurrenceMoved",
        "CalendarSeriesSplit",
    ] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    let audit = store
        .audit_for_record(T1, "calendar_event", id.0)
        .await
        .expect("audit");
    let ops: Vec<&str> = audit.iter().map(|a| a.operation.as_str()).collect();
    assert_eq!(
        ops,
        [
            "calendar.create_event",
            "calendar.delete_occurrence",
            "calendar.move_occurrence",
            "calendar.split"
        ]
    );
    let new_audit = store
        .audit_for_record(T1, "calendar_event", started.0)
        .await
        .expect("audit");
    assert_eq!(new_audit.len(), 1);
}

/// Bad input names its field and writes nothing.
pub async fn calendar_bad_input_writes_nothing<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store.clone()).await;
    calendar_roles(&f).await;
    let crm = &f.crm;
    let count = || async {
        (
            store
                .count(&Query::new(Entity::CalendarEvent, T1))
                .await
                .unwrap_or(u64::MAX),
            store
                .count(&Query::new(Entity::CalendarAttendee, T1))
                .await
                .unwrap_or(u64::MAX),
            store
                .events_after(T1, 0, 10_000)
                .await
                .map(|e| e.len())
                .unwrap_or(usize::MAX),
        )
    };
    // A customer of a peer: refused like a missing one; the rep's own is linked.
    store
        .apply(crate::testkit::samples::inserting(
            T1,
            &[
                crate::testkit::samples::customer(T1, 501, Some(REP2.0), "peer's", start()),
                crate::testkit::samples::customer(T1, 502, Some(REP.0), "own", start()),
            ],
        ))
        .await
        .expect("customers");
    let before = count().await;
    let cases: Vec<(&str, EventInput)> = vec![
        (
            "links.customer_id",
            EventInput {
                links: EventLinks {
                    customer_id: Some(CustomerId(501)),
                    ..EventLinks::default()
                },
                ..weekly_ny()
            },
        ),
        (
            "recurrence",
            EventInput {
                recurrence: Some(Recurrence {
                    rule: "FREQ=WEEKLY;BYDAY=XX".into(),
                    month_end: MonthEnd::Rfc,
                }),
                ..weekly_ny()
            },
        ),
        (
            "recurrence",
            EventInput {
                recurrence: Some(Recurrence {
                    rule: "FREQ=MINUTELY".into(),
                    month_end: MonthEnd::Rfc,
                }),
                ..weekly_ny()
            },
        ),
        (
            "time.end",
            EventInput {
                time: EventTime::Timed {
                    start: at("2024-03-04T09:00:00"),
                    end: at("2024-03-04T08:59:00"),
                },
                ..weekly_ny()
            },
        ),
        (
            "time_zone",
            EventInput {
                time_zone: Some("Mars/Olympus".into()),
                ..weekly_ny()
            },
        ),
        (
            "attendees",
            EventInput {
                attendees: vec![UserId(999)],
                ..weekly_ny()
            },
        ),
        (
            "links.customer_id",
            EventInput {
                links: EventLinks {
                    customer_id: Some(CustomerId(999)),
                    ..EventLinks::default()
                },
                ..weekly_ny()
            },
        ),
        (
            "title",
            EventInput {
                title: "  ".into(),
                ..weekly_ny()
            },
        ),
    ];
    for (field, input) in cases {
        let refused = crm.create_calendar_event(user(REP), input, None).await;
        assert!(
            matches!(&refused, Err(CrmError::Validation { field: f, .. }) if f == field),
            "{field}: {refused:?}"
        );
    }
    assert_eq!(count().await, before);

    let linked = EventInput {
        links: EventLinks {
            customer_id: Some(CustomerId(502)),
            ..EventLinks::default()
        },
        ..weekly_ny()
    };
    let made = crm
        .create_calendar_event(user(REP), linked, None)
        .await
        .expect("valid");
    assert_eq!(made.record["links"]["customer_id"], serde_json::json!(502));
    let id = id_of(&made);
    let after_create = count().await;
    let bad_patch = EventPatch {
        recurrence: Some(Recurrence {
            rule: "FREQ=DAILY;UNTIL=20200101T000000Z".into(),
            month_end: MonthEnd::Rfc,
        }),
        ..EventPatch::default()
    };
    let refused = crm.update_calendar_event(user(REP), id, bad_patch).await;
    assert!(
        matches!(&refused, Err(CrmError::Validation { field, .. }) if field == "recurrence"),
        "{refused:?}"
    );
    let off = crm
        .delete_calendar_occurrence(user(REP), id, at("2024-03-05T09:00:00"))
        .await;
    assert!(
        matches!(&off, Err(CrmError::Validation { field, .. }) if field == "original_start"),
        "{off:?}"
    );
    let long = crm
        .calendar_occurrences(
            user(REP),
            None,
            utc("2024-01-01T00:00:00Z"),
            utc("2025-01-01T00:00:01Z"),
        )
        .await;
    assert!(
        matches!(&long, Err(CrmError::Validation { field, .. }) if field == "to"),
        "{long:?}"
    );
    assert_eq!(count().await, after_create);
}
