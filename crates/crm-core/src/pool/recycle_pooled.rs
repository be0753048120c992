//! The recycle rule for pooled records without levels or deals (leads, §4.8): only
//! `no_followup` applies, with the rule's `unleveled` limit, on the clock of
//! [`followup_clock`] and the due rule of [`DueWindow`](super::recycle::DueWindow) — the
//! same cut-offs as customers' (fires when elapsed whole days > limit).

use super::model::{Pool, RecycleKind};
use super::pooled::{followup_clock, Pooled};
use super::recycle::{rule_status, RuleStatus};
use chrono::{DateTime, Utc};

/// The `no_followup` rule of `pool` when it recycles `t` at `now`, else `None` (no such
/// rule, no `unleveled` limit, unowned, or not yet due).
pub fn due_followup_recycle<T: Pooled>(
    pool: &Pool,
    t: &T,
    now: DateTime<Utc>,
) -> Option<RuleStatus> {
    let rule = pool
        .rules
        .recycle
        .iter()
        .find(|r| r.kind == RecycleKind::NoFollowUp)?;
    let limit = rule.limits.for_level(None)?;
    let clock = followup_clock(t)?;
    let (status, window) = rule_status(rule, limit, clock, now);
    window.fires(clock).then_some(status)
}
