//! Field-visit rules on every store: required photos refused with nothing written, a bad
//! latitude refused, check-out only after check-in, repeats answered within the window and
//! refused after it, only the visitor checks in, cancellation, and the follow-up of kind
//! visit moving the recycle clock only when the visitor owns the customer.

use super::visit_support::*;
use crate::clock::Clock;
use crate::customer::{Customer, NewCustomer};
use crate::followup::FollowUpKind;
use crate::ids::VisitId;
use crate::service::{CheckInVisit, CheckOutVisit};
use crate::store::{Entity, Store, StoreExt};
use crate::testkit::fixture::*;
use crate::visit::{PlanVisit, VisitSettings, VisitStatus};
use crate::Actor;
use chrono::Duration;
use std::sync::Arc;

/// Visits, follow-ups and events in tenant 1.
async fn counts<S: Store>(f: &Fixture<S>) -> (usize, usize, usize) {
    (
        rows(f, Entity::Visit).await,
        rows(f, Entity::FollowUp).await,
        events(f).await.len(),
    )
}

async fn load<S: Store>(f: &Fixture<S>, id: crate::ids::CustomerId) -> Customer {
    f.crm
        .store()
        .load::<Customer>(T1, id)
        .await
        .expect("load")
        .expect("customer")
}

fn check_in(visit: VisitId, ev: crate::visit::EvidenceInput) -> CheckInVisit {
    CheckInVisit {
        visit_id: Some(visit),
        customer_id: None,
        purpose: None,
        note: Some("季度回访".into()),
        evidence: ev,
    }
}

