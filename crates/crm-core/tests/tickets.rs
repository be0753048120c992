//! Tickets through the service: reference deadlines (E and H cases) on real tickets,
//! pauses subtracted in business time, next-response behaviour, reopen with closed time as
//! paused (or not), routing to groups and least-loaded agents, rating once, the report.

use chrono::{DateTime, Duration, TimeZone, Utc};
use crm_core::customer::NewCustomer;
use crm_core::ids::CustomerId;
use crm_core::service::{MessageInput, SlaGroupBy, TicketView};
use crm_core::sla::{Calendar, MetricKind, PriorityTargets, SlaDisplay, SlaPolicy, Targets};
use crm_core::tenant::TenantSettings;
use crm_core::testkit::fixture::*;
use crm_core::testkit::MemoryStore;
use crm_core::ticket::{
    Channel, MessageAuthor, NewTicket, Priority, RouteTarget, RoutingRule, TicketGroup,
    TicketSettings, TicketStatus,
};
use crm_core::{Actor, CrmError};

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
        .single()
        .unwrap_or_default()
}

const H: i64 = 3600;

/// Calendar S (Mon–Fri 10–18 UTC, holidays 2019-02-11, 03-05, 03-07) and one default policy
/// with per-priority targets.
async fn setup(
    targets: PriorityTargets,
    holidays: &[(i32, u32, u32)],
    closed_counts: bool,
) -> (Fixture<MemoryStore>, CustomerId) {
    let f = Fixture::new(MemoryStore::new()).await;
    let sys = Actor::system(T1);
    let mut cal = Calendar::new("UTC").with_weekdays(&[("10:00", "18:00")]);
    for (y, m, d) in holidays {
        cal = cal.with_holiday(chrono::NaiveDate::from_ymd_opt(*y, *m, *d).expect("date"));
    }
    let cal = f
        .crm
        .save_calendar(sys, None, "S", cal)
        .await
        .expect("calendar");
    let policy = SlaPolicy {
        tenant: T1,
        id: crm_core::ids::SlaPolicyId(0),
        version: 0,
        name: "D".into(),
        position: 0,
        is_default: true,
        when: Default::default(),
        calendar_id: cal.id,
        targets,
        paused_statuses: vec![TicketStatus::WaitingOnCustomer, TicketStatus::OnHold],
        closed_counts_as_paused: closed_counts,
        warnings: vec![],
        escalations: vec![],
    };
    f.crm.save_sla_policy(sys, policy).await.expect("policy");
    let c = f
        .crm
        .create_customer(
            user(REP),
            NewCustomer {
                name: "客户".into(),
                ..Default::default()
            },
        )
        .await
        .expect("c")
        .record
        .id;
    (f, c)
}

fn all(t: Targets) -> PriorityTargets {
    PriorityTargets {
        low: t,
        normal: t,
        high: t,
        urgent: t,
    }
}

fn ticket(c: CustomerId, p: Priority) -> NewTicket {
    NewTicket {
        customer_id: c,
        subject: "问题".into(),
        description: String::new(),
        channel: Channel::Email,
        category: None,
        priority: p,
        assignee_id: Some(SERVICE),
        group: None,
    }
}

async fn create(
    f: &Fixture<MemoryStore>,
    c: CustomerId,
    p: Priority,
    when: DateTime<Utc>,
) -> crm_core::ticket::Ticket {
    f.clock.set(when);
    f.crm
        .create_ticket(Actor::system(T1), ticket(c, p))
        .await
        .expect("ticket")
        .decode::<crm_core::service::TicketView>()
        .expect("typed record")
        .ticket
}

fn due(t: &crm_core::ticket::Ticket, kind: MetricKind) -> DateTime<Utc> {
    t.sla
        .as_ref()
        .and_then(|s| s.latest(kind))
        .map(|m| m.due_at)
        .expect("metric")
}

const HOLIDAYS_S: [(i32, u32, u32); 3] = [(2019, 2, 11), (2019, 3, 5), (2019, 3, 7)];

