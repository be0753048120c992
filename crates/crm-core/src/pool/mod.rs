//! Pools (公海, §4.3; lead pools, §4.8): pools with members and admins, claim and distribute under
//! held limits, daily caps, cooldowns and new-in-pool protection, and recycling by rule or by
//! hand with reminders and owner history.

pub mod claim;
mod counters;
mod fields;
mod history;
mod membership;
mod model;
pub mod pooled;
mod quota;
pub mod recycle;
mod recycle_pooled;

pub use claim::{
    check_claim, check_claim_customers, decide_claim, decide_take, ClaimDecision, ClaimMode,
    ClaimSnapshot, TakeCounts,
};
pub use counters::{held_deltas, ClaimCounter, HeldCounter};
pub use history::{OwnerChange, OwnerHistory};
pub use membership::{pool_for_owner, pool_of_kind_for_owner, visible_pools};
pub use model::{
    HeldLimits, LevelLimits, Members, Pool, PoolFieldMode, PoolFieldRule, PoolHolds, PoolInput,
    PoolRules, RecycleKind, RecycleRule,
};
pub use pooled::{followup_clock, Pooled};
pub use quota::{held_limit_in, pool_quota, PoolQuota, Quota};
pub use recycle::RuleStatus;
pub use recycle_pooled::due_followup_recycle;
