//! Calendar events (日历, DESIGN §4.9): one-off or recurring events in an IANA zone, with
//! attendees and links, exceptions of single occurrences and "this and following" splits,
//! and the pure expansion the agenda calls ([`occurrences`]). See
//! `docs/adr/0024-calendar-events.md`.
//!
//! Local wall time is what a series keeps: a weekly 09:00 meeting in `America/New_York`
//! is at 09:00 local before and after the daylight-saving change, its instant moves. The
//! RRULE is parsed, validated and expanded by the `rrule` crate in the event's zone.

mod event;
mod exception;
mod expand;
mod input;
mod recurrence;
mod split;
mod time;

pub use event::{CalendarAttendee, CalendarEvent, EventLinks};
pub use exception::{Exception, ExceptionChange};
pub use expand::{
    check_range, check_year, count_before, is_occurrence, occurrences, Expansion, Occurrence,
    MAX_OCCURRENCES, MAX_RANGE_DAYS,
};
pub use input::{attendees, check_schedule, EventInput, EventPatch, MAX_ATTENDEES};
pub use recurrence::{MonthEnd, Recurrence, MAX_COUNT};
pub use split::{split, Split};
pub use time::{local_to_utc, utc_to_local, zone, EventTime, MAX_EVENT_DAYS, MAX_YEAR, MIN_YEAR};

#[cfg(test)]
mod tests;
