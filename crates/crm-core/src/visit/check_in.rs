//! The check-in rule: what a check-in on a visit does — record it, answer the first one
//! again within the repeat window, or refuse.

use super::model::{Evidence, Visit, VisitStatus};
use crate::error::{CrmError, CrmResult};
use crate::ids::FollowUpId;
use chrono::{DateTime, Duration, Utc};

/// What a check-in on an existing visit does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckInStep {
    /// Record it: the visit is planned.
    Record,
    /// Answer the first check-in again and write nothing: the same check-in came again
    /// within the tenant's repeat window.
    Repeat,
}

impl Visit {
    /// Decides a check-in at `now`: a planned visit is checked in; one checked in (or out)
    /// within `window_secs` of its check-in answers that check-in again; later the repeat is
    /// refused (`already_checked_in`); a cancelled visit is refused (`visit_cancelled`).
    pub fn check_in_step(&self, now: DateTime<Utc>, window_secs: u32) -> CrmResult<CheckInStep> {
        if self.status == VisitStatus::Cancelled {
            return Err(CrmError::rule(
                "visit_cancelled",
                format!("visit {} was cancelled", self.id),
            ));
        }
        match &self.check_in {
            None => Ok(CheckInStep::Record),
            Some(first) if now - first.at <= Duration::seconds(i64::from(window_secs)) => {
                Ok(CheckInStep::Repeat)
            }
            Some(first) => Err(CrmError::rule(
                "already_checked_in",
                format!(
                    "visit {} was checked in at {}, more than {window_secs} s ago",
                    self.id,
                    first.at.to_rfc3339()
                ),
            )),
        }
    }

    /// The visit checked in with `evidence`, linked to the follow-up the check-in recorded.
    pub fn checked_in(&self, evidence: Evidence, followup: FollowUpId) -> Visit {
        Visit {
            status: VisitStatus::CheckedIn,
            updated_at: evidence.at,
            check_in: Some(evidence),
            followup_id: Some(followup),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{CustomerId, TenantId, UserId, VisitId};
    use crate::visit::GeoPoint;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn evidence(at: DateTime<Utc>) -> Evidence {
        Evidence {
            at,
            client_at: None,
            location: GeoPoint {
                latitude: 31.0,
                longitude: 121.0,
            },
            accuracy_m: 5.0,
            photos: vec![],
            mock_location: false,
            distance_m: None,
            speed_kmh: None,
            flags: vec![],
        }
    }

    #[test]
    fn repeats_within_the_window_answer_the_first() {
        let v = Visit::blank(
            TenantId(1),
            VisitId(1),
            CustomerId(1),
            UserId(12),
            None,
            t0(),
        );
        assert_eq!(v.check_in_step(t0(), 120).ok(), Some(CheckInStep::Record));
        let v = v.checked_in(evidence(t0()), FollowUpId(9));
        assert_eq!(v.status, VisitStatus::CheckedIn);
        let at = |s: i64| v.check_in_step(t0() + Duration::seconds(s), 120);
        assert_eq!(at(120).ok(), Some(CheckInStep::Repeat));
        assert!(matches!(
            at(121),
            Err(CrmError::RuleViolation { ref rule, .. }) if rule == "already_checked_in"
        ));
        let cancelled = Visit {
            status: VisitStatus::Cancelled,
            ..Visit::blank(
                TenantId(1),
                VisitId(2),
                CustomerId(1),
                UserId(12),
                None,
                t0(),
            )
        };
        assert!(matches!(
            cancelled.check_in_step(t0(), 120),
            Err(CrmError::RuleViolation { ref rule, .. }) if rule == "visit_cancelled"
        ));
    }
}
