//! The baselines' data access: the same tables and statements the stores use, written by
//! hand — (a) with sqlx ([`SqlxSqlite`], [`SqlxPg`]) and (b) with rusqlite ([`Native`]).
//!
//! A unit of work ([`Changes`]) is applied with one prepared statement per row in one
//! transaction (`BEGIN IMMEDIATE` on SQLite): versioned updates and deletes fail the whole
//! unit with `Conflict` when the row moved on, exactly as the stores' contract says.

use crate::setup::TENANT;
use crm_core::store::{AuditEntry, Changes, ColumnType, Entity, NewEvent, Record, SqlValue, Write};
use crm_core::{CrmError, CrmResult};
use std::sync::Mutex;

/// A row as the baselines read it.
#[derive(Debug, Clone)]
pub struct Raw {
    /// Row id.
    pub id: i64,
    /// Stored version.
    pub version: i64,
    /// JSON body.
    pub body: String,
}

impl Raw {
    /// Decodes the body (the version column wins, as in the stores).
    pub fn decode<R: Record>(&self) -> CrmResult<R> {
        let mut r: R = serde_json::from_str(&self.body)
            .map_err(|e| CrmError::Storage(format!("decoding {}: {e}", self.id)))?;
        r.set_version(self.version);
        Ok(r)
    }
}

/// Hand-written data access over one database (tenant [`TENANT`]).
#[allow(async_fn_in_trait)]
pub trait Db: Send + Sync {
    /// One row by id.
    async fn get(&self, entity: Entity, id: i64) -> CrmResult<Option<Raw>>;
    /// `SELECT id, version, body FROM <table> AS t WHERE t.tenant_id = ? AND <cond> <tail>`;
    /// `?` placeholders in `cond` and `tail` take `binds` in order.
    async fn select(
        &self,
        entity: Entity,
        cond: &str,
        tail: &str,
        binds: &[SqlValue],
    ) -> CrmResult<Vec<Raw>>;
    /// Reserves `count` ids; returns the first.
    async fn allocate(&self, entity: Entity, count: u32) -> CrmResult<i64>;
    /// Applies a unit of work in one transaction.
    async fn apply(&self, changes: &Changes) -> CrmResult<()>;
}

fn cols(entity: Entity) -> Vec<(&'static str, ColumnType)> {
    entity
        .spec()
        .columns
        .iter()
        .map(|c| (c.name, c.ty))
        .collect()
}

fn table(entity: Entity) -> &'static str {
    entity.spec().table
}

/// `INSERT INTO t (tenant_id, id, version, <cols>, body) VALUES (?, …)`.
pub fn insert_sql(entity: Entity) -> String {
    let c = cols(entity);
    let names: Vec<String> = c.iter().map(|(n, _)| format!("\"{n}\"")).collect();
    let marks = vec!["?"; c.len() + 4].join(", ");
    let mid = if names.is_empty() {
        String::new()
    } else {
        format!("{}, ", names.join(", "))
    };
    format!(
        "INSERT INTO \"{}\" (\"tenant_id\", \"id\", \"version\", {mid}\"body\") VALUES ({marks})",
        table(entity)
    )
}

/// `UPDATE t SET version = ?, <cols> = ?, body = ? WHERE tenant_id = ? AND id = ? AND version = ?`.
pub fn update_sql(entity: Entity) -> String {
    let sets: Vec<String> = cols(entity)
        .iter()
        .map(|(n, _)| format!("\"{n}\" = ?"))
        .collect();
    let mid = if sets.is_empty() {
        String::new()
    } else {
        format!("{}, ", sets.join(", "))
    };
    format!(
        "UPDATE \"{}\" SET \"version\" = ?, {mid}\"body\" = ? \
         WHERE \"tenant_id\" = ? AND \"id\" = ? AND \"version\" = ?",
        table(entity)
    )
}

fn delete_sql(entity: Entity) -> String {
    format!(
        "DELETE FROM \"{}\" WHERE \"tenant_id\" = ? AND \"id\" = ? AND \"version\" = ?",
        table(entity)
    )
}

