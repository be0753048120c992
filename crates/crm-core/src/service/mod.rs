//! The service façade: every operation resolves the actor's permissions, loads a snapshot
//! through the store, calls a pure rule, applies the resulting
//! [`Changes`](crate::store::Changes) atomically, and retries a bounded number of times on an
//! optimistic-concurrency conflict.

mod achievement;
mod agenda;
mod agenda_plans;
mod approved_targets;
mod assignment_admin;
mod attribution;
mod attribution_events;
mod attribution_reads;
mod audience_facts;
mod calendar;
mod calendar_access;
mod calendar_series;
mod campaign_costs;
mod campaign_members;
mod campaign_reach;
mod campaign_roi;
mod campaign_scope;
mod campaign_segment;
mod campaign_touches;
mod campaigns;
mod claims;
mod commission;
mod commission_statements;
mod contacts;
mod contract_approval;
mod contract_view;
mod contracts;
mod credit_events;
mod credit_splits;
mod credits;
mod customers;
mod due_work;
mod field_view;
mod followups;
mod held_counters;
mod import;
mod lead_assign;
mod lead_convert;
mod lead_cursors;
mod lead_first_contact;
mod lead_followups;
mod lead_import;
mod lead_import_batch;
mod lead_loads;
mod lead_merge;
mod lead_pools;
mod lead_recycle;
mod lead_reports;
mod lead_view;
mod leads;
mod logs;
mod opportunities;
mod org;
mod overview;
mod owner_history;
mod pools;
mod quota;
mod receivables;
mod recycle;
mod recycle_sweep;
mod retry;
mod sales_reports;
mod segment_eval;
mod segment_facts;
mod segment_overrides;
mod segment_reads;
mod segment_stints;
mod segments;
mod sla_admin;
mod sla_report;
mod sla_sweep;
mod sla_time;
mod snapshot;
mod tag_customers;
mod tag_eval;
mod tags;
mod target_approval;
mod target_coverage;
mod target_settings;
mod targets;
mod task_list;
mod task_moves;
mod task_reminders;
mod task_reports;
mod task_status;
mod task_templates;
mod tasks;
mod team;
mod tenants;
mod ticket_handling;
mod tickets;
mod tiers;
mod visit_checks;
mod visit_reports;
mod visits;

pub use achievement::{
    Achievement, AchievementPeriod, AchievementRequest, CreditFilter, Ranking, RankingRequest,
    RankingRow,
};
pub use agenda::UserAgenda;
pub use attribution::MAX_TOUCHES_PER_DEAL;
pub use attribution_reads::{
    DealAttribution, DealAttributionRequest, ReattributeReport, ReattributeRequest,
};
pub use campaign_roi::{RoiGrouping, RoiReport, RoiRequest, RoiRow};
pub use campaign_segment::AddSegmentMembers;
pub use customers::CustomerFilter;
pub use due_work::DueWorkReport;
pub use followups::{Agenda, AgendaItem};
pub use overview::{
    ContractOverview, Customer360, InstallmentOverview, RECENT_FOLLOWUPS, VIEW_CONTRACTS,
    VIEW_OPEN_TICKETS, VIEW_OPPORTUNITIES, VIEW_OWNER_HISTORY,
};

use crate::access::{AccessContext, Module, Role, ViewContext};
use crate::actor::Actor;
use crate::clock::Clock;
use crate::customer::{visible_customer, Customer};
use crate::error::{CrmError, CrmResult};
use crate::ids::PoolId;
use crate::pool::Pool;
use crate::store::{AuditEntry, Entity, EventKind, NewEvent, Query, Store, StoreExt};
use crate::tenant::Tenant;
use crate::view::Visible;
use chrono::{DateTime, Utc};
use std::sync::Arc;

pub use retry::RetryPolicy;

/// Largest page a list call returns.
pub const MAX_PAGE: u32 = 500;

/// The engine: operations over a store, with a clock.
pub struct Crm<S: Store> {
    store: S,
    clock: Arc<dyn Clock>,
    retry: RetryPolicy,
    snapshots: snapshot::SnapshotCache,
}

/// One page of a keyset-paged list.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Pass as `after` to get the next page; `None` when this was the last.
    pub next_after: Option<i64>,
}

impl<T> Page<T> {
    /// A page from `rows` read with `limit`: when the page is full, the last row's id is the
    /// cursor for the next one. `present` turns each row into what the caller returns.
    pub(crate) fn of<R: crate::store::Record>(
        rows: Vec<R>,
        limit: u32,
        present: impl FnMut(R) -> T,
    ) -> Page<T> {
        let next_after = (rows.len() as u32 == limit)
            .then(|| rows.last().map(R::raw_id))
            .flatten();
        Page {
            items: rows.into_iter().map(present).collect(),
            next_after,
        }
    }
}