#[tokio::test]
async fn reference_e_cases_on_real_tickets() {
    let d = all(Targets {
        first_response_secs: 4 * H,
        next_response_secs: 0,
        resolution_secs: 6 * H,
    });
    let (f, c) = setup(d, &HOLIDAYS_S, true).await;
    let cases = [
        (
            at(2019, 3, 4, 12, 0, 0),
            at(2019, 3, 4, 16, 0, 0),
            at(2019, 3, 4, 18, 0, 0),
        ),
        (
            at(2019, 3, 4, 7, 0, 0),
            at(2019, 3, 4, 14, 0, 0),
            at(2019, 3, 4, 16, 0, 0),
        ),
        (
            at(2019, 3, 4, 20, 0, 0),
            at(2019, 3, 6, 14, 0, 0),
            at(2019, 3, 6, 16, 0, 0),
        ),
        (
            at(2019, 3, 4, 14, 0, 0),
            at(2019, 3, 4, 18, 0, 0),
            at(2019, 3, 6, 12, 0, 0),
        ),
    ];
    for (created, fr, res) in cases {
        let t = create(&f, c, Priority::Normal, created).await;
        assert_eq!(
            (
                due(&t, MetricKind::FirstResponse),
                due(&t, MetricKind::Resolution)
            ),
            (fr, res),
            "created {created}"
        );
    }
    // E5: created 14:00, resolved 15:00 → resolution achieved.
    let t = create(&f, c, Priority::Normal, at(2019, 3, 4, 14, 0, 0)).await;
    f.clock.set(at(2019, 3, 4, 15, 0, 0));
    let done = f
        .crm
        .set_ticket_status(Actor::system(T1), t.id, TicketStatus::Resolved)
        .await
        .expect("resolve")
        .decode::<crm_core::service::TicketView>()
        .expect("typed record")
        .ticket;
    let res = done
        .sla
        .as_ref()
        .and_then(|s| s.latest(MetricKind::Resolution))
        .expect("resolution");
    assert_eq!(res.achieved, Some(true));
    // E1: a policy of 2 h / 3 h.
    let (f, c) = setup(
        all(Targets {
            first_response_secs: 2 * H,
            next_response_secs: 0,
            resolution_secs: 3 * H,
        }),
        &HOLIDAYS_S,
        true,
    )
    .await;
    let t = create(&f, c, Priority::Normal, at(2019, 3, 4, 12, 0, 0)).await;
    assert_eq!(
        (
            due(&t, MetricKind::FirstResponse),
            due(&t, MetricKind::Resolution)
        ),
        (at(2019, 3, 4, 14, 0, 0), at(2019, 3, 4, 15, 0, 0))
    );
}

fn h_targets() -> PriorityTargets {
    PriorityTargets {
        low: Targets {
            first_response_secs: 24 * H,
            next_response_secs: 0,
            resolution_secs: 72 * H,
        },
        normal: Targets {
            first_response_secs: 8 * H,
            next_response_secs: 0,
            resolution_secs: 24 * H,
        },
        high: Targets {
            first_response_secs: H,
            next_response_secs: 0,
            resolution_secs: 4 * H,
        },
        urgent: Targets {
            first_response_secs: H / 2,
            next_response_secs: 0,
            resolution_secs: 2 * H,
        },
    }
}