fn select_sql(entity: Entity, cond: &str, tail: &str) -> String {
    format!(
        "SELECT t.\"id\", t.\"version\", t.\"body\" FROM \"{}\" AS t WHERE t.\"tenant_id\" = ? AND {cond} {tail}",
        table(entity)
    )
}

const AUDIT_SQL: &str = "INSERT INTO \"audit_log\" (\"tenant_id\", \"at\", \"actor_id\", \"operation\", \"entity\", \"record_id\", \"changes\") VALUES (?, ?, ?, ?, ?, ?, ?)";
const SEQ_SQL: &str = "INSERT INTO \"event_seqs\" (\"tenant_id\", \"last_seq\") VALUES (?, ?) ON CONFLICT (\"tenant_id\") DO UPDATE SET \"last_seq\" = \"event_seqs\".\"last_seq\" + excluded.\"last_seq\" RETURNING \"last_seq\"";
const EVENT_SQL: &str = "INSERT INTO \"events\" (\"tenant_id\", \"seq\", \"kind\", \"at\", \"entity\", \"record_id\", \"payload\") VALUES (?, ?, ?, ?, ?, ?, ?)";

fn conflict(entity: Entity, id: i64) -> CrmError {
    CrmError::Conflict {
        detail: format!("{} {id} changed since it was read", table(entity)),
    }
}

fn encode_audit(a: &AuditEntry) -> CrmResult<String> {
    serde_json::to_string(&a.changes).map_err(|e| CrmError::Storage(e.to_string()))
}

fn encode_event(e: &NewEvent) -> CrmResult<String> {
    serde_json::to_string(&e.payload).map_err(|e| CrmError::Storage(e.to_string()))
}

fn storage<E: std::fmt::Display>(what: &'static str) -> impl Fn(E) -> CrmError {
    move |e| {
        let text = e.to_string();
        if text.contains("UNIQUE") || text.contains("unique") || text.contains("duplicate key") {
            CrmError::Conflict {
                detail: format!("{what}: {text}"),
            }
        } else {
            CrmError::Storage(format!("{what}: {text}"))
        }
    }
}

/// PostgreSQL keeps bodies as JSONB: read them as text, write them cast.
fn pg_json(sql: String) -> String {
    if sql.starts_with("SELECT") {
        return sql.replacen("t.\"body\" FROM", "t.\"body\"::text FROM", 1);
    }
    if sql.starts_with("UPDATE") {
        let at = sql
            .find("\"body\" = $")
            .map_or(0, |i| i + "\"body\" = $".len());
        let end = sql[at..]
            .find(|c: char| !c.is_ascii_digit())
            .map_or(sql.len(), |e| at + e);
        let (a, b) = sql.split_at(end);
        let a = if at > 0 {
            format!("{a}::jsonb")
        } else {
            a.to_owned()
        };
        return format!("{a}{b}");
    }
    match sql.rfind(')') {
        Some(i) if sql.starts_with("INSERT") => format!("{}::jsonb)", &sql[..i]),
        _ => sql,
    }
}

/// Rewrites `?` placeholders as PostgreSQL's `$1, $2, …`.
pub fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for ch in sql.chars() {
        if ch == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(ch);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// (b) rusqlite

/// Baseline (b): one rusqlite connection to a SQLite file, statements prepared once and
/// cached.
pub struct Native {
    conn: Mutex<rusqlite::Connection>,
}

fn rq_value(ty: Option<ColumnType>, v: &SqlValue) -> rusqlite::types::Value {
    use rusqlite::types::Value;
    let _ = ty;
    match v {
        SqlValue::Null => Value::Null,
        SqlValue::Int(i) => Value::Integer(*i),
        SqlValue::Text(s) => Value::Text(s.clone()),
        SqlValue::Time(t) => Value::Integer(t.timestamp_micros()),
        SqlValue::Bool(b) => Value::Integer(i64::from(*b)),
    }
}

impl Native {
    /// Opens a SQLite file the store already created (WAL, `synchronous=NORMAL`, foreign
    /// keys on, 10 s busy timeout: the store's settings).
    pub fn open(path: &str) -> CrmResult<Self> {
        let conn = rusqlite::Connection::open(path).map_err(storage("opening"))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
        )
        .map_err(storage("pragmas"))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(storage("busy timeout"))?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&mut rusqlite::Connection) -> CrmResult<T>) -> CrmResult<T> {
        let mut conn = self
            .conn
            .lock()
            .map_err(|_| CrmError::Storage("connection lock poisoned".into()))?;
        f(&mut conn)
    }

    /// Runs `f` on the connection (for the read scenarios' own statements).
    pub fn raw<T>(
        &self,
        f: impl FnOnce(&mut rusqlite::Connection) -> CrmResult<T>,
    ) -> CrmResult<T> {
        self.with(f)
    }
}

