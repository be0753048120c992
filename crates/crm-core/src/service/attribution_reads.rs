//! Reading and recomputing attributions: `campaign.attribution` (a won deal's stored results,
//! and any other model computed on the fly) and `campaign.reattribute` (recompute stored
//! results after late touches or a settings change), in the actor's marketing scope.

use super::attribution::WonDeal;
use super::{transact, Crm, Ctx};
use crate::access::{Action, Module};
use crate::actor::Actor;
use crate::attribution::{Attribution, AttributionModel, DealKind};
use crate::error::{CrmError, CrmResult};
use crate::store::{Changes, Entity, Filter, Order, Query, Store, StoreExt};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Rows recomputed per unit of work by `campaign.reattribute`.
const REATTRIBUTE_BATCH: u32 = 200;

/// `campaign.attribution`: one won deal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DealAttributionRequest {
    /// The kind of deal (default: the tenant's `settings.attribution.deal`).
    #[serde(default)]
    pub deal_kind: Option<DealKind>,
    /// The opportunity or contract id.
    pub deal_id: i64,
    /// Also compute this model on the fly (not stored), from the same touches, amount and
    /// close as the stored results.
    #[serde(default)]
    pub model: Option<AttributionModel>,
}

/// A won deal's attributions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DealAttribution {
    /// The stored results, one per model configured when the deal was won (or recomputed).
    pub stored: Vec<Attribution>,
    /// The asked model's result (its `id` is 0: not stored), when a model was asked for.
    pub computed: Option<Attribution>,
}

/// `campaign.reattribute`: recompute stored attributions with today's touches and settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReattributeRequest {
    /// Only this deal (with `deal_kind`, default the tenant's).
    #[serde(default)]
    pub deal_id: Option<i64>,
    /// The kind of deal (default: the tenant's `settings.attribution.deal`).
    #[serde(default)]
    pub deal_kind: Option<DealKind>,
    /// Only deals closed at or after this instant.
    #[serde(default)]
    pub closed_from: Option<DateTime<Utc>>,
    /// Only deals closed before this instant.
    #[serde(default)]
    pub closed_before: Option<DateTime<Utc>>,
}

/// What `campaign.reattribute` did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ReattributeReport {
    /// Deals looked at.
    pub deals: u64,
    /// Stored results written (changed or added for a newly configured model).
    pub changed: u64,
}

impl<S: Store> Crm<S> {
    /// A won deal's stored attributions and, when asked, another model's result; refused
    /// with `not_found` unless the deal was attributed and its customer is in the actor's
    /// marketing read scope.
    pub async fn deal_attribution(
        &self,
        actor: Actor,
        request: DealAttributionRequest,
    ) -> CrmResult<DealAttribution> {
        let ctx = self.ctx(actor).await?;
        if let Some(m) = &request.model {
            m.validate("model")?;
        }
        let kind = request
            .deal_kind
            .unwrap_or(ctx.tenant.settings.attribution.deal);
        let (query, _) = ctx.scoped_page(
            Module::Marketing,
            Entity::Attribution,
            Order::IdAsc,
            None,
            Some(100),
        )?;
        let stored: Vec<Attribution> = self
            .store()
            .load_all(
                &query
                    .filter(Filter::eq("deal_kind", kind.as_str()))
                    .filter(Filter::eq("deal_id", request.deal_id)),
            )
            .await?;
        let Some(first) = stored.first() else {
            return Err(CrmError::not_found(
                format!("attribution of {}", kind.as_str()),
                request.deal_id,
            ));
        };
        let computed = match &request.model {
            None => None,
            Some(model) => {
                let deal = deal_of(first);
                Some(
                    self.compute_attribution(&ctx, &deal, first.closed_at, model)
                        .await?,
                )
            }
        };
        Ok(DealAttribution { stored, computed })
    }

    /// Recomputes stored attributions in the actor's marketing scope (needs marketing
    /// update), batch by batch; each deal gets the tenant's current models.
    pub async fn reattribute(
        &self,
        actor: Actor,
        request: ReattributeRequest,
    ) -> CrmResult<ReattributeReport> {
        let mut report = ReattributeReport::default();
        let mut after: Option<i64> = None;
        loop {
            let (rows, last) = transact!(self, async {
                let ctx = self.ctx(actor).await?;
                let reach = ctx.access.require(Module::Marketing, Action::Update)?;
                let kind = request
                    .deal_kind
                    .unwrap_or(ctx.tenant.settings.attribution.deal);
                let mut query = Query::new(Entity::Attribution, ctx.tenant.id)
                    .scope(ctx.access.scope_filter(&reach, ctx.now))
                    .filter(Filter::eq("deal_kind", kind.as_str()))
                    .order(Order::IdAsc)
                    .after(after)
                    .limit(REATTRIBUTE_BATCH);
                if let Some(id) = request.deal_id {
                    query = query.filter(Filter::eq("deal_id", id));
                }
                if let Some(t) = request.closed_from {
                    query = query.filter(Filter::ge("closed_at", t));
                }
                if let Some(t) = request.closed_before {
                    query = query.filter(Filter::lt("closed_at", t));
                }
                let batch: Vec<Attribution> = self.store().load_all(&query).await?;
                let last = batch.last().map(|a| a.id.0);
                let mut changes = Changes::new(ctx.tenant.id);
                let mut seen = std::collections::BTreeSet::new();
                let mut counted = (0u64, 0u64);
                for row in &batch {
                    if !seen.insert(row.deal_id) || self.done_earlier(&ctx, row, after).await? {
                        continue;
                    }
                    counted.0 += 1;
                    counted.1 += self
                        .attribute_deal(&ctx, &mut changes, deal_of(row))
                        .await?;
                }
                Ok((changes, (counted, last)))
            })?;
            report.deals += rows.0;
            report.changed += rows.1;
            match last {
                Some(id) => after = Some(id),
                None => break,
            }
        }
        Ok(report)
    }

    /// Whether another stored row of the same deal comes before `after` (that deal was
    /// recomputed in an earlier batch).
    async fn done_earlier(
        &self,
        ctx: &Ctx,
        row: &Attribution,
        after: Option<i64>,
    ) -> CrmResult<bool> {
        let Some(after) = after else {
            return Ok(false);
        };
        let earlier = self
            .attributions_of(ctx.tenant.id, row.deal_kind, row.deal_id)
            .await?;
        Ok(earlier.iter().any(|a| a.id.0 <= after))
    }
}

/// The deal facts a stored attribution keeps, for recomputing it.
fn deal_of(a: &Attribution) -> WonDeal {
    WonDeal {
        kind: a.deal_kind,
        id: a.deal_id,
        customer_id: a.customer_id,
        owner_id: a.owner_id,
        amount: a.amount,
        currency: a.currency.clone(),
        closed_at: Some(a.closed_at),
        opened_at: a.opened_at,
    }
}
