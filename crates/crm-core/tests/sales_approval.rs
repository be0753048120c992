//! Approval policies (§4.5): branch matching on both sides of every bound, approval runs
//! (any-one / all, rejection, double approval, outsiders, self-approval), amendment guard.

use chrono::{DateTime, Utc};
use crm_core::ids::{DepartmentId, RoleId, TenantId, UserId};
use crm_core::money::Currency;
use crm_core::org::{Org, User};
use crm_core::sales::approval::{
    amendment_guard, start_run, ApprovalFacts, ApprovalLevel, ApprovalMode, ApprovalPolicy,
    ApprovalStatus, Approvers, Bound, Branch, Condition, Decision, Range, ReapprovalReason,
};
use crm_core::CrmError;
use rust_decimal::Decimal;
use std::str::FromStr;

const REGIONAL_MANAGER: RoleId = RoleId(10);
const FINANCE_DIRECTOR: RoleId = RoleId(20);

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}
fn now() -> DateTime<Utc> {
    DateTime::<Utc>::default()
}
fn user(id: i64, dept: i64, sup: Option<i64>, roles: &[RoleId]) -> User {
    User {
        tenant: TenantId(1),
        id: UserId(id),
        version: 1,
        name: format!("u{id}"),
        department_id: Some(DepartmentId(dept)),
        supervisor_id: sup.map(UserId),
        role_ids: roles.to_vec(),
        tenant_admin: false,
        active: true,
        time_zone: None,
        joined_on: None,
    }
}
/// 1 = sales rep (owner) → 2 = team lead → 3 = regional manager; 4 = second regional
/// manager; 5 = finance director; 6 = inactive finance director.
fn org() -> Org {
    let mut inactive = user(6, 1, None, &[FINANCE_DIRECTOR]);
    inactive.active = false;
    Org::new(
        vec![
            user(1, 1, Some(2), &[]),
            user(2, 1, Some(3), &[]),
            user(3, 1, None, &[REGIONAL_MANAGER]),
            user(4, 1, None, &[REGIONAL_MANAGER]),
            user(5, 1, None, &[FINANCE_DIRECTOR]),
            inactive,
        ],
        vec![],
    )
}
fn level(name: &str, approvers: Approvers, mode: ApprovalMode) -> ApprovalLevel {
    ApprovalLevel {
        name: name.into(),
        approvers,
        mode,
    }
}
fn rm() -> ApprovalLevel {
    level(
        "regional manager",
        Approvers::Role {
            role: REGIONAL_MANAGER,
        },
        ApprovalMode::AnyOne,
    )
}
fn fd() -> ApprovalLevel {
    level(
        "finance director",
        Approvers::Role {
            role: FINANCE_DIRECTOR,
        },
        ApprovalMode::AnyOne,
    )
}
/// The DESIGN example: total < 50,000 → regional manager; ≥ 50,000 → regional manager then
/// finance director. `explicit_upper` states the second condition instead of a fallback.
fn example_policy(explicit_upper: bool) -> ApprovalPolicy {
    ApprovalPolicy {
        branches: vec![
            Branch {
                name: "small".into(),
                condition: Some(Condition {
                    total: Some(Range::below(d("50000"))),
                    ..Condition::default()
                }),
                levels: vec![rm()],
            },
            Branch {
                name: "large".into(),
                condition: explicit_upper.then(|| Condition {
                    total: Some(Range::at_least(d("50000"))),
                    ..Condition::default()
                }),
                levels: vec![rm(), fd()],
            },
        ],
        forbid_self_approval: false,
        amendment_threshold_percent: d("20"),
    }
}
fn facts(total: &str) -> ApprovalFacts {
    ApprovalFacts {
        currency: Currency::parse("CNY", "c").unwrap(),
        total: d(total),
        max_discount: d("10"),
        customer_tier: Some("A".into()),
        owner: UserId(1),
        owner_departments: vec![DepartmentId(1), DepartmentId(100)],
    }
}
fn rule_of(e: CrmError) -> String {
    match e {
        CrmError::RuleViolation { rule, .. } => rule,
        other => panic!("expected a rule violation, got {other:?}"),
    }
}

