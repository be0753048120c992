//! The check-out rule: only after check-in, once; the duration on site is derived from the
//! two server times.

use super::model::{Evidence, Visit, VisitStatus};
use crate::error::{CrmError, CrmResult};

impl Visit {
    /// The visit checked out with `evidence`: refused before check-in (`not_checked_in`),
    /// after check-out (`already_checked_out`), when cancelled (`visit_cancelled`), and when
    /// the engine's clock reads earlier than the check-in (`check_out_before_check_in`).
    pub fn checked_out(&self, evidence: Evidence) -> CrmResult<Visit> {
        let check_in = match (self.status, &self.check_in) {
            (VisitStatus::CheckedIn, Some(check_in)) => check_in,
            (VisitStatus::Cancelled, _) => {
                return Err(CrmError::rule(
                    "visit_cancelled",
                    format!("visit {} was cancelled", self.id),
                ))
            }
            (VisitStatus::CheckedOut, _) => {
                return Err(CrmError::rule(
                    "already_checked_out",
                    format!("visit {} is already checked out", self.id),
                ))
            }
            _ => {
                return Err(CrmError::rule(
                    "not_checked_in",
                    format!("visit {} is not checked in: check in first", self.id),
                ))
            }
        };
        if evidence.at < check_in.at {
            return Err(CrmError::rule(
                "check_out_before_check_in",
                format!(
                    "check-out at {} precedes the check-in at {}",
                    evidence.at.to_rfc3339(),
                    check_in.at.to_rfc3339()
                ),
            ));
        }
        let duration = (evidence.at - check_in.at).num_seconds();
        Ok(Visit {
            status: VisitStatus::CheckedOut,
            duration_secs: Some(duration),
            updated_at: evidence.at,
            check_out: Some(evidence),
            ..self.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{CustomerId, FollowUpId, TenantId, UserId, VisitId};
    use crate::visit::GeoPoint;
    use chrono::{DateTime, Duration, TimeZone, Utc};

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

    fn rule_of(r: CrmResult<Visit>) -> Option<String> {
        match r {
            Err(CrmError::RuleViolation { rule, .. }) => Some(rule),
            _ => None,
        }
    }

    #[test]
    fn check_out_follows_check_in_once() {
        let planned = Visit::blank(
            TenantId(1),
            VisitId(1),
            CustomerId(1),
            UserId(12),
            None,
            t0(),
        );
        assert_eq!(
            rule_of(planned.checked_out(evidence(t0()))).as_deref(),
            Some("not_checked_in")
        );
        let inside = planned.checked_in(evidence(t0()), FollowUpId(3));
        assert_eq!(
            rule_of(inside.checked_out(evidence(t0() - Duration::seconds(1)))).as_deref(),
            Some("check_out_before_check_in")
        );
        let done = inside
            .checked_out(evidence(t0() + Duration::minutes(45)))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (done.status, done.duration_secs),
            (VisitStatus::CheckedOut, Some(2700))
        );
        assert_eq!(
            rule_of(done.checked_out(evidence(t0() + Duration::hours(1)))).as_deref(),
            Some("already_checked_out")
        );
        let same_instant = inside.checked_out(evidence(t0())).map(|v| v.duration_secs);
        assert_eq!(same_instant.ok(), Some(Some(0)));
    }
}
