//! The one write path: a [`Changes`] applied in a single `BEGIN IMMEDIATE` transaction,
//! all of it or nothing.

use crate::bind::{bind_all, to_micros};
use crate::error_map::{is_foreign_key_violation, map_sqlx};
use crate::sql::{customer_children, ident, placeholders, table_sql, TableSql, MAX_PARAMS};
use crm_core::ids::TenantId;
use crm_core::store::{
    AuditEntry, Changes, Entity, NewEvent, SqlValue, StoredRow, ValidChanges, Write,
};
use crm_core::{CrmError, CrmResult};
use sqlx::{Sqlite, SqliteConnection, SqlitePool, Transaction};
use std::collections::HashMap;

/// Parameters of one audit row.
const AUDIT_PARAMS: usize = 7;
/// Parameters of one event row.
const EVENT_PARAMS: usize = 7;

/// Starts a write transaction that takes the database's write lock at once, so two writers
/// never both read and then fail to upgrade (they queue on `busy_timeout` instead).
pub(crate) async fn begin_immediate(pool: &SqlitePool) -> CrmResult<Transaction<'static, Sqlite>> {
    pool.begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(|e| map_sqlx(e, "starting a write transaction", None))
}

/// Commits `tx` when `result` is `Ok`, rolls it back otherwise.
pub(crate) async fn finish<T>(
    tx: Transaction<'static, Sqlite>,
    result: CrmResult<T>,
) -> CrmResult<T> {
    match result {
        Ok(value) => {
            tx.commit()
                .await
                .map_err(|e| map_sqlx(e, "committing", None))?;
            Ok(value)
        }
        Err(err) => {
            // The original error is what the caller needs; should the rollback itself fail,
            // sqlx rolls the connection back again before it is reused.
            let _rollback = tx.rollback().await;
            Err(err)
        }
    }
}

/// Applies a unit of work core validated (tenants, column types and bounds, JSON); returns
/// the sequence numbers given to its events, in order.
pub(crate) async fn apply(pool: &SqlitePool, changes: ValidChanges) -> CrmResult<Vec<i64>> {
    let changes = changes.into_inner();
    let touches_access = changes.touches_access_config();
    let Changes {
        tenant,
        writes,
        audit,
        events,
    } = changes;
    let steps = plan(&writes);
    if steps.is_empty() && audit.is_empty() && events.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = begin_immediate(pool).await?;
    let mut result = apply_in(&mut tx, tenant, &steps, &audit, &events).await;
    if result.is_ok() && touches_access {
        if let Err(e) = bump_tenant_version(&mut tx, tenant).await {
            result = Err(e);
        }
    }
    finish(tx, result).await
}

/// Raises the tenant row's version: users, departments, roles or pools changed (see
/// `Changes::touches_access_config`).
async fn bump_tenant_version(conn: &mut SqliteConnection, tenant: TenantId) -> CrmResult<()> {
    sqlx::query("UPDATE tenants SET version = version + 1 WHERE tenant_id = ? AND id = ?")
        .bind(tenant.0)
        .bind(tenant.0)
        .execute(&mut *conn)
        .await
        .map_err(|e| map_sqlx(e, "raising the tenant version", None))?;
    Ok(())
}

async fn apply_in(
    conn: &mut SqliteConnection,
    tenant: TenantId,
    steps: &[Step<'_>],
    audit: &[AuditEntry],
    events: &[NewEvent],
) -> CrmResult<Vec<i64>> {
    for step in steps {
        match step {
            Step::Insert { table, rows } => insert_rows(conn, table, rows).await?,
            Step::Update {
                table,
                row,
                expected_version,
            } => update_row(conn, table, row, *expected_version).await?,
            Step::Delete {
                table,
                id,
                expected_version,
            } => delete_row(conn, table, tenant, *id, *expected_version).await?,
        }
    }
    append_audit(conn, audit).await?;
    append_events(conn, tenant, events).await
}

/// One statement of the write phase.
#[derive(Debug)]
enum Step<'a> {
    /// Consecutive inserts into one table, as one multi-row `INSERT`.
    Insert {
        table: &'static TableSql,
        rows: Vec<&'a StoredRow>,
    },
    /// A versioned update.
    Update {
        table: &'static TableSql,
        row: &'a StoredRow,
        expected_version: i64,
    },
    /// A versioned delete.
    Delete {
        table: &'static TableSql,
        id: i64,
        expected_version: i64,
    },
}