/// What the loaded snapshot of a call knows about the tenant and the actor.
pub(crate) struct Ctx {
    pub tenant: Tenant,
    pub access: AccessContext,
    pub pools: Arc<Vec<Pool>>,
    pub now: DateTime<Utc>,
}

impl Ctx {
    /// A customer as the actor may see it: role field rules, plus the pool's field rules
    /// when it sits in a pool and the actor is not that pool's admin.
    pub(crate) fn present(&self, customer: Customer, view: ViewContext) -> Visible<Customer> {
        let policy = self.customer_policy(customer.pool_id);
        visible_customer(customer, &policy, view)
    }

    /// A page query of `entity` restricted to what reading `module` reaches for the actor
    /// (the scope is part of the query), with the page size validated.
    pub(crate) fn scoped_page(
        &self,
        module: Module,
        entity: Entity,
        order: crate::store::Order,
        after: Option<i64>,
        limit: Option<u32>,
    ) -> CrmResult<(Query, u32)> {
        let reach = self.access.require(module, crate::access::Action::Read)?;
        let limit = page_limit(limit)?;
        let query = Query::new(entity, self.tenant.id)
            .scope(self.access.scope_filter(&reach, self.now))
            .order(order)
            .after(after)
            .limit(limit);
        Ok((query, limit))
    }

    /// The pool by id (enabled or not).
    pub(crate) fn pool(&self, id: PoolId) -> CrmResult<&Pool> {
        self.pools
            .iter()
            .find(|p| p.id == id)
            .ok_or_else(|| CrmError::not_found("pool", id))
    }

    pub(crate) fn audit(
        &self,
        operation: &str,
        entity: Entity,
        record_id: impl Into<i64>,
        before: serde_json::Value,
        after: serde_json::Value,
    ) -> AuditEntry {
        AuditEntry {
            id: 0,
            tenant: self.tenant.id,
            at: self.now,
            actor: self.access.actor().user_id(),
            operation: operation.to_owned(),
            entity: entity.name().to_owned(),
            record_id: record_id.into(),
            changes: AuditEntry::diff(&before, &after),
        }
    }

    pub(crate) fn event(
        &self,
        kind: EventKind,
        entity: Entity,
        record_id: impl Into<i64>,
        payload: serde_json::Value,
    ) -> NewEvent {
        NewEvent {
            kind,
            at: self.now,
            entity: entity.name().to_owned(),
            record_id: record_id.into(),
            payload,
        }
    }
}

pub(crate) fn json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// Runs `$body` (an async block yielding `CrmResult<(Changes, T)>`) and applies its changes,
/// re-running the body on `Conflict` after a jittered pause, up to the engine's attempt limit
/// ([`RetryPolicy`]).
macro_rules! transact {
    ($crm:expr, $body:expr) => {{
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let started = ::std::time::Instant::now();
            let (changes, out) = $body.await?;
            if changes.is_empty() {
                break Ok(out);
            }
            match $crm.store().apply(changes).await {
                Ok(_) => break Ok(out),
                Err($crate::error::CrmError::Conflict { .. })
                    if attempt < $crm.retry_policy().max_attempts =>
                {
                    $crm.back_off(attempt, started.elapsed()).await;
                    continue;
                }
                Err(e) => break Err(e),
            }
        }
    }};
}
pub(crate) use transact;

impl<S: Store> Crm<S> {
    /// An engine over `store` reading time from `clock`.
    pub fn new(store: S, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            retry: RetryPolicy::default(),
            snapshots: snapshot::SnapshotCache::default(),
        }
    }

    /// Sets how often an operation is tried on conflicts (at least 1), keeping the pauses.
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.retry.max_attempts = attempts.max(1);
        self
    }

    /// Sets how operations retry on conflicts (attempts and pauses).
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = RetryPolicy {
            max_attempts: policy.max_attempts.max(1),
            ..policy
        };
        self
    }

    /// How operations retry on conflicts.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    /// Pauses after `failed` failed attempts, the last of which took `took` (see
    /// [`RetryPolicy::pause`]).
    pub(crate) async fn back_off(&self, failed: u32, took: std::time::Duration) {
        let pause = self.retry.jittered(failed, took);
        if !pause.is_zero() {
            self.store.pause(pause).await;
        }
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Attempts per operation.
    pub fn max_attempts(&self) -> u32 {
        self.retry.max_attempts
    }

    /// The current instant, truncated to microseconds (what every store keeps).
    pub(crate) fn now(&self) -> DateTime<Utc> {
        truncate_micros(self.clock.now())
    }

    pub(crate) async fn load_tenant(&self, actor: Actor) -> CrmResult<Tenant> {
        self.store
            .load::<Tenant>(actor.tenant(), actor.tenant().0)
            .await?
            .ok_or_else(|| CrmError::not_found("tenant", actor.tenant()))
    }

    /// The per-tenant access snapshots of this engine.
    fn snapshots(&self) -> &snapshot::SnapshotCache {
        &self.snapshots
    }

    /// Loads the tenant and resolves the actor's permissions at `now`.
    pub(crate) async fn ctx(&self, actor: Actor) -> CrmResult<Ctx> {
        let tenant = self.load_tenant(actor).await?;
        let snapshot = self.access_snapshot(&tenant).await?;
        let roles: Vec<Role> = match actor {
            Actor::System { .. } => Vec::new(),
            Actor::User { .. } => snapshot.roles.clone(),
        };
        let pools = snapshot.pools.clone();
        let org = snapshot.org.clone();
        let access = AccessContext::resolve(actor, org, roles)?;
        let visible = match access.user() {
            None => Vec::new(),
            Some(u) => crate::pool::visible_pools(&pools, access.org(), u.id),
        };
        Ok(Ctx {
            tenant,
            access: access.with_visible_pools(visible),
            pools,
            now: self.now(),
        })
    }

    /// Reserves one fresh id.
    pub(crate) async fn new_id(&self, entity: Entity) -> CrmResult<i64> {
        self.store.allocate_ids(entity, 1).await
    }
}

