//! `contact.*`: contact persons of a customer.

use super::{ByCustomer, Op, Request};
use crate::error::FfiResult;
use crm_core::contact::ContactInput;
use crm_core::ids::{ContactId, CustomerId};
use serde::Deserialize;

pub(super) const OPS: &[Op] = &[
    Op {
        name: "contact.create",
        calls: "create_contact",
        summary: "Adds a contact to a customer.",
        request: r#"{"customer_id": "int", "contact": {"name": "string", "title?": "string", "phone?": "string", "email?": "string", "primary?": "bool"}}"#,
        handler: create,
        access: None,
        schemas: None,
    },
    Op {
        name: "contact.update",
        calls: "update_contact",
        summary: "Replaces a contact's fields.",
        request: r#"{"id": "int", "contact": "as for contact.create"}"#,
        handler: update,
        access: None,
        schemas: None,
    },
    Op {
        name: "contact.list",
        calls: "list_contacts",
        summary: "Contacts of one customer.",
        request: r#"{"customer_id": "int"}"#,
        handler: list,
        access: None,
        schemas: None,
    },
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Create {
    customer_id: i64,
    contact: ContactInput,
}

fn create(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: Create = r.parse()?;
    r.run(move |crm| async move {
        crm.create_contact(actor, CustomerId(req.customer_id), req.contact)
            .await
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Update {
    id: i64,
    contact: ContactInput,
}

fn update(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: Update = r.parse()?;
    r.run(move |crm| async move {
        crm.update_contact(actor, ContactId(req.id), req.contact)
            .await
    })
}

fn list(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: ByCustomer = r.parse()?;
    r.run(move |crm| async move { crm.list_contacts(actor, CustomerId(req.customer_id)).await })
}
