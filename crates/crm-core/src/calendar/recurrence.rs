//! Recurrence (重复): an RFC 5545 RRULE parsed, checked and expanded by the `rrule` crate,
//! with the tenant-visible month-end option and the rewrites a "this and following" split
//! needs. See `docs/adr/0024-calendar-events.md`.

use super::time::{local_to_utc, EventTime};
use crate::error::{CrmError, CrmResult};
use chrono::{DateTime, Datelike, Month, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use rrule::{Frequency, NWeekday, RRule, RRuleSet, Unvalidated};
use serde::{Deserialize, Serialize};

/// The field recurrence errors name.
pub const FIELD: &str = "recurrence";
/// Most occurrences a `COUNT` may ask for.
pub const MAX_COUNT: u32 = 5000;
/// Longest RRULE text accepted.
pub const MAX_RULE_CHARS: usize = 500;

/// What a monthly (or yearly) rule on a day some months lack does in those months.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MonthEnd {
    /// RFC 5545: a month without the day has no occurrence (the 31st skips April).
    #[default]
    Rfc,
    /// The month's last day takes its place (the 31st falls on April 30 and February 28
    /// or 29).
    Clamp,
}

impl MonthEnd {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            MonthEnd::Rfc => "rfc",
            MonthEnd::Clamp => "clamp",
        }
    }
}

/// How an event repeats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Recurrence {
    /// The RRULE value (`FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10`, an optional `RRULE:` prefix is
    /// dropped): `FREQ` DAILY, WEEKLY, MONTHLY or YEARLY with `INTERVAL`, `COUNT` (at most
    /// 5000) or `UNTIL` (UTC, `…Z`; a date for all-day events), `BYDAY`, `BYMONTHDAY`,
    /// `BYMONTH`, `WKST`. Other parts are refused.
    pub rule: String,
    /// Months without the rule's day: `rfc` (skipped, the default) or `clamp` (the last
    /// day).
    #[serde(default)]
    pub month_end: MonthEnd,
}

/// The rule parts accepted.
const PARTS: &[&str] = &[
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYDAY",
    "BYMONTHDAY",
    "BYMONTH",
    "WKST",
];

fn refused(reason: impl Into<String>) -> CrmError {
    CrmError::validation(FIELD, reason)
}

/// The crate's refusal, as a reason (its message quotes the rule part at fault).
fn crate_refused(e: rrule::RRuleError) -> CrmError {
    // The crate quotes the part at fault; keep the reason short whatever the input.
    refused(format!(
        "not a valid RRULE: {}",
        crate::validate::truncate(&e.to_string(), 120)
    ))
}

impl Recurrence {
    /// The rule text without its optional `RRULE:` prefix, trimmed.
    fn text(&self) -> &str {
        let t = self.rule.trim();
        t.strip_prefix("RRULE:").unwrap_or(t)
    }

    /// The rule as the crate reads it, with only the accepted parts and frequencies; for
    /// an all-day event a date-only `UNTIL` means the end of that day.
    fn parse(&self, all_day: bool) -> CrmResult<RRule<Unvalidated>> {
        let text = self.text();
        if text.chars().count() > MAX_RULE_CHARS {
            return Err(refused(format!("longer than {MAX_RULE_CHARS} characters")));
        }
        let mut parts = Vec::new();
        for part in text.split(';') {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            let key = key.trim().to_ascii_uppercase();
            if !PARTS.contains(&key.as_str()) {
                return Err(refused(format!(
                    "{} is not supported (FREQ, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH, WKST)",
                    crate::validate::quote(&key)
                )));
            }
            let value = value.trim();
            if key == "UNTIL"
                && all_day
                && value.len() == 8
                && value.bytes().all(|b| b.is_ascii_digit())
            {
                parts.push(format!("UNTIL={value}T235959Z"));
            } else {
                parts.push(format!("{key}={value}"));
            }
        }
        let rule: RRule<Unvalidated> = parts.join(";").parse().map_err(crate_refused)?;
        if !matches!(
            rule.get_freq(),
            Frequency::Daily | Frequency::Weekly | Frequency::Monthly | Frequency::Yearly
        ) {
            return Err(refused("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY"));
        }
        if rule.get_interval() == 0 {
            return Err(refused("INTERVAL must be at least 1"));
        }
        match rule.get_count() {
            Some(0) => return Err(refused("COUNT must be at least 1")),
            Some(n) if n > MAX_COUNT => {
                return Err(refused(format!("COUNT is at most {MAX_COUNT}")))
            }
            _ => {}
        }
        if rule.get_count().is_some() && rule.get_until().is_some() {
            return Err(refused("COUNT and UNTIL exclude each other"));
        }
        Ok(rule)
    }

    /// Checks the rule against the event's start (the crate validates it there) and the
    /// month-end option; nothing else is needed to expand it.
    pub fn validate(&self, time: &EventTime, tz: Tz) -> CrmResult<()> {
        self.rule_set(time, tz).map(|_| ())
    }