#[tokio::test]
async fn reference_h_cases_per_priority() {
    let (f, c) = setup(h_targets(), &[], true).await;
    let cases = [
        (
            Priority::High,
            at(2025, 1, 6, 11, 0, 0),
            at(2025, 1, 6, 12, 0, 0),
            at(2025, 1, 6, 15, 0, 0),
        ),
        (
            Priority::High,
            at(2025, 1, 6, 8, 0, 0),
            at(2025, 1, 6, 11, 0, 0),
            at(2025, 1, 6, 14, 0, 0),
        ),
        (
            Priority::Urgent,
            at(2025, 1, 6, 20, 0, 0),
            at(2025, 1, 7, 10, 30, 0),
            at(2025, 1, 7, 12, 0, 0),
        ),
        (
            Priority::Low,
            at(2025, 1, 11, 15, 0, 0),
            at(2025, 1, 15, 18, 0, 0),
            at(2025, 1, 23, 18, 0, 0),
        ),
        (
            Priority::Urgent,
            at(2025, 1, 10, 17, 0, 0),
            at(2025, 1, 10, 17, 30, 0),
            at(2025, 1, 13, 11, 0, 0),
        ),
        (
            Priority::High,
            at(2025, 1, 10, 19, 0, 0),
            at(2025, 1, 13, 11, 0, 0),
            at(2025, 1, 13, 14, 0, 0),
        ),
    ];
    for (p, created, fr, res) in cases {
        let t = create(&f, c, p, created).await;
        assert_eq!(
            (
                due(&t, MetricKind::FirstResponse),
                due(&t, MetricKind::Resolution)
            ),
            (fr, res),
            "{p:?} at {created}"
        );
    }
    // H7: Thursday and Friday holidays.
    let (f, c) = setup(h_targets(), &[(2025, 1, 9), (2025, 1, 10)], true).await;
    let t = create(&f, c, Priority::Urgent, at(2025, 1, 9, 15, 0, 0)).await;
    assert_eq!(
        (
            due(&t, MetricKind::FirstResponse),
            due(&t, MetricKind::Resolution)
        ),
        (at(2025, 1, 13, 10, 30, 0), at(2025, 1, 13, 12, 0, 0))
    );
}

#[tokio::test]
async fn h8_pauses_are_subtracted_in_business_time() {
    for (pause, expected) in [
        (3600, at(2025, 1, 9, 18, 0, 0)),
        (3601, at(2025, 1, 10, 10, 0, 1)),
    ] {
        let (f, c) = setup(h_targets(), &[], true).await;
        let t = create(&f, c, Priority::Urgent, at(2025, 1, 9, 15, 0, 0)).await;
        f.clock.set(at(2025, 1, 9, 15, 0, 0));
        f.crm
            .set_ticket_status(Actor::system(T1), t.id, TicketStatus::OnHold)
            .await
            .expect("hold");
        f.clock
            .set(at(2025, 1, 9, 15, 0, 0) + Duration::seconds(pause));
        let resumed = f
            .crm
            .set_ticket_status(Actor::system(T1), t.id, TicketStatus::Open)
            .await
            .expect("resume")
            .decode::<crm_core::service::TicketView>()
            .expect("typed record")
            .ticket;
        let m = resumed
            .sla
            .as_ref()
            .and_then(|s| s.latest(MetricKind::Resolution))
            .expect("resolution");
        assert_eq!(
            (m.due_at, m.paused_secs),
            (expected, pause),
            "pause of {pause} s"
        );
    }
    // A pause entirely outside working hours moves nothing.
    let (f, c) = setup(h_targets(), &[], true).await;
    let t = create(&f, c, Priority::High, at(2025, 1, 6, 8, 0, 0)).await;
    f.clock.set(at(2025, 1, 6, 8, 30, 0));
    let paused = f
        .crm
        .set_ticket_status(Actor::system(T1), t.id, TicketStatus::WaitingOnCustomer)
        .await
        .expect("wait")
        .decode::<crm_core::service::TicketView>()
        .expect("typed record")
        .ticket;
    assert_eq!(
        paused
            .sla
            .as_ref()
            .map(|s| crm_core::sla::display(s, at(2025, 1, 6, 8, 30, 0))),
        Some(SlaDisplay::Paused)
    );
    f.clock.set(at(2025, 1, 6, 9, 30, 0));
    let back = f
        .crm
        .set_ticket_status(Actor::system(T1), t.id, TicketStatus::Open)
        .await
        .expect("open")
        .decode::<crm_core::service::TicketView>()
        .expect("typed record")
        .ticket;
    assert_eq!(due(&back, MetricKind::Resolution), at(2025, 1, 6, 14, 0, 0));
}

