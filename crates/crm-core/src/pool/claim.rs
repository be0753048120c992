//! The claim / distribute decision (领取 / 分配), pure: snapshot in, new rows or the first
//! rule that refuses out. A batch is all-or-nothing; a refused batch changes nothing and so
//! uses no quota.

use super::counters::{held_deltas, ClaimCounter, HeldCounter};
use super::model::Pool;
use crate::customer::Customer;
use crate::error::{CrmError, CrmResult};
use crate::ids::UserId;
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeSet;

/// Claim by the new owner, or distribution by a pool admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClaimMode {
    /// The claimant takes the customers (cap, cooldown and protection apply).
    Claim,
    /// A pool admin gives them to the claimant.
    Distribute,
}

/// Everything the decision reads.
#[derive(Debug, Clone)]
pub struct ClaimSnapshot<'a> {
    /// The pool.
    pub pool: &'a Pool,
    /// The customers asked for, as stored.
    pub customers: Vec<Customer>,
    /// The new owner.
    pub claimant: UserId,
    /// The new owner's held counter as read.
    pub held: HeldCounter,
    /// The held limit that applies to the new owner (`None` = no limit or exempt).
    pub held_limit: Option<u32>,
    /// Whether dealt customers count against the limit.
    pub count_dealt: bool,
    /// Today's claim counter of the claimant in this pool, as read (claims only).
    pub daily: Option<ClaimCounter>,
    /// Now.
    pub now: DateTime<Utc>,
}

/// What a successful claim writes.
#[derive(Debug, Clone)]
pub struct ClaimDecision {
    /// (before, after) per customer.
    pub customers: Vec<(Customer, Customer)>,
    /// The new owner's counter after the claim (version as read).
    pub held: HeldCounter,
    /// The daily counter after the claim (claims only; version as read, 0 = new).
    pub daily_claims: i64,
}

/// Whole 24-hour days from `from` to `to` (negative spans count as 0).
pub fn whole_days(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    ((to - from).num_seconds().max(0)) / 86_400
}

/// The checks of a claim or distribution that read only the pool and the customers (not
/// the counters), in the order [`decide_claim`] makes them: none given or one given twice,
/// not in the pool, new-in-pool protection, previous-owner cooldown. The service makes them
/// before reading any counter, so a refused attempt costs no more reads.
pub fn check_claim_customers(
    pool: &Pool,
    customers: &[Customer],
    claimant: UserId,
    now: DateTime<Utc>,
    mode: ClaimMode,
) -> CrmResult<()> {
    if customers.is_empty() {
        return Err(CrmError::validation("customer_ids", "must not be empty"));
    }
    let mut ids = BTreeSet::new();
    for c in customers {
        if !ids.insert(c.id) {
            return Err(CrmError::validation(
                "customer_ids",
                format!("customer {} given twice", c.id),
            ));
        }
    }
    let rules = &pool.rules;
    for c in customers {
        if c.pool_id != Some(pool.id) || c.owner_id.is_some() {
            return Err(CrmError::rule(
                "not_in_pool",
                format!("customer {} is not in pool {}", c.id, pool.id),
            ));
        }
        if mode == ClaimMode::Claim {
            let entered = c.entered_pool_at.unwrap_or(c.created_at);
            let hours = i64::from(rules.new_in_pool_protection_hours);
            if hours > 0 && now < crate::clock::plus(entered, Duration::hours(hours)) {
                return Err(CrmError::rule(
                    "new_in_pool_protection",
                    format!(
                        "customer {} entered the pool less than {hours} hours ago",
                        c.id
                    ),
                ));
            }
            let cooldown = i64::from(rules.previous_owner_cooldown_days);
            if cooldown > 0
                && c.previous_owner_id == Some(claimant)
                && whole_days(entered, now) <= cooldown
            {
                return Err(CrmError::rule(
                    "previous_owner_cooldown",
                    format!(
                        "customer {} left you {} whole day(s) ago; wait until more than {cooldown}",
                        c.id,
                        whole_days(entered, now)
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Decides a claim or distribution.
pub fn decide_claim(s: ClaimSnapshot<'_>, mode: ClaimMode) -> CrmResult<ClaimDecision> {
    check_claim_customers(s.pool, &s.customers, s.claimant, s.now, mode)?;
    let n = s.customers.len() as i64;
    let rules = &s.pool.rules;
    let mut daily_claims = 0;
    if mode == ClaimMode::Claim {
        let today = s.daily.as_ref().map(|d| d.claims).unwrap_or(0);
        if let Some(cap) = rules.daily_claim_cap {
            if today + n > i64::from(cap) {
                return Err(CrmError::rule(
                    "daily_claim_cap",
                    format!("{today} claimed today, {n} more would pass the cap of {cap}"),
                ));
            }
        }
        daily_claims = today + n;
    }
    if let Some(limit) = s.held_limit {
        let counted = s.held.counted(s.count_dealt);
        if counted + n > i64::from(limit) {
            return Err(CrmError::rule(
                "held_limit",
                format!(
                    "user {} holds {counted}, {n} more would pass the limit of {limit}",
                    s.claimant
                ),
            ));
        }
    }
    let customers: Vec<(Customer, Customer)> = s
        .customers
        .into_iter()
        .map(|before| {
            let mut after = before.clone();
            after.owner_id = Some(s.claimant);
            after.pool_id = None;
            after.last_pool_id = Some(s.pool.id);
            after.owned_since = Some(s.now);
            after.last_owner_followup_at = None;
            after.escalated_for = None;
            after.opportunity_changed_at = Some(s.now);
            after.recycle_reminders.clear();
            after.updated_at = s.now;
            (before, after)
        })
        .collect();
    // The claimant's counter moves as every held counter does (one rule: held_deltas).
    let mut held = s.held.clone();
    if let Some(delta) = held_deltas(customers.iter().map(|(b, a)| (Some(b), a))).get(&s.claimant) {
        held.add(*delta);
    }
    Ok(ClaimDecision {
        customers,
        held,
        daily_claims,
    })
}