fn rq_apply(conn: &mut rusqlite::Connection, changes: &Changes) -> CrmResult<()> {
    use rusqlite::params_from_iter;
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(storage("begin"))?;
    for w in &changes.writes {
        match w {
            Write::Insert(row) => {
                let mut st = tx
                    .prepare_cached(&insert_sql(row.entity))
                    .map_err(storage("prepare insert"))?;
                let mut vals = vec![
                    rusqlite::types::Value::Integer(row.tenant.0),
                    rusqlite::types::Value::Integer(row.id),
                    rusqlite::types::Value::Integer(row.version),
                ];
                vals.extend(row.columns.iter().map(|v| rq_value(None, v)));
                vals.push(rusqlite::types::Value::Text(row.body.clone()));
                st.execute(params_from_iter(vals))
                    .map_err(storage("insert"))?;
            }
            Write::Update {
                row,
                expected_version,
            } => {
                let mut st = tx
                    .prepare_cached(&update_sql(row.entity))
                    .map_err(storage("prepare update"))?;
                let mut vals = vec![rusqlite::types::Value::Integer(row.version)];
                vals.extend(row.columns.iter().map(|v| rq_value(None, v)));
                vals.push(rusqlite::types::Value::Text(row.body.clone()));
                vals.push(rusqlite::types::Value::Integer(row.tenant.0));
                vals.push(rusqlite::types::Value::Integer(row.id));
                vals.push(rusqlite::types::Value::Integer(*expected_version));
                if st
                    .execute(params_from_iter(vals))
                    .map_err(storage("update"))?
                    == 0
                {
                    return Err(conflict(row.entity, row.id));
                }
            }
            Write::Delete {
                entity,
                tenant,
                id,
                expected_version,
            } => {
                let mut st = tx
                    .prepare_cached(&delete_sql(*entity))
                    .map_err(storage("prepare delete"))?;
                if st
                    .execute(rusqlite::params![tenant.0, id, expected_version])
                    .map_err(storage("delete"))?
                    == 0
                {
                    return Err(conflict(*entity, *id));
                }
            }
        }
    }
    {
        let mut st = tx
            .prepare_cached(AUDIT_SQL)
            .map_err(storage("prepare audit"))?;
        for a in &changes.audit {
            st.execute(rusqlite::params![
                a.tenant.0,
                a.at.timestamp_micros(),
                a.actor.map(|u| u.0),
                a.operation,
                a.entity,
                a.record_id,
                encode_audit(a)?
            ])
            .map_err(storage("audit"))?;
        }
    }
    if !changes.events.is_empty() {
        let n = changes.events.len() as i64;
        let last: i64 = tx
            .prepare_cached(SEQ_SQL)
            .map_err(storage("prepare seq"))?
            .query_row(rusqlite::params![changes.tenant.0, n], |r| r.get(0))
            .map_err(storage("seq"))?;
        let mut st = tx
            .prepare_cached(EVENT_SQL)
            .map_err(storage("prepare event"))?;
        for (k, e) in changes.events.iter().enumerate() {
            st.execute(rusqlite::params![
                changes.tenant.0,
                last - n + 1 + k as i64,
                e.kind.as_str(),
                e.at.timestamp_micros(),
                e.entity,
                e.record_id,
                encode_event(e)?
            ])
            .map_err(storage("event"))?;
        }
    }
    tx.commit().map_err(storage("commit"))
}