/// Drops sub-microsecond precision (kept here for existing callers; the rule lives in
/// [`crate::clock`]).
pub use crate::clock::truncate_micros;

pub(crate) fn page_limit(limit: Option<u32>) -> CrmResult<u32> {
    match limit {
        None => Ok(50),
        Some(0) => Err(CrmError::validation("limit", "must be at least 1")),
        Some(n) if n > MAX_PAGE => {
            Err(CrmError::validation("limit", format!("at most {MAX_PAGE}")))
        }
        Some(n) => Ok(n),
    }
}

pub use assignment_admin::AssignmentMemberView;
pub use calendar::{CalendarEventDeleted, CalendarEventFilter};
pub use calendar_series::{CalendarSplit, OccurrenceList, MAX_EXCEPTIONS};
pub use campaign_costs::{AddCampaignCost, CampaignCostAdded, CampaignCostFilter};
pub use campaign_members::{
    AddCampaignMembers, CampaignMemberFilter, MemberIds, MembersChanged, RemoveCampaignMembers,
    MAX_MEMBER_BATCH,
};
pub use campaign_reach::{CampaignReach, ReachRequest};
pub use campaign_touches::{RecordTouches, TouchFilter, TouchesRecorded};
pub use campaigns::{CampaignFilter, CampaignNode, CampaignTree};
pub use commission::{PlanFilter, PlanRevisions};
pub use commission_statements::{ComputeStatement, StatementFilter};
pub use contracts::{ContractFilter, NewContract};
pub use import::ImportOptions;
pub use lead_assign::LeadAssignment;
pub use lead_convert::{ConversionLinks, ConvertLead, ConvertOpportunity, LeadConversion};
pub use lead_first_contact::FirstContactCounts;
pub use lead_import::ImportLeads;
pub use lead_merge::LeadMerge;
pub use lead_reports::{LeadReport, LeadReportRequest, OwnerRow, SourceRow, StatusCount};
pub use leads::LeadFilter;
pub use opportunities::{NewOpportunity, OpportunityFilter};
pub use org::{DepartmentInput, RoleInput, UserInput};
pub use receivables::{Aging, LedgerInput, PlanInput};
pub use sales_reports::SalesReport;
pub use segment_eval::{SegmentEvaluation, SegmentRun, EVAL_BATCH};
pub use segment_overrides::{OverrideOutcome, MAX_OVERRIDE_CUSTOMERS};
pub use segment_reads::SegmentPreview;
pub use segments::{SegmentFilter, MAX_SEGMENTS};
pub use sla_report::{MetricStats, SlaGroupBy, SlaReportRow};
pub use sla_sweep::SlaSweepCounts;
pub use sla_time::{BusinessDue, BusinessSpan, MAX_BUSINESS_SECS};
pub use tag_customers::{CustomerTagView, TagChange, TagCustomerPage};
pub use tag_eval::{RetiredTag, TagEvaluation};
pub use tags::TagFilter;
pub use target_approval::TargetReview;
pub use target_coverage::{CoverageGap, TargetCoverage};
pub use targets::TargetFilter;
pub use task_list::{TaskFilter, TaskPage, MAX_LIST_SCAN};
pub use task_reports::{TaskOwnerRow, TaskReport, TaskReportRequest};
pub use task_templates::SetTaskTemplates;
pub use tasks::TaskView;
pub use team::TeamMemberInput;
pub use tickets::{MessageInput, TicketFilter, TicketView};
pub use visit_checks::{CheckInVisit, CheckOutVisit, VisitCheckIn};
pub use visit_reports::{VisitReport, VisitReportRequest, VisitorRow};
pub use visits::VisitFilter;
