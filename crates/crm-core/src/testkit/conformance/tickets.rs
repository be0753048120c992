//! Tickets on every store: the assignee-or-customer scope in queries, and SLA warnings,
//! breaches and escalations that fire exactly once however often scheduled work runs.

use crate::access::{Action, DataScope, Grant, Module};
use crate::actor::Actor;
use crate::customer::NewCustomer;
use crate::error::CrmError;
use crate::service::{RoleInput, TicketFilter, UserInput};
use crate::sla::{Escalation, EscalationAction, Targets};
use crate::store::Store;
use crate::testkit::fixture::*;
use crate::ticket::{Channel, NewTicket, Priority};
use chrono::{TimeZone, Utc};
use std::sync::Arc;

/// Scope pushed down for tickets; warnings, breaches and escalations fire once.
pub async fn tickets_scope_and_sla_fire_once<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store).await;
    let sys = Actor::system(T1);
    let escalate = vec![Escalation {
        after_secs: 1800,
        action: EscalationAction::NotifySupervisor,
    }];
    f.sla(
        Targets {
            first_response_secs: 3600,
            next_response_secs: 1800,
            resolution_secs: 4 * 3600,
        },
        escalate,
    )
    .await;
    let agent_role = f
        .crm
        .create_role(
            sys,
            RoleInput {
                name: "agent".into(),
                grants: vec![Grant {
                    module: Module::Tickets,
                    action: Action::Read,
                    scope: DataScope::SelfOnly,
                }],
                fields: vec![],
            },
        )
        .await
        .expect("role");
    f.crm
        .upsert_user(
            sys,
            UserInput {
                id: REP2,
                name: "Rep Wang".into(),
                department_id: Some(SALES_EAST),
                supervisor_id: Some(MANAGER),
                role_ids: vec![agent_role.id],
                tenant_admin: false,
                active: true,
                time_zone: None,
                joined_on: None,
            },
        )
        .await
        .expect("agent");
    let c = f
        .crm
        .create_customer(
            user(REP),
            NewCustomer {
                name: "Ticket Co".into(),
                ..Default::default()
            },
        )
        .await
        .expect("c")
        .record
        .id;
    let ticket = |assignee| NewTicket {
        customer_id: c,
        subject: "无法登录".into(),
        description: String::new(),
        channel: Channel::Email,
        category: None,
        priority: Priority::Normal,
        assignee_id: Some(assignee),
        group: None,
    };
    let mine = f
        .crm
        .create_ticket(sys, ticket(REP2))
        .await
        .expect("ticket")
        .decode::<crate::service::TicketView>()
        .expect("typed record")
        .ticket;
    let other = f
        .crm
        .create_ticket(sys, ticket(SERVICE))
        .await
        .expect("ticket")
        .decode::<crate::service::TicketView>()
        .expect("typed record")
        .ticket;
    let listed = f
        .crm
        .list_tickets(user(REP2), TicketFilter::default())
        .await
        .expect("agent list");
    assert_eq!(
        listed
            .items
            .iter()
            .map(|t| t.record["ticket"]["id"].as_i64())
            .collect::<Vec<_>>(),
        vec![Some(mine.id.0)],
        "own assignments only"
    );
    let all = f
        .crm
        .list_tickets(user(SERVICE), TicketFilter::default())
        .await
        .expect("service list");
    assert_eq!(all.items.len(), 2);
    assert!(matches!(
        f.crm.get_ticket(user(REP2), other.id).await,
        Err(CrmError::PermissionDenied { .. })
    ));
    assert!(matches!(
        f.crm.list_tickets(user(REP), TicketFilter::default()).await,
        Err(CrmError::PermissionDenied { .. })
    ));

    // Created Monday 02:00 UTC: the clock starts at 10:00, first response due 11:00, warned
    // at 10:45, escalated 30 business minutes after the breach.
    let monday = |h: u32, m: u32, s: u32| {
        Utc.with_ymd_and_hms(2026, 3, 2, h, m, s)
            .single()
            .unwrap_or_default()
    };
    let fr = mine
        .sla
        .as_ref()
        .and_then(|s| s.metrics.first().cloned())
        .expect("first response");
    assert_eq!(fr.due_at, monday(11, 0, 0));
    let steps = [
        (monday(10, 44, 59), (0, 0, 0)),
        (monday(10, 45, 0), (2, 0, 0)),
        (monday(10, 45, 0), (0, 0, 0)),
        (monday(10, 59, 59), (0, 0, 0)),
        (monday(11, 0, 0), (0, 2, 0)),
        (monday(11, 0, 0), (0, 0, 0)),
        (monday(11, 29, 59), (0, 0, 0)),
        (monday(11, 30, 0), (0, 0, 2)),
        (monday(12, 0, 0), (0, 0, 0)),
    ];
    for (at, (w, b, e)) in steps {
        let r = f.crm.run_due_work(T1, at).await.expect("due work");
        assert_eq!(
            (r.sla.warnings, r.sla.breaches, r.sla.escalations),
            (w, b, e),
            "at {at}"
        );
    }
    let events = f.crm.events_after(sys, 0, 1000).await.expect("events");
    let count = |k: &str| events.iter().filter(|e| e.kind == k).count();
    assert_eq!(
        (
            count("SlaWarning"),
            count("SlaBreached"),
            count("SlaEscalated")
        ),
        (2, 2, 2),
        "once each per ticket"
    );
    let breached: crate::service::TicketView = f
        .crm
        .get_ticket(sys, mine.id)
        .await
        .expect("ticket")
        .decode()
        .expect("whole ticket");
    assert_eq!(breached.sla_status, Some(crate::sla::SlaDisplay::Breached));
}
