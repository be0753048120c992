//! Attribution of won deals to campaign touches (DESIGN §4.11, ADR 0033): written inside the
//! unit of work that wins the deal (one row per configured model), rewritten when the amount
//! is amended or on request, removed when the win is undone; read in the actor's scope.

use super::{json, Crm, Ctx};
use crate::attribution::{
    attribute, by_campaign, Attribution, AttributionModel, DealKind, TouchPoint,
};
use crate::campaign::Touch;
use crate::error::CrmResult;
use crate::ids::{AttributionId, CustomerId, TenantId, UserId};
use crate::money::Currency;
use crate::store::{Changes, Entity, EventKind, Filter, Query, Store, StoreExt};
use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;

/// The most touches one deal's attribution reads (the newest are kept).
pub const MAX_TOUCHES_PER_DEAL: usize = 10_000;

/// A won deal as attribution sees it.
#[derive(Debug, Clone)]
pub(crate) struct WonDeal {
    pub kind: DealKind,
    pub id: i64,
    pub customer_id: CustomerId,
    pub owner_id: Option<UserId>,
    pub amount: Decimal,
    pub currency: String,
    /// When it was won; `None` keeps the instant of an earlier attribution (amendments),
    /// else now.
    pub closed_at: Option<DateTime<Utc>>,
    pub opened_at: Option<DateTime<Utc>>,
}

