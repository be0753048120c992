//! Actual cost entries of a campaign: each one exact at its currency's scale, never
//! negative, at most 10^15; the campaign's actual cost per currency is their checked sum,
//! kept on the campaign in the same unit of work (ADR 0032).

use super::{json, page_limit, transact, Crm, Page};
use crate::access::Action;
use crate::actor::Actor;
use crate::campaign::{cost_amount, CampaignCost, CostTotals};
use crate::error::CrmResult;
use crate::ids::{CampaignCostId, CampaignId};
use crate::money::Currency;
use crate::store::{Changes, Entity, EventKind, Filter, Order, Query, Store, StoreExt};
use crate::validate::{optional_text, MAX_TEXT};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Adds an actual cost entry to a campaign (`campaign.add_cost`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddCampaignCost {
    /// The campaign.
    pub campaign_id: CampaignId,
    /// The day the cost was incurred.
    pub spent_on: NaiveDate,
    /// The amount: a decimal string, exact at the currency's scale, not negative, at most
    /// 10^15.
    #[serde(deserialize_with = "crate::money::strict::deserialize")]
    pub amount: Decimal,
    /// ISO 4217 currency.
    pub currency: String,
    /// A note (at most 500 characters).
    #[serde(default)]
    pub note: Option<String>,
}

/// A cost entry written, with the campaign's actual cost after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CampaignCostAdded {
    /// The entry.
    pub cost: CampaignCost,
    /// The campaign's actual cost per currency, this entry included.
    pub actual_cost: BTreeMap<String, Decimal>,
}

/// The cost entries of a campaign (`campaign.costs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignCostFilter {
    /// The campaign.
    pub campaign_id: CampaignId,
    /// Keyset cursor (the previous page's `next_after`).
    #[serde(default)]
    pub after: Option<i64>,
    /// Page size, 1..=500 (default 50).
    #[serde(default)]
    pub limit: Option<u32>,
}

impl<S: Store> Crm<S> {
    /// Adds a cost entry and raises the campaign's actual cost in its currency.
    pub async fn add_campaign_cost(
        &self,
        actor: Actor,
        request: AddCampaignCost,
    ) -> CrmResult<CampaignCostAdded> {
        crate::validate::texts(&request, "")?;
        let currency = Currency::parse(&request.currency, "currency")?;
        let amount = cost_amount(request.amount, &currency, "amount")?;
        let note = optional_text(request.note.as_deref(), "note", MAX_TEXT)?;
        let id = CampaignCostId(self.new_id(Entity::CampaignCost).await?);
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let before = self
                .campaign_for(&ctx, request.campaign_id, Action::Update)
                .await?;
            let mut next = before.clone();
            next.actual_cost.add_cost(&currency, amount)?;
            let cost = CampaignCost {
                tenant: ctx.tenant.id,
                id,
                version: 1,
                campaign_id: before.id,
                spent_on: request.spent_on,
                amount,
                currency: currency.code().to_owned(),
                note: note.clone(),
                created_by: ctx.acting_user(),
                created_at: ctx.now,
            };
            let mut changes = Changes::new(ctx.tenant.id);
            changes.insert(&cost)?;
            changes.update(&next)?;
            changes.audit(ctx.audit(
                "campaign.add_cost",
                Entity::CampaignCost,
                id.0,
                serde_json::Value::Null,
                json(&cost),
            ));
            changes.audit(ctx.audit(
                "campaign.add_cost",
                Entity::Campaign,
                before.id.0,
                serde_json::json!({ "actual_cost": before.actual_cost }),
                serde_json::json!({ "actual_cost": next.actual_cost }),
            ));
            changes.event(ctx.event(
                EventKind::CampaignChanged,
                Entity::Campaign,
                before.id.0,
                serde_json::json!({
                    "change": "cost_added",
                    "cost_id": id,
                    "amount": json(&amount),
                    "currency": currency.code(),
                    "actual_cost": next.actual_cost,
                }),
            ));
            Ok((
                changes,
                CampaignCostAdded {
                    cost,
                    actual_cost: next.actual_cost,
                },
            ))
        })
    }

    /// A page of a campaign's cost entries by ascending id (the campaign must be readable).
    pub async fn campaign_costs(
        &self,
        actor: Actor,
        filter: CampaignCostFilter,
    ) -> CrmResult<Page<CampaignCost>> {
        let ctx = self.ctx(actor).await?;
        let campaign = self
            .campaign_for(&ctx, filter.campaign_id, Action::Read)
            .await?;
        let limit = page_limit(filter.limit)?;
        let rows: Vec<CampaignCost> = self
            .store()
            .load_all(
                &Query::new(Entity::CampaignCost, ctx.tenant.id)
                    .filter(Filter::eq("campaign_id", campaign.id.0))
                    .order(Order::IdAsc)
                    .after(filter.after)
                    .limit(limit),
            )
            .await?;
        Ok(Page::of(rows, limit, |c| c))
    }
}
