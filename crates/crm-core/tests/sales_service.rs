//! Sales through the service: opportunities, contracts with two-level approval at the
//! 50,000 boundary, activation (won, dealt, held counts), plans, payments and credit,
//! reminders on both sides of the due date, aging, amendments with re-flow, bad input.

use chrono::{Duration, NaiveDate};
use crm_core::contract::ContractStatus;
use crm_core::customer::{DealStatus, NewCustomer};
use crm_core::ids::{CustomerId, OpportunityId, UserId};
use crm_core::pool::{HeldCounter, HeldLimits, LevelLimits, PoolRules, RecycleKind, RecycleRule};
use crm_core::sales::{
    ApprovalLevel, ApprovalMode, ApprovalPolicy, Approvers, Branch, Condition, Decision, EntryKind,
    LineInput, PricingInput, Range, ScheduledPercent, StageMove,
};
use crm_core::service::{LedgerInput, NewContract, NewOpportunity, PlanInput};
use crm_core::store::StoreExt;
use crm_core::testkit::fixture::*;
use crm_core::testkit::MemoryStore;
use crm_core::{Actor, CrmError};
use rust_decimal::Decimal;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

fn day(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).expect("date")
}

fn policy(forbid_self: bool) -> ApprovalPolicy {
    let level = |name: &str, users: Vec<UserId>| ApprovalLevel {
        name: name.into(),
        approvers: Approvers::Users { users },
        mode: ApprovalMode::AnyOne,
    };
    ApprovalPolicy {
        branches: vec![
            Branch {
                name: "small".into(),
                condition: Some(Condition {
                    total: Some(Range::below(d("50000"))),
                    ..Default::default()
                }),
                levels: vec![level("regional manager", vec![MANAGER])],
            },
            Branch {
                name: "large".into(),
                condition: None,
                levels: vec![
                    level("regional manager", vec![MANAGER]),
                    level("finance director", vec![FINANCE]),
                ],
            },
        ],
        forbid_self_approval: forbid_self,
        amendment_threshold_percent: d("20"),
    }
}

async fn setup(forbid_self: bool) -> (Fixture<MemoryStore>, CustomerId) {
    let f = Fixture::new(MemoryStore::new()).await;
    let sys = Actor::system(T1);
    let tenant = f.crm.get_tenant(sys).await.expect("tenant");
    let mut settings = tenant.settings.clone();
    settings.contracts.approval = Some(policy(forbid_self));
    f.crm
        .setup_tenant(sys, &tenant.name, settings)
        .await
        .expect("settings");
    let sales_all = f.roles["all"];
    for (id, name, dept, sup) in [
        (REP, "Rep Li", SALES_EAST, Some(MANAGER)),
        (MANAGER, "East Manager", SALES_EAST, Some(BOSS)),
    ] {
        f.crm
            .upsert_user(
                sys,
                crm_core::service::UserInput {
                    id,
                    name: name.into(),
                    department_id: Some(dept),
                    supervisor_id: sup,
                    role_ids: vec![sales_all],
                    tenant_admin: false,
                    active: true,
                    time_zone: None,
                    joined_on: None,
                },
            )
            .await
            .expect("grant");
    }
    let role = f
        .crm
        .create_role(
            sys,
            crm_core::service::RoleInput {
                name: "deals".into(),
                grants: [
                    crm_core::access::Module::Opportunities,
                    crm_core::access::Module::Contracts,
                    crm_core::access::Module::Receivables,
                    crm_core::access::Module::Reports,
                ]
                .into_iter()
                .flat_map(|module| {
                    [
                        crm_core::access::Action::Create,
                        crm_core::access::Action::Read,
                        crm_core::access::Action::Update,
                    ]
                    .map(|action| crm_core::access::Grant {
                        module,
                        action,
                        scope: crm_core::access::DataScope::SelfAndSubordinates,
                    })
                })
                .collect(),
                fields: vec![],
            },
        )
        .await
        .expect("role");
    for (id, name, dept, sup) in [
        (REP, "Rep Li", SALES_EAST, Some(MANAGER)),
        (MANAGER, "East Manager", SALES_EAST, Some(BOSS)),
    ] {
        f.crm
            .upsert_user(
                sys,
                crm_core::service::UserInput {
                    id,
                    name: name.into(),
                    department_id: Some(dept),
                    supervisor_id: sup,
                    role_ids: vec![sales_all, role.id],
                    tenant_admin: false,
                    active: true,
                    time_zone: None,
                    joined_on: None,
                },
            )
            .await
            .expect("grant");
    }
    let c = f
        .crm
        .create_customer(
            user(REP),
            NewCustomer {
                name: "买家".into(),
                ..Default::default()
            },
        )
        .await
        .expect("c")
        .record
        .id;
    (f, c)
}

