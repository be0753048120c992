//! The one place where sqlx errors become [`CrmError`]s.

use crm_core::CrmError;
use sqlx::error::ErrorKind;

/// SQLSTATE of a serialization failure.
const SERIALIZATION_FAILURE: &str = "40001";
/// SQLSTATE of a detected deadlock.
const DEADLOCK_DETECTED: &str = "40P01";

/// Maps a sqlx error to the engine's error kinds:
/// - unique violation, serialization failure, deadlock → `Conflict` (safe to retry);
/// - foreign-key violation → `NotFound { entity: "referenced record", id: <constraint> }`;
/// - everything else → `Storage`.
pub(crate) fn map_sqlx(err: sqlx::Error) -> CrmError {
    if let sqlx::Error::Database(db) = &err {
        let code = db.code();
        let constraint = db.constraint().unwrap_or("unknown constraint").to_owned();
        match db.kind() {
            ErrorKind::UniqueViolation => {
                return CrmError::Conflict {
                    detail: format!("unique key {constraint} already taken"),
                }
            }
            ErrorKind::ForeignKeyViolation => {
                return CrmError::NotFound {
                    entity: "referenced record".into(),
                    id: constraint,
                }
            }
            _ => {}
        }
        if matches!(
            code.as_deref(),
            Some(SERIALIZATION_FAILURE | DEADLOCK_DETECTED)
        ) {
            return CrmError::Conflict {
                detail: format!("concurrent transaction: {}", db.message()),
            };
        }
    }
    CrmError::Storage(format!("postgres: {err}"))
}

/// A storage error about data read back from the database.
pub(crate) fn corrupt(what: impl std::fmt::Display) -> CrmError {
    CrmError::Storage(format!("postgres: unexpected stored data: {what}"))
}
