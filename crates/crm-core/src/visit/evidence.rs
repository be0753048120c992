//! What a client sends at check-in and check-out, its validation, and what the engine makes
//! of it: the distance to the customer, the speed from the previous check-in and the flags.

use super::distance::{haversine_m, hundredths};
use super::model::{Evidence, VisitFlag};
use super::point::GeoPoint;
use super::settings::VisitSettings;
use crate::error::{CrmError, CrmResult};
use crate::validate::required_text;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Most photos one check-in or check-out carries.
pub const MAX_PHOTOS: usize = 20;

/// Longest photo reference.
const MAX_PHOTO_REF: usize = 500;

/// Worst GPS accuracy accepted, in metres.
const MAX_ACCURACY_M: f64 = 100_000.0;

/// What the client reports at check-in or check-out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EvidenceInput {
    /// The GPS point.
    pub location: GeoPoint,
    /// The GPS accuracy in metres (0..=100000).
    pub accuracy_m: f64,
    /// The client's clock when it took the point (kept; compared with the engine's).
    #[serde(default)]
    pub client_at: Option<DateTime<Utc>>,
    /// Photo references: the host stores the files (at most 20).
    #[serde(default)]
    pub photos: Vec<String>,
    /// Whether the client's platform reported a mock (simulated) location.
    #[serde(default)]
    pub mock_location: bool,
}

impl EvidenceInput {
    /// Checks the input; errors name the field (`location.latitude`, `accuracy_m`,
    /// `photos[1]`).
    pub fn validate(&self) -> CrmResult<()> {
        self.location.validate("location")?;
        if !self.accuracy_m.is_finite() || !(0.0..=MAX_ACCURACY_M).contains(&self.accuracy_m) {
            return Err(CrmError::validation(
                "accuracy_m",
                "must be a number of metres within 0..=100000",
            ));
        }
        if self.photos.len() > MAX_PHOTOS {
            return Err(CrmError::validation(
                "photos",
                format!("at most {MAX_PHOTOS} photos"),
            ));
        }
        for (i, photo) in self.photos.iter().enumerate() {
            required_text(photo, &format!("photos[{i}]"), MAX_PHOTO_REF)?;
        }
        Ok(())
    }

    /// Refuses a check-in with fewer photos than the tenant requires (field `photos`).
    pub fn require_photos(&self, settings: &VisitSettings) -> CrmResult<()> {
        let needed = settings.photos_needed();
        if self.photos.len() < needed {
            return Err(CrmError::validation(
                "photos",
                format!(
                    "the tenant requires at least {needed} photo(s), {} given",
                    self.photos.len()
                ),
            ));
        }
        Ok(())
    }

    /// The evidence recorded at `now`: the distance to the customer's location (flag
    /// `out_of_range` beyond the radius), the client's clock (flag `clock_skew` beyond the
    /// tolerance), the speed from `previous`, the same user's previous check-in (flag
    /// `impossible_travel` above the limit; none for a check-out), and the reported mock
    /// location. Flags never refuse.
    pub fn assess(
        &self,
        now: DateTime<Utc>,
        customer: Option<GeoPoint>,
        previous: Option<(DateTime<Utc>, GeoPoint)>,
        settings: &VisitSettings,
    ) -> Evidence {
        let mut flags = Vec::new();
        let distance = customer.map(|c| haversine_m(c, self.location));
        if distance.is_some_and(|d| d > f64::from(settings.geofence_radius_m)) {
            flags.push(VisitFlag::OutOfRange);
        }
        let tolerance = Duration::seconds(i64::from(settings.clock_skew_tolerance_secs));
        if self
            .client_at
            .is_some_and(|client| (client - now).abs() > tolerance)
        {
            flags.push(VisitFlag::ClockSkew);
        }
        let travel = previous.map(|(at, from)| travel(at, from, now, self.location));
        if travel.is_some_and(|t| t.above(settings.max_speed_kmh)) {
            flags.push(VisitFlag::ImpossibleTravel);
        }
        if self.mock_location {
            flags.push(VisitFlag::MockLocation);
        }
        Evidence {
            at: now,
            client_at: self.client_at.map(crate::clock::truncate_micros),
            location: self.location,
            accuracy_m: self.accuracy_m,
            photos: self.photos.iter().map(|p| p.trim().to_owned()).collect(),
            mock_location: self.mock_location,
            distance_m: distance.map(hundredths),
            speed_kmh: travel.and_then(|t| t.kmh).map(hundredths),
            flags,
        }
    }
}

/// The move from one check-in to the next.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Travel {
    /// Metres between them.
    metres: f64,
    /// Speed in km/h; none when no time passed.
    kmh: Option<f64>,
}

