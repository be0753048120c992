//! The storage trait every adapter implements, and typed helpers over it.

use super::audit::AuditEntry;
use super::changes::Changes;
use super::check::{ValidChanges, ValidQuery};
use super::event::Event;
use super::query::Query;
use super::row::{Entity, Record, StoredRow};
use crate::error::CrmResult;
use crate::ids::{TenantId, UserId};
use async_trait::async_trait;

/// Persistence for the engine: reads, one atomic write, and the append-only logs.
///
/// Contract (checked by the conformance suite in `crm_core::testkit`):
/// - every read is confined to the given tenant;
/// - [`Store::apply`] writes all of a [`Changes`] in one transaction iff every expected
///   version still holds and no unique key clashes; otherwise it writes nothing and returns
///   `CrmError::Conflict`; a reference to a missing row returns `CrmError::NotFound`;
/// - event sequence numbers increase per tenant without gaps visible to readers.
///
/// Adapters implement [`Store::query_valid`], [`Store::count_valid`] and
/// [`Store::apply_valid`], which take only what core validated
/// ([`ValidQuery`], [`ValidChanges`]); callers use [`Store::query`], [`Store::count`] and
/// [`Store::apply`], which validate first (see [`crate::store::check`]). So bad filters
/// and bad rows are refused by core, identically on every store, before any SQL is built.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Reserves `count` consecutive ids for new rows of `entity`; returns the first.
    /// Ids are never handed out twice, even across processes.
    async fn allocate_ids(&self, entity: Entity, count: u32) -> CrmResult<i64>;

    /// One row by id within a tenant.
    async fn get(&self, entity: Entity, tenant: TenantId, id: i64) -> CrmResult<Option<StoredRow>>;

    /// Rows matching a validated query.
    async fn query_valid(&self, query: ValidQuery<'_>) -> CrmResult<Vec<StoredRow>>;

    /// Number of rows matching a validated query (`after` and `limit` ignored).
    async fn count_valid(&self, query: ValidQuery<'_>) -> CrmResult<u64>;

    /// Applies a validated unit of work atomically; returns the sequence numbers given to
    /// its events. When [`Changes::touches_access_config`] holds, the tenant row's version
    /// is raised by one in the same transaction (no row: nothing to raise).
    async fn apply_valid(&self, changes: ValidChanges) -> CrmResult<Vec<i64>>;

    /// Rows matching a query, after [`Query::validate`].
    async fn query(&self, query: &Query) -> CrmResult<Vec<StoredRow>> {
        self.query_valid(query.checked()?).await
    }

    /// Number of rows matching a query (`after` and `limit` ignored), after
    /// [`Query::validate`].
    async fn count(&self, query: &Query) -> CrmResult<u64> {
        self.count_valid(query.checked()?).await
    }

    /// Applies a unit of work atomically after [`Changes::validate`]; returns the sequence
    /// numbers given to its events. Invalid input writes nothing.
    async fn apply(&self, changes: Changes) -> CrmResult<Vec<i64>> {
        self.apply_valid(changes.checked()?).await
    }

    /// Events of a tenant with `seq > cursor`, ascending, at most `limit`.
    async fn events_after(
        &self,
        tenant: TenantId,
        cursor: i64,
        limit: u32,
    ) -> CrmResult<Vec<Event>>;

    /// Audit entries of one record, oldest first.
    async fn audit_for_record(
        &self,
        tenant: TenantId,
        entity: &str,
        record_id: i64,
    ) -> CrmResult<Vec<AuditEntry>>;

    /// Audit entries written by one user, oldest first, after an audit id, at most `limit`.
    async fn audit_by_user(
        &self,
        tenant: TenantId,
        user: UserId,
        after: i64,
        limit: u32,
    ) -> CrmResult<Vec<AuditEntry>>;

    /// Waits `duration` without blocking a thread of the runtime the store runs on; the
    /// engine pauses here between attempts of an operation that lost an optimistic race.
    async fn pause(&self, duration: std::time::Duration);
}

/// Typed reads over any [`Store`].
#[async_trait]
pub trait StoreExt: Store {
    /// One record by id, decoded.
    async fn load<R: Record + 'static>(
        &self,
        tenant: TenantId,
        id: impl Into<i64> + Send + 'async_trait,
    ) -> CrmResult<Option<R>> {
        match self.get(R::ENTITY, tenant, id.into()).await? {
            Some(row) => Ok(Some(R::from_row(&row)?)),
            None => Ok(None),
        }
    }

    /// Records matching a query, decoded.
    async fn load_all<R: Record + 'static>(&self, query: &Query) -> CrmResult<Vec<R>> {
        self.query(query).await?.iter().map(R::from_row).collect()
    }
}

impl<S: Store + ?Sized> StoreExt for S {}

#[async_trait]
impl<S: Store + ?Sized> Store for std::sync::Arc<S> {
    async fn allocate_ids(&self, entity: Entity, count: u32) -> CrmResult<i64> {
        (**self).allocate_ids(entity, count).await
    }
    async fn get(&self, entity: Entity, tenant: TenantId, id: i64) -> CrmResult<Option<StoredRow>> {
        (**self).get(entity, tenant, id).await
    }
    async fn query_valid(&self, query: ValidQuery<'_>) -> CrmResult<Vec<StoredRow>> {
        (**self).query_valid(query).await
    }
    async fn count_valid(&self, query: ValidQuery<'_>) -> CrmResult<u64> {
        (**self).count_valid(query).await
    }
    async fn apply_valid(&self, changes: ValidChanges) -> CrmResult<Vec<i64>> {
        (**self).apply_valid(changes).await
    }
    async fn events_after(
        &self,
        tenant: TenantId,
        cursor: i64,
        limit: u32,
    ) -> CrmResult<Vec<Event>> {
        (**self).events_after(tenant, cursor, limit).await
    }
    async fn audit_for_record(
        &self,
        tenant: TenantId,
        entity: &str,
        record_id: i64,
    ) -> CrmResult<Vec<AuditEntry>> {
        (**self).audit_for_record(tenant, entity, record_id).await
    }
    async fn audit_by_user(
        &self,
        tenant: TenantId,
        user: UserId,
        after: i64,
        limit: u32,
    ) -> CrmResult<Vec<AuditEntry>> {
        (**self).audit_by_user(tenant, user, after, limit).await
    }
    async fn pause(&self, duration: std::time::Duration) {
        (**self).pause(duration).await
    }
}
