//! Manual includes and excludes (`segment.include`, `segment.exclude`,
//! `segment.clear_override`): one override row per segment and customer, surviving every
//! evaluation; exclusion wins (SG2), inclusion beats the expression (SG3). Membership follows
//! in the same unit of work: an include opens a stint, an exclude ends the open one, and
//! lifting an override lets the expression decide at once (reason `cleared`).

use super::segment_stints::{ids_of, joins, stage, StintPlace};
use super::{json, transact, Crm, Ctx};
use crate::access::{Action, Module};
use crate::actor::Actor;
use crate::customer::Customer;
use crate::error::{CrmError, CrmResult};
use crate::ids::{CustomerId, SegmentId, SegmentOverrideId};
use crate::segment::{decide, JoinReason, OverrideMode, Segment, SegmentOverride, SegmentStatus};
use crate::store::{Changes, Entity, Filter, Predicate, Query, ScopeFilter, Store, StoreExt, ID};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Most customers one override call names.
pub const MAX_OVERRIDE_CUSTOMERS: usize = 500;

/// What an override call changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OverrideOutcome {
    /// Override rows written or deleted.
    pub overrides: u64,
    /// Stints begun.
    pub joined: u64,
    /// Stints ended.
    pub left: u64,
}

/// The distinct customers of a call, checked for count (field `customers`).
fn checked_customers(customers: &[CustomerId]) -> CrmResult<Vec<CustomerId>> {
    if customers.is_empty() {
        return Err(CrmError::validation("customers", "must not be empty"));
    }
    if customers.len() > MAX_OVERRIDE_CUSTOMERS {
        return Err(CrmError::validation(
            "customers",
            format!("too_many: at most {MAX_OVERRIDE_CUSTOMERS} customers per call"),
        ));
    }
    let set: BTreeSet<CustomerId> = customers.iter().copied().collect();
    Ok(set.into_iter().collect())
}

impl<S: Store> Crm<S> {
    /// The customers of `ids` that `action` on Marketing reaches for the actor, in id order;
    /// a missing or unreachable one is not found.
    pub(super) async fn marketing_customers(
        &self,
        ctx: &Ctx,
        action: Action,
        ids: &[CustomerId],
    ) -> CrmResult<Vec<Customer>> {
        let reach = ctx.access.require(Module::Marketing, action)?;
        let scope = ctx
            .access
            .scope_filter(&reach, ctx.now)
            .predicate(Entity::Customer.spec())?;
        let found: Vec<Customer> =
            self.store()
                .load_all(&Query::new(Entity::Customer, ctx.tenant.id).scope(
                    ScopeFilter::Predicate(Predicate::And(vec![
                        Predicate::Compare(Filter::is_in(ID, ids_of(ids))),
                        scope,
                    ])),
                ))
                .await?;
        if let Some(missing) = ids.iter().find(|id| !found.iter().any(|c| c.id == **id)) {
            return Err(CrmError::not_found("customer", missing));
        }
        Ok(found)
    }

    /// An active segment for an override (retired: `segment_retired`).
    async fn overridable(&self, ctx: &Ctx, id: SegmentId) -> CrmResult<Segment> {
        let segment = self.segment(ctx, id).await?;
        if segment.status == SegmentStatus::Retired {
            return Err(CrmError::rule(
                "segment_retired",
                format!("segment {id} is retired"),
            ));
        }
        Ok(segment)
    }

