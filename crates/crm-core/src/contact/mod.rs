//! Contacts (联系人): people at a customer.

use crate::access::{FieldPolicy, ViewContext};
use crate::customer::normalize::phone_key;
use crate::error::CrmResult;
use crate::ids::{ContactId, CustomerId, TenantId, UserId};
use crate::store::{Entity, Record, SqlValue};
use crate::validate::{optional_email, optional_phone, optional_text, required_text, MAX_NAME};
use crate::view::{MaskKind, Masker, Visible};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A contact person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Contact {
    /// Tenant.
    pub tenant: TenantId,
    /// Id.
    pub id: ContactId,
    /// Optimistic version.
    #[serde(default)]
    pub version: i64,
    /// The customer.
    pub customer_id: CustomerId,
    /// Name.
    pub name: String,
    /// Job title.
    pub title: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// The main contact of the customer.
    pub primary: bool,
    /// Created by.
    pub created_by: Option<UserId>,
    /// Created at.
    pub created_at: DateTime<Utc>,
}

/// A new contact, or the full replacement of one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default)]
pub struct ContactInput {
    /// Name (required).
    pub name: String,
    /// Job title.
    pub title: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Main contact.
    pub primary: bool,
}

impl ContactInput {
    /// Validated fields applied onto `contact`; the phone is read in the tenant's phone
    /// region `phone_region` and stored as customers' phones are
    /// ([`stored_form`](crate::customer::phone::stored_form)).
    pub fn apply(&self, contact: &mut Contact, phone_region: &str) -> CrmResult<()> {
        contact.name = required_text(&self.name, "contact.name", MAX_NAME)?;
        contact.title = optional_text(self.title.as_deref(), "contact.title", 100)?;
        contact.phone = optional_phone(self.phone.as_deref(), "contact.phone")?
            .map(|p| crate::customer::phone::stored_form(&p, phone_region))
            .transpose()?;
        contact.email = optional_email(self.email.as_deref(), "contact.email")?;
        contact.primary = self.primary;
        Ok(())
    }
}

/// The contact as the policy lets the actor see it.
pub fn visible_contact(mut c: Contact, policy: &FieldPolicy, ctx: ViewContext) -> Visible<Contact> {
    let mut m = Masker::new(policy, ctx);
    m.required_text("name", &mut c.name, MaskKind::Text);
    m.text("title", &mut c.title, MaskKind::Text);
    m.text("phone", &mut c.phone, MaskKind::Phone);
    m.text("email", &mut c.email, MaskKind::Email);
    m.finish(c)
}

impl Record for Contact {
    const ENTITY: Entity = Entity::Contact;
    fn tenant(&self) -> TenantId {
        self.tenant
    }
    fn raw_id(&self) -> i64 {
        self.id.0
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn set_version(&mut self, version: i64) {
        self.version = version;
    }
    fn columns(&self) -> Vec<SqlValue> {
        vec![
            self.customer_id.0.into(),
            self.name.clone().into(),
            self.phone.as_deref().and_then(phone_key).into(),
        ]
    }
}
