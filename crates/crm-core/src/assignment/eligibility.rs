//! Who may take a lead now: active, not opted out, not on leave, under the daily and
//! monthly caps (counted in the tenant's local day and month) and under open-lead capacity.

use crate::error::{CrmError, CrmResult};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A leave, first and last day inclusive (dates in the tenant's zone).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct Leave {
    /// First day away.
    pub from: NaiveDate,
    /// Last day away.
    pub to: NaiveDate,
}

/// A member's settings for assignment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default)]
pub struct Availability {
    /// The user is active in the org.
    pub active: bool,
    /// The user has opted out of automatic assignment.
    pub opted_out: bool,
    /// Leaves, no two overlapping.
    pub leave: Vec<Leave>,
    /// Most leads assigned per local day.
    pub daily_cap: Option<u32>,
    /// Most leads assigned per local month.
    pub monthly_cap: Option<u32>,
    /// Most open leads held at once.
    pub capacity: Option<u32>,
}

impl Availability {
    /// Refuses a leave ending before it starts and overlapping leaves; `at` names the
    /// member in the error.
    pub fn validate(&self, at: &str) -> CrmResult<()> {
        let mut leave = self.leave.clone();
        leave.sort();
        for (i, l) in leave.iter().enumerate() {
            if l.to < l.from {
                return Err(CrmError::validation(
                    format!("{at}.leave"),
                    format!("a leave from {} ends before it starts ({})", l.from, l.to),
                ));
            }
            if let Some(next) = leave.get(i + 1) {
                if next.from <= l.to {
                    return Err(CrmError::validation(
                        format!("{at}.leave"),
                        format!(
                            "leaves {}..{} and {}..{} overlap",
                            l.from, l.to, next.from, next.to
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Whether `day` falls in a leave (first and last day included).
    pub fn on_leave(&self, day: NaiveDate) -> bool {
        self.leave.iter().any(|l| l.from <= day && day <= l.to)
    }
}

/// A member's counts as of the decision.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct Load {
    /// Leads assigned today (the tenant's local day).
    pub today: u32,
    /// Leads assigned this month (the tenant's local month).
    pub this_month: u32,
    /// Open leads held now.
    pub open_leads: u32,
    /// When the member was last assigned a lead.
    pub last_assigned_at: Option<DateTime<Utc>>,
}

/// Why a candidate was passed over.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SkipReason {
    /// Not an active user.
    Inactive,
    /// Opted out of automatic assignment.
    OptedOut,
    /// On leave today.
    OnLeave,
    /// Reached the daily cap.
    DailyCap,
    /// Reached the monthly cap.
    MonthlyCap,
    /// Holds as many open leads as the capacity allows.
    Capacity,
}

impl SkipReason {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::Inactive => "inactive",
            SkipReason::OptedOut => "opted_out",
            SkipReason::OnLeave => "on_leave",
            SkipReason::DailyCap => "daily_cap",
            SkipReason::MonthlyCap => "monthly_cap",
            SkipReason::Capacity => "capacity",
        }
    }
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SkipReason::Inactive => "not active",
            SkipReason::OptedOut => "opted out of assignment",
            SkipReason::OnLeave => "on leave",
            SkipReason::DailyCap => "daily cap reached",
            SkipReason::MonthlyCap => "monthly cap reached",
            SkipReason::Capacity => "open-lead capacity reached",
        })
    }
}

/// Why the member may not take one more lead on `today`, or `None` when they may. The
/// first reason in the order inactive, opted out, on leave, daily cap, monthly cap,
/// capacity.
pub fn ineligible(a: &Availability, load: &Load, today: NaiveDate) -> Option<SkipReason> {
    if !a.active {
        Some(SkipReason::Inactive)
    } else if a.opted_out {
        Some(SkipReason::OptedOut)
    } else if a.on_leave(today) {
        Some(SkipReason::OnLeave)
    } else if a.daily_cap.is_some_and(|cap| load.today >= cap) {
        Some(SkipReason::DailyCap)
    } else if a.monthly_cap.is_some_and(|cap| load.this_month >= cap) {
        Some(SkipReason::MonthlyCap)
    } else if a.capacity.is_some_and(|cap| load.open_leads >= cap) {
        Some(SkipReason::Capacity)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 5, d).unwrap_or_default()
    }

    fn active() -> Availability {
        Availability {
            active: true,
            ..Availability::default()
        }
    }

    #[test]
    fn leave_covers_its_first_and_last_day_only() {
        let a = Availability {
            leave: vec![Leave {
                from: day(10),
                to: day(12),
            }],
            ..active()
        };
        let load = Load::default();
        assert_eq!(ineligible(&a, &load, day(9)), None);
        assert_eq!(ineligible(&a, &load, day(10)), Some(SkipReason::OnLeave));
        assert_eq!(ineligible(&a, &load, day(12)), Some(SkipReason::OnLeave));
        assert_eq!(ineligible(&a, &load, day(13)), None);
    }

    #[test]
    fn caps_and_capacity_refuse_at_the_limit_not_below() {
        let a = Availability {
            daily_cap: Some(3),
            monthly_cap: Some(10),
            capacity: Some(5),
            ..active()
        };
        let at = |today, this_month, open_leads| Load {
            today,
            this_month,
            open_leads,
            last_assigned_at: None,
        };
        assert_eq!(ineligible(&a, &at(2, 9, 4), day(1)), None);
        assert_eq!(
            ineligible(&a, &at(3, 9, 4), day(1)),
            Some(SkipReason::DailyCap)
        );
        assert_eq!(
            ineligible(&a, &at(2, 10, 4), day(1)),
            Some(SkipReason::MonthlyCap)
        );
        assert_eq!(
            ineligible(&a, &at(2, 9, 5), day(1)),
            Some(SkipReason::Capacity)
        );
        // A cap of zero takes nobody.
        let closed = Availability {
            daily_cap: Some(0),
            ..active()
        };
        assert_eq!(
            ineligible(&closed, &at(0, 0, 0), day(1)),
            Some(SkipReason::DailyCap)
        );
    }

    #[test]
    fn inactive_and_opted_out_come_first() {
        let load = Load::default();
        assert_eq!(
            ineligible(&Availability::default(), &load, day(1)),
            Some(SkipReason::Inactive)
        );
        let out = Availability {
            opted_out: true,
            daily_cap: Some(0),
            ..active()
        };
        assert_eq!(ineligible(&out, &load, day(1)), Some(SkipReason::OptedOut));
    }

    #[test]
    fn overlapping_or_reversed_leaves_are_refused() {
        let leave = |a, b| Leave {
            from: day(a),
            to: day(b),
        };
        let ok = Availability {
            leave: vec![leave(10, 12), leave(13, 14)],
            ..active()
        };
        assert!(ok.validate("members[0]").is_ok());
        let touching = Availability {
            leave: vec![leave(13, 14), leave(10, 13)],
            ..active()
        };
        let err = touching.validate("members[0]");
        assert!(
            matches!(&err, Err(CrmError::Validation { field, .. }) if field == "members[0].leave"),
            "{err:?}"
        );
        let reversed = Availability {
            leave: vec![leave(12, 10)],
            ..active()
        };
        assert!(reversed.validate("m").is_err());
    }
}
