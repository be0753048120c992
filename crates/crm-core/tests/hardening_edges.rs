//! Holes found by review after the first hardening pass: the agenda shows names as the
//! actor's field rules do, the SLA report does not group by a hidden ticket group, and
//! extreme dates and instants never panic.

use chrono::{DateTime, Duration, Utc};
use crm_core::access::{Action, DataScope, FieldAccess, FieldRule, Grant, MaskMode, Module};
use crm_core::contract::Contract;
use crm_core::customer::NewCustomer;
use crm_core::followup::{FollowUpKind, NewFollowUp};
use crm_core::ids::UserId;
use crm_core::service::{LedgerInput, NewContract, PlanInput, RoleInput, SlaGroupBy, UserInput};
use crm_core::testkit::fixture::*;
use crm_core::testkit::MemoryStore;
use crm_core::{Actor, CrmError};
use serde_json::json;

async fn only_role(
    f: &Fixture<MemoryStore>,
    who: UserId,
    name: &str,
    grants: Vec<Grant>,
    fields: Vec<FieldRule>,
) {
    let sys = Actor::system(T1);
    let role = f
        .crm
        .create_role(
            sys,
            RoleInput {
                name: name.into(),
                grants,
                fields,
            },
        )
        .await
        .expect("role");
    f.crm
        .upsert_user(
            sys,
            UserInput {
                id: who,
                name: format!("user {who}"),
                department_id: Some(SALES_EAST),
                supervisor_id: Some(MANAGER),
                role_ids: vec![role.id],
                tenant_admin: false,
                active: true,
                time_zone: None,
                joined_on: None,
            },
        )
        .await
        .expect("user");
}

fn grant(module: Module, action: Action) -> Grant {
    Grant {
        module,
        action,
        scope: DataScope::All,
    }
}

#[tokio::test]
async fn the_agenda_masks_or_hides_names_as_lists_do() {
    let f = Fixture::new(MemoryStore::new()).await;
    let c = f
        .crm
        .create_customer(
            user(REP),
            NewCustomer {
                name: "星辰科技".into(),
                ..Default::default()
            },
        )
        .await
        .expect("customer")
        .record
        .id;
    f.crm
        .record_followup(
            user(REP),
            NewFollowUp {
                customer_id: c,
                kind: FollowUpKind::Call,
                content: "约下次".into(),
                at: None,
                location: None,
                next_followup_at: Some(start() + Duration::hours(1)),
            },
        )
        .await
        .expect("follow-up");
    let shown = f.crm.agenda(user(REP), None).await.expect("agenda");
    assert_eq!(
        shown.due_today[0].name, "星辰科技",
        "no rule: the name in clear"
    );
    let reader = [
        grant(Module::Customers, Action::Read),
        grant(Module::FollowUps, Action::Read),
    ];
    only_role(
        &f,
        REP2,
        "masked names",
        reader.to_vec(),
        vec![FieldRule {
            module: Module::Customers,
            field: "name".into(),
            access: FieldAccess::ReadOnly,
            mask: MaskMode::Everywhere,
        }],
    )
    .await;
    let masked = f.crm.agenda(user(REP2), Some(REP)).await.expect("agenda");
    assert_eq!(masked.due_today[0].name, "星***");
    only_role(
        &f,
        DEPT_VIEWER,
        "hidden names",
        reader.to_vec(),
        vec![FieldRule {
            module: Module::Customers,
            field: "name".into(),
            access: FieldAccess::Hidden,
            mask: MaskMode::None,
        }],
    )
    .await;
    let hidden = f
        .crm
        .agenda(user(DEPT_VIEWER), Some(REP))
        .await
        .expect("agenda");
    assert_eq!(hidden.due_today[0].customer_id, c);
    assert!(!serde_json::to_string(&hidden)
        .unwrap_or_default()
        .contains("星辰"));
}

