//! Evaluating rule tags: over the tenant's customers in keyset batches (bounded memory), as
//! of an instant, writing only the changes — each with its audit entry and a
//! `TagApplied` / `TagRemoved` event carrying the tag, the customer and the reason — and
//! once per local day from scheduled work. Retiring a tag, which takes it off everyone.

use super::tag_customers::tag_payload;
use super::{json, Crm, Ctx};
use crate::access::{Action, Reach};
use crate::actor::Actor;
use crate::audience::Needs;
use crate::customer::Customer;
use crate::error::{CrmError, CrmResult};
use crate::ids::{CustomerTagId, TagId, TenantId};
use crate::store::{Changes, Entity, EventKind, Filter, Query, SqlValue, Store, StoreExt};
use crate::tag::{decide, CustomerTag, Decision, Tag, TagKind, TagReason, TagSource, TagStatus};
use crate::tier::{Quintiles, Scoring};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Customers per evaluation batch.
const BATCH: u32 = 500;

/// What an evaluation changed.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct TagEvaluation {
    /// Rule tags evaluated.
    pub tags: u32,
    /// Tags put on customers.
    pub applied: u64,
    /// Tags taken off customers.
    pub removed: u64,
}

/// A retired tag and how many customers lost it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RetiredTag {
    /// The tag (retired).
    pub tag: Tag,
    /// Customers it was taken off.
    pub removed: u64,
}

impl<S: Store> Crm<S> {
    /// Retires a tag and takes it off every customer (events with reason `tag_retired`).
    /// Retiring a retired tag finishes an interrupted removal.
    pub async fn retire_tag(&self, actor: Actor, id: TagId) -> CrmResult<RetiredTag> {
        let tag = self.mark_retired(actor, id).await?;
        let ctx = self.ctx(actor).await?;
        let removed = self.strip_retired(&ctx, &tag).await?;
        Ok(RetiredTag { tag, removed })
    }

    /// Evaluates one rule tag, or every active rule tag, as of `as_of` (default: now). For
    /// tenant admins, the system actor, and a marketing `update` grant reaching everyone.
    pub async fn evaluate_tags(
        &self,
        actor: Actor,
        tag: Option<TagId>,
        as_of: Option<DateTime<Utc>>,
    ) -> CrmResult<TagEvaluation> {
        let ctx = self.ctx(actor).await?;
        if !matches!(ctx.require_marketing(Action::Update)?, Reach::All) {
            return Err(CrmError::PermissionDenied {
                module: "marketing".into(),
                action: "update".into(),
                field: None,
            });
        }
        if let Some(id) = tag {
            let t = self.load_tag(&ctx, id).await?;
            if t.kind != TagKind::Rule || t.status != TagStatus::Active {
                return Err(CrmError::rule(
                    "not_a_rule_tag",
                    format!("tag {id} is not an active rule tag"),
                ));
            }
        }
        let as_of = as_of.map_or(ctx.now, crate::clock::truncate_micros);
        self.evaluate_rule_tags(ctx.tenant.id, tag, as_of, ctx.now)
            .await
    }

    /// Quintile breakpoints over every customer as of `as_of` (only for quintile scoring).
    pub(crate) async fn population_quintiles(
        &self,
        ctx: &Ctx,
        as_of: DateTime<Utc>,
    ) -> CrmResult<Quintiles> {
        let needs = Needs {
            rfm: true,
            ..Needs::default()
        };
        let mut all = Vec::new();
        let mut after = None;
        loop {
            let batch: Vec<Customer> = self
                .store()
                .load_all(
                    &Query::new(Entity::Customer, ctx.tenant.id)
                        .after(after)
                        .limit(BATCH),
                )
                .await?;
            let Some(last) = batch.last().map(|c| c.id.0) else {
                break;
            };
            let facts = self.audience_facts(ctx, &batch, as_of, needs, None).await?;
            all.extend(facts.into_iter().map(|f| f.rfm));
            after = Some(last);
        }
        Ok(Quintiles::from_population(&all))
    }

