//! Opportunity operations: create, move through the pipeline (won / lost / reopen),
//! probability, reads. Each keeps the customer's open-opportunity count and clock in step
//! (the no-open-opportunity recycle rule reads them).

use super::{json, transact, Crm, Ctx, Page};
use crate::access::{Action, Module, ViewContext};
use crate::actor::Actor;
use crate::customer::Customer;
use crate::error::{CrmError, CrmResult};
use crate::ids::{CustomerId, OpportunityId, UserId};
use crate::money::{Currency, Money};
use crate::opportunity::Opportunity;
use crate::sales::{
    move_stage, open_opportunity, reset_probability, set_probability, LineInput, OpportunityStatus,
    Pipeline, StageMove,
};
use crate::store::{Changes, Entity, EventKind, Filter, Order, Store, StoreExt};
use crate::validate::{required_text, MAX_NAME};
use crate::view::VisibleJson;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A new opportunity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NewOpportunity {
    /// The customer.
    pub customer_id: CustomerId,
    /// Name.
    pub name: String,
    /// Amount (exact in the currency, at most [`MAX_AMOUNT`](crate::money::MAX_AMOUNT)).
    #[serde(deserialize_with = "crate::money::strict::deserialize")]
    pub amount: Decimal,
    /// Currency code.
    pub currency: String,
    /// Pipeline name (default `default`).
    #[serde(default)]
    pub pipeline: Option<String>,
    /// Stage key.
    pub stage: String,
    /// Probability set by hand (`None` follows the stage).
    #[serde(default, deserialize_with = "crate::money::strict::option")]
    pub probability: Option<Decimal>,
    /// Expected close date.
    pub expected_close: NaiveDate,
    /// Owner (default: the acting user).
    #[serde(default)]
    pub owner_id: Option<UserId>,
    /// Products.
    #[serde(default)]
    pub products: Vec<LineInput>,
}

/// Filters for listing opportunities.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default)]
pub struct OpportunityFilter {
    /// Only of this customer.
    pub customer_id: Option<CustomerId>,
    /// Only this owner.
    pub owner_id: Option<UserId>,
    /// Only open / won / lost.
    pub status: Option<OpportunityStatus>,
    /// Keyset cursor.
    pub after: Option<i64>,
    /// Page size.
    pub limit: Option<u32>,
}

fn status_name(s: OpportunityStatus) -> &'static str {
    match s {
        OpportunityStatus::Open => "open",
        OpportunityStatus::Won => "won",
        OpportunityStatus::Lost => "lost",
    }
}

impl Ctx {
    pub(crate) fn pipeline(&self, name: &str) -> CrmResult<&Pipeline> {
        self.tenant.settings.pipelines.get(name).ok_or_else(|| {
            CrmError::validation(
                "pipeline",
                format!("no pipeline {}", crate::validate::quote(name)),
            )
        })
    }
}

impl<S: Store> Crm<S> {
    /// Loads an opportunity the actor may `action`: its owner in reach, or through its
    /// customer.
    pub(crate) async fn opportunity_for(
        &self,
        ctx: &Ctx,
        id: OpportunityId,
        action: Action,
    ) -> CrmResult<(Opportunity, Customer)> {
        let o = self
            .store()
            .load::<Opportunity>(ctx.tenant.id, id)
            .await?
            .ok_or_else(|| CrmError::not_found("opportunity", id))?;
        let c = self.load_customer(ctx.tenant.id, o.customer_id).await?;
        self.check_owned_child(ctx, Module::Opportunities, action, Some(o.owner_id), &c)
            .await?;
        Ok((o, c))
    }

    /// Adds the customer update for an opportunity opening (+1) or closing (−1).
    pub(crate) fn touch_customer_opportunities(
        ctx: &Ctx,
        changes: &mut Changes,
        c: &Customer,
        delta: i32,
    ) -> CrmResult<()> {
        let mut next = c.clone();
        next.open_opportunities =
            (i64::from(c.open_opportunities) + i64::from(delta)).max(0) as u32;
        next.opportunity_changed_at = Some(ctx.now);
        next.updated_at = ctx.now;
        changes.update(&next)
    }

