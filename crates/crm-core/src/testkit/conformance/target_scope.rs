//! Targets in scope, department coverage and the fiscal calendar on every store (issue 16):
//! a peer neither reads nor lists a rep's target, the managers above do; department and
//! tenant targets are read with a reach holding everyone below them; coverage warns at a gap
//! of 0.01 and not at exact coverage, and refuses approval when the tenant requires it; a
//! fiscal year starting in April puts month 1 in April; the start month is fixed once a
//! target is approved.

use super::target_support::*;
use crate::op::{
    ApproveTarget, GetTarget, ReturnTarget, SetTargetSettings, SubmitTarget, TargetCoverageRequest,
    TargetFilter, TargetHistory,
};
use crate::store::Store;
use crate::target::{
    DeclareTarget, FiscalPeriod, Metric, TargetSettings, TargetStatus, TargetSubject,
};
use crate::testkit::fixture::*;
use crate::Actor;
use chrono::NaiveDate;
use std::sync::Arc;

fn ids(page: &crate::service::Page<crate::target::Target>) -> Vec<i64> {
    page.items.iter().map(|t| t.id.0).collect()
}

/// Who reads which user, department and tenant targets.
pub async fn targets_follow_the_read_scope<S: Store>(store: Arc<S>) {
    let f = target_fixture(store).await;
    let t = f.crm.targets();
    let mine = t
        .declare(user(REP), annual(of(REP), "1000"))
        .await
        .expect("rep");
    let peer = t
        .declare(user(REP2), annual(of(REP2), "800"))
        .await
        .expect("peer");
    let east = t
        .declare(
            user(DIRECTOR),
            annual(TargetSubject::Department { id: SALES_EAST }, "1800"),
        )
        .await
        .expect("east");
    let sales = t
        .declare(
            user(DIRECTOR),
            annual(TargetSubject::Department { id: SALES }, "3000"),
        )
        .await
        .expect("sales");
    let tenant = t
        .declare(user(DIRECTOR), annual(TargetSubject::Tenant, "5000"))
        .await
        .expect("tenant");
    let get = |who, id| async move { t.get(user(who), GetTarget { id }).await };
    assert_eq!(refusal(get(REP2, mine.id).await), "not_found");
    assert_eq!(refusal(get(REP, east.id).await), "not_found");
    assert!(get(REP, mine.id).await.is_ok());
    assert!(get(MANAGER, mine.id).await.is_ok());
    assert!(get(BOSS, mine.id).await.is_ok());
    // The east manager's and the boss's reach hold everyone in Sales East, not in Sales.
    assert!(get(MANAGER, east.id).await.is_ok());
    assert!(get(BOSS, east.id).await.is_ok());
    assert_eq!(refusal(get(BOSS, sales.id).await), "not_found");
    assert_eq!(refusal(get(BOSS, tenant.id).await), "not_found");
    for who in [DIRECTOR, ADMIN] {
        for id in [mine.id, east.id, sales.id, tenant.id] {
            assert!(get(who, id).await.is_ok(), "{who} reads {id}");
        }
    }
    let list = |who| async move {
        t.list(user(who), TargetFilter::default())
            .await
            .expect("list")
    };
    assert_eq!(ids(&list(REP).await), [mine.id.0]);
    assert_eq!(ids(&list(REP2).await), [peer.id.0]);
    assert_eq!(ids(&list(MANAGER).await), [mine.id.0, peer.id.0, east.id.0]);
    assert_eq!(
        ids(&list(DIRECTOR).await),
        [mine.id.0, peer.id.0, east.id.0, sales.id.0, tenant.id.0]
    );
    assert_eq!(
        refusal(t.list(user(NOBODY), TargetFilter::default()).await),
        "permission_denied"
    );
    // Filters and keyset pages.
    let departments = t
        .list(
            user(DIRECTOR),
            TargetFilter {
                subject: Some(TargetSubject::Department { id: SALES }),
                ..Default::default()
            },
        )
        .await
        .expect("by subject");
    assert_eq!(ids(&departments), [sales.id.0]);
    let none = t
        .list(
            user(DIRECTOR),
            TargetFilter {
                status: Some(TargetStatus::Approved),
                ..Default::default()
            },
        )
        .await
        .expect("by status");
    assert!(none.items.is_empty());
    let counts = t
        .list(
            user(DIRECTOR),
            TargetFilter {
                metric: Some(Metric::CustomersWon),
                ..Default::default()
            },
        )
        .await
        .expect("by metric");
    assert!(counts.items.is_empty());
    let first = t
        .list(
            user(MANAGER),
            TargetFilter {
                limit: Some(2),
                ..Default::default()
            },
        )
        .await
        .expect("page 1");
    assert_eq!(ids(&first), [mine.id.0, peer.id.0]);
    let second = t
        .list(
            user(MANAGER),
            TargetFilter {
                limit: Some(2),
                after: first.next_after,
                ..Default::default()
            },
        )
        .await
        .expect("page 2");
    assert_eq!(ids(&second), [east.id.0]);
    assert_eq!(second.next_after, None);
    let history = |who, subject| async move {
        t.history(
            user(who),
            TargetHistory {
                subject,
                metric: Metric::ContractAmount,
                fiscal_year: 2026,
            },
        )
        .await
        .expect("history")
        .len()
    };
    assert_eq!(history(REP2, of(REP)).await, 0);
    assert_eq!(history(MANAGER, of(REP)).await, 1);
    // Another tenant's user with the same id sees none of it.
    let other = f
        .crm
        .targets()
        .list(Actor::user(T2, BOSS), TargetFilter::default())
        .await
        .expect("t2");
    assert!(other.items.is_empty());
}

