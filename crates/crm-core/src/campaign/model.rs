//! The campaign records: the campaign itself, its cost entries and its members. Enums cross
//! the database and the C ABI by stable snake_case names.

use crate::error::{CrmError, CrmResult};
use crate::ids::{
    CampaignCostId, CampaignId, CampaignMemberId, ContactId, CustomerId, LeadId, TenantId, UserId,
};
use crate::store::{Entity, Record, SqlValue};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

macro_rules! stable_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            Serialize, Deserialize, schemars::JsonSchema,
        )]
        #[serde(rename_all = "snake_case")]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// Parses a stable name.
            pub fn parse(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == text)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use stable_enum;

stable_enum!(
    /// How a campaign (or one touch) reaches people.
    CampaignChannel {
        /// E-mail.
        Email => "email",
        /// SMS.
        Sms => "sms",
        /// WeChat (微信).
        Wechat => "wechat",
        /// Phone calls.
        Phone => "phone",
        /// An event on site.
        Event => "event",
        /// A webinar.
        Webinar => "webinar",
        /// Paid ads.
        Ads => "ads",
        /// Social media.
        Social => "social",
        /// Search (SEO/SEM).
        Search => "search",
        /// Referrals.
        Referral => "referral",
        /// Direct mail (post).
        DirectMail => "direct_mail",
        /// Anything else.
        Other => "other",
    }
);

stable_enum!(
    /// Where a campaign is. Moves: planned → active | cancelled; active → completed |
    /// cancelled; completed and cancelled are final.
    CampaignStatus {
        /// Being prepared.
        Planned => "planned",
        /// Running.
        Active => "active",
        /// Done.
        Completed => "completed",
        /// Called off.
        Cancelled => "cancelled",
    }
);

impl CampaignStatus {
    /// Whether a campaign may move from `self` to `next` (staying put is always allowed).
    pub fn may_move_to(self, next: CampaignStatus) -> bool {
        use CampaignStatus::*;
        self == next
            || matches!(
                (self, next),
                (Planned, Active)
                    | (Planned, Cancelled)
                    | (Active, Completed)
                    | (Active, Cancelled)
            )
    }

    /// The move from `self` to `next`, or the rule `campaign_status_move`.
    pub fn check_move(self, next: CampaignStatus) -> CrmResult<()> {
        if self.may_move_to(next) {
            Ok(())
        } else {
            Err(CrmError::rule(
                "campaign_status_move",
                format!("a {self} campaign cannot become {next}"),
            ))
        }
    }
}

/// A marketing campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Campaign {
    /// Tenant.
    pub tenant: TenantId,
    /// Id.
    pub id: CampaignId,
    /// Optimistic version.
    #[serde(default)]
    pub version: i64,
    /// Name.
    pub name: String,
    /// The parent campaign (`None`: a root).
    pub parent_id: Option<CampaignId>,
    /// The channel.
    pub channel: CampaignChannel,
    /// Where it is.
    pub status: CampaignStatus,
    /// First local day (inclusive).
    pub start_on: Option<NaiveDate>,
    /// Last local day (inclusive, ≥ `start_on`).
    pub end_on: Option<NaiveDate>,
    /// Budget per currency (ISO 4217 → amount at the currency's scale).
    pub budget: BTreeMap<String, Decimal>,
    /// Actual cost per currency: the sum of its cost entries.
    pub actual_cost: BTreeMap<String, Decimal>,
    /// The responsible user.
    pub owner_id: Option<UserId>,
    /// Free description.
    pub description: Option<String>,
    /// Who created it (`None`: the system actor).
    pub created_by: Option<UserId>,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl Record for Campaign {
    const ENTITY: Entity = Entity::Campaign;
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
            self.parent_id.map(|p| p.0).into(),
            self.owner_id.map(|u| u.0).into(),
            self.channel.as_str().into(),
            self.status.as_str().into(),
            self.start_on.map(|d| d.to_string()).into(),
            self.end_on.map(|d| d.to_string()).into(),
        ]
    }
}

