//! The lead record (线索) and the input that creates or edits it.

use super::first_contact::FirstContactClock;
use super::status::LeadStatus;
use crate::customer::custom_fields::validate_custom;
use crate::customer::normalize::{normalize_company_name, phone_key};
use crate::error::{CrmError, CrmResult};
use crate::ids::{ContactId, CustomerId, LeadId, OpportunityId, PoolId, TenantId, UserId};
use crate::money::Currency;
use crate::store::{Entity, Record, SqlValue};
use crate::tenant::TenantSettings;
use crate::validate::{optional_email, optional_phone, optional_text, required_text, MAX_NAME};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Longest company name, source, region or industry.
const MAX_LABEL: usize = 200;

/// A lead: a prospect not yet a customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Lead {
    /// Tenant.
    pub tenant: TenantId,
    /// Id.
    pub id: LeadId,
    /// Optimistic version.
    pub version: i64,
    /// Contact person's name.
    pub name: String,
    /// Company.
    pub company: Option<String>,
    /// Phone, in the tenant's stored form.
    pub phone: Option<String>,
    /// E-mail as entered (the indexed column holds it lower-cased).
    pub email: Option<String>,
    /// Source (来源), the host's own label.
    pub source: Option<String>,
    /// Region (地区).
    pub region: Option<String>,
    /// Industry (行业).
    pub industry: Option<String>,
    /// Estimated amount, at the currency's scale.
    pub estimated_amount: Option<Decimal>,
    /// Currency of the estimated amount (ISO 4217).
    pub currency: Option<String>,
    /// Owner, when assigned.
    pub owner_id: Option<UserId>,
    /// Lead pool, when pooled.
    pub pool_id: Option<PoolId>,
    /// Since when the owner has held it (set by creation with an owner, assignment and
    /// claim; none while pooled).
    #[serde(default)]
    pub owned_since: Option<DateTime<Utc>>,
    /// The latest follow-up recorded on it (the `no_followup` recycle clock's).
    #[serde(default)]
    pub last_followup_at: Option<DateTime<Utc>>,
    /// When it last entered a pool.
    #[serde(default)]
    pub entered_pool_at: Option<DateTime<Utc>>,
    /// The owner it had before it last entered a pool (the previous-owner cooldown's).
    #[serde(default)]
    pub previous_owner_id: Option<UserId>,
    /// The pool it was last claimed from.
    #[serde(default)]
    pub last_pool_id: Option<PoolId>,
    /// Why it last went into a pool (the release reason, or the recycle rule).
    #[serde(default)]
    pub pool_reason: Option<String>,
    /// Status.
    pub status: LeadStatus,
    /// Why the lead is unqualified.
    pub unqualified_reason: Option<String>,
    /// The open lead this one was folded into (a duplicate at intake, or a merge loser).
    #[serde(default)]
    pub merged_into: Option<LeadId>,
    /// A customer with the same phone or company, found at intake (conversion links it).
    #[serde(default)]
    pub matched_customer_id: Option<CustomerId>,
    /// Custom field values (the tenant's `settings.leads.custom_fields`).
    #[serde(default)]
    pub custom: BTreeMap<String, serde_json::Value>,
    /// What conversion created or linked (set once, when converted).
    #[serde(default)]
    pub conversion: Option<Conversion>,
    /// When the lead was first contacted: the time of its earliest follow-up.
    #[serde(default)]
    pub first_contacted_at: Option<DateTime<Utc>>,
    /// The first-contact clock, from the moment the lead got an owner (when the tenant sets
    /// one; see [`FirstContactClock`]).
    #[serde(default)]
    pub first_contact: Option<FirstContactClock>,
    /// Who created it (none: the system actor).
    pub created_by: Option<UserId>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// What a lead was converted into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Conversion {
    /// When.
    pub at: DateTime<Utc>,
    /// Who converted it (none: the system actor).
    pub by: Option<UserId>,
    /// The customer created or linked.
    pub customer_id: CustomerId,
    /// Whether the customer was created by the conversion (else an existing one was linked).
    pub customer_created: bool,
    /// The contact created, if one was asked for.
    pub contact_id: Option<ContactId>,
    /// The opportunity opened, if one was asked for.
    pub opportunity_id: Option<OpportunityId>,
}

