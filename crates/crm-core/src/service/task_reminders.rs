//! The task reminder sweep of scheduled work: reads only the tasks whose indexed
//! `next_reminder_at` is due, fires each reminder reached (one `TaskReminder` event each)
//! and records it as fired in the same unit of work, so each fires exactly once per due,
//! never before its instant, and one missed while no work ran fires at the next run. The
//! rule is [`crate::task::reminder`].

use super::{json, Crm, Ctx};
use crate::error::{CrmError, CrmResult};
use crate::store::{Changes, Entity, EventKind, Filter, Query, Store, StoreExt};
use crate::task::{reminder, Task};

/// Tasks read per batch.
const BATCH: u32 = 200;

/// Conflicting batches re-read before giving up.
const MAX_CONFLICTS: u32 = 20;

impl<S: Store> Crm<S> {
    /// Fires the task reminders due at `ctx.now`; answers how many fired. Every task read
    /// changes (its due reminders are marked fired, so its next instant moves past `now`
    /// or away), so each batch reads what is still due from the start.
    pub(crate) async fn sweep_task_reminders(&self, ctx: &Ctx) -> CrmResult<u64> {
        let mut fired_total = 0;
        let mut conflicts = 0;
        loop {
            let q = Query::new(Entity::Task, ctx.tenant.id)
                .filter(Filter::le("next_reminder_at", ctx.now))
                .limit(BATCH);
            let batch: Vec<Task> = self.store().load_all(&q).await?;
            let mut changes = Changes::new(ctx.tenant.id);
            let mut fired_here = 0;
            for before in &batch {
                let mut task = before.clone();
                let fired = reminder::fire_due(&mut task.reminders, ctx.now);
                if fired.is_empty() {
                    continue;
                }
                for r in &fired {
                    changes.event(ctx.event(
                        EventKind::TaskReminder,
                        Entity::Task,
                        task.id,
                        serde_json::json!({
                            "owner_id": task.owner_id,
                            "collaborators": task.collaborators,
                            "title": task.title,
                            "minutes_before": r.minutes_before,
                            "remind_at": r.at,
                            "due": task.due,
                            "due_at": task.due_at,
                        }),
                    ));
                }
                fired_here += fired.len() as u64;
                changes.update(&task)?;
                changes.audit(ctx.audit(
                    "due_work.task_reminder",
                    Entity::Task,
                    task.id,
                    json(before),
                    json(&task),
                ));
            }
            if changes.is_empty() {
                break;
            }
            match self.store().apply(changes).await {
                Ok(_) => fired_total += fired_here,
                Err(CrmError::Conflict { .. }) if conflicts < MAX_CONFLICTS => {
                    conflicts += 1;
                    continue;
                }
                Err(e) => return Err(e),
            }
            if batch.len() < BATCH as usize {
                break;
            }
        }
        Ok(fired_total)
    }
}
