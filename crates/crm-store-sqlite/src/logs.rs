//! Reads of the append-only logs: the event outbox and the audit log.

use crate::bind::{get_field_changes, get_i64, get_json, get_opt_i64, get_text, get_time};
use crate::error_map::map_sqlx;
use crm_core::ids::{TenantId, UserId};
use crm_core::store::{AuditEntry, Event};
use crm_core::CrmResult;
use sqlx::sqlite::SqliteRow;
use sqlx::SqlitePool;

const AUDIT_COLUMNS: &str = "\"id\", \"tenant_id\", \"at\", \"actor_id\", \"operation\", \
                             \"entity\", \"record_id\", \"changes\"";

/// Events of a tenant with `seq > cursor`, ascending, at most `limit`.
pub(crate) async fn events_after(
    pool: &SqlitePool,
    tenant: TenantId,
    cursor: i64,
    limit: u32,
) -> CrmResult<Vec<Event>> {
    let rows = sqlx::query(
        "SELECT \"tenant_id\", \"seq\", \"kind\", \"at\", \"entity\", \"record_id\", \"payload\" \
         FROM \"events\" WHERE \"tenant_id\" = ? AND \"seq\" > ? ORDER BY \"seq\" ASC LIMIT ?",
    )
    .bind(tenant.0)
    .bind(cursor)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(|e| map_sqlx(e, "reading events", None))?;
    rows.iter().map(decode_event).collect()
}

/// Audit entries of one record, oldest first.
pub(crate) async fn audit_for_record(
    pool: &SqlitePool,
    tenant: TenantId,
    entity: &str,
    record_id: i64,
) -> CrmResult<Vec<AuditEntry>> {
    let sql = format!(
        "SELECT {AUDIT_COLUMNS} FROM \"audit_log\" \
         WHERE \"tenant_id\" = ? AND \"entity\" = ? AND \"record_id\" = ? ORDER BY \"id\" ASC"
    );
    let rows = sqlx::query(&sql)
        .bind(tenant.0)
        .bind(entity)
        .bind(record_id)
        .fetch_all(pool)
        .await
        .map_err(|e| map_sqlx(e, "reading the audit log", None))?;
    rows.iter().map(decode_audit).collect()
}

/// Audit entries by one user with `id > after`, oldest first, at most `limit`.
pub(crate) async fn audit_by_user(
    pool: &SqlitePool,
    tenant: TenantId,
    user: UserId,
    after: i64,
    limit: u32,
) -> CrmResult<Vec<AuditEntry>> {
    let sql = format!(
        "SELECT {AUDIT_COLUMNS} FROM \"audit_log\" \
         WHERE \"tenant_id\" = ? AND \"actor_id\" = ? AND \"id\" > ? ORDER BY \"id\" ASC LIMIT ?"
    );
    let rows = sqlx::query(&sql)
        .bind(tenant.0)
        .bind(user.0)
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(|e| map_sqlx(e, "reading the audit log", None))?;
    rows.iter().map(decode_audit).collect()
}

fn decode_event(row: &SqliteRow) -> CrmResult<Event> {
    Ok(Event {
        tenant: TenantId(get_i64(row, 0, "events.tenant_id")?),
        seq: get_i64(row, 1, "events.seq")?,
        kind: get_text(row, 2, "events.kind")?,
        at: get_time(row, 3, "events.at")?,
        entity: get_text(row, 4, "events.entity")?,
        record_id: get_i64(row, 5, "events.record_id")?,
        payload: get_json(row, 6, "events.payload")?,
    })
}

fn decode_audit(row: &SqliteRow) -> CrmResult<AuditEntry> {
    Ok(AuditEntry {
        id: get_i64(row, 0, "audit_log.id")?,
        tenant: TenantId(get_i64(row, 1, "audit_log.tenant_id")?),
        at: get_time(row, 2, "audit_log.at")?,
        actor: get_opt_i64(row, 3, "audit_log.actor_id")?.map(UserId),
        operation: get_text(row, 4, "audit_log.operation")?,
        entity: get_text(row, 5, "audit_log.entity")?,
        record_id: get_i64(row, 6, "audit_log.record_id")?,
        changes: get_field_changes(row, 7, "audit_log.changes")?,
    })
}
