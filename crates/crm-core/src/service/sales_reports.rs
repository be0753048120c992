//! Opportunity reports as data a host can chart: weighted pipeline per close month and per
//! owner (per currency), cumulative forecast categories, the funnel, and the win rate. They
//! read only the opportunities the actor may read. Totals are checked sums at each currency's
//! scale: a report that would overflow is the rule `amount_overflow`, never a capped total.

use super::Crm;
use crate::access::{Action, Module};
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::ids::UserId;
use crate::money::Currency;
use crate::opportunity::Opportunity;
use crate::sales::forecast::{CategoryRow, FunnelStep, WeightedRow, WinRate};
use crate::sales::{
    forecast_categories, funnel, weighted_by_month, weighted_by_owner, win_rate, OpportunityFacts,
    YearMonth,
};
use crate::store::{Entity, Query, Store, StoreExt};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The sales report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SalesReport {
    /// Weighted pipeline per close month and currency.
    pub weighted_by_month: Vec<WeightedRow<YearMonth>>,
    /// Weighted pipeline per owner and currency.
    pub weighted_by_owner: Vec<WeightedRow<UserId>>,
    /// Cumulative forecast categories.
    pub categories: Vec<CategoryRow>,
    /// Funnel of the pipeline.
    pub funnel: Vec<FunnelStep>,
    /// Win rate of deals closed in the period.
    pub win_rate: WinRate,
}

impl<S: Store> Crm<S> {
    /// The sales report of one pipeline; the win rate counts deals closed in `[from, to]`.
    /// Refused with `PermissionDenied` naming `amount` to an actor whose opportunity field
    /// rules withhold amounts.
    pub async fn sales_report(
        &self,
        actor: Actor,
        pipeline: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> CrmResult<SalesReport> {
        crate::validate::texts(pipeline, "pipeline")?;
        if to < from {
            return Err(CrmError::validation("to", "is before from"));
        }
        let ctx = self.ctx(actor).await?;
        let reach = ctx.access.require(Module::Opportunities, Action::Read)?;
        if !ctx.access.is_system() {
            ctx.access.require(Module::Reports, Action::Read)?;
        }
        // Weighted pipeline, categories and funnel sum amounts: refused to an actor who
        // cannot read them, before anything is read.
        ctx.require_amounts(Entity::Opportunity, &[(Module::Opportunities, "amount")])?;
        let p = ctx.pipeline(pipeline)?.clone();
        let mut facts = Vec::new();
        let mut after = None;
        loop {
            let q = Query::new(Entity::Opportunity, ctx.tenant.id)
                .scope(ctx.access.scope_filter(&reach, ctx.now))
                .after(after)
                .limit(500);
            let page: Vec<Opportunity> = self.store().load_all(&q).await?;
            let Some(last) = page.last().map(|o| o.id) else {
                break;
            };
            for o in page.into_iter().filter(|o| o.pipeline == pipeline) {
                facts.push(OpportunityFacts {
                    owner: o.owner_id,
                    amount: o.amount,
                    currency: Currency::parse(&o.currency, "currency")?,
                    probability: o.state.probability,
                    status: o.state.status,
                    close_date: o.closed_on.unwrap_or(o.expected_close),
                    stage: o.state.stage.clone(),
                    history: o.history.clone(),
                });
            }
            after = Some(last.into());
        }
        let mode = ctx.tenant.settings.rounding;
        Ok(SalesReport {
            weighted_by_month: weighted_by_month(&facts, mode)?,
            weighted_by_owner: weighted_by_owner(&facts, mode)?,
            categories: forecast_categories(&p, &facts)?,
            funnel: funnel(&p, &facts)?,
            win_rate: win_rate(&facts, from, to),
        })
    }
}
