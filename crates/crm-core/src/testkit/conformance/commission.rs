//! Commission plans and statements on every store: bad plans are refused by field and write
//! nothing; plans are written by admins only; the plan revision in force at a period's start
//! is applied; compute → approve → immutable; never self-approval; a peer reads nobody
//! else's statement.

use crate::access::{Action, DataScope, Grant, Module};
use crate::commission::{
    Band, BandBasis, BandMode, Bands, CommissionBase, CommissionPlanInput, LineKind, PlanMembers,
    PlanStatus, StatementStatus,
};
use crate::credit::{Credit, CreditSource};
use crate::error::CrmError;
use crate::ids::{CreditId, TargetId, UserId};
use crate::op::{ApproveStatement, GetCommissionPlan, GetStatement};
use crate::service::{ComputeStatement, PlanFilter, RoleInput, StatementFilter, UserInput};
use crate::store::{Changes, Entity, Query, Store};
use crate::target::{FiscalPeriod, Metric, Target, TargetStatus, TargetSubject};
use crate::testkit::fixture::*;
use crate::Actor;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::sync::Arc;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap_or_default()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn rule_of(err: CrmError) -> String {
    match err {
        CrmError::RuleViolation { rule, .. } => rule,
        other => panic!("expected a rule violation, got {other}"),
    }
}

fn field_of(err: CrmError) -> String {
    match err {
        CrmError::Validation { field, .. } => field,
        other => panic!("expected a validation error, got {other}"),
    }
}

/// Gives reps commission read on themselves and managers read, update and approve on
/// themselves and their subordinates (keeping their fixture roles).
async fn commission_roles<S: Store>(f: &Fixture<S>) {
    let sys = Actor::system(T1);
    let grants = |actions: &[Action], scope| {
        actions
            .iter()
            .map(|&action| Grant {
                module: Module::Commission,
                action,
                scope,
            })
            .collect::<Vec<_>>()
    };
    let rep_role = f
        .crm
        .create_role(
            sys,
            RoleInput {
                name: "commission rep".into(),
                grants: grants(&[Action::Read], DataScope::SelfOnly),
                fields: vec![],
            },
        )
        .await
        .expect("rep role");
    let manager_role = f
        .crm
        .create_role(
            sys,
            RoleInput {
                name: "commission manager".into(),
                grants: grants(
                    &[Action::Read, Action::Update, Action::Approve],
                    DataScope::SelfAndSubordinates,
                ),
                fields: vec![],
            },
        )
        .await
        .expect("manager role");
    let fixture_role = |name: &str| f.roles.get(name).copied();
    for (id, name, supervisor, roles) in [
        (
            REP,
            "rep",
            Some(MANAGER),
            [fixture_role("sales"), Some(rep_role.id)],
        ),
        (
            REP2,
            "rep 2",
            Some(MANAGER),
            [fixture_role("sales"), Some(rep_role.id)],
        ),
        (
            MANAGER,
            "east manager",
            Some(BOSS),
            [fixture_role("manager"), Some(manager_role.id)],
        ),
    ] {
        f.crm
            .upsert_user(
                sys,
                UserInput {
                    id,
                    name: name.into(),
                    department_id: Some(SALES_EAST),
                    supervisor_id: supervisor,
                    role_ids: roles.into_iter().flatten().collect(),
                    tenant_admin: false,
                    active: true,
                    time_zone: None,
                    joined_on: None,
                },
            )
            .await
            .expect("user");
    }
}

fn flat(rate: &str) -> Bands {
    Bands {
        basis: BandBasis::Amount,
        mode: BandMode::Flat,
        bands: vec![Band {
            from: Decimal::ZERO,
            to: None,
            rate: dec(rate),
        }],
        cap: None,
    }
}

fn plan_input(effective_from: NaiveDate, rate: &str) -> CommissionPlanInput {
    CommissionPlanInput {
        name: "east".into(),
        effective_from,
        metric: Metric::ContractAmount,
        base: CommissionBase::Booked,
        bands: flat(rate),
        currency: "CNY".into(),
        applies_to: PlanMembers {
            users: vec![],
            departments: vec![SALES],
        },
        status: PlanStatus::Active,
    }
}

