//! The agenda (日程): one list of what a user has on each local day of a range — calendar
//! occurrences, tasks due, planned follow-ups, visits, expected close dates, installments due
//! and contracts expiring (DESIGN §4.9).
//!
//! This module holds the pure part: the item, the range and its bounds in the user's zone,
//! and the one order every agenda is shown in — by local day; within a day the all-day items
//! first, then the timed ones by start. Collecting the items, in the actor's scope, is the
//! service's (`service/agenda.rs`).

use crate::error::{CrmError, CrmResult};
use crate::ids::CustomerId;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The longest range one agenda call covers, in local days.
pub const MAX_AGENDA_DAYS: i64 = 92;

/// What an agenda item is.
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
pub enum AgendaKind {
    /// An occurrence of a calendar event.
    Event,
    /// A task due.
    Task,
    /// A planned field visit.
    Visit,
    /// A customer's planned next follow-up.
    Followup,
    /// An open opportunity's expected close date.
    ExpectedClose,
    /// An installment of a contract's receivable plan falling due.
    InstallmentDue,
    /// An active contract reaching its end date.
    ContractExpiring,
}

impl AgendaKind {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            AgendaKind::Event => "event",
            AgendaKind::Task => "task",
            AgendaKind::Visit => "visit",
            AgendaKind::Followup => "followup",
            AgendaKind::ExpectedClose => "expected_close",
            AgendaKind::InstallmentDue => "installment_due",
            AgendaKind::ContractExpiring => "contract_expiring",
        }
    }
}

impl std::fmt::Display for AgendaKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// When an item happens: at an instant (with an optional end) or on a whole local day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AgendaTime {
    /// From `start` (to `end` when it has one).
    Timed {
        /// Start.
        start: DateTime<Utc>,
        /// End, for events and visits with a window.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        end: Option<DateTime<Utc>>,
    },
    /// The whole local day `date`.
    AllDay {
        /// The date.
        date: NaiveDate,
    },
}

/// One thing on a user's agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AgendaEntry {
    /// What it is.
    pub kind: AgendaKind,
    /// The record it comes from (`calendar_event`, `task`, `visit`, `customer`,
    /// `opportunity`, `contract`).
    pub entity: String,
    /// That record's id.
    pub id: i64,
    /// Which part of the record, where one record gives several items: an occurrence's
    /// original start, an installment's number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The title as the actor may see it (masked or empty under field rules).
    pub title: String,
    /// The local day it falls on, in the agenda's zone.
    pub date: NaiveDate,
    /// When.
    pub time: AgendaTime,
    /// The customer it concerns, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<CustomerId>,
}

impl AgendaEntry {
    fn start(&self) -> Option<DateTime<Utc>> {
        match self.time {
            AgendaTime::Timed { start, .. } => Some(start),
            AgendaTime::AllDay { .. } => None,
        }
    }

    /// The identity that makes an item appear once.
    fn identity(&self) -> (AgendaKind, &str, i64, Option<&str>) {
        (self.kind, &self.entity, self.id, self.key.as_deref())
    }
}

/// A range of local days `from..=to` in a zone, and the instants bounding it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgendaRange {
    /// First local day.
    pub from: NaiveDate,
    /// Last local day (inclusive).
    pub to: NaiveDate,
    /// The zone the days are in.
    pub zone: Tz,
    /// The first instant of `from`.
    pub start: DateTime<Utc>,
    /// The first instant after `to`.
    pub end: DateTime<Utc>,
}

