//! Conversions between the contract's values ([`SqlValue`], instants, JSON) and SQLite
//! values: binding parameters and decoding result columns.

use chrono::{DateTime, Utc};
use crm_core::store::{ColumnSpec, ColumnType, FieldChange, SqlValue};
use crm_core::{CrmError, CrmResult};
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Row, Sqlite};

/// A runtime query with SQLite arguments.
pub(crate) type SqliteQuery<'q> = sqlx::query::Query<'q, Sqlite, SqliteArguments<'q>>;

/// Microseconds since the Unix epoch (the stored form of an instant).
pub(crate) fn to_micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

/// The instant stored as `micros`; out-of-range values are a storage error.
pub(crate) fn from_micros(micros: i64, what: &str) -> CrmResult<DateTime<Utc>> {
    DateTime::<Utc>::from_timestamp_micros(micros)
        .ok_or_else(|| CrmError::Storage(format!("{what}: {micros} µs is not a valid instant")))
}

/// Binds one value: NULL, integer, text, instant as microseconds, boolean as 0/1.
pub(crate) fn bind_value<'q>(query: SqliteQuery<'q>, value: &'q SqlValue) -> SqliteQuery<'q> {
    match value {
        SqlValue::Null => query.bind(None::<i64>),
        SqlValue::Int(v) => query.bind(*v),
        SqlValue::Text(v) => query.bind(v.as_str()),
        SqlValue::Time(v) => query.bind(to_micros(*v)),
        SqlValue::Bool(v) => query.bind(i64::from(*v)),
    }
}

/// Binds every value in order.
pub(crate) fn bind_all<'q>(mut query: SqliteQuery<'q>, values: &'q [SqlValue]) -> SqliteQuery<'q> {
    for value in values {
        query = bind_value(query, value);
    }
    query
}

/// Reads an optional integer result column.
pub(crate) fn get_opt_i64(row: &SqliteRow, idx: usize, what: &str) -> CrmResult<Option<i64>> {
    row.try_get::<Option<i64>, _>(idx)
        .map_err(|e| CrmError::Storage(format!("decoding {what}: {e}")))
}

/// Reads a non-null integer result column.
pub(crate) fn get_i64(row: &SqliteRow, idx: usize, what: &str) -> CrmResult<i64> {
    get_opt_i64(row, idx, what)?
        .ok_or_else(|| CrmError::Storage(format!("decoding {what}: unexpected NULL")))
}

/// Reads an optional text result column.
pub(crate) fn get_opt_text(row: &SqliteRow, idx: usize, what: &str) -> CrmResult<Option<String>> {
    row.try_get::<Option<String>, _>(idx)
        .map_err(|e| CrmError::Storage(format!("decoding {what}: {e}")))
}

/// Reads a non-null text result column.
pub(crate) fn get_text(row: &SqliteRow, idx: usize, what: &str) -> CrmResult<String> {
    get_opt_text(row, idx, what)?
        .ok_or_else(|| CrmError::Storage(format!("decoding {what}: unexpected NULL")))
}

/// Reads a non-null instant result column (microseconds).
pub(crate) fn get_time(row: &SqliteRow, idx: usize, what: &str) -> CrmResult<DateTime<Utc>> {
    from_micros(get_i64(row, idx, what)?, what)
}

/// Reads a JSON text result column as a JSON value.
pub(crate) fn get_json(row: &SqliteRow, idx: usize, what: &str) -> CrmResult<serde_json::Value> {
    let text = get_text(row, idx, what)?;
    serde_json::from_str(&text).map_err(|e| CrmError::Storage(format!("decoding {what}: {e}")))
}

/// Reads a JSON text result column holding field changes.
pub(crate) fn get_field_changes(
    row: &SqliteRow,
    idx: usize,
    what: &str,
) -> CrmResult<Vec<FieldChange>> {
    let text = get_text(row, idx, what)?;
    serde_json::from_str(&text).map_err(|e| CrmError::Storage(format!("decoding {what}: {e}")))
}

/// Decodes an indexed column by its declared type. The column's name is only formatted
/// when decoding fails (this runs for every column of every row read).
pub(crate) fn get_column(
    row: &SqliteRow,
    idx: usize,
    column: &ColumnSpec,
    table: &str,
) -> CrmResult<SqlValue> {
    let what = || format!("{table}.{}", column.name);
    let failed = |e: sqlx::Error| CrmError::Storage(format!("decoding {}: {e}", what()));
    let int = || row.try_get::<Option<i64>, _>(idx).map_err(failed);
    Ok(match column.ty {
        ColumnType::Int => int()?.map_or(SqlValue::Null, SqlValue::Int),
        ColumnType::Text => row
            .try_get::<Option<String>, _>(idx)
            .map_err(failed)?
            .map_or(SqlValue::Null, SqlValue::Text),
        ColumnType::Time => match int()? {
            None => SqlValue::Null,
            Some(micros) => SqlValue::Time(
                DateTime::<Utc>::from_timestamp_micros(micros).ok_or_else(|| {
                    CrmError::Storage(format!("{}: {micros} µs is not a valid instant", what()))
                })?,
            ),
        },
        ColumnType::Bool => match int()? {
            None => SqlValue::Null,
            Some(0) => SqlValue::Bool(false),
            Some(1) => SqlValue::Bool(true),
            Some(other) => {
                return Err(CrmError::Storage(format!(
                    "decoding {}: {other} is not a boolean (0 or 1)",
                    what()
                )))
            }
        },
    })
}
