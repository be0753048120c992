//! The ticket classes an SLA policy matches on and pauses by: where a ticket came in, its
//! priority and its status. They live here, below both, so tickets (which carry an SLA) and
//! SLA policies (which match on these) do not depend on each other; the ticket module
//! re-exports them under their usual names.

use serde::{Deserialize, Serialize};

/// Where a ticket came in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Channel {
    /// E-mail.
    Email,
    /// Web form.
    WebForm,
    /// Phone.
    Phone,
    /// The host's API.
    Api,
    /// Chat.
    Chat,
}

/// Priority, ordered low to urgent.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Priority {
    /// Low.
    Low,
    /// Normal.
    Normal,
    /// High.
    High,
    /// Urgent.
    Urgent,
}

impl Priority {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    /// One step up (urgent stays urgent).
    pub fn raised(self) -> Priority {
        match self {
            Priority::Low => Priority::Normal,
            Priority::Normal => Priority::High,
            Priority::High | Priority::Urgent => Priority::Urgent,
        }
    }
}

/// Ticket status. Running: new, open; paused by default: waiting on customer, on hold;
/// stopped: resolved, closed.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TicketStatus {
    /// Just created.
    New,
    /// Being worked on.
    Open,
    /// Waiting for the customer.
    WaitingOnCustomer,
    /// On hold.
    OnHold,
    /// Resolved.
    Resolved,
    /// Closed.
    Closed,
}

impl TicketStatus {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::New => "new",
            TicketStatus::Open => "open",
            TicketStatus::WaitingOnCustomer => "waiting_on_customer",
            TicketStatus::OnHold => "on_hold",
            TicketStatus::Resolved => "resolved",
            TicketStatus::Closed => "closed",
        }
    }

    /// Resolved or closed.
    pub fn is_done(self) -> bool {
        matches!(self, TicketStatus::Resolved | TicketStatus::Closed)
    }
}
