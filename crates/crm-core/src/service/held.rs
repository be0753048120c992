//! Keeps the held counters (私海 counts) in step with every ownership or deal change, in the
//! same unit of work as the change itself.

use super::Crm;
use crate::customer::{Customer, DealStatus};
use crate::error::CrmResult;
use crate::ids::{TenantId, UserId};
use crate::pool::HeldCounter;
use crate::store::{Changes, Store, StoreExt};
use std::collections::BTreeMap;

/// (held, held_dealt) contributed by a customer to its owner.
fn contribution(c: &Customer) -> Option<(UserId, i64, i64)> {
    c.owner_id
        .map(|o| (o, 1, i64::from(c.deal_status == DealStatus::Dealt)))
}

/// Per-user deltas of a set of (before, after) changes.
pub(crate) fn deltas<'a>(
    pairs: impl IntoIterator<Item = (Option<&'a Customer>, &'a Customer)>,
) -> BTreeMap<UserId, (i64, i64)> {
    let mut out: BTreeMap<UserId, (i64, i64)> = BTreeMap::new();
    for (before, after) in pairs {
        if let Some((u, h, d)) = before.and_then(contribution) {
            let e = out.entry(u).or_default();
            e.0 -= h;
            e.1 -= d;
        }
        if let Some((u, h, d)) = contribution(after) {
            let e = out.entry(u).or_default();
            e.0 += h;
            e.1 += d;
        }
    }
    out.retain(|_, v| *v != (0, 0));
    out
}

/// Adds a counter write: insert when it was never stored (version 0), update otherwise.
pub(crate) fn write_counter(changes: &mut Changes, counter: &HeldCounter) -> CrmResult<()> {
    if counter.version == 0 {
        changes.insert(&HeldCounter {
            version: 1,
            ..counter.clone()
        })
    } else {
        changes.update(counter)
    }
}

impl<S: Store> Crm<S> {
    /// The held counter of a user as stored (zero, version 0, when never written).
    pub(crate) async fn held_counter(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> CrmResult<HeldCounter> {
        Ok(self
            .store()
            .load::<HeldCounter>(tenant, user.0)
            .await?
            .unwrap_or_else(|| HeldCounter::zero(tenant, user)))
    }

    /// Adds to `changes` the counter writes for these ownership changes.
    pub(crate) async fn adjust_held<'a>(
        &self,
        tenant: TenantId,
        changes: &mut Changes,
        pairs: impl IntoIterator<Item = (Option<&'a Customer>, &'a Customer)>,
    ) -> CrmResult<()> {
        for (user, (held, dealt)) in deltas(pairs) {
            let mut counter = self.held_counter(tenant, user).await?;
            counter.held += held;
            counter.held_dealt += dealt;
            write_counter(changes, &counter)?;
        }
        Ok(())
    }
}

impl super::Ctx {
    /// Adds an owner-history row (`id` reserved by the caller) for `after`'s new state.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push_history(
        &self,
        changes: &mut Changes,
        id: i64,
        after: &Customer,
        from_owner: Option<UserId>,
        change: crate::pool::OwnerChange,
        pool: Option<crate::ids::PoolId>,
        reason: Option<String>,
    ) -> CrmResult<()> {
        changes.insert(&crate::pool::OwnerHistory {
            tenant: self.tenant.id,
            id,
            version: 1,
            customer_id: after.id,
            change,
            from_owner,
            to_owner: after.owner_id,
            pool_id: pool,
            by: self.access.user().map(|u| u.id),
            reason,
            at: self.now,
        })
    }
}
