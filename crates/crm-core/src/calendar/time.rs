//! When an event takes place: local wall times in the event's IANA zone, or whole days,
//! and the one rule that turns a local wall time into an instant (gaps and overlaps of
//! daylight-saving changes included).

use crate::error::{CrmError, CrmResult};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Earliest year an event (or a moved occurrence) may start or end in.
pub const MIN_YEAR: i32 = 1900;
/// Latest year an event (or a moved occurrence) may start or end in.
pub const MAX_YEAR: i32 = 2199;
/// Longest event, in days (one occurrence, start to end).
pub const MAX_EVENT_DAYS: i64 = 366;

/// When an event, or one moved occurrence of it, takes place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventTime {
    /// From `start` to `end`, local wall times in the event's time zone; `end` is after
    /// `start`. A weekly 09:00 stays 09:00 local across daylight-saving changes.
    Timed {
        /// Local start (`2024-03-04T09:00:00`).
        start: NaiveDateTime,
        /// Local end, after the start.
        end: NaiveDateTime,
    },
    /// Whole days in the event's time zone, `start` through `end` (the last day, included;
    /// equal for a one-day event).
    AllDay {
        /// First day.
        start: NaiveDate,
        /// Last day (not before the first).
        end: NaiveDate,
    },
}

impl EventTime {
    /// Whether it is whole days.
    pub fn is_all_day(&self) -> bool {
        matches!(self, EventTime::AllDay { .. })
    }

    /// The local wall time it starts at (midnight for whole days): the key of an
    /// occurrence.
    pub fn local_start(&self) -> NaiveDateTime {
        match self {
            EventTime::Timed { start, .. } => *start,
            EventTime::AllDay { start, .. } => start.and_time(NaiveTime::MIN),
        }
    }

    /// The local wall time it ends at (for whole days, midnight after the last day).
    pub fn local_end(&self) -> NaiveDateTime {
        self.local_start() + self.wall_duration()
    }

    /// Its length in wall-clock time (whole days for all-day events).
    pub fn wall_duration(&self) -> Duration {
        match self {
            EventTime::Timed { start, end } => *end - *start,
            EventTime::AllDay { start, end } => (*end - *start) + Duration::days(1),
        }
    }

    /// Refuses an end not after the start (an all-day end before its start), a length over
    /// [`MAX_EVENT_DAYS`] and years outside [`MIN_YEAR`]..=[`MAX_YEAR`]; errors name
    /// `<field>.start` or `<field>.end`.
    pub fn validate(&self, field: &str) -> CrmResult<()> {
        let name = |part: &str| {
            if field.is_empty() {
                part.to_owned()
            } else {
                format!("{field}.{part}")
            }
        };
        let (start_year, end_year) = match self {
            EventTime::Timed { start, end } => (start.year(), end.year()),
            EventTime::AllDay { start, end } => (start.year(), end.year()),
        };
        for (part, year) in [("start", start_year), ("end", end_year)] {
            if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
                return Err(CrmError::validation(
                    name(part),
                    format!("the year must be within {MIN_YEAR}..={MAX_YEAR}"),
                ));
            }
        }
        match self {
            EventTime::Timed { start, end } if end <= start => {
                return Err(CrmError::validation(name("end"), "must be after the start"))
            }
            EventTime::AllDay { start, end } if end < start => {
                return Err(CrmError::validation(
                    name("end"),
                    "must not be before the first day",
                ))
            }
            _ => {}
        }
        if self.wall_duration() > Duration::days(MAX_EVENT_DAYS) {
            return Err(CrmError::validation(
                name("end"),
                format!("an event lasts at most {MAX_EVENT_DAYS} days"),
            ));
        }
        Ok(())
    }

    /// The same length starting at another local wall time (of the same kind).
    pub fn starting_at(&self, local_start: NaiveDateTime) -> EventTime {
        match self {
            EventTime::Timed { start, end } => EventTime::Timed {
                start: local_start,
                end: local_start + (*end - *start),
            },
            EventTime::AllDay { start, end } => {
                let first = local_start.date();
                EventTime::AllDay {
                    start: first,
                    end: first + (*end - *start),
                }
            }
        }
    }
}