async fn counts<S: Store>(store: &S) -> (u64, u64, usize) {
    (
        store
            .count(&Query::new(Entity::CommissionPlan, T1))
            .await
            .unwrap_or(u64::MAX),
        store
            .count(&Query::new(Entity::CommissionStatement, T1))
            .await
            .unwrap_or(u64::MAX),
        store
            .events_after(T1, 0, 10_000)
            .await
            .map(|e| e.len())
            .unwrap_or(usize::MAX),
    )
}

/// Plan validation by field, admins only, revisions by effective month; nothing written on
/// any refusal.
pub async fn commission_plans_refuse_bad_input_by_field<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store.clone()).await;
    commission_roles(&f).await;
    let ops = f.crm.commission();
    let admin = user(ADMIN);
    let before = counts(&*store).await;

    let mut overlapping = plan_input(day(2026, 1, 1), "5");
    overlapping.bands = Bands {
        basis: BandBasis::Attainment,
        mode: BandMode::Marginal,
        bands: vec![
            Band {
                from: dec("0"),
                to: Some(dec("100")),
                rate: dec("3"),
            },
            Band {
                from: dec("90"),
                to: None,
                rate: dec("5"),
            },
        ],
        cap: None,
    };
    let mut negative = plan_input(day(2026, 1, 1), "5");
    negative.bands = flat("-1");
    let mut counted = plan_input(day(2026, 1, 1), "5");
    counted.metric = Metric::CustomersWon;
    counted.base = CommissionBase::Collected;
    let mut mid_month = plan_input(day(2026, 1, 15), "5");
    mid_month.name = "mid".into();
    let mut nobody = plan_input(day(2026, 1, 1), "5");
    nobody.applies_to = PlanMembers::default();
    let mut stranger = plan_input(day(2026, 1, 1), "5");
    stranger.applies_to.users = vec![UserId(999)];
    let mut money = plan_input(day(2026, 1, 1), "5");
    money.currency = "XAU".into();
    for (input, field) in [
        (overlapping, "bands.bands[1].from"),
        (negative, "bands.bands[0].rate"),
        (counted, "base"),
        (mid_month, "effective_from"),
        (nobody, "applies_to"),
        (stranger, "applies_to.users[0]"),
        (money, "currency"),
    ] {
        let err = ops.set_plan(admin, input).await.expect_err(field);
        assert_eq!(field_of(err), field);
    }
    // A manager whose commission update reaches only their team may not write plans.
    let err = ops
        .set_plan(user(MANAGER), plan_input(day(2026, 1, 1), "5"))
        .await
        .expect_err("manager");
    assert!(matches!(err, CrmError::PermissionDenied { .. }), "{err}");
    assert_eq!(counts(&*store).await, before);

    // Revisions: 1 from January, 2 from April; April again is refused.
    let first = ops
        .set_plan(admin, plan_input(day(2026, 1, 1), "5"))
        .await
        .expect("revision 1");
    assert_eq!(first.revision, 1);
    let second = ops
        .set_plan(admin, plan_input(day(2026, 4, 1), "10"))
        .await
        .expect("revision 2");
    assert_eq!(second.revision, 2);
    let after = counts(&*store).await;
    let err = ops
        .set_plan(admin, plan_input(day(2026, 4, 1), "12"))
        .await
        .expect_err("same month");
    assert_eq!(rule_of(err), "plan_revision_exists");
    assert_eq!(counts(&*store).await, after);

    let listed = ops
        .plans(user(REP), PlanFilter::default())
        .await
        .expect("plans");
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0]
            .revisions
            .iter()
            .map(|p| p.revision)
            .collect::<Vec<_>>(),
        vec![1, 2]
    );
    let latest = ops
        .plan(
            user(MANAGER),
            GetCommissionPlan {
                name: "east".into(),
                revision: None,
            },
        )
        .await
        .expect("plan");
    assert_eq!(
        (latest.revision, latest.bands.bands[0].rate),
        (2, dec("10"))
    );
    let err = ops
        .plan(
            user(NOBODY),
            GetCommissionPlan {
                name: "east".into(),
                revision: Some(1),
            },
        )
        .await
        .expect_err("no grant");
    assert!(matches!(err, CrmError::PermissionDenied { .. }), "{err}");
}

