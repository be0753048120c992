//! Recycle clocks (回收): when each automatic rule fires for a customer, the reminder
//! before it, the countdown, and the state change of a recycle.

use super::model::{Pool, RecycleKind};
use crate::customer::{Customer, DealStatus};
use crate::ids::PoolId;
use chrono::{DateTime, Duration, Utc};

/// Where one rule stands for one customer.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct RuleStatus {
    /// The rule.
    pub kind: RecycleKind,
    /// Its limit for the customer's level.
    pub limit_days: u32,
    /// The clock it measures from.
    pub clock: DateTime<Utc>,
    /// Whole days since the clock.
    pub elapsed_days: i64,
    /// Days until the rule fires (it fires when elapsed > limit): limit + 1 − elapsed.
    pub days_left: i64,
    /// The instant it fires.
    pub fires_at: DateTime<Utc>,
}

/// The clock a rule measures for an owned customer; `None` while the rule cannot fire.
pub fn rule_clock(kind: RecycleKind, c: &Customer) -> Option<DateTime<Utc>> {
    let since = c.owned_since?;
    c.owner_id?;
    match kind {
        RecycleKind::NoFollowUp => Some(c.last_owner_followup_at.map_or(since, |f| f.max(since))),
        RecycleKind::NoDeal => (c.deal_status == DealStatus::NotDealt).then_some(since),
        RecycleKind::NoOpenOpportunity => (c.open_opportunities == 0)
            .then(|| c.opportunity_changed_at.map_or(since, |t| t.max(since))),
    }
}

/// True when the pool's rules leave the customer alone (locked; dealt when exempt; an
/// exempt tier).
pub fn exempt(pool: &Pool, c: &Customer) -> bool {
    c.locked
        || (pool.rules.dealt_exempt && c.deal_status == DealStatus::Dealt)
        || c.tier
            .as_ref()
            .is_some_and(|t| pool.rules.exempt_tiers.contains(t))
}

/// Every rule of the pool that applies to the customer, with where it stands.
pub fn rule_statuses(pool: &Pool, c: &Customer, now: DateTime<Utc>) -> Vec<RuleStatus> {
    if exempt(pool, c) {
        return Vec::new();
    }
    pool.rules
        .recycle
        .iter()
        .filter_map(|rule| {
            let limit = rule.limits.for_level(c.level)?;
            let clock = rule_clock(rule.kind, c)?;
            let elapsed = super::claim::whole_days(clock, now);
            Some(RuleStatus {
                kind: rule.kind,
                limit_days: limit,
                clock,
                elapsed_days: elapsed,
                days_left: i64::from(limit) + 1 - elapsed,
                fires_at: crate::clock::plus(clock, Duration::days(i64::from(limit) + 1)),
            })
        })
        .collect()
}

/// The rule that recycles the customer now, if any (elapsed days > limit; the longest
/// overdue first).
pub fn due_recycle(pool: &Pool, c: &Customer, now: DateTime<Utc>) -> Option<RuleStatus> {
    rule_statuses(pool, c, now)
        .into_iter()
        .filter(|s| s.elapsed_days > i64::from(s.limit_days))
        .max_by_key(|s| s.elapsed_days - i64::from(s.limit_days))
}

/// Reminders due now: rules within their reminder window that were not yet reminded for
/// this clock period.
pub fn due_reminders(pool: &Pool, c: &Customer, now: DateTime<Utc>) -> Vec<RuleStatus> {
    let remind: std::collections::BTreeMap<RecycleKind, u32> = pool
        .rules
        .recycle
        .iter()
        .map(|r| (r.kind, r.remind_days_before))
        .collect();
    rule_statuses(pool, c, now)
        .into_iter()
        .filter(|s| {
            let before = i64::from(remind.get(&s.kind).copied().unwrap_or(0));
            before > 0
                && s.days_left >= 1
                && s.days_left <= before
                && c.recycle_reminders.get(s.kind.as_str()) != Some(&s.clock)
        })
        .collect()
}

/// The countdown shown for a customer: the rule closest to firing.
pub fn countdown(pool: &Pool, c: &Customer, now: DateTime<Utc>) -> Option<RuleStatus> {
    rule_statuses(pool, c, now)
        .into_iter()
        .min_by_key(|s| (s.days_left, s.fires_at))
}

/// The customer after being put into `pool` at `now` for `reason`.
pub fn into_pool(c: &Customer, pool: PoolId, reason: &str, now: DateTime<Utc>) -> Customer {
    let mut next = c.clone();
    next.previous_owner_id = c.owner_id;
    next.owner_id = None;
    next.pool_id = Some(pool);
    next.entered_pool_at = Some(now);
    next.owned_since = None;
    next.next_followup_at = None;
    next.escalated_for = None;
    next.recycle_reminders.clear();
    next.last_recycle_reason = Some(reason.to_owned());
    next.updated_at = now;
    next
}
