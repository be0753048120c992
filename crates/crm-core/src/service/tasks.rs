//! Task operations: create, read and edit, in the actor's task scope. A task is read by
//! those whose task scope reaches its owner and by its collaborators (both need the tasks
//! read grant); it is changed by those whose scope for the action reaches its owner.

use super::{json, transact, Crm, Ctx};
use crate::access::{Action, Module, Reach};
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::ids::{TaskId, UserId};
use crate::store::{Changes, Entity, EventKind, Store, StoreExt};
use crate::task::{Task, TaskInput, TaskLinks, TaskPatch, TaskSource, TaskStatus};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// A task as answered to its reader: the record and its bucket now (open tasks only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TaskView {
    /// The task.
    #[serde(flatten)]
    pub task: Task,
    /// Overdue, today or planned in the owner's time zone (none unless open).
    pub bucket: Option<crate::task::TaskBucket>,
}

impl Ctx {
    /// The time zone of `user`'s tasks: theirs, default the tenant's.
    pub(crate) fn user_zone(&self, user: UserId) -> CrmResult<Tz> {
        match self
            .access
            .org()
            .users
            .get(&user)
            .and_then(|u| u.time_zone.as_deref())
        {
            Some(zone) => crate::task::parse_zone(zone, "user.time_zone"),
            None => self.tenant.settings.tz(),
        }
    }

    /// Whether the actor reads `task`: their task read scope reaches its owner, or they are
    /// one of its collaborators (with the tasks read grant).
    pub(crate) fn reads_task(&self, task: &Task) -> bool {
        match self.access.reach(Module::Tasks, Action::Read) {
            None => false,
            Some(Reach::All) => true,
            Some(Reach::Owners(set)) => {
                set.contains(&task.owner_id)
                    || self
                        .access
                        .user()
                        .is_some_and(|u| task.has_collaborator(u.id))
            }
        }
    }

    /// Whether `action` on tasks reaches a task owned by `owner`.
    pub(crate) fn reaches_task(&self, action: Action, owner: UserId) -> CrmResult<()> {
        let ok = match self.access.require(Module::Tasks, action)? {
            Reach::All => true,
            Reach::Owners(set) => set.contains(&owner),
        };
        if ok {
            Ok(())
        } else {
            Err(CrmError::PermissionDenied {
                module: Module::Tasks.as_str().into(),
                action: action.as_str().into(),
                field: None,
            })
        }
    }

    /// A task with its bucket now.
    pub(crate) fn task_view(&self, task: Task) -> TaskView {
        TaskView {
            bucket: task.bucket(self.now),
            task,
        }
    }

    /// Refuses an owner or collaborator who is not an active user (`field`).
    fn check_active(&self, user: UserId, field: &str) -> CrmResult<()> {
        if self.access.org().users.get(&user).is_some_and(|u| u.active) {
            Ok(())
        } else {
            Err(CrmError::validation(
                field,
                format!("no active user {user}"),
            ))
        }
    }

    /// Audit entry and event of a task write.
    pub(crate) fn write_task(
        &self,
        changes: &mut Changes,
        operation: &str,
        kind: EventKind,
        before: Option<&Task>,
        after: &Task,
    ) -> CrmResult<()> {
        match before {
            None => changes.insert(after)?,
            Some(_) => changes.update(after)?,
        }
        changes.audit(self.audit(
            operation,
            Entity::Task,
            after.id,
            before.map_or(serde_json::Value::Null, json),
            json(after),
        ));
        changes.event(self.event(
            kind,
            Entity::Task,
            after.id,
            serde_json::json!({
                "owner_id": after.owner_id,
                "status": after.status,
                "due": after.due,
                "due_at": after.due_at,
                "source": after.source.as_str(),
            }),
        ));
        Ok(())
    }
}

impl<S: Store> Crm<S> {
    /// Loads a task the actor may `action`; one the actor may not read is not found.
    pub(crate) async fn task_for(&self, ctx: &Ctx, id: TaskId, action: Action) -> CrmResult<Task> {
        let task = self
            .store()
            .load::<Task>(ctx.tenant.id, id)
            .await?
            .filter(|t| ctx.reads_task(t))
            .ok_or_else(|| CrmError::not_found("task", id))?;
        if action != Action::Read {
            ctx.reaches_task(action, task.owner_id)?;
        }
        Ok(task)
    }

