//! Target declaration and approval on every store (issue 16, DESIGN §4.10): declaring by an
//! annual amount (TG1) or by months, bad input refused by field with nothing written, the
//! draft → submitted → returned → draft → submitted → approved flow, never self-approval,
//! approval up the supervisor chain, immutability, and revisions superseding each other.

use super::target_support::*;
use crate::ids::TargetId;
use crate::op::{ApproveTarget, GetTarget, ReturnTarget, SubmitTarget, TargetHistory};
use crate::store::{Entity, Store};
use crate::target::{DeclareTarget, Metric, TargetStatus, TargetSubject};
use crate::testkit::fixture::*;
use crate::Actor;
use std::sync::Arc;

/// TG1 and monthly declarations; every kind of bad input refused by field, writing nothing.
pub async fn targets_are_declared_by_annual_or_months<S: Store>(store: Arc<S>) {
    let f = target_fixture(store).await;
    let t = f.crm.targets();
    let rep = user(REP);
    let tg1 = t
        .declare(rep, annual(of(REP), "1000.00"))
        .await
        .expect("declare");
    assert_eq!(tg1.status, TargetStatus::Draft);
    assert_eq!((tg1.revision, tg1.supersedes), (1, None));
    assert_eq!(tg1.declared_by, Some(REP));
    assert_eq!(&tg1.months[..4], &[dec("83.34"); 4]);
    assert_eq!(&tg1.months[4..], &[dec("83.33"); 8]);
    assert_eq!(tg1.annual(), dec("1000.00"));
    let read = t.get(rep, GetTarget { id: tg1.id }).await.expect("get");
    assert_eq!(read, tg1);
    let mut months: Vec<_> = (1..=12).map(|m| dec(&format!("{m}0.5"))).collect();
    months[0] = dec("0");
    let by_months = t
        .declare(
            rep,
            DeclareTarget {
                months: Some(months.clone()),
                annual: None,
                ..annual(of(REP), "0")
            }
            .with_metric(Metric::PaymentsReceived),
        )
        .await
        .expect("months");
    assert_eq!(by_months.months, months);
    assert_eq!(by_months.currency.as_deref(), Some("CNY"));
    let counts = t
        .declare(
            rep,
            DeclareTarget {
                currency: None,
                annual: Some(dec("30")),
                ..annual(of(REP), "0")
            }
            .with_metric(Metric::CustomersWon),
        )
        .await
        .expect("counts");
    assert_eq!(counts.currency, None);
    assert_eq!(&counts.months[..6], &[dec("3"); 6]);
    assert_eq!(&counts.months[6..], &[dec("2"); 6]);
    assert_eq!(events_of(&f, "TargetDeclared", tg1.id.0).await.len(), 1);
    let payload = &events_of(&f, "TargetDeclared", tg1.id.0).await[0].payload;
    assert_eq!(payload["revision"], 1);
    assert_eq!(payload["metric"], "contract_amount");
    assert_eq!(payload["fiscal_year"], 2026);
    assert_eq!(payload["subject"]["kind"], "user");
    assert!(payload.get("annual").is_some());
    assert_eq!(audit_ops(&f, tg1.id.0).await, vec!["target.declare"]);

    // Re-declaring the draft updates it in place.
    let again = t
        .declare(rep, annual(of(REP), "1200"))
        .await
        .expect("again");
    assert_eq!((again.id, again.revision), (tg1.id, 1));
    assert_eq!(again.months, vec![dec("100.00"); 12]);

    let rows = count(&f, Entity::Target).await;
    let audits = f
        .crm
        .record_audit(Actor::system(T1), "target", tg1.id.0)
        .await
        .expect("audit")
        .len();
    let bad = |r: DeclareTarget| async { refusal(t.declare(rep, r).await) };
    let eleven = DeclareTarget {
        months: Some(vec![dec("1"); 11]),
        annual: None,
        ..annual(of(REP), "0")
    };
    assert_eq!(bad(eleven).await, "field months");
    let mut negative = vec![dec("1"); 12];
    negative[4] = dec("-0.01");
    let negative = DeclareTarget {
        months: Some(negative),
        annual: None,
        ..annual(of(REP), "0")
    };
    assert_eq!(bad(negative).await, "field months[4]");
    let mut fine = vec![dec("1"); 12];
    fine[7] = dec("1.001");
    let too_fine = DeclareTarget {
        months: Some(fine),
        annual: None,
        ..annual(of(REP), "0")
    };
    assert_eq!(bad(too_fine).await, "field months[7]");
    let currency_on_count = annual(of(REP), "12").with_metric(Metric::LeadsConverted);
    assert_eq!(bad(currency_on_count).await, "field currency");
    let no_currency = DeclareTarget {
        currency: None,
        ..annual(of(REP), "12")
    };
    assert_eq!(bad(no_currency).await, "field currency");
    let bad_currency = DeclareTarget {
        currency: Some("ABC".into()),
        ..annual(of(REP), "12")
    };
    assert_eq!(bad(bad_currency).await, "field currency");
    for year in [1899, 2200] {
        let r = DeclareTarget {
            fiscal_year: year,
            ..annual(of(REP), "12")
        };
        assert_eq!(bad(r).await, "field fiscal_year");
    }
    let both = DeclareTarget {
        months: Some(vec![dec("1"); 12]),
        ..annual(of(REP), "12")
    };
    assert_eq!(bad(both).await, "field annual");
    assert_eq!(bad(annual(of(REP), "-1")).await, "field annual");
    let unknown = annual(
        TargetSubject::User {
            id: crate::ids::UserId(999),
        },
        "12",
    );
    assert_eq!(
        refusal(t.declare(user(DIRECTOR), unknown).await),
        "field subject.id"
    );
    let no_dept = annual(
        TargetSubject::Department {
            id: crate::ids::DepartmentId(999),
        },
        "12",
    );
    assert_eq!(
        refusal(t.declare(user(DIRECTOR), no_dept).await),
        "field subject.id"
    );
    // A rep cannot declare a peer's, a department's or the tenant's target.
    for subject in [
        of(REP2),
        TargetSubject::Department { id: SALES_EAST },
        TargetSubject::Tenant,
    ] {
        assert_eq!(
            refusal(t.declare(rep, annual(subject, "12")).await),
            "permission_denied"
        );
    }
    assert_eq!(count(&f, Entity::Target).await, rows);
    assert_eq!(
        f.crm
            .record_audit(Actor::system(T1), "target", tg1.id.0)
            .await
            .expect("audit")
            .len(),
        audits
    );
    // The manager declares for a subordinate; the director for a department.
    let for_rep2 = t
        .declare(user(MANAGER), annual(of(REP2), "600"))
        .await
        .expect("for rep2");
    assert_eq!(for_rep2.declared_by, Some(MANAGER));
    t.declare(
        user(DIRECTOR),
        annual(TargetSubject::Department { id: SALES_EAST }, "600"),
    )
    .await
    .expect("department");
    t.declare(user(ADMIN), annual(TargetSubject::Tenant, "600"))
        .await
        .expect("tenant by admin");
}

