//! Checks of single values against a column type and the bounds every store can hold.

use super::rule;
use crate::error::{CrmError, CrmResult};
use crate::store::row::{ColumnType, SqlValue};
use chrono::{DateTime, Utc};
use std::fmt::Display;

/// Most bytes of a text value in an indexed column or a text filter operand. PostgreSQL
/// refuses index entries above about 2.7 kB; no indexed column the engine writes comes close.
pub const MAX_TEXT_BYTES: usize = 2_000;

/// Most values the filters of one query compare with (an `In` list counts each element;
/// every other operator counts one). Keeps a statement well inside SQLite's bound on
/// parameters.
pub const MAX_FILTER_VALUES: usize = 10_000;

/// Deepest nesting of a scope's predicate tree (a leaf is one level; the trees built from
/// grants use five).
pub const MAX_PREDICATE_DEPTH: usize = 32;

/// Largest `limit` of a query.
pub const MAX_LIMIT: u32 = 100_000;

/// The earliest instant every store holds, in microseconds since the Unix epoch:
/// 4714-11-24 00:00:00 UTC BC (proleptic Gregorian), PostgreSQL's earliest `timestamptz`.
/// The latest is chrono's own latest instant (PostgreSQL reaches 294276 AD, SQLite's
/// microseconds further still).
pub const MIN_TIME_MICROS: i64 = -210_866_803_200_000_000;

/// A validation error naming the field and the rule.
pub(super) fn refuse(field: &str, rule: &str, detail: impl Display) -> CrmError {
    CrmError::validation(field, format!("{rule}: {detail}"))
}

/// The name of a value's type in messages (`Int`, `Text`, …; `NULL`).
pub(super) fn value_type(value: &SqlValue) -> &'static str {
    match value {
        SqlValue::Null => "NULL",
        SqlValue::Int(_) => ColumnType::Int.name(),
        SqlValue::Text(_) => ColumnType::Text.name(),
        SqlValue::Time(_) => ColumnType::Time.name(),
        SqlValue::Bool(_) => ColumnType::Bool.name(),
    }
}

/// A value of `column`'s type (or NULL) that every store can hold. `place` names the column
/// for messages (`customers.owner_id`).
pub(super) fn check_value(
    column: &str,
    place: &str,
    ty: ColumnType,
    value: &SqlValue,
) -> CrmResult<()> {
    let fits = matches!(
        (ty, value),
        (_, SqlValue::Null)
            | (ColumnType::Int, SqlValue::Int(_))
            | (ColumnType::Text, SqlValue::Text(_))
            | (ColumnType::Time, SqlValue::Time(_))
            | (ColumnType::Bool, SqlValue::Bool(_))
    );
    if !fits {
        return Err(refuse(
            column,
            rule::TYPE_MISMATCH,
            format!(
                "{place} is {}, got a {} value",
                ty.name(),
                value_type(value)
            ),
        ));
    }
    match value {
        SqlValue::Text(text) => check_text(column, place, text),
        SqlValue::Time(at) => check_time(column, place, *at),
        SqlValue::Null | SqlValue::Int(_) | SqlValue::Bool(_) => Ok(()),
    }
}

/// No NUL and at most [`MAX_TEXT_BYTES`] bytes.
pub(super) fn check_text(column: &str, place: &str, text: &str) -> CrmResult<()> {
    if text.contains('\0') {
        return Err(refuse(
            column,
            rule::NUL_IN_TEXT,
            format!("{place}: text holds the NUL character"),
        ));
    }
    if text.len() > MAX_TEXT_BYTES {
        return Err(refuse(
            column,
            rule::TEXT_TOO_LONG,
            format!(
                "{place}: text of {} bytes, at most {MAX_TEXT_BYTES}",
                text.len()
            ),
        ));
    }
    Ok(())
}

/// Not before [`MIN_TIME_MICROS`] and whole microseconds.
pub(super) fn check_time(column: &str, place: &str, at: DateTime<Utc>) -> CrmResult<()> {
    if at.timestamp_micros() < MIN_TIME_MICROS {
        return Err(refuse(
            column,
            rule::TIME_OUT_OF_RANGE,
            format!("{place}: instant before 4714-11-24 00:00:00 UTC BC"),
        ));
    }
    if at.timestamp_subsec_nanos() % 1_000 != 0 {
        return Err(refuse(
            column,
            rule::TIME_PRECISION,
            format!("{place}: instant finer than a microsecond"),
        ));
    }
    Ok(())
}

/// Whether JSON text holds a NUL character, raw or escaped as `\u0000`. Other escapes are
/// skipped whole, so an escaped backslash followed by `u0000` is not taken for one.
pub(super) fn json_text_has_nul(json: &str) -> bool {
    let bytes = json.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            0 => return true,
            b'\\' => {
                if bytes.get(i + 1) == Some(&b'u')
                    && bytes.get(i + 2..i + 6) == Some(b"0000".as_slice())
                {
                    return true;
                }
                i += 2;
            }
            _ => i += 1,
        }
    }
    false
}

/// Whether any string or key of a JSON value holds a NUL character (walked without
/// recursion, so any depth is safe).
pub(super) fn json_value_has_nul(value: &serde_json::Value) -> bool {
    let mut pending = vec![value];
    while let Some(v) = pending.pop() {
        match v {
            serde_json::Value::String(s) if s.contains('\0') => return true,
            serde_json::Value::Array(items) => pending.extend(items),
            serde_json::Value::Object(map) => {
                if map.keys().any(|k| k.contains('\0')) {
                    return true;
                }
                pending.extend(map.values());
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeDelta};

    #[test]
    fn the_earliest_instant_is_postgresqls() {
        let earliest = NaiveDate::from_ymd_opt(-4713, 11, 24)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc())
            .expect("a valid date");
        assert_eq!(earliest.timestamp_micros(), MIN_TIME_MICROS);
        assert!(check_time("at", "t.at", earliest).is_ok());
        let before = earliest - TimeDelta::microseconds(1);
        assert!(check_time("at", "t.at", before).is_err());
    }

    #[test]
    fn nul_escapes_are_found_and_lookalikes_are_not() {
        assert!(json_text_has_nul(r#"{"a":"x\u0000y"}"#));
        assert!(json_text_has_nul("{\"a\":\"x\0\"}"));
        assert!(!json_text_has_nul(r#"{"a":"x\\u0000y"}"#));
        assert!(json_text_has_nul(r#"{"a":"x\\\u0000y"}"#));
        assert!(!json_text_has_nul(r#"{"a":"\u0001"}"#));
        assert!(!json_text_has_nul("\\"));
    }

    #[test]
    fn deep_json_is_walked_without_recursion() {
        let mut v = serde_json::Value::String("\0".into());
        for _ in 0..100_000 {
            v = serde_json::Value::Array(vec![v]);
        }
        assert!(json_value_has_nul(&v));
        // Dropping a deep value recurses in serde_json; take it apart iteratively.
        let mut current = v;
        while let serde_json::Value::Array(mut items) = current {
            current = items.pop().unwrap_or(serde_json::Value::Null);
        }
    }
}