    /// Evaluates the active rule tags of `tenant` (or only `only`) as of `as_of` over every
    /// customer, in batches; writes only changes, audited and evented at `now`.
    pub(crate) async fn evaluate_rule_tags(
        &self,
        tenant: TenantId,
        only: Option<TagId>,
        as_of: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> CrmResult<TagEvaluation> {
        let mut ctx = self.ctx(Actor::system(tenant)).await?;
        ctx.now = now;
        let tz = ctx.tenant.settings.tz()?;
        let rules: Vec<(Tag, crate::audience::Condition)> = self
            .load_tags(&ctx)
            .await?
            .into_iter()
            .filter(|t| t.kind == TagKind::Rule && t.status == TagStatus::Active)
            .filter(|t| only.is_none_or(|id| id == t.id))
            .filter_map(|t| t.rule.clone().map(|r| (t, r)))
            .collect();
        let mut out = TagEvaluation {
            tags: u32::try_from(rules.len()).unwrap_or(u32::MAX),
            ..Default::default()
        };
        if rules.is_empty() {
            return Ok(out);
        }
        let needs = rules
            .iter()
            .fold(Needs::default(), |n, (_, r)| n.union(r.needs(as_of, tz)));
        let quintiles = match ctx.tenant.settings.tiers.scoring {
            Scoring::Quintiles if needs.rfm => Some(self.population_quintiles(&ctx, as_of).await?),
            _ => None,
        };
        let tag_ids: Vec<SqlValue> = rules.iter().map(|(t, _)| SqlValue::Int(t.id.0)).collect();
        let mut after = None;
        let mut conflicts = 0;
        loop {
            let batch: Vec<Customer> = self
                .store()
                .load_all(
                    &Query::new(Entity::Customer, tenant)
                        .after(after)
                        .limit(BATCH),
                )
                .await?;
            let Some(last) = batch.last().map(|c| c.id.0) else {
                break;
            };
            let facts = self
                .audience_facts(&ctx, &batch, as_of, needs, quintiles.as_ref())
                .await?;
            let rows: Vec<CustomerTag> = self
                .store()
                .load_all(
                    &Query::new(Entity::CustomerTag, tenant)
                        .filter(Filter::is_in(
                            "customer_id",
                            batch.iter().map(|c| SqlValue::Int(c.id.0)).collect(),
                        ))
                        .filter(Filter::is_in("tag_id", tag_ids.clone())),
                )
                .await?;
            let rows: BTreeMap<(i64, i64), CustomerTag> = rows
                .into_iter()
                .map(|r| ((r.customer_id.0, r.tag_id.0), r))
                .collect();
            let mut decisions = Vec::new();
            for f in &facts {
                for (tag, rule) in &rules {
                    let row = rows.get(&(f.customer.id.0, tag.id.0));
                    let d = decide(row, rule.matches(f, as_of, tz));
                    if d != Decision::Keep {
                        decisions.push((tag, f.customer.id, row, d));
                    }
                }
            }
            let fresh = decisions
                .iter()
                .filter(|(_, _, row, _)| row.is_none())
                .count();
            let mut next_id = match u32::try_from(fresh) {
                Ok(0) => 0,
                Ok(n) => self.store().allocate_ids(Entity::CustomerTag, n).await?,
                Err(_) => return Err(CrmError::Storage("too many tag changes".into())),
            };
            let mut changes = Changes::new(tenant);
            let (mut applied, mut removed) = (0, 0);
            for (tag, customer_id, row, d) in decisions {
                let next = match (row, d) {
                    (None, _) => {
                        let id = CustomerTagId(next_id);
                        next_id += 1;
                        CustomerTag {
                            tenant,
                            id,
                            version: 1,
                            customer_id,
                            tag_id: tag.id,
                            active: true,
                            source: TagSource::Rule,
                            since: as_of,
                            suppressed: false,
                            updated_at: ctx.now,
                        }
                    }
                    (Some(r), Decision::ClearSuppression) => CustomerTag {
                        suppressed: false,
                        updated_at: ctx.now,
                        ..r.clone()
                    },
                    (Some(r), _) => CustomerTag {
                        active: d == Decision::Apply,
                        source: TagSource::Rule,
                        since: as_of,
                        suppressed: false,
                        updated_at: ctx.now,
                        ..r.clone()
                    },
                };
                match row {
                    Some(_) => changes.update(&next)?,
                    None => changes.insert(&next)?,
                }
                let before = row.map_or(serde_json::Value::Null, json);
                changes.audit(ctx.audit(
                    "tag.evaluate",
                    Entity::CustomerTag,
                    next.id.0,
                    before,
                    json(&next),
                ));
                let (kind, reason) = match d {
                    Decision::Apply => (EventKind::TagApplied, TagReason::RuleMatches),
                    Decision::Remove => (EventKind::TagRemoved, TagReason::RuleNoLongerMatches),
                    _ => continue,
                };
                if d == Decision::Apply {
                    applied += 1;
                } else {
                    removed += 1;
                }
                changes.event(ctx.event(
                    kind,
                    Entity::Customer,
                    customer_id.0,
                    tag_payload(tag, customer_id, reason),
                ));
            }
            if !changes.is_empty() {
                match self.store().apply(changes).await {
                    Ok(_) => {
                        out.applied += applied;
                        out.removed += removed;
                    }
                    // A user changed a tag of this batch meanwhile: evaluate it again.
                    Err(CrmError::Conflict { .. }) if conflicts < 20 => {
                        conflicts += 1;
                        continue;
                    }
                    Err(e) => return Err(e),
                }
            }
            after = Some(last);
        }
        Ok(out)
    }

    /// Evaluates the rule tags once per local day of the tenant, as of `now`; returns the
    /// number of tag changes (0 when it already ran today).
    pub(crate) async fn daily_tags(&self, ctx: &Ctx) -> CrmResult<u64> {
        let today = ctx
            .now
            .with_timezone(&ctx.tenant.settings.tz()?)
            .format("%Y-%m-%d")
            .to_string();
        if ctx.tenant.tags_evaluated_on.as_deref() == Some(today.as_str()) {
            return Ok(0);
        }
        let done = self
            .evaluate_rule_tags(ctx.tenant.id, None, ctx.now, ctx.now)
            .await?;
        let tenant = self.load_tenant(Actor::system(ctx.tenant.id)).await?;
        let mut changes = Changes::new(ctx.tenant.id);
        changes.update(&crate::tenant::Tenant {
            tags_evaluated_on: Some(today),
            ..tenant
        })?;
        match self.store().apply(changes).await {
            // Another runner recorded the day first; its evaluation saw the same data.
            Ok(_) | Err(CrmError::Conflict { .. }) => Ok(done.applied + done.removed),
            Err(e) => Err(e),
        }
    }
}
