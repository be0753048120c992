//! The deal events that write or remove attributions, called where the event happens, inside
//! its unit of work (next to the credit events): a won opportunity (or an activated contract,
//! when the tenant attributes contracts) is attributed; an amendment re-attributes the new
//! amount at the original close; reopening or terminating removes the attribution.

use super::attribution::WonDeal;
use super::{Crm, Ctx};
use crate::attribution::DealKind;
use crate::campaign::Touch;
use crate::contract::Contract;
use crate::error::CrmResult;
use crate::ids::{CustomerId, LeadId};
use crate::opportunity::Opportunity;
use crate::sales::OpportunityStatus;
use crate::store::{Changes, Entity, Filter, Query, Store, StoreExt};

impl<S: Store> Crm<S> {
    /// An opportunity moved from `before` to `after`: a win attributes its amount, reopening
    /// a won one removes that attribution.
    pub(crate) async fn attribute_opportunity_move(
        &self,
        ctx: &Ctx,
        changes: &mut Changes,
        before: &Opportunity,
        after: &Opportunity,
    ) -> CrmResult<()> {
        let won = |o: &Opportunity| o.state.status == OpportunityStatus::Won;
        if !won(before) && won(after) {
            let deal = WonDeal {
                kind: DealKind::Opportunity,
                id: after.id.0,
                customer_id: after.customer_id,
                owner_id: Some(after.owner_id),
                amount: after.amount,
                currency: after.currency.clone(),
                closed_at: Some(ctx.now),
                opened_at: Some(after.created_at),
            };
            self.attribute_deal(ctx, changes, deal).await?;
        } else if won(before) && !won(after) {
            self.unattribute_deal(
                ctx,
                changes,
                DealKind::Opportunity,
                after.id.0,
                after.customer_id,
            )
            .await?;
        }
        Ok(())
    }

    /// A contract became active (`closed_at` now) or an amendment of an active one was
    /// approved (`amended`: the original close is kept).
    pub(crate) async fn attribute_contract(
        &self,
        ctx: &Ctx,
        changes: &mut Changes,
        k: &Contract,
        amended: bool,
    ) -> CrmResult<()> {
        let opened_at = match k.opportunity_id {
            Some(oid) => self
                .store()
                .load::<Opportunity>(ctx.tenant.id, oid)
                .await?
                .map(|o| o.created_at),
            None => None,
        }
        .or(Some(k.created_at));
        let deal = WonDeal {
            kind: DealKind::Contract,
            id: k.id.0,
            customer_id: k.customer_id,
            owner_id: Some(k.owner_id),
            amount: k.pricing.totals.grand_total,
            currency: k.pricing_input.currency.clone(),
            closed_at: (!amended).then_some(ctx.now),
            opened_at,
        };
        self.attribute_deal(ctx, changes, deal).await?;
        Ok(())
    }

    /// An active contract was terminated: its attribution is removed.
    pub(crate) async fn unattribute_contract(
        &self,
        ctx: &Ctx,
        changes: &mut Changes,
        k: &Contract,
    ) -> CrmResult<()> {
        self.unattribute_deal(ctx, changes, DealKind::Contract, k.id.0, k.customer_id)
            .await
    }
}

impl<S: Store> Crm<S> {
    /// A lead was converted into `customer`: its touches now also carry the customer, so
    /// they count for the customer's deals.
    pub(crate) async fn link_lead_touches(
        &self,
        ctx: &Ctx,
        changes: &mut Changes,
        lead: LeadId,
        customer: CustomerId,
    ) -> CrmResult<()> {
        let touches: Vec<Touch> = self
            .store()
            .load_all(
                &Query::new(Entity::Touch, ctx.tenant.id).filter(Filter::eq("lead_id", lead.0)),
            )
            .await?;
        for t in touches.into_iter().filter(|t| t.customer_id.is_none()) {
            changes.update(&Touch {
                customer_id: Some(customer),
                ..t
            })?;
        }
        Ok(())
    }
}