#[tokio::test]
async fn the_sla_report_is_not_grouped_by_a_hidden_group() {
    let f = Fixture::new(MemoryStore::new()).await;
    only_role(
        &f,
        REP2,
        "no groups",
        vec![
            grant(Module::Tickets, Action::Read),
            grant(Module::Reports, Action::Read),
        ],
        vec![FieldRule {
            module: Module::Tickets,
            field: "group".into(),
            access: FieldAccess::Hidden,
            mask: MaskMode::None,
        }],
    )
    .await;
    let (from, to) = (start() - Duration::days(1), start() + Duration::days(1));
    assert!(matches!(
        f.crm.sla_report(user(REP2), from, to, SlaGroupBy::Group).await,
        Err(CrmError::PermissionDenied { field: Some(field), .. }) if field == "group"
    ));
    f.crm
        .sla_report(user(REP2), from, to, SlaGroupBy::Priority)
        .await
        .expect("grouping by priority is fine");
    f.crm
        .sla_report(user(BOSS), from, to, SlaGroupBy::Group)
        .await
        .map(|_| ())
        .or_else(|e| match e {
            CrmError::PermissionDenied { field: None, .. } => Ok(()),
            other => Err(other),
        })
        .expect("no group rule: not refused for the field");
}

#[tokio::test]
async fn extreme_dates_and_instants_never_panic() {
    let f = Fixture::new(MemoryStore::new()).await;
    let sys = Actor::system(T1);
    let c = f
        .crm
        .create_customer(
            user(REP),
            NewCustomer {
                name: "远古".into(),
                ..Default::default()
            },
        )
        .await
        .expect("customer")
        .record
        .id;
    let new: NewContract = serde_json::from_value(json!({
        "number": "HT-EDGE", "customer_id": c, "owner_id": REP,
        "signed_on": "2026-03-02", "start_on": "2026-03-02", "end_on": "2027-03-01",
        "pricing": {"currency": "CNY", "order_discount": "0", "lines": [
            {"product": "许可", "quantity": "1", "unit_price": "100.00", "discount": "0", "tax_rate": "0"}]}
    }))
    .expect("input");
    let k: Contract = f
        .crm
        .create_contract(sys, new)
        .await
        .expect("create")
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    let plan: PlanInput = serde_json::from_value(json!({"type": "amounts", "installments": [
        {"due_date": "-262143-01-01", "amount": "60.00"},
        {"due_date": "+262142-12-31", "amount": "40.00"}]}))
    .expect("plan input");
    // Either refused or accepted, but never a panic, before and after activation.
    let _ = f.crm.set_plan(sys, k.id, plan.clone()).await;
    let _ = f.crm.submit_contract(sys, k.id).await;
    let _ = f.crm.set_plan(sys, k.id, plan).await;
    let pay: LedgerInput =
        serde_json::from_value(json!({"kind": "payment", "amount": "10.00", "date": "2026-03-03"}))
            .expect("ledger input");
    let _ = f.crm.record_ledger(sys, k.id, pay).await;
    let _ = f.crm.get_contract(sys, k.id).await;
    for now in [
        DateTime::<Utc>::MIN_UTC + Duration::days(2),
        DateTime::<Utc>::MAX_UTC - Duration::days(2),
    ] {
        let _ = f.crm.run_due_work(T1, now).await;
        let _ = f.crm.recompute_tiers(T1, now).await;
    }
}

#[tokio::test]
async fn releasing_a_pooled_customer_tells_only_those_who_see_it() {
    let f = Fixture::new(MemoryStore::new()).await;
    let pool = f
        .pool(
            crm_core::pool::PoolRules::default(),
            crm_core::pool::HeldLimits::default(),
        )
        .await;
    let pooled = f.fill(pool, 1).await[0];
    let reason = f
        .crm
        .get_tenant(Actor::system(T1))
        .await
        .expect("tenant")
        .settings
        .recycle_reasons[0]
        .clone();
    // A pool member sees the customer: the rule answers.
    assert!(matches!(
        f.crm.release_customer(user(REP), pooled, &reason).await,
        Err(CrmError::RuleViolation { rule, .. }) if rule == "not_owned"
    ));
    // A user who reads no customers: refused before any rule describes it.
    assert!(matches!(
        f.crm.release_customer(user(NOBODY), pooled, &reason).await,
        Err(CrmError::PermissionDenied { .. })
    ));
}

