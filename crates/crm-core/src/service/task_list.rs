//! Task lists: the tasks the actor reads (their task scope over owners, or as a
//! collaborator), filtered in the store by owner, status, linked record and due range,
//! then put in list order (overdue first, by due, higher priority first, by id) with a
//! keyset cursor over that order.

use super::tasks::TaskView;
use super::{page_limit, Crm, Ctx};
use crate::access::{Action, Module, Reach};
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::ids::UserId;
use crate::store::{Entity, Filter, Predicate, Query, ScopeFilter, Store, StoreExt};
use crate::task::{
    collaborator_needle, order, Task, TaskBucket, TaskCursor, TaskLinks, TaskStatus,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Rows read per query.
const BATCH: u32 = 1000;

/// Most tasks one list may order (narrow the filters beyond).
pub const MAX_LIST_SCAN: usize = 20_000;

/// Which tasks to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TaskFilter {
    /// Only this owner's.
    pub owner_id: Option<UserId>,
    /// Only in this status.
    pub status: Option<TaskStatus>,
    /// Only open tasks in this bucket now.
    pub bucket: Option<TaskBucket>,
    /// Only tasks linked to each record given here.
    pub linked: TaskLinks,
    /// Only tasks whose deadline is at or after this instant.
    pub due_from: Option<DateTime<Utc>>,
    /// Only tasks whose deadline is before this instant.
    pub due_before: Option<DateTime<Utc>>,
    /// Keyset cursor (the previous page's `next_after`).
    pub after: Option<TaskCursor>,
    /// Page size, 1..=500 (default 50).
    pub limit: Option<u32>,
}

/// One page of tasks in list order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TaskPage {
    /// The tasks.
    pub items: Vec<TaskView>,
    /// Pass as `after` for the next page; `None` when this was the last.
    pub next_after: Option<TaskCursor>,
}

impl Ctx {
    /// The tasks the actor reads as a query scope: the owners their task read scope
    /// reaches, or their own collaborations.
    pub(crate) fn task_scope(&self, reach: &Reach) -> CrmResult<Option<ScopeFilter>> {
        if matches!(reach, Reach::All) {
            return Ok(None);
        }
        let owned = self
            .access
            .scope_filter(reach, self.now)
            .predicate(Entity::Task.spec())?;
        let mut either = vec![owned];
        if let Some(u) = self.access.user() {
            either.push(Predicate::Compare(Filter::contains(
                "collaborators",
                collaborator_needle(u.id),
            )));
        }
        Ok(Some(ScopeFilter::Predicate(Predicate::Or(either))))
    }
}

impl<S: Store> Crm<S> {
    /// Tasks the actor reads, in list order, a page at a time.
    pub async fn list_tasks(&self, actor: Actor, filter: TaskFilter) -> CrmResult<TaskPage> {
        let limit = page_limit(filter.limit)?;
        if let (Some(a), Some(b)) = (filter.due_from, filter.due_before) {
            if b <= a {
                return Err(CrmError::validation("due_before", "is not after due_from"));
            }
        }
        let ctx = self.ctx(actor).await?;
        let reach = ctx.access.require(Module::Tasks, Action::Read)?;
        let mut q = Query::new(Entity::Task, ctx.tenant.id).limit(BATCH);
        if let Some(scope) = ctx.task_scope(&reach)? {
            q = q.scope(scope);
        }
        if let Some(o) = filter.owner_id {
            q = q.filter(Filter::eq("owner_id", o));
        }
        let status = match filter.bucket {
            Some(_) => Some(TaskStatus::Open),
            None => filter.status,
        };
        if let Some(s) = status {
            q = q.filter(Filter::eq("status", s.as_str()));
        }
        for (column, _, id) in filter.linked.set() {
            q = q.filter(Filter::eq(column, id));
        }
        if let Some(t) = filter.due_from {
            q = q.filter(Filter::ge("due_at", crate::clock::ceil_micros(t)));
        }
        if let Some(t) = filter.due_before {
            q = q.filter(Filter::lt("due_at", crate::clock::ceil_micros(t)));
        }
        let mut tasks = Vec::new();
        let mut after = None;
        loop {
            let batch: Vec<Task> = self.store().load_all(&q.clone().after(after)).await?;
            let full = batch.len() == BATCH as usize;
            after = batch.last().map(|t| t.id.0);
            tasks.extend(
                batch
                    .into_iter()
                    .filter(|t| filter.bucket.is_none() || t.bucket(ctx.now) == filter.bucket),
            );
            if tasks.len() > MAX_LIST_SCAN {
                return Err(CrmError::rule(
                    "task_list_too_broad",
                    format!("more than {MAX_LIST_SCAN} tasks match: narrow the filters"),
                ));
            }
            if !full {
                break;
            }
        }
        let (items, next_after) = order::page(tasks, ctx.now, filter.after, limit as usize);
        Ok(TaskPage {
            items: items.into_iter().map(|t| ctx.task_view(t)).collect(),
            next_after,
        })
    }
}