fn pricing(unit: &str, qty: &str, discount: &str) -> PricingInput {
    PricingInput {
        currency: "CNY".into(),
        lines: vec![LineInput {
            product: "软件许可".into(),
            quantity: d(qty),
            unit_price: d(unit),
            discount: d(discount),
            tax_rate: Decimal::ZERO,
        }],
        order_discount: Decimal::ZERO,
    }
}

fn new_contract(
    c: CustomerId,
    number: &str,
    p: PricingInput,
    opp: Option<OpportunityId>,
) -> NewContract {
    NewContract {
        number: number.into(),
        customer_id: c,
        opportunity_id: opp,
        owner_id: None,
        signed_on: Some(day(2026, 3, 2)),
        start_on: day(2026, 3, 2),
        end_on: day(2027, 3, 1),
        pricing: p,
    }
}

#[tokio::test]
async fn opportunity_stages_history_and_customer_counts() {
    let (f, c) = setup(false).await;
    let o = f
        .crm
        .create_opportunity(
            user(REP),
            NewOpportunity {
                customer_id: c,
                name: "ERP 项目".into(),
                amount: d("120000.00"),
                currency: "CNY".into(),
                pipeline: None,
                stage: "lead".into(),
                probability: None,
                expected_close: day(2026, 6, 30),
                owner_id: None,
                products: vec![],
            },
        )
        .await
        .expect("create")
        .decode::<crm_core::opportunity::Opportunity>()
        .expect("typed record");
    assert_eq!(o.state.probability, d("10"));
    let cust = f
        .crm
        .get_customer(Actor::system(T1), c)
        .await
        .expect("c")
        .record;
    assert_eq!(cust.open_opportunities, 1);
    let o = f
        .crm
        .move_opportunity(
            user(REP),
            o.id,
            StageMove::To {
                stage: "proposal".into(),
            },
        )
        .await
        .expect("move")
        .decode::<crm_core::opportunity::Opportunity>()
        .expect("typed record");
    assert_eq!(o.state.probability, d("60"), "auto follows the stage");
    let o = f
        .crm
        .set_opportunity_probability(user(REP), o.id, Some(d("45")))
        .await
        .expect("by hand")
        .decode::<crm_core::opportunity::Opportunity>()
        .expect("typed record");
    let o = f
        .crm
        .move_opportunity(
            user(REP),
            o.id,
            StageMove::To {
                stage: "negotiation".into(),
            },
        )
        .await
        .expect("move")
        .decode::<crm_core::opportunity::Opportunity>()
        .expect("typed record");
    assert_eq!(
        o.state.probability,
        d("45"),
        "a hand-set probability is kept"
    );
    assert!(matches!(
        f.crm
            .move_opportunity(
                user(REP),
                o.id,
                StageMove::Lose {
                    reason: "".into(),
                    notes: None
                }
            )
            .await,
        Err(CrmError::Validation { .. })
    ));
    assert!(
        f.crm
            .move_opportunity(
                user(REP),
                o.id,
                StageMove::Lose {
                    reason: "other".into(),
                    notes: None
                }
            )
            .await
            .is_err(),
        "notes required for other"
    );
    let lost = f
        .crm
        .move_opportunity(
            user(REP),
            o.id,
            StageMove::Lose {
                reason: "价格".into(),
                notes: None,
            },
        )
        .await
        .expect("lose")
        .decode::<crm_core::opportunity::Opportunity>()
        .expect("typed record");
    assert_eq!(
        f.crm
            .get_customer(Actor::system(T1), c)
            .await
            .expect("c")
            .record
            .open_opportunities,
        0
    );
    assert!(
        f.crm
            .move_opportunity(
                user(REP),
                o.id,
                StageMove::To {
                    stage: "lead".into()
                }
            )
            .await
            .is_err(),
        "lost is terminal"
    );
    let reopened = f
        .crm
        .move_opportunity(
            user(REP),
            o.id,
            StageMove::Reopen {
                stage: "qualified".into(),
            },
        )
        .await
        .expect("reopen")
        .decode::<crm_core::opportunity::Opportunity>()
        .expect("typed record");
    assert_eq!(
        reopened
            .history
            .iter()
            .map(|h| h.to.as_str())
            .collect::<Vec<_>>(),
        vec!["lead", "proposal", "negotiation", "lost", "qualified"]
    );
    assert_eq!(
        lost.history.len() + 1,
        reopened.history.len(),
        "history is append-only"
    );
    assert!(matches!(
        f.crm.get_opportunity(user(REP2), o.id).await,
        Err(CrmError::PermissionDenied { .. })
    ));
    assert!(f.crm.get_opportunity(user(MANAGER), o.id).await.is_ok());
}

