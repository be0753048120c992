//! Tasks following their lead: a converted lead's open tasks get the new customer as a link
//! too; a merged lead's tasks move to the winner. Both happen in the unit of work of the
//! conversion or merge.

use super::{json, Crm, Ctx};
use crate::error::CrmResult;
use crate::ids::{CustomerId, LeadId};
use crate::store::{Changes, Entity, Filter, Query, Store, StoreExt};
use crate::task::{Task, TaskStatus};

impl<S: Store> Crm<S> {
    async fn tasks_of_lead(
        &self,
        ctx: &Ctx,
        lead: LeadId,
        open_only: bool,
    ) -> CrmResult<Vec<Task>> {
        let mut q = Query::new(Entity::Task, ctx.tenant.id).filter(Filter::eq("lead_id", lead));
        if open_only {
            q = q.filter(Filter::eq("status", TaskStatus::Open.as_str()));
        }
        self.store().load_all(&q).await
    }

    /// Links the open tasks of a converted lead to its customer; answers how many.
    pub(crate) async fn tasks_follow_conversion(
        &self,
        ctx: &Ctx,
        changes: &mut Changes,
        lead: LeadId,
        customer: CustomerId,
    ) -> CrmResult<usize> {
        let tasks = self.tasks_of_lead(ctx, lead, true).await?;
        for before in &tasks {
            let mut after = before.clone();
            after.links.customer_id = Some(customer);
            after.updated_at = ctx.now;
            changes.update(&after)?;
            changes.audit(ctx.audit(
                "lead.convert",
                Entity::Task,
                after.id,
                json(before),
                json(&after),
            ));
        }
        Ok(tasks.len())
    }

    /// Moves the tasks of a merged lead to the winner; answers how many.
    pub(crate) async fn tasks_follow_merge(
        &self,
        ctx: &Ctx,
        changes: &mut Changes,
        loser: LeadId,
        winner: LeadId,
    ) -> CrmResult<usize> {
        let tasks = self.tasks_of_lead(ctx, loser, false).await?;
        for before in &tasks {
            let mut after = before.clone();
            after.links.lead_id = Some(winner);
            after.updated_at = ctx.now;
            changes.update(&after)?;
            changes.audit(ctx.audit(
                "lead.merge",
                Entity::Task,
                after.id,
                json(before),
                json(&after),
            ));
        }
        Ok(tasks.len())
    }
}
