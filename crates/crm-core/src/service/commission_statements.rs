//! Commission statements in the service (ADR 0029): compute (or recompute) one user's
//! statement under a plan for a fiscal period from the credit records and the approved
//! target, approve it (never one's own), read and list them in scope. The calculation is
//! [`crate::commission::statement::calculate`].

use super::commission::fiscal_calendar;
use super::{json, transact, Crm, Ctx, Page};
use crate::access::{Action, Module};
use crate::actor::Actor;
use crate::commission::plan::in_force;
use crate::commission::statement::{calculate, fiscal_months, period_key, CalcInput};
use crate::commission::{
    CommissionBase, CommissionPlan, CommissionStatement, PlanStatus, StatementStatus,
};
use crate::credit::model::date_key;
use crate::credit::Credit;
use crate::error::{CrmError, CrmResult};
use crate::ids::{StatementId, UserId};
use crate::money::Currency;
use crate::store::{Changes, Entity, EventKind, Filter, Order, Query, Store, StoreExt};
use crate::target::{FiscalPeriod, Metric, Target, TargetStatus};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Computes (or recomputes) a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComputeStatement {
    /// The user paid.
    pub user_id: UserId,
    /// The plan's name.
    pub plan_name: String,
    /// The fiscal period.
    pub period: FiscalPeriod,
}

/// Lists statements in the actor's commission read scope.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementFilter {
    /// Only this user's.
    #[serde(default)]
    pub user_id: Option<UserId>,
    /// Only under this plan.
    #[serde(default)]
    pub plan_name: Option<String>,
    /// Only this period (`FY2026-M03`).
    #[serde(default)]
    pub period_key: Option<String>,
    /// Only in this status.
    #[serde(default)]
    pub status: Option<StatementStatus>,
    /// Keyset cursor (`next_after` of the previous page).
    #[serde(default)]
    pub after: Option<i64>,
    /// Page size (default 50, at most 500).
    #[serde(default)]
    pub limit: Option<u32>,
}

fn same_currency(credit: &Credit, metric: Metric, currency: &Currency) -> bool {
    !metric.is_amount() || credit.currency.as_deref() == Some(currency.code())
}

impl<S: Store> Crm<S> {
    /// The user's statements under a plan name, any status.
    async fn user_statements(
        &self,
        ctx: &Ctx,
        user: UserId,
        plan_name: &str,
    ) -> CrmResult<Vec<CommissionStatement>> {
        let query = Query::new(Entity::CommissionStatement, ctx.tenant.id)
            .filter(Filter::eq("user_id", user.0))
            .filter(Filter::eq("plan_name", plan_name.to_owned()));
        self.store().load_all(&query).await
    }

    /// The user's credits of `metric` in `currency` (amounts) up to `end`.
    async fn credits_until(
        &self,
        ctx: &Ctx,
        user: UserId,
        metric: Metric,
        currency: &Currency,
        end: chrono::NaiveDate,
    ) -> CrmResult<Vec<Credit>> {
        let query = Query::new(Entity::Credit, ctx.tenant.id)
            .filter(Filter::eq("user_id", user.0))
            .filter(Filter::eq("metric", metric.as_str()))
            .filter(Filter::le("local_date", date_key(end)));
        let rows: Vec<Credit> = self.store().load_all(&query).await?;
        Ok(rows
            .into_iter()
            .filter(|c| same_currency(c, metric, currency))
            .collect())
    }

    /// The user's approved target of `metric` over `period` (Σ of its months), 0 without
    /// one. The latest approved revision counts.
    async fn period_target(
        &self,
        ctx: &Ctx,
        user: UserId,
        plan: &CommissionPlan,
        period: FiscalPeriod,
    ) -> CrmResult<Decimal> {
        let year = match period {
            FiscalPeriod::Year { year }
            | FiscalPeriod::Quarter { year, .. }
            | FiscalPeriod::Month { year, .. } => year,
        };
        let query = Query::new(Entity::Target, ctx.tenant.id)
            .filter(Filter::eq("subject_kind", "user"))
            .filter(Filter::eq("subject_id", user.0))
            .filter(Filter::eq("metric", plan.metric.as_str()))
            .filter(Filter::eq("fiscal_year", i64::from(year)))
            .filter(Filter::eq("status", TargetStatus::Approved.as_str()));
        let targets: Vec<Target> = self.store().load_all(&query).await?;
        let Some(target) = targets.into_iter().max_by_key(|t| t.revision) else {
            return Ok(Decimal::ZERO);
        };
        if plan.metric.is_amount() && target.currency.as_deref() != Some(plan.currency.as_str()) {
            return Err(CrmError::rule(
                "currency_mismatch",
                format!(
                    "the approved target of user {user} is not in the plan's currency {}",
                    plan.currency
                ),
            ));
        }
        let mut sum = Decimal::ZERO;
        for month in fiscal_months(period) {
            let amount = usize::try_from(month)
                .ok()
                .and_then(|m| m.checked_sub(1))
                .and_then(|i| target.months.get(i))
                .copied()
                .unwrap_or(Decimal::ZERO);
            sum = sum
                .checked_add(amount)
                .ok_or_else(|| CrmError::validation("target", "amount too large"))?;
        }
        Ok(sum)
    }

