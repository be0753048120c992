//! The [`Store`] implementation: each method delegates to its module.

use crate::{apply, logs, read, PostgresStore};
use async_trait::async_trait;
use crm_core::ids::{TenantId, UserId};
use crm_core::store::{AuditEntry, Entity, Event, Store, StoredRow, ValidChanges, ValidQuery};
use crm_core::CrmResult;

#[async_trait]
impl Store for PostgresStore {
    async fn allocate_ids(&self, entity: Entity, count: u32) -> CrmResult<i64> {
        read::allocate_ids(&self.pool, entity, count).await
    }

    async fn get(&self, entity: Entity, tenant: TenantId, id: i64) -> CrmResult<Option<StoredRow>> {
        read::get(&self.pool, entity, tenant, id).await
    }

    async fn query_valid(&self, query: ValidQuery<'_>) -> CrmResult<Vec<StoredRow>> {
        read::query(&self.pool, query).await
    }

    async fn count_valid(&self, query: ValidQuery<'_>) -> CrmResult<u64> {
        read::count(&self.pool, query).await
    }

    async fn apply_valid(&self, changes: ValidChanges) -> CrmResult<Vec<i64>> {
        apply::apply(&self.pool, changes).await
    }

    async fn events_after(
        &self,
        tenant: TenantId,
        cursor: i64,
        limit: u32,
    ) -> CrmResult<Vec<Event>> {
        logs::events_after(&self.pool, tenant, cursor, limit).await
    }

    async fn audit_for_record(
        &self,
        tenant: TenantId,
        entity: &str,
        record_id: i64,
    ) -> CrmResult<Vec<AuditEntry>> {
        logs::audit_for_record(&self.pool, tenant, entity, record_id).await
    }

    async fn audit_by_user(
        &self,
        tenant: TenantId,
        user: UserId,
        after: i64,
        limit: u32,
    ) -> CrmResult<Vec<AuditEntry>> {
        logs::audit_by_user(&self.pool, tenant, user, after, limit).await
    }

    async fn pause(&self, duration: std::time::Duration) {
        tokio::time::sleep(duration).await;
    }
}