#[tokio::test]
async fn metrics_report_business_time_taken_and_paused() {
    // Calendar S, Thursday 2025-01-09: created 15:00, on hold 15:00 until 15:00 + pause,
    // resolved 17:00. Taken = 2 h of business time minus the pause; paused = the pause.
    for pause in [3599, 3600, 3601] {
        let (f, c) = setup(h_targets(), &[], true).await;
        let t = create(&f, c, Priority::Urgent, at(2025, 1, 9, 15, 0, 0)).await;
        f.crm
            .set_ticket_status(Actor::system(T1), t.id, TicketStatus::OnHold)
            .await
            .expect("hold");
        f.clock
            .set(at(2025, 1, 9, 15, 0, 0) + Duration::seconds(pause));
        f.crm
            .set_ticket_status(Actor::system(T1), t.id, TicketStatus::Open)
            .await
            .expect("resume");
        f.clock.set(at(2025, 1, 9, 17, 0, 0));
        let done = f
            .crm
            .set_ticket_status(Actor::system(T1), t.id, TicketStatus::Resolved)
            .await
            .expect("resolve")
            .decode::<crm_core::service::TicketView>()
            .expect("typed record")
            .ticket;
        let m = done
            .sla
            .as_ref()
            .and_then(|s| s.latest(MetricKind::Resolution))
            .expect("resolution");
        assert_eq!(
            (m.taken_secs, m.paused_secs, m.target_secs),
            (2 * H - pause, pause, 2 * H),
            "pause of {pause} s"
        );
        assert_eq!(m.achieved, Some(true));
    }
}

#[tokio::test]
async fn next_response_starts_once_per_unanswered_customer_message() {
    let (f, c) = setup(
        all(Targets {
            first_response_secs: H,
            next_response_secs: 2 * H,
            resolution_secs: 8 * H,
        }),
        &[],
        true,
    )
    .await;
    let sys = Actor::system(T1);
    let t = create(&f, c, Priority::Normal, at(2025, 1, 6, 10, 0, 0)).await;
    let msg = |author, public| MessageInput {
        author,
        public,
        body: "…".into(),
    };
    f.clock.set(at(2025, 1, 6, 10, 20, 0));
    let v = f
        .crm
        .add_ticket_message(sys, t.id, msg(MessageAuthor::Agent, false))
        .await
        .expect("note")
        .decode::<crm_core::service::TicketView>()
        .expect("typed record")
        .ticket;
    assert!(
        v.sla
            .as_ref()
            .and_then(|s| s.latest(MetricKind::FirstResponse))
            .is_some_and(|m| m.is_open()),
        "internal notes are no response"
    );
    f.clock.set(at(2025, 1, 6, 10, 30, 0));
    let v = f
        .crm
        .add_ticket_message(sys, t.id, msg(MessageAuthor::Agent, true))
        .await
        .expect("reply")
        .decode::<crm_core::service::TicketView>()
        .expect("typed record")
        .ticket;
    assert_eq!(
        v.sla
            .as_ref()
            .and_then(|s| s.latest(MetricKind::FirstResponse))
            .and_then(|m| m.achieved),
        Some(true)
    );
    assert_eq!(v.status, TicketStatus::Open);
    f.clock.set(at(2025, 1, 6, 11, 0, 0));
    f.crm
        .add_ticket_message(sys, t.id, msg(MessageAuthor::Customer, true))
        .await
        .expect("customer");
    f.clock.set(at(2025, 1, 6, 12, 0, 0));
    let v = f
        .crm
        .add_ticket_message(sys, t.id, msg(MessageAuthor::Customer, true))
        .await
        .expect("again")
        .decode::<crm_core::service::TicketView>()
        .expect("typed record")
        .ticket;
    let nr = v
        .sla
        .as_ref()
        .and_then(|s| s.latest(MetricKind::NextResponse))
        .expect("next response");
    assert_eq!(
        (nr.started_at, nr.due_at),
        (at(2025, 1, 6, 11, 0, 0), at(2025, 1, 6, 13, 0, 0)),
        "repeated messages do not move it"
    );
    f.clock.set(at(2025, 1, 6, 13, 0, 1));
    let v = f
        .crm
        .add_ticket_message(sys, t.id, msg(MessageAuthor::Agent, true))
        .await
        .expect("late reply")
        .decode::<crm_core::service::TicketView>()
        .expect("typed record")
        .ticket;
    let nr = v
        .sla
        .as_ref()
        .and_then(|s| s.latest(MetricKind::NextResponse))
        .expect("next response");
    assert_eq!((nr.achieved, nr.breached_by_secs), (Some(false), Some(1)));
    assert_eq!(
        crm_core::sla::display(v.sla.as_ref().expect("sla"), at(2025, 1, 6, 13, 0, 1)),
        SlaDisplay::Breached
    );
}

