//! Expansion (展开): the occurrences of an event between two instants, exceptions applied.
//! Pure and bounded: a range of at most [`MAX_RANGE_DAYS`] days, at most
//! [`MAX_OCCURRENCES`] occurrences per call, errors instead of panics.

use super::event::CalendarEvent;
use super::exception::ExceptionChange;
use super::time::{local_to_utc, utc_to_local, EventTime, MAX_YEAR, MIN_YEAR};
use crate::clock::{minus, plus};
use crate::error::{CrmError, CrmResult};
use crate::ids::CalendarEventId;
use chrono::{DateTime, Datelike, Duration, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Longest range one expansion covers, in days.
pub const MAX_RANGE_DAYS: i64 = 366;
/// Most occurrences one expansion returns; more are cut and the result says `truncated`.
pub const MAX_OCCURRENCES: usize = 1000;
/// Most series starts read from the crate in one go (the range plus its margins).
const CRATE_LIMIT: u16 = 4000;

/// One occurrence of an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Occurrence {
    /// The event (series) it belongs to.
    pub event_id: CalendarEventId,
    /// Its original start, local wall time in the event's zone: the key that
    /// `calendar.delete_occurrence`, `calendar.move_occurrence` and `calendar.split` take.
    pub original_start: NaiveDateTime,
    /// Start instant.
    pub start: DateTime<Utc>,
    /// End instant (after the start).
    pub end: DateTime<Utc>,
    /// Start, local wall time in `time_zone`.
    pub local_start: NaiveDateTime,
    /// End, local wall time in `time_zone` (for whole days, midnight after the last day).
    pub local_end: NaiveDateTime,
    /// The event's zone.
    pub time_zone: String,
    /// Whole days.
    pub all_day: bool,
    /// Moved away from its original time.
    pub moved: bool,
    /// Title (a moved occurrence's own, or the event's).
    pub title: String,
}

/// The occurrences of a range, in start order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Expansion {
    /// The occurrences.
    pub occurrences: Vec<Occurrence>,
    /// More occurrences fall in the range than were returned ([`MAX_OCCURRENCES`]).
    pub truncated: bool,
}

/// Refuses a range that ends before it starts, lasts over [`MAX_RANGE_DAYS`] days (errors
/// name `to`) or reaches outside the years events may have (errors name the bound):
/// expanding a series far from its start would walk every occurrence in between.
pub fn check_range(from: DateTime<Utc>, to: DateTime<Utc>) -> CrmResult<()> {
    check_year(from.year(), "from")?;
    check_year(to.year(), "to")?;
    if to < from {
        return Err(CrmError::validation("to", "must not be before from"));
    }
    if to - from > Duration::days(MAX_RANGE_DAYS) {
        return Err(CrmError::validation(
            "to",
            format!("a range covers at most {MAX_RANGE_DAYS} days"),
        ));
    }
    Ok(())
}

