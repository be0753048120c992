//! Attribution (归因, §4.11): how much of a won deal each marketing touch, and so each
//! campaign, earned — first touch, last touch, linear, time decay, U- and W-shaped, or custom
//! position weights — exact in the currency's minor units; and the campaign economics built on
//! it (ROI, CAC, LTV). Pure: the services feed touches and amounts in.

mod model;
mod record;
mod roi;
mod settings;
mod split;

pub use model::{AttributionModel, MAX_HALF_LIFE_DAYS};
pub use record::Attribution;
pub use roi::{cac, ltv, roi_percent};
pub use settings::{AttributionSettings, DealKind, MAX_LOOKBACK_DAYS};
pub use split::{attribute, by_campaign, CampaignCredit, TouchCredit, TouchPoint};
