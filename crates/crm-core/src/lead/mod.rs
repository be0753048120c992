//! Leads (线索, DESIGN §4.8): the record, its status flow, the merge rule and the reading of
//! import files. Assignment lives in [`crate::assignment`].

pub mod import;
mod merge;
mod model;
mod status;

pub use merge::{fill, merge_order, MergeRank, MAX_MERGE};
pub use model::{Conversion, Lead, LeadInput, LeadPatch};
pub use status::LeadStatus;
