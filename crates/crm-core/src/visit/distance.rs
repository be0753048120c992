//! Great-circle distance by the haversine formula on a sphere of the mean Earth radius
//! (DESIGN §4.9): what the engine measures between a check-in and the customer, and between
//! two check-ins of one user.

use super::point::GeoPoint;

/// The mean Earth radius in metres (IUGG).
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// The longest distance between two points on that sphere (half its circumference), in
/// metres.
pub const MAX_DISTANCE_M: f64 = std::f64::consts::PI * EARTH_RADIUS_M;

/// The distance in metres between `a` and `b` along the sphere.
pub fn haversine_m(a: GeoPoint, b: GeoPoint) -> f64 {
    let (lat1, lat2) = (a.latitude.to_radians(), b.latitude.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.longitude - a.longitude).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().clamp(0.0, 1.0).asin()
}

/// The point `metres` due north of `from` (south when negative) along its meridian: the
/// inverse of [`haversine_m`] on a meridian, for placing points at a chosen distance. The
/// latitude is not clamped, so keep it away from the poles.
pub fn north_of(from: GeoPoint, metres: f64) -> GeoPoint {
    GeoPoint {
        latitude: from.latitude + (metres / EARTH_RADIUS_M).to_degrees(),
        longitude: from.longitude,
    }
}

/// Rounds metres (or any figure) to hundredths, as reports and records show them.
pub fn hundredths(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEOPLES_SQUARE: GeoPoint = GeoPoint {
        latitude: 31.2304,
        longitude: 121.4737,
    };

    #[test]
    fn fv1_and_fv2_distances() {
        let fv1 = GeoPoint {
            latitude: 31.2344,
            ..PEOPLES_SQUARE
        };
        let fv2 = GeoPoint {
            latitude: 31.2354,
            ..PEOPLES_SQUARE
        };
        assert_eq!(hundredths(haversine_m(PEOPLES_SQUARE, fv1)), 444.78);
        assert_eq!(hundredths(haversine_m(PEOPLES_SQUARE, fv2)), 555.98);
        assert_eq!(haversine_m(PEOPLES_SQUARE, PEOPLES_SQUARE), 0.0);
    }

    #[test]
    fn north_of_inverts_the_distance() {
        for metres in [1.0, 499.0, 500.0, 501.0, 12_345.6] {
            let there = north_of(PEOPLES_SQUARE, metres);
            assert!((haversine_m(PEOPLES_SQUARE, there) - metres).abs() < 1e-6);
            let back = north_of(PEOPLES_SQUARE, -metres);
            assert!((haversine_m(back, PEOPLES_SQUARE) - metres).abs() < 1e-6);
        }
    }

    #[test]
    fn antipodes_are_half_the_circumference_away() {
        let a = GeoPoint {
            latitude: 0.0,
            longitude: 0.0,
        };
        let b = GeoPoint {
            latitude: 0.0,
            longitude: 180.0,
        };
        assert!((haversine_m(a, b) - MAX_DISTANCE_M).abs() < 1e-3);
        // Symmetric, and across the antimeridian the short way.
        let east = GeoPoint {
            latitude: 10.0,
            longitude: 179.9,
        };
        let west = GeoPoint {
            latitude: 10.0,
            longitude: -179.9,
        };
        assert!((haversine_m(east, west) - haversine_m(west, east)).abs() < 1e-9);
        assert!(haversine_m(east, west) < 25_000.0);
    }
}
