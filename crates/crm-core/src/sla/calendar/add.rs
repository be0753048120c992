//! Adding business time: [`CompiledCalendar::add_business`] and
//! [`CompiledCalendar::clock_start`].

use chrono::{DateTime, TimeDelta, Utc};

use super::compile::{CompiledCalendar, Seg};

/// The instant at UTC second `u`, saturating at chrono's range.
pub(crate) fn instant(u: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(u, 0).unwrap_or(if u > 0 {
        DateTime::<Utc>::MAX_UTC
    } else {
        DateTime::<Utc>::MIN_UTC
    })
}

impl CompiledCalendar {
    /// The least UTC second `u` at which the running total (see `cum`) reaches `c`; `None`
    /// past the representable range.
    pub(crate) fn first_reaching(&self, c: i64) -> Option<i64> {
        // The first segment whose end total reaches `c`.
        let k = self.seg_cum[1..].partition_point(|&x| x < c);
        match self.segs[k] {
            Seg::Periodic { offset, base } => self
                .week
                .first_reaching(c.checked_sub(base)?)?
                .checked_sub(offset),
            Seg::Explicit { from, to } => {
                let ivals = &self.ivals[from..to];
                let i = ivals.partition_point(|iv| iv.cum + (iv.end - iv.start) < c);
                ivals.get(i).map(|iv| iv.start + (c - iv.cum))
            }
        }
    }

    /// The earliest instant with `seconds` of business time after `start` (whole seconds;
    /// `start`'s sub-second part is dropped). A budget that runs out exactly at the end of a
    /// working period is due at that end; a start outside working hours counts from the next
    /// opening. A zero or negative budget is due at `start` itself. Past chrono's range the
    /// result saturates.
    ///
    /// Exactly consistent with [`business_between`](Self::business_between):
    /// `business_between(start, add_business(start, d)) == d` for every `d >= 0`.
    pub fn add_business(&self, start: DateTime<Utc>, seconds: i64) -> DateTime<Utc> {
        if seconds <= 0 {
            return start;
        }
        self.cum(start.timestamp())
            .checked_add(seconds)
            .and_then(|c| self.first_reaching(c))
            .map_or(DateTime::<Utc>::MAX_UTC, instant)
    }

    /// The instant business time starts counting for something that starts at `at`: `at`
    /// (truncated to the second) when it is working time, else the next opening.
    pub fn clock_start(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        let first = self.add_business(at, 1);
        first
            .checked_sub_signed(TimeDelta::seconds(1))
            .unwrap_or(first)
    }
}