#[tokio::test]
async fn reopen_counts_closed_time_as_paused_unless_the_policy_says_otherwise() {
    for (counts, expected) in [
        (true, at(2025, 1, 13, 12, 0, 0)),
        (false, at(2025, 1, 6, 14, 0, 0)),
    ] {
        let (f, c) = setup(
            all(Targets {
                first_response_secs: H,
                next_response_secs: 0,
                resolution_secs: 4 * H,
            }),
            &[],
            counts,
        )
        .await;
        let sys = Actor::system(T1);
        let t = create(&f, c, Priority::Normal, at(2025, 1, 6, 10, 0, 0)).await;
        f.clock.set(at(2025, 1, 6, 12, 0, 0));
        f.crm
            .set_ticket_status(sys, t.id, TicketStatus::Resolved)
            .await
            .expect("resolve");
        f.clock.set(at(2025, 1, 13, 10, 0, 0));
        let v = f
            .crm
            .set_ticket_status(sys, t.id, TicketStatus::Open)
            .await
            .expect("reopen")
            .decode::<crm_core::service::TicketView>()
            .expect("typed record")
            .ticket;
        assert_eq!(
            (due(&v, MetricKind::Resolution), v.reopened),
            (expected, 1),
            "closed counts as paused: {counts}"
        );
    }
}

