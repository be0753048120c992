//! The first-contact clock of leads on every store: started when a lead gets an owner,
//! warned and breached exactly once each by scheduled work on both sides of each moment,
//! never for a lead contacted in time, converted or merged, across a weekend and a holiday
//! of the tenant's calendar; bad settings refused.

use crate::error::CrmError;
use crate::followup::{FollowUpKind, NewLeadFollowUp};
use crate::ids::{BusinessCalendarId, LeadId};
use crate::lead::{FirstContactSettings, Lead, LeadInput, LeadSettings, LeadStatus};
use crate::service::ConvertLead;
use crate::sla::{Calendar, WarningLead};
use crate::store::{Changes, Entity, Filter, Query, Store, StoreExt};
use crate::tenant::TenantSettings;
use crate::testkit::fixture::*;
use crate::Actor;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use std::sync::Arc;

/// 2026-03-`day` at `h:m:s` UTC (the 2nd is a Monday).
fn march(day: u32, h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, h, m, s)
        .single()
        .unwrap_or_default()
}

/// A UTC calendar, weekdays 10:00–18:00, Monday 2026-03-09 a holiday; tenant 1 sets first
/// contact within 4 business hours, warned 30 business minutes before.
async fn first_contact_in_four_hours<S: Store>(f: &Fixture<S>) -> BusinessCalendarId {
    let sys = Actor::system(T1);
    let calendar = Calendar::new("UTC")
        .with_weekdays(&[("10:00", "18:00")])
        .with_holiday(NaiveDate::from_ymd_opt(2026, 3, 9).unwrap_or_default());
    let cal = f
        .crm
        .save_calendar(sys, None, "leads", calendar)
        .await
        .expect("calendar")
        .id;
    let tenant = f.crm.get_tenant(sys).await.expect("tenant");
    let settings = |calendar_id, business_hours| TenantSettings {
        leads: LeadSettings {
            first_contact: Some(FirstContactSettings {
                calendar_id,
                business_hours,
                warning: WarningLead::Minutes { minutes: 30 },
            }),
            ..LeadSettings::default()
        },
        ..tenant.settings.clone()
    };
    // Bad settings name their field and change nothing.
    for (bad, field) in [
        (
            settings(BusinessCalendarId(cal.0 + 1000), 4),
            "settings.leads.first_contact.calendar_id",
        ),
        (
            settings(cal, 0),
            "settings.leads.first_contact.business_hours",
        ),
    ] {
        let refused = f.crm.setup_tenant(sys, &tenant.name, bad).await;
        assert!(
            matches!(&refused, Err(CrmError::Validation { field: got, .. }) if got == field),
            "{refused:?}"
        );
    }
    let unchanged = f.crm.get_tenant(sys).await.expect("tenant");
    assert_eq!(unchanged.version, tenant.version);
    f.crm
        .setup_tenant(sys, &tenant.name, settings(cal, 4))
        .await
        .expect("settings");
    cal
}

fn plain_conversion(id: LeadId) -> ConvertLead {
    ConvertLead {
        id,
        customer_id: None,
        contact: false,
        opportunity: None,
        convert_unqualified: false,
    }
}

fn named(name: &str) -> LeadInput {
    LeadInput {
        name: name.into(),
        ..LeadInput::default()
    }
}

async fn create<S: Store>(f: &Fixture<S>, actor: Actor, input: LeadInput) -> LeadId {
    let shown = f.crm.create_lead(actor, input, None).await.expect("lead");
    LeadId(shown.record["id"].as_i64().unwrap_or_default())
}

async fn contact<S: Store>(f: &Fixture<S>, lead: LeadId, at: DateTime<Utc>) {
    f.clock.set(at);
    f.crm
        .add_lead_followup(
            user(REP),
            NewLeadFollowUp {
                lead_id: lead,
                kind: FollowUpKind::Call,
                content: "打了电话".into(),
                at: None,
                location: None,
                next_followup_at: None,
            },
        )
        .await
        .expect("follow-up");
}

async fn stored<S: Store>(store: &Arc<S>, id: LeadId) -> Lead {
    store.load(T1, id).await.expect("load").expect("lead")
}

/// Runs scheduled work at each instant and checks `(due soon, breached)` it reported.
async fn runs<S: Store>(f: &Fixture<S>, steps: &[(DateTime<Utc>, (u64, u64))]) {
    for (at, expected) in steps {
        let r = f.crm.run_due_work(T1, *at).await.expect("due work");
        let got = (r.lead_first_contact.due_soon, r.lead_first_contact.breached);
        assert_eq!(got, *expected, "at {at}");
    }
}

/// The record ids of the events of `kind`, in order.
async fn fired<S: Store>(f: &Fixture<S>, kind: &str) -> Vec<i64> {
    let events = f
        .crm
        .events_after(Actor::system(T1), 0, 1000)
        .await
        .expect("events");
    events
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.record_id)
        .collect()
}

