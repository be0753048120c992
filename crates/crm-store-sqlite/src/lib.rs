//! SQLite store for the crm engine: [`SqliteStore`] implements
//! [`crm_core::store::Store`] over sqlx.
//!
//! - One file per database (or `:memory:` for tests), created if missing; the embedded
//!   migrations in `migrations/` run on open.
//! - Files use WAL, `synchronous=NORMAL`, `foreign_keys=ON` and a `busy_timeout`, so several
//!   connections and several processes can share one file.
//! - Every write ([`Store::apply`], [`Store::allocate_ids`]) runs in one `BEGIN IMMEDIATE`
//!   transaction: all of it is written, or none of it.
//!
//! ```no_run
//! # async fn demo() -> crm_core::CrmResult<()> {
//! use crm_store_sqlite::SqliteStore;
//! let store = SqliteStore::open("crm.db").await?;
//! # let _ = store; Ok(()) }
//! ```

mod apply;
mod bind;
mod error_map;
mod ids;
mod logs;
#[cfg(test)]
mod lookup_plans;
mod predicate_sql;
mod query_sql;
mod read;
mod sql;

use crate::error_map::{is_busy, map_sqlx};
use async_trait::async_trait;
use crm_core::ids::{TenantId, UserId};
use crm_core::store::{AuditEntry, Entity, Event, Store, StoredRow, ValidChanges, ValidQuery};
use crm_core::{CrmError, CrmResult};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::time::{Duration, Instant};

/// The embedded schema migrations (forward only; applied ones are never edited).
static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// Settings for [`SqliteStore::open_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteConfig {
    /// Connections in the pool for a file database (readers run in parallel under WAL;
    /// writers queue on the write lock). An in-memory database always uses exactly one.
    pub max_connections: u32,
    /// How long a statement waits for another connection's lock before failing.
    pub busy_timeout: Duration,
}

impl Default for SqliteConfig {
    fn default() -> Self {
        Self {
            max_connections: 4,
            busy_timeout: Duration::from_secs(10),
        }
    }
}

/// A [`Store`] over one SQLite database. Cheap to clone (clones share the pool).
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

/// Where a store's database lives.
#[derive(Debug)]
enum Target {
    /// A private in-memory database.
    Memory(SqliteConnectOptions),
    /// A database file.
    File(SqliteConnectOptions),
}

fn is_memory_spec(spec: &str) -> bool {
    matches!(spec, ":memory:" | "sqlite::memory:" | "sqlite://:memory:")
        || (spec.starts_with("sqlite:") && spec.contains("mode=memory"))
}

fn target(path_or_url: &str) -> CrmResult<Target> {
    let spec = path_or_url.trim();
    if spec.is_empty() {
        return Err(CrmError::validation("path", "the database path is empty"));
    }
    if is_memory_spec(spec) {
        let options = if spec.starts_with("sqlite:") && spec != "sqlite://:memory:" {
            SqliteConnectOptions::from_str(spec)
        } else {
            SqliteConnectOptions::from_str("sqlite::memory:")
        }
        .map_err(|e| CrmError::validation("url", e.to_string()))?;
        return Ok(Target::Memory(options));
    }
    let options = if spec.starts_with("sqlite:") {
        SqliteConnectOptions::from_str(spec)
            .map_err(|e| CrmError::validation("url", e.to_string()))?
    } else {
        SqliteConnectOptions::new().filename(spec)
    };
    Ok(Target::File(options))
}

impl SqliteStore {
    /// Opens (creating if missing) the database at a file path, a `sqlite://` URL, or
    /// `:memory:`, with default settings, and brings its schema up to date.
    pub async fn open(path_or_url: &str) -> CrmResult<SqliteStore> {
        Self::open_with(path_or_url, &SqliteConfig::default()).await
    }

    /// A fresh private in-memory database (one connection; gone when the store is dropped).
    pub async fn open_in_memory() -> CrmResult<SqliteStore> {
        Self::open(":memory:").await
    }

