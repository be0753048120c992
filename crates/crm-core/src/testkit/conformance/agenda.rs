//! The agenda on every store: planned follow-ups, expected close dates, installments due and
//! contracts ending, merged per local day with the all-day items first, bounded by the local
//! midnights of the range, in the reader's scope and under their field rules.

use crate::access::{Action, DataScope, FieldAccess, FieldRule, Grant, MaskMode, Module};
use crate::agenda::{AgendaKind, AgendaTime};
use crate::calendar::{EventInput, EventLinks, EventTime, MonthEnd, Recurrence};
use crate::contract::{Contract, ContractStatus};
use crate::customer::NewCustomer;
use crate::error::CrmError;
use crate::followup::{FollowUpKind, NewFollowUp};
use crate::ids::{CustomerId, UserId};
use crate::sales::{LineInput, PricingInput, ScheduledPercent};
use crate::service::{NewContract, NewOpportunity, PlanInput, RoleInput, UserAgenda, UserInput};
use crate::store::Store;
use crate::task::{Due, TaskInput, TaskLinks};
use crate::testkit::fixture::*;
use crate::visit::PlanVisit;
use crate::Actor;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;
use std::sync::Arc;

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap_or_default()
}

fn at(m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, m, d, h, min, s)
        .single()
        .unwrap_or_default()
}

/// Gives `who` (keeping their fixture role) read of the sales modules in `scope`, with
/// `fields` rules.
async fn grant_sales_reads<S: Store>(
    f: &Fixture<S>,
    who: (UserId, &str, Option<UserId>, &str),
    modules: &[Module],
    scope: DataScope,
    fields: Vec<FieldRule>,
) {
    let sys = Actor::system(T1);
    let role = f
        .crm
        .create_role(
            sys,
            RoleInput {
                name: format!("agenda {}", who.1),
                grants: modules
                    .iter()
                    .map(|&module| Grant {
                        module,
                        action: Action::Read,
                        scope,
                    })
                    .collect(),
                fields,
            },
        )
        .await
        .expect("role");
    f.crm
        .upsert_user(
            sys,
            UserInput {
                id: who.0,
                name: who.1.into(),
                department_id: Some(SALES_EAST),
                supervisor_id: who.2,
                role_ids: vec![f.roles[who.3], role.id],
                active: true,
                ..UserInput::default()
            },
        )
        .await
        .expect("user");
}

async fn customer_with_followup<S: Store>(
    f: &Fixture<S>,
    owner: UserId,
    name: &str,
    phone: &str,
    next: DateTime<Utc>,
) -> CustomerId {
    let c = f
        .crm
        .create_customer(
            user(owner),
            NewCustomer {
                name: name.into(),
                phone: Some(phone.into()),
                ..NewCustomer::default()
            },
        )
        .await
        .expect("customer")
        .record
        .id;
    f.crm
        .record_followup(
            user(owner),
            NewFollowUp {
                customer_id: c,
                kind: FollowUpKind::Call,
                content: format!("call {name}"),
                at: None,
                location: None,
                next_followup_at: Some(next),
            },
        )
        .await
        .expect("follow-up");
    c
}

fn summary(agenda: &UserAgenda) -> Vec<(NaiveDate, &'static str, bool, String)> {
    agenda
        .items
        .iter()
        .map(|i| {
            (
                i.date,
                i.kind.as_str(),
                matches!(i.time, AgendaTime::AllDay { .. }),
                i.title.clone(),
            )
        })
        .collect()
}

