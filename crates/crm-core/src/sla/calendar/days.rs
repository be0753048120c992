//! Which local intervals are open on a given local date: the weekday pattern, holidays,
//! overrides and overnight shifts carried over from the previous date.

use super::parse::{DayPlan, Schedule};

/// Weekday index (Monday = 0) of a day number (day 0 = 1970-01-01, a Thursday).
pub(super) fn weekday_of(day: i64) -> usize {
    // rem_euclid(7) is in 0..7.
    (day + 3).rem_euclid(7) as usize
}

/// What decides a date's hours.
enum Source<'a> {
    Holiday,
    Override(&'a DayPlan),
    Weekday(&'a DayPlan),
}

impl Schedule {
    fn source(&self, day: i64) -> Source<'_> {
        if self.holidays.contains(&day) {
            Source::Holiday
        } else if let Some(plan) = self.overrides.get(&day) {
            Source::Override(plan)
        } else {
            Source::Weekday(&self.week[weekday_of(day)])
        }
    }

    /// Overnight parts that `day` carries into the next date.
    fn carried_from(&self, day: i64) -> &[(i64, i64)] {
        match self.source(day) {
            Source::Holiday => &[],
            Source::Override(plan) | Source::Weekday(plan) => &plan.spill,
        }
    }

    /// Open intervals of local date `day` in seconds of that day, sorted and merged.
    pub(super) fn open_on(&self, day: i64) -> Vec<(i64, i64)> {
        let mut parts: Vec<(i64, i64)> = match self.source(day) {
            Source::Holiday => return Vec::new(),
            Source::Override(plan) => plan.own.clone(),
            Source::Weekday(plan) => {
                let mut v = plan.own.clone();
                v.extend_from_slice(self.carried_from(day - 1));
                v
            }
        };
        merge(&mut parts);
        parts
    }

    /// Open intervals of a weekday without exceptions (own parts plus the previous
    /// weekday's overnight parts), Monday = 0.
    pub(super) fn regular(&self, weekday: usize) -> Vec<(i64, i64)> {
        let mut parts = self.week[weekday].own.clone();
        parts.extend_from_slice(&self.week[(weekday + 6) % 7].spill);
        merge(&mut parts);
        parts
    }
}

/// Sorts and merges overlapping or touching intervals in place.
fn merge(parts: &mut Vec<(i64, i64)>) {
    parts.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(parts.len());
    for &(a, b) in parts.iter() {
        match out.last_mut() {
            Some(last) if last.1 >= a => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    *parts = out;
}
