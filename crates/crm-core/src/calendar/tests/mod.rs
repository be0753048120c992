//! The expansion rules on plain data: month ends (CL1, CL2), daylight-saving changes in two
//! zones both ways, exceptions, splits, BYDAY/COUNT/UNTIL and bounds.

mod month_end;
mod series;
mod zones;

use super::*;
use crate::error::CrmError;
use crate::ids::{CalendarEventId, TenantId, UserId};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

pub(super) fn at(s: &str) -> NaiveDateTime {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

pub(super) fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

pub(super) fn day(s: &str) -> NaiveDate {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

pub(super) fn event(time: EventTime, zone: &str, rule: Option<(&str, MonthEnd)>) -> CalendarEvent {
    let now = utc("2024-01-01T00:00:00Z");
    CalendarEvent {
        tenant: TenantId(1),
        id: CalendarEventId(7),
        version: 1,
        title: "standup".into(),
        time,
        time_zone: zone.into(),
        owner_id: UserId(12),
        attendees: vec![],
        links: EventLinks::default(),
        location: None,
        recurrence: rule.map(|(r, m)| Recurrence {
            rule: r.into(),
            month_end: m,
        }),
        exceptions: vec![],
        split_from: None,
        created_by: None,
        created_at: now,
        updated_at: now,
    }
}

pub(super) fn timed(start: &str, end: &str) -> EventTime {
    EventTime::Timed {
        start: at(start),
        end: at(end),
    }
}

pub(super) fn all_day(start: &str, end: &str) -> EventTime {
    EventTime::AllDay {
        start: day(start),
        end: day(end),
    }
}

pub(super) fn expand(e: &CalendarEvent, from: &str, to: &str) -> Vec<Occurrence> {
    occurrences(e, utc(from), utc(to))
        .unwrap_or_else(|err| panic!("{err}"))
        .occurrences
}

pub(super) fn local_days(e: &CalendarEvent, from: &str, to: &str) -> Vec<String> {
    expand(e, from, to)
        .iter()
        .map(|o| o.local_start.date().to_string())
        .collect()
}

pub(super) fn starts(e: &CalendarEvent, from: &str, to: &str) -> Vec<String> {
    expand(e, from, to)
        .iter()
        .map(|o| o.start.to_rfc3339())
        .collect()
}

pub(super) fn monthly(first: &str, rule: &str, mode: MonthEnd) -> CalendarEvent {
    event(all_day(first, first), "Asia/Shanghai", Some((rule, mode)))
}
