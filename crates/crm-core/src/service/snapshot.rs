//! The access snapshot: what every call's context is built from (users, departments,
//! roles, pools), kept per tenant and reused while the tenant row's version is unchanged.
//!
//! Every store raises the tenant version in the same transaction as any write to users,
//! departments, roles or pools (`Changes::touches_access_config`), so one point read of
//! the tenant row tells whether the snapshot is still current — also when another process
//! made the change. The snapshot is loaded after the tenant row, so it is never older than
//! the version it is stored under; a change committed in between only makes it newer, and
//! the next call (seeing the higher version) loads it again.

use super::Crm;
use crate::access::Role;
use crate::error::CrmResult;
use crate::ids::TenantId;
use crate::org::{Department, Org, User};
use crate::pool::Pool;
use crate::store::{Entity, Query, Store, StoreExt};
use crate::tenant::Tenant;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Users, departments, roles and pools of one tenant as of one tenant version.
#[derive(Debug)]
pub(crate) struct AccessSnapshot {
    /// The tenant row's version the snapshot was loaded under.
    pub tenant_version: i64,
    /// Users and departments.
    pub org: Arc<Org>,
    /// Every role of the tenant.
    pub roles: Vec<Role>,
    /// Every pool, ordered by position then id.
    pub pools: Arc<Vec<Pool>>,
}

/// Snapshots by tenant, one cache per engine.
#[derive(Debug, Default)]
pub(crate) struct SnapshotCache {
    by_tenant: Mutex<HashMap<TenantId, Arc<AccessSnapshot>>>,
}

impl SnapshotCache {
    /// The snapshot stored for `tenant` at exactly `version`.
    fn current(&self, tenant: TenantId, version: i64) -> Option<Arc<AccessSnapshot>> {
        let map = self
            .by_tenant
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        map.get(&tenant)
            .filter(|s| s.tenant_version == version)
            .cloned()
    }

    /// Keeps `snapshot` unless a snapshot of a later version is already kept.
    fn keep(&self, tenant: TenantId, snapshot: Arc<AccessSnapshot>) {
        let mut map = self
            .by_tenant
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let newer = map
            .get(&tenant)
            .is_some_and(|s| s.tenant_version > snapshot.tenant_version);
        if !newer {
            map.insert(tenant, snapshot);
        }
    }
}

impl<S: Store> Crm<S> {
    /// The access snapshot of `tenant` (already read): from the cache when its version
    /// matches, otherwise loaded from the store and kept.
    pub(crate) async fn access_snapshot(&self, tenant: &Tenant) -> CrmResult<Arc<AccessSnapshot>> {
        if let Some(s) = self.snapshots().current(tenant.id, tenant.version) {
            return Ok(s);
        }
        let id = tenant.id;
        let users: Vec<User> = self.store().load_all(&Query::new(Entity::User, id)).await?;
        let departments: Vec<Department> = self
            .store()
            .load_all(&Query::new(Entity::Department, id))
            .await?;
        let roles: Vec<Role> = self.store().load_all(&Query::new(Entity::Role, id)).await?;
        let mut pools: Vec<Pool> = self.store().load_all(&Query::new(Entity::Pool, id)).await?;
        pools.sort_by_key(|p| (p.position, p.id));
        let snapshot = Arc::new(AccessSnapshot {
            tenant_version: tenant.version,
            org: Arc::new(Org::new(users, departments)),
            roles,
            pools: Arc::new(pools),
        });
        self.snapshots().keep(id, snapshot.clone());
        Ok(snapshot)
    }
}
