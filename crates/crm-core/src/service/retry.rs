//! Retrying an operation whose writes lost an optimistic race: a bounded number of attempts,
//! each retry after an exponentially growing, fully jittered pause, so that many writers on
//! one hot record spread out instead of colliding again at once (DESIGN §8).
//!
//! The pause itself is the store's ([`Store::pause`](crate::store::Store::pause)): core owns
//! no runtime. The jitter needs no random-number crate: std's randomly keyed SipHash of a
//! per-call counter is uniform enough to de-synchronise writers, and it never decides an
//! outcome, only when an attempt is made.

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How an operation retries after a `Conflict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (at least 1).
    pub max_attempts: u32,
    /// Smallest upper bound of the pause before the first retry; the bound is the failed
    /// attempt's own duration when that is longer, so the pauses scale with how long a
    /// read-decide-write round takes on the store (tens of µs in memory, milliseconds on a
    /// remote PostgreSQL).
    pub base: Duration,
    /// No pause is longer than this, however many attempts failed.
    pub cap: Duration,
}

impl Default for RetryPolicy {
    /// Sixteen attempts; pauses up to 2 ms (or the attempt's duration), doubling, capped at
    /// 200 ms: at most about 2 s of waiting in all before `Conflict` is returned.
    fn default() -> Self {
        Self {
            max_attempts: 16,
            base: Duration::from_millis(2),
            cap: Duration::from_millis(200),
        }
    }
}

impl RetryPolicy {
    /// Retries at once, without pausing (for tests that count attempts).
    pub fn immediate(max_attempts: u32) -> Self {
        Self {
            max_attempts: max_attempts.max(1),
            base: Duration::ZERO,
            cap: Duration::ZERO,
        }
    }

    /// The longest pause after `failed` failed attempts (1 for the first failure), the last
    /// of which took `took`: `min(cap, max(base, took) × 2^(failed − 1))`.
    pub fn ceiling(&self, failed: u32, took: Duration) -> Duration {
        let doublings = failed.saturating_sub(1).min(30);
        self.base
            .max(took)
            .checked_mul(1u32 << doublings)
            .map_or(self.cap, |d| d.min(self.cap))
    }

    /// The pause after `failed` failed attempts, given `unit` in `[0, 1]`: a uniform share
    /// of [`ceiling`](Self::ceiling) ("full jitter").
    pub fn pause(&self, failed: u32, took: Duration, unit: f64) -> Duration {
        self.ceiling(failed, took).mul_f64(unit.clamp(0.0, 1.0))
    }

    /// The pause after `failed` failed attempts with fresh jitter.
    pub fn jittered(&self, failed: u32, took: Duration) -> Duration {
        self.pause(failed, took, jitter_unit())
    }
}

/// A fresh number in `[0, 1)` for jitter.
fn jitter_unit() -> f64 {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let n = CALLS.fetch_add(1, Ordering::Relaxed);
    let bits = RandomState::new().hash_one(n) >> 11;
    bits as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceilings_double_up_to_the_cap() {
        let p = RetryPolicy {
            max_attempts: 10,
            base: Duration::from_millis(2),
            cap: Duration::from_millis(100),
        };
        let fast = Duration::from_micros(50);
        let ms: Vec<u128> = (1..=8).map(|f| p.ceiling(f, fast).as_millis()).collect();
        assert_eq!(ms, vec![2, 4, 8, 16, 32, 64, 100, 100]);
        assert_eq!(p.ceiling(u32::MAX, fast), Duration::from_millis(100));
        assert_eq!(p.pause(3, fast, 0.5), Duration::from_millis(4));
        assert_eq!(p.pause(3, fast, 0.0), Duration::ZERO);
        assert_eq!(p.pause(3, fast, 7.0), Duration::from_millis(8));
    }

    #[test]
    fn slow_attempts_stretch_the_pauses() {
        let p = RetryPolicy::default();
        let slow = Duration::from_millis(9);
        assert_eq!(p.ceiling(1, slow), slow);
        assert_eq!(p.ceiling(3, slow), Duration::from_millis(36));
        assert_eq!(p.ceiling(6, slow), Duration::from_millis(200));
        assert_eq!(p.ceiling(1, Duration::from_millis(1)), p.base);
    }

    #[test]
    fn immediate_never_pauses() {
        let p = RetryPolicy::immediate(0);
        assert_eq!(p.max_attempts, 1);
        assert_eq!(p.pause(5, Duration::from_secs(1), 0.9), Duration::ZERO);
    }

    #[test]
    fn jitter_is_spread_over_the_unit_interval() {
        let draws: Vec<f64> = (0..4000).map(|_| jitter_unit()).collect();
        assert!(draws.iter().all(|u| (0.0..1.0).contains(u)));
        for k in 0..4 {
            let lo = f64::from(k) / 4.0;
            let share = draws
                .iter()
                .filter(|u| (lo..lo + 0.25).contains(*u))
                .count();
            assert!((800..1200).contains(&share), "quarter {k}: {share} of 4000");
        }
    }
}