    /// The crate's rule set: the rule (rewritten for `clamp`) from the event's start, in
    /// the event's zone (whole days in UTC, where they are plain dates).
    pub(crate) fn rule_set(&self, time: &EventTime, tz: Tz) -> CrmResult<RRuleSet> {
        let all_day = time.is_all_day();
        let mut rule = self.parse(all_day)?;
        let start = expansion_start(time, tz)?;
        if self.month_end == MonthEnd::Clamp {
            rule = clamped(rule, time.local_start().date())?;
        }
        let rule = rule.validate(start).map_err(crate_refused)?;
        Ok(RRuleSet::new(start).rrule(rule))
    }

    /// The rule of the part of a series before a split at `split_at`: `COUNT` dropped and
    /// `UNTIL` just before the split, the days the old start implied written out.
    pub fn ended_before(
        &self,
        time: &EventTime,
        tz: Tz,
        split_at: NaiveDateTime,
    ) -> CrmResult<Recurrence> {
        let rule = explicit(self.parse(time.is_all_day())?, time.local_start().date());
        let until = if time.is_all_day() {
            // Whole days expand in UTC as plain dates: the day before, at its end.
            let day = split_at.date().pred_opt().unwrap_or(split_at.date());
            day.and_hms_opt(23, 59, 59)
                .map(|t| t.and_utc())
                .ok_or_else(|| refused("no day before the split"))?
        } else {
            local_to_utc(tz, split_at)? - chrono::Duration::seconds(1)
        };
        let rule = copy_rule(&rule, None, Some(until.with_timezone(&rrule::Tz::UTC)));
        Ok(Recurrence {
            rule: rule.to_string(),
            month_end: self.month_end,
        })
    }

    /// The rule of the part of a series from a split on: the same rule with the days the
    /// old start implied written out, and `COUNT` reduced by the `before` occurrences the
    /// old part keeps.
    pub fn continued(&self, time: &EventTime, before: u32) -> CrmResult<Recurrence> {
        let rule = explicit(self.parse(time.is_all_day())?, time.local_start().date());
        let count = rule.get_count().map(|c| c.saturating_sub(before).max(1));
        let until = rule.get_until().cloned();
        Ok(Recurrence {
            rule: copy_rule(&rule, count, until).to_string(),
            month_end: self.month_end,
        })
    }

    /// The rule's `COUNT` or `UNTIL`, as the crate read it (for the series' last end).
    pub(crate) fn bound(&self, all_day: bool) -> CrmResult<(Option<u32>, Option<DateTime<Utc>>)> {
        let rule = self.parse(all_day)?;
        Ok((
            rule.get_count(),
            rule.get_until().map(|u| u.with_timezone(&Utc)),
        ))
    }
}

/// The first occurrence's start as the crate takes it: local wall time in the event's
/// zone, or the first day at UTC midnight for whole days.
pub(crate) fn expansion_start(time: &EventTime, tz: Tz) -> CrmResult<DateTime<rrule::Tz>> {
    if time.is_all_day() {
        Ok(time.local_start().and_utc().with_timezone(&rrule::Tz::UTC))
    } else {
        Ok(local_to_utc(tz, time.local_start())?.with_timezone(&rrule::Tz::Tz(tz)))
    }
}

/// The rule with the month day (monthly, yearly) and weekday (weekly) its start implied
/// written out, so a series continued from a later start keeps the same days.
fn explicit(rule: RRule<Unvalidated>, first: NaiveDate) -> RRule<Unvalidated> {
    let day = i8::try_from(first.day()).unwrap_or(1);
    let by_day_empty = rule.get_by_weekday().is_empty() && rule.get_by_month_day().is_empty();
    match rule.get_freq() {
        Frequency::Monthly if by_day_empty => rule.by_month_day(vec![day]),
        Frequency::Yearly if by_day_empty => {
            let month = Month::try_from(u8::try_from(first.month()).unwrap_or(1)).ok();
            let rule = rule.by_month_day(vec![day]);
            match (rule.get_by_month().is_empty(), month) {
                (true, Some(m)) => rule.by_month(&[m]),
                _ => rule,
            }
        }
        Frequency::Weekly if rule.get_by_weekday().is_empty() => {
            rule.by_weekday(vec![NWeekday::Every(first.weekday())])
        }
        _ => rule,
    }
}

/// A copy of `rule` with another `COUNT` and `UNTIL` (the crate's builder cannot unset
/// either).
fn copy_rule(
    rule: &RRule<Unvalidated>,
    count: Option<u32>,
    until: Option<DateTime<rrule::Tz>>,
) -> RRule<Unvalidated> {
    let months: Vec<Month> = rule
        .get_by_month()
        .iter()
        .filter_map(|m| Month::try_from(*m).ok())
        .collect();
    let mut out = RRule::new(rule.get_freq())
        .interval(rule.get_interval())
        .week_start(rule.get_week_start())
        .by_month(&months)
        .by_month_day(rule.get_by_month_day().to_vec())
        .by_weekday(rule.get_by_weekday().to_vec());
    if let Some(c) = count {
        out = out.count(c);
    }
    if let Some(u) = until {
        out = out.until(u);
    }
    out
}

