//! The compiled calendar: the weekly pattern in closed form, plus explicit UTC intervals for
//! the local dates that differ from it, with business seconds accumulated at each segment.

use std::collections::BTreeSet;

use chrono_tz::Tz;

use super::config::Calendar;
use super::parse::{self, Schedule};
use super::week::Week;
use super::zone::Zone;
use super::DAY;
use crate::error::CrmResult;

/// A validated calendar ready for arithmetic ([`add_business`](Self::add_business),
/// [`business_between`](Self::business_between)). Build it with [`Calendar::compile`].
///
/// The timeline is cut into segments: runs of regular local dates, where working time is the
/// weekly pattern at one UTC offset and is counted in closed form, and runs of exceptional
/// dates (holidays, overrides, the dates after them, DST transition dates) with explicit UTC
/// intervals. Each segment knows the business seconds accumulated at its start.
#[derive(Debug, Clone)]
pub struct CompiledCalendar {
    pub(super) tz: Tz,
    pub(super) week: Week,
    /// Start instant (UTC seconds) of each segment; the first is `i64::MIN`.
    pub(super) seg_start: Vec<i64>,
    /// Business seconds accumulated at each segment's start (the first is unused).
    pub(super) seg_cum: Vec<i64>,
    /// What each segment is.
    pub(super) segs: Vec<Seg>,
    /// Explicit intervals of the exceptional segments.
    pub(super) ivals: Vec<Ival>,
}

/// One segment of the timeline.
#[derive(Debug, Clone, Copy)]
pub(super) enum Seg {
    /// Weekly pattern at UTC offset `offset`: accumulated time at `u` is
    /// `base + week.cum(u + offset)`.
    Periodic {
        /// UTC offset in seconds.
        offset: i64,
        /// Constant aligning the pattern's count with the timeline's.
        base: i64,
    },
    /// Explicit intervals `ivals[from..to]`.
    Explicit {
        /// First interval.
        from: usize,
        /// One past the last interval.
        to: usize,
    },
}

/// An explicit working interval `[start, end)` in UTC seconds, with the business seconds
/// accumulated at its start.
#[derive(Debug, Clone, Copy)]
pub(super) struct Ival {
    pub(super) start: i64,
    pub(super) end: i64,
    pub(super) cum: i64,
}

/// The working intervals of a run of consecutive exceptional dates in UTC, sorted, merged and
/// clipped to the run's span `[start, end)`. Times in a DST gap shift forward by the gap's
/// length ([`Zone::slot`]), so a slot starting at 02:30 in a 02:00–03:00 gap starts at
/// 03:30 and a slot inside the gap moves past it whole; a shifted slot can then overlap a
/// later one, which merging counts once.
fn explicit_intervals(
    sched: &Schedule,
    zone: &Zone,
    run: &[i64],
    start: i64,
    end: i64,
) -> Vec<Ival> {
    let mut spans: Vec<(i64, i64)> = run
        .iter()
        .flat_map(|&day| {
            sched
                .open_on(day)
                .into_iter()
                .map(move |(a, b)| zone.slot(day * DAY + a, day * DAY + b))
        })
        .map(|(a, b)| (a.max(start), b.min(end)))
        .filter(|(a, b)| b > a)
        .collect();
    spans.sort_unstable();
    let mut out: Vec<Ival> = Vec::with_capacity(spans.len());
    for (a, b) in spans {
        match out.last_mut() {
            Some(last) if last.end >= a => last.end = last.end.max(b),
            _ => out.push(Ival {
                start: a,
                end: b,
                cum: 0,
            }),
        }
    }
    out
}

impl CompiledCalendar {
    pub(super) fn new(cal: &Calendar) -> CrmResult<Self> {
        let sched = parse::schedule(cal)?;
        let zone = Zone::of(sched.tz);
        Ok(Self::build(&sched, &zone))
    }

    fn build(sched: &Schedule, zone: &Zone) -> Self {
        let week = Week::new(&std::array::from_fn(|d| sched.regular(d)));
        let mut exceptional = BTreeSet::new();
        for &day in sched.holidays.iter().chain(sched.overrides.keys()) {
            exceptional.insert(day);
            exceptional.insert(day + 1);
        }
        for (at, before, after) in zone.transitions() {
            // Every date whose local range touches the skipped or repeated local times.
            let (lo, hi) = (at + before.min(after), at + before.max(after));
            exceptional.extend((lo - 1).div_euclid(DAY)..=hi.div_euclid(DAY));
        }
        let mut cal = CompiledCalendar {
            tz: sched.tz,
            week,
            seg_start: Vec::new(),
            seg_cum: Vec::new(),
            segs: Vec::new(),
            ivals: Vec::new(),
        };
        let days: Vec<i64> = exceptional.into_iter().collect();
        match days.first() {
            None => cal.push_periodic(i64::MIN, zone.offset_at(0)),
            Some(&first) => {
                let at = zone.to_utc(first * DAY);
                cal.push_periodic(i64::MIN, zone.offset_at(at - 1));
            }
        }
        for run in days.chunk_by(|a, b| b - a == 1) {
            let (first, last) = (run[0], run[run.len() - 1]);
            let (start, end) = (zone.to_utc(first * DAY), zone.to_utc((last + 1) * DAY));
            let from = cal.ivals.len();
            cal.ivals
                .extend(explicit_intervals(sched, zone, run, start, end));
            let to = cal.ivals.len();
            cal.seg_start.push(start);
            cal.segs.push(Seg::Explicit { from, to });
            cal.push_periodic(end, zone.offset_at(end));
        }
        cal.accumulate();
        cal
    }

    fn push_periodic(&mut self, start: i64, offset: i64) {
        self.seg_start.push(start);
        self.segs.push(Seg::Periodic { offset, base: 0 });
    }

    /// Fills `seg_cum`, the periodic bases and the explicit intervals' running totals; the
    /// count is 0 at the start of the second segment.
    fn accumulate(&mut self) {
        let n = self.segs.len();
        self.seg_cum = vec![i64::MIN; n];
        let mut running = 0;
        for k in 1..n {
            self.seg_cum[k] = running;
            let start = self.seg_start[k];
            match &mut self.segs[k] {
                Seg::Periodic { offset, base } => {
                    *base = running - self.week.cum(start + *offset);
                    if let Some(&end) = self.seg_start.get(k + 1) {
                        running += self.week.cum(end + *offset) - self.week.cum(start + *offset);
                    }
                }
                Seg::Explicit { from, to } => {
                    for iv in &mut self.ivals[*from..*to] {
                        iv.cum = running;
                        running += iv.end - iv.start;
                    }
                }
            }
        }
        if let (Some(Seg::Periodic { offset, base }), Some(&next)) =
            (self.segs.first_mut(), self.seg_start.get(1))
        {
            *base = -self.week.cum(next + *offset);
        }
    }

    /// The calendar's time zone.
    pub fn time_zone(&self) -> Tz {
        self.tz
    }

    /// Business seconds in a regular week (no holidays, overrides or DST changes).
    pub fn weekly_seconds(&self) -> i64 {
        self.week.total()
    }
}
