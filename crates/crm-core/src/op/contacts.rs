//! `contact.*`: contact persons of a customer.

use super::{facet, operation};
use crate::contact::{Contact, ContactInput};
use crate::ids::{ContactId, CustomerId};
use crate::view::Visible;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

facet!(
    /// Contact people (联系人) of customers.
    contacts -> ContactOps {
        create: CreateContact,
        update: UpdateContact,
        list: ListContacts,
    }
);

/// Adds a contact to a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateContact {
    /// The customer.
    pub customer_id: CustomerId,
    /// The contact's fields.
    pub contact: ContactInput,
}

operation!(
    CreateContact,
    "contact.create",
    Contacts,
    Create,
    Visible<Contact>,
    "Adds a contact to a customer.",
    |crm, actor, r| crm.create_contact(actor, r.customer_id, r.contact)
);

/// Replaces a contact's fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateContact {
    /// The contact.
    pub id: ContactId,
    /// Its new fields.
    pub contact: ContactInput,
}

operation!(
    UpdateContact,
    "contact.update",
    Contacts,
    Update,
    Visible<Contact>,
    "Replaces a contact's fields.",
    |crm, actor, r| crm.update_contact(actor, r.id, r.contact)
);

/// Lists the contacts of one customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListContacts {
    /// The customer.
    pub customer_id: CustomerId,
}

operation!(
    ListContacts,
    "contact.list",
    Contacts,
    Read,
    Vec<Visible<Contact>>,
    "Contacts of one customer.",
    |crm, actor, r| crm.list_contacts(actor, r.customer_id)
);
