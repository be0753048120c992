//! Id allocation: per-entity sequences in `id_sequences`, advanced under the write lock so
//! no id is handed out twice, across connections and across processes.

use crate::apply::{begin_immediate, finish};
use crate::error_map::map_sqlx;
use crm_core::store::Entity;
use crm_core::CrmResult;
use sqlx::SqlitePool;

/// Reserves `count` consecutive ids of `entity`; returns the first (ids start at 1).
pub(crate) async fn allocate_ids(pool: &SqlitePool, entity: Entity, count: u32) -> CrmResult<i64> {
    let key = entity.spec().table;
    let count = i64::from(count);
    let mut tx = begin_immediate(pool).await?;
    let result = sqlx::query_scalar::<_, i64>(
        "INSERT INTO \"id_sequences\" (\"entity\", \"next_id\") VALUES (?, 1 + ?) \
         ON CONFLICT (\"entity\") DO UPDATE SET \"next_id\" = \"next_id\" + excluded.\"next_id\" - 1 \
         RETURNING \"next_id\"",
    )
    .bind(key)
    .bind(count)
    .fetch_one(&mut *tx)
    .await
    .map(|next| next - count)
    .map_err(|e| map_sqlx(e, &format!("allocating ids for {key}"), None));
    finish(tx, result).await
}