    /// Like [`SqliteStore::open`], with explicit settings.
    pub async fn open_with(path_or_url: &str, config: &SqliteConfig) -> CrmResult<SqliteStore> {
        let target = target(path_or_url)?;
        let deadline = Instant::now() + config.busy_timeout;
        let mut pause = Duration::from_millis(10);
        let pool = loop {
            match connect(&target, config).await {
                Ok(pool) => break pool,
                // Switching a fresh file to WAL needs an exclusive lock, and SQLite refuses
                // (without waiting) while another process does the same: retry briefly.
                Err(e) if is_busy(&e) && Instant::now() < deadline => {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_millis(200));
                }
                Err(e) => return Err(map_sqlx(e, &format!("opening {path_or_url}"), None)),
            }
        };
        migrate(&pool).await?;
        Ok(SqliteStore { pool })
    }

    /// The underlying connection pool (for benchmarks and host-side maintenance; writes
    /// that bypass [`Store::apply`] bypass the audit log and events too).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Closes every connection; later calls on this store (and its clones) fail.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

async fn connect(target: &Target, config: &SqliteConfig) -> Result<SqlitePool, sqlx::Error> {
    match target {
        Target::Memory(options) => {
            // Every connection to `:memory:` would see its own empty database: keep exactly
            // one, forever.
            SqlitePoolOptions::new()
                .min_connections(1)
                .max_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(options.clone().foreign_keys(true))
                .await
        }
        Target::File(options) => {
            let options = options
                .clone()
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(config.busy_timeout);
            SqlitePoolOptions::new()
                .max_connections(config.max_connections.max(1))
                .connect_with(options)
                .await
        }
    }
}

/// Brings the schema up to date under the write lock, so processes opening the same new
/// file at once apply each migration exactly once (the others wait, then find it applied).
async fn migrate(pool: &SqlitePool) -> CrmResult<()> {
    let mut tx = apply::begin_immediate(pool).await?;
    // `run_direct` is sqlx's own way around `Migrator::run`'s `Acquire` bound, which makes
    // the future not `Send` when given a connection.
    let result = MIGRATOR
        .run_direct(&mut *tx)
        .await
        .map_err(|e| CrmError::Storage(format!("migrating the database: {e}")));
    apply::finish(tx, result).await
}

#[async_trait]
impl Store for SqliteStore {
    async fn allocate_ids(&self, entity: Entity, count: u32) -> CrmResult<i64> {
        ids::allocate_ids(&self.pool, entity, count).await
    }

    async fn get(&self, entity: Entity, tenant: TenantId, id: i64) -> CrmResult<Option<StoredRow>> {
        read::get(&self.pool, entity, tenant, id).await
    }

    async fn query_valid(&self, query: ValidQuery<'_>) -> CrmResult<Vec<StoredRow>> {
        read::query(&self.pool, query).await
    }

    async fn count_valid(&self, query: ValidQuery<'_>) -> CrmResult<u64> {
        read::count(&self.pool, query).await
    }

    async fn apply_valid(&self, changes: ValidChanges) -> CrmResult<Vec<i64>> {
        apply::apply(&self.pool, changes).await
    }

    async fn events_after(
        &self,
        tenant: TenantId,
        cursor: i64,
        limit: u32,
    ) -> CrmResult<Vec<Event>> {
        logs::events_after(&self.pool, tenant, cursor, limit).await
    }

    async fn audit_for_record(
        &self,
        tenant: TenantId,
        entity: &str,
        record_id: i64,
    ) -> CrmResult<Vec<AuditEntry>> {
        logs::audit_for_record(&self.pool, tenant, entity, record_id).await
    }

    async fn audit_by_user(
        &self,
        tenant: TenantId,
        user: UserId,
        after: i64,
        limit: u32,
    ) -> CrmResult<Vec<AuditEntry>> {
        logs::audit_by_user(&self.pool, tenant, user, after, limit).await
    }

    async fn pause(&self, duration: std::time::Duration) {
        tokio::time::sleep(duration).await;
    }
}