#[tokio::test]
async fn routing_sends_vip_urgent_tickets_to_the_senior_group_least_loaded() {
    let (f, c) = setup(h_targets(), &[], true).await;
    let sys = Actor::system(T1);
    let tickets = TicketSettings {
        groups: vec![
            TicketGroup {
                name: "senior".into(),
                agents: vec![MANAGER, BOSS],
            },
            TicketGroup {
                name: "first line".into(),
                agents: vec![SERVICE],
            },
        ],
        routing: vec![
            RoutingRule {
                keywords: vec![],
                channels: vec![],
                tiers: vec!["重要价值".into()],
                priorities: vec![Priority::Urgent],
                to: RouteTarget::Group {
                    name: "senior".into(),
                },
            },
            RoutingRule {
                keywords: vec!["发票".into(), "invoice".into()],
                channels: vec![],
                tiers: vec![],
                priorities: vec![],
                to: RouteTarget::Agent { user_id: FINANCE },
            },
            RoutingRule {
                keywords: vec![],
                channels: vec![],
                tiers: vec![],
                priorities: vec![],
                to: RouteTarget::Group {
                    name: "first line".into(),
                },
            },
        ],
    };
    f.crm
        .setup_tenant(
            sys,
            "tenant 1",
            TenantSettings {
                tickets,
                ..TenantSettings::default()
            },
        )
        .await
        .expect("settings");
    let vip = f
        .crm
        .create_customer(
            user(REP),
            NewCustomer {
                name: "VIP".into(),
                ..Default::default()
            },
        )
        .await
        .expect("vip")
        .record
        .id;
    for i in 0..5 {
        f.crm
            .record_purchase(
                sys,
                crm_core::tier::PurchaseInput {
                    customer_id: vip,
                    kind: crm_core::tier::PurchaseKind::Order,
                    at: start() - Duration::days(i),
                    amount: 50_000.into(),
                    currency: "CNY".into(),
                    reference: None,
                },
            )
            .await
            .expect("buy");
    }
    let routed = |c, p, subject: &str| NewTicket {
        subject: subject.into(),
        assignee_id: None,
        ..ticket(c, p)
    };
    let a = f
        .crm
        .create_ticket(sys, routed(vip, Priority::Urgent, "系统宕机"))
        .await
        .expect("a")
        .decode::<crm_core::service::TicketView>()
        .expect("typed record")
        .ticket;
    assert_eq!(
        (a.group.as_deref(), a.assignee_id),
        (Some("senior"), Some(MANAGER))
    );
    let b = f
        .crm
        .create_ticket(sys, routed(vip, Priority::Urgent, "又宕机"))
        .await
        .expect("b")
        .decode::<crm_core::service::TicketView>()
        .expect("typed record")
        .ticket;
    assert_eq!(b.assignee_id, Some(BOSS), "least-loaded agent of the group");
    let invoice = f
        .crm
        .create_ticket(sys, routed(c, Priority::Normal, "Invoice copy please"))
        .await
        .expect("inv")
        .decode::<crm_core::service::TicketView>()
        .expect("typed record")
        .ticket;
    assert_eq!(invoice.assignee_id, Some(FINANCE));
    let plain = f
        .crm
        .create_ticket(sys, routed(vip, Priority::Normal, "问题"))
        .await
        .expect("plain")
        .decode::<crm_core::service::TicketView>()
        .expect("typed record")
        .ticket;
    assert_eq!(
        (plain.group.as_deref(), plain.assignee_id),
        (Some("first line"), Some(SERVICE))
    );
}

#[tokio::test]
async fn satisfaction_once_after_resolution_and_the_report() {
    let (f, c) = setup(
        all(Targets {
            first_response_secs: H,
            next_response_secs: 0,
            resolution_secs: 4 * H,
        }),
        &[],
        true,
    )
    .await;
    let sys = Actor::system(T1);
    let a = create(&f, c, Priority::Normal, at(2025, 1, 6, 10, 0, 0)).await;
    create(&f, c, Priority::High, at(2025, 1, 6, 10, 0, 0)).await;
    assert!(
        matches!(f.crm.rate_ticket(sys, a.id, 5, None).await, Err(CrmError::RuleViolation { rule, .. }) if rule == "not_resolved")
    );
    f.clock.set(at(2025, 1, 6, 10, 30, 0));
    f.crm
        .add_ticket_message(
            sys,
            a.id,
            MessageInput {
                author: MessageAuthor::Agent,
                public: true,
                body: "在处理".into(),
            },
        )
        .await
        .expect("reply");
    f.crm
        .set_ticket_status(sys, a.id, TicketStatus::Resolved)
        .await
        .expect("resolve");
    assert!(
        matches!(f.crm.rate_ticket(sys, a.id, 0, None).await, Err(CrmError::Validation { field, .. }) if field == "rating")
    );
    assert!(matches!(
        f.crm.rate_ticket(sys, a.id, 6, None).await,
        Err(CrmError::Validation { .. })
    ));
    f.crm
        .rate_ticket(sys, a.id, 5, Some("很快".into()))
        .await
        .expect("rate");
    assert!(
        matches!(f.crm.rate_ticket(sys, a.id, 4, None).await, Err(CrmError::RuleViolation { rule, .. }) if rule == "already_rated")
    );
    f.clock.set(at(2025, 1, 6, 16, 0, 0));
    f.crm
        .run_due_work(T1, at(2025, 1, 6, 16, 0, 0))
        .await
        .expect("sweep");
    let rows = f
        .crm
        .sla_report(
            sys,
            at(2025, 1, 6, 0, 0, 0),
            at(2025, 1, 7, 0, 0, 0),
            SlaGroupBy::Priority,
        )
        .await
        .expect("report");
    let normal = rows.iter().find(|r| r.key == "normal").expect("normal row");
    assert_eq!(
        (
            normal.first_response.met,
            normal.resolution.met,
            normal.median_first_response_secs
        ),
        (1, 1, Some(1800))
    );
    let high = rows.iter().find(|r| r.key == "high").expect("high row");
    assert_eq!(
        (
            high.first_response.breached,
            high.resolution.breached,
            high.breaches
        ),
        (1, 1, 2)
    );
    assert_eq!(high.first_response.compliance_pct, Some(0.into()));
    assert!(matches!(
        f.crm
            .sla_report(
                sys,
                at(2025, 1, 7, 0, 0, 0),
                at(2025, 1, 6, 0, 0, 0),
                SlaGroupBy::All
            )
            .await,
        Err(CrmError::Validation { .. })
    ));
}