    /// Builds a new open opportunity on `c` from `input` (validated; owner checked; fields
    /// checked editable) without writing.
    pub(crate) fn build_opportunity(
        &self,
        ctx: &Ctx,
        c: &Customer,
        input: &NewOpportunity,
        id: OpportunityId,
    ) -> CrmResult<Opportunity> {
        let name = required_text(&input.name, "name", MAX_NAME)?;
        let currency = Currency::parse(&input.currency, "currency")?;
        let amount = Money::new(input.amount, currency.clone(), "amount")?.amount;
        let owner = input
            .owner_id
            .or(ctx.access.user().map(|u| u.id))
            .or(c.owner_id)
            .ok_or_else(|| CrmError::validation("owner_id", "required"))?;
        // Landing a deal in someone else's pipeline is a transfer to them.
        self.check_owner_in(ctx, Module::Opportunities, owner, Action::Transfer)?;
        let written: &[&str] = if input.products.is_empty() {
            &["name", "amount"]
        } else {
            &["name", "amount", "products"]
        };
        ctx.access.check_editable(Module::Opportunities, written)?;
        let pipeline_name = input.pipeline.clone().unwrap_or_else(|| "default".into());
        let by = ctx.access.user().map(|u| u.id).unwrap_or(owner);
        let (state, entry) = open_opportunity(
            ctx.pipeline(&pipeline_name)?,
            &input.stage,
            input.probability,
            by,
            ctx.now,
        )?;
        Ok(Opportunity {
            tenant: ctx.tenant.id,
            id,
            version: 1,
            customer_id: c.id,
            owner_id: owner,
            name,
            amount,
            currency: currency.code().to_owned(),
            pipeline: pipeline_name,
            state,
            expected_close: input.expected_close,
            closed_on: None,
            products: input.products.clone(),
            history: vec![entry],
            created_at: ctx.now,
            credit_split: None,
        })
    }

    /// Adds a new opportunity's insert, audit entry and event to `changes` (the customer's
    /// open count is the caller's).
    pub(crate) fn write_new_opportunity(
        ctx: &Ctx,
        changes: &mut Changes,
        o: &Opportunity,
    ) -> CrmResult<()> {
        changes.insert(o)?;
        changes.audit(ctx.audit(
            "opportunity.create",
            Entity::Opportunity,
            o.id,
            serde_json::Value::Null,
            json(o),
        ));
        changes.event(ctx.event(
            EventKind::OpportunityCreated,
            Entity::Opportunity,
            o.id,
            serde_json::json!({
                "customer_id": o.customer_id,
                "amount": o.amount,
                "currency": o.currency,
                "stage": o.state.stage,
            }),
        ));
        Ok(())
    }

