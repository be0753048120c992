//! `ticket.*`: tickets (工单) with SLA clocks: create (routed), messages, status, assignment,
//! satisfaction rating, reading and listing.

use super::{facet, operation};
use crate::ids::{TicketId, UserId};
pub use crate::service::TicketFilter;
use crate::service::{MessageInput, Page};
pub use crate::ticket::NewTicket;
use crate::ticket::{TicketMessage, TicketStatus};
use crate::view::VisibleJson;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

facet!(
    /// Service tickets (工单) with SLA clocks.
    tickets -> TicketOps {
        create: NewTicket,
        add_message: AddTicketMessage,
        set_status: SetTicketStatus,
        assign: AssignTicket,
        rate: RateTicket,
        reapply_sla: ReapplySla,
        get: GetTicket,
        messages: TicketMessages,
        list: TicketFilter,
    }
);

operation!(NewTicket, "ticket.create", Tickets, Create, VisibleJson,
    "Opens a ticket (routed to a group or agent unless given) and starts its SLA clocks. Returns the ticket with its SLA state.",
    |crm, actor, r| crm.create_ticket(actor, r));

/// Adds a customer message or an agent reply / internal note to a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddTicketMessage {
    /// The ticket.
    pub id: TicketId,
    /// The message.
    pub message: MessageInput,
}

operation!(
    AddTicketMessage,
    "ticket.add_message",
    Tickets,
    Update,
    VisibleJson,
    "Adds a customer message or an agent reply / internal note; moves the response clocks.",
    |crm, actor, r| crm.add_ticket_message(actor, r.id, r.message)
);

/// Changes a ticket's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetTicketStatus {
    /// The ticket.
    pub id: TicketId,
    /// The new status.
    pub status: TicketStatus,
}

operation!(
    SetTicketStatus,
    "ticket.set_status",
    Tickets,
    Update,
    VisibleJson,
    "Changes a ticket's status; pauses, stops or restarts its SLA clocks.",
    |crm, actor, r| crm.set_ticket_status(actor, r.id, r.status)
);

/// Assigns a ticket to an agent and/or a group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignTicket {
    /// The ticket.
    pub id: TicketId,
    /// The agent.
    #[serde(default)]
    pub assignee_id: Option<UserId>,
    /// The group.
    #[serde(default)]
    pub group: Option<String>,
}

operation!(
    AssignTicket,
    "ticket.assign",
    Tickets,
    Update,
    VisibleJson,
    "Assigns a ticket to an agent and/or a group.",
    |crm, actor, r| crm.assign_ticket(actor, r.id, r.assignee_id, r.group)
);

/// Records the satisfaction rating of a resolved ticket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateTicket {
    /// The ticket (resolved, not yet rated).
    pub id: TicketId,
    /// The rating, 1..=5.
    pub rating: u8,
    /// The customer's comment.
    #[serde(default)]
    pub comment: Option<String>,
}

operation!(
    RateTicket,
    "ticket.rate",
    Tickets,
    Update,
    VisibleJson,
    "Records the satisfaction rating of a resolved ticket (once).",
    |crm, actor, r| crm.rate_ticket(actor, r.id, r.rating, r.comment)
);

/// Recomputes a ticket's SLA deadlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReapplySla {
    /// The ticket.
    pub id: TicketId,
}

operation!(
    ReapplySla,
    "ticket.reapply_sla",
    Tickets,
    Update,
    VisibleJson,
    "Recomputes a ticket's SLA deadlines under the current policy and calendar.",
    |crm, actor, r| crm.reapply_sla(actor, r.id)
);

/// Reads one ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetTicket {
    /// The ticket.
    pub id: TicketId,
}

operation!(GetTicket, "ticket.get", Tickets, Read, VisibleJson,
    "One ticket with its SLA state; fields the actor's ticket field rules withhold are absent and listed in hidden_fields.",
    |crm, actor, r| crm.get_ticket(actor, r.id));

/// The messages of a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketMessages {
    /// The ticket.
    pub id: TicketId,
}

operation!(
    TicketMessages,
    "ticket.messages",
    Tickets,
    Read,
    Vec<TicketMessage>,
    "The messages of a ticket, oldest first.",
    |crm, actor, r| crm.ticket_messages(actor, r.id)
);

operation!(
    TicketFilter,
    "ticket.list",
    Tickets,
    Read,
    Page<VisibleJson>,
    "A page of the tickets the actor may read: {items, next_after}.",
    |crm, actor, r| crm.list_tickets(actor, r)
);
