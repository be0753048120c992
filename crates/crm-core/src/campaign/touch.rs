//! The touch log (触达): one record per contact a campaign made with a customer, a lead or a
//! contact — sent, delivered, opened, clicked, replied, a form filled in, an event attended —
//! at an instant, recorded by the host. A contact's touch also carries the contact's
//! customer, so "the touches of customer X (and its contacts)" is one indexed read.

use super::model::{stable_enum, CampaignChannel, MemberKind};
use crate::error::{CrmError, CrmResult};
use crate::ids::{CampaignId, ContactId, CustomerId, LeadId, TenantId, TouchId, UserId};
use crate::store::{Entity, Record, SqlValue};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How far in the future a touch's instant may be (clock skew between host and engine):
/// 5 minutes. One second more is refused (rule `in_future`).
pub const FUTURE_SLACK_SECS: i64 = 300;

/// Most touches one `campaign.record_touches` call records.
pub const MAX_TOUCH_BATCH: usize = 1_000;

/// Longest host reference.
pub const MAX_HOST_REF: usize = 200;

stable_enum!(
    /// What happened in a touch.
    TouchKind {
        /// A message was sent.
        Sent => "sent",
        /// It was delivered.
        Delivered => "delivered",
        /// It was opened.
        Opened => "opened",
        /// A link in it was clicked.
        Clicked => "clicked",
        /// The recipient replied.
        Replied => "replied",
        /// The recipient filled in a form.
        Form => "form",
        /// The recipient attended (an event, a webinar).
        Attended => "attended",
    }
);

/// Whom a touch reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TouchSubject {
    /// A customer.
    Customer(CustomerId),
    /// A lead.
    Lead(LeadId),
    /// A contact.
    Contact(ContactId),
}

impl TouchSubject {
    /// The kind of record reached.
    pub fn kind(self) -> MemberKind {
        match self {
            TouchSubject::Customer(_) => MemberKind::Customer,
            TouchSubject::Lead(_) => MemberKind::Lead,
            TouchSubject::Contact(_) => MemberKind::Contact,
        }
    }

    /// The record's id.
    pub fn raw_id(self) -> i64 {
        match self {
            TouchSubject::Customer(c) => c.0,
            TouchSubject::Lead(l) => l.0,
            TouchSubject::Contact(c) => c.0,
        }
    }
}

/// One touch to record (`campaign.record_touch`, and each item of
/// `campaign.record_touches`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TouchInput {
    /// The campaign.
    pub campaign_id: CampaignId,
    /// The channel (default: the campaign's).
    #[serde(default)]
    pub channel: Option<CampaignChannel>,
    /// What happened.
    pub kind: TouchKind,
    /// When (at most 5 minutes in the future, rule `in_future`).
    pub at: DateTime<Utc>,
    /// The customer reached. Exactly one of `customer_id`, `lead_id`, `contact_id`.
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    /// The lead reached.
    #[serde(default)]
    pub lead_id: Option<LeadId>,
    /// The contact reached (its customer is recorded too).
    #[serde(default)]
    pub contact_id: Option<ContactId>,
    /// The host's own reference of this touch: recording the same reference again answers
    /// the touch already recorded and writes nothing.
    #[serde(default)]
    pub host_ref: Option<String>,
}

impl TouchInput {
    /// The checked subject, instant and host reference (fields prefixed with `path`).
    pub fn check(
        &self,
        now: DateTime<Utc>,
        path: &str,
    ) -> CrmResult<(TouchSubject, Option<String>)> {
        let subject =
            match (self.customer_id, self.lead_id, self.contact_id) {
                (Some(c), None, None) => TouchSubject::Customer(c),
                (None, Some(l), None) => TouchSubject::Lead(l),
                (None, None, Some(c)) => TouchSubject::Contact(c),
                _ => return Err(CrmError::validation(
                    format!("{path}customer_id"),
                    "exactly_one_subject: give exactly one of customer_id, lead_id and contact_id",
                )),
            };
        check_instant(self.at, now, &format!("{path}at"))?;
        let host_ref = match self.host_ref.as_deref() {
            None => None,
            Some(r) => Some(crate::validate::required_text(
                r,
                &format!("{path}host_ref"),
                MAX_HOST_REF,
            )?),
        };
        Ok((subject, host_ref))
    }
}

