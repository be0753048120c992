//! Field-visit evidence on every store (FV1, FV2): the distance measured by the engine, the
//! geofence radius ± 1 m, clock skew and impossible travel on both sides of their limits and
//! a mock location — each flagged, the visit kept, the flags in the event.

use super::visit_support::*;
use crate::clock::Clock;
use crate::store::Store;
use crate::testkit::fixture::*;
use crate::visit::distance::north_of;
use crate::visit::{Visit, VisitFlag, VisitStatus};
use chrono::Duration;
use std::sync::Arc;

fn flags(v: &Visit) -> Vec<VisitFlag> {
    v.check_in
        .as_ref()
        .map(|e| e.flags.clone())
        .unwrap_or_default()
}

fn distance(v: &Visit) -> Option<f64> {
    v.check_in.as_ref().and_then(|e| e.distance_m)
}

/// FV1, FV2, the radius, clock skew, mock location and impossible travel, one rep's day.
pub async fn visits_measure_flag_and_keep<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store).await;
    let a = customer(&f, REP, "人民广场店", Some(SHOP)).await;
    let ten_minutes = || f.clock.advance(Duration::minutes(10));

    // FV1: 444.78 m, inside the default 500 m.
    let fv1 = ad_hoc(&f, REP, a, evidence(lat(31.2344)))
        .await
        .expect("fv1");
    assert!(!fv1.repeated);
    assert_eq!(fv1.visit.status, VisitStatus::CheckedIn);
    assert_eq!(distance(&fv1.visit), Some(444.78));
    assert!(flags(&fv1.visit).is_empty());
    assert_eq!(fv1.visit.check_in.as_ref().map(|e| e.at), Some(start()));

    // FV2: 555.98 m, flagged out_of_range and kept.
    ten_minutes();
    let fv2 = ad_hoc(&f, REP, a, evidence(lat(31.2354)))
        .await
        .expect("fv2");
    assert_eq!(distance(&fv2.visit), Some(555.98));
    assert_eq!(flags(&fv2.visit), vec![VisitFlag::OutOfRange]);
    let kept = f
        .crm
        .get_visit(user(REP), fv2.visit.id)
        .await
        .expect("kept");
    assert_eq!(kept, fv2.visit);
    let checked_in = events(&f).await;
    let fv2_event = checked_in
        .iter()
        .find(|e| e.kind == "VisitCheckedIn" && e.record_id == fv2.visit.id.0)
        .expect("event");
    assert_eq!(
        fv2_event.payload["flags"],
        serde_json::json!(["out_of_range"])
    );
    assert_eq!(fv2_event.payload["distance_m"], serde_json::json!(555.98));

    // The radius itself: 1 m inside, 1 m outside.
    for (metres, expected) in [(499.0, vec![]), (501.0, vec![VisitFlag::OutOfRange])] {
        ten_minutes();
        let v = ad_hoc(&f, REP, a, evidence(north_of(SHOP, metres)))
            .await
            .expect("radius");
        assert_eq!(flags(&v.visit), expected, "{metres} m");
        assert_eq!(distance(&v.visit), Some(metres));
    }

    // Clock skew: the tolerance (300 s) on both sides, ahead and behind.
    for (skew, flagged) in [(300, false), (-300, false), (301, true), (-301, true)] {
        ten_minutes();
        let mut ev = evidence(SHOP);
        ev.client_at = Some(f.clock.now() + Duration::seconds(skew));
        let v = ad_hoc(&f, REP, a, ev).await.expect("skew");
        assert_eq!(
            flags(&v.visit).contains(&VisitFlag::ClockSkew),
            flagged,
            "{skew} s"
        );
        assert_eq!(
            v.visit.check_in.as_ref().and_then(|e| e.client_at),
            Some(f.clock.now() + Duration::seconds(skew)),
            "client time kept"
        );
        assert_eq!(v.visit.check_in.as_ref().map(|e| e.at), Some(f.clock.now()));
    }

    // A mock location is flagged, not refused.
    ten_minutes();
    let mut mocked = evidence(SHOP);
    mocked.mock_location = true;
    let v = ad_hoc(&f, REP, a, mocked).await.expect("mock");
    assert_eq!(flags(&v.visit), vec![VisitFlag::MockLocation]);

    // Impossible travel from the last check-in (at SHOP): 199.99 km in an hour is under the
    // 200 km/h limit, the next 200.01 km in an hour is above it.
    let b_point = north_of(SHOP, 199_990.0);
    let c_point = north_of(b_point, 200_010.0);
    let b = customer(&f, REP, "苏北店", Some(b_point)).await;
    let c = customer(&f, REP, "鲁南店", Some(c_point)).await;
    f.clock.advance(Duration::hours(1));
    let slow = ad_hoc(&f, REP, b, evidence(b_point)).await.expect("slow");
    assert!(flags(&slow.visit).is_empty());
    assert_eq!(
        slow.visit.check_in.as_ref().and_then(|e| e.speed_kmh),
        Some(199.99)
    );
    f.clock.advance(Duration::hours(1));
    let fast = ad_hoc(&f, REP, c, evidence(c_point)).await.expect("fast");
    assert_eq!(flags(&fast.visit), vec![VisitFlag::ImpossibleTravel]);
    assert_eq!(
        fast.visit.check_in.as_ref().and_then(|e| e.speed_kmh),
        Some(200.01)
    );
    // Another user's check-ins are not this rep's travel.
    let d = customer(&f, REP2, "另一位的客户", Some(SHOP)).await;
    let other = ad_hoc(&f, REP2, d, evidence(SHOP))
        .await
        .expect("other rep");
    assert!(flags(&other.visit).is_empty());

    // Every one was kept; the flagged ones list as flagged.
    let flagged = f
        .crm
        .list_visits(
            user(REP),
            crate::service::VisitFilter {
                flagged: Some(true),
                ..Default::default()
            },
        )
        .await
        .expect("flagged");
    assert_eq!(flagged.items.len(), 6);
    assert!(flagged.items.iter().all(|v| !v.flags().is_empty()));
    let all = f
        .crm
        .list_visits(user(REP), crate::service::VisitFilter::default())
        .await
        .expect("all");
    assert_eq!(all.items.len(), 11);
}
