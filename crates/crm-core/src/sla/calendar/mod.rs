//! Business calendars: which instants count as working time, and arithmetic over them.
//!
//! # Model
//!
//! A [`Calendar`] names an IANA time zone and lists, per weekday, working intervals in local
//! wall-clock time (`"09:00"`–`"12:00"`, `"13:00"`–`"18:00"`; seconds may be given as
//! `"HH:MM:SS"`; `"24:00"` is allowed as an end). An interval whose end is before its start
//! (`"22:00"`–`"06:00"`) is an overnight shift: the part after midnight belongs to the next
//! local date (Sunday's continues into Monday). Holidays are local dates closed all day.
//! An override gives one local date its own intervals (none = closed, or working hours on a
//! weekend day).
//!
//! A holiday or an override owns its whole local date: the tail of the previous night's
//! shift does not run into it. A holiday also starts no overnight shift, so nothing of its
//! weekday's overnight shift runs into the next date. An overnight interval of an override
//! continues into the next date (merged with that date's own hours).
//!
//! # Local time
//!
//! Working intervals are turned into UTC instants per local date, as java.time and Python's
//! zoneinfo turn local times into instants: a time that does not exist (spring-forward gap)
//! shifts forward by the gap's length (a slot starting at 02:30 on a day whose clocks jump
//! from 02:00 to 03:00 starts at 03:30), an ambiguous time (fall-back) takes its first
//! occurrence. A slot lying entirely in the gap (its end inside the gap or at its end) moves
//! forward whole, keeping its length; a slot that starts in the gap and ends before the
//! shifted start is empty that day. Shifted slots that overlap are counted once. Day
//! boundaries map to the first instant the wall clock reads midnight or later, so a 24/7 day
//! (`00:00`–`24:00`) lasts 23 or 25 hours on transition days. Offsets
//! come from `chrono-tz`; transitions are read from it between 1800 and 2200 (its data has
//! none outside that range).
//!
//! # Arithmetic
//!
//! All arithmetic is at whole seconds: sub-second parts of inputs are dropped.
//! [`CompiledCalendar::business_between`]`(a, b)` counts the working seconds in `[a, b)`
//! (0 if `b <= a`). [`CompiledCalendar::add_business`]`(s, d)` for `d > 0` is the **earliest**
//! instant `t` with `business_between(s, t) == d`. Since the clock runs out while working,
//! that instant is the end of a working period when the budget ends exactly there (14:00 + 4 h
//! on a 10:00–18:00 day is 18:00 the same day, not 10:00 the next day), and a start outside
//! working hours counts from the next opening (07:00 + 4 h on that day is 14:00). A zero (or
//! negative) budget is due at `s` itself, the earliest instant with zero business time after
//! `s`; [`CompiledCalendar::clock_start`] gives the instant the clock actually starts running.
//! Both are exactly consistent: `business_between(s, add_business(s, d)) == d` for every
//! `d >= 0` (up to the end of chrono's range, where results saturate).
//!
//! # Speed
//!
//! Compiling precomputes the explicit working intervals of the few local dates that differ
//! from the weekly pattern (holidays, overrides, the dates after them, DST transition dates)
//! and the business seconds accumulated up to each such date. Everything between is the
//! weekly pattern at a constant UTC offset, evaluated in closed form. Both operations are two
//! binary searches, whatever the span.

mod add;
mod between;
mod compile;
mod config;
mod days;
mod parse;
mod week;
mod zone;

pub(crate) use add::instant;
pub use compile::CompiledCalendar;
pub use config::{Calendar, DateOverride, WorkInterval};

/// Seconds in a day.
const DAY: i64 = 86_400;