/// Turns each run of consecutive inserts into as few multi-row `INSERT`s as keep the
/// outcome exactly that of the given order.
fn plan(writes: &[Write]) -> Vec<Step<'_>> {
    let mut steps: Vec<Step<'_>> = Vec::new();
    let mut run: Vec<&StoredRow> = Vec::new();
    for write in writes {
        match write {
            Write::Insert(row) => run.push(row),
            Write::Update {
                row,
                expected_version,
            } => {
                flush_inserts(&mut steps, &mut run);
                steps.push(Step::Update {
                    table: table_sql(row.entity),
                    row,
                    expected_version: *expected_version,
                });
            }
            Write::Delete {
                entity,
                tenant: _,
                id,
                expected_version,
            } => {
                flush_inserts(&mut steps, &mut run);
                steps.push(Step::Delete {
                    table: table_sql(*entity),
                    id: *id,
                    expected_version: *expected_version,
                });
            }
        }
    }
    flush_inserts(&mut steps, &mut run);
    steps
}

/// Turns a run of inserts into steps. When every child row in the run comes after the
/// customer it references (if that customer is inserted in the same run), grouping the run
/// by table in dependency order changes nothing but the number of statements: every
/// reference that held in the given order still holds, and none that failed can pass.
/// Otherwise only neighbouring inserts into one table are grouped.
fn flush_inserts<'a>(steps: &mut Vec<Step<'a>>, run: &mut Vec<&'a StoredRow>) {
    let rows = std::mem::take(run);
    if rows.is_empty() {
        return;
    }
    if parents_come_first(&rows) {
        for entity in Entity::ALL {
            let table = table_sql(entity);
            let group: Vec<&StoredRow> = rows
                .iter()
                .copied()
                .filter(|r| r.entity == entity)
                .collect();
            for chunk in group.chunks(table.rows_per_insert()) {
                steps.push(Step::Insert {
                    table,
                    rows: chunk.to_vec(),
                });
            }
        }
    } else {
        for row in rows {
            if let Some(Step::Insert { table, rows }) = steps.last_mut() {
                if table.spec.entity == row.entity && rows.len() < table.rows_per_insert() {
                    rows.push(row);
                    continue;
                }
            }
            steps.push(Step::Insert {
                table: table_sql(row.entity),
                rows: vec![row],
            });
        }
    }
}

/// The customer a child row references, if any.
fn referenced_customer(row: &StoredRow) -> Option<i64> {
    let (_, column) = customer_children().find(|(e, _)| *e == row.entity)?;
    let idx = row.entity.spec().column_index(column).ok()?;
    match row.columns.get(idx) {
        Some(SqlValue::Int(customer)) => Some(*customer),
        _ => None,
    }
}

/// Whether no row of the run references a customer inserted later in the same run.
fn parents_come_first(rows: &[&StoredRow]) -> bool {
    let mut first_insert: HashMap<i64, usize> = HashMap::new();
    for (pos, row) in rows.iter().enumerate() {
        if row.entity == Entity::Customer {
            first_insert.entry(row.id).or_insert(pos);
        }
    }
    if first_insert.is_empty() {
        return true;
    }
    rows.iter().enumerate().all(|(pos, row)| {
        match referenced_customer(row).and_then(|customer| first_insert.get(&customer)) {
            Some(parent) => *parent < pos,
            None => true,
        }
    })
}

