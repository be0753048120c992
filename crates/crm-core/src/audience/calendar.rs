//! Calendar arithmetic in the tenant's zone: month addition with clamped month ends, and
//! relative windows as half-open ranges of local days.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// `date` plus `n` calendar months, the day clamped to the month's end (2023-11-30 + 3 =
/// 2024-02-29; 2024-02-29 + 12 = 2025-02-28); `None` beyond the calendar's range.
pub fn add_months(date: NaiveDate, n: u32) -> Option<NaiveDate> {
    date.checked_add_months(Months::new(n))
}

/// A window of local days relative to `as_of`'s local date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RelativeWindow {
    /// Today.
    Today,
    /// Yesterday.
    Yesterday,
    /// This week (from Monday 00:00).
    ThisWeek,
    /// Last week: Monday 00:00 to Monday 00:00.
    LastWeek,
    /// This calendar month.
    ThisMonth,
    /// Last calendar month.
    LastMonth,
    /// This calendar quarter.
    ThisQuarter,
    /// Last calendar quarter.
    LastQuarter,
    /// This calendar year.
    ThisYear,
    /// Last calendar year.
    LastYear,
    /// The `n` local days ending with today (`n` ≥ 1).
    LastNDays {
        /// Days, including today.
        n: u32,
    },
}

fn month_start(d: NaiveDate) -> Option<NaiveDate> {
    d.with_day(1)
}

fn quarter_start(d: NaiveDate) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(d.year(), (d.month0() / 3) * 3 + 1, 1)
}

impl RelativeWindow {
    /// The local dates `[first, end)` of the window for `today`; `None` out of the
    /// calendar's range.
    pub fn dates(self, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        let next = |d: NaiveDate| d.checked_add_days(Days::new(1));
        let monday =
            today.checked_sub_days(Days::new(u64::from(today.weekday().num_days_from_monday())))?;
        let (start, end) = match self {
            RelativeWindow::Today => (today, next(today)?),
            RelativeWindow::Yesterday => (today.pred_opt()?, today),
            RelativeWindow::ThisWeek => (monday, monday.checked_add_days(Days::new(7))?),
            RelativeWindow::LastWeek => (monday.checked_sub_days(Days::new(7))?, monday),
            RelativeWindow::ThisMonth => {
                let s = month_start(today)?;
                (s, add_months(s, 1)?)
            }
            RelativeWindow::LastMonth => {
                let e = month_start(today)?;
                (e.checked_sub_months(Months::new(1))?, e)
            }
            RelativeWindow::ThisQuarter => {
                let s = quarter_start(today)?;
                (s, add_months(s, 3)?)
            }
            RelativeWindow::LastQuarter => {
                let e = quarter_start(today)?;
                (e.checked_sub_months(Months::new(3))?, e)
            }
            RelativeWindow::ThisYear => (
                NaiveDate::from_ymd_opt(today.year(), 1, 1)?,
                NaiveDate::from_ymd_opt(today.year().checked_add(1)?, 1, 1)?,
            ),
            RelativeWindow::LastYear => (
                NaiveDate::from_ymd_opt(today.year().checked_sub(1)?, 1, 1)?,
                NaiveDate::from_ymd_opt(today.year(), 1, 1)?,
            ),
            RelativeWindow::LastNDays { n } => (
                today.checked_sub_days(Days::new(u64::from(n.max(1)) - 1))?,
                next(today)?,
            ),
        };
        Some((start, end))
    }

    /// The window as UTC instants `[start, end)`: local midnights in `tz` of the window's
    /// first day and of the day after its last.
    pub fn bounds(self, as_of: DateTime<Utc>, tz: Tz) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let (first, end) = self.dates(local_date(as_of, tz))?;
        Some((
            crate::tenant::local_midnight(tz, first),
            crate::tenant::local_midnight(tz, end),
        ))
    }
}

