//! Tiers: recording purchases (which recompute the buyer's tier) and the batch
//! recomputation over all customers.

use super::{json, transact, Crm, Ctx};
use crate::access::Action;
use crate::actor::Actor;
use crate::customer::Customer;
use crate::error::{CrmError, CrmResult};
use crate::ids::TenantId;
use crate::store::{Changes, Entity, EventKind, Filter, Query, SqlValue, Store, StoreExt};
use crate::tier::{figures, Purchase, PurchaseInput, Quintiles, RfmFigures, Scoring};
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;

/// Customers per recomputation batch.
const BATCH: u32 = 500;

impl<S: Store> Crm<S> {
    /// Purchases in the tier window of a batch of customers.
    async fn window_purchases(
        &self,
        tenant: TenantId,
        ids: &[i64],
        since: DateTime<Utc>,
    ) -> CrmResult<BTreeMap<i64, Vec<Purchase>>> {
        let rows: Vec<Purchase> = self
            .store()
            .load_all(
                &Query::new(Entity::Purchase, tenant)
                    .filter(Filter::is_in(
                        "customer_id",
                        ids.iter().map(|i| SqlValue::Int(*i)).collect(),
                    ))
                    .filter(Filter::gt("at", since)),
            )
            .await?;
        let mut out: BTreeMap<i64, Vec<Purchase>> = BTreeMap::new();
        for p in rows {
            out.entry(p.customer_id.0).or_default().push(p);
        }
        Ok(out)
    }

    async fn batch_figures(&self, ctx: &Ctx, batch: &[Customer]) -> CrmResult<Vec<RfmFigures>> {
        let settings = &ctx.tenant.settings;
        let since = crate::clock::minus(
            ctx.now,
            Duration::days(i64::from(settings.tiers.window_days)),
        );
        let ids: Vec<i64> = batch.iter().map(|c| c.id.0).collect();
        let purchases = self.window_purchases(ctx.tenant.id, &ids, since).await?;
        batch
            .iter()
            .map(|c| {
                figures(
                    c.last_purchase_at,
                    purchases.get(&c.id.0).map(Vec::as_slice).unwrap_or(&[]),
                    &settings.default_currency,
                    ctx.now,
                )
            })
            .collect()
    }

    /// The tier change of one customer as a unit of work (empty when unchanged).
    fn tier_change(
        ctx: &Ctx,
        changes: &mut Changes,
        c: &Customer,
        tier: String,
    ) -> CrmResult<Option<Customer>> {
        if c.tier.as_deref() == Some(tier.as_str()) {
            return Ok(None);
        }
        let next = Customer {
            tier: Some(tier.clone()),
            ..c.clone()
        };
        changes.update(&next)?;
        changes.audit(ctx.audit(
            "tier.recompute",
            Entity::Customer,
            c.id.0,
            json(c),
            json(&next),
        ));
        changes.event(ctx.event(
            EventKind::TierChanged,
            Entity::Customer,
            c.id.0,
            serde_json::json!({ "from": c.tier, "to": tier }),
        ));
        Ok(Some(next))
    }

