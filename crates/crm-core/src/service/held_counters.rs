//! Keeps the held counters (私海 counts) in step with every ownership or deal change, in the
//! same unit of work as the change itself.

use super::Crm;
use crate::customer::Customer;
use crate::error::CrmResult;
use crate::ids::{TenantId, UserId};
use crate::pool::{held_deltas, HeldCounter};
use crate::store::{Changes, Store, StoreExt};

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
        for (user, delta) in held_deltas(pairs) {
            let mut counter = self.held_counter(tenant, user).await?;
            counter.add(delta);
            write_counter(changes, &counter)?;
        }
        Ok(())
    }
}
