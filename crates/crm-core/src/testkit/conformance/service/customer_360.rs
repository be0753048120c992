//! The 360° view of a customer through the service layer.

use super::*;

/// The 360° view carries contacts, recent follow-ups, opportunities, contracts with their
/// installments, open tickets with their SLA state, team and owner history, masked per
/// role; sections a role may not read are absent.
pub async fn service_customer_360<S: Store>(store: Arc<S>) {
    use crate::access::{Action, DataScope, Grant, Module};
    use crate::contract::ContractStatus;
    use crate::pool::{HeldLimits, OwnerChange, PoolRules};
    use crate::sales::{EntryKind, InstallmentStatus, LineInput, PricingInput, ScheduledPercent};
    use crate::service::{LedgerInput, NewContract, NewOpportunity, PlanInput, RoleInput};
    use crate::sla::{SlaDisplay, Targets};
    use crate::ticket::{Channel, NewTicket, Priority, TicketStatus};
    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    let f = Fixture::new(store).await;
    let sys = Actor::system(T1);
    let dec = |s: &str| s.parse::<Decimal>().expect("decimal");
    let day = |m: u32, d: u32| NaiveDate::from_ymd_opt(2026, m, d).expect("date");

    // The owner also reads the sales and ticket modules (own records only).
    let deals = f
        .crm
        .create_role(
            sys,
            RoleInput {
                name: "deals".into(),
                grants: [Module::Opportunities, Module::Contracts, Module::Tickets]
                    .map(|module| Grant {
                        module,
                        action: Action::Read,
                        scope: DataScope::SelfOnly,
                    })
                    .to_vec(),
                fields: vec![],
            },
        )
        .await
        .expect("role");
    f.crm
        .upsert_user(
            sys,
            crate::service::UserInput {
                id: REP,
                name: "Rep Li".into(),
                department_id: Some(SALES_EAST),
                supervisor_id: Some(MANAGER),
                role_ids: vec![f.roles["sales"], deals.id],
                tenant_admin: false,
                active: true,
                time_zone: None,
                joined_on: None,
            },
        )
        .await
        .expect("rep");

    // Owner history: created in the pool, claimed by the rep, transferred away and back.
    let pool = f.pool(PoolRules::default(), HeldLimits::default()).await;
    let c = f
        .crm
        .create_customer(
            sys,
            NewCustomer {
                pool_id: Some(pool),
                ..company("全景客户", "13800000030")
            },
        )
        .await
        .expect("c")
        .record
        .id;
    f.clock.advance(Duration::minutes(1));
    f.crm.claim(user(REP), pool, vec![c]).await.expect("claim");
    f.clock.advance(Duration::minutes(1));
    f.crm
        .transfer_customer(user(MANAGER), c, REP2)
        .await
        .expect("to rep2");
    f.clock.advance(Duration::minutes(1));
    f.crm
        .transfer_customer(user(MANAGER), c, REP)
        .await
        .expect("back to rep");

    f.crm
        .create_contact(
            user(REP),
            c,
            crate::contact::ContactInput {
                name: "李总".into(),
                ..Default::default()
            },
        )
        .await
        .expect("contact");
    for i in 0..3 {
        f.clock.advance(Duration::minutes(10));
        let fu = NewFollowUp {
            customer_id: c,
            kind: FollowUpKind::Call,
            content: format!("call {i}"),
            at: None,
            location: None,
            next_followup_at: None,
        };
        f.crm.record_followup(user(REP), fu).await.expect("fu");
    }

    for name in ["first deal", "second deal"] {
        f.crm
            .create_opportunity(
                sys,
                NewOpportunity {
                    customer_id: c,
                    name: name.into(),
                    amount: dec("5000.00"),
                    currency: "CNY".into(),
                    pipeline: None,
                    stage: "lead".into(),
                    probability: None,
                    expected_close: day(6, 30),
                    owner_id: Some(REP),
                    products: vec![],
                },
            )
            .await
            .expect("opportunity");
    }

    // An active contract of 1,000.00 in two installments (300 + 700), 400.00 paid: the
    // first is settled, the second partly paid. Then a draft without a plan.
    let contract = |number: &str| NewContract {
        number: number.into(),
        customer_id: c,
        opportunity_id: None,
        owner_id: Some(REP),
        signed_on: Some(day(3, 2)),
        start_on: day(3, 2),
        end_on: day(12, 31),
        pricing: PricingInput {
            currency: "CNY".into(),
            lines: vec![LineInput {
                product: "年度服务".into(),
                quantity: dec("1"),
                unit_price: dec("1000.00"),
                discount: Decimal::ZERO,
                tax_rate: Decimal::ZERO,
            }],
            order_discount: Decimal::ZERO,
        },
    };
    let active = f
        .crm
        .create_contract(sys, contract("K-360-1"))
        .await
        .expect("contract")
        .decode::<crate::contract::Contract>()
        .expect("typed record");
    f.crm.submit_contract(sys, active.id).await.expect("submit");
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
    f.crm.set_plan(sys, active.id, plan).await.expect("plan");
    f.crm
        .record_ledger(
            sys,
            active.id,
            LedgerInput {
                kind: EntryKind::Payment,
                amount: dec("400.00"),
                date: day(3, 2),
                installment: None,
                method: None,
                reference: None,
            },
        )
        .await
        .expect("pay");
    let draft = f
        .crm
        .create_contract(sys, contract("K-360-2"))
        .await
        .expect("draft")
        .decode::<crate::contract::Contract>()
        .expect("typed record");

    // Tickets under an SLA: one new, one on hold, one closed.
    f.sla(
        Targets {
            first_response_secs: 3600,
            next_response_secs: 1800,
            resolution_secs: 4 * 3600,
        },
        vec![],
    )
    .await;
    let mut tickets = Vec::new();
    for subject in ["新工单", "搁置工单", "已关闭工单"] {
        let t = f
            .crm
            .create_ticket(
                sys,
                NewTicket {
                    customer_id: c,
                    subject: subject.into(),
                    description: String::new(),
                    channel: Channel::Email,
                    category: None,
                    priority: Priority::Normal,
                    assignee_id: Some(SERVICE),
                    group: None,
                },
            )
            .await
            .expect("ticket")
            .decode::<crate::service::TicketView>()
            .expect("typed record")
            .ticket;
        tickets.push(t.id);
    }
    f.crm
        .set_ticket_status(sys, tickets[1], TicketStatus::OnHold)
        .await
        .expect("hold");
    f.crm
        .set_ticket_status(sys, tickets[2], TicketStatus::Closed)
        .await
        .expect("close");

    // The owner sees every section.
    let view = f.crm.customer_360(user(REP), c).await.expect("owner view");
    assert_eq!(view.owner_name.as_deref(), Some("Rep Li"));
    assert_eq!(view.contacts.as_ref().map(Vec::len), Some(1));
    assert_eq!(
        view.opportunities
            .as_ref()
            .expect("opportunities")
            .iter()
            .map(|o| o.record["name"].as_str().unwrap_or_default())
            .collect::<Vec<_>>(),
        vec!["second deal", "first deal"],
        "newest first"
    );
    let contracts: Vec<crate::service::ContractOverview> = view
        .contracts
        .as_ref()
        .expect("contracts")
        .iter()
        .map(|k| k.decode().expect("the owner sees whole contracts"))
        .collect();
    assert_eq!(
        contracts.iter().map(|k| k.contract.id).collect::<Vec<_>>(),
        vec![draft.id, active.id],
        "newest first"
    );
    assert!(contracts[0].installments.is_empty());
    assert_eq!(contracts[0].receivables.total, Decimal::ZERO);
    let k = &contracts[1];
    assert_eq!(k.contract.status, ContractStatus::Active);
    assert_eq!(
        k.installments
            .iter()
            .map(|i| (
                i.index,
                i.installment.due_date,
                i.installment.amount,
                i.installment.paid,
                i.outstanding,
                i.status
            ))
            .collect::<Vec<_>>(),
        vec![
            (
                0,
                day(4, 1),
                dec("300.00"),
                dec("300.00"),
                dec("0.00"),
                InstallmentStatus::Paid
            ),
            (
                1,
                day(6, 1),
                dec("700.00"),
                dec("100.00"),
                dec("600.00"),
                InstallmentStatus::PartiallyPaid
            ),
        ]
    );
    assert_eq!(
        (
            k.receivables.total,
            k.receivables.paid,
            k.receivables.outstanding,
            k.receivables.overdue
        ),
        (dec("1000.00"), dec("400.00"), dec("600.00"), Decimal::ZERO)
    );
    let open: Vec<crate::service::TicketView> = view
        .open_tickets
        .as_ref()
        .expect("tickets")
        .iter()
        .map(|t| t.decode().expect("the owner sees whole tickets"))
        .collect();
    assert_eq!(
        open.iter()
            .map(|t| (t.ticket.id, t.ticket.status, t.sla_status))
            .collect::<Vec<_>>(),
        vec![
            (tickets[1], TicketStatus::OnHold, Some(SlaDisplay::Paused)),
            (
                tickets[0],
                TicketStatus::New,
                Some(SlaDisplay::FirstResponseDue)
            ),
        ],
        "open tickets newest first with their SLA state; the closed one is left out"
    );
    assert!(open.iter().all(|t| t.ticket.sla.is_some()));
    assert_eq!(
        view.owner_history
            .iter()
            .map(|h| (h.change, h.from_owner, h.to_owner))
            .collect::<Vec<_>>(),
        vec![
            (OwnerChange::Transferred, Some(REP2), Some(REP)),
            (OwnerChange::Transferred, Some(REP), Some(REP2)),
            (OwnerChange::Claimed, None, Some(REP)),
            (OwnerChange::Created, None, None),
        ],
        "newest first"
    );
    assert!(view.owner_history.windows(2).all(|w| w[0].at >= w[1].at));

    // The manager reads customers, contacts and follow-ups only.
    let view = f
        .crm
        .customer_360(user(MANAGER), c)
        .await
        .expect("manager view");
    assert_eq!(view.owner_name.as_deref(), Some("Rep Li"));
    assert_eq!(view.contacts.as_ref().map(Vec::len), Some(1));
    let fus = view.recent_followups.expect("follow-ups");
    assert_eq!(
        fus.iter()
            .map(|f| f.record.content.as_str())
            .collect::<Vec<_>>(),
        vec!["call 2", "call 1", "call 0"]
    );
    assert!(view.opportunities.is_none() && view.contracts.is_none());
    assert!(view.open_tickets.is_none());
    assert_eq!(view.owner_history.len(), 4);

    // Service reads tickets, not contracts or opportunities; the phone is masked.
    let service = f
        .crm
        .customer_360(user(SERVICE), c)
        .await
        .expect("service view");
    assert!(
        service.recent_followups.is_none(),
        "service has no follow-up grant"
    );
    assert!(service.contracts.is_none(), "service has no contract grant");
    assert!(service.opportunities.is_none());
    assert_eq!(service.open_tickets.as_ref().map(Vec::len), Some(2));
    assert_eq!(
        service.customer.record.phone.as_deref(),
        Some("138****0030")
    );

    // Finance reads contracts with their receivables but no tickets; follow-up notes are
    // hidden from it.
    let finance = f
        .crm
        .customer_360(user(FINANCE), c)
        .await
        .expect("finance view");
    assert!(
        finance.open_tickets.is_none(),
        "finance has no ticket grant"
    );
    assert!(finance.opportunities.is_none());
    let fk = finance.contracts.expect("finance reads contracts");
    assert_eq!(fk.len(), 2);
    assert!(fk.iter().all(|k| k.hidden_fields.is_empty()));
    let fk: crate::service::ContractOverview = fk[1].decode().expect("whole contract");
    assert_eq!(fk.receivables.outstanding, dec("600.00"));
    let notes = finance.recent_followups.expect("finance reads follow-ups");
    assert_eq!(notes.len(), 3);
    assert!(notes
        .iter()
        .all(|n| n.record.content.is_empty() && n.hidden_fields == vec!["content".to_owned()]));
}
