//! Test support: a fresh schema per test on the server named by `CRM_TEST_DATABASE_URL`.
#![allow(dead_code)]

use crm_store_postgres::{PostgresConfig, PostgresStore};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, Executor};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Default test server.
pub const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Prefix of every test schema: `crm_test_<pid>_<counter>_<nanos>`.
const PREFIX: &str = "crm_test_";

static COUNTER: AtomicU64 = AtomicU64::new(0);
static SWEPT: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();

/// The test server's URL.
pub fn database_url() -> String {
    std::env::var("CRM_TEST_DATABASE_URL")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_URL.to_owned())
}

fn unreachable(url: &str, err: &dyn std::fmt::Display) -> ! {
    panic!(
        "the PostgreSQL test server at {url} cannot be used: {err}\n\
         Start one with `sudo bash scripts/ensure-postgres.sh` (installs and starts PostgreSQL \
         with trust auth for user postgres on 127.0.0.1:5432), or point CRM_TEST_DATABASE_URL \
         at a server where the user may create schemas."
    )
}

/// A schema name no other test (in this or another process) uses.
pub fn fresh_schema_name() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{PREFIX}{}_{n}_{nanos}", std::process::id())
}

/// Drops schemas left behind by test processes that no longer run (a failed test skips its
/// teardown). Runs once per test binary.
async fn sweep_stale_schemas(url: &str) {
    let Ok(options) = PgConnectOptions::from_str(url) else {
        return;
    };
    let Ok(mut conn) = options.connect().await else {
        return;
    };
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT nspname::text FROM pg_catalog.pg_namespace WHERE starts_with(nspname, $1)",
    )
    .bind(PREFIX)
    .fetch_all(&mut conn)
    .await
    .unwrap_or_default();
    for name in names {
        let pid = name
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split('_').next())
            .and_then(|pid| pid.parse::<u32>().ok());
        let Some(pid) = pid else { continue };
        let alive = std::path::Path::new(&format!("/proc/{pid}")).exists();
        let valid = name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !alive && valid {
            let _ = conn
                .execute(format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE").as_str())
                .await;
        }
    }
    let _ = conn.close().await;
}

/// Opens a store in a new schema. Panics (failing the test) when the server is unreachable.
pub async fn store_in(schema: &str) -> PostgresStore {
    let url = database_url();
    SWEPT.get_or_init(|| sweep_stale_schemas(&url)).await;
    let config = PostgresConfig::new(url.clone())
        .schema(schema)
        .max_connections(12)
        .acquire_timeout(std::time::Duration::from_secs(20));
    match PostgresStore::open(config).await {
        Ok(store) => store,
        Err(e) => unreachable(&url, &e),
    }
}

/// A store in a fresh schema of its own.
pub async fn fresh_store() -> PostgresStore {
    store_in(&fresh_schema_name()).await
}

/// Teardown: drops the store's schema.
pub async fn drop_store(store: PostgresStore) {
    let schema = store.schema().to_owned();
    if let Err(e) = store.drop_schema().await {
        panic!("dropping test schema {schema}: {e}");
    }
}
