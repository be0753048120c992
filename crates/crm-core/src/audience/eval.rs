//! Evaluation of a condition over a customer's [`Facts`] as of an instant (pure, total).

use super::calendar::{add_months, local_date};
use super::condition::{Condition, RfmMeasure, SinceLast, TimeUnit};
use super::facts::Facts;
use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;

/// `date` plus `n` units; `None` beyond the calendar's range.
fn plus(date: NaiveDate, unit: TimeUnit, n: u32) -> Option<NaiveDate> {
    match unit {
        TimeUnit::Day => date.checked_add_days(Days::new(u64::from(n))),
        TimeUnit::Month => add_months(date, n),
    }
}

/// `more_than` / `within` from the local date of `last` (or, for `more_than` only, of
/// `fallback`: the customer's creation when it never had the event) to `today`.
fn since(
    s: &SinceLast,
    last: Option<DateTime<Utc>>,
    fallback: DateTime<Utc>,
    today: NaiveDate,
    tz: Tz,
) -> bool {
    if let Some(n) = s.more_than {
        let from = local_date(last.unwrap_or(fallback), tz);
        // Beyond the calendar's range nothing is "more than" away.
        return plus(from, s.unit, n).is_some_and(|limit| today > limit);
    }
    if let Some(n) = s.within {
        return last.is_some_and(|l| {
            // Beyond the calendar's range everything is within.
            plus(local_date(l, tz), s.unit, n).is_none_or(|limit| today <= limit)
        });
    }
    false
}

fn rfm(f: &Facts, measure: RfmMeasure) -> Option<Decimal> {
    match measure {
        RfmMeasure::RecencyDays => f.rfm.recency_days.map(Decimal::from),
        RfmMeasure::Frequency => Some(f.rfm.frequency.into()),
        RfmMeasure::Monetary => Some(f.rfm.monetary),
        RfmMeasure::R => Some(f.scores.r.into()),
        RfmMeasure::F => Some(f.scores.f.into()),
        RfmMeasure::M => Some(f.scores.m.into()),
    }
}