    /// Records a purchase of a customer (the host's orders, or payments) and recomputes its
    /// tier with threshold scoring (quintile tiers follow at the next batch).
    pub async fn record_purchase(&self, actor: Actor, input: PurchaseInput) -> CrmResult<Purchase> {
        crate::validate::texts(&input, "")?;
        let id = self.new_id(Entity::Purchase).await?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let (customer, _) = self
                .customer_for(&ctx, input.customer_id, Action::Update)
                .await?;
            let purchase = input.clone().into_purchase(ctx.tenant.id, id, ctx.now)?;
            let mut changes = Changes::new(ctx.tenant.id);
            changes.insert(&purchase)?;
            changes.event(ctx.event(
                EventKind::PurchaseRecorded,
                Entity::Customer,
                customer.id.0,
                serde_json::json!({ "purchase_id": id, "amount": purchase.amount, "currency": purchase.currency }),
            ));
            let mut next = customer.clone();
            if next.last_purchase_at.is_none_or(|t| t < purchase.at) {
                next.last_purchase_at = Some(purchase.at);
            }
            let mut fig = self
                .batch_figures(&ctx, std::slice::from_ref(&next))
                .await?
                .pop()
                .unwrap_or(RfmFigures {
                    recency_days: None,
                    frequency: 0,
                    monetary: Default::default(),
                });
            let since = crate::clock::minus(
                ctx.now,
                Duration::days(i64::from(ctx.tenant.settings.tiers.window_days)),
            );
            if purchase.at > since {
                fig.frequency = fig.frequency.saturating_add(1);
                if purchase.currency == ctx.tenant.settings.default_currency {
                    fig.monetary = crate::money::checked::add(
                        fig.monetary,
                        purchase.amount,
                        "monetary (RFM)",
                    )?;
                }
            }
            let tiers = &ctx.tenant.settings.tiers;
            let tier = match &tiers.scoring {
                Scoring::Thresholds(t) => Some(tiers.assign(&next, &fig, &t.score(&fig))),
                Scoring::Quintiles => None,
            };
            let changed = match tier {
                Some(t) if next.tier.as_deref() != Some(t.as_str()) => {
                    Self::tier_change(&ctx, &mut changes, &next, t)?.is_some()
                }
                _ => false,
            };
            if !changed && next != customer {
                changes.update(&next)?;
            }
            Ok((changes, purchase))
        })
    }

    /// Recomputes every customer's tier in `tenant` at `now`, in batches; returns how many
    /// changed. Quintile scoring reads the whole population first (figures only).
    pub async fn recompute_tiers(&self, tenant: TenantId, now: DateTime<Utc>) -> CrmResult<u64> {
        let mut ctx = self.ctx(Actor::system(tenant)).await?;
        ctx.now = super::truncate_micros(now);
        let quintiles = match ctx.tenant.settings.tiers.scoring {
            Scoring::Thresholds(_) => None,
            Scoring::Quintiles => {
                let mut all = Vec::new();
                let mut after = None;
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
                    all.extend(self.batch_figures(&ctx, &batch).await?);
                    after = Some(last);
                }
                Some(Quintiles::from_population(&all))
            }
        };
        let tiers = ctx.tenant.settings.tiers.clone();
        let mut changed = 0;
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
            let figs = self.batch_figures(&ctx, &batch).await?;
            let mut changes = Changes::new(tenant);
            let mut n = 0;
            for (c, fig) in batch.iter().zip(&figs) {
                let scores = match (&tiers.scoring, &quintiles) {
                    (_, Some(q)) => q.score(fig),
                    (Scoring::Thresholds(t), None) => t.score(fig),
                    (Scoring::Quintiles, None) => {
                        return Err(CrmError::Storage("quintiles missing".into()))
                    }
                };
                if Self::tier_change(&ctx, &mut changes, c, tiers.assign(c, fig, &scores))?
                    .is_some()
                {
                    n += 1;
                }
            }
            if n > 0 {
                match self.store().apply(changes).await {
                    Ok(_) => changed += n,
                    Err(CrmError::Conflict { .. }) if conflicts < 20 => {
                        conflicts += 1;
                        continue;
                    }
                    Err(e) => return Err(e),
                }
            }
            after = Some(last);
        }
        Ok(changed)
    }

    /// Runs the batch tier recomputation once per local day of the tenant; returns the
    /// number of changed tiers (0 when it already ran today).
    pub(crate) async fn daily_tiers(&self, ctx: &Ctx) -> CrmResult<u64> {
        let today = ctx
            .now
            .with_timezone(&ctx.tenant.settings.tz()?)
            .format("%Y-%m-%d")
            .to_string();
        if ctx.tenant.tiers_computed_on.as_deref() == Some(today.as_str()) {
            return Ok(0);
        }
        let changed = self.recompute_tiers(ctx.tenant.id, ctx.now).await?;
        let tenant = self.load_tenant(Actor::system(ctx.tenant.id)).await?;
        let mut changes = Changes::new(ctx.tenant.id);
        changes.update(&crate::tenant::Tenant {
            tiers_computed_on: Some(today),
            ..tenant
        })?;
        match self.store().apply(changes).await {
            // Another runner recorded the day first; its recomputation covered the same data.
            Ok(_) | Err(CrmError::Conflict { .. }) => Ok(changed),
            Err(e) => Err(e),
        }
    }
}
