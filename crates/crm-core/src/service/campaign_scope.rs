//! Who sees which campaign records (ADR 0032):
//! - a campaign: Marketing read whose reach holds its owner (reach `all` also reads those
//!   without an owner); changing it: the action's reach over its owner;
//! - a member or a touch: its campaign readable **and** the record it is about readable by
//!   that record's own module — a customer by Customers read (owner, pool, team), a lead by
//!   Leads read (owner, or a lead pool the actor sees), a contact by Contacts read (through
//!   its customer). The scope is one predicate tree on the members or touches table, so
//!   pages, filters and counts are pushed into the store.

use super::{Crm, Ctx};
use crate::access::{Action, Module, Reach};
use crate::campaign::{Campaign, MemberKind};
use crate::error::{CrmError, CrmResult};
use crate::ids::{CampaignId, ContactId, CustomerId};
use crate::store::{
    Entity, Filter, Predicate, Query, ScopeFilter, SqlValue, Store, StoreExt, StoredRow, ID,
};
use std::collections::BTreeMap;

/// The refusal of `action` on marketing records.
pub(super) fn marketing_denied(action: Action) -> CrmError {
    CrmError::PermissionDenied {
        module: Module::Marketing.as_str().into(),
        action: action.as_str().into(),
        field: None,
    }
}

impl Ctx {
    /// Whether `action` on marketing reaches a campaign owned by `owner`.
    pub(super) fn reaches_campaign(
        &self,
        action: Action,
        owner: Option<crate::ids::UserId>,
    ) -> bool {
        match self.access.reach(Module::Marketing, action) {
            Some(Reach::All) => true,
            Some(Reach::Owners(owners)) => owner.is_some_and(|o| owners.contains(&o)),
            None => false,
        }
    }

    /// The campaigns the actor reads, as a tree on the campaigns table (`True`: all).
    pub(super) fn campaign_scope(&self) -> CrmResult<Predicate> {
        let reach = self.access.require(Module::Marketing, Action::Read)?;
        self.access
            .scope_filter(&reach, self.now)
            .predicate(Entity::Campaign.spec())
    }

    /// The rows of `entity` that reading `module` reaches (`False` without a grant).
    fn readable(&self, module: Module, entity: Entity) -> CrmResult<Predicate> {
        let Some(reach) = self.access.reach(module, Action::Read) else {
            return Ok(Predicate::False);
        };
        let mut query =
            Query::new(entity, self.tenant.id).scope(self.access.scope_filter(&reach, self.now));
        if entity == Entity::Lead {
            query = self.lead_list_scope(query)?;
        }
        match query.scope {
            None | Some(ScopeFilter::All) => Ok(Predicate::True),
            Some(scope) => scope.predicate(entity.spec()),
        }
    }

    /// The rows of the members or touches table (columns `customer_id`, `lead_id`,
    /// `contact_id`, `campaign_id`) whose record and campaign the actor reads.
    pub(super) fn subject_scope(&self) -> CrmResult<Predicate> {
        let within = |column: &'static str, entity: Entity, tree: Predicate| match tree {
            Predicate::True => Predicate::Compare(Filter::not_null(column)),
            tree => Predicate::in_select(column, entity, ID, tree),
        };
        let customers = Predicate::And(vec![
            Predicate::Compare(Filter::is_null("contact_id")),
            Predicate::Compare(Filter::is_null("lead_id")),
            within(
                "customer_id",
                Entity::Customer,
                self.readable(Module::Customers, Entity::Customer)?,
            ),
        ]);
        let leads = within(
            "lead_id",
            Entity::Lead,
            self.readable(Module::Leads, Entity::Lead)?,
        );
        let contacts = within(
            "contact_id",
            Entity::Contact,
            self.readable(Module::Contacts, Entity::Contact)?,
        );
        let records = Predicate::Or(vec![customers, leads, contacts]);
        let campaigns = match self.campaign_scope()? {
            Predicate::True => Predicate::True,
            tree => Predicate::in_select("campaign_id", Entity::Campaign, ID, tree),
        };
        Ok(Predicate::And(vec![campaigns, records]).simplified())
    }
}

