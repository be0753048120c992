//! The opaque handle: an engine over one store, with the tokio runtime it blocks on.

use crate::error::{FfiError, FfiResult};
use crate::options::OpenOptions;
use crm_core::store::Store;
use crm_core::{Clock, Crm, CrmError, CrmResult, FixedClock, SystemClock};
use crm_store_postgres::{PostgresConfig, PostgresStore};
use crm_store_sqlite::{SqliteConfig, SqliteStore};
use serde::Serialize;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::runtime::Runtime;

/// The engine type behind every handle.
pub(crate) type Engine = Crm<Arc<dyn Store>>;

/// The concrete store, kept to close its pool on `crm_close`.
enum Backend {
    Sqlite(SqliteStore),
    Postgres(Box<PostgresStore>),
}

impl Backend {
    async fn close(&self) {
        match self {
            Backend::Sqlite(s) => s.close().await,
            Backend::Postgres(p) => p.close().await,
        }
    }

    fn store(&self) -> Arc<dyn Store> {
        match self {
            Backend::Sqlite(s) => Arc::new(s.clone()),
            Backend::Postgres(p) => Arc::new(PostgresStore::clone(p)),
        }
    }
}

/// An open database with its engine. Opaque to C; thread-safe: any number of threads may
/// call through one handle at once.
#[allow(non_camel_case_types)]
pub struct crm_db {
    engine: Arc<Engine>,
    backend: Backend,
    runtime: Runtime,
}

// Hosts share one handle between threads: keep it Send + Sync at compile time.
const _: () = {
    const fn shared<T: Send + Sync>() {}
    shared::<crm_db>();
};

/// True for the URL schemes PostgreSQL understands.
fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

fn check_url(url: &str) -> FfiResult<()> {
    if url.trim().is_empty() {
        return Err(CrmError::validation("url", "is empty").into());
    }
    if let Some((scheme, _)) = url.split_once("://") {
        if !matches!(scheme, "sqlite" | "postgres" | "postgresql") {
            return Err(CrmError::validation("url", format!("unsupported scheme {}; use a SQLite path, sqlite://, postgres:// or postgresql://", crm_core::validate::quote(scheme))).into());
        }
    }
    Ok(())
}

async fn connect(url: &str, options: &OpenOptions) -> CrmResult<Backend> {
    if is_postgres(url) {
        let mut config = PostgresConfig::new(url);
        if let Some(schema) = &options.schema {
            config = config.schema(schema.clone());
        }
        if let Some(n) = options.max_connections {
            config = config.max_connections(n);
        }
        if let Some(ms) = options.acquire_timeout_ms {
            config = config.acquire_timeout(Duration::from_millis(ms));
        }
        return PostgresStore::open(config)
            .await
            .map(|p| Backend::Postgres(Box::new(p)));
    }
    let mut config = SqliteConfig::default();
    if let Some(n) = options.max_connections {
        config.max_connections = n;
    }
    if let Some(ms) = options.busy_timeout_ms {
        config.busy_timeout = Duration::from_millis(ms);
    }
    SqliteStore::open_with(url, &config)
        .await
        .map(Backend::Sqlite)
}

impl crm_db {
    /// Starts a runtime, connects the store (running its migrations) and builds the engine.
    pub(crate) fn open(url: &str, options: &OpenOptions) -> FfiResult<crm_db> {
        check_url(url)?;
        options.check_backend(is_postgres(url))?;
        let threads = match options.worker_threads {
            Some(n) => n as usize,
            None => 2,
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name("crm-ffi")
            .enable_all()
            .build()
            .map_err(|e| FfiError::runtime(format!("could not start the async runtime: {e}")))?;
        let backend = match runtime.block_on(connect(url, options)) {
            Ok(b) => b,
            Err(e) => {
                runtime.shutdown_timeout(Duration::from_secs(5));
                return Err(e.into());
            }
        };
        let clock: Arc<dyn Clock> = match options.fixed_now {
            Some(now) => Arc::new(FixedClock::new(now)),
            None => Arc::new(SystemClock),
        };
        let mut engine = Crm::new(backend.store(), clock);
        if let Some(n) = options.max_attempts {
            engine = engine.with_max_attempts(n);
        }
        Ok(crm_db {
            engine: Arc::new(engine),
            backend,
            runtime,
        })
    }

    /// Runs one engine operation to completion on the calling thread and serializes its
    /// result as the response JSON.
    pub(crate) fn run<T, F, Fut>(&self, op: F) -> FfiResult<String>
    where
        T: Serialize,
        F: FnOnce(Arc<Engine>) -> Fut,
        Fut: Future<Output = CrmResult<T>>,
    {
        let value = self.runtime.block_on(op(Arc::clone(&self.engine)))?;
        serde_json::to_string(&value)
            .map_err(|e| FfiError::panic(format!("could not serialize the response: {e}")))
    }

    /// Runs `op` on this handle's engine and runtime exactly as `crm_call` does, without the
    /// C boundary (no JSON in or out, no C strings). Rust only, not part of the C ABI: it lets
    /// a benchmark time `crm_call` against the very same engine call on the same runtime and
    /// connections.
    #[doc(hidden)]
    pub fn block_on_engine<T, F, Fut>(&self, op: F) -> CrmResult<T>
    where
        F: FnOnce(Arc<Crm<Arc<dyn Store>>>) -> Fut,
        Fut: Future<Output = CrmResult<T>>,
    {
        self.runtime.block_on(op(Arc::clone(&self.engine)))
    }

    /// Closes the store's connections and stops the runtime.
    pub(crate) fn close(self) {
        let crm_db {
            engine,
            backend,
            runtime,
        } = self;
        drop(engine);
        runtime.block_on(backend.close());
        drop(backend);
        runtime.shutdown_timeout(Duration::from_secs(10));
    }
}
