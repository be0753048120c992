//! Field rules on sales records and reports (item 2).

use super::*;

/// Item 2: contract, opportunity, receivable and ticket field rules hold on get, list, the
/// 360° view and reports; withheld amounts are absent and listed; reports over them are
/// refused naming the field.
pub async fn field_rules_apply_to_sales_records_and_reports<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store).await;
    let sys = Actor::system(T1);
    let modules = [
        Module::Customers,
        Module::Opportunities,
        Module::Contracts,
        Module::Receivables,
        Module::Tickets,
        Module::Reports,
    ];
    let read_all = grants(&modules, &[Action::Read], DataScope::All);
    user_with_role(
        &f,
        CS,
        "cs",
        read_all.clone(),
        vec![
            rule(
                Module::Contracts,
                "total",
                FieldAccess::Hidden,
                MaskMode::None,
            ),
            rule(
                Module::Opportunities,
                "amount",
                FieldAccess::Hidden,
                MaskMode::None,
            ),
            rule(
                Module::Tickets,
                "description",
                FieldAccess::Hidden,
                MaskMode::None,
            ),
        ],
    )
    .await;
    user_with_role(&f, FULL, "full", read_all, vec![]).await;

    let c = customer(&f, REP, "销售客户", "13700001111").await;
    let o = f
        .crm
        .create_opportunity(sys, new_opportunity(c, Some(REP)))
        .await
        .expect("opportunity")
        .decode::<crate::opportunity::Opportunity>()
        .expect("typed record");
    let k = f
        .crm
        .create_contract(sys, new_contract("K-FR-1", c, REP))
        .await
        .expect("contract")
        .decode::<crate::contract::Contract>()
        .expect("typed record");
    f.crm.submit_contract(sys, k.id).await.expect("submit");
    let plan = PlanInput::Percents {
        installments: vec![
            ScheduledPercent {
                due_date: day(4, 1),
                percent: dec("30"),
            },
            ScheduledPercent {
                due_date: day(6, 1),
                percent: dec("70"),
            },
        ],
    };
    f.crm.set_plan(sys, k.id, plan).await.expect("plan");
    f.crm
        .record_ledger(
            sys,
            k.id,
            LedgerInput {
                kind: EntryKind::Payment,
                amount: dec("4000000.00"),
                date: day(3, 2),
                installment: None,
                method: None,
                reference: None,
            },
        )
        .await
        .expect("pay");
    let t = f
        .crm
        .create_ticket(
            sys,
            NewTicket {
                customer_id: c,
                subject: "无法登录".into(),
                description: DESCRIPTION.into(),
                channel: Channel::Email,
                category: None,
                priority: Priority::Normal,
                assignee_id: None,
                group: None,
            },
        )
        .await
        .expect("ticket")
        .decode::<crate::service::TicketView>()
        .expect("typed record")
        .ticket;
    // Every amount of this contract and its plan: unit price, totals, installments,
    // payments. None may show, however derived.
    let amounts = [
        "8765432",
        "2629629.6", // 30 %
        "6135802.4", // 70 %
        "4000000",
        "4765432", // outstanding
        OPP_AMOUNT,
        "7654321",
    ];
    let none_of = |what: &str, json: &str, secrets: &[&str]| {
        for s in secrets {
            assert!(!json.contains(s), "{s} in {what}: {json}");
        }
    };
    let cs = user(CS);
    let full = user(FULL);

    let got = f.crm.get_contract(cs, k.id).await.expect("cs contract");
    assert_eq!(got.hidden_fields, vec!["total".to_owned()]);
    assert_eq!(got.record["number"], "K-FR-1");
    assert!(
        got.record["pricing"].get("totals").is_none(),
        "absent, not zero"
    );
    none_of("contract.get", &text(&got), &amounts);
    let listed = f
        .crm
        .list_contracts(cs, Default::default())
        .await
        .expect("cs contracts");
    assert_eq!(listed.items.len(), 1);
    none_of("contract.list", &text(&listed), &amounts);
    let opp = f
        .crm
        .get_opportunity(cs, o.id)
        .await
        .expect("cs opportunity");
    assert!(opp.record.get("amount").is_none());
    assert_eq!(opp.hidden_fields, vec!["amount".to_owned()]);
    none_of("opportunity.get", &text(&opp), &amounts);
    let opps = f
        .crm
        .list_opportunities(cs, Default::default())
        .await
        .expect("cs opportunities");
    none_of("opportunity.list", &text(&opps), &amounts);
    let view = f.crm.customer_360(cs, c).await.expect("cs 360");
    assert_eq!(view.contracts.as_ref().map(Vec::len), Some(1));
    none_of("customer.view_360", &text(&view), &amounts);
    none_of("customer.view_360", &text(&view), &[DESCRIPTION]);
    let ticket = f.crm.get_ticket(cs, t.id).await.expect("cs ticket");
    assert_eq!(ticket.hidden_fields, vec!["description".to_owned()]);
    none_of("ticket.get", &text(&ticket), &[DESCRIPTION]);
    let tickets = f
        .crm
        .list_tickets(cs, TicketFilter::default())
        .await
        .expect("cs tickets");
    none_of("ticket.list", &text(&tickets), &[DESCRIPTION]);
    assert_eq!(
        denied_field(f.crm.receivable_summary(cs, k.id).await).as_deref(),
        Some("total")
    );
    assert_eq!(
        denied_field(f.crm.aging(cs, day(5, 1), None).await).as_deref(),
        Some("total")
    );
    assert_eq!(
        denied_field(
            f.crm
                .sales_report(cs, "default", day(1, 1), day(12, 31))
                .await
        )
        .as_deref(),
        Some("amount")
    );

    // The reader without rules sees every value on the same paths.
    let got = f.crm.get_contract(full, k.id).await.expect("full contract");
    assert!(got.hidden_fields.is_empty());
    assert!(text(&got).contains("8765432"));
    assert!(got.decode::<crate::contract::Contract>().is_ok());
    let listed = f
        .crm
        .list_contracts(full, Default::default())
        .await
        .expect("full list");
    assert!(text(&listed).contains("8765432"));
    let opp = f.crm.get_opportunity(full, o.id).await.expect("full opp");
    assert!(text(&opp).contains("7654321"));
    let view = text(&f.crm.customer_360(full, c).await.expect("full 360"));
    assert!(view.contains("8765432") && view.contains("7654321") && view.contains(DESCRIPTION));
    let ticket = f.crm.get_ticket(full, t.id).await.expect("full ticket");
    assert!(text(&ticket).contains(DESCRIPTION));
    let summary = f.crm.receivable_summary(full, k.id).await.expect("summary");
    assert_eq!(summary.paid, dec("4000000.00"));
    f.crm
        .aging(full, day(5, 1), None)
        .await
        .expect("full aging");
    let report = f
        .crm
        .sales_report(full, "default", day(1, 1), day(12, 31))
        .await
        .expect("full report");
    assert!(text(&report).contains("765432"));

    // The design's example: customer service sees tickets, no contract amounts on any op.
    let service = f
        .crm
        .customer_360(user(SERVICE), c)
        .await
        .expect("service 360");
    assert!(service.contracts.is_none());
    assert!(service.open_tickets.as_ref().is_some_and(|t| t.len() == 1));
    none_of("service 360", &text(&service), &amounts);
}