#[test]
fn example_policy_one_minor_unit_on_each_side_of_50000() {
    for explicit in [false, true] {
        let policy = example_policy(explicit);
        policy.validate().unwrap();
        let branch = |t: &str| policy.select(&facts(t)).unwrap().1.name.clone();
        assert_eq!(branch("49999.99"), "small");
        assert_eq!(branch("50000.00"), "large");
        assert_eq!(branch("50000.01"), "large");
        assert_eq!(branch("0"), "small");
        let run = start_run(&policy, &facts("50000"), &org()).unwrap();
        assert_eq!(run.levels.len(), 2);
        assert_eq!(run.levels[0].approvers, vec![UserId(3), UserId(4)]);
        assert_eq!(
            run.levels[1].approvers,
            vec![UserId(5)],
            "inactive users skipped"
        );
    }
}

#[test]
fn inclusive_and_exclusive_bounds() {
    let r = Range {
        min: Some(Bound::Exclusive(d("100"))),
        max: Some(Bound::Inclusive(d("200"))),
    };
    assert!(!r.contains(d("100")));
    assert!(r.contains(d("100.01")));
    assert!(r.contains(d("200")));
    assert!(!r.contains(d("200.01")));
    let r = Range {
        min: Some(Bound::Inclusive(d("100"))),
        max: Some(Bound::Exclusive(d("200"))),
    };
    assert!(!r.contains(d("99.99")));
    assert!(r.contains(d("100")));
    assert!(r.contains(d("199.99")));
    assert!(!r.contains(d("200")));
    assert!(Range::at_most(d("5")).contains(d("5")));
    assert!(!Range::above(d("5")).contains(d("5")));
    assert!(Range::above(d("5")).contains(d("5.01")));
}

#[test]
fn conditions_on_discount_tier_department_and_currency() {
    let only = |c: Condition| ApprovalPolicy {
        branches: vec![Branch {
            name: "b".into(),
            condition: Some(c),
            levels: vec![rm()],
        }],
        forbid_self_approval: false,
        amendment_threshold_percent: d("20"),
    };
    let discount = only(Condition {
        max_discount: Some(Range::above(d("20"))),
        ..Condition::default()
    });
    let mut f = facts("100");
    f.max_discount = d("20");
    assert_eq!(
        rule_of(discount.select(&f).unwrap_err()),
        "approval_no_branch"
    );
    f.max_discount = d("20.01");
    assert!(discount.select(&f).is_ok());

    let tier = only(Condition {
        customer_tiers: Some(vec!["A".into(), "B".into()]),
        ..Condition::default()
    });
    assert!(tier.select(&facts("1")).is_ok());
    let mut f = facts("1");
    f.customer_tier = Some("C".into());
    assert!(tier.select(&f).is_err());
    f.customer_tier = None;
    assert!(tier.select(&f).is_err());

    let dept = only(Condition {
        owner_departments: Some(vec![DepartmentId(100)]),
        ..Condition::default()
    });
    assert!(
        dept.select(&facts("1")).is_ok(),
        "matches an ancestor department"
    );
    let mut f = facts("1");
    f.owner_departments = vec![DepartmentId(2)];
    assert!(dept.select(&f).is_err());

    let usd = only(Condition {
        currency: Some(Currency::parse("USD", "c").unwrap()),
        total: Some(Range::below(d("1000"))),
        ..Condition::default()
    });
    assert!(usd.select(&facts("1")).is_err(), "CNY contract, USD branch");
}

#[test]
fn policy_validation_names_the_field() {
    let field_of = |p: &ApprovalPolicy| match p.validate().unwrap_err() {
        CrmError::Validation { field, .. } => field,
        other => panic!("{other:?}"),
    };
    let mut p = example_policy(false);
    p.branches.push(Branch {
        name: "never".into(),
        condition: None,
        levels: vec![],
    });
    assert_eq!(field_of(&p), "branches[2]");
    let mut p = example_policy(true);
    p.branches[1].levels[1].approvers = Approvers::Users { users: vec![] };
    assert_eq!(field_of(&p), "branches[1].levels[1].approvers");
    let mut p = example_policy(true);
    p.branches[0].levels[0].approvers = Approvers::Supervisor { levels: 0 };
    assert_eq!(field_of(&p), "branches[0].levels[0].approvers");
    let mut p = example_policy(true);
    p.branches[0].condition = Some(Condition {
        total: Some(Range {
            min: Some(Bound::Inclusive(d("2"))),
            max: Some(Bound::Inclusive(d("1"))),
        }),
        ..Condition::default()
    });
    assert_eq!(field_of(&p), "branches[0].condition.total");
    let mut p = example_policy(true);
    p.amendment_threshold_percent = d("100.01");
    assert_eq!(field_of(&p), "amendment_threshold_percent");
    let p = ApprovalPolicy {
        branches: vec![],
        forbid_self_approval: false,
        amendment_threshold_percent: d("20"),
    };
    assert_eq!(field_of(&p), "branches");
}

