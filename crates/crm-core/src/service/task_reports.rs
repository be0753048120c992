//! The task report: per owner, completion rate and overdue rate over the tasks due in a
//! period (local days in the tenant's zone), over the tasks the actor reads by scope.
//! Figures are [`crate::task::report`].

use super::Crm;
use crate::access::{Action, Module};
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::ids::UserId;
use crate::store::{Entity, Filter, Query, Store, StoreExt};
use crate::task::report::{by_owner, figures, TaskFigures};
use crate::task::Task;
use crate::tenant::local_midnight;
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// Longest period a task report covers.
const MAX_DAYS: i64 = 3660;

/// Tasks read per query.
const PAGE: u32 = 1000;

/// Which tasks the report covers: those due on local days `from` to `to` (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskReportRequest {
    /// First local day (the tenant's zone) of the due dates covered.
    pub from: NaiveDate,
    /// Last local day covered (inclusive).
    pub to: NaiveDate,
}

/// One owner's task figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TaskOwnerRow {
    /// The owner.
    pub owner_id: UserId,
    /// Their figures.
    #[serde(flatten)]
    pub figures: TaskFigures,
}

/// The task report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TaskReport {
    /// All covered tasks together.
    pub total: TaskFigures,
    /// Per owner, in id order.
    pub by_owner: Vec<TaskOwnerRow>,
}

impl<S: Store> Crm<S> {
    /// The task report over the tasks the actor's task read scope reaches by owner (not
    /// through collaboration), due in `[from, to]`; needs the reports read grant too.
    pub async fn task_report(
        &self,
        actor: Actor,
        request: TaskReportRequest,
    ) -> CrmResult<TaskReport> {
        if request.to < request.from {
            return Err(CrmError::validation("to", "is before from"));
        }
        if (request.to - request.from).num_days() > MAX_DAYS {
            return Err(CrmError::validation(
                "to",
                format!("a report covers at most {MAX_DAYS} days"),
            ));
        }
        let ctx = self.ctx(actor).await?;
        let reach = ctx.access.require(Module::Tasks, Action::Read)?;
        if !ctx.access.is_system() {
            ctx.access.require(Module::Reports, Action::Read)?;
        }
        let tz = ctx.tenant.settings.tz()?;
        // Deadlines of the covered tasks lie between the period's start (an instant due
        // then) and the end of the day after it (an all-day due on `to`, in any zone).
        let start = crate::clock::minus(local_midnight(tz, request.from), Duration::days(1));
        let end = crate::clock::plus(local_midnight(tz, request.to), Duration::days(3));
        let mut tasks = Vec::new();
        let mut after = None;
        loop {
            let q = Query::new(Entity::Task, ctx.tenant.id)
                .scope(ctx.access.scope_filter(&reach, ctx.now))
                .filter(Filter::ge("due_at", start))
                .filter(Filter::lt("due_at", end))
                .after(after)
                .limit(PAGE);
            let page: Vec<Task> = self.store().load_all(&q).await?;
            let Some(last) = page.last().map(|t| t.id.0) else {
                break;
            };
            let full = page.len() == PAGE as usize;
            tasks.extend(page.into_iter().filter(|t| {
                let day = t.due.local_date(t.time_zone.parse().unwrap_or(tz));
                (request.from..=request.to).contains(&day)
            }));
            if !full {
                break;
            }
            after = Some(last);
        }
        Ok(TaskReport {
            total: figures(&tasks, ctx.now),
            by_owner: by_owner(&tasks, ctx.now)
                .into_iter()
                .map(|(owner_id, figures)| TaskOwnerRow { owner_id, figures })
                .collect(),
        })
    }
}
