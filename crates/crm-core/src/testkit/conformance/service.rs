//! End-to-end scenarios through the service layer, so every store is shown to carry every
//! operation (the business rules themselves are unit-tested once, in core).

use crate::access::TeamAccess;
use crate::actor::Actor;
use crate::customer::{CustomerPatch, NewCustomer};
use crate::error::CrmError;
use crate::followup::{FollowUpKind, NewFollowUp};
use crate::ids::{CustomerId, UserId};
use crate::service::{CustomerFilter, ImportOptions, TeamMemberInput};
use crate::store::Store;
use crate::testkit::fixture::*;
use chrono::Duration;
use std::sync::Arc;

fn company(name: &str, phone: &str) -> NewCustomer {
    NewCustomer {
        name: name.into(),
        phone: Some(phone.into()),
        email: Some("buyer@example.com".into()),
        ..NewCustomer::default()
    }
}

async fn names<S: Store>(f: &Fixture<Arc<S>>, actor: Actor) -> Vec<String> {
    let page = f
        .crm
        .list_customers(
            actor,
            CustomerFilter {
                limit: Some(500),
                ..Default::default()
            },
        )
        .await
        .expect("list");
    let mut n: Vec<String> = page.items.into_iter().map(|c| c.record.name).collect();
    n.sort();
    n
}

/// Create, duplicate check, update, scoped lists with masking, transfer; other tenants and
/// role-less users see nothing.
pub async fn service_customer_lifecycle<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store).await;
    let rep = f
        .crm
        .create_customer(user(REP), company("星辰科技有限公司", "13812345678"))
        .await
        .expect("create");
    assert_eq!(rep.record.owner_id, Some(REP));
    f.crm
        .create_customer(user(REP2), company("Acme Co., Ltd.", "+1 415 555 0100"))
        .await
        .expect("create");
    f.crm
        .create_customer(user(BOSS), company("Boss Direct", "010-65529988"))
        .await
        .expect("create");

    // Same phone written differently, same name with a suffix: Duplicate naming the owner.
    let dup = f
        .crm
        .create_customer(user(REP2), company("Other", "+86 138 1234 5678"))
        .await
        .expect_err("dup phone");
    assert!(
        matches!(dup, CrmError::Duplicate { existing, owner: Some(o), ref matched_on, .. }
        if existing == rep.record.id.0 && o == REP.0 && matched_on == "phone"),
        "{dup:?}"
    );
    let dup = f
        .crm
        .create_customer(user(REP2), company("星辰科技", "13900000000"))
        .await
        .expect_err("dup name");
    assert!(
        matches!(dup, CrmError::Duplicate { ref matched_on, .. } if matched_on == "name"),
        "{dup:?}"
    );
    let forced = NewCustomer {
        force: true,
        ..company("星辰科技", "13900000000")
    };
    f.crm
        .create_customer(user(REP2), forced)
        .await
        .expect("forced duplicate");

    assert_eq!(names(&f, user(REP)).await, vec!["星辰科技有限公司"]);
    assert_eq!(
        names(&f, user(MANAGER)).await,
        vec!["Acme Co., Ltd.", "星辰科技", "星辰科技有限公司"]
    );
    assert_eq!(names(&f, user(BOSS)).await.len(), 4);
    assert_eq!(names(&f, Actor::system(T1)).await.len(), 4);
    assert!(
        names(&f, Actor::user(T2, BOSS)).await.is_empty(),
        "tenant 2 sees nothing of tenant 1"
    );
    let denied = f
        .crm
        .list_customers(user(NOBODY), CustomerFilter::default())
        .await
        .expect_err("no role");
    assert!(matches!(denied, CrmError::PermissionDenied { .. }));

    // Customer service: everything, phone masked, e-mail hidden.
    let seen = f
        .crm
        .get_customer(user(SERVICE), rep.record.id)
        .await
        .expect("service reads");
    assert_eq!(seen.record.phone.as_deref(), Some("138****5678"));
    assert_eq!(seen.record.email, None);
    assert!(seen.hidden_fields.contains(&"email".to_owned()));
    let err = f
        .crm
        .update_customer(
            user(SERVICE),
            rep.record.id,
            CustomerPatch {
                name: Some("x".into()),
                ..Default::default()
            },
        )
        .await;
    assert!(matches!(err, Err(CrmError::PermissionDenied { .. })));

    // Update by the owner; a stale expected version conflicts.
    let patch = CustomerPatch {
        address: Some("上海市浦东新区".into()),
        expected_version: Some(1),
        ..Default::default()
    };
    let updated = f
        .crm
        .update_customer(user(REP), rep.record.id, patch.clone())
        .await
        .expect("update");
    assert_eq!(updated.record.version, 2);
    assert!(matches!(
        f.crm.update_customer(user(REP), rep.record.id, patch).await,
        Err(CrmError::Conflict { .. })
    ));
    let err = f
        .crm
        .update_customer(
            user(REP2),
            rep.record.id,
            CustomerPatch {
                name: Some("x".into()),
                ..Default::default()
            },
        )
        .await;
    assert!(
        matches!(err, Err(CrmError::PermissionDenied { .. })),
        "peer may not update"
    );

    // Manager transfers to the other rep; clocks restart.
    f.clock.advance(Duration::hours(1));
    let moved = f
        .crm
        .transfer_customer(user(MANAGER), rep.record.id, REP2)
        .await
        .expect("transfer");
    assert_eq!(moved.record.owner_id, Some(REP2));
    assert_eq!(moved.record.previous_owner_id, Some(REP));
    assert_eq!(moved.record.owned_since, Some(start() + Duration::hours(1)));
    assert!(names(&f, user(REP)).await.is_empty());
    let audit = f
        .crm
        .customer_audit(user(REP2), rep.record.id)
        .await
        .expect("audit");
    assert_eq!(
        audit
            .iter()
            .map(|a| a.operation.as_str())
            .collect::<Vec<_>>(),
        vec!["customer.create", "customer.update", "customer.transfer"]
    );
    assert!(audit[1].changes.iter().any(|c| c.field == "address"));
}

