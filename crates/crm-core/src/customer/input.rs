//! Inputs for creating and changing customers, and their validation into records.

use super::custom_fields::validate_custom;
use super::model::{Customer, CustomerKind, CustomerLevel, CustomerSource, DealStatus};
use super::settings::CustomerSettings;
use crate::error::CrmResult;
use crate::ids::{CustomerId, TenantId, UserId};
use crate::validate::{
    optional_email, optional_phone, optional_text, required_text, tags, MAX_NAME, MAX_TEXT,
};
use crate::visit::GeoPoint;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A new customer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default)]
pub struct NewCustomer {
    /// Name (required).
    pub name: String,
    /// Company or person.
    pub kind: CustomerKind,
    /// Industry.
    pub industry: Option<String>,
    /// Source.
    pub source: Option<CustomerSource>,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Level.
    pub level: Option<CustomerLevel>,
    /// Owner; defaults to the acting user. The system actor may leave it empty: the
    /// customer then goes into `pool_id`, or the default pool.
    pub owner_id: Option<UserId>,
    /// Pool for a customer created without an owner.
    pub pool_id: Option<crate::ids::PoolId>,
    /// Custom fields.
    pub custom: BTreeMap<String, serde_json::Value>,
    /// Host's reference (unique per tenant).
    pub external_ref: Option<String>,
    /// Where the customer is (field visits are measured against it).
    pub location: Option<GeoPoint>,
    /// Create even when the duplicate check matches.
    pub force: bool,
}

/// Changes to a customer; `None` leaves a field alone, an empty string clears an optional
/// text field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default)]
pub struct CustomerPatch {
    /// New name.
    pub name: Option<String>,
    /// New industry.
    pub industry: Option<String>,
    /// New source.
    pub source: Option<CustomerSource>,
    /// New phone.
    pub phone: Option<String>,
    /// New e-mail.
    pub email: Option<String>,
    /// New address.
    pub address: Option<String>,
    /// New tags (replace).
    pub tags: Option<Vec<String>>,
    /// New level.
    pub level: Option<CustomerLevel>,
    /// Custom fields to set (`null` clears one).
    pub custom: BTreeMap<String, serde_json::Value>,
    /// New external reference.
    pub external_ref: Option<String>,
    /// New location (where field visits are measured against).
    pub location: Option<GeoPoint>,
    /// Fail with `Conflict` unless the stored version is this one.
    pub expected_version: Option<i64>,
}

impl CustomerPatch {
    /// Names of the fields this patch writes (for field permissions).
    pub fn touched_fields(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut add = |present: bool, name: &str| {
            if present {
                out.push(name.to_owned());
            }
        };
        add(self.name.is_some(), "name");
        add(self.industry.is_some(), "industry");
        add(self.source.is_some(), "source");
        add(self.phone.is_some(), "phone");
        add(self.email.is_some(), "email");
        add(self.address.is_some(), "address");
        add(self.tags.is_some(), "tags");
        add(self.level.is_some(), "level");
        add(self.external_ref.is_some(), "external_ref");
        add(self.location.is_some(), "location");
        out.extend(self.custom.keys().map(|k| format!("custom.{k}")));
        out
    }
}

impl NewCustomer {
    /// Validates the input into a record (id, owner and times supplied by the caller).
    pub fn into_customer(
        self,
        settings: &impl CustomerSettings,
        tenant: TenantId,
        id: CustomerId,
        owner: Option<UserId>,
        created_by: Option<UserId>,
        now: DateTime<Utc>,
    ) -> CrmResult<Customer> {
        validate_custom(settings.customer_fields(), &self.custom, true)?;
        Ok(Customer {
            tenant,
            id,
            version: 1,
            name: required_text(&self.name, "name", MAX_NAME)?,
            kind: self.kind,
            industry: optional_text(self.industry.as_deref(), "industry", 100)?,
            source: self.source,
            phone: optional_phone(self.phone.as_deref(), "phone")?
                .map(|p| super::phone::stored_form(&p, settings.phone_region()))
                .transpose()?,
            email: optional_email(self.email.as_deref(), "email")?,
            address: optional_text(self.address.as_deref(), "address", MAX_TEXT)?,
            tags: tags(&self.tags, "tags")?,
            level: self.level,
            tier: None,
            owner_id: owner,
            pool_id: None,
            deal_status: DealStatus::NotDealt,
            locked: false,
            custom: self
                .custom
                .into_iter()
                .filter(|(_, v)| !v.is_null())
                .collect(),
            external_ref: optional_text(self.external_ref.as_deref(), "external_ref", 100)?,
            last_followup_at: None,
            last_owner_followup_at: None,
            next_followup_at: None,
            owned_since: owner.map(|_| now),
            previous_owner_id: None,
            entered_pool_at: None,
            escalated_for: None,
            last_pool_id: None,
            last_recycle_reason: None,
            recycle_reminders: BTreeMap::new(),
            open_opportunities: 0,
            last_purchase_at: None,
            credit: BTreeMap::new(),
            opportunity_changed_at: None,
            location: self.location.map(|p| p.validate("location")).transpose()?,
            created_by,
            created_at: now,
            updated_at: now,
        })
    }
}

impl CustomerPatch {
    /// Applies the patch to a copy of `current`, validating every touched field.
    pub fn apply_to(
        &self,
        current: &Customer,
        settings: &impl CustomerSettings,
        now: DateTime<Utc>,
    ) -> CrmResult<Customer> {
        let mut next = current.clone();
        if let Some(name) = &self.name {
            next.name = required_text(name, "name", MAX_NAME)?;
        }
        if let Some(v) = &self.industry {
            next.industry = optional_text(Some(v), "industry", 100)?;
        }
        if let Some(v) = self.source {
            next.source = Some(v);
        }
        if let Some(v) = &self.phone {
            next.phone = optional_phone(Some(v), "phone")?
                .map(|p| super::phone::stored_form(&p, settings.phone_region()))
                .transpose()?;
        }
        if let Some(v) = &self.email {
            next.email = optional_email(Some(v), "email")?;
        }
        if let Some(v) = &self.address {
            next.address = optional_text(Some(v), "address", MAX_TEXT)?;
        }
        if let Some(v) = &self.tags {
            next.tags = tags(v, "tags")?;
        }
        if let Some(v) = self.level {
            next.level = Some(v);
        }
        if let Some(v) = &self.external_ref {
            next.external_ref = optional_text(Some(v), "external_ref", 100)?;
        }
        if let Some(p) = &self.location {
            next.location = Some(p.validate("location")?);
        }
        validate_custom(settings.customer_fields(), &self.custom, false)?;
        for (k, v) in &self.custom {
            if v.is_null() {
                next.custom.remove(k);
            } else {
                next.custom.insert(k.clone(), v.clone());
            }
        }
        next.updated_at = now;
        Ok(next)
    }
}
