//! SLA clock arithmetic (§4.6): business calendars and deadlines with pauses, as pure
//! functions of plain data.
//!
//! - [`Calendar`] is the serde-serializable configuration (IANA zone, working intervals per
//!   weekday, holidays, date overrides); [`Calendar::compile`] validates it into a
//!   [`CompiledCalendar`], which answers [`CompiledCalendar::add_business`] and
//!   [`CompiledCalendar::business_between`] in time independent of the span covered.
//! - [`deadline`] computes an SLA due instant from a start, a target in business seconds and
//!   the intervals during which the clock was paused; [`elapsed_business`] is its inverse.
//!
//! See the [`calendar`] module for the exact conventions (second precision, DST, overnight
//! shifts, holidays, the end-of-period rule and zero budgets).

pub mod calendar;
mod deadline;
mod metric;
mod policy;
mod ticket_class;

pub use calendar::{Calendar, CompiledCalendar, DateOverride, WorkInterval};
pub use deadline::{deadline, elapsed_business};
pub use metric::{display, MetricKind, MetricStop, SlaDisplay, SlaFired, SlaMetric, TicketSla};
pub use ticket_class::{Channel, Priority, TicketStatus};
// The defaults of an `SlaPolicy`'s optional members, for requests that carry one.
pub use policy::{
    select_policy, BusinessCalendar, Escalation, EscalationAction, PolicyConditions,
    PriorityTargets, SlaPolicy, Targets, WarningLead,
};