/// Refuses an instant more than [`FUTURE_SLACK_SECS`] after `now` (rule `in_future`).
pub fn check_instant(at: DateTime<Utc>, now: DateTime<Utc>, field: &str) -> CrmResult<()> {
    let latest = now + Duration::seconds(FUTURE_SLACK_SECS);
    if at > latest {
        return Err(CrmError::validation(
            field,
            format!("in_future: {at} is more than {FUTURE_SLACK_SECS} seconds after now ({now})"),
        ));
    }
    Ok(())
}

/// A recorded touch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Touch {
    /// Tenant.
    pub tenant: TenantId,
    /// Id.
    pub id: TouchId,
    /// Optimistic version.
    #[serde(default)]
    pub version: i64,
    /// The campaign.
    pub campaign_id: CampaignId,
    /// The channel.
    pub channel: CampaignChannel,
    /// What happened.
    pub kind: TouchKind,
    /// When.
    pub at: DateTime<Utc>,
    /// What kind of record was reached.
    pub subject: MemberKind,
    /// The customer reached, or the contact's customer.
    pub customer_id: Option<CustomerId>,
    /// The lead reached.
    pub lead_id: Option<LeadId>,
    /// The contact reached.
    pub contact_id: Option<ContactId>,
    /// The host's reference (unique per tenant).
    pub host_ref: Option<String>,
    /// Who recorded it (`None`: the system actor).
    pub recorded_by: Option<UserId>,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

impl Touch {
    /// The recipient: the record reached.
    pub fn recipient(&self) -> (MemberKind, i64) {
        let id = match self.subject {
            MemberKind::Customer => self.customer_id.map_or(0, |c| c.0),
            MemberKind::Lead => self.lead_id.map_or(0, |l| l.0),
            MemberKind::Contact => self.contact_id.map_or(0, |c| c.0),
        };
        (self.subject, id)
    }
}

impl Record for Touch {
    const ENTITY: Entity = Entity::Touch;
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
            self.campaign_id.0.into(),
            self.channel.as_str().into(),
            self.kind.as_str().into(),
            self.at.into(),
            self.customer_id.map(|c| c.0).into(),
            self.lead_id.map(|l| l.0).into(),
            self.contact_id.map(|c| c.0).into(),
            self.host_ref.clone().into(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn input() -> TouchInput {
        TouchInput {
            campaign_id: CampaignId(1),
            channel: None,
            kind: TouchKind::Sent,
            at: now(),
            customer_id: Some(CustomerId(3)),
            lead_id: None,
            contact_id: None,
            host_ref: None,
        }
    }

    #[test]
    fn five_minutes_ahead_is_the_limit() {
        let at = now() + Duration::seconds(FUTURE_SLACK_SECS);
        assert!(check_instant(at, now(), "at").is_ok());
        let late = at + Duration::seconds(1);
        assert!(matches!(
            check_instant(late, now(), "at"),
            Err(CrmError::Validation { field, reason }) if field == "at" && reason.starts_with("in_future:")
        ));
        let micro = at + Duration::microseconds(1);
        assert!(check_instant(micro, now(), "at").is_err());
        assert!(check_instant(now() - Duration::days(400), now(), "at").is_ok());
    }

    #[test]
    fn exactly_one_subject() {
        assert_eq!(
            input().check(now(), "").map(|(s, _)| s).ok(),
            Some(TouchSubject::Customer(CustomerId(3)))
        );
        let none = TouchInput {
            customer_id: None,
            ..input()
        };
        assert!(none.check(now(), "touches[2].").is_err());
        let two = TouchInput {
            lead_id: Some(LeadId(4)),
            ..input()
        };
        assert!(matches!(
            two.check(now(), "touches[2]."),
            Err(CrmError::Validation { field, .. }) if field == "touches[2].customer_id"
        ));
        let contact = TouchInput {
            customer_id: None,
            contact_id: Some(ContactId(9)),
            ..input()
        };
        assert_eq!(
            contact.check(now(), "").map(|(s, _)| s.kind()).ok(),
            Some(MemberKind::Contact)
        );
    }

    #[test]
    fn host_references_are_trimmed_and_bounded() {
        let blank = TouchInput {
            host_ref: Some("  ".into()),
            ..input()
        };
        assert!(blank.check(now(), "").is_err());
        let long = TouchInput {
            host_ref: Some("x".repeat(MAX_HOST_REF + 1)),
            ..input()
        };
        assert!(long.check(now(), "").is_err());
        let ok = TouchInput {
            host_ref: Some(" m-1 ".into()),
            ..input()
        };
        assert_eq!(
            ok.check(now(), "").ok().and_then(|(_, r)| r),
            Some("m-1".to_owned())
        );
    }
}
