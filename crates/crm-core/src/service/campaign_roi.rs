//! `campaign.roi`: revenue attributed to campaigns against their cost — ROI, CAC and LTV per
//! campaign (rolled up over its visible sub-campaigns) or per channel, per currency, from the
//! stored attributions of one model. Only deals in the actor's marketing read scope and
//! campaigns it can read count.

use super::{Crm, Ctx};
use crate::access::Module;
use crate::actor::Actor;
use crate::attribution::{cac, ltv, roi_percent, Attribution};
use crate::campaign::{Campaign, CampaignCost};
use crate::error::{CrmError, CrmResult};
use crate::ids::{CampaignId, CustomerId};
use crate::money::{checked, Currency};
use crate::store::{Entity, Filter, Order, Store, StoreExt};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Attributions read per query.
const ROI_PAGE: u32 = 500;

/// How ROI rows are grouped.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RoiGrouping {
    /// One row per campaign and currency, each rolled up over its sub-campaigns.
    #[default]
    Campaign,
    /// One row per channel and currency (revenue by the touch's channel, cost by the
    /// campaign's channel).
    Channel,
}

/// `campaign.roi`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoiRequest {
    /// Only this campaign and its sub-campaigns (default every campaign the actor reads).
    #[serde(default)]
    pub campaign_id: Option<CampaignId>,
    /// Grouping (default by campaign).
    #[serde(default)]
    pub by: RoiGrouping,
    /// The stored model to read, by key (`linear`, `time_decay:7`; default the first of
    /// `settings.attribution.models`).
    #[serde(default)]
    pub model: Option<String>,
    /// First local day (tenant zone) of deals closed and costs spent (default: no bound).
    #[serde(default)]
    pub from: Option<NaiveDate>,
    /// Last local day, included (default: no bound).
    #[serde(default)]
    pub to: Option<NaiveDate>,
}

/// One row of the ROI table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RoiRow {
    /// The campaign (grouping by campaign).
    pub campaign_id: Option<CampaignId>,
    /// Its name.
    pub name: Option<String>,
    /// Its parent, if any.
    pub parent_id: Option<CampaignId>,
    /// The channel (grouping by channel).
    pub channel: Option<String>,
    /// How many campaigns the row sums (the campaign and its visible sub-campaigns).
    pub campaigns: u32,
    /// Currency of every amount of the row.
    pub currency: String,
    /// Actual cost in the period.
    pub cost: Decimal,
    /// Attributed revenue of deals won in the period.
    pub revenue: Decimal,
    /// Deals that credited the row.
    pub deals: u64,
    /// Distinct customers of those deals.
    pub customers_won: u64,
    /// (revenue − cost) / cost in percent, 2 decimals; `None` at zero cost.
    pub roi: Option<Decimal>,
    /// Cost per customer won; `None` without customers.
    pub cac: Option<Decimal>,
    /// Revenue per customer × gross margin / annual churn; `None` without customers or churn.
    pub ltv: Option<Decimal>,
}

/// The ROI table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RoiReport {
    /// The model read.
    pub model: String,
    /// Rows by campaign id (or channel), then currency.
    pub rows: Vec<RoiRow>,
}

/// Sums of one campaign (or channel) in one currency.
#[derive(Default, Clone)]
struct Sums {
    cost: Decimal,
    revenue: Decimal,
    deals: BTreeSet<(String, i64)>,
    customers: BTreeSet<CustomerId>,
}

impl Sums {
    fn absorb(&mut self, other: &Sums) -> CrmResult<()> {
        self.cost = checked::add(self.cost, other.cost, "cost")?;
        self.revenue = checked::add(self.revenue, other.revenue, "revenue")?;
        self.deals.extend(other.deals.iter().cloned());
        self.customers.extend(other.customers.iter().copied());
        Ok(())
    }
}

/// What a row sums: a campaign's own figures, or a channel's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Campaign(CampaignId),
    Channel(String),
}

/// Sums by key and currency.
type Table = BTreeMap<(Key, String), Sums>;

fn entry<'t>(table: &'t mut Table, key: Key, currency: &str) -> &'t mut Sums {
    table.entry((key, currency.to_owned())).or_default()
}

