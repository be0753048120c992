//! The serde-serializable calendar configuration, as a tenant stores it.

use chrono::{NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::compile::CompiledCalendar;
use crate::error::CrmResult;

/// One working interval in local wall-clock time: `"HH:MM"` or `"HH:MM:SS"`, `"24:00"` allowed
/// as an end. An end before the start (`"22:00"`–`"06:00"`) is an overnight shift that
/// continues into the next date.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkInterval {
    /// Local opening time.
    pub start: String,
    /// Local closing time.
    pub end: String,
}

impl WorkInterval {
    /// An interval from `start` to `end` (local wall-clock strings).
    pub fn new(start: impl Into<String>, end: impl Into<String>) -> Self {
        WorkInterval {
            start: start.into(),
            end: end.into(),
        }
    }
}

/// A local date with its own working intervals instead of its weekday's; no intervals means
/// closed all day.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DateOverride {
    /// The local date overridden.
    pub date: NaiveDate,
    /// Its working intervals (may be empty).
    #[serde(default)]
    pub intervals: Vec<WorkInterval>,
}

/// A business calendar (§4.6): IANA time zone, working intervals per weekday in local time,
/// holidays as local dates, date-specific overrides. See the [module docs](super) for the
/// exact conventions; [`Calendar::compile`] validates it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    /// IANA time zone name, e.g. `Asia/Shanghai`.
    pub time_zone: String,
    /// Monday's working intervals.
    #[serde(default)]
    pub monday: Vec<WorkInterval>,
    /// Tuesday's working intervals.
    #[serde(default)]
    pub tuesday: Vec<WorkInterval>,
    /// Wednesday's working intervals.
    #[serde(default)]
    pub wednesday: Vec<WorkInterval>,
    /// Thursday's working intervals.
    #[serde(default)]
    pub thursday: Vec<WorkInterval>,
    /// Friday's working intervals.
    #[serde(default)]
    pub friday: Vec<WorkInterval>,
    /// Saturday's working intervals.
    #[serde(default)]
    pub saturday: Vec<WorkInterval>,
    /// Sunday's working intervals.
    #[serde(default)]
    pub sunday: Vec<WorkInterval>,
    /// Local dates closed all day.
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
    /// Local dates with their own intervals.
    #[serde(default)]
    pub overrides: Vec<DateOverride>,
}

/// Weekday field names, Monday first (also the validation field names).
pub(super) const WEEKDAY_FIELDS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

impl Calendar {
    /// An empty calendar in `time_zone` (add working intervals before compiling).
    pub fn new(time_zone: impl Into<String>) -> Self {
        Calendar {
            time_zone: time_zone.into(),
            ..Calendar::default()
        }
    }

    /// The intervals configured for `day`.
    pub fn weekday(&self, day: Weekday) -> &[WorkInterval] {
        match day {
            Weekday::Mon => &self.monday,
            Weekday::Tue => &self.tuesday,
            Weekday::Wed => &self.wednesday,
            Weekday::Thu => &self.thursday,
            Weekday::Fri => &self.friday,
            Weekday::Sat => &self.saturday,
            Weekday::Sun => &self.sunday,
        }
    }

    /// Mutable access to the intervals configured for `day`.
    pub fn weekday_mut(&mut self, day: Weekday) -> &mut Vec<WorkInterval> {
        match day {
            Weekday::Mon => &mut self.monday,
            Weekday::Tue => &mut self.tuesday,
            Weekday::Wed => &mut self.wednesday,
            Weekday::Thu => &mut self.thursday,
            Weekday::Fri => &mut self.friday,
            Weekday::Sat => &mut self.saturday,
            Weekday::Sun => &mut self.sunday,
        }
    }

    /// Builder: sets the intervals of each of `days` to `intervals` (`(start, end)` pairs).
    pub fn with_days(mut self, days: &[Weekday], intervals: &[(&str, &str)]) -> Self {
        for &day in days {
            *self.weekday_mut(day) = intervals
                .iter()
                .map(|&(s, e)| WorkInterval::new(s, e))
                .collect();
        }
        self
    }

    /// Builder: Monday to Friday with `intervals`.
    pub fn with_weekdays(self, intervals: &[(&str, &str)]) -> Self {
        use Weekday::*;
        self.with_days(&[Mon, Tue, Wed, Thu, Fri], intervals)
    }

    /// Builder: adds a holiday.
    pub fn with_holiday(mut self, date: NaiveDate) -> Self {
        self.holidays.push(date);
        self
    }

    /// Builder: adds an override of `date` with `intervals` (empty = closed).
    pub fn with_override(mut self, date: NaiveDate, intervals: &[(&str, &str)]) -> Self {
        self.overrides.push(DateOverride {
            date,
            intervals: intervals
                .iter()
                .map(|&(s, e)| WorkInterval::new(s, e))
                .collect(),
        });
        self
    }

    /// Validates the calendar; errors name the field (`calendar.monday[1].end`,
    /// `calendar.time_zone`, …).
    pub fn validate(&self) -> CrmResult<()> {
        self.compile().map(|_| ())
    }

    /// Validates and compiles the calendar for arithmetic.
    pub fn compile(&self) -> CrmResult<CompiledCalendar> {
        CompiledCalendar::new(self)
    }
}
