//! Keeps the members' lead counts in step with every owner or status change of a lead, in
//! the same unit of work as the change: each user's row is read once, moved, and written
//! once at the version read.

use super::Crm;
use crate::assignment::{open_lead_deltas, LeadLoad};
use crate::error::CrmResult;
use crate::ids::{TenantId, UserId};
use crate::lead::Lead;
use crate::store::{Changes, Store, StoreExt};
use std::collections::{BTreeMap, BTreeSet};

/// The lead counts read during one unit of work, and which of them changed.
#[derive(Default)]
pub(crate) struct LoadBook {
    loads: BTreeMap<UserId, LeadLoad>,
    dirty: BTreeSet<UserId>,
}

impl LoadBook {
    /// The user's counts (read from the store the first time).
    pub(crate) async fn get<S: Store>(
        &mut self,
        crm: &Crm<S>,
        tenant: TenantId,
        user: UserId,
    ) -> CrmResult<&LeadLoad> {
        self.read(crm, tenant, user).await?;
        Ok(self
            .loads
            .entry(user)
            .or_insert_with(|| LeadLoad::zero(tenant, user)))
    }

    async fn read<S: Store>(
        &mut self,
        crm: &Crm<S>,
        tenant: TenantId,
        user: UserId,
    ) -> CrmResult<()> {
        if let std::collections::btree_map::Entry::Vacant(slot) = self.loads.entry(user) {
            let stored = crm.store().load::<LeadLoad>(tenant, user.0).await?;
            slot.insert(stored.unwrap_or_else(|| LeadLoad::zero(tenant, user)));
        }
        Ok(())
    }

    /// The user's counts, to be written back.
    async fn entry<S: Store>(
        &mut self,
        crm: &Crm<S>,
        tenant: TenantId,
        user: UserId,
    ) -> CrmResult<&mut LeadLoad> {
        self.read(crm, tenant, user).await?;
        self.dirty.insert(user);
        Ok(self
            .loads
            .entry(user)
            .or_insert_with(|| LeadLoad::zero(tenant, user)))
    }

    /// Counts one assignment to `user` on the local day `day`.
    pub(crate) async fn count_assignment<S: Store>(
        &mut self,
        crm: &Crm<S>,
        tenant: TenantId,
        user: UserId,
        day: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> CrmResult<()> {
        self.entry(crm, tenant, user)
            .await?
            .count_assignment(day, now);
        Ok(())
    }

    /// Moves the open-lead counts for these (before, after) lead changes.
    pub(crate) async fn lead_changes<'a, S: Store>(
        &mut self,
        crm: &Crm<S>,
        tenant: TenantId,
        pairs: impl IntoIterator<Item = (Option<&'a Lead>, &'a Lead)>,
    ) -> CrmResult<()> {
        for (user, delta) in open_lead_deltas(pairs) {
            self.entry(crm, tenant, user).await?.add_open(delta);
        }
        Ok(())
    }

    /// Adds the writes of every changed row: insert when never stored, update otherwise.
    pub(crate) fn write(self, changes: &mut Changes) -> CrmResult<()> {
        for user in &self.dirty {
            if let Some(load) = self.loads.get(user) {
                if load.version == 0 {
                    changes.insert(&LeadLoad {
                        version: 1,
                        ..load.clone()
                    })?;
                } else {
                    changes.update(load)?;
                }
            }
        }
        Ok(())
    }
}
