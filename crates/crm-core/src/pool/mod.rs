//! The customer pool (公海, §4.3): pools with members and admins, claim and distribute under
//! held limits, daily caps, cooldowns and new-in-pool protection, and recycling by rule or by
//! hand with reminders and owner history.

pub mod claim;
mod counters;
mod fields;
mod history;
mod membership;
mod model;
mod quota;
pub mod recycle;

pub use claim::{check_claim_customers, decide_claim, ClaimDecision, ClaimMode, ClaimSnapshot};
pub use counters::{held_deltas, ClaimCounter, HeldCounter};
pub use history::{OwnerChange, OwnerHistory};
pub use membership::{pool_for_owner, visible_pools};
pub use model::{
    HeldLimits, LevelLimits, Members, Pool, PoolFieldMode, PoolFieldRule, PoolInput, PoolRules,
    RecycleKind, RecycleRule,
};
pub use quota::{held_limit_in, pool_quota, PoolQuota, Quota};
pub use recycle::RuleStatus;