/// One agenda merges every source of the user's in-scope records in the documented order,
/// cut at the range's local midnights; readers see only what their scope and field rules
/// allow; bad ranges and unknown users are refused.
pub async fn agenda_merges_sources_in_scope_and_order<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store).await;
    let sys = Actor::system(T1);
    let sales = [
        Module::Opportunities,
        Module::Contracts,
        Module::Receivables,
        Module::Tasks,
        Module::Calendar,
    ];
    for (who, name) in [(REP, "Rep Li"), (REP2, "Rep Wang")] {
        grant_sales_reads(
            &f,
            (who, name, Some(MANAGER), "sales"),
            &sales,
            DataScope::SelfOnly,
            vec![],
        )
        .await;
    }
    // The manager reads their reps' opportunities (name hidden) and tasks, no contracts.
    let hidden_name = FieldRule {
        module: Module::Opportunities,
        field: "name".into(),
        access: FieldAccess::Hidden,
        mask: MaskMode::None,
    };
    grant_sales_reads(
        &f,
        (MANAGER, "East Manager", Some(BOSS), "manager"),
        &[Module::Opportunities, Module::Tasks, Module::Calendar],
        DataScope::SelfAndSubordinates,
        vec![hidden_name],
    )
    .await;

    // Shanghai is UTC+8: 2026-03-10 starts at 03-09T16:00Z, 03-12 at 03-11T16:00Z.
    let morning =
        customer_with_followup(&f, REP, "晨访客户", "13800000101", at(3, 10, 1, 30, 0)).await;
    let last_second =
        customer_with_followup(&f, REP, "深夜客户", "13800000102", at(3, 11, 15, 59, 59)).await;
    customer_with_followup(&f, REP, "次日客户", "13800000103", at(3, 11, 16, 0, 0)).await;
    customer_with_followup(&f, REP, "前日客户", "13800000104", at(3, 9, 15, 59, 59)).await;
    customer_with_followup(&f, REP2, "同事客户", "13800000105", at(3, 10, 2, 0, 0)).await;

    let dec = |s: &str| s.parse::<Decimal>().unwrap_or_default();
    for (name, close) in [("三月单", day(3, 10)), ("下月单", day(3, 12))] {
        f.crm
            .create_opportunity(
                sys,
                NewOpportunity {
                    customer_id: morning,
                    name: name.into(),
                    amount: dec("5000.00"),
                    currency: "CNY".into(),
                    pipeline: None,
                    stage: "lead".into(),
                    probability: None,
                    expected_close: close,
                    owner_id: Some(REP),
                    products: vec![],
                },
            )
            .await
            .expect("opportunity");
    }
    let contract = f
        .crm
        .create_contract(
            sys,
            NewContract {
                number: "K-AG-1".into(),
                customer_id: morning,
                opportunity_id: None,
                owner_id: Some(REP),
                signed_on: Some(day(3, 2)),
                start_on: day(3, 2),
                end_on: day(3, 11),
                pricing: PricingInput {
                    currency: "CNY".into(),
                    lines: vec![LineInput {
                        product: "服务".into(),
                        quantity: dec("1"),
                        unit_price: dec("1000.00"),
                        discount: Decimal::ZERO,
                        tax_rate: Decimal::ZERO,
                    }],
                    order_discount: Decimal::ZERO,
                },
            },
        )
        .await
        .expect("contract")
        .decode::<Contract>()
        .expect("typed");
    f.crm
        .submit_contract(sys, contract.id)
        .await
        .expect("submit");
    let plan = PlanInput::Percents {
        installments: vec![
            ScheduledPercent {
                due_date: day(3, 11),
                percent: dec("30"),
            },
            ScheduledPercent {
                due_date: day(4, 1),
                percent: dec("70"),
            },
        ],
    };
    f.crm.set_plan(sys, contract.id, plan).await.expect("plan");
    let active = f
        .crm
        .get_contract(sys, contract.id)
        .await
        .expect("get")
        .decode::<Contract>()
        .expect("typed");
    assert_eq!(active.status, ContractStatus::Active);

    // Tasks: the rep's all-day task on the 10th; a colleague's timed task on the 11th with
    // the rep as collaborator; a done task and one due after the range are left out.
    let task = |title: &str, due: Due, collaborators: Vec<UserId>| TaskInput {
        title: title.into(),
        kind: None,
        priority: 1,
        due,
        collaborators,
        links: TaskLinks::default(),
        reminders: vec![],
        notes: None,
    };
    f.crm
        .create_task(
            sys,
            task("准备报价", Due::AllDay { date: day(3, 10) }, vec![]),
            Some(REP),
        )
        .await
        .expect("task");
    f.crm
        .create_task(
            sys,
            task(
                "联合拜访",
                Due::At {
                    at: at(3, 11, 1, 0, 0),
                },
                vec![REP],
            ),
            Some(REP2),
        )
        .await
        .expect("shared task");
    let done = f
        .crm
        .create_task(
            sys,
            task("已完成", Due::AllDay { date: day(3, 10) }, vec![]),
            Some(REP),
        )
        .await
        .expect("done task");
    f.crm
        .complete_task(sys, done.task.id)
        .await
        .expect("complete");
    f.crm
        .create_task(
            sys,
            task("下周任务", Due::AllDay { date: day(3, 12) }, vec![]),
            Some(REP),
        )
        .await
        .expect("later task");

    // Calendar: the rep's daily stand-up (09:00 local, five days from the 9th: the 10th and
    // 11th are in the range) and a colleague's all-day fair on the 11th the rep attends.
    let local = |d: u32, h: u32| day(3, d).and_hms_opt(h, 0, 0).unwrap_or_default();
    let event =
        |title: &str, time: EventTime, attendees: Vec<UserId>, rule: Option<&str>| EventInput {
            title: title.into(),
            time,
            time_zone: Some("Asia/Shanghai".into()),
            attendees,
            links: EventLinks::default(),
            location: None,
            recurrence: rule.map(|r| Recurrence {
                rule: r.into(),
                month_end: MonthEnd::default(),
            }),
        };
    f.crm
        .create_calendar_event(
            sys,
            event(
                "晨会",
                EventTime::Timed {
                    start: local(9, 9),
                    end: local(9, 9) + chrono::Duration::minutes(30),
                },
                vec![],
                Some("FREQ=DAILY;COUNT=5"),
            ),
            Some(REP),
        )
        .await
        .expect("stand-up");
    f.crm
        .create_calendar_event(
            sys,
            event(
                "展会",
                EventTime::AllDay {
                    start: day(3, 11),
                    end: day(3, 11),
                },
                vec![REP],
                None,
            ),
            Some(REP2),
        )
        .await
        .expect("fair");
    // A planned visit on the 10th, 14:00–15:00 local.
    f.crm
        .plan_visit(
            sys,
            PlanVisit {
                customer_id: morning,
                owner_id: Some(REP),
                start: at(3, 10, 6, 0, 0),
                end: at(3, 10, 7, 0, 0),
                purpose: Some("季度回访".into()),
            },
        )
        .await
        .expect("visit");

    let agenda = f
        .crm
        .user_agenda(user(REP), None, day(3, 10), day(3, 11))
        .await
        .expect("agenda");
    assert_eq!(agenda.user_id, REP);
    assert_eq!(agenda.time_zone, "Asia/Shanghai");
    assert_eq!(
        summary(&agenda),
        vec![
            (day(3, 10), "task", true, "准备报价".to_owned()),
            (day(3, 10), "expected_close", true, "三月单".to_owned()),
            (day(3, 10), "event", false, "晨会".to_owned()),
            (day(3, 10), "followup", false, "晨访客户".to_owned()),
            (day(3, 10), "visit", false, "季度回访".to_owned()),
            (day(3, 11), "event", true, "展会".to_owned()),
            (day(3, 11), "installment_due", true, "K-AG-1".to_owned()),
            (day(3, 11), "contract_expiring", true, "K-AG-1".to_owned()),
            (day(3, 11), "event", false, "晨会".to_owned()),
            (day(3, 11), "task", false, "联合拜访".to_owned()),
            (day(3, 11), "followup", false, "深夜客户".to_owned()),
        ]
    );
    let installment = &agenda.items[6];
    assert_eq!(installment.key.as_deref(), Some("1"));
    assert_eq!(installment.customer_id, Some(morning));
    // The stand-up's two occurrences are two items, keyed by their original start.
    assert_eq!(agenda.items[2].key.as_deref(), Some("2026-03-10T09:00:00"));
    assert_eq!(agenda.items[8].key.as_deref(), Some("2026-03-11T09:00:00"));
    assert_eq!(
        agenda.items[2].time,
        AgendaTime::Timed {
            start: at(3, 10, 1, 0, 0),
            end: Some(at(3, 10, 1, 30, 0))
        }
    );
    assert_eq!(agenda.items[10].id, last_second.0);
    assert_eq!(
        agenda.items[10].time,
        AgendaTime::Timed {
            start: at(3, 11, 15, 59, 59),
            end: None
        }
    );

    // One day only: the 11th's items, none of the 10th's.
    let one = f
        .crm
        .user_agenda(user(REP), Some(REP), day(3, 11), day(3, 11))
        .await
        .expect("one day");
    assert!(one.items.iter().all(|i| i.date == day(3, 11)));
    assert_eq!(one.items.len(), 6);

    // A rep reading a colleague's agenda sees only the task they collaborate on (own
    // scope only), not the colleague's customers.
    let colleague = f
        .crm
        .user_agenda(user(REP), Some(REP2), day(3, 10), day(3, 11))
        .await
        .expect("colleague");
    assert_eq!(
        summary(&colleague),
        vec![
            (day(3, 11), "event", true, "展会".to_owned()),
            (day(3, 11), "task", false, "联合拜访".to_owned()),
        ]
    );
    // The colleague sees their own.
    let own = f
        .crm
        .user_agenda(user(REP2), None, day(3, 10), day(3, 11))
        .await
        .expect("own");
    assert_eq!(
        summary(&own),
        vec![
            (day(3, 10), "followup", false, "同事客户".to_owned()),
            (day(3, 11), "event", true, "展会".to_owned()),
            (day(3, 11), "task", false, "联合拜访".to_owned()),
        ]
    );

    // The manager: the rep's follow-ups, tasks and deals (name withheld), no contract items.
    let managed = f
        .crm
        .user_agenda(user(MANAGER), Some(REP), day(3, 10), day(3, 11))
        .await
        .expect("manager");
    assert_eq!(
        summary(&managed),
        vec![
            (day(3, 10), "task", true, "准备报价".to_owned()),
            (day(3, 10), "expected_close", true, String::new()),
            (day(3, 10), "event", false, "晨会".to_owned()),
            (day(3, 10), "followup", false, "晨访客户".to_owned()),
            (day(3, 10), "visit", false, "季度回访".to_owned()),
            (day(3, 11), "event", true, "展会".to_owned()),
            (day(3, 11), "event", false, "晨会".to_owned()),
            (day(3, 11), "task", false, "联合拜访".to_owned()),
            (day(3, 11), "followup", false, "深夜客户".to_owned()),
        ]
    );
    assert!(managed
        .items
        .iter()
        .all(|i| i.kind != AgendaKind::ContractExpiring));

    // Refusals.
    let backwards = f
        .crm
        .user_agenda(user(REP), None, day(3, 11), day(3, 10))
        .await;
    assert!(
        matches!(backwards, Err(CrmError::Validation { ref field, .. }) if field == "to"),
        "{backwards:?}"
    );
    let too_long = f
        .crm
        .user_agenda(user(REP), None, day(1, 1), day(6, 1))
        .await;
    assert!(
        matches!(too_long, Err(CrmError::Validation { ref field, .. }) if field == "to"),
        "{too_long:?}"
    );
    let nobody = f
        .crm
        .user_agenda(user(REP), Some(UserId(9999)), day(3, 10), day(3, 11))
        .await;
    assert!(
        matches!(nobody, Err(CrmError::NotFound { .. })),
        "{nobody:?}"
    );
    let system = f.crm.user_agenda(sys, None, day(3, 10), day(3, 11)).await;
    assert!(
        matches!(system, Err(CrmError::Validation { ref field, .. }) if field == "user_id"),
        "{system:?}"
    );
}