/// The fields of a new lead, for `lead.create`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadInput {
    /// Contact person's name (required).
    pub name: String,
    /// Company.
    #[serde(default)]
    pub company: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// Source label.
    #[serde(default)]
    pub source: Option<String>,
    /// Region.
    #[serde(default)]
    pub region: Option<String>,
    /// Industry.
    #[serde(default)]
    pub industry: Option<String>,
    /// Estimated amount (needs `currency`).
    #[serde(default)]
    pub estimated_amount: Option<Decimal>,
    /// Currency of the estimated amount (ISO 4217).
    #[serde(default)]
    pub currency: Option<String>,
    /// Custom field values by key (validated against the tenant's custom lead fields; the
    /// required ones must be given).
    #[serde(default)]
    pub custom: BTreeMap<String, serde_json::Value>,
}

impl LeadInput {
    /// Validates the input and writes it into `lead`; errors name the field.
    pub fn apply(&self, lead: &mut Lead, settings: &TenantSettings) -> CrmResult<()> {
        let phone_region = settings.phone_region.as_str();
        validate_custom(&settings.leads.custom_fields, &self.custom, true)?;
        lead.custom = self
            .custom
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        lead.name = required_text(&self.name, "name", MAX_NAME)?;
        lead.company = optional_text(self.company.as_deref(), "company", MAX_LABEL)?;
        lead.phone = phone(self.phone.as_deref(), phone_region)?;
        lead.email = optional_email(self.email.as_deref(), "email")?;
        lead.source = optional_text(self.source.as_deref(), "source", MAX_LABEL)?;
        lead.region = optional_text(self.region.as_deref(), "region", MAX_LABEL)?;
        lead.industry = optional_text(self.industry.as_deref(), "industry", MAX_LABEL)?;
        (lead.estimated_amount, lead.currency) =
            amount(self.estimated_amount, self.currency.as_deref())?;
        Ok(())
    }
}

/// Changes to a lead for `lead.update`: each field given is written (a blank text clears
/// it), each field absent is kept. A field the actor may not write is refused when given,
/// whatever its value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LeadPatch {
    /// New name (not blank).
    pub name: Option<String>,
    /// New company.
    pub company: Option<String>,
    /// New phone.
    pub phone: Option<String>,
    /// New e-mail.
    pub email: Option<String>,
    /// New source label.
    pub source: Option<String>,
    /// New region.
    pub region: Option<String>,
    /// New industry.
    pub industry: Option<String>,
    /// New estimated amount, with `currency` (the lead's current currency when absent).
    pub estimated_amount: Option<Decimal>,
    /// New currency of the estimated amount.
    pub currency: Option<String>,
    /// Custom field values to write by key (`null` removes one); keys not given are kept.
    pub custom: BTreeMap<String, serde_json::Value>,
}

impl LeadPatch {
    /// The fields this patch writes (field-rule names), whatever their values.
    pub fn touched_fields(&self) -> Vec<String> {
        let mut out: Vec<String> = [
            ("name", self.name.is_some()),
            ("company", self.company.is_some()),
            ("phone", self.phone.is_some()),
            ("email", self.email.is_some()),
            ("source", self.source.is_some()),
            ("region", self.region.is_some()),
            ("industry", self.industry.is_some()),
            (
                "estimated_amount",
                self.estimated_amount.is_some() || self.currency.is_some(),
            ),
        ]
        .into_iter()
        .filter(|(_, given)| *given)
        .map(|(f, _)| f.to_owned())
        .collect();
        out.extend(self.custom.keys().map(|k| format!("custom.{k}")));
        out
    }

    /// Validates the given fields and writes them into `lead`; errors name the field.
    pub fn apply(&self, lead: &mut Lead, settings: &TenantSettings) -> CrmResult<()> {
        let phone_region = settings.phone_region.as_str();
        validate_custom(&settings.leads.custom_fields, &self.custom, false)?;
        for (k, v) in &self.custom {
            if v.is_null() {
                if settings
                    .leads
                    .custom_fields
                    .iter()
                    .any(|d| &d.key == k && d.required)
                {
                    return Err(CrmError::validation(
                        format!("custom.{k}"),
                        "is required: it can be changed, not removed",
                    ));
                }
                lead.custom.remove(k);
            } else {
                lead.custom.insert(k.clone(), v.clone());
            }
        }
        if let Some(v) = &self.name {
            lead.name = required_text(v, "name", MAX_NAME)?;
        }
        let text = |v: &Option<String>, field: &str, current: &Option<String>| match v {
            Some(v) => optional_text(Some(v), field, MAX_LABEL),
            None => Ok(current.clone()),
        };
        lead.company = text(&self.company, "company", &lead.company)?;
        lead.source = text(&self.source, "source", &lead.source)?;
        lead.region = text(&self.region, "region", &lead.region)?;
        lead.industry = text(&self.industry, "industry", &lead.industry)?;
        if let Some(v) = &self.phone {
            lead.phone = phone(Some(v), phone_region)?;
        }
        if let Some(v) = &self.email {
            lead.email = optional_email(Some(v), "email")?;
        }
        if self.estimated_amount.is_some() || self.currency.is_some() {
            let amount_in = self.estimated_amount.or(lead.estimated_amount);
            let currency_in = self.currency.as_deref().or(lead.currency.as_deref());
            (lead.estimated_amount, lead.currency) = amount(amount_in, currency_in)?;
        }
        Ok(())
    }
}

