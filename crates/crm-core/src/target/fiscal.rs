//! The tenant's fiscal calendar: a fiscal year starts on the first day of a configurable
//! month and is named by the calendar year it starts in (start month April: FY2026 runs from
//! 2026-04-01 to 2027-03-31); quarters are its months 1–3, 4–6, 7–9 and 10–12.

use crate::error::{CrmError, CrmResult};
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// The first and last fiscal years a period may name.
pub const FISCAL_YEARS: std::ops::RangeInclusive<i32> = 1900..=2199;

/// Refuses a day outside the years periods may name (field `field`).
pub fn check_day(day: NaiveDate, field: &str) -> CrmResult<()> {
    if FISCAL_YEARS.contains(&day.year()) {
        Ok(())
    } else {
        Err(CrmError::validation(
            field,
            format!(
                "a day in the years {}–{}",
                FISCAL_YEARS.start(),
                FISCAL_YEARS.end()
            ),
        ))
    }
}

/// When the tenant's fiscal year starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FiscalCalendar {
    /// The month (1–12) whose first day starts a fiscal year; 1 is the calendar year.
    pub start_month: u32,
}

impl Default for FiscalCalendar {
    fn default() -> Self {
        Self { start_month: 1 }
    }
}

/// A period on the fiscal calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FiscalPeriod {
    /// A whole fiscal year.
    Year {
        /// The fiscal year (the calendar year it starts in).
        year: i32,
    },
    /// A fiscal quarter, 1–4.
    Quarter {
        /// The fiscal year.
        year: i32,
        /// The quarter, 1–4.
        quarter: u32,
    },
    /// A fiscal month, 1–12 (1 is the start month).
    Month {
        /// The fiscal year.
        year: i32,
        /// The month of the fiscal year, 1–12.
        month: u32,
    },
}

impl FiscalCalendar {
    /// A calendar starting in `start_month`; refused outside 1–12 (field `fiscal_start_month`).
    pub fn new(start_month: u32) -> CrmResult<Self> {
        let calendar = Self { start_month };
        calendar.validate()?;
        Ok(calendar)
    }

    /// Refuses a start month outside 1–12 (field `fiscal_start_month`).
    pub fn validate(&self) -> CrmResult<()> {
        if (1..=12).contains(&self.start_month) {
            Ok(())
        } else {
            Err(CrmError::validation(
                "fiscal_start_month",
                "must be a month, 1 to 12",
            ))
        }
    }

    /// The fiscal year `date` falls in.
    pub fn year_of(&self, date: NaiveDate) -> i32 {
        if date.month() >= self.start_month {
            date.year()
        } else {
            date.year() - 1
        }
    }

    /// The fiscal month (1–12) `date` falls in.
    pub fn month_of(&self, date: NaiveDate) -> u32 {
        (date.month() + 12 - self.start_month) % 12 + 1
    }

    /// The first day of fiscal month `month` (1–12) of fiscal year `year`.
    fn month_start(&self, year: i32, month: u32) -> CrmResult<NaiveDate> {
        let start = NaiveDate::from_ymd_opt(year, self.start_month, 1)
            .ok_or_else(|| CrmError::validation("period.year", "is out of range"))?;
        start
            .checked_add_months(Months::new(month - 1))
            .ok_or_else(|| CrmError::validation("period.year", "is out of range"))
    }

    /// The first and last day of `period`. Refused, naming the field, for a year outside
    /// [`FISCAL_YEARS`], a quarter outside 1–4 or a month outside 1–12.
    pub fn bounds(&self, period: FiscalPeriod) -> CrmResult<(NaiveDate, NaiveDate)> {
        self.validate()?;
        let (year, first, count) = match period {
            FiscalPeriod::Year { year } => (year, 1, 12),
            FiscalPeriod::Quarter { year, quarter } => {
                if !(1..=4).contains(&quarter) {
                    return Err(CrmError::validation("period.quarter", "must be 1 to 4"));
                }
                (year, 3 * quarter - 2, 3)
            }
            FiscalPeriod::Month { year, month } => {
                if !(1..=12).contains(&month) {
                    return Err(CrmError::validation("period.month", "must be 1 to 12"));
                }
                (year, month, 1)
            }
        };
        if !FISCAL_YEARS.contains(&year) {
            return Err(CrmError::validation(
                "period.year",
                format!(
                    "must be within {}..={}",
                    FISCAL_YEARS.start(),
                    FISCAL_YEARS.end()
                ),
            ));
        }
        let start = self.month_start(year, first)?;
        let end = self
            .month_start(year, first)?
            .checked_add_months(Months::new(count))
            .and_then(|d| d.pred_opt())
            .ok_or_else(|| CrmError::validation("period.year", "is out of range"))?;
        Ok((start, end))
    }