/// The local date of an instant in `tz` (total: at the edges of chrono's range, where the
/// local time does not exist, the UTC date).
pub fn local_date(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    use chrono::{Offset, TimeZone};
    let utc = at.naive_utc();
    let offset = tz.offset_from_utc_datetime(&utc).fix().local_minus_utc();
    utc.checked_add_signed(chrono::Duration::seconds(i64::from(offset)))
        .unwrap_or(utc)
        .date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn month_ends_clamp_and_leap_days() {
        assert_eq!(add_months(d(2024, 1, 15), 3), Some(d(2024, 4, 15)));
        assert_eq!(add_months(d(2023, 11, 30), 3), Some(d(2024, 2, 29)));
        assert_eq!(add_months(d(2024, 2, 29), 12), Some(d(2025, 2, 28)));
        assert_eq!(add_months(d(2024, 2, 29), 48), Some(d(2028, 2, 29)));
        assert_eq!(add_months(d(2024, 1, 31), 1), Some(d(2024, 2, 29)));
        assert_eq!(add_months(d(2023, 1, 31), 1), Some(d(2023, 2, 28)));
        assert_eq!(add_months(NaiveDate::MAX, 1), None);
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2024-04-15 is a Monday, 2024-04-21 a Sunday.
        let this = RelativeWindow::ThisWeek;
        assert_eq!(
            this.dates(d(2024, 4, 15)),
            Some((d(2024, 4, 15), d(2024, 4, 22)))
        );
        assert_eq!(
            this.dates(d(2024, 4, 21)),
            Some((d(2024, 4, 15), d(2024, 4, 22)))
        );
        assert_eq!(
            RelativeWindow::LastWeek.dates(d(2024, 4, 15)),
            Some((d(2024, 4, 8), d(2024, 4, 15)))
        );
        assert_eq!(
            RelativeWindow::LastWeek.dates(d(2024, 4, 14)),
            Some((d(2024, 4, 1), d(2024, 4, 8)))
        );
    }

    #[test]
    fn months_quarters_years_and_last_n_days() {
        let t = d(2024, 3, 31);
        assert_eq!(
            RelativeWindow::ThisMonth.dates(t),
            Some((d(2024, 3, 1), d(2024, 4, 1)))
        );
        assert_eq!(
            RelativeWindow::LastMonth.dates(t),
            Some((d(2024, 2, 1), d(2024, 3, 1)))
        );
        assert_eq!(
            RelativeWindow::ThisQuarter.dates(t),
            Some((d(2024, 1, 1), d(2024, 4, 1)))
        );
        assert_eq!(
            RelativeWindow::ThisQuarter.dates(d(2024, 4, 1)),
            Some((d(2024, 4, 1), d(2024, 7, 1)))
        );
        assert_eq!(
            RelativeWindow::LastQuarter.dates(d(2024, 1, 1)),
            Some((d(2023, 10, 1), d(2024, 1, 1)))
        );
        assert_eq!(
            RelativeWindow::LastYear.dates(t),
            Some((d(2023, 1, 1), d(2024, 1, 1)))
        );
        assert_eq!(
            RelativeWindow::Yesterday.dates(d(2024, 3, 1)),
            Some((d(2024, 2, 29), d(2024, 3, 1)))
        );
        assert_eq!(
            RelativeWindow::LastNDays { n: 1 }.dates(t),
            Some((t, d(2024, 4, 1)))
        );
        assert_eq!(
            RelativeWindow::LastNDays { n: 30 }.dates(t),
            Some((d(2024, 3, 2), d(2024, 4, 1)))
        );
    }

    #[test]
    fn last_week_is_monday_midnight_to_monday_midnight_in_shanghai() {
        let tz: Tz = "Asia/Shanghai".parse().unwrap();
        // Monday 2024-04-15 00:00 in Shanghai is 2024-04-14 16:00 UTC.
        let monday = Utc.with_ymd_and_hms(2024, 4, 14, 16, 0, 0).unwrap();
        let (s, e) = RelativeWindow::LastWeek.bounds(monday, tz).unwrap();
        assert_eq!(e, monday);
        assert_eq!(s, Utc.with_ymd_and_hms(2024, 4, 7, 16, 0, 0).unwrap());
        // One second earlier it is still Sunday locally: last week is the one before.
        let sunday = monday - chrono::Duration::seconds(1);
        let (s2, e2) = RelativeWindow::LastWeek.bounds(sunday, tz).unwrap();
        assert_eq!(e2, s);
        assert_eq!(s2, Utc.with_ymd_and_hms(2024, 3, 31, 16, 0, 0).unwrap());
    }
}
