#![doc = include_str!("../README.md")]

pub mod actor;
pub mod clock;
pub mod error;
pub mod ids;
pub mod store;

pub use actor::Actor;
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{CrmError, CrmResult};