/// One actual cost entry of a campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CampaignCost {
    /// Tenant.
    pub tenant: TenantId,
    /// Id.
    pub id: CampaignCostId,
    /// Optimistic version.
    #[serde(default)]
    pub version: i64,
    /// The campaign.
    pub campaign_id: CampaignId,
    /// The day the cost was incurred.
    pub spent_on: NaiveDate,
    /// The amount, at the currency's scale, ≥ 0.
    pub amount: Decimal,
    /// ISO 4217 currency.
    pub currency: String,
    /// A note.
    pub note: Option<String>,
    /// Who entered it (`None`: the system actor).
    pub created_by: Option<UserId>,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl Record for CampaignCost {
    const ENTITY: Entity = Entity::CampaignCost;
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
            self.spent_on.to_string().into(),
            self.currency.as_str().into(),
        ]
    }
}

stable_enum!(
    /// What kind of record a campaign member (or a touch's recipient) is.
    MemberKind {
        /// A customer.
        Customer => "customer",
        /// A lead.
        Lead => "lead",
        /// A contact of a customer.
        Contact => "contact",
    }
);

/// One member of a campaign: a customer, a lead or a contact (with its customer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CampaignMember {
    /// Tenant.
    pub tenant: TenantId,
    /// Id.
    pub id: CampaignMemberId,
    /// Optimistic version.
    #[serde(default)]
    pub version: i64,
    /// The campaign.
    pub campaign_id: CampaignId,
    /// What the member is.
    pub kind: MemberKind,
    /// The customer (a customer member, or a contact's customer).
    pub customer_id: Option<CustomerId>,
    /// The lead (a lead member).
    pub lead_id: Option<LeadId>,
    /// The contact (a contact member).
    pub contact_id: Option<ContactId>,
    /// Who added it (`None`: the system actor).
    pub added_by: Option<UserId>,
    /// When.
    pub added_at: DateTime<Utc>,
}

impl CampaignMember {
    /// The member's own id (the customer's, lead's or contact's).
    pub fn member_id(&self) -> i64 {
        match self.kind {
            MemberKind::Customer => self.customer_id.map_or(0, |c| c.0),
            MemberKind::Lead => self.lead_id.map_or(0, |l| l.0),
            MemberKind::Contact => self.contact_id.map_or(0, |c| c.0),
        }
    }
}

impl Record for CampaignMember {
    const ENTITY: Entity = Entity::CampaignMember;
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
            self.kind.as_str().into(),
            self.member_id().into(),
            self.customer_id.map(|c| c.0).into(),
            self.lead_id.map(|l| l.0).into(),
            self.contact_id.map(|c| c.0).into(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_names_round_trip_through_serde() {
        for c in CampaignChannel::ALL {
            let json = serde_json::to_value(c).unwrap_or_default();
            assert_eq!(json, serde_json::Value::String(c.as_str().into()));
            assert_eq!(CampaignChannel::parse(c.as_str()), Some(*c));
            assert_eq!(c.to_string(), c.as_str());
        }
        assert_eq!(CampaignChannel::DirectMail.as_str(), "direct_mail");
        for s in CampaignStatus::ALL {
            let json = serde_json::to_value(s).unwrap_or_default();
            assert_eq!(json, serde_json::Value::String(s.as_str().into()));
        }
        assert_eq!(CampaignChannel::parse("Email"), None);
    }

    #[test]
    fn status_moves() {
        use CampaignStatus::*;
        let allowed = [
            (Planned, Active),
            (Planned, Cancelled),
            (Active, Completed),
            (Active, Cancelled),
        ];
        for from in CampaignStatus::ALL {
            for to in CampaignStatus::ALL {
                let expected = from == to || allowed.contains(&(*from, *to));
                assert_eq!(from.may_move_to(*to), expected, "{from} → {to}");
                assert_eq!(from.check_move(*to).is_ok(), expected);
            }
        }
        assert!(matches!(
            Completed.check_move(Active),
            Err(CrmError::RuleViolation { rule, .. }) if rule == "campaign_status_move"
        ));
    }
}