impl AgendaRange {
    /// The range `from..=to` in `zone`; refused when `to` precedes `from` or it spans more
    /// than [`MAX_AGENDA_DAYS`] days.
    pub fn new(from: NaiveDate, to: NaiveDate, zone: Tz) -> CrmResult<Self> {
        crate::calendar::check_year(from.year(), "from")?;
        crate::calendar::check_year(to.year(), "to")?;
        if to < from {
            return Err(CrmError::validation("to", "must not precede `from`"));
        }
        if (to - from).num_days() >= MAX_AGENDA_DAYS {
            return Err(CrmError::validation(
                "to",
                format!("an agenda covers at most {MAX_AGENDA_DAYS} days"),
            ));
        }
        let after = to
            .succ_opt()
            .ok_or_else(|| CrmError::validation("to", "is out of range"))?;
        Ok(Self {
            from,
            to,
            zone,
            start: crate::tenant::local_midnight(zone, from),
            end: crate::tenant::local_midnight(zone, after),
        })
    }

    /// The local day of `at`, when `at` falls inside the range.
    pub fn day_of(&self, at: DateTime<Utc>) -> Option<NaiveDate> {
        (self.start <= at && at < self.end).then(|| at.with_timezone(&self.zone).date_naive())
    }

    /// True when the local day `date` is inside the range.
    pub fn holds(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }

    /// The `YYYY-MM-DD` keys of the first and last day, for filters on date columns.
    pub fn date_keys(&self) -> (String, String) {
        (
            self.from.format("%Y-%m-%d").to_string(),
            self.to.format("%Y-%m-%d").to_string(),
        )
    }

    /// An all-day item on `date`, when the date is inside the range.
    pub fn all_day(&self, date: NaiveDate) -> Option<(NaiveDate, AgendaTime)> {
        self.holds(date)
            .then_some((date, AgendaTime::AllDay { date }))
    }

    /// A timed item from `start`, when `start` falls inside the range.
    pub fn timed(
        &self,
        start: DateTime<Utc>,
        end: Option<DateTime<Utc>>,
    ) -> Option<(NaiveDate, AgendaTime)> {
        self.day_of(start)
            .map(|date| (date, AgendaTime::Timed { start, end }))
    }
}

