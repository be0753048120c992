//! PostgreSQL store for the crm engine.
//!
//! [`PostgresStore`] implements [`crm_core::store::Store`] over a sqlx connection pool.
//! Every store lives in one PostgreSQL schema (`public` by default): the schema is created if
//! missing, every pooled connection gets `search_path` set to it, and the embedded
//! migrations (`migrations/`) run on connect. Several stores, processes or machines may share
//! one schema; optimistic versions, unique keys and per-tenant event sequences keep them
//! correct under that concurrency.
//!
//! - Tables follow `crm_core::store::schema`: per entity `tenant_id, id, version`, the indexed
//!   columns (`BIGINT`, `TEXT COLLATE "C"`, `TIMESTAMPTZ`, `BOOLEAN`) and a `JSONB` body
//!   (read back as text; key order is not kept). Times keep microseconds.
//! - [`Store::apply`](crm_core::store::Store::apply) runs in one transaction: version-checked
//!   `UPDATE`/`DELETE` (zero rows → `Conflict`), unique violations, serialization failures
//!   and deadlocks → `Conflict`, foreign-key violations → `NotFound`; nothing partial is
//!   ever written. The tenant's `event_seqs` row is locked before the audit entries and
//!   events are appended, so each tenant's log entries commit in cursor order.
//! - Queries push tenant, filters and data scope into SQL; every value is a bind parameter.
//!   Filters and rows arrive validated by core (`crm_core::store::check`).
//!
//! Tests need a server: `CRM_TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`; `scripts/ensure-postgres.sh` starts one).
//! Each test works in its own schema and drops it at the end.
//!
//! ```no_run
//! # async fn demo() -> crm_core::CrmResult<()> {
//! use crm_store_postgres::PostgresStore;
//! let store = PostgresStore::connect("postgres://postgres@127.0.0.1:5432/postgres").await?;
//! # let _ = store; Ok(()) }
//! ```

mod apply;
mod bind;
mod error_map;
mod logs;
mod predicate_sql;
mod read;
mod sql;
mod store;

use crate::error_map::map_sqlx;
use crm_core::{CrmError, CrmResult};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, Executor, PgPool};
use std::str::FromStr;
use std::time::Duration;

/// The embedded migrations, applied in order on connect.
static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// Longest PostgreSQL identifier.
const MAX_IDENTIFIER_LEN: usize = 63;

/// How to connect a [`PostgresStore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostgresConfig {
    /// Connection URL, e.g. `postgres://postgres@127.0.0.1:5432/postgres`.
    pub url: String,
    /// Schema holding the store's tables: `[a-z_][a-z0-9_]*`, at most 63 bytes.
    pub schema: String,
    /// Most connections the pool opens.
    pub max_connections: u32,
    /// How long an operation waits for a free connection before failing.
    pub acquire_timeout: Duration,
}

impl PostgresConfig {
    /// Defaults for a URL: schema `public`, 10 connections, 30 s acquire timeout.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            schema: "public".into(),
            max_connections: 10,
            acquire_timeout: Duration::from_secs(30),
        }
    }

    /// Uses another schema.
    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = schema.into();
        self
    }

    /// Sets the pool size (at least 1).
    pub fn max_connections(mut self, max: u32) -> Self {
        self.max_connections = max.max(1);
        self
    }

    /// Sets the acquire timeout.
    pub fn acquire_timeout(mut self, timeout: Duration) -> Self {
        self.acquire_timeout = timeout;
        self
    }
}

/// A [`crm_core::store::Store`] over PostgreSQL.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    schema: String,
    options: PgConnectOptions,
}

/// Checks a schema name: `[a-z_][a-z0-9_]*`, at most 63 bytes.
pub fn validate_schema_name(schema: &str) -> CrmResult<()> {
    let mut chars = schema.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !first_ok || !rest_ok {
        return Err(CrmError::validation(
            "schema",
            format!(
                "{} is not an identifier [a-z_][a-z0-9_]*",
                crm_core::validate::quote(schema)
            ),
        ));
    }
    if schema.len() > MAX_IDENTIFIER_LEN {
        return Err(CrmError::validation(
            "schema",
            format!(
                "{} is longer than {MAX_IDENTIFIER_LEN} bytes",
                crm_core::validate::quote(schema)
            ),
        ));
    }
    Ok(())
}

