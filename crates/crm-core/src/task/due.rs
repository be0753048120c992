//! When a task is due, and which bucket (overdue / today / planned) it falls in for its
//! owner. Both are read in one time zone: the owner's (`org::User::time_zone`), default the
//! tenant's.
//!
//! A due instant is overdue from that instant on. An all-day due (a local date) is due by
//! the end of that day: it is overdue once the owner's local day is over, and its
//! reminders count back from the start of that day.

use crate::error::{CrmError, CrmResult};
use crate::tenant::local_midnight;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// When a task is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Due {
    /// At an instant.
    At {
        /// The instant.
        at: DateTime<Utc>,
    },
    /// On a local date, all day (the owner's time zone).
    AllDay {
        /// The date.
        date: NaiveDate,
    },
}

impl Due {
    /// The instant from which the task is overdue: the due instant, or the end of the
    /// all-day date in `tz`. Refuses a date whose next day is out of range (`field`).
    pub fn deadline(&self, tz: Tz, field: &str) -> CrmResult<DateTime<Utc>> {
        match *self {
            Due::At { at } => Ok(crate::clock::truncate_micros(at)),
            Due::AllDay { date } => {
                let next = date
                    .succ_opt()
                    .ok_or_else(|| CrmError::validation(field, "is out of range"))?;
                Ok(local_midnight(tz, next))
            }
        }
    }

    /// The instant reminders count back from: the due instant, or the start of the all-day
    /// date in `tz`.
    pub fn anchor(&self, tz: Tz) -> DateTime<Utc> {
        match *self {
            Due::At { at } => crate::clock::truncate_micros(at),
            Due::AllDay { date } => local_midnight(tz, date),
        }
    }

    /// The local date the task is due on, in `tz`.
    pub fn local_date(&self, tz: Tz) -> NaiveDate {
        match *self {
            Due::At { at } => at.with_timezone(&tz).date_naive(),
            Due::AllDay { date } => date,
        }
    }
}

/// Where an open task stands for its owner.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TaskBucket {
    /// Past its deadline.
    Overdue,
    /// Due later on the owner's current local day.
    Today,
    /// Due on a later local day.
    Planned,
}

impl TaskBucket {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskBucket::Overdue => "overdue",
            TaskBucket::Today => "today",
            TaskBucket::Planned => "planned",
        }
    }

    /// The bucket of a task due `due` (deadline `deadline`) at `now` in `tz`.
    pub fn of(due: &Due, deadline: DateTime<Utc>, now: DateTime<Utc>, tz: Tz) -> TaskBucket {
        if now >= deadline {
            TaskBucket::Overdue
        } else if due.local_date(tz) <= now.with_timezone(&tz).date_naive() {
            TaskBucket::Today
        } else {
            TaskBucket::Planned
        }
    }
}

/// A time zone by IANA name; errors name `field`.
pub fn parse_zone(name: &str, field: &str) -> CrmResult<Tz> {
    name.parse::<Tz>().map_err(|_| {
        CrmError::validation(
            field,
            format!("unknown time zone {}", crate::validate::quote(name)),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .expect("instant")
    }

    fn bucket_at(now: DateTime<Utc>) -> TaskBucket {
        let due = Due::AllDay {
            date: NaiveDate::from_ymd_opt(2024, 5, 10).expect("date"),
        };
        let tz = chrono_tz::Asia::Shanghai;
        TaskBucket::of(&due, due.deadline(tz, "due").expect("deadline"), now, tz)
    }

    #[test]
    fn tk1_tk2_all_day_buckets_in_the_owners_zone() {
        assert_eq!(bucket_at(at(2024, 5, 9, 17, 0)), TaskBucket::Today);
        assert_eq!(bucket_at(at(2024, 5, 9, 15, 59)), TaskBucket::Planned);
        // The local day ends at 2024-05-10T16:00Z.
        assert_eq!(bucket_at(at(2024, 5, 10, 15, 59)), TaskBucket::Today);
        assert_eq!(bucket_at(at(2024, 5, 10, 16, 0)), TaskBucket::Overdue);
    }

    #[test]
    fn an_instant_is_overdue_from_that_instant() {
        let tz = chrono_tz::Asia::Shanghai;
        let due = Due::At {
            at: at(2024, 5, 10, 6, 0),
        };
        let deadline = due.deadline(tz, "due").expect("deadline");
        let b = |now| TaskBucket::of(&due, deadline, now, tz);
        assert_eq!(b(at(2024, 5, 9, 15, 59)), TaskBucket::Planned);
        assert_eq!(b(at(2024, 5, 9, 16, 0)), TaskBucket::Today);
        assert_eq!(b(at(2024, 5, 10, 5, 59)), TaskBucket::Today);
        assert_eq!(b(at(2024, 5, 10, 6, 0)), TaskBucket::Overdue);
    }

    #[test]
    fn anchors_and_zones() {
        let tz = chrono_tz::Asia::Shanghai;
        let due = Due::AllDay {
            date: NaiveDate::from_ymd_opt(2024, 5, 10).expect("date"),
        };
        assert_eq!(due.anchor(tz), at(2024, 5, 9, 16, 0));
        assert!(parse_zone("Asia/Shanghai", "time_zone").is_ok());
        assert!(matches!(
            parse_zone("Mars/Olympus", "time_zone"),
            Err(CrmError::Validation { field, .. }) if field == "time_zone"
        ));
        let last = Due::AllDay {
            date: NaiveDate::MAX,
        };
        assert!(last.deadline(tz, "due").is_err());
    }
}
