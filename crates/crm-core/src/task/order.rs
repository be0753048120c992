//! The order of task lists: overdue first, then by due (deadline), then by priority (higher
//! first), then by id. A page ends with a cursor holding the last item's key; the next page
//! starts strictly after it.

use super::due::TaskBucket;
use super::model::Task;
use crate::ids::TaskId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::cmp::{Ordering, Reverse};

/// Where a task sits in a list, and the cursor of the next page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskCursor {
    /// Whether the task was overdue.
    pub overdue: bool,
    /// Its deadline.
    pub due_at: DateTime<Utc>,
    /// Its priority.
    pub priority: u8,
    /// Its id.
    pub id: TaskId,
}

impl TaskCursor {
    /// The key of `task` at `now`.
    pub fn of(task: &Task, now: DateTime<Utc>) -> TaskCursor {
        TaskCursor {
            overdue: task.bucket(now) == Some(TaskBucket::Overdue),
            due_at: task.due_at,
            priority: task.priority,
            id: task.id,
        }
    }

    fn sort_key(&self) -> (bool, DateTime<Utc>, Reverse<u8>, TaskId) {
        (!self.overdue, self.due_at, Reverse(self.priority), self.id)
    }
}

impl PartialOrd for TaskCursor {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for TaskCursor {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

/// Sorts `tasks` in list order at `now`, keeps those after `after` and at most `limit` of
/// them; answers the page and the cursor of the next one (when the page is full).
pub fn page(
    tasks: Vec<Task>,
    now: DateTime<Utc>,
    after: Option<TaskCursor>,
    limit: usize,
) -> (Vec<Task>, Option<TaskCursor>) {
    let mut keyed: Vec<(TaskCursor, Task)> = tasks
        .into_iter()
        .map(|t| (TaskCursor::of(&t, now), t))
        .filter(|(k, _)| after.is_none_or(|a| *k > a))
        .collect();
    keyed.sort_by_key(|(k, _)| *k);
    keyed.truncate(limit);
    let next = (keyed.len() == limit)
        .then(|| keyed.last().map(|(k, _)| *k))
        .flatten();
    (keyed.into_iter().map(|(_, t)| t).collect(), next)
}