fn quoted(schema: &str) -> String {
    format!("\"{schema}\"")
}

impl PostgresStore {
    /// Connects to the `public` schema of the database at `url` and migrates it.
    pub async fn connect(url: &str) -> CrmResult<Self> {
        Self::open(PostgresConfig::new(url)).await
    }

    /// Connects to (and creates if missing) `schema` of the database at `url`, and migrates it.
    pub async fn connect_with_schema(url: &str, schema: &str) -> CrmResult<Self> {
        Self::open(PostgresConfig::new(url).schema(schema)).await
    }

    /// Connects with full configuration: validates the schema name, creates the schema if
    /// missing, opens the pool (every connection's `search_path` is the schema) and runs the
    /// embedded migrations.
    pub async fn open(config: PostgresConfig) -> CrmResult<Self> {
        validate_schema_name(&config.schema)?;
        let options = PgConnectOptions::from_str(&config.url)
            .map_err(|e| CrmError::validation("url", e.to_string()))?;
        ensure_schema(&options, &config.schema).await?;
        let set_path = format!("SET search_path TO {}", quoted(&config.schema));
        let pool = PgPoolOptions::new()
            .max_connections(config.max_connections.max(1))
            .acquire_timeout(config.acquire_timeout)
            .after_connect(move |conn, _meta| {
                let set_path = set_path.clone();
                Box::pin(async move {
                    conn.execute(set_path.as_str()).await?;
                    Ok(())
                })
            })
            .connect_with(options.clone())
            .await
            .map_err(map_sqlx)?;
        MIGRATOR.run(&pool).await.map_err(|e| {
            CrmError::Storage(format!("postgres: migrating {}: {e}", config.schema))
        })?;
        Ok(Self {
            pool,
            schema: config.schema,
            options,
        })
    }

    /// The schema this store lives in.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// The connection pool (its connections have `search_path` set to [`Self::schema`]).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Closes the pool; pending operations finish first.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Closes the pool and drops the store's schema with everything in it (for test
    /// teardown). Refuses to drop `public`.
    pub async fn drop_schema(self) -> CrmResult<()> {
        if self.schema == "public" {
            return Err(CrmError::validation(
                "schema",
                "refusing to drop the public schema",
            ));
        }
        self.pool.close().await;
        let mut conn = self.options.connect().await.map_err(map_sqlx)?;
        let dropped = conn
            .execute(format!("DROP SCHEMA IF EXISTS {} CASCADE", quoted(&self.schema)).as_str())
            .await
            .map_err(map_sqlx);
        let closed = conn.close().await.map_err(map_sqlx);
        dropped?;
        closed
    }
}

/// Creates the schema unless it exists (tolerating a concurrent creator).
async fn ensure_schema(options: &PgConnectOptions, schema: &str) -> CrmResult<()> {
    let mut conn = options.connect().await.map_err(map_sqlx)?;
    let result = create_schema(&mut conn, schema).await;
    let closed = conn.close().await.map_err(map_sqlx);
    result?;
    closed
}

async fn schema_exists(conn: &mut sqlx::PgConnection, schema: &str) -> CrmResult<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1)")
        .bind(schema)
        .fetch_one(&mut *conn)
        .await
        .map_err(map_sqlx)
}

async fn create_schema(conn: &mut sqlx::PgConnection, schema: &str) -> CrmResult<()> {
    if schema_exists(conn, schema).await? {
        return Ok(());
    }
    let created = conn
        .execute(format!("CREATE SCHEMA IF NOT EXISTS {}", quoted(schema)).as_str())
        .await;
    match created {
        Ok(_) => Ok(()),
        // Two creators can race past IF NOT EXISTS; the loser sees a unique violation.
        Err(e) if schema_exists(conn, schema).await? => {
            let _ = e;
            Ok(())
        }
        Err(e) => Err(map_sqlx(e)),
    }
}
