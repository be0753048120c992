//! What creates or edits a task, and the field rules on it (errors name the field). Who may
//! own, collaborate or be linked is the service's to check against the store.

use super::due::Due;
use super::model::{Task, TaskLinks};
use super::reminder;
use crate::error::{CrmError, CrmResult};
use crate::ids::UserId;
use crate::validate::{optional_text, required_text, MAX_NAME, MAX_NOTE};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Longest kind label.
const MAX_KIND: usize = 50;

/// Most collaborators on one task.
pub const MAX_COLLABORATORS: usize = 20;

/// Highest priority.
pub const MAX_PRIORITY: i64 = 3;

/// The fields of a new task, for `task.create`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    /// Title (required).
    pub title: String,
    /// Kind, the host's own label.
    #[serde(default)]
    pub kind: Option<String>,
    /// Priority 0–3 (default 1).
    #[serde(default = "default_priority")]
    pub priority: i64,
    /// When it is due.
    pub due: Due,
    /// Collaborators (active users other than the owner).
    #[serde(default)]
    pub collaborators: Vec<UserId>,
    /// Linked records.
    #[serde(default)]
    pub links: TaskLinks,
    /// Reminders, in minutes before the due (none negative).
    #[serde(default)]
    pub reminders: Vec<i64>,
    /// Notes.
    #[serde(default)]
    pub notes: Option<String>,
}

fn default_priority() -> i64 {
    1
}

/// Changes to a task for `task.update`: each field given is written, each field absent is
/// kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TaskPatch {
    /// New title (not blank).
    pub title: Option<String>,
    /// New kind (blank clears it).
    pub kind: Option<String>,
    /// New priority 0–3.
    pub priority: Option<i64>,
    /// New due (re-arms the reminders).
    pub due: Option<Due>,
    /// New reminders, in minutes before the due (an offset kept keeps its state).
    pub reminders: Option<Vec<i64>>,
    /// New collaborators (replacing the list).
    pub collaborators: Option<Vec<UserId>>,
    /// New links (replacing them all).
    pub links: Option<TaskLinks>,
    /// New notes (blank clears them).
    pub notes: Option<String>,
}

/// A priority 0–3; errors name `field`.
pub fn priority(value: i64, field: &str) -> CrmResult<u8> {
    if !(0..=MAX_PRIORITY).contains(&value) {
        return Err(CrmError::validation(
            field,
            format!("must be 0 to {MAX_PRIORITY}"),
        ));
    }
    u8::try_from(value).map_err(|_| CrmError::validation(field, "out of range"))
}

/// Collaborators without repeats, at most [`MAX_COLLABORATORS`], never the owner.
pub fn collaborators(users: &[UserId], owner: UserId) -> CrmResult<Vec<UserId>> {
    if users.len() > MAX_COLLABORATORS {
        return Err(CrmError::validation(
            "collaborators",
            format!("at most {MAX_COLLABORATORS}"),
        ));
    }
    let mut out: Vec<UserId> = Vec::with_capacity(users.len());
    for (i, u) in users.iter().enumerate() {
        if *u == owner {
            return Err(CrmError::validation(
                format!("collaborators[{i}]"),
                "is the owner",
            ));
        }
        if out.contains(u) {
            return Err(CrmError::validation(
                format!("collaborators[{i}]"),
                "is listed twice",
            ));
        }
        out.push(*u);
    }
    Ok(out)
}

impl TaskInput {
    /// Validates the input into `task` (owner and zone already set); errors name the field.
    pub fn apply(&self, task: &mut Task, tz: Tz) -> CrmResult<()> {
        task.title = required_text(&self.title, "title", MAX_NAME)?;
        task.kind = optional_text(self.kind.as_deref(), "kind", MAX_KIND)?;
        task.priority = priority(self.priority, "priority")?;
        task.notes = optional_text(self.notes.as_deref(), "notes", MAX_NOTE)?;
        task.collaborators = collaborators(&self.collaborators, task.owner_id)?;
        task.links = self.links;
        let offsets = reminder::offsets(&self.reminders, "reminders")?;
        set_due(task, self.due, tz)?;
        task.reminders = reminder::arm(&offsets, task.due.anchor(tz));
        Ok(())
    }
}

impl TaskPatch {
    /// Validates the given fields into `task`; errors name the field. A new due re-arms
    /// every reminder for it; new offsets at the same due keep the state of those kept.
    pub fn apply(&self, task: &mut Task, tz: Tz) -> CrmResult<()> {
        if let Some(v) = &self.title {
            task.title = required_text(v, "title", MAX_NAME)?;
        }
        if let Some(v) = &self.kind {
            task.kind = optional_text(Some(v), "kind", MAX_KIND)?;
        }
        if let Some(v) = self.priority {
            task.priority = priority(v, "priority")?;
        }
        if let Some(v) = &self.notes {
            task.notes = optional_text(Some(v), "notes", MAX_NOTE)?;
        }
        if let Some(v) = &self.collaborators {
            task.collaborators = collaborators(v, task.owner_id)?;
        }
        if let Some(v) = self.links {
            task.links = v;
        }
        let offsets = match &self.reminders {
            Some(raw) => reminder::offsets(raw, "reminders")?,
            None => task.reminders.iter().map(|r| r.minutes_before).collect(),
        };
        match self.due {
            Some(due) if due != task.due => {
                set_due(task, due, tz)?;
                task.reminders = reminder::arm(&offsets, task.due.anchor(tz));
            }
            _ => {
                let anchor = task.due.anchor(task_zone(task));
                task.reminders = reminder::rearm_offsets(&task.reminders, &offsets, anchor);
            }
        }
        Ok(())
    }
}

/// Sets the due, its zone and its deadline.
fn set_due(task: &mut Task, due: Due, tz: Tz) -> CrmResult<()> {
    task.due_at = due.deadline(tz, "due")?;
    task.due = due;
    task.time_zone = tz.name().to_owned();
    Ok(())
}

/// The zone a task's due is read in.
fn task_zone(task: &Task) -> Tz {
    task.time_zone.parse().unwrap_or(chrono_tz::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_bounds() {
        assert!(priority(-1, "priority").is_err());
        assert_eq!(priority(0, "priority").expect("0"), 0);
        assert_eq!(priority(3, "priority").expect("3"), 3);
        assert!(priority(4, "priority").is_err());
    }

    #[test]
    fn collaborators_refuse_owner_repeats_and_too_many() {
        let o = UserId(1);
        assert!(collaborators(&[UserId(2), UserId(3)], o).is_ok());
        assert!(collaborators(&[UserId(2), UserId(1)], o).is_err());
        assert!(collaborators(&[UserId(2), UserId(2)], o).is_err());
        let many: Vec<UserId> = (2..=i64::try_from(MAX_COLLABORATORS + 1).unwrap_or(0) + 1)
            .map(UserId)
            .collect();
        assert!(collaborators(&many[..MAX_COLLABORATORS], o).is_ok());
        assert!(collaborators(&many, o).is_err());
    }
}