impl Db for Native {
    async fn get(&self, entity: Entity, id: i64) -> CrmResult<Option<Raw>> {
        self.with(|conn| {
            let mut st = conn
                .prepare_cached(&select_sql(entity, "t.\"id\" = ?", ""))
                .map_err(storage("prepare get"))?;
            let mut rows = st
                .query(rusqlite::params![TENANT.0, id])
                .map_err(storage("get"))?;
            match rows.next().map_err(storage("get"))? {
                Some(r) => Ok(Some(Raw {
                    id: r.get(0).map_err(storage("get"))?,
                    version: r.get(1).map_err(storage("get"))?,
                    body: r.get(2).map_err(storage("get"))?,
                })),
                None => Ok(None),
            }
        })
    }

    async fn select(
        &self,
        entity: Entity,
        cond: &str,
        tail: &str,
        binds: &[SqlValue],
    ) -> CrmResult<Vec<Raw>> {
        self.with(|conn| {
            let mut st = conn
                .prepare_cached(&select_sql(entity, cond, tail))
                .map_err(storage("prepare select"))?;
            let mut vals = vec![rusqlite::types::Value::Integer(TENANT.0)];
            vals.extend(binds.iter().map(|v| rq_value(None, v)));
            let rows = st
                .query_map(rusqlite::params_from_iter(vals), |r| {
                    Ok(Raw {
                        id: r.get(0)?,
                        version: r.get(1)?,
                        body: r.get(2)?,
                    })
                })
                .map_err(storage("select"))?;
            rows.collect::<Result<Vec<_>, _>>()
                .map_err(storage("select"))
        })
    }

    async fn allocate(&self, entity: Entity, count: u32) -> CrmResult<i64> {
        self.with(|conn| {
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(storage("begin"))?;
            let next: i64 = tx
                .prepare_cached(
                    "INSERT INTO \"id_sequences\" (\"entity\", \"next_id\") VALUES (?, 1 + ?) \
                     ON CONFLICT (\"entity\") DO UPDATE SET \"next_id\" = \"next_id\" + excluded.\"next_id\" - 1 \
                     RETURNING \"next_id\"",
                )
                .map_err(storage("prepare ids"))?
                .query_row(rusqlite::params![table(entity), i64::from(count)], |r| r.get(0))
                .map_err(storage("ids"))?;
            tx.commit().map_err(storage("commit"))?;
            Ok(next - i64::from(count))
        })
    }

    async fn apply(&self, changes: &Changes) -> CrmResult<()> {
        self.with(|conn| rq_apply(conn, changes))
    }
}

// ---------------------------------------------------------------------------------------
// (a) sqlx, SQLite

/// Baseline (a) on SQLite: the same statements through sqlx on a pool opened by the store
/// (so the connection settings are the store's).
#[derive(Clone)]
pub struct SqlxSqlite {
    /// The pool.
    pub pool: sqlx::SqlitePool,
}

type SqliteQ<'q> = sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>;

fn bind_sqlite<'q>(q: SqliteQ<'q>, ty: Option<ColumnType>, v: &SqlValue) -> SqliteQ<'q> {
    match v {
        SqlValue::Null => match ty {
            Some(ColumnType::Text) => q.bind(None::<String>),
            _ => q.bind(None::<i64>),
        },
        SqlValue::Int(i) => q.bind(*i),
        SqlValue::Text(s) => q.bind(s.clone()),
        SqlValue::Time(t) => q.bind(t.timestamp_micros()),
        SqlValue::Bool(b) => q.bind(i64::from(*b)),
    }
}

fn raw_of<R: sqlx::Row>(r: &R) -> Result<Raw, sqlx::Error>
where
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    Ok(Raw {
        id: r.try_get(0)?,
        version: r.try_get(1)?,
        body: r.try_get(2)?,
    })
}