fn phone(value: Option<&str>, phone_region: &str) -> CrmResult<Option<String>> {
    optional_phone(value, "phone")?
        .map(|p| crate::customer::phone::stored_form(&p, phone_region))
        .transpose()
}

/// An estimated amount with its currency, at the currency's scale, not negative.
fn amount(
    amount: Option<Decimal>,
    currency: Option<&str>,
) -> CrmResult<(Option<Decimal>, Option<String>)> {
    match (amount, currency) {
        (None, None) => Ok((None, None)),
        (Some(amount), Some(code)) => {
            let currency = Currency::parse(code, "currency")?;
            if amount.is_sign_negative() {
                return Err(CrmError::validation("estimated_amount", "is negative"));
            }
            let money = crate::money::Money::new(amount, currency.clone(), "estimated_amount")?;
            Ok((Some(money.amount), Some(currency.code().to_owned())))
        }
        (Some(_), None) => Err(CrmError::validation(
            "currency",
            "an estimated amount needs its currency",
        )),
        (None, Some(_)) => Err(CrmError::validation(
            "estimated_amount",
            "a currency without an amount",
        )),
    }
}

impl Lead {
    /// A lead in status new with no field set yet ([`LeadInput::apply`] fills them), created
    /// now by `created_by` (none: the system actor) for `owner`.
    pub fn blank(
        tenant: TenantId,
        id: LeadId,
        owner: Option<UserId>,
        created_by: Option<UserId>,
        now: DateTime<Utc>,
    ) -> Lead {
        Lead {
            tenant,
            id,
            version: 1,
            name: String::new(),
            company: None,
            phone: None,
            email: None,
            source: None,
            region: None,
            industry: None,
            estimated_amount: None,
            currency: None,
            owner_id: owner,
            pool_id: None,
            owned_since: owner.map(|_| now),
            last_followup_at: None,
            entered_pool_at: None,
            previous_owner_id: None,
            last_pool_id: None,
            pool_reason: None,
            status: LeadStatus::New,
            unqualified_reason: None,
            merged_into: None,
            matched_customer_id: None,
            custom: BTreeMap::new(),
            conversion: None,
            first_contacted_at: None,
            first_contact: None,
            created_by,
            created_at: now,
            updated_at: now,
        }
    }

    /// The duplicate-check keys of the lead, by indexed column: phone key, lower-cased
    /// e-mail, normalized company name (each when present).
    pub fn duplicate_keys(&self) -> Vec<(&'static str, String)> {
        let mut keys = Vec::new();
        if let Some(k) = self.phone.as_deref().and_then(phone_key) {
            keys.push(("phone", k));
        }
        if let Some(k) = self.email.as_deref().map(str::to_lowercase) {
            keys.push(("email", k));
        }
        if let Some(k) = self.company_key() {
            keys.push(("company_norm", k));
        }
        keys
    }

    fn company_key(&self) -> Option<String> {
        self.company
            .as_deref()
            .map(normalize_company_name)
            .filter(|n| !n.is_empty())
    }
}

impl Record for Lead {
    const ENTITY: Entity = Entity::Lead;
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
            self.owner_id.map(|u| u.0).into(),
            self.pool_id.map(|p| p.0).into(),
            self.status.as_str().into(),
            self.phone.as_deref().and_then(phone_key).into(),
            self.email.as_deref().map(str::to_lowercase).into(),
            self.company_key().into(),
            self.created_at.into(),
            self.first_contact_check_at().into(),
        ]
    }
}