/// Warned once, breached once, each on its boundary; nothing for leads contacted in time,
/// converted, merged or without an owner; a lead assigned later starts its clock then.
pub async fn lead_first_contact_fires_once_on_each_boundary<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store.clone()).await;
    let sys = Actor::system(T1);
    first_contact_in_four_hours(&f).await;
    f.clock.set(march(2, 10, 0, 0));
    let late = create(
        &f,
        user(REP),
        LeadInput {
            phone: Some("13812345678".into()),
            ..named("迟到")
        },
    )
    .await;
    let clock = stored(&store, late).await.first_contact.expect("a clock");
    assert_eq!(
        (clock.started_at, clock.warn_at, clock.due_at),
        (march(2, 10, 0, 0), march(2, 13, 30, 0), march(2, 14, 0, 0))
    );
    let seen = f.crm.get_lead(user(REP), late).await.expect("get");
    assert_eq!(
        seen.record["first_contact"]["due_at"],
        "2026-03-02T14:00:00Z"
    );
    let in_time = create(&f, user(REP), named("及时")).await;
    let warned_only = create(&f, user(REP), named("提醒后联系")).await;
    let converted = create(&f, user(REP), named("已转化")).await;
    let unowned = create(&f, sys, named("待分配")).await;
    // A duplicate folded into an open lead at intake is never worked: no clock.
    let merged = create(
        &f,
        user(REP2),
        LeadInput {
            phone: Some("138 1234 5678".into()),
            ..named("重复")
        },
    )
    .await;
    for id in [unowned, merged] {
        let lead = stored(&store, id).await;
        assert_eq!(lead.first_contact, None, "{lead:?}");
    }
    assert_eq!(stored(&store, merged).await.status, LeadStatus::Merged);

    contact(&f, in_time, march(2, 11, 0, 0)).await;
    // Converted at 12:00, assigned at 12:00: the clock starts then (due 16:00, warned 15:30).
    f.clock.set(march(2, 12, 0, 0));
    f.crm
        .convert_lead(sys, plain_conversion(converted))
        .await
        .expect("convert");
    f.crm
        .assign_lead(sys, unowned, Some(REP2), false, None)
        .await
        .expect("assign");
    let assigned = unowned;
    assert_eq!(
        stored(&store, assigned)
            .await
            .first_contact
            .map(|c| c.due_at),
        Some(march(2, 16, 0, 0))
    );

    runs(
        &f,
        &[
            (march(2, 13, 29, 59), (0, 0)),
            (march(2, 13, 30, 0), (2, 0)),
            (march(2, 13, 30, 0), (0, 0)),
        ],
    )
    .await;
    contact(&f, warned_only, march(2, 13, 45, 0)).await;
    runs(
        &f,
        &[
            (march(2, 13, 59, 59), (0, 0)),
            (march(2, 14, 0, 0), (0, 1)),
            (march(2, 14, 0, 0), (0, 0)),
            (march(2, 15, 29, 59), (0, 0)),
            (march(2, 15, 30, 0), (1, 0)),
            (march(2, 15, 59, 59), (0, 0)),
            (march(2, 16, 0, 0), (0, 1)),
            (march(2, 16, 0, 0), (0, 0)),
            (march(3, 18, 0, 0), (0, 0)),
        ],
    )
    .await;
    assert_eq!(
        fired(&f, "LeadFirstContactDueSoon").await,
        [late.0, warned_only.0, assigned.0]
    );
    assert_eq!(
        fired(&f, "LeadFirstContactBreached").await,
        [late.0, assigned.0]
    );
    let w = stored(&store, warned_only).await;
    assert_eq!(w.first_contacted_at, Some(march(2, 13, 45, 0)));
    assert!(w
        .first_contact
        .is_some_and(|c| c.warning_done && !c.breached));
    assert!(stored(&store, late)
        .await
        .first_contact
        .is_some_and(|c| c.breached));
    for id in [in_time, converted] {
        let c = stored(&store, id).await.first_contact.expect("a clock");
        assert!(!c.warning_done && !c.breached, "{c:?}");
    }
    // Nothing is left to check on any lead: the indexed column is empty everywhere.
    let pending = store
        .count(&Query::new(Entity::Lead, T1).filter(Filter::not_null("first_contact_check_at")))
        .await
        .expect("count");
    assert_eq!(pending, 0);
    let audit = f
        .crm
        .record_audit(sys, "lead", late.0)
        .await
        .expect("audit");
    assert_eq!(
        audit
            .iter()
            .filter(|a| a.operation == "due_work.lead_first_contact")
            .count(),
        2
    );
}

