//! "This and following" (此后所有): a series split at one occurrence into the part before,
//! which now ends there, and a new series from it on, with the edits.

use super::event::CalendarEvent;
use super::expand::{count_before, is_occurrence};
use super::input::EventPatch;
use crate::error::{CrmError, CrmResult};
use crate::ids::{CalendarEventId, UserId};
use chrono::{DateTime, NaiveDateTime, Utc};

/// The two series a split leaves.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// The series before the split occurrence, ending before it (`UNTIL` set, `COUNT`
    /// dropped), with the exceptions of its occurrences.
    pub ended: CalendarEvent,
    /// The new series from the split occurrence on (`id` given, version 1), the patch
    /// applied, with the exceptions of its occurrences (dropped when the patch changes
    /// their starts) and a `COUNT` reduced by the occurrences the first part keeps.
    pub started: CalendarEvent,
}

/// Splits `event` at the occurrence originally starting at `at` (not its first: that is an
/// edit of the whole series) into the part before and a new series `id` with `patch`
/// applied, created `now` by `by`.
pub fn split(
    event: &CalendarEvent,
    at: NaiveDateTime,
    id: CalendarEventId,
    patch: &EventPatch,
    now: DateTime<Utc>,
    by: Option<UserId>,
) -> CrmResult<Split> {
    let Some(recurrence) = &event.recurrence else {
        return Err(CrmError::rule(
            "not_recurring",
            "a one-off event has no following occurrences",
        ));
    };
    if !is_occurrence(event, at)? {
        return Err(CrmError::validation(
            "original_start",
            format!("{at} is not an occurrence of the event"),
        ));
    }
    if at <= event.time.local_start() {
        return Err(CrmError::validation(
            "original_start",
            "the first occurrence: update the event instead",
        ));
    }
    let tz = event.tz()?;
    let kept = count_before(event, at)?;
    let mut ended = event.clone();
    ended.recurrence = Some(recurrence.ended_before(&event.time, tz, at)?);
    ended.exceptions.retain(|e| e.original_start < at);
    ended.updated_at = now;
    super::input::check_schedule(&ended)?;

    let time = event.time.starting_at(at);
    let mut started = event.clone();
    started.id = id;
    started.version = 1;
    started.time = time;
    started.recurrence = Some(recurrence.continued(&event.time, kept)?);
    started.exceptions.retain(|e| e.original_start >= at);
    started.split_from = Some(event.id);
    started.created_by = by;
    started.created_at = now;
    started.updated_at = now;
    super::input::check_schedule(&started)?;
    patch.apply(&mut started)?;
    Ok(Split { ended, started })
}