impl<S: Store> Crm<S> {
    /// The ROI table; refused without marketing read, for an unknown or unreadable
    /// campaign, a model not configured, or `from` after `to`.
    pub async fn campaign_roi(&self, actor: Actor, request: RoiRequest) -> CrmResult<RoiReport> {
        let ctx = self.ctx(actor).await?;
        let settings = &ctx.tenant.settings.attribution;
        let model = match &request.model {
            Some(key) => settings
                .models
                .iter()
                .find(|m| &m.key() == key)
                .map(|m| m.key())
                .ok_or_else(|| {
                    CrmError::validation(
                        "model",
                        format!(
                            "no stored model {}; settings.attribution.models lists {}",
                            crate::validate::quote(key),
                            settings
                                .models
                                .iter()
                                .map(|m| m.key())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                })?,
            None => settings
                .models
                .first()
                .map(|m| m.key())
                .unwrap_or_else(|| "linear".to_owned()),
        };
        if let (Some(f), Some(t)) = (request.from, request.to) {
            if f > t {
                return Err(CrmError::validation("to", "is before from"));
            }
        }
        for (day, field) in [(request.from, "from"), (request.to, "to")] {
            if let Some(d) = day {
                crate::target::fiscal::check_day(d, field)?;
            }
        }
        let campaigns = self.roi_campaigns(&ctx, request.campaign_id).await?;
        let ids: BTreeSet<CampaignId> = campaigns.keys().copied().collect();
        let costs = self.roi_costs(&ctx, &ids, &request).await?;
        let mut table = Table::new();
        for cost in &costs {
            let Some(c) = campaigns.get(&cost.campaign_id) else {
                continue;
            };
            for key in [
                Key::Campaign(c.id),
                Key::Channel(c.channel.as_str().to_owned()),
            ] {
                let sums = entry(&mut table, key, &cost.currency);
                sums.cost = checked::add(sums.cost, cost.amount, "cost")?;
            }
        }
        self.roi_revenue(&ctx, &model, &request, &ids, &mut table)
            .await?;
        let rows = match request.by {
            RoiGrouping::Campaign => roll_up(&ctx, &campaigns, &table)?,
            RoiGrouping::Channel => table
                .iter()
                .filter_map(|((key, currency), s)| match key {
                    Key::Channel(channel) => Some(row(&ctx, currency, s, 0, |r| {
                        r.channel = Some(channel.clone())
                    })),
                    Key::Campaign(_) => None,
                })
                .collect::<CrmResult<_>>()?,
        };
        Ok(RoiReport { model, rows })
    }

    /// The campaigns the actor reads: all, or `root` and its descendants.
    async fn roi_campaigns(
        &self,
        ctx: &Ctx,
        root: Option<CampaignId>,
    ) -> CrmResult<BTreeMap<CampaignId, Campaign>> {
        let mut all = BTreeMap::new();
        let mut after = None;
        loop {
            let (query, _) = ctx.scoped_page(
                Module::Marketing,
                Entity::Campaign,
                Order::IdAsc,
                after,
                Some(ROI_PAGE),
            )?;
            let page: Vec<Campaign> = self.store().load_all(&query).await?;
            let Some(last) = page.last().map(|c| c.id.0) else {
                break;
            };
            all.extend(page.into_iter().map(|c| (c.id, c)));
            after = Some(last);
        }
        let Some(root) = root else {
            return Ok(all);
        };
        if !all.contains_key(&root) {
            return Err(CrmError::not_found("campaign", root));
        }
        let mut keep = BTreeMap::new();
        for (id, c) in &all {
            if descends(&all, *id, root) {
                keep.insert(*id, c.clone());
            }
        }
        Ok(keep)
    }

    /// Cost entries of `ids` spent in the period.
    async fn roi_costs(
        &self,
        ctx: &Ctx,
        ids: &BTreeSet<CampaignId>,
        request: &RoiRequest,
    ) -> CrmResult<Vec<CampaignCost>> {
        let mut out = Vec::new();
        let ids: Vec<i64> = ids.iter().map(|c| c.0).collect();
        for chunk in ids.chunks(500) {
            let mut query = crate::store::Query::new(Entity::CampaignCost, ctx.tenant.id).filter(
                Filter::is_in("campaign_id", chunk.iter().map(|i| (*i).into()).collect()),
            );
            if let Some(d) = request.from {
                query = query.filter(Filter::ge("spent_on", d.format("%Y-%m-%d").to_string()));
            }
            if let Some(d) = request.to {
                query = query.filter(Filter::le("spent_on", d.format("%Y-%m-%d").to_string()));
            }
            out.extend(self.store().load_all::<CampaignCost>(&query).await?);
        }
        Ok(out)
    }

    /// Adds the attributed revenue of deals closed in the period, page by page.
    async fn roi_revenue(
        &self,
        ctx: &Ctx,
        model: &str,
        request: &RoiRequest,
        ids: &BTreeSet<CampaignId>,
        table: &mut Table,
    ) -> CrmResult<()> {
        let tz = ctx.tenant.settings.tz()?;
        let mut after = None;
        loop {
            let (mut query, _) = ctx.scoped_page(
                Module::Marketing,
                Entity::Attribution,
                Order::IdAsc,
                after,
                Some(ROI_PAGE),
            )?;
            query = query.filter(Filter::eq("model_key", model));
            if let Some(d) = request.from {
                query = query.filter(Filter::ge(
                    "closed_at",
                    crate::tenant::local_midnight(tz, d),
                ));
            }
            if let Some(d) = request.to {
                let next = d.succ_opt().unwrap_or(d);
                query = query.filter(Filter::lt(
                    "closed_at",
                    crate::tenant::local_midnight(tz, next),
                ));
            }
            let page: Vec<Attribution> = self.store().load_all(&query).await?;
            let Some(last) = page.last().map(|a| a.id.0) else {
                break;
            };
            for a in &page {
                let deal = (a.deal_kind.as_str().to_owned(), a.deal_id);
                for t in a.touches.iter().filter(|t| ids.contains(&t.campaign_id)) {
                    for key in [
                        Key::Campaign(t.campaign_id),
                        Key::Channel(t.channel.clone()),
                    ] {
                        let sums = entry(table, key, &a.currency);
                        sums.revenue = checked::add(sums.revenue, t.amount, "revenue")?;
                        if !t.amount.is_zero() {
                            sums.deals.insert(deal.clone());
                            sums.customers.insert(a.customer_id);
                        }
                    }
                }
            }
            after = Some(last);
        }
        Ok(())
    }
}

/// Whether `id` is `root` or below it (a hierarchy with a cycle stops after its length).
fn descends(all: &BTreeMap<CampaignId, Campaign>, id: CampaignId, root: CampaignId) -> bool {
    let mut at = Some(id);
    for _ in 0..=all.len() {
        match at {
            Some(c) if c == root => return true,
            Some(c) => at = all.get(&c).and_then(|c| c.parent_id),
            None => return false,
        }
    }
    false
}

/// One row per campaign and currency, each summing the campaign's visible subtree.
fn roll_up(
    ctx: &Ctx,
    campaigns: &BTreeMap<CampaignId, Campaign>,
    table: &Table,
) -> CrmResult<Vec<RoiRow>> {
    let mut rows = Vec::new();
    for (id, c) in campaigns {
        let subtree: Vec<CampaignId> = campaigns
            .keys()
            .copied()
            .filter(|other| descends(campaigns, *other, *id))
            .collect();
        let mut per_currency: BTreeMap<String, Sums> = BTreeMap::new();
        for member in &subtree {
            let own = table
                .range((Key::Campaign(*member), String::new())..)
                .take_while(|((key, _), _)| *key == Key::Campaign(*member));
            for ((_, currency), sums) in own {
                per_currency
                    .entry(currency.clone())
                    .or_default()
                    .absorb(sums)?;
            }
        }
        let n = u32::try_from(subtree.len()).unwrap_or(u32::MAX);
        for (currency, sums) in &per_currency {
            rows.push(row(ctx, currency, sums, n, |r| {
                r.campaign_id = Some(*id);
                r.name = Some(c.name.clone());
                r.parent_id = c.parent_id;
                r.channel = Some(c.channel.as_str().to_owned());
            })?);
        }
    }
    Ok(rows)
}

fn row(
    ctx: &Ctx,
    currency: &str,
    s: &Sums,
    campaigns: u32,
    fill: impl FnOnce(&mut RoiRow),
) -> CrmResult<RoiRow> {
    let settings = &ctx.tenant.settings.attribution;
    let cur = Currency::parse(currency, "currency")?;
    let customers = s.customers.len() as u64;
    let mut r = RoiRow {
        campaign_id: None,
        name: None,
        parent_id: None,
        channel: None,
        campaigns,
        currency: currency.to_owned(),
        cost: s.cost,
        revenue: s.revenue,
        deals: s.deals.len() as u64,
        customers_won: customers,
        roi: roi_percent(s.revenue, s.cost),
        cac: cac(s.cost, customers, &cur),
        ltv: ltv(
            s.revenue,
            customers,
            settings.gross_margin,
            settings.annual_churn,
            &cur,
        ),
    };
    fill(&mut r);
    Ok(r)
}
