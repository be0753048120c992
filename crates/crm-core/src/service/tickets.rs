//! Ticket operations: create (routing and SLA policy), messages (responses), status
//! (pause, resume, resolve, reopen), assignment, satisfaction, reads.

use super::{json, transact, Crm, Ctx, Page};
use crate::access::{Action, Module, ViewContext};
use crate::actor::Actor;
use crate::customer::Customer;
use crate::error::{CrmError, CrmResult};
use crate::ids::UserId;
use crate::sla::{display, select_policy, MetricKind, SlaDisplay, SlaPolicy, TicketSla};
use crate::store::{Changes, Entity, EventKind, Filter, Order, Query, SqlValue, Store, StoreExt};
use crate::ticket::{
    least_loaded, MessageAuthor, NewTicket, Priority, RouteTarget, Satisfaction, Ticket,
    TicketMessage, TicketStatus,
};
use crate::validate::{optional_text, required_text, MAX_NOTE};
use crate::view::VisibleJson;
use serde::{Deserialize, Serialize};

/// A ticket with its SLA display status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TicketView {
    /// The ticket.
    pub ticket: Ticket,
    /// Breached > paused > first response due > resolution due > achieved.
    pub sla_status: Option<SlaDisplay>,
}

/// A message to add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MessageInput {
    /// Customer or agent.
    pub author: MessageAuthor,
    /// Public reply or internal note (agent messages).
    #[serde(default = "yes")]
    pub public: bool,
    /// Text.
    pub body: String,
}

fn yes() -> bool {
    true
}

/// Filters for listing tickets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default)]
pub struct TicketFilter {
    /// Status.
    pub status: Option<TicketStatus>,
    /// Assignee.
    pub assignee_id: Option<UserId>,
    /// Group.
    pub group: Option<String>,
    /// Priority.
    pub priority: Option<Priority>,
    /// Keyset cursor.
    pub after: Option<i64>,
    /// Page size.
    pub limit: Option<u32>,
}

/// Ticket states that count as open (neither resolved nor closed).
pub(crate) const OPEN_STATUSES: [TicketStatus; 4] = [
    TicketStatus::New,
    TicketStatus::Open,
    TicketStatus::WaitingOnCustomer,
    TicketStatus::OnHold,
];

impl<S: Store> Crm<S> {
    /// Loads a ticket the actor may `action`: its assignee in reach, or through its
    /// customer like any record hanging off a customer.
    async fn ticket_for(
        &self,
        ctx: &Ctx,
        id: i64,
        action: Action,
    ) -> CrmResult<(Ticket, Customer)> {
        let ticket = self
            .store()
            .load::<Ticket>(ctx.tenant.id, id)
            .await?
            .ok_or_else(|| CrmError::not_found("ticket", id))?;
        let customer = self
            .load_customer(ctx.tenant.id, ticket.customer_id)
            .await?;
        self.check_owned_child(ctx, Module::Tickets, action, ticket.assignee_id, &customer)
            .await?;
        Ok((ticket, customer))
    }

    async fn open_load(&self, ctx: &Ctx, agent: UserId) -> CrmResult<u64> {
        self.store()
            .count(
                &Query::new(Entity::Ticket, ctx.tenant.id)
                    .filter(Filter::eq("assignee_id", agent.0))
                    .filter(Filter::is_in(
                        "status",
                        OPEN_STATUSES
                            .iter()
                            .map(|s| SqlValue::from(s.as_str()))
                            .collect(),
                    )),
            )
            .await
    }

    /// The least-loaded agent of a group.
    pub(crate) async fn pick_agent(&self, ctx: &Ctx, group: &str) -> CrmResult<Option<UserId>> {
        let Some(g) = ctx.tenant.settings.tickets.group(group) else {
            return Err(CrmError::validation(
                "group",
                format!("no ticket group {}", crate::validate::quote(group)),
            ));
        };
        let mut loads = std::collections::BTreeMap::new();
        for a in &g.agents {
            loads.insert(*a, self.open_load(ctx, *a).await?);
        }
        Ok(least_loaded(&g.agents, |a| {
            loads.get(&a).copied().unwrap_or(0)
        }))
    }

