//! Time comes into the engine through a [`Clock`]; rules never read the system time.

use chrono::{DateTime, TimeDelta, Utc};
use std::sync::Mutex;

/// `t + d`, saturating at the ends of chrono's range instead of panicking: limits come from
/// tenant settings (days, hours) and instants from hosts, so "a year 300,000 deadline" means
/// "never", not a crash.
pub fn plus(t: DateTime<Utc>, d: TimeDelta) -> DateTime<Utc> {
    t.checked_add_signed(d).unwrap_or(if d < TimeDelta::zero() {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    })
}

/// `t - d`, saturating like [`plus`].
pub fn minus(t: DateTime<Utc>, d: TimeDelta) -> DateTime<Utc> {
    plus(t, -d)
}

/// Source of the current instant for services.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The real wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stays where it is set: for tests, previews and simulations.
#[derive(Debug)]
pub struct FixedClock {
    now: Mutex<DateTime<Utc>>,
}

impl FixedClock {
    /// A clock fixed at `now`.
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            now: Mutex::new(now),
        }
    }

    /// Moves the clock to `now`.
    pub fn set(&self, now: DateTime<Utc>) {
        *self.now.lock().unwrap_or_else(|p| p.into_inner()) = now;
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: chrono::Duration) {
        let mut guard = self.now.lock().unwrap_or_else(|p| p.into_inner());
        *guard += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod saturating_tests {
    use super::*;

    #[test]
    fn instants_saturate_at_the_ends_of_the_range() {
        let now = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        assert_eq!(plus(now, TimeDelta::days(1)), now + TimeDelta::days(1));
        assert_eq!(minus(now, TimeDelta::days(1)), now - TimeDelta::days(1));
        let far = TimeDelta::days(i64::from(u32::MAX));
        assert_eq!(plus(now, far), DateTime::<Utc>::MAX_UTC);
        assert_eq!(minus(now, far), DateTime::<Utc>::MIN_UTC);
        assert_eq!(
            plus(DateTime::<Utc>::MAX_UTC, TimeDelta::seconds(1)),
            DateTime::<Utc>::MAX_UTC
        );
    }
}