fn credit(id: i64, contract: i64, amount: &str, on: NaiveDate) -> Credit {
    Credit {
        tenant: T1,
        id: CreditId(id),
        version: 1,
        metric: Metric::ContractAmount,
        user_id: REP,
        department_id: Some(SALES_EAST),
        share: Decimal::ONE_HUNDRED,
        amount: dec(amount),
        currency: Some("CNY".into()),
        local_date: on,
        at: start(),
        source: CreditSource::ContractActivated,
        source_id: contract,
        source_ref: 0,
        customer_id: None,
    }
}

fn target(id: i64, revision: i32, status: TargetStatus, monthly: &str) -> Target {
    Target {
        tenant: T1,
        id: TargetId(id),
        version: 1,
        subject: TargetSubject::User { id: REP },
        metric: Metric::ContractAmount,
        fiscal_year: 2026,
        currency: Some("CNY".into()),
        months: vec![dec(monthly); 12],
        revision,
        supersedes: None,
        status,
        declared_by: Some(REP),
        steps: vec![],
    }
}

fn month(m: u32) -> FiscalPeriod {
    FiscalPeriod::Month {
        year: 2026,
        month: m,
    }
}

fn compute(user_id: UserId, period: FiscalPeriod) -> ComputeStatement {
    ComputeStatement {
        user_id,
        plan_name: "east".into(),
        period,
    }
}