impl Db for SqlxSqlite {
    async fn get(&self, entity: Entity, id: i64) -> CrmResult<Option<Raw>> {
        let sql = select_sql(entity, "t.\"id\" = ?", "");
        let row = sqlx::query(&sql)
            .bind(TENANT.0)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(storage("get"))?;
        row.map(|r| raw_of(&r)).transpose().map_err(storage("get"))
    }

    async fn select(
        &self,
        entity: Entity,
        cond: &str,
        tail: &str,
        binds: &[SqlValue],
    ) -> CrmResult<Vec<Raw>> {
        let sql = select_sql(entity, cond, tail);
        let mut q = sqlx::query(&sql).bind(TENANT.0);
        for b in binds {
            q = bind_sqlite(q, None, b);
        }
        let rows = q.fetch_all(&self.pool).await.map_err(storage("select"))?;
        rows.iter()
            .map(raw_of)
            .collect::<Result<_, _>>()
            .map_err(storage("select"))
    }

    async fn allocate(&self, entity: Entity, count: u32) -> CrmResult<i64> {
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(storage("begin"))?;
        let next: i64 = sqlx::query_scalar(
            "INSERT INTO \"id_sequences\" (\"entity\", \"next_id\") VALUES (?, 1 + ?) \
             ON CONFLICT (\"entity\") DO UPDATE SET \"next_id\" = \"next_id\" + excluded.\"next_id\" - 1 \
             RETURNING \"next_id\"",
        )
        .bind(table(entity))
        .bind(i64::from(count))
        .fetch_one(&mut *tx)
        .await
        .map_err(storage("ids"))?;
        tx.commit().await.map_err(storage("commit"))?;
        Ok(next - i64::from(count))
    }

    async fn apply(&self, changes: &Changes) -> CrmResult<()> {
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(storage("begin"))?;
        for w in &changes.writes {
            match w {
                Write::Insert(row) => {
                    let sql = insert_sql(row.entity);
                    let mut q = sqlx::query(&sql)
                        .bind(row.tenant.0)
                        .bind(row.id)
                        .bind(row.version);
                    for ((_, ty), v) in cols(row.entity).iter().zip(&row.columns) {
                        q = bind_sqlite(q, Some(*ty), v);
                    }
                    q.bind(row.body.as_str())
                        .execute(&mut *tx)
                        .await
                        .map_err(storage("insert"))?;
                }
                Write::Update {
                    row,
                    expected_version,
                } => {
                    let sql = update_sql(row.entity);
                    let mut q = sqlx::query(&sql).bind(row.version);
                    for ((_, ty), v) in cols(row.entity).iter().zip(&row.columns) {
                        q = bind_sqlite(q, Some(*ty), v);
                    }
                    let done = q
                        .bind(row.body.as_str())
                        .bind(row.tenant.0)
                        .bind(row.id)
                        .bind(*expected_version)
                        .execute(&mut *tx)
                        .await
                        .map_err(storage("update"))?;
                    if done.rows_affected() == 0 {
                        return Err(conflict(row.entity, row.id));
                    }
                }
                Write::Delete {
                    entity,
                    tenant,
                    id,
                    expected_version,
                } => {
                    let done = sqlx::query(&delete_sql(*entity))
                        .bind(tenant.0)
                        .bind(*id)
                        .bind(*expected_version)
                        .execute(&mut *tx)
                        .await
                        .map_err(storage("delete"))?;
                    if done.rows_affected() == 0 {
                        return Err(conflict(*entity, *id));
                    }
                }
            }
        }
        for a in &changes.audit {
            sqlx::query(AUDIT_SQL)
                .bind(a.tenant.0)
                .bind(a.at.timestamp_micros())
                .bind(a.actor.map(|u| u.0))
                .bind(a.operation.as_str())
                .bind(a.entity.as_str())
                .bind(a.record_id)
                .bind(encode_audit(a)?)
                .execute(&mut *tx)
                .await
                .map_err(storage("audit"))?;
        }
        if !changes.events.is_empty() {
            let n = changes.events.len() as i64;
            let last: i64 = sqlx::query_scalar(SEQ_SQL)
                .bind(changes.tenant.0)
                .bind(n)
                .fetch_one(&mut *tx)
                .await
                .map_err(storage("seq"))?;
            for (k, e) in changes.events.iter().enumerate() {
                sqlx::query(EVENT_SQL)
                    .bind(changes.tenant.0)
                    .bind(last - n + 1 + k as i64)
                    .bind(e.kind.as_str())
                    .bind(e.at.timestamp_micros())
                    .bind(e.entity.as_str())
                    .bind(e.record_id)
                    .bind(encode_event(e)?)
                    .execute(&mut *tx)
                    .await
                    .map_err(storage("event"))?;
            }
        }
        tx.commit().await.map_err(storage("commit"))
    }
}