#[tokio::test]
async fn approval_thresholds_one_cent_each_side_and_activation() {
    let (f, c) = setup(false).await;
    let sys = Actor::system(T1);
    let small = f
        .crm
        .create_contract(
            user(REP),
            new_contract(c, "HT-001", pricing("49999.99", "1", "0"), None),
        )
        .await
        .expect("small")
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    let small = f
        .crm
        .submit_contract(user(REP), small.id)
        .await
        .expect("submit")
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    assert_eq!(small.approval.as_ref().map(|r| r.levels.len()), Some(1));
    let o = f
        .crm
        .create_opportunity(
            user(REP),
            NewOpportunity {
                customer_id: c,
                name: "大单".into(),
                amount: d("50000.00"),
                currency: "CNY".into(),
                pipeline: None,
                stage: "negotiation".into(),
                probability: None,
                expected_close: day(2026, 4, 30),
                owner_id: None,
                products: vec![],
            },
        )
        .await
        .expect("opp")
        .decode::<crm_core::opportunity::Opportunity>()
        .expect("typed record");
    let large = f
        .crm
        .create_contract(
            user(REP),
            new_contract(c, "HT-002", pricing("50000.00", "1", "0"), Some(o.id)),
        )
        .await
        .expect("large")
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    let large = f
        .crm
        .submit_contract(user(REP), large.id)
        .await
        .expect("submit")
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    assert_eq!(large.approval.as_ref().map(|r| r.levels.len()), Some(2));
    // Wrong approver, missing comment on rejection, then level 1, twice, level 2.
    assert!(matches!(
        f.crm
            .decide_contract(user(FINANCE), large.id, Decision::Approve, None)
            .await,
        Err(CrmError::PermissionDenied { .. })
    ));
    assert!(matches!(
        f.crm
            .decide_contract(user(MANAGER), large.id, Decision::Reject, None)
            .await,
        Err(CrmError::Validation { .. })
    ));
    let step = f
        .crm
        .decide_contract(
            user(MANAGER),
            large.id,
            Decision::Approve,
            Some("同意".into()),
        )
        .await
        .expect("level 1")
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    assert_eq!(step.status, ContractStatus::PendingApproval);
    assert!(matches!(
        f.crm
            .decide_contract(user(MANAGER), large.id, Decision::Approve, None)
            .await,
        Err(CrmError::PermissionDenied { .. }) | Err(CrmError::RuleViolation { .. })
    ));
    let active = f
        .crm
        .decide_contract(user(FINANCE), large.id, Decision::Approve, None)
        .await
        .expect("level 2")
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    assert_eq!(active.status, ContractStatus::Active);
    assert!(
        matches!(
            f.crm
                .decide_contract(user(FINANCE), large.id, Decision::Approve, None)
                .await,
            Err(CrmError::RuleViolation { .. })
        ),
        "approving twice"
    );
    let won: crm_core::opportunity::Opportunity = f
        .crm
        .get_opportunity(sys, o.id)
        .await
        .expect("opp")
        .decode()
        .expect("whole opportunity");
    assert_eq!(format!("{:?}", won.state.status), "Won");
    let cust = f.crm.get_customer(sys, c).await.expect("c").record;
    assert_eq!(cust.deal_status, DealStatus::Dealt);
    let counter: HeldCounter = f
        .crm
        .store()
        .load(T1, REP.0)
        .await
        .expect("load")
        .expect("counter");
    assert_eq!((counter.held, counter.held_dealt), (1, 1));
    // Rejection sends it back to editable.
    let rejected = f
        .crm
        .decide_contract(
            user(MANAGER),
            small.id,
            Decision::Reject,
            Some("价格太低".into()),
        )
        .await
        .expect("reject")
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    assert_eq!(rejected.status, ContractStatus::Rejected);
    f.crm
        .update_contract_pricing(user(REP), small.id, pricing("45000.00", "1", "0"))
        .await
        .expect("edit rejected");
    assert!(
        matches!(
            f.crm
                .update_contract_pricing(user(REP), large.id, pricing("1.00", "1", "0"))
                .await,
            Err(CrmError::RuleViolation { .. })
        ),
        "active is immutable"
    );
}