/// Photos required, a bad latitude, check-out order, repeats, the visitor, cancel, and the
/// recycle clock.
pub async fn visit_check_ins_follow_their_rules<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store).await;
    let sys = Actor::system(T1);
    let visits = f.crm.visits();

    // A latitude beyond 90° is refused on the customer and on the evidence, nothing written.
    let customers_before = rows(&f, Entity::Customer).await;
    let bad = f
        .crm
        .create_customer(
            user(REP),
            NewCustomer {
                name: "北极店".into(),
                location: Some(lat(90.000001)),
                ..NewCustomer::default()
            },
        )
        .await;
    assert_eq!(refusal(bad), "field location.latitude");
    assert_eq!(rows(&f, Entity::Customer).await, customers_before);
    let shop = customer(&f, REP, "人民广场店", Some(SHOP)).await;
    assert_eq!(
        refusal(ad_hoc(&f, REP, shop, evidence(lat(90.000001))).await),
        "field location.latitude"
    );

    // Settings: admins set them, reps read them; bad values are named.
    let photos = VisitSettings {
        photos_required: true,
        min_photos: 1,
        ..VisitSettings::default()
    };
    assert_eq!(
        refusal(f.crm.set_visit_settings(user(REP), photos).await),
        "permission_denied"
    );
    assert_eq!(
        refusal(
            f.crm
                .set_visit_settings(
                    sys,
                    VisitSettings {
                        geofence_radius_m: 0,
                        ..photos
                    }
                )
                .await
        ),
        "field settings.visits.geofence_radius_m"
    );
    f.crm
        .set_visit_settings(user(ADMIN), photos)
        .await
        .expect("settings");
    assert_eq!(f.crm.visit_settings(user(REP)).await.expect("read"), photos);

    let window = |h: i64| {
        (
            start() + Duration::hours(h),
            start() + Duration::hours(h + 2),
        )
    };
    let (s, e) = window(0);
    let plan = |start, end| PlanVisit {
        customer_id: shop,
        owner_id: None,
        start,
        end,
        purpose: Some("季度回访".into()),
    };
    let planned = visits.plan(user(REP), plan(s, e)).await.expect("plan");
    assert_eq!(planned.status, VisitStatus::Planned);

    // Check-out before check-in is refused.
    let out = |id| CheckOutVisit {
        visit_id: id,
        evidence: evidence(SHOP),
    };
    assert_eq!(
        refusal(visits.check_out(user(REP), out(planned.id)).await),
        "not_checked_in"
    );

    // Photos missing: refused by name, nothing written.
    let before = counts(&f).await;
    assert_eq!(
        refusal(
            visits
                .check_in(user(REP), check_in(planned.id, evidence(SHOP)))
                .await
        ),
        "field photos"
    );
    assert_eq!(
        refusal(ad_hoc(&f, REP, shop, evidence(SHOP)).await),
        "field photos"
    );
    assert_eq!(counts(&f).await, before);
    let unchanged = f.crm.get_visit(user(REP), planned.id).await.expect("get");
    assert_eq!(unchanged, planned);

    // Only the visitor checks in: out of scope is not found, in scope is refused.
    let mut with_photo = evidence(SHOP);
    with_photo.photos = vec!["oss://visits/1.jpg".into()];
    assert_eq!(
        refusal(
            visits
                .check_in(user(REP2), check_in(planned.id, with_photo.clone()))
                .await
        ),
        "not_found"
    );
    assert_eq!(
        refusal(
            visits
                .check_in(user(MANAGER), check_in(planned.id, with_photo.clone()))
                .await
        ),
        "not_visit_owner"
    );

    // The check-in records a follow-up of kind visit and restarts the owner's recycle clock.
    assert_eq!(load(&f, shop).await.last_owner_followup_at, None);
    f.clock.advance(Duration::minutes(5));
    let first_at = start() + Duration::minutes(5);
    let first = visits
        .check_in(user(REP), check_in(planned.id, with_photo.clone()))
        .await
        .expect("check in");
    assert!(!first.repeated);
    assert_eq!(first.visit.status, VisitStatus::CheckedIn);
    let shop_now = load(&f, shop).await;
    assert_eq!(shop_now.last_owner_followup_at, Some(first_at));
    assert_eq!(shop_now.last_followup_at, Some(first_at));
    let followup_id = first.visit.followup_id.expect("follow-up linked");
    let followup: crate::followup::FollowUp = f
        .crm
        .store()
        .load(T1, followup_id)
        .await
        .expect("load")
        .expect("follow-up");
    assert_eq!(
        (followup.kind, followup.content.as_str(), followup.author_id),
        (FollowUpKind::Visit, "季度回访", Some(REP))
    );

    // The same check-in again: answered within the window (120 s), refused after it.
    let before = counts(&f).await;
    f.clock.advance(Duration::seconds(120));
    let again = visits
        .check_in(user(REP), check_in(planned.id, with_photo.clone()))
        .await
        .expect("repeat");
    assert!(again.repeated);
    assert_eq!(again.visit, first.visit);
    assert_eq!(counts(&f).await, before);
    f.clock.advance(Duration::seconds(1));
    assert_eq!(
        refusal(
            visits
                .check_in(user(REP), check_in(planned.id, with_photo.clone()))
                .await
        ),
        "already_checked_in"
    );
    assert_eq!(counts(&f).await, before);

    // A visitor who does not own the customer records a follow-up; the owner's recycle clock
    // stays.
    f.clock.advance(Duration::minutes(10));
    let by_manager = ad_hoc(&f, MANAGER, shop, with_photo.clone())
        .await
        .expect("manager");
    assert_eq!(by_manager.visit.owner_id, MANAGER);
    let shop_now = load(&f, shop).await;
    assert_eq!(shop_now.last_owner_followup_at, Some(first_at));
    assert_eq!(shop_now.last_followup_at, Some(f.clock.now()));
    // An ad hoc repeat within the window answers the same visit.
    f.clock.advance(Duration::seconds(30));
    let repeat = ad_hoc(&f, MANAGER, shop, with_photo.clone())
        .await
        .expect("repeat");
    assert!(repeat.repeated);
    assert_eq!(repeat.visit.id, by_manager.visit.id);

    // Check-out derives the time on site; a second one is refused.
    let checked_out = visits
        .check_out(user(REP), out(planned.id))
        .await
        .expect("out");
    let on_site = f.clock.now() - first_at;
    assert_eq!(checked_out.status, VisitStatus::CheckedOut);
    assert_eq!(checked_out.duration_secs, Some(on_site.num_seconds()));
    assert_eq!(
        refusal(visits.check_out(user(REP), out(planned.id)).await),
        "already_checked_out"
    );

    // Cancel: planned ones only; a cancelled visit is not checked in.
    let (s, e) = window(24);
    let later = visits.plan(user(REP), plan(s, e)).await.expect("plan");
    let cancel = |id| crate::op::CancelVisit {
        id,
        reason: Some("客户改期".into()),
    };
    assert_eq!(
        refusal(visits.cancel(user(REP2), cancel(later.id)).await),
        "not_found"
    );
    let cancelled = visits
        .cancel(user(REP), cancel(later.id))
        .await
        .expect("cancel");
    assert_eq!(cancelled.status, VisitStatus::Cancelled);
    assert_eq!(
        refusal(visits.cancel(user(REP), cancel(later.id)).await),
        "visit_not_planned"
    );
    assert_eq!(
        refusal(
            visits
                .check_in(user(REP), check_in(later.id, with_photo))
                .await
        ),
        "visit_cancelled"
    );
    let kinds: Vec<String> = events(&f)
        .await
        .into_iter()
        .filter(|e| e.entity == "visit")
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "VisitPlanned",
            "VisitCheckedIn",
            "VisitCheckedIn",
            "VisitCheckedOut",
            "VisitPlanned",
            "VisitCancelled"
        ]
    );
    let audit = f
        .crm
        .record_audit(sys, "visit", planned.id.0)
        .await
        .expect("audit");
    let operations: Vec<&str> = audit.iter().map(|a| a.operation.as_str()).collect();
    assert_eq!(
        operations,
        ["visit.plan", "visit.check_in", "visit.check_out"]
    );
}