impl Condition {
    /// Whether the customer of `facts` matches as of `as_of` in the tenant's zone `tz`.
    /// Pure and total: no input makes it panic; a date beyond the calendar's range simply
    /// does not match.
    pub fn matches(&self, facts: &Facts, as_of: DateTime<Utc>, tz: Tz) -> bool {
        let today = local_date(as_of, tz);
        let c = &facts.customer;
        match self {
            Condition::All { of } => of.iter().all(|x| x.matches(facts, as_of, tz)),
            Condition::Any { of } => of.iter().any(|x| x.matches(facts, as_of, tz)),
            Condition::Not { of } => !of.matches(facts, as_of, tz),
            Condition::Field { field, op, value } => {
                super::field::holds(c, field, *op, value.as_ref(), tz)
            }
            Condition::Tier { tiers } => c.tier.as_ref().is_some_and(|t| tiers.contains(t)),
            Condition::Rfm { measure, op, value } => {
                rfm(facts, *measure).is_some_and(|v| op.holds(&v, value))
            }
            Condition::SinceLastOrder(s) => since(s, facts.last_order_at, c.created_at, today, tz),
            Condition::SinceLastFollowup(s) => {
                since(s, facts.last_followup_at, c.created_at, today, tz)
            }
            Condition::OpenOpportunityProduct { products } => products
                .iter()
                .any(|p| facts.open_products.contains(p.trim())),
            Condition::FollowupsInWindow { window, op, count } => {
                window.bounds(as_of, tz).is_some_and(|(start, end)| {
                    let n = facts
                        .followups
                        .iter()
                        .filter(|t| **t >= start && **t < end && **t <= as_of)
                        .count();
                    op.holds(&(n as u64), &u64::from(*count))
                })
            }
            Condition::Created { window } => window
                .bounds(as_of, tz)
                .is_some_and(|(start, end)| c.created_at >= start && c.created_at < end),
            Condition::Tag { name } => facts.tags.contains(name),
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::audience::{Compare, RelativeWindow};
    use chrono::TimeZone;

    pub(crate) fn customer() -> crate::customer::Customer {
        let input = crate::customer::NewCustomer {
            name: "x".into(),
            ..Default::default()
        };
        input
            .into_customer(
                &crate::tenant::TenantSettings::default(),
                crate::ids::TenantId(1),
                crate::ids::CustomerId(1),
                None,
                None,
                Utc.with_ymd_and_hms(2023, 1, 1, 0, 0, 0).unwrap(),
            )
            .expect("valid")
    }

    fn tz() -> Tz {
        "Asia/Shanghai".parse().unwrap()
    }

    /// Noon local time in Shanghai on a date.
    fn noon(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 4, 0, 0).unwrap()
    }

    fn facts() -> Facts {
        Facts::bare(customer())
    }

    fn months(more_than: Option<u32>, within: Option<u32>) -> Condition {
        Condition::SinceLastOrder(SinceLast {
            unit: TimeUnit::Month,
            more_than,
            within,
        })
    }

    #[test]
    fn tag1_more_than_three_calendar_months() {
        let mut f = facts();
        f.last_order_at = Some(noon(2024, 1, 15));
        let dormant = months(Some(3), None);
        assert!(!dormant.matches(&f, noon(2024, 4, 15), tz()));
        assert!(dormant.matches(&f, noon(2024, 4, 16), tz()));
        let recent = months(None, Some(3));
        assert!(recent.matches(&f, noon(2024, 4, 15), tz()));
        assert!(!recent.matches(&f, noon(2024, 4, 16), tz()));
    }

    #[test]
    fn the_day_changes_at_local_midnight() {
        let mut f = facts();
        // 2024-01-15 23:30 in Shanghai (15:30 UTC): the local date is the 15th.
        f.last_order_at = Some(Utc.with_ymd_and_hms(2024, 1, 15, 15, 30, 0).unwrap());
        let dormant = months(Some(3), None);
        let last_second = Utc.with_ymd_and_hms(2024, 4, 15, 15, 59, 59).unwrap();
        assert!(!dormant.matches(&f, last_second, tz()));
        assert!(dormant.matches(&f, last_second + chrono::Duration::seconds(1), tz()));
    }

    #[test]
    fn month_ends_and_leap_days_clamp() {
        let mut f = facts();
        f.last_order_at = Some(noon(2023, 11, 30));
        let c = months(Some(3), None);
        assert!(!c.matches(&f, noon(2024, 2, 29), tz()));
        assert!(c.matches(&f, noon(2024, 3, 1), tz()));
        f.last_order_at = Some(noon(2024, 2, 29));
        let year = months(Some(12), None);
        assert!(!year.matches(&f, noon(2025, 2, 28), tz()));
        assert!(year.matches(&f, noon(2025, 3, 1), tz()));
    }

    #[test]
    fn days_unit_on_both_sides() {
        let mut f = facts();
        f.last_followup_at = Some(noon(2024, 2, 28));
        let c = Condition::SinceLastFollowup(SinceLast {
            unit: TimeUnit::Day,
            more_than: Some(2),
            within: None,
        });
        assert!(!c.matches(&f, noon(2024, 3, 1), tz()), "leap day counts");
        assert!(c.matches(&f, noon(2024, 3, 2), tz()));
    }

    #[test]
    fn never_ordered_is_measured_from_creation_and_never_within() {
        let f = facts(); // created 2023-01-01 08:00 Shanghai, never ordered
        let dormant = months(Some(3), None);
        assert!(!dormant.matches(&f, noon(2023, 4, 1), tz()));
        assert!(dormant.matches(&f, noon(2023, 4, 2), tz()));
        assert!(!months(None, Some(3)).matches(&f, noon(2023, 1, 2), tz()));
    }

    #[test]
    fn followups_in_window_count_up_to_as_of() {
        let mut f = facts();
        f.followups = vec![noon(2024, 3, 1), noon(2024, 3, 10), noon(2024, 3, 20)];
        let c = |n: u32, op| Condition::FollowupsInWindow {
            window: RelativeWindow::LastNDays { n },
            op,
            count: 2,
        };
        // As of 2024-03-20 the last 11 days are 03-10..=03-20: two follow-ups.
        assert!(c(11, Compare::Eq).matches(&f, noon(2024, 3, 20), tz()));
        assert!(c(10, Compare::Lt).matches(&f, noon(2024, 3, 20), tz()));
        // Before the 03-20 follow-up happened it does not count.
        assert!(c(11, Compare::Lt).matches(
            &f,
            noon(2024, 3, 20) - chrono::Duration::hours(1),
            tz()
        ));
    }

    #[test]
    fn created_last_week_in_shanghai() {
        let mut f = facts();
        let c = Condition::Created {
            window: RelativeWindow::LastWeek,
        };
        // As of Wednesday 2024-04-17: last week is Mon 04-08 00:00 to Mon 04-15 00:00 local.
        let as_of = noon(2024, 4, 17);
        f.customer.created_at = Utc.with_ymd_and_hms(2024, 4, 7, 16, 0, 0).unwrap();
        assert!(c.matches(&f, as_of, tz()));
        f.customer.created_at = Utc.with_ymd_and_hms(2024, 4, 7, 15, 59, 59).unwrap();
        assert!(!c.matches(&f, as_of, tz()));
        f.customer.created_at = Utc.with_ymd_and_hms(2024, 4, 14, 15, 59, 59).unwrap();
        assert!(c.matches(&f, as_of, tz()));
        f.customer.created_at = Utc.with_ymd_and_hms(2024, 4, 14, 16, 0, 0).unwrap();
        assert!(!c.matches(&f, as_of, tz()));
    }

    #[test]
    fn rfm_products_tags_tier_and_combinators() {
        let mut f = facts();
        f.rfm.frequency = 3;
        f.scores.m = 4;
        f.open_products.insert("ERP".into());
        f.tags.insert("VIP".into());
        f.customer.tier = Some("潜力".into());
        let at = noon(2024, 1, 1);
        let freq = |op, v: i64| Condition::Rfm {
            measure: RfmMeasure::Frequency,
            op,
            value: v.into(),
        };
        assert!(freq(Compare::Ge, 3).matches(&f, at, tz()));
        assert!(!freq(Compare::Gt, 3).matches(&f, at, tz()));
        let never = Condition::Rfm {
            measure: RfmMeasure::RecencyDays,
            op: Compare::Ge,
            value: Decimal::ZERO,
        };
        assert!(!never.matches(&f, at, tz()), "never bought has no recency");
        let prod = Condition::OpenOpportunityProduct {
            products: vec!["CRM".into(), " ERP ".into()],
        };
        assert!(prod.matches(&f, at, tz()));
        let all = Condition::All {
            of: vec![
                prod.clone(),
                Condition::Tag { name: "VIP".into() },
                Condition::Tier {
                    tiers: vec!["潜力".into()],
                },
            ],
        };
        assert!(all.matches(&f, at, tz()));
        let not = Condition::Not {
            of: Box::new(Condition::Tag { name: "VIP".into() }),
        };
        assert!(!not.matches(&f, at, tz()));
        assert!(Condition::All { of: vec![] }.matches(&f, at, tz()));
        assert!(!Condition::Any { of: vec![] }.matches(&f, at, tz()));
    }

    #[test]
    fn calendar_extremes_do_not_panic() {
        let mut f = facts();
        f.last_order_at = Some(DateTime::<Utc>::MAX_UTC);
        f.customer.created_at = DateTime::<Utc>::MIN_UTC;
        let at = DateTime::<Utc>::MAX_UTC;
        for c in [
            months(Some(120), None),
            months(None, Some(120)),
            Condition::Created {
                window: RelativeWindow::ThisYear,
            },
            Condition::FollowupsInWindow {
                window: RelativeWindow::LastNDays { n: 3660 },
                op: Compare::Ge,
                count: 0,
            },
        ] {
            let _ = c.matches(&f, at, tz());
            let _ = c.matches(&f, DateTime::<Utc>::MIN_UTC, tz());
        }
    }
}
