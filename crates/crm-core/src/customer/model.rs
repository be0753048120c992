//! The customer record (客户).

use crate::ids::{CustomerId, PoolId, TenantId, UserId};
use crate::store::{Entity, Record, SqlValue};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Company or person.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CustomerKind {
    /// A company (duplicate-checked by name too).
    #[default]
    Company,
    /// A private person.
    Person,
}

impl CustomerKind {
    /// The stable name (`company`, `person`).
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerKind::Company => "company",
            CustomerKind::Person => "person",
        }
    }
}

impl std::fmt::Display for CustomerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the customer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CustomerSource {
    /// Advertising.
    Ad,
    /// Referral.
    Referral,
    /// Bulk import.
    Import,
    /// Web form.
    WebForm,
    /// The host's API.
    Api,
    /// Trade show.
    Exhibition,
    /// Cold call.
    ColdCall,
    /// Anything else.
    Other,
}

/// Manual importance level (客户级别).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[non_exhaustive]
pub enum CustomerLevel {
    /// 重点 (key).
    A,
    /// 普通 (normal).
    B,
    /// 非优先 (low priority).
    C,
}

impl CustomerLevel {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerLevel::A => "A",
            CustomerLevel::B => "B",
            CustomerLevel::C => "C",
        }
    }
}

/// Whether the customer has closed a deal (成交状态).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DealStatus {
    /// 未成交.
    #[default]
    NotDealt,
    /// 已成交.
    Dealt,
}

impl DealStatus {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            DealStatus::NotDealt => "not_dealt",
            DealStatus::Dealt => "dealt",
        }
    }
}

/// A customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Customer {
    /// Tenant.
    pub tenant: TenantId,
    /// Id.
    pub id: CustomerId,
    /// Optimistic version.
    #[serde(default)]
    pub version: i64,
    /// Name.
    pub name: String,
    /// Company or person.
    pub kind: CustomerKind,
    /// Industry.
    pub industry: Option<String>,
    /// Source.
    pub source: Option<CustomerSource>,
    /// Phone as entered.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Manual level.
    pub level: Option<CustomerLevel>,
    /// Computed tier (§4.2), if computed.
    pub tier: Option<String>,
    /// Owner (负责人); `None` while in a pool.
    pub owner_id: Option<UserId>,
    /// Pool the customer sits in, if any.
    pub pool_id: Option<PoolId>,
    /// Deal status.
    pub deal_status: DealStatus,
    /// Exempt from recycling (锁定).
    pub locked: bool,
    /// Custom field values.
    pub custom: BTreeMap<String, serde_json::Value>,
    /// Host's own reference, unique per tenant.
    pub external_ref: Option<String>,
    /// Latest follow-up by anyone.
    pub last_followup_at: Option<DateTime<Utc>>,
    /// Latest follow-up by the owner (the recycle clock).
    pub last_owner_followup_at: Option<DateTime<Utc>>,
    /// Planned next follow-up.
    pub next_followup_at: Option<DateTime<Utc>>,
    /// When the current owner got the customer.
    pub owned_since: Option<DateTime<Utc>>,
    /// Previous owner (前负责人).
    pub previous_owner_id: Option<UserId>,
    /// When the customer last entered a pool.
    pub entered_pool_at: Option<DateTime<Utc>>,
    /// `owned_since` of the ownership period whose missing follow-up was escalated.
    pub escalated_for: Option<DateTime<Utc>>,
    /// The pool it was last claimed or distributed from (where a manual release returns it).
    #[serde(default)]
    pub last_pool_id: Option<PoolId>,
    /// Why it last went into a pool.
    #[serde(default)]
    pub last_recycle_reason: Option<String>,
    /// Recycle reminders already sent: rule → the clock value they were sent for.
    #[serde(default)]
    pub recycle_reminders: BTreeMap<String, DateTime<Utc>>,
    /// Open opportunities (kept by the opportunity operations).
    #[serde(default)]
    pub open_opportunities: u32,
    /// Unallocated credit from over-payments, per currency (never silently dropped).
    #[serde(default)]
    pub credit: BTreeMap<String, rust_decimal::Decimal>,
    /// Last purchase (order, payment, contract) of any amount.
    #[serde(default)]
    pub last_purchase_at: Option<DateTime<Utc>>,
    /// Last time an opportunity was opened or closed.
    #[serde(default)]
    pub opportunity_changed_at: Option<DateTime<Utc>>,
    /// Where the customer is: the point field visits are measured against.
    #[serde(default)]
    pub location: Option<crate::visit::GeoPoint>,
    /// Created by.
    pub created_by: Option<UserId>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last updated at.
    pub updated_at: DateTime<Utc>,
}

impl Customer {
    /// Normalized phone for the duplicate check.
    pub fn phone_norm(&self) -> Option<String> {
        self.phone.as_deref().and_then(super::normalize::phone_key)
    }

    /// Normalized name for the duplicate check (companies only).
    pub fn name_norm(&self) -> Option<String> {
        (self.kind == CustomerKind::Company)
            .then(|| super::normalize::normalize_company_name(&self.name))
            .filter(|n| !n.is_empty())
    }

    /// True while the owner has not followed up since getting the customer and the
    /// escalation for this ownership has not fired.
    pub fn escalation_pending(&self) -> bool {
        match (self.owner_id, self.owned_since) {
            (Some(_), Some(since)) => {
                self.escalated_for != Some(since)
                    && self.last_owner_followup_at.is_none_or(|f| f < since)
            }
            _ => false,
        }
    }
}

impl Record for Customer {
    const ENTITY: Entity = Entity::Customer;
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
            self.name.clone().into(),
            self.name_norm().into(),
            self.phone_norm().into(),
            self.external_ref.clone().into(),
            self.level.map(|l| l.as_str()).into(),
            self.deal_status.as_str().into(),
            self.owned_since.into(),
            self.next_followup_at.into(),
            self.escalation_pending().into(),
            self.created_at.into(),
            self.locked.into(),
            crate::pool::recycle::rule_clock(crate::pool::RecycleKind::NoFollowUp, self).into(),
            crate::pool::recycle::rule_clock(crate::pool::RecycleKind::NoOpenOpportunity, self)
                .into(),
            self.tier.clone().into(),
        ]
    }
}