    /// Creates a ticket: routes it (unless assigned), picks the SLA policy and starts its
    /// clocks.
    pub async fn create_ticket(&self, actor: Actor, input: NewTicket) -> CrmResult<VisibleJson> {
        crate::validate::texts(&input, "")?;
        let (subject, description, category) = input.texts()?;
        let id = self.new_id(Entity::Ticket).await?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let customer = self.load_customer(ctx.tenant.id, input.customer_id).await?;
            let team = self.load_team(ctx.tenant.id, customer.id).await?;
            if !ctx.access.reaches_child(
                Module::Tickets,
                Action::Create,
                customer.owner_id,
                customer.pool_id.map(|p| p.0),
                &team,
                ctx.now,
            ) {
                return Err(CrmError::PermissionDenied {
                    module: "tickets".into(),
                    action: "create".into(),
                    field: None,
                });
            }
            // Fields the creator sets must be editable to them (a routed group is the
            // engine's choice, not the creator's).
            let mut written = vec!["subject"];
            if !description.is_empty() {
                written.push("description");
            }
            if category.is_some() {
                written.push("category");
            }
            if input.group.is_some() {
                written.push("group");
            }
            ctx.access.check_editable(Module::Tickets, &written)?;
            let settings = &ctx.tenant.settings.tickets;
            let (group, assignee) = match (&input.assignee_id, &input.group) {
                (Some(a), g) => {
                    let user = ctx
                        .access
                        .org()
                        .users
                        .get(a)
                        .ok_or_else(|| CrmError::not_found("user", a))?;
                    if !user.active {
                        return Err(CrmError::validation("assignee_id", "user is inactive"));
                    }
                    (g.clone(), Some(*a))
                }
                (None, Some(g)) => (Some(g.clone()), self.pick_agent(&ctx, g).await?),
                (None, None) => match settings
                    .route(
                        &subject,
                        &description,
                        input.channel,
                        customer.tier.as_deref(),
                        input.priority,
                    )
                    .cloned()
                {
                    Some(RouteTarget::Group { name }) => {
                        let agent = self.pick_agent(&ctx, &name).await?;
                        (Some(name), agent)
                    }
                    Some(RouteTarget::Agent { user_id }) => (None, Some(user_id)),
                    None => (None, None),
                },
            };
            let policies: Vec<SlaPolicy> = self
                .store()
                .load_all(&Query::new(Entity::SlaPolicy, ctx.tenant.id))
                .await?;
            let sla = match select_policy(
                &policies,
                input.priority,
                customer.tier.as_deref(),
                input.channel,
                category.as_deref(),
            ) {
                None => None,
                Some(p) => {
                    let (cal, compiled) = self.compiled_calendar(&ctx, p.calendar_id).await?;
                    let t = p.targets.get(input.priority);
                    Some(TicketSla::start(
                        (p.id, p.version),
                        (cal.id, cal.version),
                        t.first_response_secs,
                        t.resolution_secs,
                        p.warnings.clone(),
                        p.escalations.clone(),
                        p.closed_counts_as_paused,
                        ctx.now,
                        &compiled,
                    ))
                }
            };
            let ticket = Ticket {
                tenant: ctx.tenant.id,
                id,
                version: 1,
                customer_id: customer.id,
                subject: subject.clone(),
                description: description.clone(),
                channel: input.channel,
                category: category.clone(),
                priority: input.priority,
                status: TicketStatus::New,
                assignee_id: assignee,
                group,
                created_by: ctx.access.user().map(|u| u.id),
                created_at: ctx.now,
                updated_at: ctx.now,
                resolved_at: None,
                reopened: 0,
                sla,
                satisfaction: None,
            };
            let mut changes = Changes::new(ctx.tenant.id);
            changes.insert(&ticket)?;
            changes.audit(ctx.audit(
                "ticket.create",
                Entity::Ticket,
                id,
                serde_json::Value::Null,
                json(&ticket),
            ));
            changes.event(ctx.event(
                EventKind::TicketCreated,
                Entity::Ticket,
                id,
                serde_json::json!({ "customer_id": customer.id, "assignee_id": ticket.assignee_id, "group": ticket.group, "priority": ticket.priority, "policy_id": ticket.sla.as_ref().map(|s| s.policy_id) }),
            ));
            let view = TicketView {
                sla_status: ticket.sla.as_ref().map(|s| display(s, ctx.now)),
                ticket,
            };
            Ok((
                changes,
                ctx.show(Entity::Ticket, &view, ViewContext::Detail),
            ))
        })
    }

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
        ticket_id: i64,
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
                id: msg_id,
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
        ticket_id: i64,
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
        ticket_id: i64,
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
        ticket_id: i64,
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
    pub async fn reapply_sla(&self, actor: Actor, ticket_id: i64) -> CrmResult<VisibleJson> {
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

    /// One ticket (with its SLA display status), as the actor's ticket field rules let them
    /// see it.
    pub async fn get_ticket(&self, actor: Actor, ticket_id: i64) -> CrmResult<VisibleJson> {
        let ctx = self.ctx(actor).await?;
        let (t, _) = self.ticket_for(&ctx, ticket_id, Action::Read).await?;
        let view = TicketView {
            sla_status: t.sla.as_ref().map(|s| display(s, ctx.now)),
            ticket: t,
        };
        Ok(ctx.show(Entity::Ticket, &view, ViewContext::Detail))
    }

    /// Messages of a ticket, oldest first (internal notes included for agents).
    pub async fn ticket_messages(
        &self,
        actor: Actor,
        ticket_id: i64,
    ) -> CrmResult<Vec<TicketMessage>> {
        let ctx = self.ctx(actor).await?;
        self.ticket_for(&ctx, ticket_id, Action::Read).await?;
        self.store()
            .load_all(
                &Query::new(Entity::TicketMessage, ctx.tenant.id)
                    .filter(Filter::eq("ticket_id", ticket_id)),
            )
            .await
    }

    /// A page of the tickets the actor may read (scope pushed into the query).
    pub async fn list_tickets(
        &self,
        actor: Actor,
        filter: TicketFilter,
    ) -> CrmResult<Page<VisibleJson>> {
        crate::validate::texts(&filter, "")?;
        let ctx = self.ctx(actor).await?;
        let (mut q, limit) = ctx.scoped_page(
            Module::Tickets,
            Entity::Ticket,
            Order::IdDesc,
            filter.after,
            filter.limit,
        )?;
        if let Some(s) = filter.status {
            q = q.filter(Filter::eq("status", s.as_str()));
        }
        if let Some(a) = filter.assignee_id {
            q = q.filter(Filter::eq("assignee_id", a.0));
        }
        if let Some(g) = &filter.group {
            ctx.require_readable(
                Module::Tickets,
                &ctx.access.field_policy(Module::Tickets),
                "group",
            )?;
            q = q.filter(Filter::eq("group_name", g.clone()));
        }
        if let Some(p) = filter.priority {
            q = q.filter(Filter::eq("priority", p.as_str()));
        }
        let rows: Vec<Ticket> = self.store().load_all(&q).await?;
        Ok(Page::of(rows, limit, |t| {
            let view = TicketView {
                sla_status: t.sla.as_ref().map(|s| display(s, ctx.now)),
                ticket: t,
            };
            ctx.show(Entity::Ticket, &view, ViewContext::List)
        }))
    }
}
