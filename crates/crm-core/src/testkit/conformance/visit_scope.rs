//! Field visits in scope on every store: another rep neither reads nor lists a rep's visit,
//! the manager above does; list filters; the customer's location withheld where a field
//! rule hides it; and the visit report's figures per rep over a period of local days, for
//! readers granted reports.

use super::visit_support::*;
use crate::access::{Action, DataScope, FieldAccess, FieldRule, Grant, MaskMode, Module};
use crate::clock::Clock;
use crate::customer::CustomerPatch;
use crate::ids::UserId;
use crate::service::{CheckOutVisit, RoleInput, UserInput, VisitFilter, VisitReportRequest};
use crate::store::Store;
use crate::testkit::fixture::*;
use crate::visit::report::{FlagCounts, VisitFigures};
use crate::visit::VisitStatus;
use crate::Actor;
use chrono::{Duration, NaiveDate};
use std::sync::Arc;

/// Reads every visit and report, and every customer with the location hidden.
const ANALYST: UserId = UserId(40);
/// Reads every visit but no reports.
const NO_REPORTS: UserId = UserId(41);

async fn readers<S: Store>(f: &Fixture<S>) {
    let sys = Actor::system(T1);
    let grant = |module, scope| Grant {
        module,
        action: Action::Read,
        scope,
    };
    for (id, name, grants) in [
        (
            ANALYST,
            "visit analyst",
            vec![
                grant(Module::Visits, DataScope::All),
                grant(Module::Reports, DataScope::All),
                grant(Module::Customers, DataScope::All),
            ],
        ),
        (
            NO_REPORTS,
            "visit reader",
            vec![grant(Module::Visits, DataScope::All)],
        ),
    ] {
        let role = f
            .crm
            .create_role(
                sys,
                RoleInput {
                    name: name.into(),
                    grants,
                    fields: vec![FieldRule {
                        module: Module::Customers,
                        field: "location".into(),
                        access: FieldAccess::Hidden,
                        mask: MaskMode::None,
                    }],
                },
            )
            .await
            .expect("role");
        f.crm
            .upsert_user(
                sys,
                UserInput {
                    id,
                    name: name.into(),
                    department_id: Some(SALES),
                    supervisor_id: None,
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
}

fn ids(page: &crate::service::Page<crate::visit::Visit>) -> Vec<crate::ids::VisitId> {
    page.items.iter().map(|v| v.id).collect()
}

/// Scope, filters and the masked location; then the report's figures.
pub async fn visits_follow_scope_field_rules_and_report<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store).await;
    readers(&f).await;
    let visits = f.crm.visits();
    let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap_or_default();

    // The day before the period: one visit of REP's, never counted.
    f.clock.set(start() - Duration::days(1));
    let shop = customer(&f, REP, "人民广场店", Some(SHOP)).await;
    let early = ad_hoc(&f, REP, shop, evidence(SHOP)).await.expect("early");

    // In the period (2026-03-02, Shanghai): REP checks in twice — out of range with a mock
    // location, then inside — and checks out of the second after 30 minutes; REP2 checks in
    // with a skewed clock and out after an hour.
    f.clock.set(start());
    let flagged = {
        let mut ev = evidence(lat(31.2354));
        ev.mock_location = true;
        ad_hoc(&f, REP, shop, ev).await.expect("flagged").visit
    };
    f.clock.advance(Duration::minutes(10));
    let inside = ad_hoc(&f, REP, shop, evidence(lat(31.2344)))
        .await
        .expect("inside")
        .visit;
    f.clock.advance(Duration::minutes(30));
    let out = |visit_id| CheckOutVisit {
        visit_id,
        evidence: evidence(SHOP),
    };
    visits
        .check_out(user(REP), out(inside.id))
        .await
        .expect("out");
    let wang_shop = customer(&f, REP2, "南京路店", Some(SHOP)).await;
    let mut skewed = evidence(SHOP);
    skewed.client_at = Some(f.clock.now() - Duration::minutes(20));
    let wang = ad_hoc(&f, REP2, wang_shop, skewed)
        .await
        .expect("wang")
        .visit;
    f.clock.advance(Duration::hours(1));
    visits
        .check_out(user(REP2), out(wang.id))
        .await
        .expect("wang out");

    // Another rep does not see REP's visits; the manager above both does.
    assert_eq!(
        refusal(f.crm.get_visit(user(REP2), inside.id).await),
        "not_found"
    );
    let rep2_list = f
        .crm
        .list_visits(user(REP2), VisitFilter::default())
        .await
        .expect("list");
    assert_eq!(ids(&rep2_list), vec![wang.id]);
    let all = f
        .crm
        .list_visits(user(MANAGER), VisitFilter::default())
        .await
        .expect("list");
    assert_eq!(
        ids(&all),
        vec![early.visit.id, flagged.id, inside.id, wang.id]
    );
    assert!(f.crm.get_visit(user(MANAGER), inside.id).await.is_ok());
    assert_eq!(
        refusal(f.crm.get_visit(user(SERVICE), inside.id).await),
        "permission_denied"
    );

    // Filters: owner, customer, status, period, flagged; pages.
    let list = |filter: VisitFilter| f.crm.list_visits(user(MANAGER), filter);
    let by = |owner_id| VisitFilter {
        owner_id: Some(owner_id),
        ..VisitFilter::default()
    };
    assert_eq!(ids(&list(by(REP2)).await.expect("owner")), vec![wang.id]);
    let of_shop = VisitFilter {
        customer_id: Some(shop),
        ..VisitFilter::default()
    };
    assert_eq!(
        ids(&list(of_shop).await.expect("customer")),
        vec![early.visit.id, flagged.id, inside.id]
    );
    let done = VisitFilter {
        status: Some(VisitStatus::CheckedOut),
        ..VisitFilter::default()
    };
    assert_eq!(
        ids(&list(done).await.expect("status")),
        vec![inside.id, wang.id]
    );
    let today = VisitFilter {
        from: Some(start()),
        to: Some(start() + Duration::minutes(10)),
        ..VisitFilter::default()
    };
    assert_eq!(ids(&list(today).await.expect("period")), vec![flagged.id]);
    let flagged_only = VisitFilter {
        flagged: Some(true),
        ..VisitFilter::default()
    };
    assert_eq!(
        ids(&list(flagged_only).await.expect("flagged")),
        vec![flagged.id, wang.id]
    );
    let clean = VisitFilter {
        flagged: Some(false),
        ..VisitFilter::default()
    };
    assert_eq!(
        ids(&list(clean).await.expect("clean")),
        vec![early.visit.id, inside.id]
    );
    let first_page = list(VisitFilter {
        limit: Some(3),
        ..VisitFilter::default()
    })
    .await
    .expect("page");
    assert_eq!(
        ids(&first_page),
        vec![early.visit.id, flagged.id, inside.id]
    );
    let next = list(VisitFilter {
        after: first_page.next_after,
        limit: Some(3),
        ..VisitFilter::default()
    })
    .await
    .expect("next page");
    assert_eq!((ids(&next), next.next_after), (vec![wang.id], None));

    // The customer's location: shown to its owner, withheld where a rule hides it; a patch
    // moves it, validated by name.
    let owner_view = f
        .crm
        .get_customer(user(REP), shop)
        .await
        .expect("owner view");
    assert_eq!(owner_view.record.location, Some(SHOP));
    let hidden = f
        .crm
        .get_customer(user(ANALYST), shop)
        .await
        .expect("analyst view");
    assert_eq!(hidden.record.location, None);
    assert!(hidden.hidden_fields.contains(&"location".to_owned()));
    let moved = f
        .crm
        .update_customer(
            user(REP),
            shop,
            CustomerPatch {
                location: Some(lat(31.24)),
                ..CustomerPatch::default()
            },
        )
        .await
        .expect("move");
    assert_eq!(moved.record.location, Some(lat(31.24)));
    let refused = f
        .crm
        .update_customer(
            user(REP),
            shop,
            CustomerPatch {
                location: Some(crate::visit::GeoPoint {
                    latitude: 0.0,
                    longitude: 180.5,
                }),
                ..CustomerPatch::default()
            },
        )
        .await;
    assert_eq!(refusal(refused), "field location.longitude");

    // The report over 2026-03-02 (local): the day before is not counted.
    let report = |who| {
        visits.report(
            user(who),
            VisitReportRequest {
                from: day(2),
                to: day(2),
            },
        )
    };
    assert_eq!(refusal(report(NO_REPORTS).await), "permission_denied");
    assert_eq!(refusal(report(REP).await), "permission_denied");
    let r = report(ANALYST).await.expect("report");
    let rep = VisitFigures {
        visits: 2,
        checked_out: 1,
        flagged: 1,
        flags: FlagCounts {
            out_of_range: 1,
            mock_location: 1,
            ..FlagCounts::default()
        },
        seconds_on_site: 1800,
        average_seconds_on_site: Some(1800),
    };
    let rep2 = VisitFigures {
        visits: 1,
        checked_out: 1,
        flagged: 1,
        flags: FlagCounts {
            clock_skew: 1,
            ..FlagCounts::default()
        },
        seconds_on_site: 3600,
        average_seconds_on_site: Some(3600),
    };
    let rows: Vec<(UserId, VisitFigures)> = r
        .by_owner
        .iter()
        .map(|row| (row.owner_id, row.figures))
        .collect();
    assert_eq!(rows, vec![(REP, rep), (REP2, rep2)]);
    assert_eq!(
        r.total,
        VisitFigures {
            visits: 3,
            checked_out: 2,
            flagged: 2,
            flags: FlagCounts {
                out_of_range: 1,
                clock_skew: 1,
                mock_location: 1,
                ..FlagCounts::default()
            },
            seconds_on_site: 5400,
            average_seconds_on_site: Some(2700),
        }
    );
    // The day before alone holds the early visit.
    let before = visits
        .report(
            user(ANALYST),
            VisitReportRequest {
                from: day(1),
                to: day(1),
            },
        )
        .await
        .expect("day before");
    assert_eq!((before.total.visits, before.total.checked_out), (1, 0));
    assert_eq!(before.total.average_seconds_on_site, None);
    assert_eq!(
        refusal(
            visits
                .report(
                    user(ANALYST),
                    VisitReportRequest {
                        from: day(2),
                        to: day(1)
                    }
                )
                .await
        ),
        "field to"
    );
}
