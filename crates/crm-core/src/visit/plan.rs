//! Planning a visit and cancelling it before check-in.

use super::model::{Visit, VisitStatus};
use crate::error::{CrmError, CrmResult};
use crate::ids::{CustomerId, TenantId, UserId, VisitId};
use crate::validate::{optional_text, MAX_TEXT};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Longest planned window.
const MAX_WINDOW_DAYS: i64 = 31;

/// Plans a visit (`visit.plan`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanVisit {
    /// The customer to visit (one the actor may read).
    pub customer_id: CustomerId,
    /// The visitor (default: the acting user; within the actor's visit scope).
    #[serde(default)]
    pub owner_id: Option<UserId>,
    /// Start of the planned window.
    pub start: DateTime<Utc>,
    /// End of the planned window (after the start, at most 31 days later).
    pub end: DateTime<Utc>,
    /// Purpose of the visit.
    #[serde(default)]
    pub purpose: Option<String>,
}

impl Visit {
    /// A planned visit from a validated request; errors name the field.
    pub fn planned(
        tenant: TenantId,
        id: VisitId,
        owner: UserId,
        plan: &PlanVisit,
        created_by: Option<UserId>,
        now: DateTime<Utc>,
    ) -> CrmResult<Visit> {
        let start = crate::clock::truncate_micros(plan.start);
        let end = crate::clock::truncate_micros(plan.end);
        if end <= start {
            return Err(CrmError::validation("end", "must be after start"));
        }
        if end - start > Duration::days(MAX_WINDOW_DAYS) {
            return Err(CrmError::validation(
                "end",
                format!("a planned window is at most {MAX_WINDOW_DAYS} days"),
            ));
        }
        let mut visit = Visit::blank(tenant, id, plan.customer_id, owner, created_by, now);
        visit.planned_start = Some(start);
        visit.planned_end = Some(end);
        visit.purpose = optional_text(plan.purpose.as_deref(), "purpose", MAX_TEXT)?;
        Ok(visit)
    }

    /// A visit with nothing planned or recorded yet (an ad hoc check-in fills it).
    pub fn blank(
        tenant: TenantId,
        id: VisitId,
        customer: CustomerId,
        owner: UserId,
        created_by: Option<UserId>,
        now: DateTime<Utc>,
    ) -> Visit {
        Visit {
            tenant,
            id,
            version: 1,
            customer_id: customer,
            owner_id: owner,
            status: VisitStatus::Planned,
            planned_start: None,
            planned_end: None,
            purpose: None,
            check_in: None,
            check_out: None,
            duration_secs: None,
            followup_id: None,
            cancel_reason: None,
            created_by,
            created_at: now,
            updated_at: now,
        }
    }

    /// The visit cancelled (planned ones only: `visit_not_planned` otherwise).
    pub fn cancelled(&self, reason: Option<&str>, now: DateTime<Utc>) -> CrmResult<Visit> {
        if self.status != VisitStatus::Planned {
            return Err(CrmError::rule(
                "visit_not_planned",
                format!(
                    "visit {} is {}: only a planned visit is cancelled",
                    self.id, self.status
                ),
            ));
        }
        Ok(Visit {
            status: VisitStatus::Cancelled,
            cancel_reason: optional_text(reason, "reason", MAX_TEXT)?,
            updated_at: now,
            ..self.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, h, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn plan(start: DateTime<Utc>, end: DateTime<Utc>) -> PlanVisit {
        PlanVisit {
            customer_id: CustomerId(1),
            owner_id: None,
            start,
            end,
            purpose: Some("demo".into()),
        }
    }

    #[test]
    fn windows_and_cancellation() {
        let make =
            |p: &PlanVisit| Visit::planned(TenantId(1), VisitId(1), UserId(12), p, None, t(0));
        let v = make(&plan(t(2), t(3))).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v.status, VisitStatus::Planned);
        assert!(matches!(
            make(&plan(t(3), t(3))),
            Err(CrmError::Validation { ref field, .. }) if field == "end"
        ));
        let long = plan(t(0), t(0) + Duration::days(31) + Duration::seconds(1));
        assert!(make(&long).is_err());
        assert!(make(&plan(t(0), t(0) + Duration::days(31))).is_ok());
        let c = v
            .cancelled(Some("rain"), t(1))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (c.status, c.cancel_reason.as_deref()),
            (VisitStatus::Cancelled, Some("rain"))
        );
        assert!(matches!(
            c.cancelled(None, t(1)),
            Err(CrmError::RuleViolation { ref rule, .. }) if rule == "visit_not_planned"
        ));
    }
}
