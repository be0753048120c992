//! Task report figures, pure: per owner, over the tasks due in a period (cancelled ones left
//! out), how many were completed and how many were late — still open past their deadline,
//! or completed after it.

use super::model::Task;
use super::status::TaskStatus;
use crate::ids::UserId;
use chrono::{DateTime, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One owner's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TaskFigures {
    /// Tasks due in the period (cancelled ones left out).
    pub tasks: u64,
    /// Of those, done.
    pub done: u64,
    /// Of those, late: open past the deadline at the time of the report, or done after it.
    pub overdue: u64,
    /// `done / tasks`, 4 decimal places (half away from zero); `None` without tasks.
    pub completion_rate: Option<Decimal>,
    /// `overdue / tasks`, likewise.
    pub overdue_rate: Option<Decimal>,
}

/// Whether a task counts as late at `now`.
pub fn is_late(task: &Task, now: DateTime<Utc>) -> bool {
    match task.status {
        TaskStatus::Open => now >= task.due_at,
        TaskStatus::Done => task.completed_at.is_some_and(|c| c > task.due_at),
        TaskStatus::Cancelled => false,
    }
}

/// The figures of a group of tasks at `now`.
pub fn figures<'a>(tasks: impl IntoIterator<Item = &'a Task>, now: DateTime<Utc>) -> TaskFigures {
    let mut f = TaskFigures::default();
    for t in tasks
        .into_iter()
        .filter(|t| t.status != TaskStatus::Cancelled)
    {
        f.tasks += 1;
        f.done += u64::from(t.status == TaskStatus::Done);
        f.overdue += u64::from(is_late(t, now));
    }
    let rate = |n: u64| {
        (f.tasks > 0).then(|| {
            (Decimal::from(n) / Decimal::from(f.tasks))
                .round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
        })
    };
    f.completion_rate = rate(f.done);
    f.overdue_rate = rate(f.overdue);
    f
}

/// Figures per owner, owners in id order.
pub fn by_owner(tasks: &[Task], now: DateTime<Utc>) -> Vec<(UserId, TaskFigures)> {
    let mut groups: BTreeMap<UserId, Vec<&Task>> = BTreeMap::new();
    for t in tasks {
        groups.entry(t.owner_id).or_default().push(t);
    }
    groups
        .into_iter()
        .map(|(owner, ts)| (owner, figures(ts, now)))
        .filter(|(_, f)| f.tasks > 0)
        .collect()
}