    /// Refuses links to records the actor does not read through the linked module's read
    /// scope (`links.customer_id`, …): one outside the scope is refused exactly like one
    /// that does not exist, so linking is no way to learn which ids exist.
    pub(crate) async fn check_task_links(&self, ctx: &Ctx, links: &TaskLinks) -> CrmResult<()> {
        for (column, entity, id) in links.set() {
            if !self.reads_record(ctx, entity, id).await? {
                return Err(CrmError::validation(
                    format!("links.{column}"),
                    format!("no {} {id}", entity.name()),
                ));
            }
        }
        Ok(())
    }

    /// Creates a task owned by `owner` (default: the acting user).
    pub async fn create_task(
        &self,
        actor: Actor,
        input: TaskInput,
        owner: Option<UserId>,
    ) -> CrmResult<TaskView> {
        crate::validate::texts(&input, "")?;
        let id = TaskId(self.new_id(Entity::Task).await?);
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let owner = owner
                .or(ctx.access.user().map(|u| u.id))
                .ok_or_else(|| CrmError::validation("owner_id", "required"))?;
            ctx.check_active(owner, "owner_id")?;
            ctx.reaches_task(Action::Create, owner)?;
            let tz = ctx.user_zone(owner)?;
            let mut task = blank(&ctx, id, owner, tz);
            input.apply(&mut task, tz)?;
            for (i, c) in task.collaborators.iter().enumerate() {
                ctx.check_active(*c, &format!("collaborators[{i}]"))?;
            }
            self.check_task_links(&ctx, &task.links).await?;
            let mut changes = Changes::new(ctx.tenant.id);
            ctx.write_task(
                &mut changes,
                "task.create",
                EventKind::TaskCreated,
                None,
                &task,
            )?;
            Ok((changes, ctx.task_view(task)))
        })
    }

    /// One task as the actor may see it.
    pub async fn get_task(&self, actor: Actor, id: TaskId) -> CrmResult<TaskView> {
        let ctx = self.ctx(actor).await?;
        let task = self.task_for(&ctx, id, Action::Read).await?;
        Ok(ctx.task_view(task))
    }

    /// Changes the given fields of an open task; a new due re-arms its reminders.
    pub async fn update_task(
        &self,
        actor: Actor,
        id: TaskId,
        patch: TaskPatch,
    ) -> CrmResult<TaskView> {
        crate::validate::texts(&patch, "")?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let before = self.task_for(&ctx, id, Action::Update).await?;
            if before.status != TaskStatus::Open {
                return Err(CrmError::rule(
                    "task_closed",
                    format!("a {} task is not edited; reopen it first", before.status),
                ));
            }
            let tz = ctx.user_zone(before.owner_id)?;
            let mut next = before.clone();
            patch.apply(&mut next, tz)?;
            if patch.collaborators.is_some() {
                for (i, c) in next.collaborators.iter().enumerate() {
                    ctx.check_active(*c, &format!("collaborators[{i}]"))?;
                }
            }
            if patch.links.is_some() {
                self.check_task_links(&ctx, &next.links).await?;
            }
            let mut changes = Changes::new(ctx.tenant.id);
            if next == before {
                return Ok((changes, ctx.task_view(before)));
            }
            next.updated_at = ctx.now;
            let kind = if next.due_at != before.due_at || next.due != before.due {
                EventKind::TaskDueChanged
            } else {
                EventKind::TaskUpdated
            };
            ctx.write_task(&mut changes, "task.update", kind, Some(&before), &next)?;
            next.version += 1;
            Ok((changes, ctx.task_view(next)))
        })
    }
}

/// A task with no field set yet, created now by the actor for `owner` in `tz`.
pub(crate) fn blank(ctx: &Ctx, id: TaskId, owner: UserId, tz: Tz) -> Task {
    Task {
        tenant: ctx.tenant.id,
        id,
        version: 1,
        title: String::new(),
        kind: None,
        priority: 1,
        status: TaskStatus::Open,
        due: crate::task::Due::At { at: ctx.now },
        time_zone: tz.name().to_owned(),
        due_at: ctx.now,
        owner_id: owner,
        collaborators: Vec::new(),
        links: TaskLinks::default(),
        source: TaskSource::Manual,
        reminders: Vec::new(),
        notes: None,
        completed_at: None,
        created_by: ctx.access.user().map(|u| u.id),
        created_at: ctx.now,
        updated_at: ctx.now,
    }
}