impl Travel {
    /// Whether the move needed more than `limit` km/h (any distance in no time does).
    fn above(self, limit: u32) -> bool {
        match self.kmh {
            Some(kmh) => kmh > f64::from(limit),
            None => self.metres > 0.0,
        }
    }
}

fn travel(from_at: DateTime<Utc>, from: GeoPoint, to_at: DateTime<Utc>, to: GeoPoint) -> Travel {
    let metres = haversine_m(from, to);
    let micros = (to_at - from_at).num_microseconds().unwrap_or(i64::MAX);
    let kmh = (micros > 0).then(|| (metres / 1000.0) / (micros as f64 / 3_600_000_000.0));
    Travel { metres, kmh }
}

#[cfg(test)]
mod tests {
    use super::super::distance::north_of;
    use super::*;
    use chrono::TimeZone;

    const SHOP: GeoPoint = GeoPoint {
        latitude: 31.2304,
        longitude: 121.4737,
    };

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn input(location: GeoPoint) -> EvidenceInput {
        EvidenceInput {
            location,
            accuracy_m: 10.0,
            client_at: None,
            photos: vec![],
            mock_location: false,
        }
    }

    #[test]
    fn the_radius_is_inside() {
        let s = VisitSettings::default();
        let at = |m: f64| input(north_of(SHOP, m)).assess(now(), Some(SHOP), None, &s);
        assert!(at(499.0).flags.is_empty());
        assert!(at(499.999).flags.is_empty());
        assert_eq!(at(500.001).flags, vec![VisitFlag::OutOfRange]);
        assert_eq!(at(501.0).flags, vec![VisitFlag::OutOfRange]);
        // No customer location: nothing measured, nothing flagged.
        let far = input(north_of(SHOP, 9_000.0)).assess(now(), None, None, &s);
        assert_eq!((far.distance_m, far.flags.len()), (None, 0));
    }

    #[test]
    fn clock_skew_on_both_sides_of_the_tolerance() {
        let s = VisitSettings::default();
        let skewed = |secs: i64| {
            EvidenceInput {
                client_at: Some(now() + Duration::seconds(secs)),
                ..input(SHOP)
            }
            .assess(now(), Some(SHOP), None, &s)
            .flags
        };
        assert!(skewed(300).is_empty());
        assert!(skewed(-300).is_empty());
        assert_eq!(skewed(301), vec![VisitFlag::ClockSkew]);
        assert_eq!(skewed(-301), vec![VisitFlag::ClockSkew]);
    }

    #[test]
    fn travel_speed_on_both_sides_of_the_limit() {
        let s = VisitSettings::default();
        // 200 km in one hour is the limit itself: not above it.
        let from = (now() - Duration::hours(1), SHOP);
        let moved =
            |km: f64| input(north_of(SHOP, km * 1000.0)).assess(now(), None, Some(from), &s);
        let at_limit = moved(199.99);
        assert!(at_limit.flags.is_empty());
        assert_eq!(at_limit.speed_kmh, Some(199.99));
        assert_eq!(moved(200.01).flags, vec![VisitFlag::ImpossibleTravel]);
        // Any move in no time is impossible; staying put is not.
        let same_instant = Some((now(), SHOP));
        let jump = input(north_of(SHOP, 1.0)).assess(now(), None, same_instant, &s);
        assert_eq!(
            (jump.speed_kmh, jump.flags),
            (None, vec![VisitFlag::ImpossibleTravel])
        );
        assert!(input(SHOP)
            .assess(now(), None, same_instant, &s)
            .flags
            .is_empty());
    }

    #[test]
    fn photos_and_inputs_are_checked() {
        let required = VisitSettings {
            photos_required: true,
            min_photos: 2,
            ..VisitSettings::default()
        };
        let one = EvidenceInput {
            photos: vec!["a.jpg".into()],
            ..input(SHOP)
        };
        assert!(matches!(
            one.require_photos(&required),
            Err(CrmError::Validation { ref field, .. }) if field == "photos"
        ));
        let two = EvidenceInput {
            photos: vec!["a.jpg".into(), "b.jpg".into()],
            ..input(SHOP)
        };
        assert!(two.require_photos(&required).is_ok());
        assert!(one.require_photos(&VisitSettings::default()).is_ok());
        let blank = EvidenceInput {
            photos: vec!["a.jpg".into(), " ".into()],
            ..input(SHOP)
        };
        assert!(matches!(
            blank.validate(),
            Err(CrmError::Validation { ref field, .. }) if field == "photos[1]"
        ));
        let bad_accuracy = EvidenceInput {
            accuracy_m: -1.0,
            ..input(SHOP)
        };
        assert!(matches!(
            bad_accuracy.validate(),
            Err(CrmError::Validation { ref field, .. }) if field == "accuracy_m"
        ));
        assert!(input(SHOP).validate().is_ok());
    }
}
