//! Validation of a [`Calendar`] into a local schedule: times parsed to seconds of the day,
//! overnight shifts split at midnight, overlaps rejected. Every error names the field.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;

use super::config::{Calendar, WorkInterval, WEEKDAY_FIELDS};
use super::DAY;
use crate::error::{CrmError, CrmResult};

/// Most intervals accepted for one weekday or override (5-minute slots all day).
pub(super) const MAX_INTERVALS: usize = 288;
/// Most holidays, and most overrides, accepted in one calendar.
pub(super) const MAX_DATES: usize = 100_000;

/// One date's working time in seconds of the local day: the parts before midnight on the
/// date itself (`own`) and the parts of overnight shifts after midnight, on the next date
/// (`spill`). Both sorted, non-overlapping, non-empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct DayPlan {
    /// Parts on the date itself.
    pub own: Vec<(i64, i64)>,
    /// Parts continuing on the next date.
    pub spill: Vec<(i64, i64)>,
}

/// A validated calendar in local terms. Dates are day numbers (days since 1970-01-01).
#[derive(Debug, Clone)]
pub(super) struct Schedule {
    /// The time zone.
    pub tz: Tz,
    /// Plans per weekday, Monday first.
    pub week: [DayPlan; 7],
    /// Holidays.
    pub holidays: BTreeSet<i64>,
    /// Overrides.
    pub overrides: BTreeMap<i64, DayPlan>,
}

/// Day number of a date: days since 1970-01-01 (a Thursday).
pub(super) fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) - 719_163
}