async fn insert_rows(
    conn: &mut SqliteConnection,
    table: &'static TableSql,
    rows: &[&StoredRow],
) -> CrmResult<()> {
    let sql = table.insert(rows.len());
    let mut query = sqlx::query(&sql);
    for row in rows {
        query = query.bind(row.tenant.0).bind(row.id).bind(row.version);
        query = bind_all(query, &row.columns);
        query = query.bind(row.body.as_str());
    }
    match query.execute(&mut *conn).await {
        Ok(_) => Ok(()),
        Err(err) => {
            let action = match rows {
                [row] => format!("inserting {} {}", table.spec.table, row.id),
                _ => format!("inserting {} rows into {}", rows.len(), table.spec.table),
            };
            let reference = if is_foreign_key_violation(&err) {
                missing_parent(conn, rows).await
            } else {
                None
            };
            Err(map_sqlx(err, &action, reference))
        }
    }
}

async fn update_row(
    conn: &mut SqliteConnection,
    table: &'static TableSql,
    row: &StoredRow,
    expected_version: i64,
) -> CrmResult<()> {
    let mut query = sqlx::query(&table.update).bind(row.version);
    query = bind_all(query, &row.columns);
    query = query
        .bind(row.body.as_str())
        .bind(row.tenant.0)
        .bind(row.id)
        .bind(expected_version);
    match query.execute(&mut *conn).await {
        Ok(done) if done.rows_affected() == 0 => Err(changed_since_read(table, row.id)),
        Ok(_) => Ok(()),
        Err(err) => {
            let reference = if is_foreign_key_violation(&err) {
                missing_parent(conn, &[row]).await
            } else {
                None
            };
            Err(map_sqlx(
                err,
                &format!("updating {} {}", table.spec.table, row.id),
                reference,
            ))
        }
    }
}

async fn delete_row(
    conn: &mut SqliteConnection,
    table: &'static TableSql,
    tenant: TenantId,
    id: i64,
    expected_version: i64,
) -> CrmResult<()> {
    let result = sqlx::query(&table.delete)
        .bind(tenant.0)
        .bind(id)
        .bind(expected_version)
        .execute(&mut *conn)
        .await;
    match result {
        Ok(done) if done.rows_affected() == 0 => Err(changed_since_read(table, id)),
        Ok(_) => Ok(()),
        Err(err) => {
            let reference = if is_foreign_key_violation(&err) {
                still_referenced_by(conn, table.spec.entity, tenant, id).await
            } else {
                None
            };
            Err(map_sqlx(
                err,
                &format!("deleting {} {id}", table.spec.table),
                reference,
            ))
        }
    }
}

fn changed_since_read(table: &TableSql, id: i64) -> CrmError {
    CrmError::Conflict {
        detail: format!("{} {id} changed since it was read", table.spec.table),
    }
}

/// After a foreign-key failure writing `rows`: the first customer they reference that does
/// not exist in their tenant, as `customer <id>`.
async fn missing_parent(conn: &mut SqliteConnection, rows: &[&StoredRow]) -> Option<String> {
    let customers = ident(Entity::Customer.spec().table);
    let sql = format!("SELECT 1 FROM {customers} WHERE \"tenant_id\" = ? AND \"id\" = ?");
    for row in rows {
        if let Some(customer) = referenced_customer(row) {
            let found = sqlx::query(&sql)
                .bind(row.tenant.0)
                .bind(customer)
                .fetch_optional(&mut *conn)
                .await;
            if let Ok(None) = found {
                return Some(format!("customer {customer}"));
            }
        }
    }
    None
}

/// After a foreign-key failure deleting a customer: which table still references it.
async fn still_referenced_by(
    conn: &mut SqliteConnection,
    entity: Entity,
    tenant: TenantId,
    id: i64,
) -> Option<String> {
    if entity != Entity::Customer {
        return None;
    }
    for (child, customer_col) in customer_children() {
        let table = child.spec().table;
        let sql = format!(
            "SELECT 1 FROM {} WHERE \"tenant_id\" = ? AND {} = ? LIMIT 1",
            ident(table),
            ident(customer_col)
        );
        let found = sqlx::query(&sql)
            .bind(tenant.0)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await;
        if let Ok(Some(_)) = found {
            return Some(format!("customer {id} still referenced by {table}"));
        }
    }
    Some(format!("customer {id} still referenced"))
}

