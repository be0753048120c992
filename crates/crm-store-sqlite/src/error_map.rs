//! The one place where driver errors become [`CrmError`]s.

use crm_core::CrmError;
use sqlx::error::ErrorKind;

/// Maps a driver error.
///
/// - unique-key clash → `Conflict` (nothing was written; safe to retry with fresh data);
/// - foreign-key failure → `NotFound { entity: "referenced record", id: reference }`, where
///   `reference` names the missing (or still referenced) record when the caller could tell;
/// - anything else → `Storage`.
///
/// `action` says what was being done, e.g. `inserting into customers`.
pub(crate) fn map_sqlx(err: sqlx::Error, action: &str, reference: Option<String>) -> CrmError {
    if let sqlx::Error::Database(db) = &err {
        match db.kind() {
            ErrorKind::UniqueViolation => {
                return CrmError::Conflict {
                    detail: format!("{action}: {}", db.message()),
                }
            }
            ErrorKind::ForeignKeyViolation => {
                return CrmError::NotFound {
                    entity: "referenced record".to_owned(),
                    id: reference.unwrap_or_else(|| format!("{action}: {}", db.message())),
                }
            }
            // Other constraint kinds and plain failures are storage errors.
            _ => {}
        }
    }
    CrmError::Storage(format!("{action}: {err}"))
}

/// Whether the driver reports a foreign-key failure (the caller may then look up which
/// reference failed before calling [`map_sqlx`]).
pub(crate) fn is_foreign_key_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if matches!(db.kind(), ErrorKind::ForeignKeyViolation))
}

/// Whether the driver reports that another connection holds a lock it needed
/// (`SQLITE_BUSY` or `SQLITE_LOCKED`, any extended code) — worth retrying shortly.
pub(crate) fn is_busy(err: &sqlx::Error) -> bool {
    const SQLITE_BUSY: i32 = 5;
    const SQLITE_LOCKED: i32 = 6;
    match err {
        sqlx::Error::Database(db) => db
            .code()
            .and_then(|code| code.parse::<i32>().ok())
            .is_some_and(|code| matches!(code & 0xff, SQLITE_BUSY | SQLITE_LOCKED)),
        _ => false,
    }
}