/// The occurrences of `event` that overlap `[from, to)` (start before `to`, end after
/// `from`), in start order: the series' occurrences (RRULE expanded by the `rrule` crate
/// in the event's zone, so local wall time holds across daylight-saving changes, and each
/// one as long in wall time as the first), without the deleted ones, the moved ones at
/// their new time (found by their new time, wherever the original was). At most
/// [`MAX_OCCURRENCES`]; the range may cover at most [`MAX_RANGE_DAYS`] days. Never panics:
/// a stored event whose zone or rule no longer reads is an error.
///
/// The agenda and `calendar.occurrences` call this for each event of a range.
pub fn occurrences(
    event: &CalendarEvent,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> CrmResult<Expansion> {
    check_range(from, to)?;
    let tz = event.tz()?;
    let mut out = Vec::new();
    for key in series_starts(event, tz, from, to)? {
        if event.exception(key).is_some() {
            continue;
        }
        let occurrence = instance(event, tz, key, event.time.starting_at(key), None, false)?;
        if occurrence.start < to && occurrence.end > from {
            out.push(occurrence);
        }
    }
    for e in &event.exceptions {
        if let ExceptionChange::Moved { time, title } = &e.change {
            let occurrence = instance(event, tz, e.original_start, *time, title.clone(), true)?;
            if occurrence.start < to && occurrence.end > from {
                out.push(occurrence);
            }
        }
    }
    out.sort_by_key(|a| (a.start, a.original_start));
    let truncated = out.len() > MAX_OCCURRENCES;
    out.truncate(MAX_OCCURRENCES);
    Ok(Expansion {
        occurrences: out,
        truncated,
    })
}

/// One occurrence at `time` (the series' own or a moved one's).
fn instance(
    event: &CalendarEvent,
    tz: Tz,
    key: NaiveDateTime,
    time: EventTime,
    own_title: Option<String>,
    moved: bool,
) -> CrmResult<Occurrence> {
    let start = local_to_utc(tz, time.local_start())?;
    let end = local_to_utc(tz, time.local_end())?.max(start);
    Ok(Occurrence {
        event_id: event.id,
        original_start: key,
        start,
        end,
        local_start: utc_to_local(tz, start),
        local_end: utc_to_local(tz, end),
        time_zone: event.time_zone.clone(),
        all_day: time.is_all_day(),
        moved,
        title: own_title.unwrap_or_else(|| event.title.clone()),
    })
}

/// The original starts (local wall times) of the series whose occurrences can overlap
/// `[from, to)`: those starting before `to` and after `from` less one occurrence's length
/// (a day's margin each side; the caller decides exactly).
fn series_starts(
    event: &CalendarEvent,
    tz: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> CrmResult<Vec<NaiveDateTime>> {
    let length = event.time.wall_duration();
    let Some(recurrence) = &event.recurrence else {
        return Ok(vec![event.time.local_start()]);
    };
    let set = recurrence.rule_set(&event.time, tz)?;
    let margin = Duration::days(2);
    let (after, before) = if event.time.is_all_day() {
        // Whole days expand as plain dates (UTC midnights): bound by local dates.
        let midnight = |t: DateTime<Utc>| {
            utc_to_local(tz, t)
                .date()
                .and_time(NaiveTime::MIN)
                .and_utc()
        };
        (
            minus(minus(midnight(from), length), margin),
            plus(midnight(to), margin),
        )
    } else {
        (minus(minus(from, length), margin), plus(to, margin))
    };
    let zone = set.get_dt_start().timezone();
    let found = set
        .after(after.with_timezone(&zone))
        .before(before.with_timezone(&zone))
        .all(CRATE_LIMIT);
    Ok(found.dates.iter().map(|d| d.naive_local()).collect())
}

/// Refuses a year events may not have ([`MIN_YEAR`]..=[`MAX_YEAR`]), naming `field`.
pub fn check_year(year: i32, field: &str) -> CrmResult<()> {
    if (MIN_YEAR..=MAX_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(CrmError::validation(
            field,
            format!("the year must be within {MIN_YEAR}..={MAX_YEAR}"),
        ))
    }
}

/// Whether `key` is an original start of the event's series (the event's own start for a
/// one-off event).
pub fn is_occurrence(event: &CalendarEvent, key: NaiveDateTime) -> CrmResult<bool> {
    check_year(key.year(), "original_start")?;
    let Some(recurrence) = &event.recurrence else {
        return Ok(key == event.time.local_start());
    };
    let tz = event.tz()?;
    let set = recurrence.rule_set(&event.time, tz)?;
    let zone = set.get_dt_start().timezone();
    let at = if event.time.is_all_day() {
        key.and_utc()
    } else {
        local_to_utc(tz, key)?
    };
    let found = set
        .after(at.with_timezone(&zone))
        .before(at.with_timezone(&zone))
        .all(2);
    Ok(found.dates.iter().any(|d| d.naive_local() == key))
}

/// How many occurrences of the series start before `key` (at most the rule's `COUNT`).
pub fn count_before(event: &CalendarEvent, key: NaiveDateTime) -> CrmResult<u32> {
    check_year(key.year(), "original_start")?;
    let Some(recurrence) = &event.recurrence else {
        return Ok(u32::from(event.time.local_start() < key));
    };
    let tz = event.tz()?;
    let set = recurrence.rule_set(&event.time, tz)?;
    let zone = set.get_dt_start().timezone();
    let at = if event.time.is_all_day() {
        key.and_utc()
    } else {
        local_to_utc(tz, key)?
    };
    let found = set.before(at.with_timezone(&zone)).all(u16::MAX);
    let before = found.dates.iter().filter(|d| d.naive_local() < key).count();
    Ok(u32::try_from(before).unwrap_or(u32::MAX))
}

/// The end of the series' last occurrence (before exceptions), `None` when it has no end:
/// a one-off event's end, the `COUNT`th occurrence's end, or `UNTIL` plus one occurrence's
/// length (and a day, for whole days read as dates).
pub(crate) fn series_last_end(event: &CalendarEvent, tz: Tz) -> CrmResult<Option<DateTime<Utc>>> {
    let length = event.time.wall_duration();
    let Some(recurrence) = &event.recurrence else {
        return Ok(Some(local_to_utc(tz, event.time.local_end())?));
    };
    match recurrence.bound(event.time.is_all_day())? {
        (Some(count), _) => {
            let set = recurrence.rule_set(&event.time, tz)?;
            let limit = u16::try_from(count).unwrap_or(u16::MAX);
            match set.all(limit).dates.last() {
                Some(last) => Ok(Some(local_to_utc(tz, last.naive_local() + length)?)),
                None => Ok(Some(local_to_utc(tz, event.time.local_end())?)),
            }
        }
        (None, Some(until)) => Ok(Some(until + length + Duration::days(1))),
        (None, None) => Ok(None),
    }
}
