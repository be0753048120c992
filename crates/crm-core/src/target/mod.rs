//! Sales targets (销售目标): the tenant's fiscal calendar, targets spread over months, and
//! attainment (DESIGN §4.10). The target record keeps each revision and its approval steps;
//! credit records ([`crate::credit`]) are what achievement is measured from.

pub mod achievement;
pub mod attainment;
pub mod declaration;
pub mod fiscal;
pub mod metric;
pub mod model;
pub mod settings;
pub mod spread;

pub use attainment::attainment;
pub use declaration::{declared_months, DeclareTarget};
pub use fiscal::{FiscalCalendar, FiscalPeriod};
pub use metric::Metric;
pub use model::{Target, TargetStatus, TargetStep, TargetSubject};
pub use settings::TargetSettings;
pub use spread::spread_annual;
