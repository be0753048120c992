//! Helpers of the field-visit cases: customers with a location, evidence at a point, ad hoc
//! check-ins, row counts and error names.

use crate::customer::NewCustomer;
use crate::error::{CrmError, CrmResult};
use crate::ids::{CustomerId, UserId};
use crate::service::{CheckInVisit, VisitCheckIn};
use crate::store::{Entity, Query, Store};
use crate::testkit::fixture::*;
use crate::visit::{EvidenceInput, GeoPoint};

/// The customer of FV1 and FV2 (People's Square, Shanghai).
pub(super) const SHOP: GeoPoint = GeoPoint {
    latitude: 31.2304,
    longitude: 121.4737,
};

/// SHOP's meridian at `latitude`.
pub(super) fn lat(latitude: f64) -> GeoPoint {
    GeoPoint {
        latitude,
        longitude: SHOP.longitude,
    }
}

/// Evidence at `location`, 10 m accurate, nothing else reported.
pub(super) fn evidence(location: GeoPoint) -> EvidenceInput {
    EvidenceInput {
        location,
        accuracy_m: 10.0,
        client_at: None,
        photos: vec![],
        mock_location: false,
    }
}

/// A customer of `owner` at `location`.
pub(super) async fn customer<S: Store>(
    f: &Fixture<S>,
    owner: UserId,
    name: &str,
    location: Option<GeoPoint>,
) -> CustomerId {
    f.crm
        .create_customer(
            user(owner),
            NewCustomer {
                name: name.into(),
                location,
                ..NewCustomer::default()
            },
        )
        .await
        .expect("customer")
        .record
        .id
}

/// An ad hoc check-in of `who` at `customer`.
pub(super) async fn ad_hoc<S: Store>(
    f: &Fixture<S>,
    who: UserId,
    customer: CustomerId,
    evidence: EvidenceInput,
) -> CrmResult<VisitCheckIn> {
    f.crm
        .visits()
        .check_in(
            user(who),
            CheckInVisit {
                visit_id: None,
                customer_id: Some(customer),
                purpose: Some("巡店".into()),
                note: None,
                evidence,
            },
        )
        .await
}

/// Rows of `entity` in tenant 1.
pub(super) async fn rows<S: Store>(f: &Fixture<S>, entity: Entity) -> usize {
    f.crm
        .store()
        .query(&Query::new(entity, T1).limit(10_000))
        .await
        .expect("rows")
        .len()
}

/// The events of tenant 1 so far.
pub(super) async fn events<S: Store>(f: &Fixture<S>) -> Vec<crate::store::Event> {
    f.crm
        .events_after(crate::Actor::system(T1), 0, 1000)
        .await
        .expect("events")
}

/// The rule of a refusal, the field of a validation error, or the kind of another error.
pub(super) fn refusal<T: std::fmt::Debug>(r: CrmResult<T>) -> String {
    match r {
        Err(CrmError::RuleViolation { rule, .. }) => rule,
        Err(CrmError::Validation { field, .. }) => format!("field {field}"),
        Err(CrmError::NotFound { .. }) => "not_found".into(),
        Err(CrmError::PermissionDenied { .. }) => "permission_denied".into(),
        other => format!("unexpected {other:?}"),
    }
}
