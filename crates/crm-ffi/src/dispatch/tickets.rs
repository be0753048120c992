//! `ticket.*`: tickets (工单) with SLA clocks: create (routed), messages, status, assignment,
//! satisfaction rating, reading and listing.

use super::{ById, Op, Request};
use crate::error::FfiResult;
use crm_core::ids::UserId;
use crm_core::service::{MessageInput, TicketFilter};
use crm_core::ticket::{NewTicket, TicketStatus};
use serde::Deserialize;

pub(super) const OPS: &[Op] = &[
    Op {
        name: "ticket.create",
        calls: "create_ticket",
        summary: "Opens a ticket (routed to a group or agent unless given) and starts its SLA clocks. Returns the ticket with its SLA state.",
        request: r#"{"customer_id": "int", "subject": "string", "description?": "string", "channel": "email | web_form | phone | api | chat", "category?": "string", "priority?": "low | normal | high | urgent, default normal", "assignee_id?": "int", "group?": "string"}"#,
        handler: create,
        access: None,
        schemas: None,
    },
    Op {
        name: "ticket.add_message",
        calls: "add_ticket_message",
        summary: "Adds a customer message or an agent reply / internal note; moves the response clocks.",
        request: r#"{"id": "int (ticket)", "message": {"author": "customer | agent", "public?": "bool, default true", "body": "string"}}"#,
        handler: add_message,
        access: None,
        schemas: None,
    },
    Op {
        name: "ticket.set_status",
        calls: "set_ticket_status",
        summary: "Changes a ticket's status; pauses, stops or restarts its SLA clocks.",
        request: r#"{"id": "int", "status": "new | open | waiting_on_customer | on_hold | resolved | closed"}"#,
        handler: set_status,
        access: None,
        schemas: None,
    },
    Op {
        name: "ticket.assign",
        calls: "assign_ticket",
        summary: "Assigns a ticket to an agent and/or a group.",
        request: r#"{"id": "int", "assignee_id?": "int", "group?": "string"}"#,
        handler: assign,
        access: None,
        schemas: None,
    },
    Op {
        name: "ticket.rate",
        calls: "rate_ticket",
        summary: "Records the satisfaction rating of a resolved ticket (once).",
        request: r#"{"id": "int", "rating": "int 1..=5", "comment?": "string"}"#,
        handler: rate,
        access: None,
        schemas: None,
    },
    Op {
        name: "ticket.reapply_sla",
        calls: "reapply_sla",
        summary: "Recomputes a ticket's SLA deadlines under the current policy and calendar.",
        request: r#"{"id": "int"}"#,
        handler: reapply_sla,
        access: None,
        schemas: None,
    },
    Op {
        name: "ticket.get",
        calls: "get_ticket",
        summary: "One ticket with its SLA state; fields the actor's ticket field rules withhold are absent and listed in hidden_fields.",
        request: r#"{"id": "int"}"#,
        handler: get,
        access: None,
        schemas: None,
    },
    Op {
        name: "ticket.messages",
        calls: "ticket_messages",
        summary: "The messages of a ticket, oldest first.",
        request: r#"{"id": "int"}"#,
        handler: messages,
        access: None,
        schemas: None,
    },
    Op {
        name: "ticket.list",
        calls: "list_tickets",
        summary: "A page of the tickets the actor may read: {items, next_after}.",
        request: r#"{"status?": "…", "assignee_id?": "int", "group?": "string", "priority?": "low | normal | high | urgent", "after?": "int", "limit?": "int 1..=500, default 50"}"#,
        handler: list,
        access: None,
        schemas: None,
    },
];

fn create(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let input: NewTicket = r.parse()?;
    r.run(move |crm| async move { crm.create_ticket(actor, input).await })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddMessage {
    id: i64,
    message: MessageInput,
}

fn add_message(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: AddMessage = r.parse()?;
    r.run(move |crm| async move { crm.add_ticket_message(actor, req.id, req.message).await })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetStatus {
    id: i64,
    status: TicketStatus,
}

fn set_status(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: SetStatus = r.parse()?;
    r.run(move |crm| async move { crm.set_ticket_status(actor, req.id, req.status).await })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Assign {
    id: i64,
    #[serde(default)]
    assignee_id: Option<i64>,
    #[serde(default)]
    group: Option<String>,
}

fn assign(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: Assign = r.parse()?;
    r.run(move |crm| async move {
        crm.assign_ticket(actor, req.id, req.assignee_id.map(UserId), req.group)
            .await
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Rate {
    id: i64,
    rating: u8,
    #[serde(default)]
    comment: Option<String>,
}

fn rate(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: Rate = r.parse()?;
    r.run(move |crm| async move {
        crm.rate_ticket(actor, req.id, req.rating, req.comment)
            .await
    })
}

fn reapply_sla(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: ById = r.parse()?;
    r.run(move |crm| async move { crm.reapply_sla(actor, req.id).await })
}

fn get(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: ById = r.parse()?;
    r.run(move |crm| async move { crm.get_ticket(actor, req.id).await })
}

fn messages(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: ById = r.parse()?;
    r.run(move |crm| async move { crm.ticket_messages(actor, req.id).await })
}

fn list(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let filter: TicketFilter = r.parse()?;
    r.run(move |crm| async move { crm.list_tickets(actor, filter).await })
}
