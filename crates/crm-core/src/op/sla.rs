//! `sla.*`: business calendars, SLA policies and the SLA compliance report.

use super::{facet, operation};
use crate::actor::Actor;
use crate::ids::BusinessCalendarId;
use crate::service::{BusinessDue, BusinessSpan, SlaGroupBy, SlaReportRow};
use crate::sla::{BusinessCalendar, Calendar, SlaPolicy};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

facet!(
    /// SLA policies, the business calendar and SLA reports.
    sla -> SlaOps {
        save_calendar: SaveCalendar,
        save_policy: SaveSlaPolicy,
        list_policies: ListSlaPolicies,
        report: SlaReport,
        add_business: AddBusiness,
        business_between: BusinessBetween,
    }
);

/// Creates or replaces a business calendar.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveCalendar {
    /// The calendar to replace (absent: a new one).
    #[serde(default)]
    pub id: Option<BusinessCalendarId>,
    /// Name.
    pub name: String,
    /// Time zone, weekly hours, holidays and overrides.
    pub calendar: Calendar,
}

operation!(SaveCalendar, "sla.save_calendar", Settings, Update, BusinessCalendar,
    "Creates (no id) or replaces a business calendar (tenant admins). Returns it with its id and version.",
    |crm, actor, r| crm.save_calendar(actor, r.id.map(|c| c.0), &r.name, r.calendar));

/// Creates or replaces an SLA policy: an [`SlaPolicy`] whose `tenant` is the actor's
/// (a `tenant` in the request is ignored) and whose `id` is 0 or absent for a new policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct SaveSlaPolicy(pub SlaPolicy);

impl SaveSlaPolicy {
    /// The policy in the actor's tenant.
    fn policy(self, actor: Actor) -> SlaPolicy {
        SlaPolicy {
            tenant: actor.tenant(),
            ..self.0
        }
    }
}

operation!(
    SaveSlaPolicy,
    "sla.save_policy",
    Settings,
    Update,
    SlaPolicy,
    "Creates (id 0 or absent) or replaces an SLA policy (tenant admins).",
    |crm, actor, r| crm.save_sla_policy(actor, r.policy(actor))
);

/// Lists the tenant's SLA policies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListSlaPolicies {}

operation!(
    ListSlaPolicies,
    "sla.list_policies",
    Settings,
    Read,
    Vec<SlaPolicy>,
    "The tenant's SLA policies in matching order.",
    |crm, actor, _r| crm.list_sla_policies(actor)
);

/// SLA compliance of the tickets created in `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SlaReport {
    /// Start (inclusive).
    pub from: DateTime<Utc>,
    /// End (exclusive).
    pub to: DateTime<Utc>,
    /// How rows are grouped (default `all`: one row).
    #[serde(default)]
    pub group_by: SlaGroupBy,
}

operation!(SlaReport, "sla.report", Reports, Read, Vec<SlaReportRow>,
    "SLA compliance of tickets created in [from, to): met, breached and pending per metric, grouped.",
    |crm, actor, r| crm.sla_report(actor, r.from, r.to, r.group_by));

/// Adds business time to an instant on a calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddBusiness {
    /// The calendar.
    pub calendar_id: BusinessCalendarId,
    /// The instant to count from.
    pub start: DateTime<Utc>,
    /// Business seconds to add, 0..=316224000.
    pub seconds: i64,
}

operation!(AddBusiness, "sla.add_business", Settings, Read, BusinessDue,
    "The instant `seconds` of business time after `start` on a calendar, as the SLA clocks compute it, and when the clock starts running.",
    |crm, actor, r| crm.add_business(actor, r.calendar_id, r.start, r.seconds));

/// Business time between two instants on a calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BusinessBetween {
    /// The calendar.
    pub calendar_id: BusinessCalendarId,
    /// Start (inclusive).
    pub from: DateTime<Utc>,
    /// End (exclusive).
    pub to: DateTime<Utc>,
}

operation!(
    BusinessBetween,
    "sla.business_between",
    Settings,
    Read,
    BusinessSpan,
    "Business seconds in [from, to) on a calendar (0 when to <= from).",
    |crm, actor, r| crm.business_between(actor, r.calendar_id, r.from, r.to)
);
