//! Field visits (外勤签到, DESIGN §4.9): a planned or ad hoc visit to a customer with
//! check-in and check-out evidence. The engine's clock is authoritative; the distance to the
//! customer's location is measured here ([`distance`]); doubtful evidence is flagged, never
//! refused; missing required photos are refused. See ADR 0023.

mod check_in;
mod check_out;
pub mod distance;
mod evidence;
mod model;
mod plan;
mod point;
pub mod report;
mod settings;

pub use check_in::CheckInStep;
pub use evidence::{EvidenceInput, MAX_PHOTOS};
pub use model::{Evidence, Visit, VisitFlag, VisitStatus};
pub use plan::PlanVisit;
pub use point::GeoPoint;
pub use settings::VisitSettings;
