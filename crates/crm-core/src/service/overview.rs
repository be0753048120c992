//! The 360° view of a customer: everything the actor may see about it in one call.

use super::Crm;
use crate::access::{Action, Module, TeamMember, ViewContext};
use crate::actor::Actor;
use crate::contact::{visible_contact, Contact};
use crate::customer::Customer;
use crate::error::CrmResult;
use crate::followup::{visible_followup, FollowUp};
use crate::ids::CustomerId;
use crate::store::{Entity, Filter, Order, Query, Store, StoreExt};
use crate::view::Visible;
use serde::{Deserialize, Serialize};

/// How many recent follow-ups the 360° view carries.
pub const RECENT_FOLLOWUPS: u32 = 20;

/// One customer with what hangs off it, masked per the actor's field permissions. Sections
/// the actor may not read are `None`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Customer360 {
    /// The customer.
    pub customer: Visible<Customer>,
    /// Owner's name.
    pub owner_name: Option<String>,
    /// Contacts, if the actor may read contacts of this customer.
    pub contacts: Option<Vec<Visible<Contact>>>,
    /// Most recent follow-ups (newest first), if readable.
    pub recent_followups: Option<Vec<Visible<FollowUp>>>,
    /// Live team members.
    pub team: Vec<TeamMember>,
}

impl<S: Store> Crm<S> {
    /// The 360° view of a customer.
    pub async fn customer_360(&self, actor: Actor, id: CustomerId) -> CrmResult<Customer360> {
        let ctx = self.ctx(actor).await?;
        let (customer, team) = self.customer_for(&ctx, id, Action::Read).await?;
        let tenant = ctx.tenant.id;
        let can = |module| {
            ctx.access.reaches_child(
                module,
                Action::Read,
                customer.owner_id,
                customer.pool_id.map(|p| p.0),
                &team,
                ctx.now,
            )
        };
        let contacts = if can(Module::Contacts) {
            let policy = ctx.access.field_policy(Module::Contacts);
            let rows: Vec<Contact> = self
                .store()
                .load_all(
                    &Query::new(Entity::Contact, tenant).filter(Filter::eq("customer_id", id.0)),
                )
                .await?;
            Some(
                rows.into_iter()
                    .map(|c| visible_contact(c, &policy, ViewContext::Detail))
                    .collect(),
            )
        } else {
            None
        };
        let recent_followups = if can(Module::FollowUps) {
            let policy = ctx.access.field_policy(Module::FollowUps);
            let rows: Vec<FollowUp> = self
                .store()
                .load_all(
                    &Query::new(Entity::FollowUp, tenant)
                        .filter(Filter::eq("customer_id", id.0))
                        .order(Order::IdDesc)
                        .limit(RECENT_FOLLOWUPS),
                )
                .await?;
            Some(
                rows.into_iter()
                    .map(|f| visible_followup(f, &policy, ViewContext::Detail))
                    .collect(),
            )
        } else {
            None
        };
        let owner_name = customer
            .owner_id
            .and_then(|o| ctx.access.org().users.get(&o))
            .map(|u| u.name.clone());
        let team = team.into_iter().filter(|m| m.is_live(ctx.now)).collect();
        let customer = ctx.present(customer, ViewContext::Detail);
        Ok(Customer360 {
            customer,
            owner_name,
            contacts,
            recent_followups,
            team,
        })
    }
}
