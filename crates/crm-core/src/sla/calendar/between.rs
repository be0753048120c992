//! Counting business time: the running total at an instant, and
//! [`CompiledCalendar::business_between`].

use chrono::{DateTime, Utc};

use super::compile::{CompiledCalendar, Seg};

impl CompiledCalendar {
    /// Business seconds accumulated at UTC second `u`, from an arbitrary origin:
    /// non-decreasing, continuous, slope 1 inside working time.
    pub(crate) fn cum(&self, u: i64) -> i64 {
        let k = self
            .seg_start
            .partition_point(|&s| s <= u)
            .saturating_sub(1);
        match self.segs[k] {
            Seg::Periodic { offset, base } => base + self.week.cum(u + offset),
            Seg::Explicit { from, to } => {
                let ivals = &self.ivals[from..to];
                match ivals.partition_point(|iv| iv.start <= u) {
                    0 => self.seg_cum[k],
                    i => {
                        let iv = &ivals[i - 1];
                        iv.cum + u.min(iv.end) - iv.start
                    }
                }
            }
        }
    }

    /// Business seconds in `[a, b)`, at whole seconds (sub-second parts dropped); 0 if
    /// `b <= a`. Additive: `between(a, b) + between(b, c) == between(a, c)` for `a <= b <= c`.
    pub fn business_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
        let (a, b) = (a.timestamp(), b.timestamp());
        if b <= a {
            return 0;
        }
        self.cum(b) - self.cum(a)
    }

    /// Whether the second starting at `at` (truncated to the second) is working time.
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        let u = at.timestamp();
        self.cum(u.saturating_add(1)) > self.cum(u)
    }
}
