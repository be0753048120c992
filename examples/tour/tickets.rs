//! Tickets under SLA policies on a business calendar.

use super::*;

/// Tickets with SLA clocks, on a fixed clock so the simulated minutes are exact.
pub(crate) async fn ticket_tour(db: &str, now: chrono::DateTime<Utc>) -> CrmResult<()> {
    let clock = Arc::new(FixedClock::new(now));
    let crm = Crm::new(SqliteStore::open(db).await?, clock.clone());
    let sys = Actor::system(TENANT);
    let mut settings = crm.get_tenant(sys).await?.settings;
    settings.tickets = TicketSettings {
        groups: vec![
            TicketGroup {
                name: "senior".into(),
                agents: vec![MANAGER],
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
    crm.setup_tenant(sys, "星辰贸易集团 (demo)", settings)
        .await?;
    let existing = crm.list_sla_policies(sys).await?;
    let calendar_id = match existing.first() {
        Some(p) => p.calendar_id,
        None => {
            crm.save_calendar(
                sys,
                None,
                "全天候 24/7",
                Calendar::new("Asia/Shanghai").with_days(
                    &[
                        Weekday::Mon,
                        Weekday::Tue,
                        Weekday::Wed,
                        Weekday::Thu,
                        Weekday::Fri,
                        Weekday::Sat,
                        Weekday::Sun,
                    ],
                    &[("00:00", "24:00")],
                ),
            )
            .await?
            .id
        }
    };
    let targets = |fr: i64, res: i64| Targets {
        first_response_secs: fr,
        next_response_secs: fr,
        resolution_secs: res,
    };
    for (name, vip, t) in [
        ("VIP", true, targets(30 * 60, 4 * 3600)),
        ("standard", false, targets(2 * 3600, 24 * 3600)),
    ] {
        let id = existing
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.id)
            .unwrap_or_default();
        let policy = SlaPolicy {
            tenant: TENANT,
            id,
            version: 0,
            name: name.into(),
            position: if vip { 0 } else { 10 },
            is_default: !vip,
            when: PolicyConditions {
                tiers: if vip {
                    vec!["重要价值".into()]
                } else {
                    vec![]
                },
                ..Default::default()
            },
            calendar_id,
            targets: PriorityTargets {
                low: t,
                normal: t,
                high: t,
                urgent: t,
            },
            paused_statuses: vec![TicketStatus::WaitingOnCustomer, TicketStatus::OnHold],
            closed_counts_as_paused: true,
            warnings: vec![WarningLead::Minutes { minutes: 15 }],
            escalations: vec![Escalation {
                after_secs: 30 * 60,
                action: EscalationAction::NotifySupervisor,
            }],
        };
        crm.save_sla_policy(sys, policy).await?;
    }

    // Make one customer a VIP through its orders.
    let Some(vip) = any_customer(&crm).await? else {
        return Ok(());
    };
    for i in 0..5 {
        let order = PurchaseInput {
            customer_id: vip,
            kind: PurchaseKind::Order,
            at: now - Duration::days(i * 7),
            amount: 60_000.into(),
            currency: "CNY".into(),
            reference: Some(format!("SO-{i}")),
        };
        crm.record_purchase(sys, order).await?;
    }
    let tier = crm.get_customer(sys, vip).await?.record.tier;
    println!(
        "\n== tickets: customer {} is now tier {}",
        vip.0,
        tier.as_deref().unwrap_or("-")
    );

    let service = Actor::user(TENANT, SERVICE);
    let input = NewTicket {
        customer_id: vip,
        subject: "生产系统无法登录".into(),
        description: "所有用户登录报错 500".into(),
        channel: Channel::Phone,
        category: None,
        priority: Priority::Urgent,
        assignee_id: None,
        group: None,
    };
    let t = crm
        .create_ticket(service, input)
        .await?
        .decode::<crm_core::service::TicketView>()
        .expect("typed record")
        .ticket;
    let fr = |t: &crm_core::ticket::Ticket| {
        t.sla
            .as_ref()
            .and_then(|s| s.latest(MetricKind::FirstResponse))
            .map(|m| {
                m.due_at
                    .with_timezone(&TOUR_TZ)
                    .format("%H:%M:%S")
                    .to_string()
            })
            .unwrap_or_default()
    };
    println!(
        "  urgent ticket {} routed to group {} → agent {}; first response due {} (Asia/Shanghai)",
        t.id,
        t.group.as_deref().unwrap_or("-"),
        t.assignee_id.map_or("none".to_owned(), |u| u.0.to_string()),
        fr(&t)
    );
    clock.set(now + Duration::minutes(5));
    crm.set_ticket_status(service, t.id, TicketStatus::WaitingOnCustomer)
        .await?;
    clock.set(now + Duration::minutes(25));
    let msg = MessageInput {
        author: MessageAuthor::Customer,
        public: true,
        body: "截图已发".into(),
    };
    let t = crm
        .add_ticket_message(service, t.id, msg)
        .await?
        .decode::<crm_core::service::TicketView>()
        .expect("typed record")
        .ticket;
    println!("  waiting on the customer from +5 to +25 min: first response now due {} UTC (20 paused minutes added)", fr(&t));
    for minutes in [34, 36, 51, 81] {
        let r = crm
            .run_due_work(TENANT, now + Duration::minutes(minutes))
            .await?;
        println!(
            "  run_due_work at +{minutes} min: {} warning(s), {} breach(es), {} escalation(s)",
            r.sla.warnings, r.sla.breaches, r.sla.escalations
        );
    }
    let rows = crm
        .sla_report(
            sys,
            now - Duration::days(1),
            now + Duration::days(1),
            SlaGroupBy::Priority,
        )
        .await?;
    println!("\n  SLA compliance, tickets created today, by priority:");
    println!(
        "  {:<8} {:>7} {:>10} {:>10} {:>9} {:>14}",
        "priority", "tickets", "FR met", "FR late", "breaches", "FR compliance"
    );
    for r in rows {
        let pct = r
            .first_response
            .compliance_pct
            .map(|p| format!("{p}%"))
            .unwrap_or_else(|| "-".into());
        println!(
            "  {:<8} {:>7} {:>10} {:>10} {:>9} {:>14}",
            r.key, r.tickets, r.first_response.met, r.first_response.breached, r.breaches, pct
        );
    }
    Ok(())
}
