//! The claim / distribute decision (领取 / 分配), pure: snapshot in, new rows or the first
//! rule that refuses out — one decision for every [`Pooled`] record (customers, leads). A batch is all-or-nothing; a refused batch changes nothing and so
//! uses no quota.

use super::counters::{held_deltas, ClaimCounter, HeldCounter};
use super::model::Pool;
use super::pooled::Pooled;
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

/// The checks of a claim or distribution that read only the pool and the records (not the
/// counters), in the order [`decide_claim`] makes them: none given or one given twice, not
/// in the pool, new-in-pool protection, previous-owner cooldown. The service makes them
/// before reading any counter, so a refused attempt costs no more reads. The same checks
/// serve customers and leads ([`Pooled`]).
pub fn check_claim<T: Pooled>(
    pool: &Pool,
    items: &[T],
    claimant: UserId,
    now: DateTime<Utc>,
    mode: ClaimMode,
) -> CrmResult<()> {
    if items.is_empty() {
        return Err(CrmError::validation(T::IDS_FIELD, "must not be empty"));
    }
    let mut ids = BTreeSet::new();
    for c in items {
        if !ids.insert(c.pooled_id()) {
            return Err(CrmError::validation(
                T::IDS_FIELD,
                format!("{} {} given twice", T::KIND, c.pooled_id()),
            ));
        }
    }
    let rules = &pool.rules;
    for c in items {
        let id = c.pooled_id();
        let kind = T::KIND;
        if c.pool() != Some(pool.id) || c.owner().is_some() {
            return Err(CrmError::rule(
                "not_in_pool",
                format!("{kind} {id} is not in pool {}", pool.id),
            ));
        }
        if mode == ClaimMode::Claim {
            let entered = c.entered_pool_at().unwrap_or(c.created_at());
            let hours = i64::from(rules.new_in_pool_protection_hours);
            if hours > 0 && now < crate::clock::plus(entered, Duration::hours(hours)) {
                return Err(CrmError::rule(
                    "new_in_pool_protection",
                    format!("{kind} {id} entered the pool less than {hours} hours ago"),
                ));
            }
            let cooldown = i64::from(rules.previous_owner_cooldown_days);
            if cooldown > 0
                && c.previous_owner() == Some(claimant)
                && whole_days(entered, now) <= cooldown
            {
                return Err(CrmError::rule(
                    "previous_owner_cooldown",
                    format!(
                        "{kind} {id} left you {} whole day(s) ago; wait until more than {cooldown}",
                        whole_days(entered, now)
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// [`check_claim`] for customers.
pub fn check_claim_customers(
    pool: &Pool,
    customers: &[Customer],
    claimant: UserId,
    now: DateTime<Utc>,
    mode: ClaimMode,
) -> CrmResult<()> {
    check_claim(pool, customers, claimant, now, mode)
}

/// What a taking (claim or distribution) of any pooled record reads besides the records:
/// what the new owner holds as counted against the limit, the limit, and today's claims.
#[derive(Debug, Clone, Copy)]
pub struct TakeCounts {
    /// Records the new owner holds that count against the held limit.
    pub held_counted: i64,
    /// The held limit that applies (`None` = no limit or exempt).
    pub held_limit: Option<u32>,
    /// Claims by the claimant in this pool today, as read (claims only).
    pub claims_today: i64,
}

/// Decides the taking of `items` from `pool` by `claimant` (any [`Pooled`] record): the
/// record checks of [`check_claim`], then the daily cap (claims only), then the held limit.
/// Returns (before, after) per record and the daily count after the claim.
pub fn decide_take<T: Pooled>(
    pool: &Pool,
    items: Vec<T>,
    claimant: UserId,
    counts: TakeCounts,
    now: DateTime<Utc>,
    mode: ClaimMode,
) -> CrmResult<(Vec<(T, T)>, i64)> {
    check_claim(pool, &items, claimant, now, mode)?;
    let n = items.len() as i64;
    let mut daily_claims = 0;
    if mode == ClaimMode::Claim {
        let today = counts.claims_today;
        if let Some(cap) = pool.rules.daily_claim_cap {
            if today + n > i64::from(cap) {
                return Err(CrmError::rule(
                    "daily_claim_cap",
                    format!("{today} claimed today, {n} more would pass the cap of {cap}"),
                ));
            }
        }
        daily_claims = today + n;
    }
    if let Some(limit) = counts.held_limit {
        let counted = counts.held_counted;
        if counted + n > i64::from(limit) {
            return Err(CrmError::rule(
                "held_limit",
                format!(
                    "user {claimant} holds {counted}, {n} more would pass the limit of {limit}"
                ),
            ));
        }
    }
    let pairs = items
        .into_iter()
        .map(|before| {
            let after = before.taken(claimant, pool.id, now);
            (before, after)
        })
        .collect();
    Ok((pairs, daily_claims))
}

/// Decides a claim or distribution of customers.
pub fn decide_claim(s: ClaimSnapshot<'_>, mode: ClaimMode) -> CrmResult<ClaimDecision> {
    let counts = TakeCounts {
        held_counted: s.held.counted(s.count_dealt),
        held_limit: s.held_limit,
        claims_today: s.daily.as_ref().map(|d| d.claims).unwrap_or(0),
    };
    let (customers, daily_claims) =
        decide_take(s.pool, s.customers, s.claimant, counts, s.now, mode)?;
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