/// CSV import: valid rows imported, invalid and duplicate rows reported by line.
pub async fn service_import_reports_each_row<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store).await;
    f.crm
        .create_customer(user(REP), company("已存在有限公司", "13700000000"))
        .await
        .expect("existing");
    let csv = "name,phone,email,level,tags\n\
               华东贸易有限公司,13811112222,a@b.cn,A,vip;east\n\
               ,13811113333,,B,\n\
               坏邮箱公司,13811114444,not-an-email,B,\n\
               已存在,137-0000-0000,,C,\n\
               华东贸易,13855556666,,A,\n\
               \"Comma, Inc.\",+86 138 7777 8888,,B,\n";
    let report = f
        .crm
        .import_customers_csv(user(REP), csv, ImportOptions { batch_size: 2 })
        .await
        .expect("import");
    assert_eq!(report.rows, 6);
    assert_eq!(
        report.imported.iter().map(|r| r.line).collect::<Vec<_>>(),
        vec![2, 7]
    );
    assert_eq!(
        report
            .errors
            .iter()
            .map(|e| (e.line, e.field.as_str()))
            .collect::<Vec<_>>(),
        vec![(3, "name"), (4, "email")]
    );
    assert_eq!(report.duplicates.len(), 2);
    assert_eq!(
        (
            report.duplicates[0].line,
            report.duplicates[0].matched_on.as_str()
        ),
        (5, "phone")
    );
    assert!(report.duplicates[0].existing.is_some());
    // Line 2 was committed by an earlier batch, so line 6 duplicates a stored customer.
    assert_eq!(
        (report.duplicates[1].line, report.duplicates[1].existing),
        (6, Some(report.imported[0].id))
    );
    // Within one batch, a repeat of an earlier line names that line.
    let csv2 = "name,phone\n新公司A,13600000001\n新公司A有限公司,13600000002\n";
    let r2 = f
        .crm
        .import_customers_csv(user(REP), csv2, ImportOptions::default())
        .await
        .expect("import 2");
    assert_eq!(r2.imported.len(), 1);
    assert_eq!(
        (
            r2.duplicates[0].line,
            r2.duplicates[0].earlier_line,
            r2.duplicates[0].existing
        ),
        (3, Some(2), None)
    );
    assert_eq!(
        names(&f, user(REP)).await,
        vec![
            "Comma, Inc.",
            "华东贸易有限公司",
            "已存在有限公司",
            "新公司A"
        ]
    );
    let bad = f
        .crm
        .import_customers_csv(user(SERVICE), csv, ImportOptions::default())
        .await;
    assert!(matches!(bad, Err(CrmError::PermissionDenied { .. })));
}

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