    /// The (calendar year, calendar month) of each month of `period`, in order.
    pub fn months(&self, period: FiscalPeriod) -> CrmResult<Vec<(i32, u32)>> {
        let (start, end) = self.bounds(period)?;
        let mut out = Vec::new();
        let mut at = start;
        while at <= end {
            out.push((at.year(), at.month()));
            match at.checked_add_months(Months::new(1)) {
                Some(next) => at = next,
                None => break,
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn an_april_year_is_named_by_its_start_and_ends_in_march() {
        let fy = FiscalCalendar::new(4).unwrap();
        assert_eq!(fy.year_of(day(2026, 4, 1)), 2026);
        assert_eq!(fy.year_of(day(2026, 3, 31)), 2025);
        assert_eq!(fy.month_of(day(2026, 4, 1)), 1);
        assert_eq!(fy.month_of(day(2027, 3, 31)), 12);
        assert_eq!(
            fy.bounds(FiscalPeriod::Year { year: 2026 }).unwrap(),
            (day(2026, 4, 1), day(2027, 3, 31))
        );
        assert_eq!(
            fy.bounds(FiscalPeriod::Quarter {
                year: 2026,
                quarter: 4
            })
            .unwrap(),
            (day(2027, 1, 1), day(2027, 3, 31))
        );
        assert_eq!(
            fy.bounds(FiscalPeriod::Month {
                year: 2026,
                month: 11
            })
            .unwrap(),
            (day(2027, 2, 1), day(2027, 2, 28))
        );
        let months = fy.months(FiscalPeriod::Year { year: 2026 }).unwrap();
        assert_eq!(months.len(), 12);
        assert_eq!(months.first(), Some(&(2026, 4)));
        assert_eq!(months.last(), Some(&(2027, 3)));
    }

    #[test]
    fn the_calendar_year_is_the_default() {
        let fy = FiscalCalendar::default();
        assert_eq!(fy.year_of(day(2024, 12, 31)), 2024);
        assert_eq!(fy.year_of(day(2025, 1, 1)), 2025);
        assert_eq!(
            fy.bounds(FiscalPeriod::Month {
                year: 2024,
                month: 2
            })
            .unwrap(),
            (day(2024, 2, 1), day(2024, 2, 29))
        );
    }

    #[test]
    fn periods_outside_the_calendar_are_refused_by_name() {
        let fy = FiscalCalendar::new(7).unwrap();
        let field = |p| match fy.bounds(p) {
            Err(CrmError::Validation { field, .. }) => field,
            other => format!("{other:?}"),
        };
        assert_eq!(
            field(FiscalPeriod::Quarter {
                year: 2026,
                quarter: 0
            }),
            "period.quarter"
        );
        assert_eq!(
            field(FiscalPeriod::Quarter {
                year: 2026,
                quarter: 5
            }),
            "period.quarter"
        );
        assert!(fy
            .bounds(FiscalPeriod::Quarter {
                year: 2026,
                quarter: 1
            })
            .is_ok());
        assert_eq!(
            field(FiscalPeriod::Month {
                year: 2026,
                month: 13
            }),
            "period.month"
        );
        assert!(fy
            .bounds(FiscalPeriod::Month {
                year: 2026,
                month: 12
            })
            .is_ok());
        assert_eq!(field(FiscalPeriod::Year { year: 2200 }), "period.year");
        assert!(fy.bounds(FiscalPeriod::Year { year: 2199 }).is_ok());
        assert_eq!(field(FiscalPeriod::Year { year: 1899 }), "period.year");
        assert_eq!(field(FiscalPeriod::Year { year: i32::MAX }), "period.year");
        for bad in [0, 13] {
            assert!(matches!(
                FiscalCalendar::new(bad),
                Err(CrmError::Validation { field, .. }) if field == "fiscal_start_month"
            ));
        }
    }
}
