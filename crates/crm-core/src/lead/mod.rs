//! Leads (线索, DESIGN §4.8): the record, its status flow, the merge rule, the
//! first-contact clock, the report figures and the reading of import files. Assignment lives
//! in [`crate::assignment`].

mod first_contact;
pub mod import;
mod merge;
mod model;
mod pooled;
pub mod report;
mod settings;
mod status;

pub use first_contact::{
    FirstContactClock, FirstContactFired, FirstContactSettings, MAX_FIRST_CONTACT_HOURS,
};
pub use merge::{fill, merge_order, MergeRank, MAX_MERGE};
pub use model::{Conversion, Lead, LeadInput, LeadPatch};
pub use settings::LeadSettings;
pub use status::LeadStatus;