// ---------------------------------------------------------------------------------------
// (a) sqlx, PostgreSQL

/// Baseline (a) on PostgreSQL: the same statements through sqlx on a pool opened by the
/// store (its connections' `search_path` is the store's schema).
#[derive(Clone)]
pub struct SqlxPg {
    /// The pool.
    pub pool: sqlx::PgPool,
}

type PgQ<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

/// A `timestamptz` bind value (the workspace's sqlx has no `chrono` feature, so this
/// carries the binary codec the PostgreSQL store uses: microseconds since 2000-01-01 UTC).
#[derive(Debug, Clone, Copy)]
pub struct PgTime(pub chrono::DateTime<chrono::Utc>);

const PG_EPOCH_OFFSET_MICROS: i64 = 946_684_800_000_000;

impl sqlx::Type<sqlx::Postgres> for PgTime {
    fn type_info() -> sqlx::postgres::PgTypeInfo {
        sqlx::postgres::PgTypeInfo::with_oid(sqlx::postgres::types::Oid(1184))
    }
}

impl sqlx::Encode<'_, sqlx::Postgres> for PgTime {
    fn encode_by_ref(
        &self,
        buf: &mut sqlx::postgres::PgArgumentBuffer,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        let micros = self.0.timestamp_micros() - PG_EPOCH_OFFSET_MICROS;
        <i64 as sqlx::Encode<'_, sqlx::Postgres>>::encode_by_ref(&micros, buf)
    }
}

fn bind_pg<'q>(q: PgQ<'q>, ty: Option<ColumnType>, v: &SqlValue) -> PgQ<'q> {
    match v {
        SqlValue::Null => match ty {
            Some(ColumnType::Text) => q.bind(None::<String>),
            Some(ColumnType::Time) => q.bind(None::<PgTime>),
            Some(ColumnType::Bool) => q.bind(None::<bool>),
            _ => q.bind(None::<i64>),
        },
        SqlValue::Int(i) => q.bind(*i),
        SqlValue::Text(s) => q.bind(s.clone()),
        SqlValue::Time(t) => q.bind(PgTime(*t)),
        SqlValue::Bool(b) => q.bind(*b),
    }
}

impl Db for SqlxPg {
    async fn get(&self, entity: Entity, id: i64) -> CrmResult<Option<Raw>> {
        let sql = pg_json(numbered(&select_sql(entity, "t.\"id\" = ?", "")));
        let row = sqlx::query(&sql)
            .bind(TENANT.0)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(storage("get"))?;
        row.map(|r| raw_of(&r)).transpose().map_err(storage("get"))
    }

    async fn select(
        &self,
        entity: Entity,
        cond: &str,
        tail: &str,
        binds: &[SqlValue],
    ) -> CrmResult<Vec<Raw>> {
        let sql = pg_json(numbered(&select_sql(entity, cond, tail)));
        let mut q = sqlx::query(&sql).bind(TENANT.0);
        for b in binds {
            q = bind_pg(q, None, b);
        }
        let rows = q.fetch_all(&self.pool).await.map_err(storage("select"))?;
        rows.iter()
            .map(raw_of)
            .collect::<Result<_, _>>()
            .map_err(storage("select"))
    }