#[test]
fn any_one_level_completes_on_the_first_approval() {
    let run = start_run(&example_policy(false), &facts("60000"), &org()).unwrap();
    assert_eq!(run.pending_approvers(), vec![UserId(3), UserId(4)]);
    let run = run.act(UserId(4), Decision::Approve, None, now()).unwrap();
    assert_eq!(run.current, 1);
    assert_eq!(run.pending_approvers(), vec![UserId(5)]);
    // A level-1 approver cannot act at level 2.
    let err = run
        .act(UserId(3), Decision::Approve, None, now())
        .unwrap_err();
    assert!(matches!(err, CrmError::PermissionDenied { .. }));
    let run = run
        .act(UserId(5), Decision::Approve, Some("ok"), now())
        .unwrap();
    assert_eq!(run.status, ApprovalStatus::Approved);
    assert!(run.pending_approvers().is_empty());
    assert_eq!(run.actions.len(), 2);
    assert_eq!(
        rule_of(
            run.act(UserId(5), Decision::Approve, None, now())
                .unwrap_err()
        ),
        "approval_finished"
    );
}

#[test]
fn all_level_needs_everyone_and_refuses_double_approval() {
    let mut policy = example_policy(false);
    policy.branches[0].levels[0].mode = ApprovalMode::All;
    let run = start_run(&policy, &facts("100"), &org()).unwrap();
    let run = run.act(UserId(3), Decision::Approve, None, now()).unwrap();
    assert_eq!(run.status, ApprovalStatus::Pending);
    assert_eq!(run.pending_approvers(), vec![UserId(4)]);
    assert_eq!(
        rule_of(
            run.act(UserId(3), Decision::Approve, None, now())
                .unwrap_err()
        ),
        "approval_already_acted"
    );
    let run = run.act(UserId(4), Decision::Approve, None, now()).unwrap();
    assert_eq!(run.status, ApprovalStatus::Approved);
}

#[test]
fn rejection_ends_the_run_and_needs_a_comment() {
    let run = start_run(&example_policy(false), &facts("60000"), &org()).unwrap();
    let err = run
        .act(UserId(3), Decision::Reject, None, now())
        .unwrap_err();
    assert!(matches!(err, CrmError::Validation { field, .. } if field == "comment"));
    let err = run
        .act(UserId(3), Decision::Reject, Some("  "), now())
        .unwrap_err();
    assert!(matches!(err, CrmError::Validation { field, .. } if field == "comment"));
    let run = run
        .act(
            UserId(3),
            Decision::Reject,
            Some("discount too deep"),
            now(),
        )
        .unwrap();
    assert_eq!(run.status, ApprovalStatus::Rejected);
    assert_eq!(
        rule_of(
            run.act(UserId(4), Decision::Approve, None, now())
                .unwrap_err()
        ),
        "approval_finished"
    );
}

#[test]
fn outsiders_and_owners() {
    let run = start_run(&example_policy(false), &facts("100"), &org()).unwrap();
    let err = run
        .act(UserId(99), Decision::Approve, None, now())
        .unwrap_err();
    assert!(matches!(err, CrmError::PermissionDenied { .. }));

    // The owner holds the approving role.
    let mut f = facts("100");
    f.owner = UserId(3);
    let allowed = start_run(&example_policy(false), &f, &org()).unwrap();
    assert!(allowed
        .act(UserId(3), Decision::Approve, None, now())
        .is_ok());
    let mut strict = example_policy(false);
    strict.forbid_self_approval = true;
    let run = start_run(&strict, &f, &org()).unwrap();
    assert_eq!(run.pending_approvers(), vec![UserId(4)]);
    let err = run
        .act(UserId(3), Decision::Approve, None, now())
        .unwrap_err();
    assert!(matches!(err, CrmError::PermissionDenied { .. }));
}

