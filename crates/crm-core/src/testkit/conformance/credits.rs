//! Credit records and achievement on every store (DESIGN §4.10): credit is written by the
//! events that earn it with the split fixed at the event, never moves with a later
//! transfer, refunds and terminations are negative in their own period, and achievement,
//! attainment and rankings read it in the actor's scope.

use crate::access::{Action, DataScope, Grant, Module};
use crate::contract::Contract;
use crate::credit::{Credit, CreditShare, CreditSource, CreditSplit};
use crate::customer::NewCustomer;
use crate::error::CrmError;
use crate::ids::{ContractId, CustomerId, TargetId, UserId};
use crate::opportunity::Opportunity;
use crate::sales::{EntryKind, LineInput, PricingInput, ScheduledAmount, StageMove};
use crate::service::{
    AchievementPeriod, AchievementRequest, CreditFilter, LedgerInput, NewContract, NewOpportunity,
    PlanInput, RankingRequest, RoleInput, UserInput,
};
use crate::store::{Changes, Entity, Query, Store, StoreExt};
use crate::target::{Metric, Target, TargetStatus, TargetSubject};
use crate::testkit::fixture::*;
use crate::Actor;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::sync::Arc;

fn d(s: &str) -> Decimal {
    s.parse().unwrap_or_default()
}

fn day(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).unwrap_or_default()
}

fn split(shares: &[(UserId, &str)]) -> CreditSplit {
    CreditSplit(
        shares
            .iter()
            .map(|(u, s)| CreditShare {
                user_id: *u,
                share: d(s),
            })
            .collect(),
    )
}

async fn customer<S: Store>(f: &Fixture<Arc<S>>, name: &str) -> CustomerId {
    f.crm
        .create_customer(
            user(REP),
            NewCustomer {
                name: name.into(),
                ..Default::default()
            },
        )
        .await
        .expect("customer")
        .record
        .id
}