/// The revision in force by period, compute → approve → immutable, no self-approval, and
/// statements in scope.
pub async fn commission_statements_compute_approve_and_stay<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store.clone()).await;
    commission_roles(&f).await;
    let ops = f.crm.commission();
    for (from, rate) in [(day(2026, 1, 1), "5"), (day(2026, 4, 1), "10")] {
        ops.set_plan(user(ADMIN), plan_input(from, rate))
            .await
            .expect("plan");
    }
    let mut setup = Changes::new(T1);
    for c in [
        credit(9001, 1, "10000.00", day(2026, 3, 10)),
        credit(9002, 2, "10000.00", day(2026, 4, 10)),
        credit(9003, 3, "2500.00", day(2026, 4, 30)),
    ] {
        setup.insert(&c).expect("credit");
    }
    setup
        .insert(&target(9101, 1, TargetStatus::Superseded, "1000.00"))
        .expect("target 1");
    setup
        .insert(&target(9102, 2, TargetStatus::Approved, "5000.00"))
        .expect("target 2");
    setup
        .insert(&target(9103, 3, TargetStatus::Submitted, "9000.00"))
        .expect("target 3");
    store.apply(setup).await.expect("setup");

    // March under revision 1 (5 %), April under revision 2 (10 %).
    let march = ops
        .compute(user(MANAGER), compute(REP, month(3)))
        .await
        .expect("march");
    assert_eq!(
        (march.plan_revision, march.period_key.as_str()),
        (1, "FY2026-M03")
    );
    assert_eq!(march.status, StatementStatus::Computed);
    assert_eq!(march.net_credits, dec("10000.00"));
    assert_eq!(march.target, dec("5000.00"));
    assert_eq!(march.attainment, Some(dec("200.00")));
    assert_eq!(march.total, dec("500.00"));
    assert_eq!(march.lines.len(), 1);
    assert_eq!(march.lines[0].kind, LineKind::Commission);
    let april = ops
        .compute(user(MANAGER), compute(REP, month(4)))
        .await
        .expect("april");
    assert_eq!(april.plan_revision, 2);
    assert_eq!(april.total, dec("1250.00"));
    // Before revision 1 no plan is in force.
    let err = ops
        .compute(
            user(MANAGER),
            compute(
                REP,
                FiscalPeriod::Month {
                    year: 2025,
                    month: 12,
                },
            ),
        )
        .await
        .expect_err("no plan");
    assert_eq!(rule_of(err), "no_plan_in_force");
    // A quarter overlapping March's statement is refused.
    let err = ops
        .compute(
            user(MANAGER),
            compute(
                REP,
                FiscalPeriod::Quarter {
                    year: 2026,
                    quarter: 1,
                },
            ),
        )
        .await
        .expect_err("overlap");
    assert_eq!(rule_of(err), "period_overlap");
    // A rep computes nothing (read only); a peer's statement is out of reach.
    let err = ops
        .compute(user(REP2), compute(REP, month(3)))
        .await
        .expect_err("rep");
    assert!(matches!(err, CrmError::PermissionDenied { .. }), "{err}");

    // Recomputing a computed statement keeps its id.
    let again = ops
        .compute(user(MANAGER), compute(REP, month(3)))
        .await
        .expect("recompute");
    assert_eq!(again.id, march.id);
    assert_eq!(again.version, march.version + 1);

    // Self-approval is refused, for the rep and for the manager's own statement.
    let own = ops
        .compute(user(MANAGER), compute(MANAGER, month(3)))
        .await
        .expect("manager's own");
    let before = counts(&*store).await;
    for (actor, id) in [(REP, march.id), (MANAGER, own.id)] {
        let err = ops
            .approve(user(actor), ApproveStatement { id })
            .await
            .expect_err("self");
        assert_eq!(rule_of(err), "self_approval");
    }
    // A peer without the approve grant is refused.
    let err = ops
        .approve(user(REP2), ApproveStatement { id: march.id })
        .await
        .expect_err("peer");
    assert!(matches!(err, CrmError::PermissionDenied { .. }), "{err}");
    assert_eq!(counts(&*store).await, before);

    // The manager approves: then it is immutable.
    let approved = ops
        .approve(user(MANAGER), ApproveStatement { id: march.id })
        .await
        .expect("approve");
    assert_eq!(approved.status, StatementStatus::Approved);
    assert_eq!(approved.approved_by, Some(MANAGER));
    let after = counts(&*store).await;
    let err = ops
        .compute(user(MANAGER), compute(REP, month(3)))
        .await
        .expect_err("recompute approved");
    assert_eq!(rule_of(err), "statement_immutable");
    let err = ops
        .approve(user(MANAGER), ApproveStatement { id: march.id })
        .await
        .expect_err("approve twice");
    assert_eq!(rule_of(err), "statement_immutable");
    assert_eq!(counts(&*store).await, after);
    let read = ops
        .get(user(REP), GetStatement { id: march.id })
        .await
        .expect("own");
    assert_eq!(
        (read.status, read.total),
        (StatementStatus::Approved, dec("500.00"))
    );

    // Scope: the peer neither reads nor lists the rep's statements; the manager lists all.
    let err = ops
        .get(user(REP2), GetStatement { id: march.id })
        .await
        .expect_err("peer read");
    assert!(matches!(err, CrmError::NotFound { .. }), "{err}");
    let peer = ops
        .statements(user(REP2), StatementFilter::default())
        .await
        .expect("peer list");
    assert!(peer.items.is_empty());
    let own_list = ops
        .statements(user(REP), StatementFilter::default())
        .await
        .expect("own list");
    assert_eq!(
        own_list.items.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![march.id, april.id]
    );
    let team = ops
        .statements(
            user(MANAGER),
            StatementFilter {
                status: Some(StatementStatus::Computed),
                ..StatementFilter::default()
            },
        )
        .await
        .expect("team list");
    assert_eq!(
        team.items.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![april.id, own.id]
    );
    let err = ops
        .statements(user(NOBODY), StatementFilter::default())
        .await
        .expect_err("no grant");
    assert!(matches!(err, CrmError::PermissionDenied { .. }), "{err}");
}
