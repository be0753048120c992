//! The figures of the visit report (per rep and period): visits checked in, checked out,
//! flagged (per flag) and the time on site.

use super::model::{Visit, VisitFlag};
use serde::{Deserialize, Serialize};

/// Visits carrying each flag.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct FlagCounts {
    /// Flagged `out_of_range`.
    pub out_of_range: u64,
    /// Flagged `clock_skew`.
    pub clock_skew: u64,
    /// Flagged `impossible_travel`.
    pub impossible_travel: u64,
    /// Flagged `mock_location`.
    pub mock_location: u64,
}

/// The figures of a set of visits.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct VisitFigures {
    /// Visits checked in.
    pub visits: u64,
    /// Of those, checked out.
    pub checked_out: u64,
    /// Visits with at least one flag.
    pub flagged: u64,
    /// Visits per flag.
    pub flags: FlagCounts,
    /// Seconds on site over the checked-out visits.
    pub seconds_on_site: i64,
    /// Average seconds on site per checked-out visit, rounded half up (none: none checked
    /// out).
    pub average_seconds_on_site: Option<i64>,
}

impl VisitFigures {
    /// Counts one checked-in visit.
    pub fn add(&mut self, visit: &Visit) {
        if visit.check_in.is_none() {
            return;
        }
        self.visits += 1;
        if let Some(secs) = visit.duration_secs {
            self.checked_out += 1;
            self.seconds_on_site = self.seconds_on_site.saturating_add(secs.max(0));
        }
        let flags = visit.flags();
        if !flags.is_empty() {
            self.flagged += 1;
        }
        for flag in flags {
            let count = match flag {
                VisitFlag::OutOfRange => &mut self.flags.out_of_range,
                VisitFlag::ClockSkew => &mut self.flags.clock_skew,
                VisitFlag::ImpossibleTravel => &mut self.flags.impossible_travel,
                VisitFlag::MockLocation => &mut self.flags.mock_location,
            };
            *count += 1;
        }
        self.average_seconds_on_site = average(self.seconds_on_site, self.checked_out);
    }
}

/// `total / n` rounded half up (both non-negative), none for no items.
fn average(total: i64, n: u64) -> Option<i64> {
    let n = i128::from(n);
    (n > 0).then(|| {
        let avg = (i128::from(total) * 2 + n) / (2 * n);
        i64::try_from(avg).unwrap_or(i64::MAX)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn averages_round_half_up() {
        assert_eq!(average(0, 0), None);
        assert_eq!(average(3, 2), Some(2));
        assert_eq!(average(5, 4), Some(1));
        assert_eq!(average(6, 4), Some(2));
        assert_eq!(average(3600, 1), Some(3600));
    }
}
