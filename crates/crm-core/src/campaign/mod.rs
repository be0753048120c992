//! Campaigns (营销活动, DESIGN §4.11): a hierarchy of campaigns with channel, status, period,
//! budget and actual cost per currency, their members (customers, leads, contacts) and the
//! touch log (触达) the host records, and the reach figures read from it. Attribution and ROI
//! are built on these records elsewhere.
//!
//! Everything here is pure: the records, the request types and their checks
//! ([`input`]), the hierarchy rule ([`hierarchy`]), amounts ([`amount`]) and the reach
//! figures ([`reach`]). The services in `service/campaign*.rs` load, check access, call
//! these and apply.

pub mod amount;
pub mod hierarchy;
pub mod input;
pub mod model;
pub mod reach;
pub mod touch;

pub use amount::{cost_amount, CostTotals};
pub use hierarchy::{check_parent, MAX_DEPTH};
pub use input::{CampaignInput, CampaignPatch};
pub use model::{
    Campaign, CampaignChannel, CampaignCost, CampaignMember, CampaignStatus, MemberKind,
};
pub use reach::{reach_figures, KindCount, Rate, ReachCounts};
pub use touch::{Touch, TouchInput, TouchKind, TouchSubject, FUTURE_SLACK_SECS, MAX_TOUCH_BATCH};
