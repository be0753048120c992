//! Achievement against targets over any range of days (DESIGN §4.10): the part of a target
//! that falls in the range (whole months whole, a partly covered month by calendar days),
//! optionally prorated for someone who joined during it, and the ranking order.

use super::fiscal::FiscalCalendar;
use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use std::cmp::Ordering;

/// The part of one fiscal year's monthly targets (`months`, fiscal order) that falls in
/// `[from, to]`, counting only days from `member_from` on when given (proration for a
/// joiner). A month covered in full counts in full; a month covered in part counts by its
/// share of calendar days. Exact (not rounded): round once, after summing.
pub fn target_in_range(
    calendar: &FiscalCalendar,
    fiscal_year: i32,
    months: &[Decimal],
    from: NaiveDate,
    to: NaiveDate,
    member_from: Option<NaiveDate>,
) -> Decimal {
    let start = member_from.map_or(from, |m| m.max(from));
    let Some(first) = NaiveDate::from_ymd_opt(fiscal_year, calendar.start_month, 1) else {
        return Decimal::ZERO;
    };
    let mut total = Decimal::ZERO;
    for (i, amount) in months.iter().enumerate().take(12) {
        let Some(month_start) = first.checked_add_months(Months::new(i as u32)) else {
            break;
        };
        let Some(month_end) = month_start
            .checked_add_months(Months::new(1))
            .and_then(|d| d.pred_opt())
        else {
            break;
        };
        let lo = month_start.max(start);
        let hi = month_end.min(to);
        if lo > hi || amount.is_zero() {
            continue;
        }
        let covered = (hi - lo).num_days() + 1;
        let days = (month_end - month_start).num_days() + 1;
        if covered == days {
            total += *amount;
        } else {
            total += *amount * Decimal::from(covered) / Decimal::from(days);
        }
    }
    total
}

/// The fiscal years a range of days touches.
pub fn fiscal_years(calendar: &FiscalCalendar, from: NaiveDate, to: NaiveDate) -> Vec<i32> {
    (calendar.year_of(from)..=calendar.year_of(to)).collect()
}

/// Rounds a target or an actual once, half-up, to exactly `scale` decimals (zero is
/// `0.00` at scale 2).
pub fn round_half_up(value: Decimal, scale: u32) -> Decimal {
    let mut rounded = value.round_dp_with_strategy(scale, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(scale);
    rounded
}

/// The ranking order: higher attainment first, `None` (no target) last; then higher actual,
/// then the lower key (a user id) for a stable order.
pub fn ranking_order(
    a: (Option<Decimal>, Decimal, i64),
    b: (Option<Decimal>, Decimal, i64),
) -> Ordering {
    let by_attainment = match (a.0, b.0) {
        (Some(x), Some(y)) => y.cmp(&x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    by_attainment
        .then_with(|| b.1.cmp(&a.1))
        .then_with(|| a.2.cmp(&b.2))
}

/// Whether `day`'s year is one a fiscal period may name.
pub fn day_in_range(day: NaiveDate) -> bool {
    super::fiscal::FISCAL_YEARS.contains(&day.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn flat(v: &str) -> Vec<Decimal> {
        vec![dec(v); 12]
    }

    #[test]
    fn whole_months_count_whole_and_partial_months_by_days() {
        let cal = FiscalCalendar::default();
        let m = flat("3100");
        assert_eq!(
            target_in_range(&cal, 2026, &m, d("2026-01-01"), d("2026-03-31"), None),
            dec("9300")
        );
        // 1–10 January: 10 of 31 days.
        assert_eq!(
            target_in_range(&cal, 2026, &m, d("2026-01-01"), d("2026-01-10"), None),
            dec("1000")
        );
        // The last day of a month and the first of the next.
        assert_eq!(
            target_in_range(&cal, 2026, &m, d("2026-01-31"), d("2026-02-01"), None),
            dec("100") + dec("3100") / dec("28")
        );
        // Outside the fiscal year: nothing.
        assert_eq!(
            target_in_range(&cal, 2026, &m, d("2027-01-01"), d("2027-12-31"), None),
            Decimal::ZERO
        );
    }

    #[test]
    fn a_joiner_is_prorated_from_the_day_they_joined() {
        let cal = FiscalCalendar::default();
        let m = flat("3000");
        // April has 30 days; joined on the 16th: 15 days of 30.
        let april = (d("2026-04-01"), d("2026-04-30"));
        assert_eq!(
            target_in_range(&cal, 2026, &m, april.0, april.1, Some(d("2026-04-16"))),
            dec("1500")
        );
        // Joined on the first day: in full; joined the day after the period: nothing.
        assert_eq!(
            target_in_range(&cal, 2026, &m, april.0, april.1, Some(d("2026-04-01"))),
            dec("3000")
        );
        assert_eq!(
            target_in_range(&cal, 2026, &m, april.0, april.1, Some(d("2026-05-01"))),
            Decimal::ZERO
        );
        // Joined before the period: in full.
        assert_eq!(
            target_in_range(&cal, 2026, &m, april.0, april.1, Some(d("2025-12-01"))),
            dec("3000")
        );
    }

    #[test]
    fn a_fiscal_year_starting_in_april_maps_month_one_to_april() {
        let cal = FiscalCalendar::new(4).unwrap();
        let mut m = vec![Decimal::ZERO; 12];
        m[0] = dec("700");
        assert_eq!(
            target_in_range(&cal, 2026, &m, d("2026-04-01"), d("2026-04-30"), None),
            dec("700")
        );
        assert_eq!(
            target_in_range(&cal, 2026, &m, d("2026-01-01"), d("2026-03-31"), None),
            Decimal::ZERO
        );
        assert_eq!(
            fiscal_years(&cal, d("2026-03-31"), d("2026-04-01")),
            vec![2025, 2026]
        );
    }

    #[test]
    fn ranking_puts_none_last_and_breaks_ties() {
        let mut rows = [
            (None, dec("500"), 1),
            (Some(dec("80")), dec("800"), 2),
            (Some(dec("120")), dec("120"), 3),
            (Some(dec("80")), dec("900"), 4),
            (Some(dec("0")), dec("0"), 5),
        ];
        rows.sort_by(|a, b| ranking_order(*a, *b));
        let ids: Vec<i64> = rows.iter().map(|r| r.2).collect();
        assert_eq!(ids, vec![3, 4, 2, 5, 1]);
    }
}
