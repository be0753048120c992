//! Business-time arithmetic on a tenant's calendar as operations, so hosts compute due
//! dates exactly as the SLA clocks do (`sla.add_business`, `sla.business_between`).

use super::Crm;
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::ids::BusinessCalendarId;
use crate::store::Store;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Longest business duration accepted: ten years of round-the-clock seconds.
pub const MAX_BUSINESS_SECS: i64 = 10 * 366 * 86_400;

/// The instant a business-time budget runs out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BusinessDue {
    /// When the clock starts running (the next opening at or after `start`).
    pub clock_starts_at: DateTime<Utc>,
    /// The earliest instant with exactly `seconds` of business time after `start`.
    pub due_at: DateTime<Utc>,
}

/// Business time between two instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BusinessSpan {
    /// Working seconds in `[from, to)` (0 when `to <= from`).
    pub seconds: i64,
}

impl<S: Store> Crm<S> {
    /// `seconds` of business time after `start` on calendar `calendar_id` (any user of the
    /// tenant; calendars hold no customer data).
    pub async fn add_business(
        &self,
        actor: Actor,
        calendar_id: BusinessCalendarId,
        start: DateTime<Utc>,
        seconds: i64,
    ) -> CrmResult<BusinessDue> {
        if !(0..=MAX_BUSINESS_SECS).contains(&seconds) {
            return Err(CrmError::validation(
                "seconds",
                format!("must be 0..={MAX_BUSINESS_SECS}"),
            ));
        }
        let ctx = self.ctx(actor).await?;
        let (_, cal) = self.compiled_calendar(&ctx, calendar_id).await?;
        Ok(BusinessDue {
            clock_starts_at: cal.clock_start(start),
            due_at: cal.add_business(start, seconds),
        })
    }

    /// Business seconds in `[from, to)` on calendar `calendar_id` (any user of the tenant).
    pub async fn business_between(
        &self,
        actor: Actor,
        calendar_id: BusinessCalendarId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> CrmResult<BusinessSpan> {
        let ctx = self.ctx(actor).await?;
        let (_, cal) = self.compiled_calendar(&ctx, calendar_id).await?;
        Ok(BusinessSpan {
            seconds: cal.business_between(from, to),
        })
    }
}
