//! Completing, cancelling and reopening tasks. A closed task has no reminder armed (its
//! `next_reminder_at` is empty); reopening arms those still ahead, and the ones whose
//! instant passed while it was closed are not sent late.

use super::tasks::TaskView;
use super::{transact, Crm, Ctx};
use crate::access::Action;
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::ids::TaskId;
use crate::store::{Changes, Entity, EventKind, Filter, Query, Store};
use crate::task::{Task, TaskStatus};

impl<S: Store> Crm<S> {
    /// Completes an open task.
    pub async fn complete_task(&self, actor: Actor, id: TaskId) -> CrmResult<TaskView> {
        self.move_task(actor, id, TaskStatus::Done).await
    }

    /// Cancels an open task.
    pub async fn cancel_task(&self, actor: Actor, id: TaskId) -> CrmResult<TaskView> {
        self.move_task(actor, id, TaskStatus::Cancelled).await
    }

    /// Reopens a done or cancelled task (a stage-template copy only while no other copy of
    /// its item is open).
    pub async fn reopen_task(&self, actor: Actor, id: TaskId) -> CrmResult<TaskView> {
        self.move_task(actor, id, TaskStatus::Open).await
    }

    async fn move_task(&self, actor: Actor, id: TaskId, to: TaskStatus) -> CrmResult<TaskView> {
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let before = self.task_for(&ctx, id, Action::Update).await?;
            before.status.check_move(to)?;
            let mut next = before.clone();
            next.status = to;
            next.updated_at = ctx.now;
            let (operation, kind) = match to {
                TaskStatus::Done => {
                    next.completed_at = Some(ctx.now);
                    ("task.complete", EventKind::TaskCompleted)
                }
                TaskStatus::Cancelled => {
                    next.completed_at = None;
                    ("task.cancel", EventKind::TaskCancelled)
                }
                _ => {
                    self.check_no_open_copy(&ctx, &before).await?;
                    next.completed_at = None;
                    for r in next.reminders.iter_mut().filter(|r| r.at <= ctx.now) {
                        r.fired = true;
                    }
                    ("task.reopen", EventKind::TaskReopened)
                }
            };
            let mut changes = Changes::new(ctx.tenant.id);
            ctx.write_task(&mut changes, operation, kind, Some(&before), &next)?;
            next.version += 1;
            Ok((changes, ctx.task_view(next)))
        })
    }

    /// Refuses to reopen a stage-template copy while another copy of its item is open.
    async fn check_no_open_copy(&self, ctx: &Ctx, task: &Task) -> CrmResult<()> {
        let Some(key) = task.source.template_key() else {
            return Ok(());
        };
        let open = self
            .store()
            .count(&Query::new(Entity::Task, ctx.tenant.id).filter(Filter::eq("template_key", key)))
            .await?;
        if open > 0 {
            return Err(CrmError::rule(
                "template_copy_open",
                "another copy of this template task is open",
            ));
        }
        Ok(())
    }
}