/// Parses `"H:MM"`, `"HH:MM"` or `"HH:MM:SS"` into seconds of the day (`24:00` gives 86400).
pub(super) fn parse_time(text: &str) -> Option<i64> {
    let parts: Vec<&str> = text.trim().split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let digits = |p: &str, min: usize, max: usize| {
        (min..=max).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(parts[0], 1, 2) || !parts[1..].iter().all(|p| digits(p, 2, 2)) {
        return None;
    }
    let h: i64 = parts[0].parse().ok()?;
    let m: i64 = parts[1].parse().ok()?;
    let s: i64 = match parts.get(2) {
        Some(p) => p.parse().ok()?,
        None => 0,
    };
    if h > 24 || m > 59 || s > 59 || (h == 24 && (m, s) != (0, 0)) {
        return None;
    }
    Some(h * 3600 + m * 60 + s)
}

/// Formats seconds of the day as `HH:MM` (or `HH:MM:SS`).
fn show(t: i64) -> String {
    let (h, m, s) = (t / 3600, t / 60 % 60, t % 60);
    if s == 0 {
        format!("{h:02}:{m:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

/// One parsed interval with its field name, for overlap messages.
struct Part {
    start: i64,
    end: i64,
    field: String,
    /// Position in its list.
    index: usize,
    /// Continues from the previous date.
    carried: bool,
}

/// Parses one list of intervals (`field` = `calendar.monday`) into a plan and its labelled
/// parts.
fn parse_list(list: &[WorkInterval], field: &str) -> CrmResult<(DayPlan, Vec<Part>, Vec<Part>)> {
    if list.len() > MAX_INTERVALS {
        return Err(CrmError::validation(
            field,
            format!("more than {MAX_INTERVALS} intervals"),
        ));
    }
    let (mut own, mut spill) = (Vec::new(), Vec::new());
    for (i, iv) in list.iter().enumerate() {
        let at = format!("{field}[{i}]");
        let bad = |which: &str, v: &str| {
            CrmError::validation(
                format!("{at}.{which}"),
                format!(
                    "expected a local time HH:MM or HH:MM:SS, got {}",
                    crate::validate::quote(v)
                ),
            )
        };
        let start = parse_time(&iv.start).ok_or_else(|| bad("start", &iv.start))?;
        let end = parse_time(&iv.end).ok_or_else(|| bad("end", &iv.end))?;
        if start == DAY {
            return Err(CrmError::validation(
                format!("{at}.start"),
                "24:00 is only allowed as an end",
            ));
        }
        if end == start {
            return Err(CrmError::validation(
                format!("{at}.end"),
                "equals the start; use 00:00-24:00 for a whole day",
            ));
        }
        let part = |start, end, carried| Part {
            start,
            end,
            field: at.clone(),
            index: i,
            carried,
        };
        if end > start {
            own.push(part(start, end, false));
        } else {
            own.push(part(start, DAY, false));
            if end > 0 {
                spill.push(part(0, end, true));
            }
        }
    }
    let ranges = |parts: &[Part]| {
        let mut v: Vec<(i64, i64)> = parts.iter().map(|p| (p.start, p.end)).collect();
        v.sort_unstable();
        v
    };
    let plan = DayPlan {
        own: ranges(&own),
        spill: ranges(&spill),
    };
    Ok((plan, own, spill))
}

/// Rejects overlapping parts, naming the later one of the date's own intervals.
fn check_overlaps(mut parts: Vec<&Part>) -> CrmResult<()> {
    parts.sort_by_key(|p| (p.start, p.end));
    for pair in parts.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if b.start < a.end {
            let (blamed, other) = if b.carried || (!a.carried && a.index > b.index) {
                (a, b)
            } else {
                (b, a)
            };
            let what = if other.carried {
                format!(
                    "the overnight interval {} continuing after midnight",
                    other.field
                )
            } else {
                other.field.clone()
            };
            return Err(CrmError::validation(
                blamed.field.clone(),
                format!(
                    "{}-{} overlaps {what} ({}-{})",
                    show(blamed.start),
                    show(blamed.end),
                    show(other.start),
                    show(other.end)
                ),
            ));
        }
    }
    Ok(())
}

/// Validates `cal` into a [`Schedule`].
pub(super) fn schedule(cal: &Calendar) -> CrmResult<Schedule> {
    let tz: Tz = cal.time_zone.parse().map_err(|_| {
        CrmError::validation(
            "calendar.time_zone",
            format!(
                "unknown IANA time zone {}",
                crate::validate::quote(&cal.time_zone)
            ),
        )
    })?;
    let lists = [
        &cal.monday,
        &cal.tuesday,
        &cal.wednesday,
        &cal.thursday,
        &cal.friday,
        &cal.saturday,
        &cal.sunday,
    ];
    let mut parsed = Vec::with_capacity(7);
    for (list, name) in lists.iter().zip(WEEKDAY_FIELDS) {
        parsed.push(parse_list(list, &format!("calendar.{name}"))?);
    }
    for day in 0..7 {
        let previous = &parsed[(day + 6) % 7].2;
        check_overlaps(parsed[day].1.iter().chain(previous).collect())?;
    }
    let week: [DayPlan; 7] = std::array::from_fn(|d| parsed[d].0.clone());
    let weekly: i64 = week
        .iter()
        .flat_map(|p| p.own.iter().chain(&p.spill))
        .map(|(a, b)| b - a)
        .sum();
    if weekly == 0 {
        return Err(CrmError::validation(
            "calendar",
            "has no working time: every weekday is empty",
        ));
    }
    if cal.holidays.len() > MAX_DATES {
        return Err(CrmError::validation(
            "calendar.holidays",
            format!("more than {MAX_DATES} dates"),
        ));
    }
    if cal.overrides.len() > MAX_DATES {
        return Err(CrmError::validation(
            "calendar.overrides",
            format!("more than {MAX_DATES} dates"),
        ));
    }
    let holidays: BTreeSet<i64> = cal.holidays.iter().map(|&d| day_number(d)).collect();
    let mut overrides = BTreeMap::new();
    for (i, o) in cal.overrides.iter().enumerate() {
        let field = format!("calendar.overrides[{i}]");
        let day = day_number(o.date);
        if holidays.contains(&day) {
            return Err(CrmError::validation(
                format!("{field}.date"),
                format!("{} is also listed in calendar.holidays", o.date),
            ));
        }
        let (plan, own, _) = parse_list(&o.intervals, &format!("{field}.intervals"))?;
        check_overlaps(own.iter().collect())?;
        if overrides.insert(day, plan).is_some() {
            return Err(CrmError::validation(
                format!("{field}.date"),
                format!("{} is overridden more than once", o.date),
            ));
        }
    }
    Ok(Schedule {
        tz,
        week,
        holidays,
        overrides,
    })
}

#[cfg(test)]
mod tests {
    use super::parse_time;

    #[test]
    fn times() {
        assert_eq!(parse_time("09:00"), Some(9 * 3600));
        assert_eq!(parse_time("9:30"), Some(9 * 3600 + 1800));
        assert_eq!(parse_time(" 17:59:59 "), Some(17 * 3600 + 59 * 60 + 59));
        assert_eq!(parse_time("24:00"), Some(86_400));
        assert_eq!(parse_time("24:00:00"), Some(86_400));
        for bad in [
            "",
            "9",
            "24:01",
            "25:00",
            "12:60",
            "12:00:60",
            "1:2",
            "+1:00",
            "12:00:00:00",
            "ab:cd",
        ] {
            assert_eq!(parse_time(bad), None, "{bad:?}");
        }
    }
}
