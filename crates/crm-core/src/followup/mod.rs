//! Follow-ups (跟进记录): calls, visits with check-in, messages, e-mails and meetings, on a
//! customer or on a lead.

mod on_lead;

pub use on_lead::NewLeadFollowUp;

use crate::access::{FieldPolicy, ViewContext};
use crate::error::{CrmError, CrmResult};
use crate::ids::{CustomerId, FollowUpId, LeadId, TenantId, UserId};
use crate::store::{Entity, Record, SqlValue};
use crate::validate::{optional_text, required_text, MAX_NOTE};
use crate::view::{MaskKind, Masker, Visible};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Kind of follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FollowUpKind {
    /// Phone call.
    Call,
    /// On-site visit (with check-in).
    Visit,
    /// Chat or SMS.
    Message,
    /// E-mail.
    Email,
    /// Meeting.
    Meeting,
}

impl FollowUpKind {
    /// The stable name (`call`, `visit`, `message`, `email`, `meeting`).
    pub fn as_str(self) -> &'static str {
        match self {
            FollowUpKind::Call => "call",
            FollowUpKind::Visit => "visit",
            FollowUpKind::Message => "message",
            FollowUpKind::Email => "email",
            FollowUpKind::Meeting => "meeting",
        }
    }
}

impl std::fmt::Display for FollowUpKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a visit checked in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CheckIn {
    /// Latitude in degrees (−90..=90).
    pub latitude: f64,
    /// Longitude in degrees (−180..=180).
    pub longitude: f64,
    /// Address text.
    pub address: Option<String>,
}

/// A follow-up record: on a customer, or on a lead until conversion moves it to the
/// lead's customer (the same record, keeping its lead; see ADR 0019).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FollowUp {
    /// Tenant.
    pub tenant: TenantId,
    /// Id.
    pub id: FollowUpId,
    /// Optimistic version.
    #[serde(default)]
    pub version: i64,
    /// The customer; none while the follow-up is on a lead not yet converted.
    pub customer_id: Option<CustomerId>,
    /// The lead it was recorded on, kept after conversion moves it to the customer.
    #[serde(default)]
    pub lead_id: Option<LeadId>,
    /// Author; `None` when recorded by the system actor.
    pub author_id: Option<UserId>,
    /// Kind.
    pub kind: FollowUpKind,
    /// Notes.
    pub content: String,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Check-in of a visit.
    pub location: Option<CheckIn>,
    /// Planned next follow-up.
    pub next_followup_at: Option<DateTime<Utc>>,
    /// Recorded at.
    pub created_at: DateTime<Utc>,
}

impl FollowUp {
    /// Moves a follow-up of a lead to `customer` (conversion): the same record, its lead
    /// kept. Moving again to the same customer changes nothing; a follow-up already on
    /// another customer, or on no lead, is not moved (`followup_not_movable`).
    pub fn move_to_customer(&mut self, customer: CustomerId) -> CrmResult<()> {
        match (self.lead_id, self.customer_id) {
            (Some(_), None) => {
                self.customer_id = Some(customer);
                Ok(())
            }
            (Some(_), Some(c)) if c == customer => Ok(()),
            _ => Err(CrmError::rule(
                "followup_not_movable",
                format!(
                    "follow-up {} is not a lead's follow-up waiting for its customer",
                    self.id
                ),
            )),
        }
    }
}

/// A new follow-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NewFollowUp {
    /// The customer.
    pub customer_id: CustomerId,
    /// Kind.
    pub kind: FollowUpKind,
    /// Notes (required).
    pub content: String,
    /// When it happened; defaults to now. At most 5 minutes in the future.
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
    /// Check-in (visits).
    #[serde(default)]
    pub location: Option<CheckIn>,
    /// Planned next follow-up; must be after `at`.
    #[serde(default)]
    pub next_followup_at: Option<DateTime<Utc>>,
}

impl NewFollowUp {
    /// Validates into a record.
    pub fn into_followup(
        self,
        tenant: TenantId,
        id: FollowUpId,
        author: Option<UserId>,
        now: DateTime<Utc>,
    ) -> CrmResult<FollowUp> {
        let details = Details {
            kind: self.kind,
            content: self.content,
            at: self.at,
            location: self.location,
            next_followup_at: self.next_followup_at,
        };
        let mut f = details.into_followup(tenant, id, author, now)?;
        f.customer_id = Some(self.customer_id);
        Ok(f)
    }
}

/// What every new follow-up gives, whatever it is recorded on.
pub(crate) struct Details {
    pub kind: FollowUpKind,
    pub content: String,
    pub at: Option<DateTime<Utc>>,
    pub location: Option<CheckIn>,
    pub next_followup_at: Option<DateTime<Utc>>,
}

impl Details {
    /// Validates into a record on nothing yet (the caller sets the customer or lead);
    /// errors name the field.
    pub(crate) fn into_followup(
        self,
        tenant: TenantId,
        id: FollowUpId,
        author: Option<UserId>,
        now: DateTime<Utc>,
    ) -> CrmResult<FollowUp> {
        let content = required_text(&self.content, "content", MAX_NOTE)?;
        let at = self.at.map(crate::clock::truncate_micros).unwrap_or(now);
        let next_followup_at = self.next_followup_at.map(crate::clock::truncate_micros);
        if at > now + Duration::minutes(5) {
            return Err(CrmError::validation("at", "is in the future"));
        }
        if let Some(next) = next_followup_at {
            if next <= at {
                return Err(CrmError::validation(
                    "next_followup_at",
                    "must be after the follow-up",
                ));
            }
        }
        let location = match self.location {
            None => None,
            Some(loc) => {
                if !(-90.0..=90.0).contains(&loc.latitude) {
                    return Err(CrmError::validation(
                        "location.latitude",
                        "must be within -90..=90",
                    ));
                }
                if !(-180.0..=180.0).contains(&loc.longitude) {
                    return Err(CrmError::validation(
                        "location.longitude",
                        "must be within -180..=180",
                    ));
                }
                Some(CheckIn {
                    address: optional_text(loc.address.as_deref(), "location.address", 500)?,
                    ..loc
                })
            }
        };
        Ok(FollowUp {
            tenant,
            id,
            version: 1,
            customer_id: None,
            lead_id: None,
            author_id: author,
            kind: self.kind,
            content,
            at,
            location,
            next_followup_at,
            created_at: now,
        })
    }
}

/// The follow-up as the policy lets the actor see it.
pub fn visible_followup(
    mut f: FollowUp,
    policy: &FieldPolicy,
    ctx: ViewContext,
) -> Visible<FollowUp> {
    let mut m = Masker::new(policy, ctx);
    m.required_text("content", &mut f.content, MaskKind::Text);
    m.other("location", &mut f.location);
    m.finish(f)
}

impl Record for FollowUp {
    const ENTITY: Entity = Entity::FollowUp;
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
            self.customer_id.map(|c| c.0).into(),
            self.author_id.map(|u| u.0).into(),
            self.at.into(),
            self.next_followup_at.into(),
            self.lead_id.map(|l| l.0).into(),
        ]
    }
}
