//! Working a ticket: messages (responses), status (pause, resume, resolve, reopen),
//! assignment, satisfaction, and re-applying its SLA policy — each moving the SLA clocks.

use super::tickets::{MessageInput, TicketView};
use super::{json, transact, Crm, Ctx};
use crate::access::{Action, Module, ViewContext};
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::ids::{TicketId, UserId};
use crate::sla::{display, MetricKind, SlaPolicy};
use crate::store::{Changes, Entity, EventKind, Store, StoreExt};
use crate::ticket::{MessageAuthor, Satisfaction, Ticket, TicketMessage, TicketStatus};
use crate::validate::{optional_text, required_text, MAX_NOTE};
use crate::view::VisibleJson;

impl<S: Store> Crm<S> {
    /// The current policy of a ticket's SLA (for next-response targets and paused statuses).
    async fn ticket_policy(&self, ctx: &Ctx, t: &Ticket) -> CrmResult<Option<SlaPolicy>> {
        match &t.sla {
            None => Ok(None),
            Some(s) => {
                self.store()
                    .load::<SlaPolicy>(ctx.tenant.id, s.policy_id)
                    .await
            }
        }
    }

    /// Adds a message. A public agent reply completes the first and next responses; a
    /// customer message starts a next-response clock (repeated ones do not move it) and
    /// takes a ticket waiting on the customer back to open.
    pub async fn add_ticket_message(
        &self,
        actor: Actor,
        ticket_id: TicketId,
        input: MessageInput,
    ) -> CrmResult<VisibleJson> {
        crate::validate::texts(&input, "")?;
        let body = required_text(&input.body, "body", MAX_NOTE)?;
        let msg_id = self.new_id(Entity::TicketMessage).await?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let (before, _) = self.ticket_for(&ctx, ticket_id, Action::Update).await?;
            let mut t = before.clone();
            let policy = self.ticket_policy(&ctx, &t).await?;
            if let Some(sla) = t.sla.as_mut() {
                let (_, cal) = self.compiled_calendar(&ctx, sla.calendar_id).await?;
                match input.author {
                    MessageAuthor::Agent if input.public => {
                        sla.complete(MetricKind::FirstResponse, ctx.now, &cal);
                        sla.complete(MetricKind::NextResponse, ctx.now, &cal);
                    }
                    MessageAuthor::Agent => {}
                    MessageAuthor::Customer => {
                        let next = policy
                            .as_ref()
                            .map(|p| p.targets.get(t.priority).next_response_secs)
                            .unwrap_or(0);
                        sla.customer_message(ctx.now, next, &cal);
                        if t.status == TicketStatus::WaitingOnCustomer {
                            sla.resume(ctx.now, &cal);
                        }
                    }
                }
            }
            if input.author == MessageAuthor::Customer
                && t.status == TicketStatus::WaitingOnCustomer
            {
                t.status = TicketStatus::Open;
            }
            if input.author == MessageAuthor::Agent && input.public && t.status == TicketStatus::New
            {
                t.status = TicketStatus::Open;
            }
            t.updated_at = ctx.now;
            let message = TicketMessage {
                tenant: ctx.tenant.id,
                id: msg_id.into(),
                version: 1,
                ticket_id,
                customer_id: t.customer_id,
                author: input.author,
                agent_id: if input.author == MessageAuthor::Agent {
                    ctx.access.user().map(|u| u.id)
                } else {
                    None
                },
                public: input.public || input.author == MessageAuthor::Customer,
                body: body.clone(),
                at: ctx.now,
            };
            let mut changes = Changes::new(ctx.tenant.id);
            changes.insert(&message)?;
            changes.update(&t)?;
            changes.audit(ctx.audit(
                "ticket.message",
                Entity::Ticket,
                ticket_id,
                json(&before),
                json(&t),
            ));
            changes.event(ctx.event(
                EventKind::TicketMessageAdded,
                Entity::Ticket,
                ticket_id,
                serde_json::json!({ "author": input.author, "public": message.public }),
            ));
            let view = TicketView {
                sla_status: t.sla.as_ref().map(|s| display(s, ctx.now)),
                ticket: Ticket {
                    version: t.version + 1,
                    ..t
                },
            };
            Ok((
                changes,
                ctx.show(Entity::Ticket, &view, ViewContext::Detail),
            ))
        })
    }

    /// Changes a ticket's status, moving its clocks: paused statuses pause them, running
    /// ones resume, resolved/closed complete the resolution, leaving resolved/closed reopens.
    pub async fn set_ticket_status(
        &self,
        actor: Actor,
        ticket_id: TicketId,
        status: TicketStatus,
    ) -> CrmResult<VisibleJson> {
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let (before, _) = self.ticket_for(&ctx, ticket_id, Action::Update).await?;
            let mut t = before.clone();
            if t.status == status {
                return Ok((
                    Changes::new(ctx.tenant.id),
                    ctx.show(
                        Entity::Ticket,
                        &TicketView {
                            sla_status: t.sla.as_ref().map(|s| display(s, ctx.now)),
                            ticket: t,
                        },
                        ViewContext::Detail,
                    ),
                ));
            }
            let policy = self.ticket_policy(&ctx, &t).await?;
            let paused_statuses = policy
                .map(|p| p.paused_statuses)
                .unwrap_or_else(|| vec![TicketStatus::WaitingOnCustomer, TicketStatus::OnHold]);
            let was_done = t.status.is_done();
            if let Some(sla) = t.sla.as_mut() {
                let (_, cal) = self.compiled_calendar(&ctx, sla.calendar_id).await?;
                if was_done && !status.is_done() {
                    sla.reopen(t.resolved_at.unwrap_or(ctx.now), ctx.now, &cal);
                }
                if status.is_done() && !was_done {
                    sla.resume(ctx.now, &cal);
                    sla.close(ctx.now, &cal);
                } else if paused_statuses.contains(&status) {
                    sla.pause(ctx.now, &cal);
                } else if !status.is_done() {
                    sla.resume(ctx.now, &cal);
                }
            }
            if was_done && !status.is_done() {
                t.reopened += 1;
            }
            if status.is_done() && !was_done {
                t.resolved_at = Some(ctx.now);
            }
            t.status = status;
            t.updated_at = ctx.now;
            let mut changes = Changes::new(ctx.tenant.id);
            changes.update(&t)?;
            changes.audit(ctx.audit(
                "ticket.status",
                Entity::Ticket,
                ticket_id,
                json(&before),
                json(&t),
            ));
            changes.event(ctx.event(
                EventKind::TicketUpdated,
                Entity::Ticket,
                ticket_id,
                serde_json::json!({ "from": before.status, "to": status }),
            ));
            let view = TicketView {
                sla_status: t.sla.as_ref().map(|s| display(s, ctx.now)),
                ticket: Ticket {
                    version: t.version + 1,
                    ..t
                },
            };
            Ok((
                changes,
                ctx.show(Entity::Ticket, &view, ViewContext::Detail),
            ))
        })
    }

    /// Assigns a ticket to an agent, or to a group's least-loaded agent.
    pub async fn assign_ticket(
        &self,
        actor: Actor,
        ticket_id: TicketId,
        assignee: Option<UserId>,
        group: Option<String>,
    ) -> CrmResult<VisibleJson> {
        crate::validate::texts(&group, "group")?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let (before, _) = self.ticket_for(&ctx, ticket_id, Action::Update).await?;
            if group.is_some() {
                ctx.access.check_editable(Module::Tickets, &["group"])?;
            }
            let mut t = before.clone();
            match (assignee, &group) {
                (Some(a), g) => {
                    if !ctx.access.org().users.get(&a).is_some_and(|u| u.active) {
                        return Err(CrmError::validation(
                            "assignee_id",
                            format!("no active user {a}"),
                        ));
                    }
                    t.assignee_id = Some(a);
                    if g.is_some() {
                        t.group = g.clone();
                    }
                }
                (None, Some(g)) => {
                    t.assignee_id = self.pick_agent(&ctx, g).await?;
                    t.group = Some(g.clone());
                }
                (None, None) => {
                    return Err(CrmError::validation(
                        "assignee_id",
                        "give an assignee or a group",
                    ))
                }
            }
            t.updated_at = ctx.now;
            let mut changes = Changes::new(ctx.tenant.id);
            changes.update(&t)?;
            changes.audit(ctx.audit(
                "ticket.assign",
                Entity::Ticket,
                ticket_id,
                json(&before),
                json(&t),
            ));
            changes.event(ctx.event(
                EventKind::TicketUpdated,
                Entity::Ticket,
                ticket_id,
                serde_json::json!({ "assignee_id": t.assignee_id, "group": t.group }),
            ));
            let view = TicketView {
                sla_status: t.sla.as_ref().map(|s| display(s, ctx.now)),
                ticket: Ticket {
                    version: t.version + 1,
                    ..t
                },
            };
            Ok((
                changes,
                ctx.show(Entity::Ticket, &view, ViewContext::Detail),
            ))
        })
    }

    /// Records the customer's satisfaction (1–5, once, after resolution).
    pub async fn rate_ticket(
        &self,
        actor: Actor,
        ticket_id: TicketId,
        rating: u8,
        comment: Option<String>,
    ) -> CrmResult<VisibleJson> {
        crate::validate::texts(&comment, "comment")?;
        if !(1..=5).contains(&rating) {
            return Err(CrmError::validation("rating", "must be 1..=5"));
        }
        let comment = optional_text(comment.as_deref(), "comment", MAX_NOTE)?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let (before, _) = self.ticket_for(&ctx, ticket_id, Action::Update).await?;
            ctx.access
                .check_editable(Module::Tickets, &["satisfaction"])?;
            if !before.status.is_done() {
                return Err(CrmError::rule(
                    "not_resolved",
                    "rate a ticket after it is resolved",
                ));
            }
            if before.satisfaction.is_some() {
                return Err(CrmError::rule("already_rated", "a ticket is rated once"));
            }
            let t = Ticket {
                satisfaction: Some(Satisfaction {
                    rating,
                    comment: comment.clone(),
                    at: ctx.now,
                }),
                updated_at: ctx.now,
                ..before.clone()
            };
            let mut changes = Changes::new(ctx.tenant.id);
            changes.update(&t)?;
            changes.audit(ctx.audit(
                "ticket.rate",
                Entity::Ticket,
                ticket_id,
                json(&before),
                json(&t),
            ));
            changes.event(ctx.event(
                EventKind::TicketRated,
                Entity::Ticket,
                ticket_id,
                serde_json::json!({ "rating": rating }),
            ));
            let view = TicketView {
                sla_status: t.sla.as_ref().map(|s| display(s, ctx.now)),
                ticket: Ticket {
                    version: t.version + 1,
                    ..t
                },
            };
            Ok((
                changes,
                ctx.show(Entity::Ticket, &view, ViewContext::Detail),
            ))
        })
    }

    /// Re-applies the ticket's SLA policy and calendar in their current versions (after an
    /// edit): targets and due instants are recomputed from the same starts and pauses.
    pub async fn reapply_sla(&self, actor: Actor, ticket_id: TicketId) -> CrmResult<VisibleJson> {
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let (before, _) = self.ticket_for(&ctx, ticket_id, Action::Update).await?;
            let mut t = before.clone();
            let policy = self.ticket_policy(&ctx, &t).await?;
            if let (Some(sla), Some(p)) = (t.sla.as_mut(), policy) {
                let (cal, compiled) = self.compiled_calendar(&ctx, p.calendar_id).await?;
                let targets = p.targets.get(t.priority);
                for m in sla.metrics.iter_mut().filter(|m| m.is_open()) {
                    m.target_secs = match m.kind {
                        MetricKind::FirstResponse => targets.first_response_secs,
                        MetricKind::NextResponse => targets.next_response_secs,
                        MetricKind::Resolution => targets.resolution_secs,
                    };
                }
                sla.policy_version = p.version;
                sla.calendar_id = cal.id;
                sla.calendar_version = cal.version;
                sla.warnings = p.warnings.clone();
                sla.escalations = p.escalations.clone();
                sla.refresh(ctx.now, &compiled);
            }
            let mut changes = Changes::new(ctx.tenant.id);
            if t != before {
                changes.update(&t)?;
                changes.audit(ctx.audit(
                    "ticket.reapply_sla",
                    Entity::Ticket,
                    ticket_id,
                    json(&before),
                    json(&t),
                ));
            }
            let version = if t != before {
                t.version + 1
            } else {
                t.version
            };
            let view = TicketView {
                sla_status: t.sla.as_ref().map(|s| display(s, ctx.now)),
                ticket: Ticket { version, ..t },
            };
            Ok((
                changes,
                ctx.show(Entity::Ticket, &view, ViewContext::Detail),
            ))
        })
    }
}