fn coverage(id: crate::ids::TargetId) -> TargetCoverageRequest {
    TargetCoverageRequest { id }
}

/// Gaps of 0.01 are warned, exact coverage is not; with required coverage approval is
/// refused and nothing written; sub-departments without a target add their members.
pub async fn target_coverage_warns_and_can_refuse<S: Store>(store: Arc<S>) {
    let f = target_fixture(store).await;
    let t = f.crm.targets();
    let director = user(DIRECTOR);
    t.declare(user(REP), monthly(of(REP), "100"))
        .await
        .expect("rep");
    let usd = DeclareTarget {
        currency: Some("USD".into()),
        ..monthly(of(REP2), "100")
    };
    t.declare(user(REP2), usd).await.expect("rep2 in USD");
    t.declare(user(MANAGER), monthly(of(MANAGER), "99.99"))
        .await
        .expect("manager");
    t.declare(user(BOSS), monthly(of(BOSS), "200"))
        .await
        .expect("boss");
    let sales = t
        .declare(
            director,
            monthly(TargetSubject::Department { id: SALES }, "500"),
        )
        .await
        .expect("sales");
    // Sales East has no target of its own: its members count (the USD one does not).
    let c = t.coverage(director, coverage(sales.id)).await.expect("c1");
    assert_eq!(c.covered, vec![dec("399.99"); 12]);
    assert_eq!(c.gaps.len(), 12);
    assert_eq!(c.gaps[0].month, 1);
    assert_eq!(c.gaps[11].month, 12);
    assert_eq!(c.gaps[0].gap, dec("100.01"));
    t.declare(user(REP2), monthly(of(REP2), "100"))
        .await
        .expect("rep2 in CNY");
    let c = t.coverage(director, coverage(sales.id)).await.expect("c2");
    assert_eq!(c.gaps.len(), 12);
    assert_eq!(
        (c.gaps[5].target, c.gaps[5].covered, c.gaps[5].gap),
        (dec("500.00"), dec("499.99"), dec("0.01"))
    );
    let warned = t
        .submit(director, SubmitTarget { id: sales.id })
        .await
        .expect("submit with a warning");
    assert_eq!(warned.gaps.len(), 12);
    assert_eq!(warned.target.status, TargetStatus::Submitted);
    t.declare(user(MANAGER), monthly(of(MANAGER), "100"))
        .await
        .expect("manager covers");
    let c = t.coverage(director, coverage(sales.id)).await.expect("c3");
    assert_eq!(c.covered, vec![dec("500.00"); 12]);
    assert!(c.gaps.is_empty());
    // A user's target has no coverage.
    let rep_target = t
        .list(
            user(REP),
            TargetFilter {
                subject: Some(of(REP)),
                ..Default::default()
            },
        )
        .await
        .expect("rep list");
    let rep_id = rep_target.items[0].id;
    assert_eq!(
        refusal(t.coverage(director, coverage(rep_id)).await),
        "field id"
    );

    // Sales East's own target replaces its members' in Sales; its own coverage is checked.
    let east = t
        .declare(
            director,
            monthly(TargetSubject::Department { id: SALES_EAST }, "310"),
        )
        .await
        .expect("east");
    let c = t.coverage(director, coverage(sales.id)).await.expect("c4");
    assert_eq!(c.covered, vec![dec("510.00"); 12]);
    let c = t.coverage(director, coverage(east.id)).await.expect("c5");
    assert_eq!(c.covered, vec![dec("300.00"); 12]);
    assert_eq!(c.gaps[0].gap, dec("10.00"));
    // The tenant: the root departments (Sales by its own target; Service has none) and the
    // users without a department.
    let tenant = t
        .declare(director, monthly(TargetSubject::Tenant, "600"))
        .await
        .expect("tenant");
    let c = t.coverage(director, coverage(tenant.id)).await.expect("c6");
    assert_eq!(c.covered, vec![dec("500.00"); 12]);
    assert_eq!(c.gaps[0].gap, dec("100.00"));

    // Required coverage: approving Sales East with its gap is refused and writes nothing.
    t.set_settings(
        user(ADMIN),
        SetTargetSettings {
            settings: TargetSettings {
                fiscal_start_month: 1,
                require_coverage: true,
            },
        },
    )
    .await
    .expect("require coverage");
    t.submit(director, SubmitTarget { id: east.id })
        .await
        .expect("submit east");
    let rows = count(&f, crate::store::Entity::Target).await;
    assert_eq!(
        refusal(
            t.approve(
                user(ADMIN),
                ApproveTarget {
                    id: east.id,
                    comment: None
                }
            )
            .await
        ),
        "coverage_gap"
    );
    assert_eq!(count(&f, crate::store::Entity::Target).await, rows);
    assert!(events_of(&f, "TargetApproved", east.id.0).await.is_empty());
    let still = t
        .get(director, GetTarget { id: east.id })
        .await
        .expect("east");
    assert_eq!(still.status, TargetStatus::Submitted);
    t.return_target(
        user(ADMIN),
        ReturnTarget {
            id: east.id,
            comment: "members cover 300".into(),
        },
    )
    .await
    .expect("return");
    t.declare(
        director,
        monthly(TargetSubject::Department { id: SALES_EAST }, "300"),
    )
    .await
    .expect("east 300");
    t.submit(director, SubmitTarget { id: east.id })
        .await
        .expect("resubmit");
    let approved = t
        .approve(
            user(ADMIN),
            ApproveTarget {
                id: east.id,
                comment: Some("covered".into()),
            },
        )
        .await
        .expect("approve covered");
    assert!(approved.gaps.is_empty());
    assert_eq!(approved.target.status, TargetStatus::Approved);
    assert_eq!(events_of(&f, "TargetApproved", east.id.0).await.len(), 1);
}

