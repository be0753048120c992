//! `crm_open`'s `options_json`: engine and store settings, all optional.

use crate::error::{FfiError, FfiResult};
use chrono::{DateTime, Utc};
use crm_core::CrmError;
use serde::Deserialize;

/// Largest `max_attempts`, `max_connections` and `worker_threads` accepted.
const MAX_SETTING: u64 = 1024;

/// Settings for one handle. Unknown keys are refused, so typos do not pass silently.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct OpenOptions {
    /// Tries per operation on optimistic-concurrency conflicts (engine default 5).
    pub max_attempts: Option<u32>,
    /// Connection pool size (SQLite file default 4; PostgreSQL default 10).
    pub max_connections: Option<u32>,
    /// SQLite: how long a statement waits for a lock, in milliseconds (default 10000).
    pub busy_timeout_ms: Option<u64>,
    /// PostgreSQL: schema holding the tables (default `public`).
    pub schema: Option<String>,
    /// PostgreSQL: how long to wait for a free connection, in milliseconds (default 30000).
    pub acquire_timeout_ms: Option<u64>,
    /// Worker threads of the handle's tokio runtime (default 2).
    pub worker_threads: Option<u32>,
    /// Freeze the engine's clock at this instant (tests, previews).
    pub fixed_now: Option<DateTime<Utc>>,
}

fn in_range(value: Option<u64>, name: &str, min: u64) -> FfiResult<()> {
    match value {
        Some(v) if v < min || v > MAX_SETTING => Err(CrmError::validation(
            format!("options.{name}"),
            format!("must be {min}..={MAX_SETTING}"),
        )
        .into()),
        _ => Ok(()),
    }
}

impl OpenOptions {
    /// Parses `options_json` (`None`, empty or `{}` for defaults).
    pub fn parse(json: Option<&str>) -> FfiResult<Self> {
        let text = match json.map(str::trim) {
            None | Some("") => return Ok(Self::default()),
            Some(t) => t,
        };
        let options: OpenOptions = crate::dispatch::parse_json(text, "options_json")?;
        in_range(options.max_attempts.map(u64::from), "max_attempts", 1)?;
        in_range(options.max_connections.map(u64::from), "max_connections", 1)?;
        in_range(options.worker_threads.map(u64::from), "worker_threads", 1)?;
        Ok(options)
    }

    /// Refuses settings that do not apply to the chosen backend.
    pub fn check_backend(&self, postgres: bool) -> FfiResult<()> {
        let misplaced = if postgres {
            self.busy_timeout_ms.map(|_| "busy_timeout_ms")
        } else {
            self.schema
                .as_ref()
                .map(|_| "schema")
                .or(self.acquire_timeout_ms.map(|_| "acquire_timeout_ms"))
        };
        match misplaced {
            Some(name) => Err(FfiError::from(CrmError::validation(
                format!("options.{name}"),
                if postgres {
                    "applies to SQLite only"
                } else {
                    "applies to PostgreSQL only"
                },
            ))),
            None => Ok(()),
        }
    }
}