#[tokio::test]
async fn own_contract_cannot_be_approved_when_forbidden() {
    let (f, c) = setup(true).await;
    let k = f
        .crm
        .create_contract(
            user(MANAGER),
            new_contract(c, "HT-010", pricing("100.00", "1", "0"), None),
        )
        .await
        .expect("k")
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    let err = f
        .crm
        .submit_contract(user(MANAGER), k.id)
        .await
        .expect_err("only approver is the owner");
    assert!(
        matches!(err, CrmError::RuleViolation { ref rule, .. } if rule == "approval_no_approver"),
        "{err:?}"
    );
}

#[tokio::test]
async fn plans_payments_credit_reminders_and_aging() {
    let (f, c) = setup(false).await;
    let sys = Actor::system(T1);
    let k = f
        .crm
        .create_contract(
            user(REP),
            new_contract(c, "HT-100", pricing("100.00", "1", "0"), None),
        )
        .await
        .expect("k")
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    f.crm
        .submit_contract(user(REP), k.id)
        .await
        .expect("submit");
    f.crm
        .decide_contract(user(MANAGER), k.id, Decision::Approve, None)
        .await
        .expect("approve");
    let plan = PlanInput::Percents {
        installments: vec![
            ScheduledPercent {
                due_date: day(2026, 4, 1),
                percent: d("30"),
            },
            ScheduledPercent {
                due_date: day(2026, 5, 1),
                percent: d("50"),
            },
            ScheduledPercent {
                due_date: day(2026, 6, 1),
                percent: d("20"),
            },
        ],
    };
    let k = f
        .crm
        .set_plan(user(REP), k.id, plan)
        .await
        .expect("plan")
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    assert_eq!(
        k.installments.iter().map(|i| i.amount).sum::<Decimal>(),
        d("100.00")
    );
    let pay = |amount: &str| LedgerInput {
        kind: EntryKind::Payment,
        amount: d(amount),
        date: day(2026, 3, 10),
        installment: None,
        method: Some("银行转账".into()),
        reference: None,
    };
    let k = f
        .crm
        .record_ledger(user(REP), k.id, pay("40.00"))
        .await
        .expect("pay 40")
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    assert_eq!(
        k.installments
            .iter()
            .map(|i| (i.paid, i.outstanding()))
            .collect::<Vec<_>>(),
        vec![(d("30"), d("0")), (d("10"), d("40")), (d("0"), d("20"))]
    );
    // Reminders: due 2026-05-01 (outstanding 40), due soon 3 days before, overdue the day after.
    let r = f
        .crm
        .run_due_work(T1, start() + Duration::days(54))
        .await
        .expect("due"); // 2026-04-25 local
    assert_eq!((r.installments_due_soon, r.installments_overdue), (0, 0));
    let r = f
        .crm
        .run_due_work(T1, start() + Duration::days(57))
        .await
        .expect("due"); // 04-28
    assert_eq!((r.installments_due_soon, r.installments_overdue), (1, 0));
    let r = f
        .crm
        .run_due_work(T1, start() + Duration::days(60))
        .await
        .expect("due"); // 05-01: due today, not overdue
    assert_eq!((r.installments_due_soon, r.installments_overdue), (0, 0));
    let r = f
        .crm
        .run_due_work(T1, start() + Duration::days(61))
        .await
        .expect("due"); // 05-02
    assert_eq!((r.installments_due_soon, r.installments_overdue), (0, 1));
    let r = f
        .crm
        .run_due_work(T1, start() + Duration::days(61))
        .await
        .expect("due");
    assert_eq!(
        (r.installments_due_soon, r.installments_overdue),
        (0, 0),
        "once each"
    );
    // Aging as of 2026-05-31: 40 is 30 days past due (0–30), 20 not yet due.
    let aging = f
        .crm
        .aging(sys, day(2026, 5, 31), None)
        .await
        .expect("aging");
    let row = &aging.rows[0];
    assert_eq!(
        (row.not_yet_due, row.buckets[0], row.total),
        (d("20"), d("40"), d("60"))
    );
    // Over-payment: 60 outstanding, pay 75 → 15 credit on the customer.
    f.crm
        .record_ledger(user(REP), k.id, pay("75.00"))
        .await
        .expect("over-pay");
    let cust = f.crm.get_customer(sys, c).await.expect("c").record;
    assert_eq!(cust.credit.get("CNY").copied(), Some(d("15.00")));
    assert!(
        cust.last_purchase_at.is_some(),
        "payments feed the tier figures"
    );
    let sum = f.crm.receivable_summary(sys, k.id).await.expect("summary");
    assert_eq!((sum.paid, sum.outstanding), (d("100.00"), d("0")));
}