async fn draft<S: Store>(
    f: &Fixture<Arc<S>>,
    c: CustomerId,
    number: &str,
    price: &str,
) -> ContractId {
    f.crm
        .create_contract(
            Actor::system(T1),
            NewContract {
                number: number.into(),
                customer_id: c,
                opportunity_id: None,
                owner_id: Some(REP),
                signed_on: Some(day(2026, 3, 2)),
                start_on: day(2026, 3, 2),
                end_on: day(2027, 3, 1),
                pricing: PricingInput {
                    currency: "CNY".into(),
                    lines: vec![LineInput {
                        product: "licence".into(),
                        quantity: Decimal::ONE,
                        unit_price: d(price),
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
        .expect("typed")
        .id
}

async fn ledger<S: Store>(
    f: &Fixture<Arc<S>>,
    k: ContractId,
    kind: EntryKind,
    amount: &str,
    on: NaiveDate,
) {
    f.crm
        .record_ledger(
            Actor::system(T1),
            k,
            LedgerInput {
                kind,
                amount: d(amount),
                date: on,
                installment: None,
                method: None,
                reference: None,
            },
        )
        .await
        .expect("ledger entry");
}

async fn credits<S: Store>(
    store: &S,
    source: CreditSource,
    source_id: i64,
) -> Vec<(UserId, Decimal)> {
    let mut out: Vec<(UserId, Decimal)> = store
        .load_all::<Credit>(&Query::new(Entity::Credit, T1))
        .await
        .expect("credits")
        .into_iter()
        .filter(|c| c.source == source && c.source_id == source_id)
        .map(|c| (c.user_id, c.amount))
        .collect();
    out.sort();
    out
}

/// Approved monthly targets written directly (declaration has its own cases).
async fn approved<S: Store>(
    store: &S,
    id: i64,
    subject: TargetSubject,
    metric: Metric,
    months: [&str; 12],
) {
    let target = Target {
        tenant: T1,
        id: TargetId(id),
        version: 0,
        subject,
        metric,
        fiscal_year: 2026,
        currency: metric.is_amount().then(|| "CNY".to_owned()),
        months: months.iter().map(|m| d(m)).collect(),
        revision: 1,
        supersedes: None,
        status: TargetStatus::Approved,
        declared_by: None,
        steps: vec![],
    };
    let mut changes = Changes::new(T1);
    changes.insert(&target).expect("target row");
    store.apply(changes).await.expect("target written");
}

/// Contract, payment, refund, termination, opportunity and customer credits follow the
/// split fixed at each event, sum to the event's amount exactly, and stay where they are
/// when the customer moves to another owner.
pub async fn credits_are_fixed_at_their_events<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store.clone()).await;
    let sys = Actor::system(T1);
    let c = customer(&f, "分成客户").await;
    let k = draft(&f, c, "HT-SPLIT", "1000.01").await;

    // Bad splits are refused by name and write nothing.
    for (bad, named) in [
        (split(&[(REP, "60"), (REP2, "39.99")]), "share_sum"),
        (
            split(&[(REP, "50"), (REP, "50")]),
            "credit_split[1].user_id",
        ),
        (
            split(&[(REP, "100"), (UserId(999), "0")]),
            "credit_split[1].share",
        ),
        (
            split(&[(REP, "50"), (UserId(999), "50")]),
            "credit_split[1].user_id",
        ),
    ] {
        let refused = f.crm.set_contract_credit_split(sys, k, bad).await;
        let name = match &refused {
            Err(CrmError::Validation { field, .. }) => field.clone(),
            Err(CrmError::RuleViolation { rule, .. }) => rule.clone(),
            other => format!("{other:?}"),
        };
        assert_eq!(name, named);
    }
    let stored = f.crm.get_contract(sys, k).await.expect("get");
    assert!(
        stored.record.get("credit_split").is_none(),
        "nothing written"
    );

    f.crm
        .set_contract_credit_split(sys, k, split(&[(REP, "33.34"), (REP2, "66.66")]))
        .await
        .expect("split");
    f.crm.submit_contract(sys, k).await.expect("submit: active");
    // 1000.01 by 33.34 / 66.66 in minor units, summing exactly.
    let activated = credits(store.as_ref(), CreditSource::ContractActivated, k.0).await;
    assert_eq!(activated, vec![(REP, d("333.40")), (REP2, d("666.61"))]);
    let refused = f
        .crm
        .set_contract_credit_split(sys, k, CreditSplit::sole(REP))
        .await;
    assert!(
        matches!(&refused, Err(CrmError::RuleViolation { rule, .. }) if rule == "credit_already_earned"),
        "{refused:?}"
    );
    // The customer's first deal credits its owner once.
    assert_eq!(
        credits(store.as_ref(), CreditSource::CustomerWon, c.0).await,
        vec![(REP, d("1"))]
    );

    f.crm
        .set_plan(
            sys,
            k,
            PlanInput::Amounts {
                installments: vec![ScheduledAmount {
                    due_date: day(2026, 6, 30),
                    amount: d("1000.01"),
                }],
            },
        )
        .await
        .expect("plan");
    ledger(&f, k, EntryKind::Payment, "600.00", day(2026, 3, 5)).await;
    // A transfer after the payment moves no credit, and later events keep the contract's
    // fixed split (not the new owner).
    f.crm
        .transfer_customer(sys, c, MANAGER)
        .await
        .expect("transfer");
    ledger(&f, k, EntryKind::Refund, "100.00", day(2026, 4, 2)).await;
    assert_eq!(
        credits(store.as_ref(), CreditSource::PaymentReceived, k.0).await,
        vec![(REP, d("200.04")), (REP2, d("399.96"))]
    );
    assert_eq!(
        credits(store.as_ref(), CreditSource::Refund, k.0).await,
        vec![(REP, d("-33.34")), (REP2, d("-66.66"))]
    );
    let refunds: Vec<Credit> = store
        .load_all::<Credit>(&Query::new(Entity::Credit, T1))
        .await
        .expect("credits")
        .into_iter()
        .filter(|c| c.source == CreditSource::Refund)
        .collect();
    assert!(refunds.iter().all(|c| c.local_date == day(2026, 4, 2)));

    // Termination reverses exactly what the contract was credited, user by user.
    f.crm
        .close_contract(sys, k, crate::contract::ContractStatus::Terminated)
        .await
        .expect("terminate");
    assert_eq!(
        credits(store.as_ref(), CreditSource::ContractTerminated, k.0).await,
        vec![(REP, d("-333.40")), (REP2, d("-666.61"))]
    );

    // An opportunity's split is fixed at the win; reopening reverses that win.
    let c2 = customer(&f, "商机客户").await;
    let o = f
        .crm
        .create_opportunity(
            sys,
            NewOpportunity {
                customer_id: c2,
                name: "deal".into(),
                amount: d("5000"),
                currency: "CNY".into(),
                pipeline: None,
                stage: "lead".into(),
                probability: None,
                expected_close: day(2026, 6, 30),
                owner_id: Some(REP),
                products: vec![],
            },
        )
        .await
        .expect("opportunity")
        .decode::<Opportunity>()
        .expect("typed")
        .id;
    f.crm
        .set_opportunity_credit_split(sys, o, split(&[(REP, "50"), (REP2, "50")]))
        .await
        .expect("split");
    f.crm
        .move_opportunity(sys, o, StageMove::Win)
        .await
        .expect("win");
    assert_eq!(
        credits(store.as_ref(), CreditSource::OpportunityWon, o.0).await,
        vec![(REP, d("0.5")), (REP2, d("0.5"))]
    );
    let closed = f
        .crm
        .set_opportunity_credit_split(sys, o, CreditSplit::sole(REP))
        .await;
    assert!(
        matches!(&closed, Err(CrmError::RuleViolation { rule, .. }) if rule == "credit_already_earned")
    );
    f.crm
        .move_opportunity(
            sys,
            o,
            StageMove::Reopen {
                stage: "lead".into(),
            },
        )
        .await
        .expect("reopen");
    assert_eq!(
        credits(store.as_ref(), CreditSource::OpportunityReopened, o.0).await,
        vec![(REP, d("-0.5")), (REP2, d("-0.5"))]
    );

    // Net contract amount for REP: 333.40 - 333.40 = 0; payments 200.04 - 33.34.
    let sum = |metric: Metric| {
        let store = store.clone();
        async move {
            store
                .load_all::<Credit>(&Query::new(Entity::Credit, T1))
                .await
                .expect("credits")
                .into_iter()
                .filter(|c| c.user_id == REP && c.metric == metric)
                .map(|c| c.amount)
                .sum::<Decimal>()
        }
    };
    assert_eq!(sum(Metric::ContractAmount).await, Decimal::ZERO);
    assert_eq!(sum(Metric::PaymentsReceived).await, d("166.70"));
    assert_eq!(sum(Metric::OpportunitiesWon).await, Decimal::ZERO);
}

/// Achievement and rankings: actuals from credits in the period (a refund in its own
/// month), the approved target over any range, departments with sub-departments, zero
/// actuals ranked, a zero target never divided, proration from joined_on, and the reader's
/// scope.
pub async fn achievement_reads_credits_in_scope<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store.clone()).await;
    let sys = Actor::system(T1);
    // Targets read: the east manager over their subordinates, REP2 only themselves.
    let role_ids = |scope| RoleInput {
        name: format!("targets {scope:?}"),
        grants: vec![Grant {
            module: Module::Targets,
            action: Action::Read,
            scope,
        }],
        fields: vec![],
    };
    let mgr_role = f
        .crm
        .create_role(sys, role_ids(DataScope::SelfAndSubordinates))
        .await
        .expect("role")
        .id;
    let own_role = f
        .crm
        .create_role(sys, role_ids(DataScope::SelfOnly))
        .await
        .expect("role")
        .id;
    for (id, name, role, sup, joined) in [
        (MANAGER, "East Manager", mgr_role, Some(BOSS), None),
        (
            REP2,
            "Rep Wang",
            own_role,
            Some(MANAGER),
            Some(day(2026, 3, 17)),
        ),
    ] {
        f.crm
            .upsert_user(
                sys,
                UserInput {
                    id,
                    name: name.into(),
                    department_id: Some(SALES_EAST),
                    supervisor_id: sup,
                    role_ids: vec![role],
                    tenant_admin: false,
                    active: true,
                    time_zone: None,
                    joined_on: joined,
                },
            )
            .await
            .expect("user");
    }
    let c = customer(&f, "业绩客户").await;
    let k = draft(&f, c, "HT-ACH", "3100").await;
    f.crm.submit_contract(sys, k).await.expect("active");
    f.crm
        .set_plan(
            sys,
            k,
            PlanInput::Amounts {
                installments: vec![ScheduledAmount {
                    due_date: day(2026, 6, 30),
                    amount: d("3100"),
                }],
            },
        )
        .await
        .expect("plan");
    ledger(&f, k, EntryKind::Payment, "1550", day(2026, 3, 31)).await;
    ledger(&f, k, EntryKind::Refund, "310", day(2026, 4, 1)).await;

    let months = [
        "1000", "1000", "3100", "3000", "0", "0", "0", "0", "0", "0", "0", "0",
    ];
    approved(
        store.as_ref(),
        9_001,
        TargetSubject::User { id: REP },
        Metric::PaymentsReceived,
        months,
    )
    .await;
    approved(
        store.as_ref(),
        9_002,
        TargetSubject::User { id: REP2 },
        Metric::PaymentsReceived,
        months,
    )
    .await;
    approved(
        store.as_ref(),
        9_003,
        TargetSubject::User { id: MANAGER },
        Metric::PaymentsReceived,
        ["0"; 12],
    )
    .await;

    let ask = |subject, period, prorate| AchievementRequest {
        subject,
        metric: Metric::PaymentsReceived,
        period,
        currency: None,
        prorate,
    };
    let march = AchievementPeriod::Month {
        year: 2026,
        month: 3,
    };
    let rep_march = f
        .crm
        .target_achievement(sys, ask(TargetSubject::User { id: REP }, march, false))
        .await
        .expect("achievement");
    assert_eq!(
        (rep_march.target, rep_march.actual, rep_march.attainment),
        (Some(d("3100.00")), d("1550.00"), Some(d("50.00")))
    );
    // The refund is April's (its own period): March stays, April is negative.
    let april = f
        .crm
        .target_achievement(
            sys,
            ask(
                TargetSubject::User { id: REP },
                AchievementPeriod::Month {
                    year: 2026,
                    month: 4,
                },
                false,
            ),
        )
        .await
        .expect("april");
    assert_eq!(
        (april.actual, april.attainment),
        (d("-310.00"), Some(d("-10.33")))
    );
    // A quarter is the ratio of sums: (1550 - 0) / (1000 + 1000 + 3100).
    let q1 = f
        .crm
        .target_achievement(
            sys,
            ask(
                TargetSubject::User { id: REP },
                AchievementPeriod::Quarter {
                    year: 2026,
                    quarter: 1,
                },
                false,
            ),
        )
        .await
        .expect("q1");
    assert_eq!(
        (q1.target, q1.attainment),
        (Some(d("5100.00")), Some(d("30.39")))
    );
    // Day boundaries: 31 March counts in a range ending that day, not in one starting 1 April.
    for (from, to, actual) in [
        (day(2026, 3, 31), day(2026, 3, 31), "1550.00"),
        (day(2026, 3, 1), day(2026, 3, 30), "0.00"),
        (day(2026, 4, 1), day(2026, 4, 1), "-310.00"),
    ] {
        let got = f
            .crm
            .target_achievement(
                sys,
                ask(
                    TargetSubject::User { id: REP },
                    AchievementPeriod::Range { from, to },
                    false,
                ),
            )
            .await
            .expect("range");
        assert_eq!(got.actual, d(actual), "{from}..{to}");
    }
    // A range of one March day is 1/31 of March's target.
    let one_day = f
        .crm
        .target_achievement(
            sys,
            ask(
                TargetSubject::User { id: REP },
                AchievementPeriod::Range {
                    from: day(2026, 3, 31),
                    to: day(2026, 3, 31),
                },
                false,
            ),
        )
        .await
        .expect("one day");
    assert_eq!(one_day.target, Some(d("100.00")));

    // A zero target has no attainment, never 0 % (TG4).
    let zero = f
        .crm
        .target_achievement(sys, ask(TargetSubject::User { id: MANAGER }, march, false))
        .await
        .expect("zero");
    assert_eq!((zero.target, zero.attainment), (Some(d("0.00")), None));

    // Proration: REP2 joined on 17 March, 15 of 31 days.
    let prorated = f
        .crm
        .target_achievement(sys, ask(TargetSubject::User { id: REP2 }, march, true))
        .await
        .expect("prorated");
    assert_eq!(prorated.target, Some(d("1500.00")));

    // The department (with Sales East below Sales) sums the credits recorded to it.
    let dept = f
        .crm
        .target_achievement(
            sys,
            ask(TargetSubject::Department { id: SALES }, march, false),
        )
        .await
        .expect("department");
    assert_eq!(dept.actual, d("1550.00"));
    assert_eq!(
        dept.target,
        Some(d("6200.00")),
        "no target of its own: its users'"
    );

    // The ranking lists every user with a target, zero actuals too, a zero target last.
    let ranking = f
        .crm
        .target_ranking(
            sys,
            RankingRequest {
                metric: Metric::PaymentsReceived,
                period: march,
                department_id: Some(SALES),
                currency: None,
                prorate: false,
            },
        )
        .await
        .expect("ranking");
    let rows: Vec<(u32, UserId, String)> = ranking
        .rows
        .iter()
        .map(|r| (r.rank, r.user_id, r.actual.to_string()))
        .collect();
    assert_eq!(
        rows,
        vec![
            (1, REP, "1550.00".into()),
            (2, REP2, "0.00".into()),
            (3, MANAGER, "0.00".into())
        ]
    );

    // Scope: the manager sees the team's ranking, REP2 only themselves; REP2 may not read
    // REP's achievement nor the department's.
    let mine = f
        .crm
        .target_ranking(
            user(REP2),
            RankingRequest {
                metric: Metric::PaymentsReceived,
                period: march,
                department_id: None,
                currency: None,
                prorate: false,
            },
        )
        .await
        .expect("own ranking");
    assert_eq!(
        mine.rows.iter().map(|r| r.user_id).collect::<Vec<_>>(),
        vec![REP2]
    );
    let team = f
        .crm
        .target_ranking(
            user(MANAGER),
            RankingRequest {
                metric: Metric::PaymentsReceived,
                period: march,
                department_id: None,
                currency: None,
                prorate: false,
            },
        )
        .await
        .expect("team ranking");
    assert_eq!(team.rows.len(), 3);
    for subject in [
        TargetSubject::User { id: REP },
        TargetSubject::Department { id: SALES_EAST },
        TargetSubject::Tenant,
    ] {
        let denied = f
            .crm
            .target_achievement(user(REP2), ask(subject, march, false))
            .await;
        assert!(
            matches!(denied, Err(CrmError::PermissionDenied { .. })),
            "{subject}: {denied:?}"
        );
    }
    // An empty department is never "covered" by a partial reach.
    f.crm
        .upsert_department(
            sys,
            crate::service::DepartmentInput {
                id: crate::ids::DepartmentId(9),
                name: "Empty".into(),
                parent_id: Some(SALES_EAST),
            },
        )
        .await
        .expect("department");
    let empty = TargetSubject::Department {
        id: crate::ids::DepartmentId(9),
    };
    let denied = f
        .crm
        .target_achievement(user(MANAGER), ask(empty, march, false))
        .await;
    assert!(
        matches!(denied, Err(CrmError::PermissionDenied { .. })),
        "{denied:?}"
    );
    assert!(f
        .crm
        .target_achievement(sys, ask(empty, march, false))
        .await
        .is_ok());
    let listed = f
        .crm
        .list_credits(user(REP2), CreditFilter::default())
        .await
        .expect("credits");
    assert!(listed.items.is_empty(), "REP2 was credited nothing");
    let listed = f
        .crm
        .list_credits(user(MANAGER), CreditFilter::default())
        .await
        .expect("credits");
    assert!(listed.items.iter().all(|c| c.user_id == REP));
    assert!(!listed.items.is_empty());

    // Bad input is refused by name.
    let bad = f
        .crm
        .target_achievement(
            sys,
            AchievementRequest {
                currency: Some("CNY".into()),
                ..ask(TargetSubject::Tenant, march, false)
            }
            .clone(),
        )
        .await;
    assert!(bad.is_ok(), "an amount metric takes a currency");
    let bad = f
        .crm
        .target_achievement(
            sys,
            AchievementRequest {
                metric: Metric::CustomersWon,
                currency: Some("CNY".into()),
                ..ask(TargetSubject::Tenant, march, false)
            },
        )
        .await;
    assert!(matches!(&bad, Err(CrmError::Validation { field, .. }) if field == "currency"));
    let bad = f
        .crm
        .target_achievement(
            sys,
            ask(
                TargetSubject::Tenant,
                AchievementPeriod::Range {
                    from: day(2026, 3, 2),
                    to: day(2026, 3, 1),
                },
                false,
            ),
        )
        .await;
    assert!(matches!(&bad, Err(CrmError::Validation { field, .. }) if field == "period.to"));
    let bad = f
        .crm
        .target_achievement(
            sys,
            ask(
                TargetSubject::Tenant,
                AchievementPeriod::Month {
                    year: 2200,
                    month: 1,
                },
                false,
            ),
        )
        .await;
    assert!(matches!(&bad, Err(CrmError::Validation { field, .. }) if field == "period.year"));
}
