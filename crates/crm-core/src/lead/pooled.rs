//! Leads in lead pools (§4.8 "lead pools reuse §4.3"): what a lead exposes to the shared
//! pool rules ([`Pooled`]) and the state change of giving it back to a pool.

use super::model::Lead;
use crate::ids::{PoolId, UserId};
use crate::pool::Pooled;
use chrono::{DateTime, Utc};

impl Pooled for Lead {
    const KIND: &'static str = "lead";
    const IDS_FIELD: &'static str = "lead_ids";
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
    /// Leads owned before the field was kept count from their creation.
    fn owned_since(&self) -> Option<DateTime<Utc>> {
        self.owner_id?;
        Some(self.owned_since.unwrap_or(self.created_at))
    }
    /// Any follow-up on the lead counts (its owner is the one who works it).
    fn counted_followup_at(&self) -> Option<DateTime<Utc>> {
        self.last_followup_at
    }
    fn taken(&self, owner: UserId, pool: PoolId, now: DateTime<Utc>) -> Self {
        let mut after = self.clone();
        after.owner_id = Some(owner);
        after.pool_id = None;
        after.last_pool_id = Some(pool);
        after.owned_since = Some(now);
        after.updated_at = now;
        after
    }
}

impl Lead {
    /// The lead after its owner gave it (or a rule sent it) back to `pool` at `now` for
    /// `reason`: unowned, the owner recorded as previous owner (for the cooldown).
    pub fn into_pool(&self, pool: PoolId, reason: &str, now: DateTime<Utc>) -> Lead {
        let mut next = self.clone();
        next.previous_owner_id = self.owner_id;
        next.owner_id = None;
        next.pool_id = Some(pool);
        next.entered_pool_at = Some(now);
        next.owned_since = None;
        next.pool_reason = Some(reason.to_owned());
        next.updated_at = now;
        next
    }
}