/// Bad input is refused with an error naming the field, and nothing is written.
pub async fn service_bad_input_writes_nothing<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store).await;
    let ok = f
        .crm
        .create_customer(user(REP), company("Valid", "13800000009"))
        .await
        .expect("valid")
        .record
        .id;
    let other_tenant = f
        .crm
        .create_customer(Actor::user(T2, BOSS), company("T2 Co", "13800000010"))
        .await
        .expect("t2")
        .record
        .id;
    let events_before = f
        .crm
        .events_after(Actor::system(T1), 0, 1000)
        .await
        .expect("events")
        .len();
    let audit_before = f
        .crm
        .audit_by_user(Actor::system(T1), REP, 0, 1000)
        .await
        .expect("audit")
        .len();
    let cases: Vec<(NewCustomer, &str)> = vec![
        (
            NewCustomer {
                name: "   ".into(),
                ..Default::default()
            },
            "name",
        ),
        (
            NewCustomer {
                name: "x".repeat(201),
                ..Default::default()
            },
            "name",
        ),
        (company("Bad Phone", "call me maybe"), "phone"),
        (
            NewCustomer {
                email: Some("no-at-sign".into()),
                ..company("Bad Mail", "13800000011")
            },
            "email",
        ),
        (
            NewCustomer {
                address: Some("x".repeat(501)),
                ..company("Long", "13800000012")
            },
            "address",
        ),
        (
            NewCustomer {
                custom: [("budget".to_owned(), serde_json::json!(1))].into(),
                ..company("Custom", "13800000013")
            },
            "custom.budget",
        ),
    ];
    for (input, field) in cases {
        match f.crm.create_customer(user(REP), input).await {
            Err(CrmError::Validation { field: got, .. }) => assert_eq!(got, field),
            other => panic!("expected validation on {field}, got {other:?}"),
        }
    }
    let unknown_owner = NewCustomer {
        owner_id: Some(UserId(999)),
        ..company("Ghost", "13800000014")
    };
    assert!(matches!(
        f.crm.create_customer(user(REP), unknown_owner).await,
        Err(CrmError::NotFound { .. })
    ));
    assert!(matches!(
        f.crm.get_customer(user(REP), CustomerId(424242)).await,
        Err(CrmError::NotFound { .. })
    ));
    assert!(matches!(
        f.crm.get_customer(user(BOSS), other_tenant).await,
        Err(CrmError::NotFound { .. })
    ));
    let patch = CustomerPatch {
        phone: Some("12ab".into()),
        ..Default::default()
    };
    assert!(
        matches!(f.crm.update_customer(user(REP), ok, patch).await, Err(CrmError::Validation { field, .. }) if field == "phone")
    );
    let patch = CustomerPatch {
        name: Some("stolen".into()),
        ..Default::default()
    };
    assert!(matches!(
        f.crm.update_customer(user(BOSS), other_tenant, patch).await,
        Err(CrmError::NotFound { .. })
    ));
    let fu = NewFollowUp {
        customer_id: ok,
        kind: FollowUpKind::Visit,
        content: "".into(),
        at: None,
        location: None,
        next_followup_at: None,
    };
    assert!(
        matches!(f.crm.record_followup(user(REP), fu).await, Err(CrmError::Validation { field, .. }) if field == "content")
    );
    assert!(matches!(
        f.crm.import_customers_csv(user(REP), "nom\nx\n", ImportOptions::default()).await,
        Err(CrmError::Validation { field, .. }) if field == "csv.header"
    ));
    assert_eq!(
        f.crm
            .events_after(Actor::system(T1), 0, 1000)
            .await
            .expect("events")
            .len(),
        events_before
    );
    assert_eq!(
        f.crm
            .audit_by_user(Actor::system(T1), REP, 0, 1000)
            .await
            .expect("audit")
            .len(),
        audit_before
    );
    assert_eq!(
        f.crm
            .get_customer(user(REP), ok)
            .await
            .expect("unchanged")
            .record
            .version,
        1
    );
}

