//! Materializing segment membership (`segment.evaluate`, scheduled work): the tenant's
//! customers are read in keyset batches of [`EVAL_BATCH`]; for each batch the expression's
//! verdicts, the segment's open stints and its overrides of those customers are read, and
//! only changes are written — a new stint for a customer who joins, `left_at` on the stint
//! of one who leaves — with their audit entries and `SegmentJoined` / `SegmentLeft` events,
//! one unit of work per batch. Memory stays bounded by one batch: current members are
//! sought batch by batch, never held whole.

use super::segment_facts::FactsPlan;
use super::segment_stints::{ids_of, joins, stage, StintPlace};
use super::{Crm, Ctx};
use crate::access::{Action, Module};
use crate::actor::Actor;
use crate::customer::Customer;
use crate::error::{CrmError, CrmResult};
use crate::ids::{CustomerId, SegmentId};
use crate::segment::{
    decide, evaluation_order, Decision, JoinReason, OverrideMode, Segment, SegmentMember,
    SegmentOverride, SegmentStatus,
};
use crate::store::{Changes, Entity, Filter, Query, Store, StoreExt};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Customers read per batch.
pub const EVAL_BATCH: u32 = 500;

/// What one segment's evaluation changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SegmentRun {
    /// The segment.
    pub segment: SegmentId,
    /// Customers looked at.
    pub customers: u64,
    /// Stints begun.
    pub joined: u64,
    /// Stints ended.
    pub left: u64,
}

/// What `segment.evaluate` did, segment by segment in evaluation order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SegmentEvaluation {
    /// The instant evaluated as of.
    pub as_of: DateTime<Utc>,
    /// Each segment evaluated.
    pub runs: Vec<SegmentRun>,
}

impl SegmentEvaluation {
    /// Joins and leaves together.
    pub fn changes(&self) -> u64 {
        self.runs
            .iter()
            .map(|r| r.joined.saturating_add(r.left))
            .fold(0, u64::saturating_add)
    }
}

impl<S: Store> Crm<S> {
    /// The open stints of `segment` among `customers`, by customer.
    pub(super) async fn open_stints(
        &self,
        ctx: &Ctx,
        segment: SegmentId,
        customers: &[CustomerId],
    ) -> CrmResult<BTreeMap<CustomerId, SegmentMember>> {
        let rows: Vec<SegmentMember> = self
            .store()
            .load_all(
                &Query::new(Entity::SegmentMember, ctx.tenant.id)
                    .filter(Filter::eq("segment_id", segment.0))
                    .filter(Filter::is_in("open_customer", ids_of(customers))),
            )
            .await?;
        Ok(rows.into_iter().map(|m| (m.customer_id, m)).collect())
    }

    /// The overrides of `segment` among `customers`, by customer.
    pub(super) async fn overrides_of(
        &self,
        ctx: &Ctx,
        segment: SegmentId,
        customers: &[CustomerId],
    ) -> CrmResult<BTreeMap<CustomerId, SegmentOverride>> {
        let rows: Vec<SegmentOverride> = self
            .store()
            .load_all(
                &Query::new(Entity::SegmentOverride, ctx.tenant.id)
                    .filter(Filter::eq("segment_id", segment.0))
                    .filter(Filter::is_in("customer_id", ids_of(customers))),
            )
            .await?;
        Ok(rows.into_iter().map(|o| (o.customer_id, o)).collect())
    }