    /// Computes the statement of a user under a plan for a fiscal period, creating it or
    /// recomputing a `computed` one (an approved one is refused: `statement_immutable`).
    pub async fn compute_commission(
        &self,
        actor: Actor,
        request: ComputeStatement,
    ) -> CrmResult<CommissionStatement> {
        crate::validate::texts(&request, "")?;
        let fresh = StatementId(self.new_id(Entity::CommissionStatement).await?);
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let user = request.user_id;
            if !ctx.access.org().users.contains_key(&user) {
                return Err(CrmError::validation("user_id", format!("no user {user}")));
            }
            ctx.reaches_commission(Action::Update, user)?;
            let calendar = fiscal_calendar(&ctx.tenant)?;
            let (start, end) = calendar.bounds(request.period)?;
            let key = period_key(request.period);
            let revisions = self.plan_revisions(&ctx, &request.plan_name).await?;
            if revisions.is_empty() {
                return Err(CrmError::not_found(
                    "commission_plan",
                    request.plan_name.clone(),
                ));
            }
            let plan = in_force(&revisions, start).ok_or_else(|| {
                CrmError::rule(
                    "no_plan_in_force",
                    format!("plan {} takes effect after {start}", request.plan_name),
                )
            })?;
            if plan.status == PlanStatus::Retired {
                return Err(CrmError::rule(
                    "plan_retired",
                    format!(
                        "plan {} is retired from {} (revision {})",
                        plan.name, plan.effective_from, plan.revision
                    ),
                ));
            }
            if !plan.applies_to.includes(ctx.access.org(), user) {
                return Err(CrmError::rule(
                    "plan_not_applicable",
                    format!("plan {} does not apply to user {user}", plan.name),
                ));
            }
            let currency = Currency::parse(&plan.currency, "currency")?;
            let statements = self.user_statements(&ctx, user, &plan.name).await?;
            let existing = statements.iter().find(|s| s.period_key == key).cloned();
            if existing
                .as_ref()
                .is_some_and(|s| s.status == StatementStatus::Approved)
            {
                return Err(CrmError::rule(
                    "statement_immutable",
                    format!("the statement {key} of user {user} is approved"),
                ));
            }
            if let Some(other) = statements
                .iter()
                .find(|s| s.period_key != key && s.period_start <= end && start <= s.period_end)
            {
                return Err(CrmError::rule(
                    "period_overlap",
                    format!(
                        "the statement {} of user {user} overlaps {key}",
                        other.period_key
                    ),
                ));
            }
            if let Some(later) = statements
                .iter()
                .find(|s| s.status == StatementStatus::Approved && s.period_start > end)
            {
                return Err(CrmError::rule(
                    "later_statement_approved",
                    format!(
                        "the later statement {} of user {user} is approved already",
                        later.period_key
                    ),
                ));
            }
            let earlier: Vec<CommissionStatement> = statements
                .iter()
                .filter(|s| s.status == StatementStatus::Approved && s.period_end < start)
                .cloned()
                .collect();
            let credits = self
                .credits_until(&ctx, user, plan.metric, &currency, end)
                .await?;
            let payments = if plan.base == CommissionBase::Collected {
                self.credits_until(&ctx, user, Metric::PaymentsReceived, &currency, end)
                    .await?
            } else {
                Vec::new()
            };
            let target = self.period_target(&ctx, user, plan, request.period).await?;
            let calc = calculate(&CalcInput {
                plan,
                currency: &currency,
                period_key: &key,
                start,
                end,
                credits: &credits,
                payments: &payments,
                target,
                earlier: &earlier,
            })?;
            let by = ctx.access.user().map(|u| u.id);
            let (id, version) = existing.as_ref().map_or((fresh, 1), |s| (s.id, s.version));
            let statement = CommissionStatement {
                tenant: ctx.tenant.id,
                id,
                version,
                user_id: user,
                plan_name: plan.name.clone(),
                plan_id: plan.id,
                plan_revision: plan.revision,
                period: request.period,
                period_key: key.clone(),
                period_start: start,
                period_end: end,
                metric: plan.metric,
                base: plan.base,
                currency: plan.currency.clone(),
                net_credits: calc.net_credits,
                band_base: calc.band_base,
                target,
                attainment: calc.attainment,
                band_commission: calc.band_commission,
                lines: calc.lines,
                contracts: calc.contracts,
                total: calc.total,
                status: StatementStatus::Computed,
                computed_by: by,
                computed_at: ctx.now,
                approved_by: None,
                approved_at: None,
            };
            let mut changes = Changes::new(ctx.tenant.id);
            match &existing {
                None => changes.insert(&statement)?,
                Some(_) => changes.update(&statement)?,
            }
            changes.audit(ctx.audit(
                "commission.compute",
                Entity::CommissionStatement,
                id.0,
                existing.as_ref().map_or(serde_json::Value::Null, json),
                json(&statement),
            ));
            changes.event(ctx.event(
                EventKind::CommissionStatementComputed,
                Entity::CommissionStatement,
                id.0,
                serde_json::json!({
                    "user_id": user,
                    "plan_name": statement.plan_name,
                    "plan_revision": statement.plan_revision,
                    "period_key": statement.period_key,
                    "total": statement.total,
                    "currency": statement.currency,
                }),
            ));
            let answer = CommissionStatement {
                version: if existing.is_some() {
                    version + 1
                } else {
                    version
                },
                ..statement
            };
            Ok((changes, answer))
        })
    }

    /// Loads a statement whose user the actor's commission read scope reaches; others are
    /// not found.
    async fn statement_in_scope(
        &self,
        ctx: &Ctx,
        id: StatementId,
    ) -> CrmResult<CommissionStatement> {
        let statement = self
            .store()
            .load::<CommissionStatement>(ctx.tenant.id, id.0)
            .await?
            .ok_or_else(|| CrmError::not_found("commission_statement", id))?;
        match ctx.reaches_commission(Action::Read, statement.user_id) {
            Ok(()) => Ok(statement),
            Err(CrmError::PermissionDenied { .. })
                if ctx.access.reach(Module::Commission, Action::Read).is_some() =>
            {
                Err(CrmError::not_found("commission_statement", id))
            }
            Err(e) => Err(e),
        }
    }

    /// Approves a computed statement: never by its own user (`self_approval`); needs the
    /// commission `approve` grant reaching the user. An approved statement is immutable.
    pub async fn approve_commission(
        &self,
        actor: Actor,
        id: StatementId,
    ) -> CrmResult<CommissionStatement> {
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let before = self
                .store()
                .load::<CommissionStatement>(ctx.tenant.id, id.0)
                .await?
                .ok_or_else(|| CrmError::not_found("commission_statement", id))?;
            let by = ctx.access.user().map(|u| u.id);
            if by == Some(before.user_id) {
                return Err(CrmError::rule(
                    "self_approval",
                    "a statement is never approved by its own user",
                ));
            }
            ctx.reaches_commission(Action::Approve, before.user_id)?;
            if before.status == StatementStatus::Approved {
                return Err(CrmError::rule(
                    "statement_immutable",
                    format!("the statement {} is approved already", before.period_key),
                ));
            }
            let after = CommissionStatement {
                status: StatementStatus::Approved,
                approved_by: by,
                approved_at: Some(ctx.now),
                ..before.clone()
            };
            let mut changes = Changes::new(ctx.tenant.id);
            changes.update(&after)?;
            changes.audit(ctx.audit(
                "commission.approve",
                Entity::CommissionStatement,
                id.0,
                json(&before),
                json(&after),
            ));
            changes.event(ctx.event(
                EventKind::CommissionStatementApproved,
                Entity::CommissionStatement,
                id.0,
                serde_json::json!({
                    "user_id": after.user_id,
                    "plan_name": after.plan_name,
                    "period_key": after.period_key,
                    "total": after.total,
                    "currency": after.currency,
                }),
            ));
            Ok((
                changes,
                CommissionStatement {
                    version: after.version + 1,
                    ..after
                },
            ))
        })
    }

    /// One statement in the actor's commission read scope.
    pub async fn get_commission_statement(
        &self,
        actor: Actor,
        id: StatementId,
    ) -> CrmResult<CommissionStatement> {
        let ctx = self.ctx(actor).await?;
        self.statement_in_scope(&ctx, id).await
    }

    /// Statements of users in the actor's commission read scope, by id, a page at a time.
    pub async fn list_commission_statements(
        &self,
        actor: Actor,
        filter: StatementFilter,
    ) -> CrmResult<Page<CommissionStatement>> {
        let ctx = self.ctx(actor).await?;
        let (mut query, limit) = ctx.scoped_page(
            Module::Commission,
            Entity::CommissionStatement,
            Order::IdAsc,
            filter.after,
            filter.limit,
        )?;
        if let Some(user) = filter.user_id {
            query = query.filter(Filter::eq("user_id", user.0));
        }
        if let Some(name) = filter.plan_name {
            query = query.filter(Filter::eq("plan_name", name));
        }
        if let Some(key) = filter.period_key {
            query = query.filter(Filter::eq("period_key", key));
        }
        if let Some(status) = filter.status {
            query = query.filter(Filter::eq("status", status.as_str()));
        }
        let rows: Vec<CommissionStatement> = self.store().load_all(&query).await?;
        Ok(Page::of(rows, limit, |s| s))
    }
}
