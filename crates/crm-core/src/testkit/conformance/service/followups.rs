//! Follow-ups: clocks, the agenda and escalation through the service layer.

use super::*;

/// Follow-ups move the customer's clocks; the agenda splits overdue from due today in the
/// tenant's zone; the 48-hour escalation fires once, on time, through `run_due_work`.
pub async fn service_followups_agenda_and_escalation<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store).await;
    let a = f
        .crm
        .create_customer(user(REP), company("Alpha", "13800000001"))
        .await
        .expect("a")
        .record
        .id;
    let b = f
        .crm
        .create_customer(user(REP), company("Beta", "13800000002"))
        .await
        .expect("b")
        .record
        .id;
    let start = start();
    // Day boundary in Shanghai: 2026-03-02 16:00 UTC is 03-03 00:00 local.
    let plan = |customer, next| NewFollowUp {
        customer_id: customer,
        kind: FollowUpKind::Call,
        content: "聊了需求".into(),
        at: None,
        location: None,
        next_followup_at: Some(next),
    };
    let midnight = start + Duration::hours(14);
    f.crm
        .record_followup(user(REP), plan(a, midnight - Duration::seconds(1)))
        .await
        .expect("fu a");
    f.crm
        .record_followup(user(REP), plan(b, midnight))
        .await
        .expect("fu b");
    let agenda = f.crm.agenda(user(REP), None).await.expect("agenda");
    assert_eq!(
        agenda
            .due_today
            .iter()
            .map(|i| i.customer_id)
            .collect::<Vec<_>>(),
        vec![a]
    );
    assert!(agenda.overdue.is_empty());
    f.clock.set(midnight + Duration::hours(1));
    let agenda = f.crm.agenda(user(REP), None).await.expect("agenda");
    assert_eq!(
        agenda
            .overdue
            .iter()
            .map(|i| i.customer_id)
            .collect::<Vec<_>>(),
        vec![a]
    );
    assert_eq!(
        agenda
            .due_today
            .iter()
            .map(|i| i.customer_id)
            .collect::<Vec<_>>(),
        vec![b]
    );
    assert!(
        f.crm.agenda(user(MANAGER), Some(REP)).await.is_ok(),
        "manager may see the rep's agenda"
    );
    assert!(matches!(
        f.crm.agenda(user(REP2), Some(REP)).await,
        Err(CrmError::PermissionDenied { .. })
    ));

    let seen = f.crm.get_customer(user(REP), a).await.expect("get").record;
    assert_eq!(seen.last_owner_followup_at, Some(start));
    assert_eq!(seen.next_followup_at, Some(midnight - Duration::seconds(1)));

    // Escalation: a customer assigned without any follow-up by its owner.
    f.clock.set(start);
    let c = f
        .crm
        .create_customer(user(REP2), company("Gamma", "13800000003"))
        .await
        .expect("c")
        .record
        .id;
    let report = f
        .crm
        .run_due_work(T1, start + Duration::hours(48) - Duration::seconds(1))
        .await
        .expect("due");
    assert_eq!(
        report.followup_escalations, 0,
        "47:59:59 is not yet 48 hours"
    );
    let report = f
        .crm
        .run_due_work(T1, start + Duration::hours(48))
        .await
        .expect("due");
    assert_eq!(report.followup_escalations, 1);
    let events = f
        .crm
        .events_after(Actor::system(T1), 0, 1000)
        .await
        .expect("events");
    let esc: Vec<_> = events
        .iter()
        .filter(|e| e.kind == "FollowUpOverdueEscalated")
        .collect();
    assert_eq!(esc.len(), 1);
    assert_eq!(esc[0].record_id, c.0);
    assert_eq!(
        esc[0].payload["supervisor_id"],
        serde_json::json!(MANAGER.0)
    );
    let last = events.last().map(|e| e.seq).unwrap_or(0);
    let again = f
        .crm
        .run_due_work(T1, start + Duration::hours(48))
        .await
        .expect("due");
    assert_eq!(again, Default::default());
    assert!(
        f.crm
            .events_after(Actor::system(T1), last, 10)
            .await
            .expect("events")
            .is_empty(),
        "second run emits nothing"
    );
}
