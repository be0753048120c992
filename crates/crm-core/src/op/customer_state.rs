//! `customer.*` ops on a customer's pool-related state: lock (锁定), deal status (成交) and the
//! recycle countdown.

use super::operation;
use crate::customer::{Customer, DealStatus};
use crate::ids::CustomerId;
use crate::pool::RuleStatus;
use crate::view::Visible;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Locks or unlocks a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetLocked {
    /// The customer.
    pub id: CustomerId,
    /// Locked customers are exempt from recycling.
    pub locked: bool,
}

operation!(
    SetLocked,
    "customer.set_locked",
    Customers,
    Update,
    Visible<Customer>,
    "Locks (exempt from recycling) or unlocks a customer.",
    |crm, actor, r| crm.set_locked(actor, r.id, r.locked)
);

/// Marks a customer as dealt or not dealt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetDealStatus {
    /// The customer.
    pub id: CustomerId,
    /// `not_dealt` or `dealt`.
    pub deal_status: DealStatus,
}

operation!(
    SetDealStatus,
    "customer.set_deal_status",
    Customers,
    Update,
    Visible<Customer>,
    "Marks a customer as dealt (已成交) or not dealt.",
    |crm, actor, r| crm.set_deal_status(actor, r.id, r.deal_status)
);

/// The recycle countdown of one customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecycleCountdown {
    /// The customer.
    pub id: CustomerId,
}

operation!(
    RecycleCountdown,
    "customer.recycle_countdown",
    Customers,
    Read,
    Option<RuleStatus>,
    "The recycle rule that fires first for an owned customer (days_left, fires_at, …), or null.",
    |crm, actor, r| crm.recycle_countdown(actor, r.id)
);
