//! The weekly pattern in closed form: business seconds accumulated up to any local instant,
//! and its inverse.

use super::DAY;

/// Seconds in a week.
const WEEK: i64 = 7 * DAY;
/// Local second 0 (1970-01-01) is a Thursday; adding this aligns weeks on Monday 00:00.
const MONDAY_SHIFT: i64 = 3 * DAY;

/// Working intervals of one week (seconds since Monday 00:00 local), with running totals.
#[derive(Debug, Clone)]
pub(super) struct Week {
    starts: Vec<i64>,
    ends: Vec<i64>,
    /// Business seconds before each interval.
    before: Vec<i64>,
    /// Business seconds up to each interval's end.
    upto: Vec<i64>,
    /// Business seconds in a week (> 0).
    total: i64,
}

impl Week {
    /// A week from per-day intervals (seconds of the day, sorted, non-overlapping), Monday
    /// first.
    pub(super) fn new(days: &[Vec<(i64, i64)>; 7]) -> Week {
        let mut merged: Vec<(i64, i64)> = Vec::new();
        for (d, day) in (0i64..).zip(days) {
            for &(a, b) in day {
                let (a, b) = (d * DAY + a, d * DAY + b);
                match merged.last_mut() {
                    Some(last) if last.1 >= a => last.1 = last.1.max(b),
                    _ => merged.push((a, b)),
                }
            }
        }
        let (mut before, mut upto, mut total) = (Vec::new(), Vec::new(), 0);
        for &(a, b) in &merged {
            before.push(total);
            total += b - a;
            upto.push(total);
        }
        Week {
            starts: merged.iter().map(|m| m.0).collect(),
            ends: merged.iter().map(|m| m.1).collect(),
            before,
            upto,
            total,
        }
    }

    /// Business seconds in a week.
    pub(super) fn total(&self) -> i64 {
        self.total
    }

    /// Business seconds of the pattern from an arbitrary origin up to local second `x`
    /// (non-decreasing, continuous, slope 1 inside intervals).
    pub(super) fn cum(&self, x: i64) -> i64 {
        let x = x + MONDAY_SHIFT;
        let (q, r) = (x.div_euclid(WEEK), x.rem_euclid(WEEK));
        let within = match self.starts.partition_point(|&s| s <= r) {
            0 => 0,
            i => self.before[i - 1] + r.min(self.ends[i - 1]) - self.starts[i - 1],
        };
        q * self.total + within
    }

    /// The least local second `x` with `cum(x) >= v`; `None` past the representable range.
    pub(super) fn first_reaching(&self, v: i64) -> Option<i64> {
        let (q, rem) = (v.div_euclid(self.total), v.rem_euclid(self.total));
        let x = if rem == 0 {
            // Reached exactly at the end of the last interval of the previous week.
            let last = *self.ends.last()?;
            q.checked_sub(1)?.checked_mul(WEEK)?.checked_add(last)?
        } else {
            let i = self.upto.partition_point(|&u| u < rem);
            let within = self.starts.get(i)? + rem - self.before.get(i)?;
            q.checked_mul(WEEK)?.checked_add(within)?
        };
        x.checked_sub(MONDAY_SHIFT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_form_and_inverse() {
        // Monday and Friday 10:00-18:00 only.
        let mut days: [Vec<(i64, i64)>; 7] = Default::default();
        days[0] = vec![(36_000, 64_800)];
        days[4] = vec![(36_000, 64_800)];
        let week = Week::new(&days);
        assert_eq!(week.total(), 2 * 28_800);
        // 1970-01-05 was a Monday.
        let monday = 4 * DAY;
        assert_eq!(week.cum(monday + 36_000) - week.cum(monday), 0);
        assert_eq!(week.cum(monday + 40_000) - week.cum(monday), 4000);
        let start = week.cum(monday + 64_800);
        // Reaching exactly the end of Monday's period stays on Monday.
        assert_eq!(week.first_reaching(start), Some(monday + 64_800));
        assert_eq!(
            week.first_reaching(start + 1),
            Some(monday + 4 * DAY + 36_001)
        );
        for x in (-3 * WEEK..3 * WEEK).step_by(3607) {
            let c = week.cum(x);
            let back = week.first_reaching(c).expect("in range");
            assert!(back <= x && week.cum(back) == c);
        }
        assert_eq!(week.first_reaching(i64::MAX), None);
    }
}