#[test]
fn supervisor_levels_and_specific_users() {
    let policy = ApprovalPolicy {
        branches: vec![Branch {
            name: "chain".into(),
            condition: None,
            levels: vec![
                level(
                    "lead",
                    Approvers::Supervisor { levels: 1 },
                    ApprovalMode::AnyOne,
                ),
                level(
                    "manager",
                    Approvers::Supervisor { levels: 2 },
                    ApprovalMode::AnyOne,
                ),
                level(
                    "named",
                    Approvers::Users {
                        users: vec![UserId(5), UserId(5), UserId(6)],
                    },
                    ApprovalMode::All,
                ),
            ],
        }],
        forbid_self_approval: false,
        amendment_threshold_percent: d("20"),
    };
    let run = start_run(&policy, &facts("1"), &org()).unwrap();
    assert_eq!(run.levels[0].approvers, vec![UserId(2)]);
    assert_eq!(run.levels[1].approvers, vec![UserId(3)]);
    assert_eq!(run.levels[2].approvers, vec![UserId(5)]);
    let mut deep = policy.clone();
    deep.branches[0].levels[0].approvers = Approvers::Supervisor { levels: 3 };
    assert_eq!(
        rule_of(start_run(&deep, &facts("1"), &org()).unwrap_err()),
        "approval_no_approver"
    );
    let no_levels = ApprovalPolicy {
        branches: vec![Branch {
            name: "auto".into(),
            condition: None,
            levels: vec![],
        }],
        forbid_self_approval: false,
        amendment_threshold_percent: d("20"),
    };
    let run = start_run(&no_levels, &facts("1"), &org()).unwrap();
    assert_eq!(run.status, ApprovalStatus::Approved);
}

#[test]
fn amendment_guard_threshold_one_minor_unit_each_side() {
    let policy = example_policy(false);
    let approved = facts("100.00");
    let verdict = |total: &str| amendment_guard(&policy, &approved, &facts(total)).unwrap();
    assert!(
        !verdict("80.00").restart_from_first_level,
        "exactly 20 % lower"
    );
    assert!(!verdict("80.01").restart_from_first_level);
    let v = verdict("79.99");
    assert!(v.restart_from_first_level);
    assert!(matches!(
        v.reasons[0],
        ReapprovalReason::AmountLowered { .. }
    ));
    assert!(!verdict("100.00").restart_from_first_level);
    assert!(
        !verdict("120.00").restart_from_first_level,
        "raising stays in the branch"
    );

    // Discount: equal keeps, one hundredth of a percent more restarts.
    let mut same = facts("100");
    same.max_discount = d("10");
    assert!(
        !amendment_guard(&policy, &approved, &same)
            .unwrap()
            .restart_from_first_level
    );
    let mut deeper = facts("100");
    deeper.max_discount = d("10.01");
    let v = amendment_guard(&policy, &approved, &deeper).unwrap();
    assert_eq!(
        v.reasons,
        vec![ReapprovalReason::DiscountRaised {
            approved: d("10"),
            amended: d("10.01")
        }]
    );
    let mut lower = facts("100");
    lower.max_discount = d("5");
    assert!(
        !amendment_guard(&policy, &approved, &lower)
            .unwrap()
            .restart_from_first_level
    );
}

#[test]
fn amendment_guard_on_branch_and_currency_changes() {
    let policy = example_policy(false);
    let v = amendment_guard(&policy, &facts("49999.99"), &facts("50000.00")).unwrap();
    assert_eq!(
        v.reasons,
        vec![ReapprovalReason::BranchChanged {
            approved: "small".into(),
            amended: "large".into()
        }]
    );
    assert!(
        !amendment_guard(&policy, &facts("49999.98"), &facts("49999.99"))
            .unwrap()
            .restart_from_first_level
    );
    let mut usd = facts("100");
    usd.currency = Currency::parse("USD", "c").unwrap();
    let v = amendment_guard(&policy, &facts("100"), &usd).unwrap();
    assert_eq!(v.reasons, vec![ReapprovalReason::CurrencyChanged]);

    // A custom threshold.
    let mut loose = example_policy(false);
    loose.amendment_threshold_percent = d("50");
    assert!(
        !amendment_guard(&loose, &facts("100"), &facts("50"))
            .unwrap()
            .restart_from_first_level
    );
    assert!(
        amendment_guard(&loose, &facts("100"), &facts("49.99"))
            .unwrap()
            .restart_from_first_level
    );
}