/// A lead created on Friday evening: its four business hours run through the weekend and
/// the Monday holiday, so it is warned and breached on Tuesday, not Monday.
pub async fn lead_first_contact_crosses_weekend_and_holiday<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store.clone()).await;
    first_contact_in_four_hours(&f).await;
    f.clock.set(march(6, 17, 30, 0));
    let lead = create(&f, user(REP), named("周五晚上")).await;
    let clock = stored(&store, lead).await.first_contact.expect("a clock");
    // Half an hour on Friday, nothing on the weekend or the holiday, 3.5 hours on Tuesday.
    assert_eq!(
        (clock.warn_at, clock.due_at),
        (march(10, 13, 0, 0), march(10, 13, 30, 0))
    );
    runs(
        &f,
        &[
            (march(7, 12, 0, 0), (0, 0)),
            (march(9, 13, 30, 0), (0, 0)),
            (march(10, 12, 59, 59), (0, 0)),
            (march(10, 13, 0, 0), (1, 0)),
            (march(10, 13, 29, 59), (0, 0)),
            (march(10, 13, 30, 0), (0, 1)),
            (march(10, 13, 30, 0), (0, 0)),
            (march(11, 9, 0, 0), (0, 0)),
        ],
    )
    .await;
    assert_eq!(fired(&f, "LeadFirstContactDueSoon").await, [lead.0]);
    assert_eq!(fired(&f, "LeadFirstContactBreached").await, [lead.0]);
}

/// More leads due at once than one batch holds: each breached once, all in one run.
pub async fn lead_first_contact_sweeps_past_one_batch<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store.clone()).await;
    first_contact_in_four_hours(&f).await;
    f.clock.set(march(2, 10, 0, 0));
    let model = stored(&store, create(&f, user(REP), named("模板")).await).await;
    let n: u32 = 450;
    let first = store.allocate_ids(Entity::Lead, n).await.expect("ids");
    let mut changes = Changes::new(T1);
    for i in 0..n {
        let lead = Lead {
            id: LeadId(first + i64::from(i)),
            version: 1,
            name: format!("批量 {i}"),
            ..model.clone()
        };
        changes.insert(&lead).expect("insert");
    }
    store.apply(changes).await.expect("apply");
    runs(
        &f,
        &[
            (march(2, 14, 0, 0), (0, u64::from(n) + 1)),
            (march(2, 14, 0, 0), (0, 0)),
        ],
    )
    .await;
    assert_eq!(
        fired(&f, "LeadFirstContactBreached").await.len(),
        n as usize + 1
    );
}

/// A lead converted after its due moment, before the sweep ran, was still not reached in
/// time: the late sweep breaches it (once, and warns nothing after the fact); one converted
/// before its warning moment owes nothing. Leads assigned by the rules start their clock at
/// the assignment.
pub async fn lead_first_contact_counts_conversion_as_contact<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store.clone()).await;
    let sys = Actor::system(T1);
    first_contact_in_four_hours(&f).await;
    f.clock.set(march(2, 10, 0, 0));
    let early = create(&f, user(REP), named("早转化")).await;
    let late = create(&f, user(REP), named("晚转化")).await;
    f.clock.set(march(2, 13, 0, 0));
    f.crm
        .convert_lead(sys, plain_conversion(early))
        .await
        .expect("early");
    f.clock.set(march(2, 15, 0, 0));
    f.crm
        .convert_lead(sys, plain_conversion(late))
        .await
        .expect("late");
    runs(
        &f,
        &[(march(2, 15, 0, 0), (0, 1)), (march(2, 18, 0, 0), (0, 0))],
    )
    .await;
    assert_eq!(fired(&f, "LeadFirstContactBreached").await, [late.0]);
    assert!(fired(&f, "LeadFirstContactDueSoon").await.is_empty());

    // By the rules at 16:00 (Monday, two business hours left): due Tuesday 12:00.
    f.clock.set(march(2, 16, 0, 0));
    f.crm
        .set_assignment_rules(
            sys,
            crate::assignment::AssignmentRules {
                entries: vec![crate::assignment::Entry {
                    name: "rep".into(),
                    condition: crate::assignment::Condition::Always,
                    members: vec![],
                    strategy: crate::assignment::Strategy::Fixed { user: REP },
                    overflow: crate::assignment::OverflowTarget::User(MANAGER),
                }],
            },
        )
        .await
        .expect("rules");
    let shown = f
        .crm
        .create_lead_by_rules(sys, named("规则分配"))
        .await
        .expect("by rules");
    let id = LeadId(shown.record["id"].as_i64().unwrap_or_default());
    let clock = stored(&store, id).await.first_contact.expect("a clock");
    assert_eq!(clock.started_at, march(2, 16, 0, 0));
    assert_eq!(clock.due_at, march(3, 12, 0, 0));
}