#[tokio::test]
async fn calendar_edits_reapply_and_percent_warnings_and_escalation_actions() {
    let f = Fixture::new(MemoryStore::new()).await;
    let sys = Actor::system(T1);
    let cal = f
        .crm
        .save_calendar(
            sys,
            None,
            "S",
            Calendar::new("UTC").with_weekdays(&[("10:00", "18:00")]),
        )
        .await
        .expect("calendar");
    let escalations = vec![
        crm_core::sla::Escalation {
            after_secs: 600,
            action: crm_core::sla::EscalationAction::RaisePriority,
        },
        crm_core::sla::Escalation {
            after_secs: 1200,
            action: crm_core::sla::EscalationAction::ReassignGroup {
                group: "senior".into(),
            },
        },
    ];
    let policy = SlaPolicy {
        tenant: T1,
        id: crm_core::ids::SlaPolicyId(0),
        version: 0,
        name: "P".into(),
        position: 0,
        is_default: true,
        when: Default::default(),
        calendar_id: cal.id,
        targets: all(Targets {
            first_response_secs: 4 * H,
            next_response_secs: 0,
            resolution_secs: 0,
        }),
        paused_statuses: vec![TicketStatus::OnHold],
        closed_counts_as_paused: true,
        warnings: vec![crm_core::sla::WarningLead::Percent { percent: 25 }],
        escalations,
    };
    let policy = f.crm.save_sla_policy(sys, policy).await.expect("policy");
    let tickets = TicketSettings {
        groups: vec![TicketGroup {
            name: "senior".into(),
            agents: vec![BOSS],
        }],
        routing: vec![],
    };
    f.crm
        .setup_tenant(
            sys,
            "tenant 1",
            TenantSettings {
                tickets,
                ..TenantSettings::default()
            },
        )
        .await
        .expect("settings");
    let c = f
        .crm
        .create_customer(
            user(REP),
            NewCustomer {
                name: "c".into(),
                ..Default::default()
            },
        )
        .await
        .expect("c")
        .record
        .id;
    let t = create(&f, c, Priority::Normal, at(2025, 1, 6, 10, 0, 0)).await;
    assert_eq!(due(&t, MetricKind::FirstResponse), at(2025, 1, 6, 14, 0, 0));
    // 25 % of 4 h = 1 h before: warn at 13:00.
    let r = f
        .crm
        .run_due_work(T1, at(2025, 1, 6, 12, 59, 59))
        .await
        .expect("due");
    assert_eq!(r.sla.warnings, 0);
    let r = f
        .crm
        .run_due_work(T1, at(2025, 1, 6, 13, 0, 0))
        .await
        .expect("due");
    assert_eq!(r.sla.warnings, 1);
    // Breach at 14:00; +10 business minutes raises the priority, +20 moves it to the group.
    let r = f
        .crm
        .run_due_work(T1, at(2025, 1, 6, 14, 10, 0))
        .await
        .expect("due");
    assert_eq!((r.sla.breaches, r.sla.escalations), (1, 1));
    assert_eq!(
        f.crm
            .get_ticket(sys, t.id)
            .await
            .expect("t")
            .decode::<TicketView>()
            .expect("whole ticket")
            .ticket
            .priority,
        Priority::High
    );
    f.crm
        .run_due_work(T1, at(2025, 1, 6, 14, 20, 0))
        .await
        .expect("due");
    let moved = f
        .crm
        .get_ticket(sys, t.id)
        .await
        .expect("t")
        .decode::<TicketView>()
        .expect("whole ticket")
        .ticket;
    assert_eq!(
        (moved.group.as_deref(), moved.assignee_id),
        (Some("senior"), Some(BOSS))
    );

    // A calendar edit (opening at 09:00) re-applied to a new ticket moves its deadline and
    // records the versions used.
    let t2 = create(&f, c, Priority::Normal, at(2025, 1, 7, 8, 0, 0)).await;
    assert_eq!(
        due(&t2, MetricKind::FirstResponse),
        at(2025, 1, 7, 14, 0, 0)
    );
    let edited = f
        .crm
        .save_calendar(
            sys,
            Some(cal.id.into()),
            "S",
            Calendar::new("UTC").with_weekdays(&[("09:00", "18:00")]),
        )
        .await
        .expect("edit");
    let again = f
        .crm
        .reapply_sla(sys, t2.id)
        .await
        .expect("reapply")
        .decode::<crm_core::service::TicketView>()
        .expect("typed record")
        .ticket;
    assert_eq!(
        due(&again, MetricKind::FirstResponse),
        at(2025, 1, 7, 13, 0, 0)
    );
    let sla = again.sla.expect("sla");
    assert_eq!(
        (sla.calendar_version, sla.policy_id, sla.policy_version),
        (edited.version, policy.id, policy.version)
    );
}

