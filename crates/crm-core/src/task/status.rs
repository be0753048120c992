//! A task's status and the moves between them: an open task is completed or cancelled; a
//! done or cancelled task is reopened.

use crate::error::{CrmError, CrmResult};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Status of a task.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TaskStatus {
    /// To do.
    Open,
    /// Completed.
    Done,
    /// Called off.
    Cancelled,
}

impl TaskStatus {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::Done => "done",
            TaskStatus::Cancelled => "cancelled",
        }
    }

    /// Checks the move to `to`: open → done or cancelled; done or cancelled → open.
    pub fn check_move(self, to: TaskStatus) -> CrmResult<()> {
        let ok = matches!(
            (self, to),
            (TaskStatus::Open, TaskStatus::Done | TaskStatus::Cancelled)
                | (TaskStatus::Done | TaskStatus::Cancelled, TaskStatus::Open)
        );
        if ok {
            Ok(())
        } else {
            Err(CrmError::rule(
                "task_status",
                format!("a {self} task cannot become {to}"),
            ))
        }
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::TaskStatus::*;

    #[test]
    fn moves() {
        assert!(Open.check_move(Done).is_ok());
        assert!(Open.check_move(Cancelled).is_ok());
        assert!(Done.check_move(Open).is_ok());
        assert!(Cancelled.check_move(Open).is_ok());
        assert!(Open.check_move(Open).is_err());
        assert!(Done.check_move(Cancelled).is_err());
        assert!(Cancelled.check_move(Done).is_err());
        assert!(Done.check_move(Done).is_err());
    }
}