    /// One batch of customers of `segment` at `as_of`: the unit of work of its changes and
    /// the numbers joined and left.
    async fn segment_batch(
        &self,
        ctx: &Ctx,
        segment: &Segment,
        plan: &FactsPlan,
        customers: &[Customer],
        as_of: DateTime<Utc>,
    ) -> CrmResult<(Changes, u64, u64)> {
        let ids: Vec<CustomerId> = customers.iter().map(|c| c.id).collect();
        let matches = self
            .batch_matches(ctx, &segment.expr, plan, customers, as_of)
            .await?;
        let open = self.open_stints(ctx, segment.id, &ids).await?;
        let overrides = self.overrides_of(ctx, segment.id, &ids).await?;
        let decisions: Vec<(CustomerId, Option<&SegmentMember>, Decision)> = ids
            .iter()
            .zip(matches)
            .map(|(id, matched)| {
                let current = open.get(id);
                let mode: Option<OverrideMode> = overrides.get(id).map(|o| o.mode);
                (
                    *id,
                    current,
                    decide(current.is_some(), matched, mode, JoinReason::Rule),
                )
            })
            .collect();
        let mut fresh = self.stint_ids(joins(&decisions)).await?;
        let mut changes = Changes::new(ctx.tenant.id);
        let (mut joined, mut left) = (0, 0);
        for (id, current, decision) in decisions {
            let (j, l) = stage(
                ctx,
                &mut changes,
                StintPlace {
                    segment: segment.id,
                    at: as_of,
                    operation: "segment.evaluate",
                },
                id,
                current,
                decision,
                &mut fresh,
            )?;
            joined += j;
            left += l;
        }
        Ok((changes, joined, left))
    }

    /// Evaluates one active segment over every customer of the tenant at `as_of`, batch by
    /// batch, then records `evaluated_at`.
    pub(super) async fn evaluate_one(
        &self,
        ctx: &Ctx,
        segment: &Segment,
        as_of: DateTime<Utc>,
    ) -> CrmResult<SegmentRun> {
        let mut run = SegmentRun {
            segment: segment.id,
            ..SegmentRun::default()
        };
        let plan = self.facts_plan(ctx, &segment.expr, as_of).await?;
        let mut after = None;
        loop {
            let customers: Vec<Customer> = self
                .store()
                .load_all(
                    &Query::new(Entity::Customer, ctx.tenant.id)
                        .after(after)
                        .limit(EVAL_BATCH),
                )
                .await?;
            let Some(last) = customers.last().map(|c| c.id.0) else {
                break;
            };
            let mut attempt = 0u32;
            loop {
                attempt += 1;
                let started = std::time::Instant::now();
                let (changes, joined, left) = self
                    .segment_batch(ctx, segment, &plan, &customers, as_of)
                    .await?;
                if changes.is_empty() {
                    break;
                }
                match self.store().apply(changes).await {
                    Ok(_) => {
                        run.joined += joined;
                        run.left += left;
                        break;
                    }
                    Err(CrmError::Conflict { .. })
                        if attempt < self.retry_policy().max_attempts =>
                    {
                        self.back_off(attempt, started.elapsed()).await;
                    }
                    Err(e) => return Err(e),
                }
            }
            run.customers += customers.len() as u64;
            after = Some(last);
            if customers.len() < EVAL_BATCH as usize {
                break;
            }
        }
        self.mark_evaluated(ctx, segment.id, as_of).await?;
        Ok(run)
    }

