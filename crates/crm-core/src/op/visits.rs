//! `visit.*`: field visits (外勤签到) — plan, check in and out with evidence, cancel, read,
//! list, the report and the tenant's visit settings.

use super::{facet, operation};
use crate::ids::VisitId;
pub use crate::service::{CheckInVisit, CheckOutVisit, VisitFilter, VisitReportRequest};
use crate::service::{Page, VisitCheckIn, VisitReport};
use crate::visit::Visit;
pub use crate::visit::{PlanVisit, VisitSettings};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

facet!(
    /// Field visits (外勤签到): plan visits to customers, check in and out with GPS and
    /// photo evidence, and review them.
    visits -> VisitOps {
        plan: PlanVisit,
        check_in: CheckInVisit,
        check_out: CheckOutVisit,
        cancel: CancelVisit,
        get: GetVisit,
        list: VisitFilter,
        report: VisitReportRequest,
        settings: GetVisitSettings,
        set_settings: SetVisitSettings,
    }
);

operation!(PlanVisit, "visit.plan", Visits, Create, Visit,
    "Plans a visit to a customer the actor may read, for a visitor in the actor's visit scope (default the actor), in a window of at most 31 days. Answers the planned visit.",
    |crm, actor, r| crm.plan_visit(actor, r));

operation!(CheckInVisit, "visit.check_in", Visits, Update, VisitCheckIn,
    "Checks the acting user in at a customer: a planned visit of theirs (visit_id), or ad hoc (customer_id: a visit is created checked in). Server time is authoritative; the distance to the customer's location is measured by haversine; out_of_range, clock_skew, impossible_travel and mock_location are flagged, never refused; photos the tenant requires are enforced (field photos). Records a follow-up of kind visit on the customer (restarting the owner's recycle clock). The same check-in again within the tenant's repeat window answers the first one and writes nothing (repeated); later it is refused (already_checked_in).",
    |crm, actor, r| crm.check_in_visit(actor, r));

operation!(CheckOutVisit, "visit.check_out", Visits, Update, Visit,
    "Checks the acting user out of their checked-in visit: the evidence is flagged like a check-in's and the time on site derived. Refused before check-in (not_checked_in) and after check-out (already_checked_out).",
    |crm, actor, r| crm.check_out_visit(actor, r));

/// Cancels a planned visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelVisit {
    /// The visit (planned).
    pub id: VisitId,
    /// Why.
    #[serde(default)]
    pub reason: Option<String>,
}

operation!(CancelVisit, "visit.cancel", Visits, Update, Visit,
    "Cancels a planned visit in the actor's visit scope (one checked in is refused: visit_not_planned).",
    |crm, actor, r| crm.cancel_visit(actor, r.id, r.reason));

/// Reads one visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetVisit {
    /// The visit.
    pub id: VisitId,
}

operation!(
    GetVisit,
    "visit.get",
    Visits,
    Read,
    Visit,
    "One visit whose visitor the actor's visit scope reaches (others are not found).",
    |crm, actor, r| crm.get_visit(actor, r.id)
);

operation!(VisitFilter, "visit.list", Visits, Read, Page<Visit>,
    "Visits in the actor's visit scope, oldest first, by visitor, customer, status, period (check-in, else planned start) and flagged, a page at a time.",
    |crm, actor, r| crm.list_visits(actor, r));

operation!(VisitReportRequest, "visit.report", Visits, Read, VisitReport,
    "Per visitor over the visits the actor may read checked in during [from, to] (local days; reports read too): visits, checked out, flagged and per flag, total and average seconds on site.",
    |crm, actor, r| crm.visit_report(actor, r));

/// Reads the tenant's visit settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetVisitSettings {}

operation!(GetVisitSettings, "visit.settings", Settings, Read, VisitSettings,
    "The tenant's visit settings: geofence radius, photos, clock-skew tolerance, travel speed limit, repeat window (any user of the tenant).",
    |crm, actor, _r| crm.visit_settings(actor));

/// Replaces the tenant's visit settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetVisitSettings {
    /// The new settings.
    pub settings: VisitSettings,
}

operation!(SetVisitSettings, "visit.set_settings", Settings, Update, VisitSettings,
    "Replaces the tenant's visit settings (tenant admins and the system actor); each is validated and named on refusal.",
    |crm, actor, r| crm.set_visit_settings(actor, r.settings));
