//! `calendar.*`: calendar events (日历) — one-off or recurring events with attendees and
//! links, their occurrences in a range, single-occurrence exceptions and "this and
//! following" splits.

use super::{facet, operation};
pub use crate::calendar::{EventInput, EventLinks, EventPatch, EventTime, MonthEnd, Recurrence};
use crate::ids::{CalendarEventId, UserId};
pub use crate::service::CalendarEventFilter;
use crate::service::{CalendarEventDeleted, CalendarSplit, OccurrenceList, Page, UserAgenda};
use crate::view::VisibleJson;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

facet!(
    /// Calendar (日历): events, their occurrences, exceptions and splits.
    calendar -> CalendarOps {
        create_event: CreateCalendarEvent,
        get_event: GetCalendarEvent,
        update_event: UpdateCalendarEvent,
        delete_event: DeleteCalendarEvent,
        list_events: CalendarEventFilter,
        occurrences: CalendarOccurrences,
        delete_occurrence: DeleteCalendarOccurrence,
        move_occurrence: MoveCalendarOccurrence,
        split: SplitCalendarSeries,
        agenda: CalendarAgenda,
    }
);

/// Creates a calendar event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCalendarEvent {
    /// The event's fields.
    pub event: EventInput,
    /// Its owner (default: the acting user; the system actor names one).
    #[serde(default)]
    pub owner_id: Option<UserId>,
}

operation!(CreateCalendarEvent, "calendar.create_event", Calendar, Create, VisibleJson,
    "Creates an event owned by the given user (in the actor's calendar scope) or the actor: a title, a time (local start and end in the event's IANA zone, default the tenant's, or whole days), attendees (active users), links (lead, customer, contact, opportunity, contract, ticket: existing records), a location and an optional RRULE recurrence (DAILY/WEEKLY/MONTHLY/YEARLY with INTERVAL, COUNT or UNTIL, BYDAY, BYMONTHDAY, BYMONTH, WKST) with its month-end option (rfc or clamp). A rule the rrule crate refuses, or an end not after the start, is refused naming the field; nothing is written.",
    |crm, actor, r| crm.create_calendar_event(actor, r.event, r.owner_id));

/// Reads one calendar event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetCalendarEvent {
    /// The event.
    pub id: CalendarEventId,
}

operation!(GetCalendarEvent, "calendar.get_event", Calendar, Read, VisibleJson,
    "One event as the actor may see it: readable by those whose calendar scope reaches its owner and by its attendees; any other is not found.",
    |crm, actor, r| crm.get_calendar_event(actor, r.id));

/// Changes the given fields of a calendar event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCalendarEvent {
    /// The event.
    pub id: CalendarEventId,
    /// The fields to write; absent ones are kept.
    pub patch: EventPatch,
}

operation!(UpdateCalendarEvent, "calendar.update_event", Calendar, Update, VisibleJson,
    "Writes the given fields of an event the actor's calendar scope reaches for update (attendees read, they do not edit). Changing when occurrences start (the start, all-day or not, the zone or the recurrence) drops the exceptions of single occurrences.",
    |crm, actor, r| crm.update_calendar_event(actor, r.id, r.patch));

/// Deletes a calendar event (the whole series).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteCalendarEvent {
    /// The event.
    pub id: CalendarEventId,
}

operation!(DeleteCalendarEvent, "calendar.delete_event", Calendar, Delete, CalendarEventDeleted,
    "Deletes an event, the whole series, with its attendees; audited, with a CalendarEventDeleted event.",
    |crm, actor, r| crm.delete_calendar_event(actor, r.id));

operation!(CalendarEventFilter, "calendar.list_events", Calendar, Read, Page<VisibleJson>,
    "Events the actor reads (their calendar scope reaches the owner, or they attend), oldest first, optionally of one owner, a page at a time.",
    |crm, actor, r| crm.list_calendar_events(actor, r));

