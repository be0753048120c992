//! Reads of entity tables: one row by id, and filtered, scoped, paged queries.

use crate::bind::{bind_all, get_column, get_i64, get_text};
use crate::error_map::map_sqlx;
use crate::query_sql::{build_query, Shape};
use crate::sql::{table_sql, TableSql};
use crm_core::ids::TenantId;
use crm_core::store::{Entity, StoredRow, ValidQuery};
use crm_core::{CrmError, CrmResult};
use sqlx::sqlite::SqliteRow;
use sqlx::SqlitePool;

/// One row by id within a tenant.
pub(crate) async fn get(
    pool: &SqlitePool,
    entity: Entity,
    tenant: TenantId,
    id: i64,
) -> CrmResult<Option<StoredRow>> {
    let table = table_sql(entity);
    let row = sqlx::query(&table.get)
        .bind(tenant.0)
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(|e| map_sqlx(e, &format!("reading {} {id}", table.spec.table), None))?;
    row.map(|r| decode_row(table, &r)).transpose()
}

/// Rows matching a query.
pub(crate) async fn query(pool: &SqlitePool, query: ValidQuery<'_>) -> CrmResult<Vec<StoredRow>> {
    let table = table_sql(query.entity);
    let stmt = build_query(&query, Shape::Rows)?;
    let rows = bind_all(sqlx::query(&stmt.sql), &stmt.binds)
        .fetch_all(pool)
        .await
        .map_err(|e| map_sqlx(e, &format!("querying {}", table.spec.table), None))?;
    rows.iter().map(|r| decode_row(table, r)).collect()
}

/// Number of rows matching a query (cursor and limit ignored).
pub(crate) async fn count(pool: &SqlitePool, query: ValidQuery<'_>) -> CrmResult<u64> {
    let table = table_sql(query.entity);
    let stmt = build_query(&query, Shape::Count)?;
    let row = bind_all(sqlx::query(&stmt.sql), &stmt.binds)
        .fetch_one(pool)
        .await
        .map_err(|e| map_sqlx(e, &format!("counting {}", table.spec.table), None))?;
    let n = get_i64(&row, 0, &format!("count of {}", table.spec.table))?;
    u64::try_from(n).map_err(|_| CrmError::Storage(format!("negative count {n}")))
}

/// Decodes `tenant_id, id, version, <columns>, body`.
fn decode_row(table: &TableSql, row: &SqliteRow) -> CrmResult<StoredRow> {
    let spec = table.spec;
    let name = spec.table;
    let columns = spec
        .columns
        .iter()
        .enumerate()
        .map(|(i, column)| get_column(row, 3 + i, column, name))
        .collect::<CrmResult<Vec<_>>>()?;
    Ok(StoredRow {
        entity: spec.entity,
        tenant: TenantId(get_i64(row, 0, &format!("{name}.tenant_id"))?),
        id: get_i64(row, 1, &format!("{name}.id"))?,
        version: get_i64(row, 2, &format!("{name}.version"))?,
        columns,
        body: get_text(row, 3 + spec.columns.len(), &format!("{name}.body"))?,
    })
}
