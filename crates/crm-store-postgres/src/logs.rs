//! Reads of the append-only logs: events and audit entries.

use crate::bind::PgTime;
use crate::error_map::{corrupt, map_sqlx};
use crm_core::ids::{TenantId, UserId};
use crm_core::store::{AuditEntry, Event, FieldChange};
use crm_core::CrmResult;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

/// Events of a tenant with `seq > cursor`, ascending, at most `limit`.
pub(crate) async fn events_after(
    pool: &PgPool,
    tenant: TenantId,
    cursor: i64,
    limit: u32,
) -> CrmResult<Vec<Event>> {
    let rows = sqlx::query(
        "SELECT \"seq\", \"kind\", \"at\", \"entity\", \"record_id\", \"payload\"::text \
         FROM \"events\" WHERE \"tenant_id\" = $1 AND \"seq\" > $2 ORDER BY \"seq\" LIMIT $3",
    )
    .bind(tenant.0)
    .bind(cursor)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(map_sqlx)?;
    rows.iter().map(|r| decode_event(tenant, r)).collect()
}

fn decode_event(tenant: TenantId, row: &PgRow) -> CrmResult<Event> {
    let err = |e: sqlx::Error| corrupt(format!("events: {e}"));
    let seq: i64 = row.try_get(0).map_err(err)?;
    let payload: String = row.try_get(5).map_err(err)?;
    Ok(Event {
        tenant,
        seq,
        kind: row.try_get(1).map_err(err)?,
        at: row.try_get::<PgTime, _>(2).map_err(err)?.0,
        entity: row.try_get(3).map_err(err)?,
        record_id: row.try_get(4).map_err(err)?,
        payload: serde_json::from_str(&payload)
            .map_err(|e| corrupt(format!("payload of event {seq}: {e}")))?,
    })
}

const AUDIT_COLUMNS: &str =
    "\"id\", \"at\", \"actor_id\", \"operation\", \"entity\", \"record_id\", \"changes\"::text";

/// Audit entries of one record, oldest first.
pub(crate) async fn audit_for_record(
    pool: &PgPool,
    tenant: TenantId,
    entity: &str,
    record_id: i64,
) -> CrmResult<Vec<AuditEntry>> {
    let rows = sqlx::query(&format!(
        "SELECT {AUDIT_COLUMNS} FROM \"audit_log\" \
         WHERE \"tenant_id\" = $1 AND \"entity\" = $2 AND \"record_id\" = $3 ORDER BY \"id\""
    ))
    .bind(tenant.0)
    .bind(entity)
    .bind(record_id)
    .fetch_all(pool)
    .await
    .map_err(map_sqlx)?;
    rows.iter().map(|r| decode_audit(tenant, r)).collect()
}

/// Audit entries written by one user, oldest first, with `id > after`, at most `limit`.
pub(crate) async fn audit_by_user(
    pool: &PgPool,
    tenant: TenantId,
    user: UserId,
    after: i64,
    limit: u32,
) -> CrmResult<Vec<AuditEntry>> {
    let rows = sqlx::query(&format!(
        "SELECT {AUDIT_COLUMNS} FROM \"audit_log\" \
         WHERE \"tenant_id\" = $1 AND \"actor_id\" = $2 AND \"id\" > $3 ORDER BY \"id\" LIMIT $4"
    ))
    .bind(tenant.0)
    .bind(user.0)
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(map_sqlx)?;
    rows.iter().map(|r| decode_audit(tenant, r)).collect()
}

fn decode_audit(tenant: TenantId, row: &PgRow) -> CrmResult<AuditEntry> {
    let err = |e: sqlx::Error| corrupt(format!("audit_log: {e}"));
    let id: i64 = row.try_get(0).map_err(err)?;
    let changes: String = row.try_get(6).map_err(err)?;
    let changes: Vec<FieldChange> = serde_json::from_str(&changes)
        .map_err(|e| corrupt(format!("changes of audit entry {id}: {e}")))?;
    Ok(AuditEntry {
        id,
        tenant,
        at: row.try_get::<PgTime, _>(1).map_err(err)?.0,
        actor: row.try_get::<Option<i64>, _>(2).map_err(err)?.map(UserId),
        operation: row.try_get(3).map_err(err)?,
        entity: row.try_get(4).map_err(err)?,
        record_id: row.try_get(5).map_err(err)?,
        changes,
    })
}
