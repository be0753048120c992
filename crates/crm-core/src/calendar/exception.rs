//! Exceptions of single occurrences of a series, keyed by the occurrence's original start
//! (its local wall time in the event's zone).

use super::time::EventTime;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// What happened to one occurrence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExceptionChange {
    /// It does not take place.
    Deleted,
    /// It takes place at another time, maybe under another title.
    Moved {
        /// The new time, of the event's kind (timed or whole days), in its zone.
        time: EventTime,
        /// Its own title (none: the event's).
        #[serde(default)]
        title: Option<String>,
    },
}

/// The exception of one occurrence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Exception {
    /// The occurrence's original start, local wall time (its key).
    pub original_start: NaiveDateTime,
    /// Deleted or moved.
    pub change: ExceptionChange,
}
