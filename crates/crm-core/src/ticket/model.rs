//! Tickets (工单) and their messages.

use crate::error::CrmResult;
use crate::ids::{CustomerId, TenantId, TicketId, TicketMessageId, UserId};
use crate::sla::{Channel, Priority, TicketSla, TicketStatus};
use crate::store::{Entity, Record, SqlValue};
use crate::validate::{optional_text, required_text, MAX_NAME, MAX_NOTE};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A satisfaction rating (once, after resolution).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Satisfaction {
    /// 1–5.
    pub rating: u8,
    /// Comment.
    pub comment: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// A ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Ticket {
    /// Tenant.
    pub tenant: TenantId,
    /// Id.
    pub id: TicketId,
    /// Optimistic version.
    #[serde(default)]
    pub version: i64,
    /// The customer.
    pub customer_id: CustomerId,
    /// Subject.
    pub subject: String,
    /// Description.
    pub description: String,
    /// Channel.
    pub channel: Channel,
    /// Category.
    pub category: Option<String>,
    /// Priority.
    pub priority: Priority,
    /// Status.
    pub status: TicketStatus,
    /// Assigned agent.
    pub assignee_id: Option<UserId>,
    /// Group.
    pub group: Option<String>,
    /// Created by (agent or system).
    pub created_by: Option<UserId>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Updated at.
    pub updated_at: DateTime<Utc>,
    /// Last resolution.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Times reopened.
    pub reopened: u32,
    /// SLA clocks, when a policy applied.
    pub sla: Option<TicketSla>,
    /// Satisfaction.
    pub satisfaction: Option<Satisfaction>,
}

impl Record for Ticket {
    const ENTITY: Entity = Entity::Ticket;
    fn tenant(&self) -> TenantId {
        self.tenant
    }
    fn raw_id(&self) -> i64 {
        self.id.into()
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
            self.assignee_id.map(|u| u.0).into(),
            self.group.clone().into(),
            self.status.as_str().into(),
            self.priority.as_str().into(),
            self.created_at.into(),
            self.sla.as_ref().and_then(|s| s.next_check_at).into(),
        ]
    }
}

/// A new ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NewTicket {
    /// The customer.
    pub customer_id: CustomerId,
    /// Subject (required).
    pub subject: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Channel.
    pub channel: Channel,
    /// Category.
    #[serde(default)]
    pub category: Option<String>,
    /// Priority (default normal).
    #[serde(default = "normal")]
    pub priority: Priority,
    /// Assign directly (skips routing).
    #[serde(default)]
    pub assignee_id: Option<UserId>,
    /// Put in a group directly (routing picks the agent).
    #[serde(default)]
    pub group: Option<String>,
}

fn normal() -> Priority {
    Priority::Normal
}

impl NewTicket {
    /// Validated text fields (subject, description, category).
    pub fn texts(&self) -> CrmResult<(String, String, Option<String>)> {
        Ok((
            required_text(&self.subject, "subject", MAX_NAME)?,
            optional_text(Some(&self.description), "description", MAX_NOTE)?.unwrap_or_default(),
            optional_text(self.category.as_deref(), "category", 100)?,
        ))
    }
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MessageAuthor {
    /// The customer (recorded by an agent or the host).
    Customer,
    /// An agent.
    Agent,
}

/// A message on a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TicketMessage {
    /// Tenant.
    pub tenant: TenantId,
    /// Id.
    pub id: TicketMessageId,
    /// Version (not updated).
    #[serde(default)]
    pub version: i64,
    /// The ticket.
    pub ticket_id: TicketId,
    /// The ticket's customer (for scoping).
    pub customer_id: CustomerId,
    /// Customer or agent.
    pub author: MessageAuthor,
    /// The agent, for agent messages.
    pub agent_id: Option<UserId>,
    /// Public (seen by the customer) or internal note.
    pub public: bool,
    /// Text.
    pub body: String,
    /// When.
    pub at: DateTime<Utc>,
}

impl Record for TicketMessage {
    const ENTITY: Entity = Entity::TicketMessage;
    fn tenant(&self) -> TenantId {
        self.tenant
    }
    fn raw_id(&self) -> i64 {
        self.id.into()
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn set_version(&mut self, version: i64) {
        self.version = version;
    }
    fn columns(&self) -> Vec<SqlValue> {
        vec![
            self.ticket_id.into(),
            self.customer_id.0.into(),
            self.at.into(),
        ]
    }
}