/// `clamp` as a rule the crate expands: one month day `d` past the 28th becomes "the
/// last of the days 28..=d the month has" (`BYMONTHDAY=28,…,d;BYSETPOS=-1`), which is `d`
/// where the month has it and the month's last day where it does not. It applies to
/// monthly rules and yearly ones in at most one month, on one month day and no weekday;
/// a rule on days every month has is left as it is.
fn clamped(rule: RRule<Unvalidated>, first: NaiveDate) -> CrmResult<RRule<Unvalidated>> {
    let freq = rule.get_freq();
    if !matches!(freq, Frequency::Monthly | Frequency::Yearly) {
        return Ok(rule);
    }
    let days = rule.get_by_month_day().to_vec();
    let day = match days.as_slice() {
        [] if rule.get_by_weekday().is_empty() => i8::try_from(first.day()).unwrap_or(1),
        [] => return Ok(rule),
        [d] => *d,
        many => {
            if many.iter().all(|d| (1..=28).contains(d) || *d < 0) {
                return Ok(rule);
            }
            return Err(refused(
                "month_end clamp applies to a rule on one day of the month",
            ));
        }
    };
    if !(29..=31).contains(&day) {
        return Ok(rule);
    }
    if !rule.get_by_weekday().is_empty()
        || (freq == Frequency::Yearly && rule.get_by_month().len() > 1)
    {
        return Err(refused(
            "month_end clamp applies to a rule on one day of the month, without BYDAY, in at most one month a year",
        ));
    }
    let mut rule = rule.by_month_day((28..=day).collect()).by_set_pos(vec![-1]);
    if freq == Frequency::Yearly && rule.get_by_month().is_empty() {
        // The start's month, which the rule implied before it named a month day.
        if let Ok(month) = Month::try_from(u8::try_from(first.month()).unwrap_or(1)) {
            rule = rule.by_month(&[month]);
        }
    }
    Ok(rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(rule: &str) -> Recurrence {
        Recurrence {
            rule: rule.into(),
            month_end: MonthEnd::Rfc,
        }
    }

    fn monday_nine() -> EventTime {
        EventTime::Timed {
            start: "2024-03-04T09:00:00".parse().unwrap_or_default(),
            end: "2024-03-04T10:00:00".parse().unwrap_or_default(),
        }
    }

    fn field_of(r: CrmResult<()>) -> Option<String> {
        match r {
            Err(CrmError::Validation { field, .. }) => Some(field),
            _ => None,
        }
    }

    #[test]
    fn bad_rules_are_refused_naming_the_recurrence() {
        let tz = chrono_tz::Europe::Berlin;
        for bad in [
            "FREQ=FORTNIGHTLY",
            "FREQ=HOURLY",
            "FREQ=WEEKLY;BYDAY=XX",
            "FREQ=MONTHLY;BYMONTHDAY=32",
            "FREQ=DAILY;BYHOUR=9",
            "FREQ=DAILY;COUNT=0",
            "FREQ=DAILY;COUNT=5001",
            "FREQ=DAILY;INTERVAL=0",
            "FREQ=DAILY;COUNT=2;UNTIL=20240401T000000Z",
            "FREQ=DAILY;UNTIL=20240301T000000Z",
            "FREQ=DAILY;UNTIL=20240401T000000",
            "",
            "garbage",
        ] {
            assert_eq!(
                field_of(rec(bad).validate(&monday_nine(), tz)).as_deref(),
                Some(FIELD),
                "{bad}"
            );
        }
        for good in [
            "FREQ=DAILY",
            "RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=5000",
            "FREQ=MONTHLY;BYMONTHDAY=31;INTERVAL=2",
            "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=4;UNTIL=20300101T000000Z",
        ] {
            assert!(rec(good).validate(&monday_nine(), tz).is_ok(), "{good}");
        }
    }

    #[test]
    fn clamp_needs_one_month_day() {
        let tz = chrono_tz::UTC;
        let clamp = |rule: &str| Recurrence {
            rule: rule.into(),
            month_end: MonthEnd::Clamp,
        };
        assert!(clamp("FREQ=MONTHLY;BYMONTHDAY=30,31")
            .validate(&monday_nine(), tz)
            .is_err());
        assert!(clamp("FREQ=MONTHLY;BYMONTHDAY=1,15")
            .validate(&monday_nine(), tz)
            .is_ok());
        assert!(clamp("FREQ=MONTHLY;BYMONTHDAY=31")
            .validate(&monday_nine(), tz)
            .is_ok());
    }
}
