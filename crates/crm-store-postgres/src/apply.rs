//! The one write path: a whole [`Changes`] in one transaction, or nothing.

use crate::bind::{bind_all, Param, PgTime};
use crate::error_map::{corrupt, map_sqlx};
use crate::sql::{self, Sql};
use crm_core::ids::TenantId;
use crm_core::store::{AuditEntry, Changes, NewEvent, ValidChanges, Write};
use crm_core::{CrmError, CrmResult};
use sqlx::{PgPool, Postgres, Transaction};

/// A row write ready to run, with what to report when it matches no row.
struct PlannedWrite {
    sql: Sql,
    /// `Some(detail)` for version-checked writes: zero rows affected is a conflict.
    on_miss: Option<String>,
}

/// Plans one write (core validated its tenant and column values).
fn plan_write(write: Write) -> CrmResult<PlannedWrite> {
    match write {
        Write::Insert(row) => Ok(PlannedWrite {
            sql: sql::insert(&row)?,
            on_miss: None,
        }),
        Write::Update {
            row,
            expected_version,
        } => Ok(PlannedWrite {
            sql: sql::update(&row, expected_version)?,
            on_miss: Some(format!(
                "{} {} changed since it was read",
                row.entity.spec().table,
                row.id
            )),
        }),
        Write::Delete {
            entity,
            tenant,
            id,
            expected_version,
        } => Ok(PlannedWrite {
            sql: sql::delete(entity, tenant, id, expected_version),
            on_miss: Some(format!(
                "{} {id} changed since it was read",
                entity.spec().table
            )),
        }),
    }
}

fn count_of(len: usize) -> CrmResult<i64> {
    i64::try_from(len).map_err(|_| CrmError::Storage("too many entries in one Changes".into()))
}

/// One multi-row `INSERT … SELECT FROM UNNEST` for the audit entries, in their order.
fn plan_audit(audit: Vec<AuditEntry>) -> CrmResult<Option<Sql>> {
    if audit.is_empty() {
        return Ok(None);
    }
    let mut tenants = Vec::with_capacity(audit.len());
    let mut ats = Vec::with_capacity(audit.len());
    let mut actors = Vec::with_capacity(audit.len());
    let mut operations = Vec::with_capacity(audit.len());
    let mut entities = Vec::with_capacity(audit.len());
    let mut record_ids = Vec::with_capacity(audit.len());
    let mut changes = Vec::with_capacity(audit.len());
    for entry in audit {
        let AuditEntry {
            id: _,
            tenant,
            at,
            actor,
            operation,
            entity,
            record_id,
            changes: fields,
        } = entry;
        changes.push(serde_json::to_string(&fields).map_err(|e| {
            CrmError::Storage(format!(
                "encoding audit changes of {entity} {record_id}: {e}"
            ))
        })?);
        tenants.push(tenant.0);
        ats.push(PgTime(at));
        actors.push(actor.map(|u| u.0));
        operations.push(operation);
        entities.push(entity);
        record_ids.push(record_id);
    }
    Ok(Some(Sql {
        text: "INSERT INTO \"audit_log\" \
               (\"tenant_id\", \"at\", \"actor_id\", \"operation\", \"entity\", \"record_id\", \"changes\") \
               SELECT t.tenant_id, t.at, t.actor_id, t.operation, t.entity, t.record_id, t.changes::jsonb \
               FROM UNNEST($1::int8[], $2::timestamptz[], $3::int8[], $4::text[], $5::text[], $6::int8[], $7::text[]) \
               WITH ORDINALITY AS t(tenant_id, at, actor_id, operation, entity, record_id, changes, ord) \
               ORDER BY t.ord"
            .to_owned(),
        params: vec![
            Param::Ints(tenants),
            Param::Times(ats),
            Param::OptInts(actors),
            Param::Texts(operations),
            Param::Texts(entities),
            Param::Ints(record_ids),
            Param::Texts(changes),
        ],
    }))
}

/// Event columns, ready to bind once the first sequence number is known.
struct PlannedEvents {
    count: i64,
    kinds: Vec<String>,
    ats: Vec<PgTime>,
    entities: Vec<String>,
    record_ids: Vec<i64>,
    payloads: Vec<String>,
}

fn plan_events(events: Vec<NewEvent>) -> CrmResult<Option<PlannedEvents>> {
    if events.is_empty() {
        return Ok(None);
    }
    let mut planned = PlannedEvents {
        count: count_of(events.len())?,
        kinds: Vec::with_capacity(events.len()),
        ats: Vec::with_capacity(events.len()),
        entities: Vec::with_capacity(events.len()),
        record_ids: Vec::with_capacity(events.len()),
        payloads: Vec::with_capacity(events.len()),
    };
    for event in events {
        let NewEvent {
            kind,
            at,
            entity,
            record_id,
            payload,
        } = event;
        planned
            .payloads
            .push(serde_json::to_string(&payload).map_err(|e| {
                CrmError::Storage(format!("encoding payload of {}: {e}", kind.as_str()))
            })?);
        planned.kinds.push(kind.as_str().to_owned());
        planned.ats.push(PgTime(at));
        planned.entities.push(entity);
        planned.record_ids.push(record_id);
    }
    Ok(Some(planned))
}