/// An IANA time zone by name, or a validation error naming `field`.
pub fn zone(name: &str, field: &str) -> CrmResult<Tz> {
    name.parse::<Tz>().map_err(|_| {
        CrmError::validation(
            field,
            format!("unknown IANA time zone {}", crate::validate::quote(name)),
        )
    })
}

/// The instant a local wall time names in `tz`: the earlier one when the clock is set
/// back and the time happens twice; when it is set forward and the time does not happen,
/// the instant as many minutes after the gap as the time is after the gap's start (02:30
/// in New York on the spring change is 03:30 daylight time), as the recurrence expansion
/// does.
pub fn local_to_utc(tz: Tz, local: NaiveDateTime) -> CrmResult<DateTime<Utc>> {
    if let Some(t) = tz.from_local_datetime(&local).earliest() {
        return Ok(t.with_timezone(&Utc));
    }
    // In a gap: the offset in force a day before (before the change) applies.
    let before = local
        .checked_sub_signed(Duration::days(1))
        .and_then(|b| tz.offset_from_local_datetime(&b).earliest());
    match before {
        Some(offset) => {
            let fixed = chrono::Offset::fix(&offset);
            let utc = local - Duration::seconds(i64::from(fixed.local_minus_utc()));
            Ok(Utc.from_utc_datetime(&utc))
        }
        None => Err(CrmError::validation(
            "time_zone",
            format!("{} has no instant in {}", local, tz.name()),
        )),
    }
}

/// The local wall time of an instant in `tz`.
pub fn utc_to_local(tz: Tz, at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&tz).naive_local()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn gaps_move_forward_and_overlaps_take_the_earlier_instant() {
        let ny = chrono_tz::America::New_York;
        // 2024-03-10 02:30 does not happen in New York: 03:30 EDT = 07:30Z.
        let gap = local_to_utc(ny, at("2024-03-10T02:30:00")).unwrap_or_default();
        assert_eq!(gap.to_rfc3339(), "2024-03-10T07:30:00+00:00");
        // 2024-11-03 01:30 happens twice: the first (EDT) = 05:30Z.
        let twice = local_to_utc(ny, at("2024-11-03T01:30:00")).unwrap_or_default();
        assert_eq!(twice.to_rfc3339(), "2024-11-03T05:30:00+00:00");
        // An ordinary time.
        let plain = local_to_utc(ny, at("2024-03-11T09:00:00")).unwrap_or_default();
        assert_eq!(plain.to_rfc3339(), "2024-03-11T13:00:00+00:00");
    }

    #[test]
    fn times_are_checked_on_both_sides_of_each_bound() {
        let timed = |s: &str, e: &str| EventTime::Timed {
            start: at(s),
            end: at(e),
        };
        assert!(timed("2024-01-01T09:00:00", "2024-01-01T09:01:00")
            .validate("time")
            .is_ok());
        let same = timed("2024-01-01T09:00:00", "2024-01-01T09:00:00").validate("time");
        assert!(matches!(same, Err(CrmError::Validation { field, .. }) if field == "time.end"));
        let before = timed("2024-01-01T09:00:00", "2024-01-01T08:00:00").validate("");
        assert!(matches!(before, Err(CrmError::Validation { field, .. }) if field == "end"));
        let day = |s: &str, e: &str| EventTime::AllDay {
            start: s.parse().unwrap_or_default(),
            end: e.parse().unwrap_or_default(),
        };
        assert!(day("2024-01-01", "2024-01-01").validate("time").is_ok());
        assert!(day("2024-01-02", "2024-01-01").validate("time").is_err());
        assert!(day("2023-01-01", "2024-01-01").validate("time").is_ok());
        assert!(day("2023-01-01", "2024-01-02").validate("time").is_err());
        assert!(day("1900-01-01", "1900-01-01").validate("time").is_ok());
        assert!(day("1899-12-31", "1900-01-01").validate("time").is_err());
        assert!(day("2199-12-31", "2199-12-31").validate("time").is_ok());
        assert!(day("2199-12-31", "2200-01-01").validate("time").is_err());
        assert_eq!(
            day("2024-02-28", "2024-03-01").wall_duration(),
            Duration::days(3)
        );
    }
}
