//! The names most hosts need, in one import: `use crm_core::prelude::*;` — the engine, the
//! actor, errors, ids, the operation requests and the `Operation` trait, records as an actor
//! sees them, and the store trait a host's database implements.

pub use crate::actor::Actor;
pub use crate::clock::{Clock, FixedClock, SystemClock};
pub use crate::error::{CrmError, CrmResult};
pub use crate::ids::*;
pub use crate::op::*;
pub use crate::service::{Crm, Page};
pub use crate::store::Store;
pub use crate::view::{Visible, VisibleJson};