/// Applies a unit of work atomically; returns the sequence numbers given to its events.
///
/// Core validated every row, audit entry and event; every statement is built before the
/// transaction starts. Any failure rolls the whole transaction back.
pub(crate) async fn apply(pool: &PgPool, changes: ValidChanges) -> CrmResult<Vec<i64>> {
    let changes = changes.into_inner();
    let touches_access = changes.touches_access_config();
    let Changes {
        tenant,
        writes,
        audit,
        events,
    } = changes;
    let mut writes = writes
        .into_iter()
        .map(plan_write)
        .collect::<CrmResult<Vec<_>>>()?;
    if touches_access {
        writes.push(PlannedWrite {
            sql: sql::bump_tenant_version(tenant),
            on_miss: None,
        });
    }
    let audit = plan_audit(audit)?;
    let events = plan_events(events)?;
    if writes.is_empty() && audit.is_none() && events.is_none() {
        return Ok(Vec::new());
    }
    let mut tx = pool.begin().await.map_err(map_sqlx)?;
    match run(&mut tx, tenant, writes, audit, events).await {
        Ok(seqs) => {
            tx.commit().await.map_err(map_sqlx)?;
            Ok(seqs)
        }
        Err(err) => {
            // The error is what matters; a failed rollback also ends the transaction.
            let _ = tx.rollback().await;
            Err(err)
        }
    }
}

async fn execute(tx: &mut Transaction<'_, Postgres>, sql: Sql) -> CrmResult<u64> {
    let result = bind_all(sqlx::query(&sql.text), sql.params)
        .execute(&mut **tx)
        .await
        .map_err(map_sqlx)?;
    Ok(result.rows_affected())
}

async fn run(
    tx: &mut Transaction<'_, Postgres>,
    tenant: TenantId,
    writes: Vec<PlannedWrite>,
    audit: Option<Sql>,
    events: Option<PlannedEvents>,
) -> CrmResult<Vec<i64>> {
    for write in writes {
        let affected = execute(tx, write.sql).await?;
        if let (0, Some(detail)) = (affected, write.on_miss) {
            return Err(CrmError::Conflict { detail });
        }
    }
    if audit.is_none() && events.is_none() {
        return Ok(Vec::new());
    }
    // Lock the tenant's sequence row (reserving the event sequence numbers) before anything
    // is appended to the logs. The lock is held until commit, so the log writes of one tenant
    // commit in the order of their sequence numbers and audit ids: a reader paging by cursor
    // (`events_after`, `audit_by_user`) never sees a later entry before an earlier one.
    // It is taken after the row writes, so it is held briefly and never waits on a row lock.
    let count = events.as_ref().map_or(0, |e| e.count);
    let last: i64 = sqlx::query_scalar(
        "INSERT INTO \"event_seqs\" (\"tenant_id\", \"last_seq\") VALUES ($1, $2) \
         ON CONFLICT (\"tenant_id\") DO UPDATE SET \"last_seq\" = \"event_seqs\".\"last_seq\" + $2 \
         RETURNING \"last_seq\"",
    )
    .bind(tenant.0)
    .bind(count)
    .fetch_one(&mut **tx)
    .await
    .map_err(map_sqlx)?;
    if let Some(audit) = audit {
        execute(tx, audit).await?;
    }
    let Some(events) = events else {
        return Ok(Vec::new());
    };
    let first = last
        .checked_sub(count - 1)
        .ok_or_else(|| corrupt(format!("event sequence {last} of tenant {tenant}")))?;
    let PlannedEvents {
        count,
        kinds,
        ats,
        entities,
        record_ids,
        payloads,
    } = events;
    let sql = Sql {
        text: "INSERT INTO \"events\" \
               (\"tenant_id\", \"seq\", \"kind\", \"at\", \"entity\", \"record_id\", \"payload\") \
               SELECT $1, $2 + t.ord - 1, t.kind, t.at, t.entity, t.record_id, t.payload::jsonb \
               FROM UNNEST($3::text[], $4::timestamptz[], $5::text[], $6::int8[], $7::text[]) \
               WITH ORDINALITY AS t(kind, at, entity, record_id, payload, ord)"
            .to_owned(),
        params: vec![
            Param::Int(Some(tenant.0)),
            Param::Int(Some(first)),
            Param::Texts(kinds),
            Param::Times(ats),
            Param::Texts(entities),
            Param::Ints(record_ids),
            Param::Texts(payloads),
        ],
    };
    execute(tx, sql).await?;
    Ok((first..first + count).collect())
}
