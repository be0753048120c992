//! Leads (线索, DESIGN §4.8): the record, its status flow and the merge rule. Assignment lives in
//! [`crate::assignment`].

mod merge;
mod model;
mod status;

pub use merge::{fill, merge_order, MergeRank, MAX_MERGE};
pub use model::{Conversion, Lead, LeadInput, LeadPatch};
pub use status::LeadStatus;
