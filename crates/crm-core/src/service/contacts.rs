//! Contact operations.

use super::{json, transact, Crm};
use crate::access::{Action, FieldAccess, Module, ViewContext};
use crate::actor::Actor;
use crate::contact::{visible_contact, Contact, ContactInput};
use crate::error::{CrmError, CrmResult};
use crate::ids::{ContactId, CustomerId};
use crate::store::{Changes, Entity, EventKind, Filter, Query, Store, StoreExt};
use crate::view::Visible;

impl<S: Store> Crm<S> {
    /// Adds a contact to a customer.
    pub async fn create_contact(
        &self,
        actor: Actor,
        customer: CustomerId,
        input: ContactInput,
    ) -> CrmResult<Visible<Contact>> {
        crate::validate::texts(&input, "")?;
        let id = ContactId(self.new_id(Entity::Contact).await?);
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let parent = self
                .check_child(&ctx, Module::Contacts, Action::Create, customer)
                .await?;
            let mut contact = Contact {
                tenant: ctx.tenant.id,
                id,
                version: 1,
                customer_id: customer,
                name: String::new(),
                title: None,
                phone: None,
                email: None,
                primary: false,
                created_by: ctx.access.user().map(|u| u.id),
                created_at: ctx.now,
            };
            input.apply(&mut contact, &ctx.tenant.settings.phone_region)?;
            let mut changes = Changes::new(ctx.tenant.id);
            changes.insert(&contact)?;
            changes.audit(ctx.audit(
                "contact.create",
                Entity::Contact,
                id.0,
                serde_json::Value::Null,
                json(&contact),
            ));
            changes.event(ctx.event(
                EventKind::ContactChanged,
                Entity::Contact,
                id.0,
                serde_json::json!({ "customer_id": customer }),
            ));
            Ok((
                changes,
                visible_contact(
                    contact,
                    &ctx.contact_policy(parent.pool_id),
                    ViewContext::Detail,
                ),
            ))
        })
    }

    /// Replaces a contact's fields.
    pub async fn update_contact(
        &self,
        actor: Actor,
        id: ContactId,
        input: ContactInput,
    ) -> CrmResult<Visible<Contact>> {
        crate::validate::texts(&input, "")?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let current = self
                .store()
                .load::<Contact>(ctx.tenant.id, id.0)
                .await?
                .ok_or_else(|| CrmError::not_found("contact", id))?;
            let parent = self
                .check_child(&ctx, Module::Contacts, Action::Update, current.customer_id)
                .await?;
            let mut next = current.clone();
            input.apply(&mut next, &ctx.tenant.settings.phone_region)?;
            // A field the actor reads in clear may be sent back unchanged. A field hidden or
            // masked for them counts as written whenever a value is given, equal or not: a
            // refusal must not tell whether a guess matched the stored value.
            let policy = ctx.contact_policy(parent.pool_id);
            let unreadable = |field: &str| {
                policy.access(field) == FieldAccess::Hidden
                    || policy.masked(field, ViewContext::Detail)
            };
            let mut touched = Vec::new();
            for (field, changed, given) in [
                ("name", next.name != current.name, true),
                ("title", next.title != current.title, next.title.is_some()),
                ("phone", next.phone != current.phone, next.phone.is_some()),
                ("email", next.email != current.email, next.email.is_some()),
            ] {
                if changed || (given && unreadable(field)) {
                    touched.push(field);
                }
            }
            ctx.access.check_editable(Module::Contacts, &touched)?;
            let mut changes = Changes::new(ctx.tenant.id);
            if next == current {
                return Ok((
                    changes,
                    visible_contact(
                        current,
                        &ctx.contact_policy(parent.pool_id),
                        ViewContext::Detail,
                    ),
                ));
            }
            changes.update(&next)?;
            changes.audit(ctx.audit(
                "contact.update",
                Entity::Contact,
                id.0,
                json(&current),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::ContactChanged,
                Entity::Contact,
                id.0,
                serde_json::json!({ "customer_id": current.customer_id }),
            ));
            let stored = Contact {
                version: next.version + 1,
                ..next
            };
            Ok((
                changes,
                visible_contact(
                    stored,
                    &ctx.contact_policy(parent.pool_id),
                    ViewContext::Detail,
                ),
            ))
        })
    }

    /// Contacts of one customer.
    pub async fn list_contacts(
        &self,
        actor: Actor,
        customer: CustomerId,
    ) -> CrmResult<Vec<Visible<Contact>>> {
        let ctx = self.ctx(actor).await?;
        let parent = self
            .check_child(&ctx, Module::Contacts, Action::Read, customer)
            .await?;
        let contacts: Vec<Contact> = self
            .store()
            .load_all(
                &Query::new(Entity::Contact, ctx.tenant.id)
                    .filter(Filter::eq("customer_id", customer.0)),
            )
            .await?;
        let policy = ctx.contact_policy(parent.pool_id);
        Ok(contacts
            .into_iter()
            .map(|c| visible_contact(c, &policy, ViewContext::List))
            .collect())
    }
}