trait WithMetric {
    fn with_metric(self, metric: Metric) -> Self;
}

impl WithMetric for DeclareTarget {
    fn with_metric(self, metric: Metric) -> Self {
        DeclareTarget { metric, ..self }
    }
}

async fn status<S: Store>(f: &Fixture<S>, id: TargetId) -> TargetStatus {
    f.crm
        .targets()
        .get(Actor::system(T1), GetTarget { id })
        .await
        .expect("target")
        .status
}

fn approve(id: TargetId) -> ApproveTarget {
    ApproveTarget { id, comment: None }
}

/// The whole flow, self-approval refused, approval two levels up, immutability and revisions.
pub async fn targets_are_approved_never_by_oneself<S: Store>(store: Arc<S>) {
    let f = target_fixture(store).await;
    let t = f.crm.targets();
    let rep = user(REP);
    let draft = t
        .declare(rep, annual(of(REP), "1000.00"))
        .await
        .expect("declare");
    let id = draft.id;
    // Nothing to approve or return before submit.
    assert_eq!(
        refusal(t.approve(user(MANAGER), approve(id)).await),
        "target_not_submitted"
    );
    let submitted = t.submit(rep, SubmitTarget { id }).await.expect("submit");
    assert_eq!(submitted.target.status, TargetStatus::Submitted);
    assert!(submitted.gaps.is_empty());
    assert_eq!(
        refusal(t.submit(rep, SubmitTarget { id }).await),
        "target_pending"
    );
    assert_eq!(
        refusal(t.declare(rep, annual(of(REP), "5")).await),
        "target_pending"
    );
    // The subject never approves nor returns their own.
    assert_eq!(refusal(t.approve(rep, approve(id)).await), "self_approval");
    let ret = |comment: &str| ReturnTarget {
        id,
        comment: comment.into(),
    };
    assert_eq!(
        refusal(t.return_target(rep, ret("no")).await),
        "self_approval"
    );
    // A peer neither sees nor approves it.
    assert_eq!(
        refusal(t.approve(user(REP2), approve(id)).await),
        "not_found"
    );
    // A return needs a comment.
    assert_eq!(
        refusal(t.return_target(user(MANAGER), ret("  ")).await),
        "field comment"
    );
    let returned = t
        .return_target(user(MANAGER), ret("too low for the east region"))
        .await
        .expect("return");
    assert_eq!(returned.status, TargetStatus::Returned);
    assert_eq!(
        returned.steps.last().and_then(|s| s.comment.as_deref()),
        Some("too low for the east region")
    );
    let redeclared = t
        .declare(rep, annual(of(REP), "1200.00"))
        .await
        .expect("redeclare");
    assert_eq!(
        (redeclared.id, redeclared.status),
        (id, TargetStatus::Draft)
    );
    t.submit(rep, SubmitTarget { id }).await.expect("resubmit");
    // The boss, two levels up the chain and without an approve grant, approves.
    let approved = t.approve(user(BOSS), approve(id)).await.expect("approve");
    assert_eq!(approved.target.status, TargetStatus::Approved);
    let statuses: Vec<TargetStatus> = approved.target.steps.iter().map(|s| s.status).collect();
    assert_eq!(
        statuses,
        [
            TargetStatus::Draft,
            TargetStatus::Submitted,
            TargetStatus::Returned,
            TargetStatus::Draft,
            TargetStatus::Submitted,
            TargetStatus::Approved
        ]
    );
    assert_eq!(approved.target.steps.last().and_then(|s| s.by), Some(BOSS));
    for (kind, n) in [
        ("TargetDeclared", 2),
        ("TargetSubmitted", 2),
        ("TargetReturned", 1),
        ("TargetApproved", 1),
    ] {
        assert_eq!(events_of(&f, kind, id.0).await.len(), n, "{kind}");
    }
    assert_eq!(
        audit_ops(&f, id.0).await,
        [
            "target.declare",
            "target.submit",
            "target.return",
            "target.declare",
            "target.submit",
            "target.approve"
        ]
    );
    // Approved is immutable.
    for r in [
        refusal(t.submit(rep, SubmitTarget { id }).await),
        refusal(t.approve(user(DIRECTOR), approve(id)).await),
        refusal(t.return_target(user(DIRECTOR), ret("late")).await),
    ] {
        assert_eq!(r, "target_immutable");
    }
    // A change is revision 2; revision 1 stays approved until 2 is approved.
    let v2 = t
        .declare(rep, annual(of(REP), "1500.00"))
        .await
        .expect("revision 2");
    assert_eq!((v2.revision, v2.supersedes), (2, Some(id)));
    assert_ne!(v2.id, id);
    t.submit(rep, SubmitTarget { id: v2.id })
        .await
        .expect("submit 2");
    assert_eq!(status(&f, id).await, TargetStatus::Approved);
    let approved_now = f
        .crm
        .approved_targets(T1, Metric::ContractAmount, 2026)
        .await
        .expect("approved");
    assert_eq!(approved_now.iter().map(|t| t.id).collect::<Vec<_>>(), [id]);
    t.approve(user(MANAGER), approve(v2.id))
        .await
        .expect("approve 2");
    assert_eq!(status(&f, id).await, TargetStatus::Superseded);
    assert_eq!(status(&f, v2.id).await, TargetStatus::Approved);
    let approved_now = f
        .crm
        .approved_targets(T1, Metric::ContractAmount, 2026)
        .await
        .expect("approved");
    assert_eq!(
        approved_now.iter().map(|t| t.id).collect::<Vec<_>>(),
        [v2.id]
    );
    assert_eq!(
        refusal(t.submit(rep, SubmitTarget { id }).await),
        "target_immutable"
    );
    let history = t
        .history(
            user(MANAGER),
            TargetHistory {
                subject: of(REP),
                metric: Metric::ContractAmount,
                fiscal_year: 2026,
            },
        )
        .await
        .expect("history");
    assert_eq!(
        history
            .iter()
            .map(|t| (t.revision, t.status))
            .collect::<Vec<_>>(),
        [(1, TargetStatus::Superseded), (2, TargetStatus::Approved)]
    );
    assert_eq!(
        audit_ops(&f, id.0).await.last().map(String::as_str),
        Some("target.supersede")
    );

    // The declarer never approves what they declared, even as a tenant admin or with
    // reach all.
    let by_manager = t
        .declare(user(MANAGER), annual(of(REP2), "100"))
        .await
        .expect("declared by manager");
    t.submit(user(MANAGER), SubmitTarget { id: by_manager.id })
        .await
        .expect("submit");
    assert_eq!(
        refusal(t.approve(user(MANAGER), approve(by_manager.id)).await),
        "self_approval"
    );
    t.approve(user(BOSS), approve(by_manager.id))
        .await
        .expect("boss approves");
    let by_admin = t
        .declare(user(ADMIN), annual(TargetSubject::Tenant, "100"))
        .await
        .expect("declared by admin");
    t.submit(user(ADMIN), SubmitTarget { id: by_admin.id })
        .await
        .expect("submit");
    assert_eq!(
        refusal(t.approve(user(ADMIN), approve(by_admin.id)).await),
        "self_approval"
    );
    let by_director = t
        .declare(
            user(DIRECTOR),
            annual(TargetSubject::Department { id: SALES }, "100"),
        )
        .await
        .expect("declared by director");
    t.submit(user(DIRECTOR), SubmitTarget { id: by_director.id })
        .await
        .expect("submit");
    assert_eq!(
        refusal(t.approve(user(DIRECTOR), approve(by_director.id)).await),
        "self_approval"
    );
    // A manager may not approve a department's target; the director and the admin may.
    assert_eq!(
        refusal(t.approve(user(BOSS), approve(by_director.id)).await),
        "not_found"
    );
    t.approve(user(ADMIN), approve(by_director.id))
        .await
        .expect("admin approves the department's");
    t.approve(user(DIRECTOR), approve(by_admin.id))
        .await
        .expect("director approves the tenant's");
    assert_eq!(status(&f, by_admin.id).await, TargetStatus::Approved);
}
