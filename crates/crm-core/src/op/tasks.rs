//! `task.*`: tasks (任务) — create, read, list, edit, complete, cancel, reopen, the stage
//! templates and the report.

use super::{facet, operation};
use crate::ids::{TaskId, UserId};
pub use crate::service::{
    SetTaskTemplates, TaskFilter, TaskOwnerRow, TaskPage, TaskReport, TaskReportRequest, TaskView,
};
use crate::task::TaskTemplates;
pub use crate::task::{TaskInput, TaskPatch};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

facet!(
    /// Tasks (任务): to-dos with a due, reminders and links, and the tasks pipeline stages
    /// create.
    tasks -> TaskOps {
        create: NewTask,
        get: GetTask,
        list: TaskFilter,
        update: UpdateTask,
        complete: CompleteTask,
        cancel: CancelTask,
        reopen: ReopenTask,
        set_templates: SetTaskTemplates,
        templates: GetTaskTemplates,
        report: TaskReportRequest,
    }
);

/// Creates a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTask {
    /// The task's fields.
    pub task: TaskInput,
    /// Its owner (default: the acting user).
    #[serde(default)]
    pub owner_id: Option<UserId>,
}

operation!(NewTask, "task.create", Tasks, Create, TaskView,
    "Creates an open task owned by the given user or the actor, within the actor's task scope; its due is an instant or an all-day date read in the owner's time zone, its reminders are minutes before the due (none negative). Answers the task with its bucket.",
    |crm, actor, r| crm.create_task(actor, r.task, r.owner_id));

/// Reads one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetTask {
    /// The task.
    pub id: TaskId,
}

operation!(GetTask, "task.get", Tasks, Read, TaskView,
    "One task with its bucket (overdue, today, planned in the owner's time zone); a task the actor neither reaches by scope nor collaborates on is not found.",
    |crm, actor, r| crm.get_task(actor, r.id));

operation!(TaskFilter, "task.list", Tasks, Read, TaskPage,
    "Tasks the actor reads (by scope over owners, or as a collaborator) by owner, status, bucket, linked record and deadline range; overdue first, then by due, then by priority (higher first), then by id, a page at a time.",
    |crm, actor, r| crm.list_tasks(actor, r));

/// Changes the given fields of an open task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTask {
    /// The task (open).
    pub id: TaskId,
    /// The fields to write; absent ones are kept.
    pub patch: TaskPatch,
}

operation!(
    UpdateTask,
    "task.update",
    Tasks,
    Update,
    TaskView,
    "Writes the given fields of an open task; a new due re-arms every reminder for it.",
    |crm, actor, r| crm.update_task(actor, r.id, r.patch)
);

/// Completes an open task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteTask {
    /// The task.
    pub id: TaskId,
}

operation!(
    CompleteTask,
    "task.complete",
    Tasks,
    Update,
    TaskView,
    "Completes an open task (its reminders are disarmed).",
    |crm, actor, r| crm.complete_task(actor, r.id)
);

/// Cancels an open task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelTask {
    /// The task.
    pub id: TaskId,
}

operation!(
    CancelTask,
    "task.cancel",
    Tasks,
    Update,
    TaskView,
    "Cancels an open task (its reminders are disarmed).",
    |crm, actor, r| crm.cancel_task(actor, r.id)
);

/// Reopens a done or cancelled task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenTask {
    /// The task.
    pub id: TaskId,
}

operation!(ReopenTask, "task.reopen", Tasks, Update, TaskView,
    "Reopens a done or cancelled task; reminders still ahead are armed again, those passed while it was closed are not sent. A stage-template copy is not reopened while another copy of its item is open.",
    |crm, actor, r| crm.reopen_task(actor, r.id));

operation!(SetTaskTemplates, "task.set_templates", Settings, Update, TaskTemplates,
    "Replaces the tenant's stage templates: per pipeline stage, the tasks entering it creates, due in business days (on the given calendar), calendar days or calendar months (clamped to the month's end) after the day of entry.",
    |crm, actor, r| crm.set_task_templates(actor, r));

/// Reads the tenant's stage templates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetTaskTemplates {}

operation!(
    GetTaskTemplates,
    "task.templates",
    Settings,
    Read,
    TaskTemplates,
    "The tenant's stage templates of tasks.",
    |crm, actor, _r| crm.task_templates(actor)
);

operation!(TaskReportRequest, "task.report", Tasks, Read, TaskReport,
    "Per owner, completion rate and overdue rate of the tasks due on the given local days (cancelled ones left out), over the owners the actor's task scope reaches; needs the reports read grant too.",
    |crm, actor, r| crm.task_report(actor, r));