#[tokio::test]
async fn claims_describe_only_customers_the_claimant_may_read() {
    let f = Fixture::new(MemoryStore::new()).await;
    let pool = f
        .pool(
            crm_core::pool::PoolRules::default(),
            crm_core::pool::HeldLimits::default(),
        )
        .await;
    let own = f
        .crm
        .create_customer(
            user(REP),
            NewCustomer {
                name: "自己的".into(),
                ..Default::default()
            },
        )
        .await
        .expect("own")
        .record
        .id;
    let peers = f
        .crm
        .create_customer(
            user(REP2),
            NewCustomer {
                name: "同事的".into(),
                ..Default::default()
            },
        )
        .await
        .expect("peer's")
        .record
        .id;
    // Its own customer is outside the pool: the rule says so.
    assert!(matches!(
        f.crm.claim(user(REP), pool, vec![own]).await,
        Err(CrmError::RuleViolation { rule, .. }) if rule == "not_in_pool"
    ));
    // A colleague's customer (self scope): as if it did not exist.
    assert!(matches!(
        f.crm.claim(user(REP), pool, vec![peers]).await,
        Err(CrmError::NotFound { .. })
    ));
}

#[tokio::test]
async fn plan_errors_name_no_figure_to_those_who_cannot_read_the_total() {
    let f = Fixture::new(MemoryStore::new()).await;
    let sys = Actor::system(T1);
    let c = f
        .crm
        .create_customer(
            user(REP),
            NewCustomer {
                name: "保密".into(),
                ..Default::default()
            },
        )
        .await
        .expect("customer")
        .record
        .id;
    let new: NewContract = serde_json::from_value(json!({
        "number": "HT-SECRET", "customer_id": c, "owner_id": REP,
        "signed_on": "2026-03-02", "start_on": "2026-03-02", "end_on": "2027-03-01",
        "pricing": {"currency": "CNY", "order_discount": "0", "lines": [
            {"product": "许可", "quantity": "1", "unit_price": "98765.43", "discount": "0", "tax_rate": "0"}]}
    }))
    .expect("input");
    let k: Contract = f
        .crm
        .create_contract(sys, new)
        .await
        .expect("create")
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    let plan: PlanInput = serde_json::from_value(json!({"type": "amounts", "installments": [
        {"due_date": "2026-04-01", "amount": "100.00"}]}))
    .expect("plan input");
    // Someone who reads the total hears it in the error.
    let told = f
        .crm
        .set_plan(sys, k.id, plan.clone())
        .await
        .expect_err("does not sum");
    assert!(told.to_string().contains("98765.43"), "{told}");
    let editor = [
        grant(Module::Contracts, Action::Read),
        grant(Module::Contracts, Action::Update),
        grant(Module::Customers, Action::Read),
    ];
    only_role(
        &f,
        REP2,
        "no totals",
        editor.to_vec(),
        vec![FieldRule {
            module: Module::Contracts,
            field: "total".into(),
            access: FieldAccess::Hidden,
            mask: MaskMode::None,
        }],
    )
    .await;
    let err = f
        .crm
        .set_plan(user(REP2), k.id, plan)
        .await
        .expect_err("does not sum");
    assert_eq!(err.code(), told.code(), "the same kind of refusal");
    let text = serde_json::to_string(&err).unwrap_or_default() + &err.to_string();
    assert!(!text.contains("98765"), "{text}");

    // An over-payment becomes the customer's credit: withheld with the totals it comes from.
    f.crm
        .submit_contract(sys, k.id)
        .await
        .expect("active without a policy");
    let whole: PlanInput = serde_json::from_value(json!({"type": "amounts", "installments": [
        {"due_date": "2026-04-01", "amount": "98765.43"}]}))
    .expect("plan input");
    f.crm.set_plan(sys, k.id, whole).await.expect("plan");
    let pay: LedgerInput = serde_json::from_value(
        json!({"kind": "payment", "amount": "100000.00", "date": "2026-03-03"}),
    )
    .expect("ledger input");
    f.crm
        .record_ledger(sys, k.id, pay)
        .await
        .expect("over-payment");
    let full = f.crm.get_customer(sys, c).await.expect("customer");
    assert_eq!(
        serde_json::to_value(&full.record.credit).unwrap_or_default(),
        json!({"CNY": "1234.57"})
    );
    let shown = f.crm.get_customer(user(REP2), c).await.expect("customer");
    assert!(shown.record.credit.is_empty());
    assert!(
        shown.hidden_fields.iter().any(|f| f == "credit"),
        "{:?}",
        shown.hidden_fields
    );
    assert!(!serde_json::to_string(&shown)
        .unwrap_or_default()
        .contains("1234.57"));
}