    /// Sets an include or exclude of each customer (`segment.include`, `segment.exclude`).
    pub async fn override_segment(
        &self,
        actor: Actor,
        segment: SegmentId,
        customers: &[CustomerId],
        mode: OverrideMode,
    ) -> CrmResult<OverrideOutcome> {
        let ids = checked_customers(customers)?;
        let operation = match mode {
            OverrideMode::Include => "segment.include",
            OverrideMode::Exclude => "segment.exclude",
        };
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            ctx.access.require(Module::Marketing, Action::Update)?;
            let segment = self.overridable(&ctx, segment).await?;
            self.marketing_customers(&ctx, Action::Update, &ids).await?;
            let existing = self.overrides_of(&ctx, segment.id, &ids).await?;
            let open = self.open_stints(&ctx, segment.id, &ids).await?;
            // The expression's verdict does not matter under an override.
            let decisions: Vec<_> = ids
                .iter()
                .map(|id| {
                    let current = open.get(id);
                    let d = decide(current.is_some(), false, Some(mode), JoinReason::Rule);
                    (*id, current, d)
                })
                .collect();
            let mut fresh = self.stint_ids(joins(&decisions)).await?;
            let mut changes = Changes::new(ctx.tenant.id);
            let mut out = OverrideOutcome::default();
            for (id, current, decision) in decisions {
                let id = &id;
                match existing.get(id) {
                    Some(o) if o.mode == mode => {}
                    Some(o) => {
                        let next = SegmentOverride {
                            mode,
                            by: ctx.access.actor().user_id(),
                            at: ctx.now,
                            ..o.clone()
                        };
                        changes.update(&next)?;
                        changes.audit(ctx.audit(
                            operation,
                            Entity::SegmentOverride,
                            o.id.0,
                            json(o),
                            json(&next),
                        ));
                        out.overrides += 1;
                    }
                    None => {
                        let row = SegmentOverride {
                            tenant: ctx.tenant.id,
                            id: SegmentOverrideId(self.new_id(Entity::SegmentOverride).await?),
                            version: 1,
                            segment_id: segment.id,
                            customer_id: *id,
                            mode,
                            by: ctx.access.actor().user_id(),
                            at: ctx.now,
                        };
                        changes.insert(&row)?;
                        changes.audit(ctx.audit(
                            operation,
                            Entity::SegmentOverride,
                            row.id.0,
                            serde_json::Value::Null,
                            json(&row),
                        ));
                        out.overrides += 1;
                    }
                }
                let (j, l) = stage(
                    &ctx,
                    &mut changes,
                    StintPlace {
                        segment: segment.id,
                        at: ctx.now,
                        operation,
                    },
                    *id,
                    current,
                    decision,
                    &mut fresh,
                )?;
                out.joined += j;
                out.left += l;
            }
            Ok((changes, out))
        })
    }

    /// Lifts the overrides of each customer (`segment.clear_override`); the expression then
    /// decides its membership at once (as of now, the referenced segments as materialized).
    pub async fn clear_segment_override(
        &self,
        actor: Actor,
        segment: SegmentId,
        customers: &[CustomerId],
    ) -> CrmResult<OverrideOutcome> {
        let ids = checked_customers(customers)?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            ctx.access.require(Module::Marketing, Action::Update)?;
            let segment = self.overridable(&ctx, segment).await?;
            let found = self.marketing_customers(&ctx, Action::Update, &ids).await?;
            let existing = self.overrides_of(&ctx, segment.id, &ids).await?;
            let open = self.open_stints(&ctx, segment.id, &ids).await?;
            let plan = self.facts_plan(&ctx, &segment.expr, ctx.now).await?;
            let matches = self
                .batch_matches(&ctx, &segment.expr, &plan, &found, ctx.now)
                .await?;
            let cleared: Vec<_> = found
                .iter()
                .zip(matches)
                .filter_map(|(customer, matched)| {
                    let o = existing.get(&customer.id)?;
                    let current = open.get(&customer.id);
                    let d = decide(current.is_some(), matched, None, JoinReason::Cleared);
                    Some((o, (customer.id, current, d)))
                })
                .collect();
            let decisions: Vec<_> = cleared.iter().map(|(_, d)| *d).collect();
            let mut fresh = self.stint_ids(joins(&decisions)).await?;
            let mut changes = Changes::new(ctx.tenant.id);
            let mut out = OverrideOutcome::default();
            for (o, (customer, current, decision)) in cleared {
                changes.delete(o);
                changes.audit(ctx.audit(
                    "segment.clear_override",
                    Entity::SegmentOverride,
                    o.id.0,
                    json(o),
                    serde_json::Value::Null,
                ));
                out.overrides += 1;
                let (j, l) = stage(
                    &ctx,
                    &mut changes,
                    StintPlace {
                        segment: segment.id,
                        at: ctx.now,
                        operation: "segment.clear_override",
                    },
                    customer,
                    current,
                    decision,
                    &mut fresh,
                )?;
                out.joined += j;
                out.left += l;
            }
            Ok((changes, out))
        })
    }
}