impl<S: Store> Crm<S> {
    /// Touches on a customer (its own and its contacts', which carry the customer) from
    /// `from` to `to`, both included, earliest first.
    pub(crate) async fn touch_points(
        &self,
        tenant: TenantId,
        customer_id: CustomerId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> CrmResult<Vec<TouchPoint>> {
        let touches: Vec<Touch> = self
            .store()
            .load_all(
                &Query::new(Entity::Touch, tenant)
                    .filter(Filter::eq("customer_id", customer_id.0))
                    .filter(Filter::ge("at", from))
                    .filter(Filter::le("at", to)),
            )
            .await?;
        let mut points: Vec<TouchPoint> = touches
            .into_iter()
            .map(|t| TouchPoint {
                touch_id: t.id,
                campaign_id: t.campaign_id,
                channel: t.channel.as_str().to_owned(),
                kind: t.kind.as_str().to_owned(),
                at: t.at,
            })
            .collect();
        points.sort_by_key(|t| (t.at, t.touch_id));
        if points.len() > MAX_TOUCHES_PER_DEAL {
            points.drain(..points.len() - MAX_TOUCHES_PER_DEAL);
        }
        Ok(points)
    }

    /// The stored attributions of one deal, by model key.
    pub(crate) async fn attributions_of(
        &self,
        tenant: TenantId,
        kind: DealKind,
        id: i64,
    ) -> CrmResult<Vec<Attribution>> {
        self.store()
            .load_all(
                &Query::new(Entity::Attribution, tenant)
                    .filter(Filter::eq("deal_kind", kind.as_str()))
                    .filter(Filter::eq("deal_id", id)),
            )
            .await
    }

    /// Computes one deal's attribution under `model` (nothing written).
    pub(crate) async fn compute_attribution(
        &self,
        ctx: &Ctx,
        deal: &WonDeal,
        closed_at: DateTime<Utc>,
        model: &AttributionModel,
    ) -> CrmResult<Attribution> {
        let lookback = ctx.tenant.settings.attribution.lookback_days;
        let currency = Currency::parse(&deal.currency, "currency")?;
        let from = crate::clock::minus(closed_at, Duration::days(i64::from(lookback)));
        let points = self
            .touch_points(ctx.tenant.id, deal.customer_id, from, closed_at)
            .await?;
        let touches = attribute(
            deal.amount,
            &currency,
            &points,
            model,
            closed_at,
            lookback,
            deal.opened_at,
        )?;
        Ok(Attribution {
            tenant: ctx.tenant.id,
            id: AttributionId(0),
            version: 1,
            deal_kind: deal.kind,
            deal_id: deal.id,
            customer_id: deal.customer_id,
            owner_id: deal.owner_id,
            model: model.clone(),
            model_key: model.key(),
            amount: deal.amount,
            currency: currency.code().to_owned(),
            closed_at,
            opened_at: deal.opened_at,
            lookback_days: lookback,
            campaigns: by_campaign(&touches),
            touches,
            computed_at: ctx.now,
        })
    }

    /// Writes `deal`'s attribution under every model of the tenant's settings into
    /// `changes` (rows of models no longer configured are left as they are), with audit and
    /// one `AttributionComputed` event. Nothing when the tenant attributes the other kind of
    /// deal. Returns how many rows changed.
    pub(crate) async fn attribute_deal(
        &self,
        ctx: &Ctx,
        changes: &mut Changes,
        deal: WonDeal,
    ) -> CrmResult<u64> {
        let settings = &ctx.tenant.settings.attribution;
        if settings.deal != deal.kind {
            return Ok(0);
        }
        let existing = self
            .attributions_of(ctx.tenant.id, deal.kind, deal.id)
            .await?;
        let closed_at = deal
            .closed_at
            .or_else(|| existing.iter().map(|a| a.closed_at).min())
            .unwrap_or(ctx.now);
        let mut fresh = Vec::with_capacity(settings.models.len());
        for model in &settings.models {
            fresh.push(
                self.compute_attribution(ctx, &deal, closed_at, model)
                    .await?,
            );
        }
        let new_rows = fresh
            .iter()
            .filter(|a| !existing.iter().any(|e| e.model_key == a.model_key))
            .count();
        let mut next_id = match u32::try_from(new_rows) {
            Ok(0) | Err(_) => 0,
            Ok(n) => self.store().allocate_ids(Entity::Attribution, n).await?,
        };
        let mut changed = 0;
        let mut summary = Vec::new();
        for mut row in fresh {
            summary.push(serde_json::json!({
                "model": row.model_key,
                "campaigns": row.campaigns,
            }));
            match existing.iter().find(|e| e.model_key == row.model_key) {
                Some(before) => {
                    row.id = before.id;
                    row.version = before.version;
                    if same_result(before, &row) {
                        continue;
                    }
                    changes.update(&row)?;
                    changes.audit(ctx.audit(
                        "campaign.attribute",
                        Entity::Attribution,
                        row.id.0,
                        json(before),
                        json(&row),
                    ));
                }
                None => {
                    row.id = AttributionId(next_id);
                    next_id += 1;
                    changes.insert(&row)?;
                    changes.audit(ctx.audit(
                        "campaign.attribute",
                        Entity::Attribution,
                        row.id.0,
                        serde_json::Value::Null,
                        json(&row),
                    ));
                }
            }
            changed += 1;
        }
        if changed > 0 {
            changes.event(ctx.event(
                EventKind::AttributionComputed,
                Entity::Customer,
                deal.customer_id.0,
                serde_json::json!({
                    "deal_kind": deal.kind.as_str(),
                    "deal_id": deal.id,
                    "amount": deal.amount,
                    "currency": deal.currency,
                    "closed_at": closed_at,
                    "results": summary,
                }),
            ));
        }
        Ok(changed)
    }

    /// Removes a deal's attributions (its win was undone), with audit and one
    /// `AttributionComputed` event saying so.
    pub(crate) async fn unattribute_deal(
        &self,
        ctx: &Ctx,
        changes: &mut Changes,
        kind: DealKind,
        id: i64,
        customer_id: CustomerId,
    ) -> CrmResult<()> {
        let existing = self.attributions_of(ctx.tenant.id, kind, id).await?;
        if existing.is_empty() {
            return Ok(());
        }
        for row in &existing {
            changes.delete(row);
            changes.audit(ctx.audit(
                "campaign.unattribute",
                Entity::Attribution,
                row.id.0,
                json(row),
                serde_json::Value::Null,
            ));
        }
        changes.event(ctx.event(
            EventKind::AttributionComputed,
            Entity::Customer,
            customer_id.0,
            serde_json::json!({
                "deal_kind": kind.as_str(),
                "deal_id": id,
                "removed": true,
            }),
        ));
        Ok(())
    }
}

/// Whether a recomputation changed nothing a reader sees.
fn same_result(before: &Attribution, after: &Attribution) -> bool {
    before.amount == after.amount
        && before.currency == after.currency
        && before.closed_at == after.closed_at
        && before.touches == after.touches
        && before.owner_id == after.owner_id
}
