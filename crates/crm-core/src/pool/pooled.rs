//! What a record must expose to sit in a pool ([`Pooled`]): the claim decision and the
//! `no_followup` recycle clock read only this, so customers and leads share one rule.

use crate::customer::Customer;
use crate::ids::{PoolId, UserId};
use chrono::{DateTime, Utc};

/// A record that can sit in a pool, be claimed from it and go back to it.
pub trait Pooled: Clone {
    /// The record's kind in messages (`customer`, `lead`).
    const KIND: &'static str;
    /// The request field naming the records of a claim (`customer_ids`, `lead_ids`).
    const IDS_FIELD: &'static str;
    /// Its id.
    fn pooled_id(&self) -> i64;
    /// Its owner, when owned.
    fn owner(&self) -> Option<UserId>;
    /// The pool it sits in, when pooled.
    fn pool(&self) -> Option<PoolId>;
    /// When it last entered a pool (`None`: since it was created).
    fn entered_pool_at(&self) -> Option<DateTime<Utc>>;
    /// The owner it had before it last entered a pool.
    fn previous_owner(&self) -> Option<UserId>;
    /// When it was created.
    fn created_at(&self) -> DateTime<Utc>;
    /// Since when its owner has held it (`None` while unowned).
    fn owned_since(&self) -> Option<DateTime<Utc>>;
    /// The latest follow-up that counts for the `no_followup` rule.
    fn counted_followup_at(&self) -> Option<DateTime<Utc>>;
    /// The record once `owner` took it from `pool` at `now`.
    fn taken(&self, owner: UserId, pool: PoolId, now: DateTime<Utc>) -> Self;
}

/// The `no_followup` clock of an owned record: its latest follow-up or the moment its
/// owner got it, whichever is later; `None` while unowned.
pub fn followup_clock<T: Pooled>(t: &T) -> Option<DateTime<Utc>> {
    t.owner()?;
    let since = t.owned_since()?;
    Some(t.counted_followup_at().map_or(since, |f| f.max(since)))
}

impl Pooled for Customer {
    const KIND: &'static str = "customer";
    const IDS_FIELD: &'static str = "customer_ids";
    fn pooled_id(&self) -> i64 {
        self.id.0
    }
    fn owner(&self) -> Option<UserId> {
        self.owner_id
    }
    fn pool(&self) -> Option<PoolId> {
        self.pool_id
    }
    fn entered_pool_at(&self) -> Option<DateTime<Utc>> {
        self.entered_pool_at
    }
    fn previous_owner(&self) -> Option<UserId> {
        self.previous_owner_id
    }
    fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    fn owned_since(&self) -> Option<DateTime<Utc>> {
        self.owned_since
    }
    /// The owner's latest follow-up (a customer's clock counts only the owner's).
    fn counted_followup_at(&self) -> Option<DateTime<Utc>> {
        self.last_owner_followup_at
    }
    fn taken(&self, owner: UserId, pool: PoolId, now: DateTime<Utc>) -> Self {
        let mut after = self.clone();
        after.owner_id = Some(owner);
        after.pool_id = None;
        after.last_pool_id = Some(pool);
        after.owned_since = Some(now);
        after.last_owner_followup_at = None;
        after.escalated_for = None;
        after.opportunity_changed_at = Some(now);
        after.recycle_reminders.clear();
        after.updated_at = now;
        after
    }
}
