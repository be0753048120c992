//! The tenant's field-visit settings (part of [`TenantSettings`](crate::tenant::TenantSettings)).

use crate::error::{CrmError, CrmResult};
use serde::{Deserialize, Serialize};

/// Settings of the field-visit module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct VisitSettings {
    /// Geofence radius in metres: a check-in farther than this from the customer's location
    /// is flagged `out_of_range` (1..=100000, default 500).
    pub geofence_radius_m: u32,
    /// Whether a check-in must carry photos.
    pub photos_required: bool,
    /// How many photos a check-in carries at least when they are required (1..=20,
    /// default 1).
    pub min_photos: u32,
    /// Seconds the client's clock may differ from the engine's before `clock_skew` is
    /// flagged (0..=86400, default 300).
    pub clock_skew_tolerance_secs: u32,
    /// Speed in km/h between one user's consecutive check-ins above which
    /// `impossible_travel` is flagged (10..=2000, default 200).
    pub max_speed_kmh: u32,
    /// Seconds after a check-in during which the same check-in again answers the first one
    /// (0..=3600, default 120); later it is refused.
    pub repeat_window_secs: u32,
}

impl Default for VisitSettings {
    fn default() -> Self {
        Self {
            geofence_radius_m: 500,
            photos_required: false,
            min_photos: 1,
            clock_skew_tolerance_secs: 300,
            max_speed_kmh: 200,
            repeat_window_secs: 120,
        }
    }
}

impl VisitSettings {
    /// Checks every setting; errors name `settings.visits.…`.
    pub fn validate(&self) -> CrmResult<()> {
        let within = |value: u32, field: &str, min: u32, max: u32| {
            if (min..=max).contains(&value) {
                Ok(())
            } else {
                Err(CrmError::validation(
                    format!("settings.visits.{field}"),
                    format!("must be within {min}..={max}"),
                ))
            }
        };
        within(self.geofence_radius_m, "geofence_radius_m", 1, 100_000)?;
        within(self.min_photos, "min_photos", 1, 20)?;
        within(
            self.clock_skew_tolerance_secs,
            "clock_skew_tolerance_secs",
            0,
            86_400,
        )?;
        within(self.max_speed_kmh, "max_speed_kmh", 10, 2_000)?;
        within(self.repeat_window_secs, "repeat_window_secs", 0, 3_600)
    }

    /// The photos a check-in needs at least (0 when not required).
    pub fn photos_needed(&self) -> usize {
        if self.photos_required {
            self.min_photos as usize
        } else {
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(s: VisitSettings) -> Option<String> {
        match s.validate() {
            Err(CrmError::Validation { field, .. }) => Some(field),
            _ => None,
        }
    }

    #[test]
    fn defaults_are_valid_and_bounds_named() {
        let d = VisitSettings::default();
        assert!(d.validate().is_ok());
        assert_eq!(d.photos_needed(), 0);
        let radius = |geofence_radius_m| VisitSettings {
            geofence_radius_m,
            ..d
        };
        assert_eq!(
            field_of(radius(0)).as_deref(),
            Some("settings.visits.geofence_radius_m")
        );
        assert!(radius(1).validate().is_ok());
        assert!(radius(100_000).validate().is_ok());
        assert!(field_of(radius(100_001)).is_some());
        let speed = |max_speed_kmh| VisitSettings { max_speed_kmh, ..d };
        assert!(field_of(speed(9)).is_some());
        assert!(speed(10).validate().is_ok());
        assert_eq!(
            field_of(VisitSettings { min_photos: 0, ..d }).as_deref(),
            Some("settings.visits.min_photos")
        );
        let photos = VisitSettings {
            photos_required: true,
            min_photos: 2,
            ..d
        };
        assert_eq!(photos.photos_needed(), 2);
    }
}
