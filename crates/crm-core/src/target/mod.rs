//! Sales targets (销售目标): the tenant's fiscal calendar, targets spread over months, and
//! attainment (DESIGN §4.10). This module holds the pure rules; declaration, approval and
//! credit records build on them.

pub mod attainment;
pub mod fiscal;
pub mod spread;

pub use attainment::attainment;
pub use fiscal::{FiscalCalendar, FiscalPeriod};
pub use spread::spread_annual;