#[tokio::test]
async fn amendment_lowering_more_than_20_percent_restarts_and_reflows() {
    let (f, c) = setup(false).await;
    let k = f
        .crm
        .create_contract(
            user(REP),
            new_contract(c, "HT-200", pricing("30000.00", "1", "0"), None),
        )
        .await
        .expect("k")
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    f.crm
        .submit_contract(user(REP), k.id)
        .await
        .expect("submit");
    f.crm
        .decide_contract(user(MANAGER), k.id, Decision::Approve, None)
        .await
        .expect("approve");
    f.crm
        .set_plan(
            user(REP),
            k.id,
            PlanInput::Percents {
                installments: vec![
                    ScheduledPercent {
                        due_date: day(2026, 4, 1),
                        percent: d("50"),
                    },
                    ScheduledPercent {
                        due_date: day(2026, 5, 1),
                        percent: d("50"),
                    },
                ],
            },
        )
        .await
        .expect("plan");
    f.crm
        .record_ledger(
            user(REP),
            k.id,
            LedgerInput {
                kind: EntryKind::Payment,
                amount: d("10000.00"),
                date: day(2026, 3, 5),
                installment: None,
                method: None,
                reference: None,
            },
        )
        .await
        .expect("pay");
    let amended = f
        .crm
        .amend_contract(user(REP), k.id, pricing("23999.99", "1", "0"))
        .await
        .expect("amend")
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    let am = amended.amendment.as_ref().expect("amendment");
    assert!(
        !am.reasons.is_empty(),
        "lowered by more than 20 %: {:?}",
        am.reasons
    );
    // Reasons are data with stable names, never Debug text: in the record, in its JSON and
    // in the ContractSubmitted event.
    assert_eq!(am.reasons[0].as_str(), "amount_lowered");
    let json = serde_json::to_value(&amended).expect("contract json");
    assert_eq!(json["amendment"]["reasons"][0]["reason"], "amount_lowered");
    assert_eq!(json["amendment"]["reasons"][0]["amended_total"], "23999.99");
    assert!(!json.to_string().contains("AmountLowered"));
    let events = f
        .crm
        .events_after(Actor::system(T1), 0, 1000)
        .await
        .expect("events");
    let submitted = events
        .iter()
        .rev()
        .find(|e| e.kind == "ContractSubmitted")
        .expect("submitted event");
    let payload = serde_json::to_string(&submitted.payload).expect("payload");
    assert!(
        payload.contains(r#""reason":"amount_lowered""#),
        "{payload}"
    );
    assert!(!payload.contains("AmountLowered"), "{payload}");
    let exact = f
        .crm
        .decide_contract(user(MANAGER), k.id, Decision::Approve, None)
        .await
        .expect("approve amendment")
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    assert_eq!(exact.pricing.totals.grand_total, d("23999.99"));
    assert_eq!(
        exact.installments.iter().map(|i| i.amount).sum::<Decimal>(),
        d("23999.99"),
        "re-flowed plan sums to the new total"
    );
    assert_eq!(
        exact.installments.iter().map(|i| i.paid).sum::<Decimal>(),
        d("10000.00"),
        "paid stays"
    );
    let again = f
        .crm
        .amend_contract(user(REP), k.id, pricing("19200.00", "1", "0"))
        .await
        .expect("amend 2")
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    assert!(
        again.amendment.as_ref().expect("am").reasons.is_empty(),
        "exactly 20 % lower does not force a restart"
    );
    assert!(
        matches!(
            f.crm
                .amend_contract(user(REP), k.id, pricing("1.00", "1", "0"))
                .await,
            Err(CrmError::RuleViolation { .. })
        ),
        "one amendment at a time"
    );
}

#[tokio::test]
async fn bad_contract_input_names_the_field_and_writes_nothing() {
    let (f, c) = setup(false).await;
    let sys = Actor::system(T1);
    let before = f
        .crm
        .events_after(sys, 0, 1000)
        .await
        .expect("events")
        .len();
    let cases: Vec<(PricingInput, &str)> = vec![
        (pricing("100.00", "-1", "0"), "lines[0].quantity"),
        (pricing("100.00", "1", "101"), "lines[0].discount"),
        (pricing("100.001", "1", "0"), "lines[0].unit_price"),
        (
            PricingInput {
                currency: "XYZ".into(),
                ..pricing("1.00", "1", "0")
            },
            "currency",
        ),
    ];
    for (i, (p, field)) in cases.into_iter().enumerate() {
        match f
            .crm
            .create_contract(user(REP), new_contract(c, &format!("BAD-{i}"), p, None))
            .await
        {
            Err(CrmError::Validation { field: got, .. }) => assert_eq!(got, field),
            other => panic!("expected validation of {field}: {other:?}"),
        }
    }
    let bad_dates = NewContract {
        end_on: day(2026, 1, 1),
        ..new_contract(c, "BAD-D", pricing("1.00", "1", "0"), None)
    };
    assert!(
        matches!(f.crm.create_contract(user(REP), bad_dates).await, Err(CrmError::Validation { field, .. }) if field == "end_on")
    );
    f.crm
        .create_contract(
            user(REP),
            new_contract(c, "DUP", pricing("1.00", "1", "0"), None),
        )
        .await
        .expect("first");
    assert!(
        matches!(f.crm.create_contract(user(REP), new_contract(c, "DUP", pricing("1.00", "1", "0"), None)).await, Err(CrmError::Validation { field, .. }) if field == "number")
    );
    assert_eq!(
        f.crm
            .events_after(sys, 0, 1000)
            .await
            .expect("events")
            .len(),
        before + 1,
        "only the valid contract wrote"
    );
}

#[tokio::test]
async fn no_open_opportunity_rule_waits_while_one_is_open() {
    let f = Fixture::new(MemoryStore::new()).await;
    let rules = PoolRules {
        recycle: vec![RecycleRule {
            kind: RecycleKind::NoOpenOpportunity,
            limits: LevelLimits::all(5),
            remind_days_before: 0,
        }],
        ..PoolRules::default()
    };
    let pool = f.pool(rules, HeldLimits::default()).await;
    let ids = f.fill(pool, 2).await;
    f.crm
        .claim(user(REP), pool, ids.clone())
        .await
        .expect("claim");
    let sys = Actor::system(T1);
    let o = f
        .crm
        .create_opportunity(
            sys,
            NewOpportunity {
                customer_id: ids[0],
                name: "x".into(),
                amount: d("1.00"),
                currency: "CNY".into(),
                pipeline: None,
                stage: "lead".into(),
                probability: None,
                expected_close: day(2026, 6, 1),
                owner_id: Some(REP),
                products: vec![],
            },
        )
        .await
        .expect("opp")
        .decode::<crm_core::opportunity::Opportunity>()
        .expect("typed record");
    f.crm
        .run_due_work(T1, start() + Duration::days(6))
        .await
        .expect("due");
    assert_eq!(
        owner_of(&f, ids[0]).await,
        Some(REP),
        "an open opportunity holds the clock"
    );
    assert_eq!(
        owner_of(&f, ids[1]).await,
        None,
        "no open opportunity for 6 days: recycled"
    );
    f.clock.set(start() + Duration::days(10));
    f.crm
        .move_opportunity(
            sys,
            o.id,
            StageMove::Lose {
                reason: "预算".into(),
                notes: None,
            },
        )
        .await
        .expect("lose");
    f.crm
        .run_due_work(T1, start() + Duration::days(16) - Duration::seconds(1))
        .await
        .expect("due");
    assert_eq!(
        owner_of(&f, ids[0]).await,
        Some(REP),
        "5 whole days after the loss: stays"
    );
    f.crm
        .run_due_work(T1, start() + Duration::days(16))
        .await
        .expect("due");
    assert_eq!(
        owner_of(&f, ids[0]).await,
        None,
        "6 days after the loss: recycled"
    );
}

async fn owner_of(f: &Fixture<MemoryStore>, id: CustomerId) -> Option<UserId> {
    f.crm
        .get_customer(Actor::system(T1), id)
        .await
        .expect("c")
        .record
        .owner_id
}

#[tokio::test]
async fn voids_refunds_write_offs_expiry_and_the_sales_report() {
    let (f, c) = setup(false).await;
    let sys = Actor::system(T1);
    let o = f
        .crm
        .create_opportunity(
            user(REP),
            NewOpportunity {
                customer_id: c,
                name: "A".into(),
                amount: d("100.00"),
                currency: "CNY".into(),
                pipeline: None,
                stage: "proposal".into(),
                probability: Some(d("99")),
                expected_close: day(2026, 6, 15),
                owner_id: None,
                products: vec![],
            },
        )
        .await
        .expect("a")
        .decode::<crm_core::opportunity::Opportunity>()
        .expect("typed record");
    f.crm
        .create_opportunity(
            user(REP),
            NewOpportunity {
                customer_id: c,
                name: "B".into(),
                amount: d("200.00"),
                currency: "CNY".into(),
                pipeline: None,
                stage: "lead".into(),
                probability: Some(d("0")),
                expected_close: day(2026, 6, 20),
                owner_id: None,
                products: vec![],
            },
        )
        .await
        .expect("b");
    let report = f
        .crm
        .sales_report(sys, "default", day(2026, 1, 1), day(2026, 12, 31))
        .await
        .expect("report");
    let june: Vec<_> = report
        .weighted_by_month
        .iter()
        .filter(|r| r.group.month == 6)
        .collect();
    assert_eq!(
        june.iter().map(|r| r.weighted).sum::<Decimal>(),
        d("99.00"),
        "(100 at 99 %) + (200 at 0 %) = 99.00"
    );
    f.crm
        .move_opportunity(user(REP), o.id, StageMove::Win)
        .await
        .expect("win");
    let report = f
        .crm
        .sales_report(sys, "default", day(2026, 1, 1), day(2026, 12, 31))
        .await
        .expect("report");
    assert_eq!((report.win_rate.won, report.win_rate.lost), (1, 0));
    assert!(matches!(
        f.crm
            .sales_report(user(REP2), "default", day(2026, 1, 1), day(2026, 12, 31))
            .await,
        Err(CrmError::PermissionDenied { .. })
    ));

    let k = f
        .crm
        .create_contract(
            user(REP),
            NewContract {
                end_on: day(2026, 3, 31),
                ..new_contract(c, "HT-300", pricing("100.00", "1", "0"), None)
            },
        )
        .await
        .expect("k")
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    f.crm
        .submit_contract(user(REP), k.id)
        .await
        .expect("submit");
    f.crm
        .decide_contract(user(MANAGER), k.id, Decision::Approve, None)
        .await
        .expect("approve");
    f.crm
        .set_plan(
            user(REP),
            k.id,
            PlanInput::Percents {
                installments: vec![
                    ScheduledPercent {
                        due_date: day(2026, 3, 20),
                        percent: d("60"),
                    },
                    ScheduledPercent {
                        due_date: day(2026, 3, 30),
                        percent: d("40"),
                    },
                ],
            },
        )
        .await
        .expect("plan");
    let entry = |kind, amount: &str, installment| LedgerInput {
        kind,
        amount: d(amount),
        date: day(2026, 3, 3),
        installment,
        method: None,
        reference: None,
    };
    f.crm
        .void_installment(user(REP), k.id, 1)
        .await
        .expect("void");
    let events = f
        .crm
        .events_after(sys, 0, 1000)
        .await
        .expect("events")
        .len();
    let err = f
        .crm
        .record_ledger(user(REP), k.id, entry(EntryKind::Payment, "10.00", Some(1)))
        .await
        .expect_err("voided");
    assert!(
        matches!(err, CrmError::RuleViolation { ref rule, .. } if rule == "installment_void"),
        "{err:?}"
    );
    assert_eq!(
        f.crm
            .events_after(sys, 0, 1000)
            .await
            .expect("events")
            .len(),
        events,
        "nothing written"
    );
    f.crm
        .record_ledger(user(REP), k.id, entry(EntryKind::Payment, "50.00", None))
        .await
        .expect("pay");
    let k2 = f
        .crm
        .record_ledger(user(REP), k.id, entry(EntryKind::Refund, "20.00", None))
        .await
        .expect("refund")
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    assert_eq!(k2.installments[0].paid, d("30.00"));
    assert!(matches!(
        f.crm
            .record_ledger(user(REP), k.id, entry(EntryKind::Refund, "30.01", None))
            .await,
        Err(CrmError::RuleViolation { .. })
    ));
    let k3 = f
        .crm
        .record_ledger(user(REP), k.id, entry(EntryKind::WriteOff, "30.00", None))
        .await
        .expect("write off")
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    let i = &k3.installments[0];
    assert_eq!(
        i.paid + i.outstanding() + i.written_off,
        i.amount,
        "paid + outstanding + written off = amount"
    );
    // Expiry: end 2026-03-31 (Shanghai); still active on the 31st, expired on 04-01.
    let r = f
        .crm
        .run_due_work(T1, start() + Duration::days(29))
        .await
        .expect("due"); // 03-31 10:00
    assert_eq!(r.contracts_expired, 0);
    let r = f
        .crm
        .run_due_work(T1, start() + Duration::days(30))
        .await
        .expect("due"); // 04-01
    assert_eq!(r.contracts_expired, 1);
    assert_eq!(
        f.crm
            .get_contract(sys, k.id)
            .await
            .expect("k")
            .decode::<crm_core::contract::Contract>()
            .expect("whole contract")
            .status,
        ContractStatus::Expired
    );
}
