//! Ticket operations: create (routing and SLA policy) and reads; working a ticket is in
//! `ticket_handling`.

use super::{json, transact, Crm, Ctx, Page};
use crate::access::{Action, Module, ViewContext};
use crate::actor::Actor;
use crate::customer::Customer;
use crate::error::{CrmError, CrmResult};
use crate::ids::{TicketId, UserId};
use crate::sla::{display, select_policy, SlaDisplay, SlaPolicy, TicketSla};
use crate::store::{Changes, Entity, EventKind, Filter, Order, Query, SqlValue, Store, StoreExt};
use crate::ticket::{
    least_loaded, MessageAuthor, NewTicket, Priority, Routing, Ticket, TicketMessage, TicketStatus,
};
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
    pub(crate) async fn ticket_for(
        &self,
        ctx: &Ctx,
        id: TicketId,
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
            let customer = self
                .check_child(&ctx, Module::Tickets, Action::Create, input.customer_id)
                .await?;
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
            let routing =
                settings.route_ticket(&input, &subject, &description, customer.tier.as_deref());
            let (group, assignee) = match routing {
                Routing::Assigned { agent, group } => {
                    let user = ctx
                        .access
                        .org()
                        .users
                        .get(&agent)
                        .ok_or_else(|| CrmError::not_found("user", agent))?;
                    if !user.active {
                        return Err(CrmError::validation("assignee_id", "user is inactive"));
                    }
                    (group, Some(agent))
                }
                Routing::Group(name) => {
                    let agent = self.pick_agent(&ctx, &name).await?;
                    (Some(name), agent)
                }
                Routing::Agent(agent) => (None, Some(agent)),
                Routing::Unrouted => (None, None),
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
                        (p.id.into(), p.version),
                        (cal.id.into(), cal.version),
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
                id: id.into(),
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

    /// One ticket (with its SLA display status), as the actor's ticket field rules let them
    /// see it.
    pub async fn get_ticket(&self, actor: Actor, ticket_id: TicketId) -> CrmResult<VisibleJson> {
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
        ticket_id: TicketId,
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