/// Team sharing: read vs read-write, cascade to contacts, expiry by time and by
/// `run_due_work`.
pub async fn service_team_sharing<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store).await;
    let c = f
        .crm
        .create_customer(user(REP), company("Shared", "13800000020"))
        .await
        .expect("c")
        .record
        .id;
    f.crm
        .create_contact(
            user(REP),
            c,
            crate::contact::ContactInput {
                name: "王经理".into(),
                phone: Some("13911112222".into()),
                ..Default::default()
            },
        )
        .await
        .expect("contact");
    assert!(matches!(
        f.crm.get_customer(user(REP2), c).await,
        Err(CrmError::PermissionDenied { .. })
    ));
    let until = start() + Duration::days(1);
    let input = TeamMemberInput {
        user_id: REP2,
        access: TeamAccess::Read,
        cascade: false,
        expires_at: Some(until),
    };
    f.crm
        .add_team_member(user(REP), c, input)
        .await
        .expect("share");
    assert!(f.crm.get_customer(user(REP2), c).await.is_ok());
    assert!(
        matches!(
            f.crm.list_contacts(user(REP2), c).await,
            Err(CrmError::PermissionDenied { .. })
        ),
        "no cascade"
    );
    assert!(matches!(
        f.crm
            .update_customer(
                user(REP2),
                c,
                CustomerPatch {
                    industry: Some("IT".into()),
                    ..Default::default()
                }
            )
            .await,
        Err(CrmError::PermissionDenied { .. })
    ));
    let input = TeamMemberInput {
        user_id: REP2,
        access: TeamAccess::ReadWrite,
        cascade: true,
        expires_at: Some(until),
    };
    f.crm
        .add_team_member(user(REP), c, input)
        .await
        .expect("upgrade");
    assert_eq!(
        f.crm
            .list_contacts(user(REP2), c)
            .await
            .expect("cascade")
            .len(),
        1
    );
    f.crm
        .update_customer(
            user(REP2),
            c,
            CustomerPatch {
                industry: Some("IT".into()),
                ..Default::default()
            },
        )
        .await
        .expect("rw");
    assert_eq!(names(&f, user(REP2)).await, vec!["Shared"]);
    f.clock.set(until);
    assert!(
        names(&f, user(REP2)).await.is_empty(),
        "expired at its instant"
    );
    assert!(matches!(
        f.crm.get_customer(user(REP2), c).await,
        Err(CrmError::PermissionDenied { .. })
    ));
    let report = f
        .crm
        .run_due_work(T1, until - Duration::seconds(1))
        .await
        .expect("due");
    assert_eq!(report.expired_team_members, 0);
    let report = f.crm.run_due_work(T1, until).await.expect("due");
    assert_eq!(report.expired_team_members, 1);
    assert!(f
        .crm
        .list_team(user(REP), c)
        .await
        .expect("team")
        .is_empty());
}

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
