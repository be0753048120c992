//! Reads of record tables and id allocation.

use crate::bind::{bind_all, decode_row};
use crate::error_map::{corrupt, map_sqlx};
use crate::sql;
use crm_core::store::{Entity, StoredRow, ValidQuery};
use crm_core::{ids::TenantId, CrmResult};
use sqlx::{PgPool, Row};

/// Reserves `count` consecutive ids of an entity in one atomic upsert; returns the first.
pub(crate) async fn allocate_ids(pool: &PgPool, entity: Entity, count: u32) -> CrmResult<i64> {
    let count = i64::from(count);
    let next: i64 = sqlx::query_scalar(
        "INSERT INTO \"id_sequences\" (\"entity\", \"next_id\") VALUES ($1, 1 + $2) \
         ON CONFLICT (\"entity\") DO UPDATE SET \"next_id\" = \"id_sequences\".\"next_id\" + $2 \
         RETURNING \"next_id\"",
    )
    .bind(entity.name())
    .bind(count)
    .fetch_one(pool)
    .await
    .map_err(map_sqlx)?;
    next.checked_sub(count)
        .ok_or_else(|| corrupt(format!("id sequence of {} out of range", entity.name())))
}

/// One row by id within a tenant.
pub(crate) async fn get(
    pool: &PgPool,
    entity: Entity,
    tenant: TenantId,
    id: i64,
) -> CrmResult<Option<StoredRow>> {
    let sql = sql::select_by_id(entity, tenant, id);
    let row = bind_all(sqlx::query(&sql.text), sql.params)
        .fetch_optional(pool)
        .await
        .map_err(map_sqlx)?;
    row.map(|r| decode_row(entity, tenant, &r)).transpose()
}

/// Rows matching a query.
pub(crate) async fn query(pool: &PgPool, query: ValidQuery<'_>) -> CrmResult<Vec<StoredRow>> {
    let sql = sql::select(&query)?;
    let rows = bind_all(sqlx::query(&sql.text), sql.params)
        .fetch_all(pool)
        .await
        .map_err(map_sqlx)?;
    rows.iter()
        .map(|r| decode_row(query.entity, query.tenant, r))
        .collect()
}

/// Number of rows matching a query.
pub(crate) async fn count(pool: &PgPool, query: ValidQuery<'_>) -> CrmResult<u64> {
    let sql = sql::count(&query)?;
    let row = bind_all(sqlx::query(&sql.text), sql.params)
        .fetch_one(pool)
        .await
        .map_err(map_sqlx)?;
    let n: i64 = row.try_get(0).map_err(|e| corrupt(format!("count: {e}")))?;
    u64::try_from(n).map_err(|_| corrupt(format!("negative count {n}")))
}