    async fn allocate(&self, entity: Entity, count: u32) -> CrmResult<i64> {
        let next: i64 = sqlx::query_scalar(
            "INSERT INTO \"id_sequences\" (\"entity\", \"next_id\") VALUES ($1, 1 + $2) \
             ON CONFLICT (\"entity\") DO UPDATE SET \"next_id\" = \"id_sequences\".\"next_id\" + $2 \
             RETURNING \"next_id\"",
        )
        .bind(entity.name())
        .bind(i64::from(count))
        .fetch_one(&self.pool)
        .await
        .map_err(storage("ids"))?;
        Ok(next - i64::from(count))
    }

    async fn apply(&self, changes: &Changes) -> CrmResult<()> {
        let mut tx = self.pool.begin().await.map_err(storage("begin"))?;
        for w in &changes.writes {
            match w {
                Write::Insert(row) => {
                    let sql = pg_json(numbered(&insert_sql(row.entity)));
                    let mut q = sqlx::query(&sql)
                        .bind(row.tenant.0)
                        .bind(row.id)
                        .bind(row.version);
                    for ((_, ty), v) in cols(row.entity).iter().zip(&row.columns) {
                        q = bind_pg(q, Some(*ty), v);
                    }
                    q.bind(row.body.as_str())
                        .execute(&mut *tx)
                        .await
                        .map_err(storage("insert"))?;
                }
                Write::Update {
                    row,
                    expected_version,
                } => {
                    let sql = pg_json(numbered(&update_sql(row.entity)));
                    let mut q = sqlx::query(&sql).bind(row.version);
                    for ((_, ty), v) in cols(row.entity).iter().zip(&row.columns) {
                        q = bind_pg(q, Some(*ty), v);
                    }
                    let done = q
                        .bind(row.body.as_str())
                        .bind(row.tenant.0)
                        .bind(row.id)
                        .bind(*expected_version)
                        .execute(&mut *tx)
                        .await
                        .map_err(storage("update"))?;
                    if done.rows_affected() == 0 {
                        return Err(conflict(row.entity, row.id));
                    }
                }
                Write::Delete {
                    entity,
                    tenant,
                    id,
                    expected_version,
                } => {
                    let done = sqlx::query(&numbered(&delete_sql(*entity)))
                        .bind(tenant.0)
                        .bind(*id)
                        .bind(*expected_version)
                        .execute(&mut *tx)
                        .await
                        .map_err(storage("delete"))?;
                    if done.rows_affected() == 0 {
                        return Err(conflict(*entity, *id));
                    }
                }
            }
        }
        let audit_sql = numbered(&AUDIT_SQL.replace(
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            "VALUES (?, ?, ?, ?, ?, ?, ?::jsonb)",
        ));
        for a in &changes.audit {
            sqlx::query(&audit_sql)
                .bind(a.tenant.0)
                .bind(PgTime(a.at))
                .bind(a.actor.map(|u| u.0))
                .bind(a.operation.as_str())
                .bind(a.entity.as_str())
                .bind(a.record_id)
                .bind(encode_audit(a)?)
                .execute(&mut *tx)
                .await
                .map_err(storage("audit"))?;
        }
        if !changes.events.is_empty() {
            let n = changes.events.len() as i64;
            let last: i64 = sqlx::query_scalar(&numbered(SEQ_SQL))
                .bind(changes.tenant.0)
                .bind(n)
                .fetch_one(&mut *tx)
                .await
                .map_err(storage("seq"))?;
            let event_sql = numbered(&EVENT_SQL.replace(
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                "VALUES (?, ?, ?, ?, ?, ?, ?::jsonb)",
            ));
            for (k, e) in changes.events.iter().enumerate() {
                sqlx::query(&event_sql)
                    .bind(changes.tenant.0)
                    .bind(last - n + 1 + k as i64)
                    .bind(e.kind.as_str())
                    .bind(PgTime(e.at))
                    .bind(e.entity.as_str())
                    .bind(e.record_id)
                    .bind(encode_event(e)?)
                    .execute(&mut *tx)
                    .await
                    .map_err(storage("event"))?;
            }
        }
        tx.commit().await.map_err(storage("commit"))
    }
}
