//! Sales targets (销售目标): the tenant's fiscal calendar, targets spread over months, and
//! attainment (DESIGN §4.10). The target record keeps each revision and its approval steps;
//! credit records ([`crate::credit`]) are what achievement is measured from.

pub mod achievement;
pub mod attainment;
pub mod fiscal;
pub mod metric;
pub mod model;
pub mod spread;

pub use attainment::attainment;
pub use fiscal::{FiscalCalendar, FiscalPeriod};
pub use metric::Metric;
pub use model::{Target, TargetStatus, TargetStep, TargetSubject};
pub use spread::spread_annual;
