//! Stage templates in the service: setting and reading them (tenant settings), and the
//! tasks entering a stage creates, in the unit of work that moves the opportunity. The
//! rules are [`crate::task::template`].

use super::tasks::blank;
use super::{json, transact, Crm, Ctx};
use crate::access::Action;
use crate::actor::Actor;
use crate::error::CrmResult;
use crate::ids::{BusinessCalendarId, TaskId};
use crate::opportunity::Opportunity;
use crate::store::{Changes, Entity, EventKind, Filter, Query, Store, StoreExt};
use crate::task::{reminder, template, template_key, StageTemplate, TaskSource, TaskTemplates};
use serde::{Deserialize, Serialize};

/// The templates row's id (one per tenant).
const ROW: i64 = 1;

/// Replaces the tenant's stage templates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetTaskTemplates {
    /// The business calendar of business-day offsets (required when an item uses them).
    #[serde(default)]
    pub calendar_id: Option<BusinessCalendarId>,
    /// Per pipeline stage, the tasks entering it creates.
    #[serde(default)]
    pub stages: Vec<StageTemplate>,
}

impl<S: Store> Crm<S> {
    async fn load_task_templates(&self, ctx: &Ctx) -> CrmResult<TaskTemplates> {
        Ok(self
            .store()
            .load::<TaskTemplates>(ctx.tenant.id, ROW)
            .await?
            .unwrap_or(TaskTemplates {
                tenant: ctx.tenant.id,
                id: ROW,
                version: 0,
                calendar_id: None,
                stages: Vec::new(),
            }))
    }

    /// The tenant's stage templates (tenant admins and the system actor).
    pub async fn task_templates(&self, actor: Actor) -> CrmResult<TaskTemplates> {
        let ctx = self.ctx(actor).await?;
        ctx.access.require_settings(Action::Read)?;
        self.load_task_templates(&ctx).await
    }

    /// Replaces the tenant's stage templates, validated against its pipelines.
    pub async fn set_task_templates(
        &self,
        actor: Actor,
        request: SetTaskTemplates,
    ) -> CrmResult<TaskTemplates> {
        crate::validate::texts(&request, "")?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            ctx.access.require_settings(Action::Update)?;
            template::validate(
                &request.stages,
                request.calendar_id,
                &ctx.tenant.settings.pipelines,
            )?;
            if let Some(id) = request.calendar_id {
                self.compiled_calendar(&ctx, id).await?;
            }
            let before = self.load_task_templates(&ctx).await?;
            let next = TaskTemplates {
                calendar_id: request.calendar_id,
                stages: request.stages.clone(),
                ..before.clone()
            };
            let mut changes = Changes::new(ctx.tenant.id);
            if next == before {
                return Ok((changes, before));
            }
            if before.version == 0 {
                changes.insert(&TaskTemplates {
                    version: 1,
                    ..next.clone()
                })?;
            } else {
                changes.update(&next)?;
            }
            changes.audit(ctx.audit(
                "task.set_templates",
                Entity::TaskTemplates,
                ROW,
                json(&before.stages),
                json(&next.stages),
            ));
            changes.event(ctx.event(
                EventKind::TenantConfigured,
                Entity::TaskTemplates,
                ROW,
                serde_json::json!({ "task_templates": next.stages.len() }),
            ));
            Ok((
                changes,
                TaskTemplates {
                    version: next.version + 1,
                    ..next
                },
            ))
        })
    }

    /// Adds the tasks `opportunity` gets by entering its current stage to `changes`: one
    /// per template item of the stage, owned by the opportunity's owner, linked to it and
    /// its customer, due on the owner's local day of entry plus the item's offset — except
    /// an item whose copy for this opportunity and stage is still open. Call it wherever an
    /// opportunity is created or enters a stage, in the same unit of work.
    pub(crate) async fn enter_stage_tasks(
        &self,
        ctx: &Ctx,
        changes: &mut Changes,
        opportunity: &Opportunity,
    ) -> CrmResult<u64> {
        let templates = self.load_task_templates(ctx).await?;
        let stage = &opportunity.state.stage;
        let items = templates.items(&opportunity.pipeline, stage);
        if items.is_empty() {
            return Ok(0);
        }
        let calendar = match templates.calendar_id {
            Some(id) => Some(self.compiled_calendar(ctx, id).await?.1),
            None => None,
        };
        let owner = opportunity.owner_id;
        let tz = ctx.user_zone(owner)?;
        let entered = ctx.now.with_timezone(&tz).date_naive();
        let mut created = 0;
        for item in items {
            let key = template_key(opportunity.id, stage, &item.key);
            let open = self
                .store()
                .count(
                    &Query::new(Entity::Task, ctx.tenant.id)
                        .filter(Filter::eq("template_key", key)),
                )
                .await?;
            if open > 0 {
                continue;
            }
            let id = TaskId(self.new_id(Entity::Task).await?);
            let mut task = blank(ctx, id, owner, tz);
            task.title = item.title.clone();
            task.kind = item.kind.clone();
            task.priority = crate::task::priority(item.priority, "priority")?;
            task.due = template::due_for(item.offset, entered, calendar.as_ref())?;
            task.due_at = task.due.deadline(tz, "due")?;
            let offsets = reminder::offsets(&item.reminders, "reminders")?;
            task.reminders = reminder::arm(&offsets, task.due.anchor(tz));
            task.links.opportunity_id = Some(opportunity.id);
            task.links.customer_id = Some(opportunity.customer_id);
            task.source = TaskSource::StageTemplate {
                opportunity_id: opportunity.id,
                stage: stage.clone(),
                item: item.key.clone(),
            };
            ctx.write_task(changes, "task.create", EventKind::TaskCreated, None, &task)?;
            created += 1;
        }
        Ok(created)
    }
}