#[tokio::test]
async fn read_only_amounts_are_not_written_by_contract_or_opportunity_writes() {
    let f = Fixture::new(MemoryStore::new()).await;
    let c = f
        .crm
        .create_customer(
            user(REP),
            NewCustomer {
                name: "只读".into(),
                ..Default::default()
            },
        )
        .await
        .expect("customer")
        .record
        .id;
    let rule = |module, field: &str| FieldRule {
        module,
        field: field.into(),
        access: FieldAccess::ReadOnly,
        mask: MaskMode::None,
    };
    let grants = [Module::Customers, Module::Contracts, Module::Opportunities]
        .into_iter()
        .flat_map(|m| {
            [
                grant(m, Action::Read),
                grant(m, Action::Create),
                grant(m, Action::Update),
            ]
        })
        .collect();
    only_role(
        &f,
        REP2,
        "read-only amounts",
        grants,
        vec![
            rule(Module::Contracts, "total"),
            rule(Module::Opportunities, "amount"),
        ],
    )
    .await;
    let new: NewContract = serde_json::from_value(json!({
        "number": "HT-RO", "customer_id": c, "owner_id": REP2,
        "signed_on": "2026-03-02", "start_on": "2026-03-02", "end_on": "2027-03-01",
        "pricing": {"currency": "CNY", "order_discount": "0", "lines": [
            {"product": "许可", "quantity": "1", "unit_price": "10.00", "discount": "0", "tax_rate": "0"}]}
    }))
    .expect("input");
    let denied_on = |r: Result<(), CrmError>| match r {
        Err(CrmError::PermissionDenied { field, .. }) => field,
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert_eq!(
        denied_on(
            f.crm
                .create_contract(user(REP2), new.clone())
                .await
                .map(|_| ())
        ),
        Some("total".into())
    );
    let opp: crm_core::service::NewOpportunity = serde_json::from_value(json!({
        "customer_id": c, "name": "商机", "amount": "10.00", "currency": "CNY",
        "stage": "lead", "expected_close": "2026-06-30", "owner_id": REP2
    }))
    .expect("opportunity input");
    assert_eq!(
        denied_on(
            f.crm
                .create_opportunity(user(REP2), opp.clone())
                .await
                .map(|_| ())
        ),
        Some("amount".into())
    );
    // Without the read-only rules the same writes go through.
    only_role(
        &f,
        REP2,
        "editable amounts",
        [Module::Customers, Module::Contracts, Module::Opportunities]
            .into_iter()
            .flat_map(|m| {
                [
                    grant(m, Action::Read),
                    grant(m, Action::Create),
                    grant(m, Action::Update),
                ]
            })
            .collect(),
        vec![],
    )
    .await;
    f.crm
        .create_contract(user(REP2), new)
        .await
        .expect("contract");
    f.crm
        .create_opportunity(user(REP2), opp)
        .await
        .expect("opportunity");
}
