//! Leads as an actor may see them: field rules, and the ids a lead links to shown only to
//! those who reach the linked record — read in one query per kind for a whole page.

use super::{Crm, Ctx};
use crate::access::{Action, Module, Reach, ViewContext};
use crate::customer::Customer;
use crate::error::{CrmError, CrmResult};
use crate::ids::{CustomerId, LeadId, UserId};
use crate::lead::Lead;
use crate::store::{Entity, Filter, Predicate, Query, ScopeFilter, SqlValue, Store, StoreExt};
use crate::view::VisibleJson;
use std::collections::{BTreeMap, BTreeSet};

impl<S: Store> Crm<S> {
    /// One lead as the actor may see it.
    pub(super) async fn lead_view(
        &self,
        ctx: &Ctx,
        lead: Lead,
        view: ViewContext,
    ) -> CrmResult<VisibleJson> {
        let mut shown = self.lead_views(ctx, vec![lead], view).await?;
        shown
            .pop()
            .ok_or_else(|| CrmError::Storage("a lead went missing while shown".into()))
    }

    /// Leads as the actor may see them: `merged_into` only when the actor reaches that
    /// lead, `matched_customer_id` and the conversion's customer and contact only when they
    /// may read that customer, its opportunity only when they also read opportunities of
    /// the lead's owner.
    pub(super) async fn lead_views(
        &self,
        ctx: &Ctx,
        leads: Vec<Lead>,
        view: ViewContext,
    ) -> CrmResult<Vec<VisibleJson>> {
        self.lead_views_knowing(ctx, leads, view, None).await
    }

    /// One lead as the actor may see it, within the unit of work that wrote `customer`
    /// (not stored yet, so judged as it will be).
    pub(super) async fn lead_view_with(
        &self,
        ctx: &Ctx,
        lead: Lead,
        customer: &Customer,
    ) -> CrmResult<VisibleJson> {
        let mut shown = self
            .lead_views_knowing(ctx, vec![lead], ViewContext::Detail, Some(customer))
            .await?;
        shown
            .pop()
            .ok_or_else(|| CrmError::Storage("a lead went missing while shown".into()))
    }

    async fn lead_views_knowing(
        &self,
        ctx: &Ctx,
        mut leads: Vec<Lead>,
        view: ViewContext,
        fresh: Option<&Customer>,
    ) -> CrmResult<Vec<VisibleJson>> {
        let targets: BTreeSet<LeadId> = leads.iter().filter_map(|l| l.merged_into).collect();
        let customers: BTreeSet<CustomerId> = leads
            .iter()
            .flat_map(|l| {
                l.matched_customer_id
                    .into_iter()
                    .chain(l.conversion.as_ref().map(|c| c.customer_id))
            })
            .collect();
        let owners: BTreeMap<LeadId, Option<UserId>> = self
            .load_by_ids::<Lead>(ctx, Entity::Lead, targets.iter().map(|l| l.0))
            .await?
            .into_iter()
            .map(|l| (l.id, l.owner_id))
            .collect();
        let mut readable = self.readable_customers(ctx, &customers).await?;
        if let Some(c) = fresh {
            let team = self.load_team(ctx.tenant.id, c.id).await?;
            if ctx.access.reaches_customer(
                Module::Customers,
                Action::Read,
                c.owner_id,
                c.pool_id.map(|p| p.0),
                &team,
                ctx.now,
            ) {
                readable.insert(c.id);
            }
        }
        for lead in &mut leads {
            if let Some(target) = lead.merged_into {
                let reached = owners
                    .get(&target)
                    .is_some_and(|o| ctx.reaches_lead(Action::Read, *o).is_ok());
                if !reached {
                    lead.merged_into = None;
                }
            }
            if lead
                .matched_customer_id
                .is_some_and(|c| !readable.contains(&c))
            {
                lead.matched_customer_id = None;
            }
        }
        let opportunities = ctx.access.reach(Module::Opportunities, Action::Read);
        Ok(leads
            .iter()
            .map(|l| {
                let mut shown = ctx.show_in_pool(
                    Entity::Lead,
                    l,
                    l.pool_id.filter(|_| l.owner_id.is_none()),
                    view,
                );
                if let Some(c) = &l.conversion {
                    // The links of a conversion, like the other links, only to those who
                    // reach what they link to: the customer (and its contact), the deal.
                    let customer = readable.contains(&c.customer_id);
                    let deal = customer
                        && match &opportunities {
                            Some(Reach::All) => true,
                            Some(Reach::Owners(set)) => {
                                l.owner_id.is_some_and(|o| set.contains(&o))
                            }
                            _ => false,
                        };
                    if let Some(links) = shown
                        .record
                        .get_mut("conversion")
                        .and_then(|v| v.as_object_mut())
                    {
                        if !customer {
                            links.remove("customer_id");
                            links.remove("contact_id");
                        }
                        if !deal {
                            links.remove("opportunity_id");
                        }
                    }
                }
                shown
            })
            .collect())
    }

    /// The customers among `ids` the actor may read (owner, pool or team).
    async fn readable_customers(
        &self,
        ctx: &Ctx,
        ids: &BTreeSet<CustomerId>,
    ) -> CrmResult<BTreeSet<CustomerId>> {
        if ids.is_empty() {
            return Ok(BTreeSet::new());
        }
        let found: Vec<Customer> = self
            .load_by_ids(ctx, Entity::Customer, ids.iter().map(|c| c.0))
            .await?;
        let team: Vec<crate::access::TeamMember> = self
            .store()
            .load_all(
                &Query::new(Entity::TeamMember, ctx.tenant.id).filter(Filter::is_in(
                    "customer_id",
                    ids.iter().map(|c| SqlValue::Int(c.0)).collect(),
                )),
            )
            .await?;
        Ok(found
            .into_iter()
            .filter(|c| {
                let members: Vec<_> = team
                    .iter()
                    .filter(|m| m.customer_id == c.id)
                    .cloned()
                    .collect();
                ctx.access.reaches_customer(
                    Module::Customers,
                    Action::Read,
                    c.owner_id,
                    c.pool_id.map(|p| p.0),
                    &members,
                    ctx.now,
                )
            })
            .map(|c| c.id)
            .collect())
    }

    /// Records of `entity` by id, in one query (none when `ids` is empty).
    async fn load_by_ids<R: crate::store::Record + 'static>(
        &self,
        ctx: &Ctx,
        entity: Entity,
        ids: impl Iterator<Item = i64>,
    ) -> CrmResult<Vec<R>> {
        let ids: Vec<SqlValue> = ids.map(SqlValue::Int).collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let by_id = Predicate::Compare(Filter::is_in(crate::store::ID, ids));
        self.store()
            .load_all(&Query::new(entity, ctx.tenant.id).scope(ScopeFilter::Predicate(by_id)))
            .await
    }
}
