//! Tasks (任务, DESIGN §4.9): the record, its due and buckets in the owner's time zone, its
//! reminders, the list order, stage templates and the report figures. The operations are in
//! `service/tasks*.rs` and `op/tasks.rs`.

mod due;
mod input;
mod model;
pub mod order;
pub mod reminder;
pub mod report;
mod status;
pub mod template;

pub use due::{parse_zone, Due, TaskBucket};
pub use input::{priority, TaskInput, TaskPatch, MAX_COLLABORATORS, MAX_PRIORITY};
pub use model::{
    collaborator_needle, collaborators_column, template_key, Task, TaskLinks, TaskSource,
};
pub use order::TaskCursor;
pub use reminder::Reminder;
pub use status::TaskStatus;
pub use template::{StageTemplate, TaskTemplates, TemplateItem, TemplateOffset};