/// The occurrences of a user's events in a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarOccurrences {
    /// Whose events: those they own or attend (default: the actor).
    #[serde(default)]
    pub user_id: Option<UserId>,
    /// Range start (occurrences ending after it).
    pub from: DateTime<Utc>,
    /// Range end (occurrences starting before it); at most 366 days after `from`.
    pub to: DateTime<Utc>,
}

operation!(CalendarOccurrences, "calendar.occurrences", Calendar, Read, OccurrenceList,
    "The occurrences in [from, to) of the events the user owns or attends that the actor reads, in start order: each with its event, original start (the key of single-occurrence changes), start and end in UTC and in the event's local time, all-day, moved and title. Recurrences keep their local wall time across daylight-saving changes; deleted occurrences are left out, moved ones are at their new time. At most 1000 (truncated says more exist); a range of at most 366 days.",
    |crm, actor, r| crm.calendar_occurrences(actor, r.user_id, r.from, r.to));

/// Deletes one occurrence of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteCalendarOccurrence {
    /// The event (a series).
    pub id: CalendarEventId,
    /// The occurrence's original start, local wall time in the event's zone.
    pub original_start: NaiveDateTime,
}

operation!(DeleteCalendarOccurrence, "calendar.delete_occurrence", Calendar, Update, VisibleJson,
    "Deletes one occurrence of a series, keyed by its original start (local wall time); one that is not an occurrence is refused. Answers the event with its exceptions.",
    |crm, actor, r| crm.delete_calendar_occurrence(actor, r.id, r.original_start));

/// Moves one occurrence of a series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveCalendarOccurrence {
    /// The event (a series).
    pub id: CalendarEventId,
    /// The occurrence's original start, local wall time in the event's zone.
    pub original_start: NaiveDateTime,
    /// Its new time, of the event's kind (timed or all-day).
    pub time: EventTime,
    /// Its own title (none: the event's).
    #[serde(default)]
    pub title: Option<String>,
}

operation!(MoveCalendarOccurrence, "calendar.move_occurrence", Calendar, Update, VisibleJson,
    "Moves one occurrence of a series (keyed by its original start) to a new time, maybe under its own title; moved back to its original time without a title it is an ordinary occurrence again. Answers the event with its exceptions.",
    |crm, actor, r| crm.move_calendar_occurrence(actor, r.id, r.original_start, r.time, r.title));

/// Splits a series at one occurrence ("this and following").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitCalendarSeries {
    /// The event (a series).
    pub id: CalendarEventId,
    /// The first occurrence to change (not the series' first), by original start.
    pub original_start: NaiveDateTime,
    /// The edits of that occurrence and the following ones.
    #[serde(default)]
    pub patch: EventPatch,
}

operation!(SplitCalendarSeries, "calendar.split", Calendar, Update, CalendarSplit,
    "This and following: the series ends before the given occurrence (UNTIL set, COUNT dropped) and a new series with the patch applied starts at it (COUNT reduced by the occurrences kept); exceptions go with the occurrences they belong to. Answers both series.",
    |crm, actor, r| crm.split_calendar_series(actor, r.id, r.original_start, r.patch));

/// A user's agenda (日程) over local days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarAgenda {
    /// Whose agenda (default: the actor; the system actor names one).
    #[serde(default)]
    pub user_id: Option<UserId>,
    /// First local day, in the user's time zone (else the tenant's).
    pub from: NaiveDate,
    /// Last local day (inclusive); at most 92 days from `from`.
    pub to: NaiveDate,
}

operation!(CalendarAgenda, "calendar.agenda", Calendar, Read, UserAgenda,
    "The user's agenda over the local days from..=to in their time zone (else the tenant's): occurrences of the events they own or attend, their open tasks due (owned or collaborated on), their visits (not cancelled), their customers' planned follow-ups, their open opportunities' expected close dates, their contracts' installments due and active contracts ending. Each source is read in the actor's scope of its own module (one the actor may not read adds nothing) and titles under the actor's list field rules; each item once; sorted by local day, the all-day items of each day first, then by start.",
    |crm, actor, r| crm.user_agenda(actor, r.user_id, r.from, r.to));