/// What checking the records found besides their being readable: each contact's customer.
#[derive(Debug, Default)]
pub(super) struct Readable {
    /// Contacts with their customer.
    pub contacts: BTreeMap<i64, CustomerId>,
}

impl<S: Store> Crm<S> {
    /// A campaign the actor may `action`; one it cannot read is not found, one it reads but
    /// may not change is refused.
    pub(super) async fn campaign_for(
        &self,
        ctx: &Ctx,
        id: CampaignId,
        action: Action,
    ) -> CrmResult<Campaign> {
        ctx.access.require(Module::Marketing, Action::Read)?;
        let campaign = self
            .store()
            .load::<Campaign>(ctx.tenant.id, id)
            .await?
            .filter(|c| ctx.reaches_campaign(Action::Read, c.owner_id))
            .ok_or_else(|| CrmError::not_found("campaign", id))?;
        if action != Action::Read && !ctx.reaches_campaign(action, campaign.owner_id) {
            return Err(marketing_denied(action));
        }
        Ok(campaign)
    }

    /// The ids among `ids` of `entity` the actor reads through `module`, in one query.
    pub(super) async fn readable_rows(
        &self,
        ctx: &Ctx,
        module: Module,
        entity: Entity,
        ids: &[i64],
    ) -> CrmResult<Vec<StoredRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let tree = ctx.readable(module, entity)?;
        let mut found = Vec::new();
        // Bounded IN lists: a tree of grants plus at most 1,000 ids per read.
        for chunk in ids.chunks(1_000) {
            let query = Query::new(entity, ctx.tenant.id)
                .scope(ScopeFilter::Predicate(Predicate::And(vec![
                    tree.clone(),
                    Predicate::Compare(Filter::is_in(
                        ID,
                        chunk.iter().copied().map(SqlValue::Int).collect(),
                    )),
                ])))
                .limit(1_000);
            found.extend(self.store().query(&query).await?);
        }
        Ok(found)
    }

    /// Checks that every given record exists and is in the actor's read scope: the first one
    /// that is not is refused as if it did not exist (`field[i]: no customer 7`), so no id
    /// is learned this way.
    pub(super) async fn readable_records(
        &self,
        ctx: &Ctx,
        wanted: &[(MemberKind, i64, String)],
    ) -> CrmResult<Readable> {
        let ids_of = |kind: MemberKind| -> Vec<i64> {
            let mut ids: Vec<i64> = wanted
                .iter()
                .filter(|(k, _, _)| *k == kind)
                .map(|(_, id, _)| *id)
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        let mut customers: Vec<i64> = self
            .readable_rows(
                ctx,
                Module::Customers,
                Entity::Customer,
                &ids_of(MemberKind::Customer),
            )
            .await?
            .iter()
            .map(|r| r.id)
            .collect();
        let mut leads: Vec<i64> = self
            .readable_rows(ctx, Module::Leads, Entity::Lead, &ids_of(MemberKind::Lead))
            .await?
            .iter()
            .map(|r| r.id)
            .collect();
        customers.sort_unstable();
        leads.sort_unstable();
        let mut contacts = BTreeMap::new();
        for row in self
            .readable_rows(
                ctx,
                Module::Contacts,
                Entity::Contact,
                &ids_of(MemberKind::Contact),
            )
            .await?
        {
            let contact = <crate::contact::Contact as crate::store::Record>::from_row(&row)?;
            contacts.insert(contact.id.0, contact.customer_id);
        }
        for (kind, id, field) in wanted {
            let ok = match kind {
                MemberKind::Customer => customers.binary_search(id).is_ok(),
                MemberKind::Lead => leads.binary_search(id).is_ok(),
                MemberKind::Contact => contacts.contains_key(id),
            };
            if !ok {
                return Err(CrmError::validation(
                    field.clone(),
                    format!("no {kind} {id}"),
                ));
            }
        }
        Ok(Readable { contacts })
    }
}

/// The contact's customer, from what [`Crm::readable_records`] found.
pub(super) fn contact_customer(found: &Readable, contact: ContactId) -> Option<CustomerId> {
    found.contacts.get(&contact.0).copied()
}