async fn append_audit(conn: &mut SqliteConnection, audit: &[AuditEntry]) -> CrmResult<()> {
    let encoded = audit
        .iter()
        .map(|entry| {
            serde_json::to_string(&entry.changes).map_err(|e| {
                CrmError::Storage(format!(
                    "encoding audit changes of {} {}: {e}",
                    entry.entity, entry.record_id
                ))
            })
        })
        .collect::<CrmResult<Vec<String>>>()?;
    let entries: Vec<(&AuditEntry, &String)> = audit.iter().zip(&encoded).collect();
    for chunk in entries.chunks(MAX_PARAMS / AUDIT_PARAMS) {
        let sql = format!(
            "INSERT INTO \"audit_log\" (\"tenant_id\", \"at\", \"actor_id\", \"operation\", \
             \"entity\", \"record_id\", \"changes\") VALUES {}",
            tuples(chunk.len(), AUDIT_PARAMS)
        );
        let mut query = sqlx::query(&sql);
        for (entry, changes) in chunk {
            query = query
                .bind(entry.tenant.0)
                .bind(to_micros(entry.at))
                .bind(entry.actor.map(|u| u.0))
                .bind(entry.operation.as_str())
                .bind(entry.entity.as_str())
                .bind(entry.record_id)
                .bind(changes.as_str());
        }
        query
            .execute(&mut *conn)
            .await
            .map_err(|e| map_sqlx(e, "appending to the audit log", None))?;
    }
    Ok(())
}

async fn append_events(
    conn: &mut SqliteConnection,
    tenant: TenantId,
    events: &[NewEvent],
) -> CrmResult<Vec<i64>> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let payloads = events
        .iter()
        .map(|event| {
            serde_json::to_string(&event.payload).map_err(|e| {
                CrmError::Storage(format!("encoding payload of {}: {e}", event.kind.as_str()))
            })
        })
        .collect::<CrmResult<Vec<String>>>()?;
    let count = i64::try_from(events.len())
        .map_err(|_| CrmError::Storage("too many events in one unit of work".to_owned()))?;
    let last: i64 = sqlx::query_scalar(
        "INSERT INTO \"event_seqs\" (\"tenant_id\", \"last_seq\") VALUES (?, ?) \
         ON CONFLICT (\"tenant_id\") DO UPDATE SET \"last_seq\" = \"last_seq\" + excluded.\"last_seq\" \
         RETURNING \"last_seq\"",
    )
    .bind(tenant.0)
    .bind(count)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| map_sqlx(e, "advancing the event sequence", None))?;
    let first = last - count + 1;
    let seqs: Vec<i64> = (first..=last).collect();

    let numbered: Vec<(i64, &NewEvent, &String)> = seqs
        .iter()
        .zip(events)
        .zip(&payloads)
        .map(|((seq, event), payload)| (*seq, event, payload))
        .collect();
    for chunk in numbered.chunks(MAX_PARAMS / EVENT_PARAMS) {
        let sql = format!(
            "INSERT INTO \"events\" (\"tenant_id\", \"seq\", \"kind\", \"at\", \"entity\", \
             \"record_id\", \"payload\") VALUES {}",
            tuples(chunk.len(), EVENT_PARAMS)
        );
        let mut query = sqlx::query(&sql);
        for (seq, event, payload) in chunk {
            query = query
                .bind(tenant.0)
                .bind(*seq)
                .bind(event.kind.as_str())
                .bind(to_micros(event.at))
                .bind(event.entity.as_str())
                .bind(event.record_id)
                .bind(payload.as_str());
        }
        query
            .execute(&mut *conn)
            .await
            .map_err(|e| map_sqlx(e, "appending events", None))?;
    }
    Ok(seqs)
}

/// `(?, …), (?, …)`: `rows` tuples of `width` placeholders.
fn tuples(rows: usize, width: usize) -> String {
    let tuple = format!("({})", placeholders(width));
    vec![tuple; rows].join(", ")
}
