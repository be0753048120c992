//! Closing a ticket is not a first response, on every store: a ticket closed without a
//! public agent reply stops its first-response clock as `closed_without_response`, which
//! reads back from the store, is neither met nor in the median, and is counted apart.

use crate::actor::Actor;
use crate::customer::NewCustomer;
use crate::service::{MessageInput, SlaGroupBy};
use crate::sla::{MetricKind, MetricStop, SlaDisplay, Targets};
use crate::store::Store;
use crate::testkit::fixture::*;
use crate::ticket::{Channel, MessageAuthor, NewTicket, Priority, TicketStatus};
use chrono::{DateTime, TimeZone, Utc};
use std::sync::Arc;

fn monday(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, h, m, 0)
        .single()
        .unwrap_or_default()
}

/// Closed after a reply (met, in the median), closed before the due time without one
/// (`closed_without_response`, outside compliance and the median), closed after the due time
/// without one (breached).
pub async fn tickets_closed_without_response<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store).await;
    let sys = Actor::system(T1);
    f.sla(
        Targets {
            first_response_secs: 3600,
            next_response_secs: 0,
            resolution_secs: 4 * 3600,
        },
        vec![],
    )
    .await;
    let c = f
        .crm
        .create_customer(
            user(REP),
            NewCustomer {
                name: "Close Co".into(),
                ..Default::default()
            },
        )
        .await
        .expect("customer")
        .record
        .id;
    f.clock.set(monday(10, 0));
    let mut ids = Vec::new();
    for _ in 0..3 {
        let t = NewTicket {
            customer_id: c,
            subject: "无法登录".into(),
            description: String::new(),
            channel: Channel::Email,
            category: None,
            priority: Priority::Normal,
            assignee_id: Some(SERVICE),
            group: None,
        };
        ids.push(
            f.crm
                .create_ticket(sys, t)
                .await
                .expect("ticket")
                .decode::<crate::service::TicketView>()
                .expect("typed record")
                .ticket
                .id,
        );
    }
    let (replied, silent, late) = (ids[0], ids[1], ids[2]);
    f.clock.set(monday(10, 30));
    let reply = MessageInput {
        author: MessageAuthor::Agent,
        public: true,
        body: "在处理".into(),
    };
    f.crm
        .add_ticket_message(sys, replied, reply)
        .await
        .expect("reply");
    f.clock.set(monday(10, 40));
    for id in [replied, silent] {
        f.crm
            .set_ticket_status(sys, id, TicketStatus::Closed)
            .await
            .expect("close");
    }
    f.clock.set(monday(11, 30));
    f.crm
        .set_ticket_status(sys, late, TicketStatus::Resolved)
        .await
        .expect("resolve");

    let crm = &f.crm;
    let first = |id| async move {
        let v: crate::service::TicketView = crm
            .get_ticket(sys, id)
            .await
            .expect("ticket")
            .decode()
            .expect("whole ticket for the system actor");
        let m = v
            .ticket
            .sla
            .as_ref()
            .and_then(|s| s.latest(MetricKind::FirstResponse).cloned())
            .expect("first response");
        (m, v.sla_status)
    };
    let (m, shown) = first(replied).await;
    assert_eq!(
        (m.achieved, m.stopped),
        (Some(true), None),
        "closed after a reply"
    );
    assert_eq!(m.completed_at, Some(monday(10, 30)));
    assert_eq!(shown, Some(SlaDisplay::Achieved));
    let (m, shown) = first(silent).await;
    assert_eq!(
        (m.achieved, m.stopped, m.breached_at),
        (None, Some(MetricStop::ClosedWithoutResponse), None),
        "closed without a reply is not a response"
    );
    assert_eq!(shown, Some(SlaDisplay::ClosedWithoutResponse));
    let (m, shown) = first(late).await;
    assert_eq!(
        (m.stopped, m.breached_at),
        (Some(MetricStop::ClosedWithoutResponse), Some(monday(11, 0))),
        "past due without a reply stays a breach"
    );
    assert_eq!(shown, Some(SlaDisplay::Breached));
    let json = serde_json::to_value(&m).expect("metric json");
    assert_eq!(json["stopped"], "closed_without_response");

    let rows = f
        .crm
        .sla_report(sys, monday(0, 0), monday(23, 0), SlaGroupBy::All)
        .await
        .expect("report");
    let fr = &rows[0].first_response;
    assert_eq!(
        (fr.met, fr.breached, fr.closed_without_response, fr.pending),
        (1, 1, 1, 0)
    );
    assert_eq!(fr.compliance_pct, Some(50.into()));
    assert_eq!(rows[0].median_first_response_secs, Some(1800));
    assert_eq!(rows[0].resolution.met, 3);
}