/// A fiscal year starting in April: month 1 is April; the start month is checked and fixed
/// once a target is approved.
pub async fn target_fiscal_calendar_is_fixed_once_approved<S: Store>(store: Arc<S>) {
    let f = target_fixture(store).await;
    let t = f.crm.targets();
    let admin = user(ADMIN);
    assert_eq!(
        t.settings(user(REP), Default::default())
            .await
            .expect("settings"),
        TargetSettings::default()
    );
    let set = |month: u32| SetTargetSettings {
        settings: TargetSettings {
            fiscal_start_month: month,
            require_coverage: false,
        },
    };
    assert_eq!(
        refusal(t.set_settings(admin, set(13)).await),
        "field targets.fiscal_start_month"
    );
    assert_eq!(
        refusal(t.set_settings(admin, set(0)).await),
        "field targets.fiscal_start_month"
    );
    assert_eq!(
        refusal(t.set_settings(user(REP), set(4)).await),
        "permission_denied"
    );
    // A draft does not fix the calendar.
    let months: Vec<_> = (1..=12).map(|m| dec(&format!("{m}.00"))).collect();
    let draft = t
        .declare(
            user(REP),
            DeclareTarget {
                months: Some(months.clone()),
                annual: None,
                ..annual(of(REP), "0")
            },
        )
        .await
        .expect("draft");
    let april = t.set_settings(admin, set(4)).await.expect("april");
    assert_eq!(april.fiscal_start_month, 4);
    let calendar = f
        .crm
        .target_settings(user(REP))
        .await
        .expect("settings")
        .calendar()
        .expect("calendar");
    let fiscal = calendar
        .months(FiscalPeriod::Year { year: 2026 })
        .expect("months");
    assert_eq!(fiscal.first(), Some(&(2026, 4)));
    assert_eq!(fiscal.last(), Some(&(2027, 3)));
    let april_day = NaiveDate::from_ymd_opt(2026, 4, 15).expect("day");
    assert_eq!(calendar.year_of(april_day), 2026);
    let month = calendar.month_of(april_day) as usize;
    assert_eq!(draft.months[month - 1], dec("1.00"));
    let march = NaiveDate::from_ymd_opt(2027, 3, 1).expect("day");
    assert_eq!(
        draft.months[calendar.month_of(march) as usize - 1],
        dec("12.00")
    );
    // The last fiscal year on the calendar ends in 2200 and is still accepted; 2200 is not.
    let late = DeclareTarget {
        fiscal_year: 2199,
        ..annual(of(REP), "12")
    };
    t.declare(user(REP), late).await.expect("2199");
    let too_late = DeclareTarget {
        fiscal_year: 2200,
        ..annual(of(REP), "12")
    };
    assert_eq!(
        refusal(t.declare(user(REP), too_late).await),
        "field fiscal_year"
    );
    // Once a revision is approved the start month is fixed, by any path.
    t.submit(user(REP), SubmitTarget { id: draft.id })
        .await
        .expect("submit");
    t.approve(
        user(MANAGER),
        ApproveTarget {
            id: draft.id,
            comment: None,
        },
    )
    .await
    .expect("approve");
    assert_eq!(
        refusal(t.set_settings(admin, set(1)).await),
        "fiscal_calendar_in_use"
    );
    let tenant = f.crm.get_tenant(admin).await.expect("tenant");
    let mut settings = tenant.settings.clone();
    settings.targets.fiscal_start_month = 7;
    assert_eq!(
        refusal(f.crm.setup_tenant(admin, &tenant.name, settings).await),
        "fiscal_calendar_in_use"
    );
    assert_eq!(
        f.crm
            .target_settings(admin)
            .await
            .expect("settings")
            .fiscal_start_month,
        4
    );
    // Other target settings still change.
    let mut same_month = set(4);
    same_month.settings.require_coverage = true;
    assert!(
        t.set_settings(admin, same_month)
            .await
            .expect("coverage")
            .require_coverage
    );
}