    /// Creates an opportunity on a customer.
    pub async fn create_opportunity(
        &self,
        actor: Actor,
        input: NewOpportunity,
    ) -> CrmResult<VisibleJson> {
        crate::validate::texts(&input, "")?;
        // Refuse bad names and amounts before allocating anything.
        required_text(&input.name, "name", MAX_NAME)?;
        let currency = Currency::parse(&input.currency, "currency")?;
        Money::new(input.amount, currency, "amount")?;
        let id = OpportunityId(self.new_id(Entity::Opportunity).await?);
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let c = self
                .check_child(
                    &ctx,
                    Module::Opportunities,
                    Action::Create,
                    input.customer_id,
                )
                .await?;
            let o = self.build_opportunity(&ctx, &c, &input, id)?;
            let mut changes = Changes::new(ctx.tenant.id);
            Self::write_new_opportunity(&ctx, &mut changes, &o)?;
            self.enter_stage_tasks(&ctx, &mut changes, &o).await?;
            Self::touch_customer_opportunities(&ctx, &mut changes, &c, 1)?;
            Ok((
                changes,
                ctx.show(Entity::Opportunity, &o, ViewContext::Detail),
            ))
        })
    }

    /// Moves an opportunity: to another open stage, won, lost (reason required; notes when
    /// the reason is "other"), or reopened into an open stage.
    pub async fn move_opportunity(
        &self,
        actor: Actor,
        id: OpportunityId,
        mv: StageMove,
    ) -> CrmResult<VisibleJson> {
        crate::validate::texts(&mv, "")?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let (before, c) = self.opportunity_for(&ctx, id, Action::Update).await?;
            let by = ctx.access.user().map(|u| u.id).unwrap_or(before.owner_id);
            let (state, entry) = move_stage(
                ctx.pipeline(&before.pipeline)?,
                &before.state,
                &mv,
                by,
                ctx.now,
            )?;
            let mut next = before.clone();
            let was_open = before.state.status == OpportunityStatus::Open;
            let is_open = state.status == OpportunityStatus::Open;
            next.closed_on = if is_open {
                None
            } else {
                Some(crate::sales::today_in(ctx.tenant.settings.tz()?, ctx.now))
            };
            next.state = state;
            next.history.push(entry);
            let mut changes = Changes::new(ctx.tenant.id);
            changes.update(&next)?;
            self.credit_opportunity_move(&ctx, &mut changes, &before, &next)
                .await?;
            self.attribute_opportunity_move(&ctx, &mut changes, &before, &next)
                .await?;
            if next.state.stage != before.state.stage || (is_open && !was_open) {
                self.enter_stage_tasks(&ctx, &mut changes, &next).await?;
            }
            if was_open != is_open {
                Self::touch_customer_opportunities(
                    &ctx,
                    &mut changes,
                    &c,
                    if is_open { 1 } else { -1 },
                )?;
            }
            changes.audit(ctx.audit(
                "opportunity.move",
                Entity::Opportunity,
                id,
                json(&before),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::OpportunityStageChanged,
                Entity::Opportunity,
                id,
                serde_json::json!({ "from": before.state.stage, "to": next.state.stage, "status": status_name(next.state.status) }),
            ));
            Ok((
                changes,
                ctx.show(
                    Entity::Opportunity,
                    &Opportunity {
                        version: next.version + 1,
                        ..next
                    },
                    ViewContext::Detail,
                ),
            ))
        })
    }

    /// Sets the probability by hand, or (`None`) returns it to the stage default.
    pub async fn set_opportunity_probability(
        &self,
        actor: Actor,
        id: OpportunityId,
        probability: Option<Decimal>,
    ) -> CrmResult<VisibleJson> {
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let (before, _) = self.opportunity_for(&ctx, id, Action::Update).await?;
            let state = match probability {
                Some(p) => set_probability(&before.state, p)?,
                None => reset_probability(ctx.pipeline(&before.pipeline)?, &before.state),
            };
            let next = Opportunity {
                state,
                ..before.clone()
            };
            let mut changes = Changes::new(ctx.tenant.id);
            changes.update(&next)?;
            changes.audit(ctx.audit(
                "opportunity.probability",
                Entity::Opportunity,
                id,
                json(&before),
                json(&next),
            ));
            Ok((
                changes,
                ctx.show(
                    Entity::Opportunity,
                    &Opportunity {
                        version: next.version + 1,
                        ..next
                    },
                    ViewContext::Detail,
                ),
            ))
        })
    }

    /// One opportunity, as the actor's field rules let them see it.
    pub async fn get_opportunity(&self, actor: Actor, id: OpportunityId) -> CrmResult<VisibleJson> {
        let ctx = self.ctx(actor).await?;
        let (o, _) = self.opportunity_for(&ctx, id, Action::Read).await?;
        Ok(ctx.show(Entity::Opportunity, &o, ViewContext::Detail))
    }

    /// A page of the opportunities the actor may read.
    pub async fn list_opportunities(
        &self,
        actor: Actor,
        filter: OpportunityFilter,
    ) -> CrmResult<Page<VisibleJson>> {
        crate::validate::texts(&filter, "")?;
        let ctx = self.ctx(actor).await?;
        let (mut q, limit) = ctx.scoped_page(
            Module::Opportunities,
            Entity::Opportunity,
            Order::IdAsc,
            filter.after,
            filter.limit,
        )?;
        if let Some(c) = filter.customer_id {
            q = q.filter(Filter::eq("customer_id", c.0));
        }
        if let Some(o) = filter.owner_id {
            q = q.filter(Filter::eq("owner_id", o.0));
        }
        if let Some(s) = filter.status {
            q = q.filter(Filter::eq("status", status_name(s)));
        }
        let items: Vec<Opportunity> = self.store().load_all(&q).await?;
        Ok(Page::of(items, limit, |o| {
            ctx.show(Entity::Opportunity, &o, ViewContext::List)
        }))
    }
}
