#![doc = include_str!("../README.md")]

pub mod access;
pub mod actor;
pub mod agenda;
pub mod assignment;
pub mod attribution;
pub mod audience;
pub mod calendar;
pub mod campaign;
pub mod clock;
pub mod commission;
pub mod contact;
pub mod contract;
pub mod credit;
pub mod customer;
pub mod error;
pub mod followup;
pub mod ids;
pub mod lead;
pub mod money;
pub mod op;
pub mod opportunity;
pub mod org;
pub mod pool;
pub mod prelude;
pub mod sales;
pub mod segment;
pub mod service;
pub mod sla;
pub mod store;
pub mod tag;
pub mod target;
pub mod task;
pub mod tenant;
pub mod ticket;
pub mod tier;
pub mod validate;
pub mod view;
pub mod visit;

#[cfg(feature = "testkit")]
pub mod testkit;

pub use actor::Actor;
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{CrmError, CrmResult};
pub use service::Crm;
