//! Scheduled work (`run_due_work`): everything time-driven, in batches, idempotent at the
//! same `now`, safe to run from several processes (optimistic versions make a second runner
//! lose the race instead of doing the work twice).

use super::{json, Crm, Ctx};
use crate::access::TeamMember;
use crate::actor::Actor;
use crate::customer::Customer;
use crate::error::{CrmError, CrmResult};
use crate::ids::TenantId;
use crate::store::{Changes, Entity, EventKind, Filter, Query, Store, StoreExt};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Rows handled per transaction.
pub const DUE_WORK_BATCH: u32 = 500;

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DueWorkReport {
    /// Customers whose missing follow-up was escalated to the supervisor.
    pub followup_escalations: u64,
    /// Team memberships removed because they expired.
    pub expired_team_members: u64,
    /// Customers recycled into pools by rule.
    pub recycled: u64,
    /// Recycle reminders sent.
    pub recycle_reminders: u64,
    /// Leads recycled into lead pools by rule (no follow-up for N days).
    #[serde(default)]
    pub leads_recycled: u64,
    /// Customers whose tier changed in the daily recomputation.
    pub tier_changes: u64,
    /// SLA warnings, breaches and escalations fired.
    pub sla: super::SlaSweepCounts,
    /// Lead first-contact warnings and breaches fired.
    pub lead_first_contact: super::FirstContactCounts,
    /// Contracts expired past their end date.
    pub contracts_expired: u64,
    /// `InstallmentDueSoon` reminders.
    pub installments_due_soon: u64,
    /// `InstallmentOverdue` reminders.
    pub installments_overdue: u64,
    /// Task reminders fired (`TaskReminder`).
    #[serde(default)]
    pub task_reminders: u64,
    /// Tags put on or taken off customers by the daily rule-tag evaluation.
    #[serde(default)]
    pub tag_changes: u64,
    /// Segment joins and leaves of the daily evaluation.
    #[serde(default)]
    pub segment_changes: u64,
}

impl<S: Store> Crm<S> {
    /// Runs everything due in `tenant` at `now`.
    pub async fn run_due_work(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
    ) -> CrmResult<DueWorkReport> {
        let actor = Actor::system(tenant);
        let mut ctx = self.ctx(actor).await?;
        ctx.now = super::truncate_micros(now);
        let expired_team_members = self.expire_team_members(&ctx).await?;
        let (recycled, recycle_reminders) = self.sweep_recycling(&ctx).await?;
        let leads_recycled = self.sweep_lead_recycling(&ctx).await?;
        let followup_escalations = self.escalate_missing_followups(&ctx).await?;
        let sla = self.sweep_sla(&ctx).await?;
        let lead_first_contact = self.sweep_first_contact(&ctx).await?;
        let (contracts_expired, installments_due_soon, installments_overdue) =
            self.sweep_contracts(&ctx).await?;
        let tier_changes = self.daily_tiers(&ctx).await?;
        let tag_changes = self.daily_tags(&ctx).await?;
        let task_reminders = self.sweep_task_reminders(&ctx).await?;
        let segment_changes = self.daily_segments(&ctx).await?;
        Ok(DueWorkReport {
            followup_escalations,
            expired_team_members,
            recycled,
            recycle_reminders,
            leads_recycled,
            tier_changes,
            sla,
            lead_first_contact,
            contracts_expired,
            installments_due_soon,
            installments_overdue,
            task_reminders,
            tag_changes,
            segment_changes,
        })
    }

    /// Runs `step` over batches until it reports no more work; a batch that loses an
    /// optimistic race is simply picked again (the winner's writes make it smaller).
    async fn in_batches<F, Fut>(&self, mut step: F) -> CrmResult<u64>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = CrmResult<Option<(Changes, u64)>>>,
    {
        let mut done = 0;
        let mut conflicts = 0;
        while let Some((changes, n)) = step().await? {
            match self.store().apply(changes).await {
                Ok(_) => done += n,
                Err(CrmError::Conflict { .. }) if conflicts < 100 => conflicts += 1,
                Err(e) => return Err(e),
            }
        }
        Ok(done)
    }

    async fn escalate_missing_followups(&self, ctx: &Ctx) -> CrmResult<u64> {
        let hours = ctx.tenant.settings.followup_escalation_hours;
        if hours == 0 {
            return Ok(0);
        }
        let cutoff = crate::clock::minus(ctx.now, Duration::hours(i64::from(hours)));
        // Keyset batches in id order: one pass over the candidates. Re-reading from the
        // start after every batch (the escalated rows no longer match) made SQLite walk the
        // whole `owned_since` range and sort it again for each batch — there is no index on
        // `escalation_pending`; with the cursor it scans the primary key once instead.
        let mut after = Some(i64::MIN);
        let mut done = 0;
        let mut conflicts = 0;
        loop {
            let due: Vec<Customer> = self
                .store()
                .load_all(
                    &Query::new(Entity::Customer, ctx.tenant.id)
                        .filter(Filter::eq("escalation_pending", true))
                        .filter(Filter::le("owned_since", cutoff))
                        .after(after)
                        .limit(DUE_WORK_BATCH),
                )
                .await?;
            let Some(last) = due.last().map(|c| c.id.0) else {
                break;
            };
            let mut changes = Changes::new(ctx.tenant.id);
            for c in &due {
                let next = Customer {
                    escalated_for: c.owned_since,
                    ..c.clone()
                };
                changes.update(&next)?;
                changes.audit(ctx.audit(
                    "due_work.escalate_followup",
                    Entity::Customer,
                    c.id.0,
                    json(c),
                    json(&next),
                ));
                let supervisor = c.owner_id.and_then(|o| ctx.access.org().supervisor(o, 1));
                changes.event(ctx.event(
                    EventKind::FollowUpOverdueEscalated,
                    Entity::Customer,
                    c.id.0,
                    serde_json::json!({
                        "owner_id": c.owner_id,
                        "supervisor_id": supervisor,
                        "owned_since": c.owned_since,
                        "hours": hours,
                    }),
                ));
            }
            match self.store().apply(changes).await {
                Ok(_) => done += due.len() as u64,
                // Another runner changed some of these rows: read the batch again.
                Err(CrmError::Conflict { .. }) if conflicts < 100 => {
                    conflicts += 1;
                    continue;
                }
                Err(e) => return Err(e),
            }
            after = Some(last);
        }
        Ok(done)
    }

    async fn expire_team_members(&self, ctx: &Ctx) -> CrmResult<u64> {
        self.in_batches(|| async move {
            let expired: Vec<TeamMember> = self
                .store()
                .load_all(
                    &Query::new(Entity::TeamMember, ctx.tenant.id)
                        .filter(Filter::le("expires_at", ctx.now))
                        .limit(DUE_WORK_BATCH),
                )
                .await?;
            if expired.is_empty() {
                return Ok(None);
            }
            let mut changes = Changes::new(ctx.tenant.id);
            for m in &expired {
                changes.delete(m);
                changes.audit(ctx.audit(
                    "due_work.expire_team_member",
                    Entity::TeamMember,
                    m.id.0,
                    json(m),
                    serde_json::Value::Null,
                ));
                changes.event(ctx.event(
                    EventKind::TeamMembershipExpired,
                    Entity::Customer,
                    m.customer_id.0,
                    serde_json::json!({ "user_id": m.user_id, "expired_at": m.expires_at }),
                ));
            }
            Ok(Some((changes, expired.len() as u64)))
        })
        .await
    }
}
