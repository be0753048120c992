//! Time comes into the engine through a [`Clock`]; rules never read the system time.

use chrono::{DateTime, TimeDelta, Utc};
use std::sync::Mutex;

/// `t + d`, saturating at the ends of the range every store holds instead of panicking:
/// limits come from tenant settings (days, hours) and instants from hosts, so "a year
/// 300,000 deadline" means "never", not a crash, and a cut-off before the earliest storable
/// instant is that instant (nothing is older), so stores accept it as a filter.
pub fn plus(t: DateTime<Utc>, d: TimeDelta) -> DateTime<Utc> {
    let sum = t.checked_add_signed(d).unwrap_or(if d < TimeDelta::zero() {
        DateTime::<Utc>::MIN_UTC
    } else {
        // The latest whole microsecond: stores keep microseconds, so a cut-off at
        // `MAX_UTC` itself (with its nanoseconds) would be refused as a filter value.
        truncate_micros(DateTime::<Utc>::MAX_UTC)
    });
    sum.max(earliest())
}

/// The earliest instant every store holds ([`crate::store::check::MIN_TIME_MICROS`]).
pub fn earliest() -> DateTime<Utc> {
    DateTime::from_timestamp_micros(crate::store::check::MIN_TIME_MICROS)
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// `t` without its sub-microsecond part (stores keep microseconds).
pub fn truncate_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}

/// `t` rounded up to a whole microsecond (stores keep microseconds): `x >= t` and `x < t`
/// over stored instants are exactly `x >= ceil_micros(t)` and `x < ceil_micros(t)`.
pub fn ceil_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    if t.timestamp_subsec_nanos() % 1_000 == 0 {
        return t;
    }
    let down = DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t);
    down.checked_add_signed(TimeDelta::microseconds(1))
        .unwrap_or(down)
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
        // The latest whole microsecond, which every store accepts as a filter value.
        let latest = truncate_micros(DateTime::<Utc>::MAX_UTC);
        assert_eq!(latest.timestamp_subsec_nanos() % 1_000, 0);
        assert!(DateTime::<Utc>::MAX_UTC - latest < TimeDelta::microseconds(1));
        assert_eq!(plus(now, far), latest);
        assert_eq!(minus(now, far), earliest());
        // One microsecond inside the range stays; one before it is the earliest.
        let first = earliest();
        let next = first + TimeDelta::microseconds(1);
        assert_eq!(minus(next, TimeDelta::microseconds(1)), first);
        assert_eq!(minus(next, TimeDelta::microseconds(2)), first);
        assert_eq!(minus(first, TimeDelta::zero()), first);
        assert_eq!(
            plus(DateTime::<Utc>::MAX_UTC, TimeDelta::seconds(1)),
            latest
        );
    }

    #[test]
    fn instants_round_up_to_whole_microseconds() {
        let t = DateTime::<Utc>::from_timestamp(1_700_000_000, 5_000).unwrap_or_default();
        assert_eq!(ceil_micros(t), t, "already whole");
        let just_after = t + TimeDelta::nanoseconds(1);
        assert_eq!(ceil_micros(just_after), t + TimeDelta::microseconds(1));
        let just_before = t - TimeDelta::nanoseconds(1);
        assert_eq!(ceil_micros(just_before), t);
    }
}