    /// Records that `segment` was evaluated as of `as_of` (a later mark wins; a concurrent
    /// writer's newer version is re-read).
    async fn mark_evaluated(
        &self,
        ctx: &Ctx,
        id: SegmentId,
        as_of: DateTime<Utc>,
    ) -> CrmResult<()> {
        for _ in 0..self.retry_policy().max_attempts {
            let current = self.segment(ctx, id).await?;
            if current.evaluated_at.is_some_and(|t| t >= as_of) {
                return Ok(());
            }
            let mut changes = Changes::new(ctx.tenant.id);
            changes.update(&Segment {
                evaluated_at: Some(as_of),
                ..current
            })?;
            match self.store().apply(changes).await {
                Ok(_) => return Ok(()),
                Err(CrmError::Conflict { .. }) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(CrmError::Conflict {
            detail: format!("segment {id} kept changing while marking its evaluation"),
        })
    }

    /// Evaluates one segment, or every active one each after those it names, at `as_of`
    /// (access already checked). A segment already evaluated as of a later instant is
    /// refused (`as_of_before_last_evaluation`), or skipped with `skip_later`.
    pub(super) async fn evaluate_segments_at(
        &self,
        ctx: &Ctx,
        only: Option<SegmentId>,
        as_of: DateTime<Utc>,
        skip_later: bool,
    ) -> CrmResult<SegmentEvaluation> {
        let mut segments: Vec<Segment> = match only {
            Some(id) => vec![self.segment(ctx, id).await?],
            None => {
                let active: Vec<Segment> = self
                    .all_segments(ctx.tenant.id)
                    .await?
                    .into_iter()
                    .filter(|s| s.status == SegmentStatus::Active)
                    .collect();
                let graph = active.iter().map(|s| (s.id, s.expr.segments())).collect();
                let mut by_id: BTreeMap<SegmentId, Segment> =
                    active.into_iter().map(|s| (s.id, s)).collect();
                evaluation_order(&graph)
                    .into_iter()
                    .filter_map(|id| by_id.remove(&id))
                    .collect()
            }
        };
        if skip_later {
            segments.retain(|s| s.evaluated_at.is_none_or(|t| t <= as_of));
        }
        for s in &segments {
            if s.status == SegmentStatus::Retired {
                return Err(CrmError::rule(
                    "segment_retired",
                    format!("segment {} is retired", s.id),
                ));
            }
            if s.evaluated_at.is_some_and(|t| t > as_of) {
                return Err(CrmError::validation(
                    "as_of",
                    format!(
                        "as_of_before_last_evaluation: segment {} was evaluated as of a later instant",
                        s.id
                    ),
                ));
            }
        }
        let mut out = SegmentEvaluation {
            as_of,
            runs: Vec::with_capacity(segments.len()),
        };
        for s in &segments {
            out.runs.push(self.evaluate_one(ctx, s, as_of).await?);
        }
        Ok(out)
    }

    /// `segment.evaluate`: Marketing update; `as_of` defaults to now and may not be later.
    pub async fn evaluate_segments(
        &self,
        actor: Actor,
        only: Option<SegmentId>,
        as_of: Option<DateTime<Utc>>,
    ) -> CrmResult<SegmentEvaluation> {
        let ctx = self.ctx(actor).await?;
        ctx.access.require(Module::Marketing, Action::Update)?;
        let as_of = match as_of {
            None => ctx.now,
            Some(t) if super::truncate_micros(t) > ctx.now => {
                return Err(CrmError::validation(
                    "as_of",
                    "as_of_in_future: evaluate as of now or an earlier instant",
                ))
            }
            Some(t) => super::truncate_micros(t),
        };
        self.evaluate_segments_at(&ctx, only, as_of, false).await
    }

    /// Scheduled work: every active segment once per local day of the tenant
    /// (`segments_evaluated_on`); the number of joins and leaves.
    pub(crate) async fn daily_segments(&self, ctx: &Ctx) -> CrmResult<u64> {
        let today = ctx
            .now
            .with_timezone(&ctx.tenant.settings.tz()?)
            .format("%Y-%m-%d")
            .to_string();
        if ctx.tenant.segments_evaluated_on.as_deref() == Some(today.as_str()) {
            return Ok(0);
        }
        let done = self.evaluate_segments_at(ctx, None, ctx.now, true).await?;
        let tenant = self.load_tenant(Actor::system(ctx.tenant.id)).await?;
        let mut changes = Changes::new(ctx.tenant.id);
        changes.update(&crate::tenant::Tenant {
            segments_evaluated_on: Some(today),
            ..tenant
        })?;
        match self.store().apply(changes).await {
            // Another runner recorded the day first; its evaluation covered the same state.
            Ok(_) | Err(CrmError::Conflict { .. }) => Ok(done.changes()),
            Err(e) => Err(e),
        }
    }
}
