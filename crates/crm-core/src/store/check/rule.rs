//! Stable names of the rules a store input can break. They begin the `reason` of the
//! `CrmError::Validation` that refuses it.

/// A filter names a column the table does not have.
pub const UNKNOWN_COLUMN: &str = "unknown_column";
/// A value's type is not the column's (`Text` compared with or written into an `Int` column).
pub const TYPE_MISMATCH: &str = "type_mismatch";
/// A substring test on a column that is not `Text`.
pub const NOT_TEXT: &str = "not_text";
/// A text holds the NUL character (PostgreSQL cannot store it).
pub const NUL_IN_TEXT: &str = "nul_in_text";
/// A text value longer than [`MAX_TEXT_BYTES`](super::MAX_TEXT_BYTES) bytes.
pub const TEXT_TOO_LONG: &str = "text_too_long";
/// An instant before [`MIN_TIME_MICROS`](super::MIN_TIME_MICROS) (the earliest
/// PostgreSQL can hold).
pub const TIME_OUT_OF_RANGE: &str = "time_out_of_range";
/// An instant finer than a microsecond (stores keep microseconds).
pub const TIME_PRECISION: &str = "time_precision";
/// More than [`MAX_FILTER_VALUES`](super::MAX_FILTER_VALUES) values in one query's filters.
pub const TOO_MANY_VALUES: &str = "too_many_values";
/// A `limit` of 0 or above [`MAX_LIMIT`](super::MAX_LIMIT).
pub const LIMIT_OUT_OF_RANGE: &str = "limit_out_of_range";
/// A row body (or audit/event JSON) that is not valid JSON.
pub const INVALID_JSON: &str = "invalid_json";

/// A scope's predicate tree nests deeper than
/// [`MAX_PREDICATE_DEPTH`](super::MAX_PREDICATE_DEPTH) levels.
pub const PREDICATE_TOO_DEEP: &str = "predicate_too_deep";

/// Every rule, for [`rule_of`](super::rule_of).
pub const ALL: [&str; 11] = [
    UNKNOWN_COLUMN,
    TYPE_MISMATCH,
    NOT_TEXT,
    NUL_IN_TEXT,
    TEXT_TOO_LONG,
    TIME_OUT_OF_RANGE,
    TIME_PRECISION,
    TOO_MANY_VALUES,
    LIMIT_OUT_OF_RANGE,
    INVALID_JSON,
    PREDICATE_TOO_DEEP,
];
