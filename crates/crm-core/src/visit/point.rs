//! A point on the Earth (WGS-84 degrees), validated wherever it comes in.

use crate::error::{CrmError, CrmResult};
use serde::{Deserialize, Serialize};

/// A latitude and longitude in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GeoPoint {
    /// Latitude in degrees, −90..=90.
    pub latitude: f64,
    /// Longitude in degrees, −180..=180.
    pub longitude: f64,
}

impl GeoPoint {
    /// Refuses a latitude outside ±90°, a longitude outside ±180° or a value that is not a
    /// finite number; errors name `<field>.latitude` or `<field>.longitude`.
    pub fn validate(&self, field: &str) -> CrmResult<GeoPoint> {
        if !self.latitude.is_finite() || !(-90.0..=90.0).contains(&self.latitude) {
            return Err(CrmError::validation(
                format!("{field}.latitude"),
                "must be a number within -90..=90",
            ));
        }
        if !self.longitude.is_finite() || !(-180.0..=180.0).contains(&self.longitude) {
            return Err(CrmError::validation(
                format!("{field}.longitude"),
                "must be a number within -180..=180",
            ));
        }
        Ok(*self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(latitude: f64, longitude: f64) -> GeoPoint {
        GeoPoint {
            latitude,
            longitude,
        }
    }

    fn refused_field(point: GeoPoint) -> Option<String> {
        match point.validate("location") {
            Err(CrmError::Validation { field, .. }) => Some(field),
            _ => None,
        }
    }

    #[test]
    fn bounds_are_inclusive_and_named() {
        assert!(p(90.0, 180.0).validate("location").is_ok());
        assert!(p(-90.0, -180.0).validate("location").is_ok());
        assert_eq!(
            refused_field(p(90.000001, 0.0)).as_deref(),
            Some("location.latitude")
        );
        assert_eq!(
            refused_field(p(-90.000001, 0.0)).as_deref(),
            Some("location.latitude")
        );
        assert_eq!(
            refused_field(p(0.0, 180.000001)).as_deref(),
            Some("location.longitude")
        );
        assert_eq!(
            refused_field(p(0.0, -180.000001)).as_deref(),
            Some("location.longitude")
        );
        assert_eq!(
            refused_field(p(f64::NAN, 0.0)).as_deref(),
            Some("location.latitude")
        );
        assert_eq!(
            refused_field(p(0.0, f64::INFINITY)).as_deref(),
            Some("location.longitude")
        );
    }
}