/// Puts items in the agenda's order and keeps each once: by local day; within a day the
/// all-day items first (by kind, then record), then the timed ones by start (then kind,
/// then record).
pub fn arrange(mut items: Vec<AgendaEntry>) -> Vec<AgendaEntry> {
    items.sort_by(|a, b| {
        (
            a.date,
            a.start().is_some(),
            a.start(),
            a.kind,
            &a.entity,
            a.id,
            &a.key,
        )
            .cmp(&(
                b.date,
                b.start().is_some(),
                b.start(),
                b.kind,
                &b.entity,
                b.id,
                &b.key,
            ))
    });
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let identity = {
            let (k, e, i, key) = item.identity();
            (k, e.to_owned(), i, key.map(str::to_owned))
        };
        if seen.insert(identity) {
            out.push(item);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn shanghai() -> Tz {
        chrono_tz::Asia::Shanghai
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn item(kind: AgendaKind, id: i64, date: NaiveDate, time: AgendaTime) -> AgendaEntry {
        AgendaEntry {
            kind,
            entity: "x".into(),
            id,
            key: None,
            title: String::new(),
            date,
            time,
            customer_id: None,
        }
    }

    #[test]
    fn the_range_is_bounded_by_local_midnights() {
        let r = AgendaRange::new(day(2024, 5, 10), day(2024, 5, 10), shanghai()).unwrap();
        assert_eq!(r.start, Utc.with_ymd_and_hms(2024, 5, 9, 16, 0, 0).unwrap());
        assert_eq!(r.end, Utc.with_ymd_and_hms(2024, 5, 10, 16, 0, 0).unwrap());
        // The local midnight on both sides: the last microsecond of the day before is out,
        // local midnight is in; the day's last instant is in, the next midnight out.
        let before = r.start - chrono::Duration::microseconds(1);
        assert_eq!(r.day_of(before), None);
        assert_eq!(r.day_of(r.start), Some(day(2024, 5, 10)));
        assert_eq!(
            r.day_of(r.end - chrono::Duration::microseconds(1)),
            Some(day(2024, 5, 10))
        );
        assert_eq!(r.day_of(r.end), None);
        assert!(r.holds(day(2024, 5, 10)));
        assert!(!r.holds(day(2024, 5, 11)));
        assert!(!r.holds(day(2024, 5, 9)));
    }

    #[test]
    fn ranges_are_refused_backwards_and_beyond_the_limit() {
        let from = day(2024, 1, 1);
        assert!(AgendaRange::new(
            from,
            from + chrono::Duration::days(MAX_AGENDA_DAYS - 1),
            shanghai()
        )
        .is_ok());
        let too_long = AgendaRange::new(
            from,
            from + chrono::Duration::days(MAX_AGENDA_DAYS),
            shanghai(),
        );
        assert!(matches!(too_long, Err(CrmError::Validation { field, .. }) if field == "to"));
        let backwards = AgendaRange::new(from, day(2023, 12, 31), shanghai());
        assert!(matches!(backwards, Err(CrmError::Validation { field, .. }) if field == "to"));
        // The years calendar events may have, on both sides of each end.
        assert!(AgendaRange::new(day(1900, 1, 1), day(1900, 1, 2), shanghai()).is_ok());
        let early = AgendaRange::new(day(1899, 12, 31), day(1900, 1, 2), shanghai());
        assert!(matches!(early, Err(CrmError::Validation { field, .. }) if field == "from"));
        assert!(AgendaRange::new(day(2199, 12, 30), day(2199, 12, 31), shanghai()).is_ok());
        let late = AgendaRange::new(day(2199, 12, 31), day(2200, 1, 1), shanghai());
        assert!(matches!(late, Err(CrmError::Validation { field, .. }) if field == "to"));
        let far = NaiveDate::MAX;
        assert!(AgendaRange::new(far, far, shanghai()).is_err());
    }

    #[test]
    fn all_day_items_lead_each_day_and_timed_ones_follow_by_start() {
        let d1 = day(2024, 5, 10);
        let d2 = day(2024, 5, 11);
        let at = |h| Utc.with_ymd_and_hms(2024, 5, 10, h, 0, 0).unwrap();
        let items = vec![
            item(
                AgendaKind::Task,
                1,
                d1,
                AgendaTime::Timed {
                    start: at(5),
                    end: None,
                },
            ),
            item(
                AgendaKind::ContractExpiring,
                2,
                d2,
                AgendaTime::AllDay { date: d2 },
            ),
            item(
                AgendaKind::Event,
                3,
                d1,
                AgendaTime::Timed {
                    start: at(1),
                    end: None,
                },
            ),
            item(
                AgendaKind::ExpectedClose,
                4,
                d1,
                AgendaTime::AllDay { date: d1 },
            ),
            item(AgendaKind::Task, 5, d1, AgendaTime::AllDay { date: d1 }),
            // The same item twice (a task its owner also collaborates on) appears once.
            item(
                AgendaKind::Task,
                1,
                d1,
                AgendaTime::Timed {
                    start: at(5),
                    end: None,
                },
            ),
        ];
        let ids: Vec<i64> = arrange(items).iter().map(|i| i.id).collect();
        assert_eq!(ids, vec![5, 4, 3, 1, 2]);
    }

    #[test]
    fn occurrences_of_one_record_are_kept_apart_by_key() {
        let d = day(2024, 5, 10);
        let at = |h| Utc.with_ymd_and_hms(2024, 5, 10, h, 0, 0).unwrap();
        let mut a = item(
            AgendaKind::Event,
            7,
            d,
            AgendaTime::Timed {
                start: at(1),
                end: None,
            },
        );
        a.key = Some("a".into());
        let mut b = a.clone();
        b.key = Some("b".into());
        b.time = AgendaTime::Timed {
            start: at(2),
            end: None,
        };
        assert_eq!(arrange(vec![b, a]).len(), 2);
    }
}