#[tokio::test]
async fn a_ticket_closed_without_response_and_reopened_still_waits_for_its_reply() {
    let (f, c) = setup(
        all(Targets {
            first_response_secs: H,
            next_response_secs: 0,
            resolution_secs: 4 * H,
        }),
        &[],
        true,
    )
    .await;
    let sys = Actor::system(T1);
    let t = create(&f, c, Priority::Normal, at(2025, 1, 6, 10, 0, 0)).await;
    f.clock.set(at(2025, 1, 6, 10, 20, 0));
    f.crm
        .set_ticket_status(sys, t.id, TicketStatus::Closed)
        .await
        .expect("close");
    f.clock.set(at(2025, 1, 6, 13, 0, 0));
    let reopened = f
        .crm
        .set_ticket_status(sys, t.id, TicketStatus::Open)
        .await
        .expect("reopen")
        .decode::<crm_core::service::TicketView>()
        .expect("typed record");
    let fr = reopened
        .ticket
        .sla
        .as_ref()
        .and_then(|s| s.latest(MetricKind::FirstResponse))
        .expect("first response");
    assert_eq!((fr.completed_at, fr.stopped), (None, None), "running again");
    // Closed 10:20–13:00 counts as paused: due 11:00 + 2 h 40 min.
    assert_eq!(fr.due_at, at(2025, 1, 6, 13, 40, 0));
    f.clock.set(at(2025, 1, 6, 13, 30, 0));
    let replied = f
        .crm
        .add_ticket_message(
            sys,
            t.id,
            MessageInput {
                author: MessageAuthor::Agent,
                public: true,
                body: "在处理".into(),
            },
        )
        .await
        .expect("reply")
        .decode::<crm_core::service::TicketView>()
        .expect("typed record");
    let fr = replied
        .ticket
        .sla
        .as_ref()
        .and_then(|s| s.latest(MetricKind::FirstResponse))
        .expect("first response");
    assert_eq!((fr.achieved, fr.stopped), (Some(true), None));
}
