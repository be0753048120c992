//! The 360° view of a customer: everything the actor may see about it in one call.
//!
//! Every section is one indexed equality lookup on `customer_id` with a limit (no scans).
//! Sections of modules the actor may not read for this customer are `None`. Records are
//! presented the way their own services present them: customers, contacts and follow-ups
//! through their field policies; opportunities, contracts (with installments and sums) and
//! tickets redacted by their modules' field rules exactly as `get_opportunity`,
//! `get_contract` and `get_ticket` return them: withheld amounts are absent.

use super::tickets::{TicketView, OPEN_STATUSES};
use super::Crm;
use crate::access::{Action, Module, TeamMember, ViewContext};
use crate::actor::Actor;
use crate::contact::{visible_contact, Contact};
use crate::contract::Contract;
use crate::customer::Customer;
use crate::error::CrmResult;
use crate::followup::{visible_followup, FollowUp};
use crate::ids::CustomerId;
use crate::money::Currency;
use crate::opportunity::Opportunity;
use crate::pool::OwnerHistory;
use crate::sales::{summarize, today_in, Installment, InstallmentStatus, ReceivableSummary};
use crate::sla::display;
use crate::store::{Entity, Filter, Order, Query, SqlValue, Store, StoreExt};
use crate::ticket::Ticket;
use crate::view::{Visible, VisibleJson};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// How many recent follow-ups the 360° view carries.
pub const RECENT_FOLLOWUPS: u32 = 20;

/// How many opportunities the 360° view carries (newest first).
pub const VIEW_OPPORTUNITIES: u32 = 50;

/// How many contracts the 360° view carries (newest first).
pub const VIEW_CONTRACTS: u32 = 50;

/// How many open tickets the 360° view carries (newest first).
pub const VIEW_OPEN_TICKETS: u32 = 50;

/// How many owner/pool history rows the 360° view carries (newest first).
pub const VIEW_OWNER_HISTORY: u32 = 20;

/// One installment of a contract's receivable plan with what is paid and outstanding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InstallmentOverview {
    /// Index of the installment in the contract's plan (what payments target).
    pub index: usize,
    /// The installment as stored (due date, amount, percent, paid, written off, void).
    #[serde(flatten)]
    pub installment: Installment,
    /// `amount − paid − written_off`; zero when void.
    pub outstanding: Decimal,
    /// Status on today's date in the tenant's zone.
    pub status: InstallmentStatus,
}

impl InstallmentOverview {
    fn of(index: usize, installment: &Installment, today: NaiveDate) -> Self {
        InstallmentOverview {
            index,
            outstanding: installment.outstanding(),
            status: installment.status(today),
            installment: installment.clone(),
        }
    }
}

/// One contract of the customer with its installments and receivable sums.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ContractOverview {
    /// The contract, as `get_contract` returns it.
    pub contract: Contract,
    /// Its installments in plan order, each with paid and outstanding amounts.
    pub installments: Vec<InstallmentOverview>,
    /// Sums over the installments as of today (what `receivable_summary` returns).
    pub receivables: ReceivableSummary,
}

/// One customer with what hangs off it, masked per the actor's field permissions. Sections
/// the actor may not read are `None`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Customer360 {
    /// The customer (its tier and level are fields of the record).
    pub customer: Visible<Customer>,
    /// Owner's name.
    pub owner_name: Option<String>,
    /// Contacts, if the actor may read contacts of this customer.
    pub contacts: Option<Vec<Visible<Contact>>>,
    /// Most recent follow-ups (newest first, at most [`RECENT_FOLLOWUPS`]), if readable.
    pub recent_followups: Option<Vec<Visible<FollowUp>>>,
    /// Opportunities (newest first, at most [`VIEW_OPPORTUNITIES`]), if the actor may read
    /// opportunities of this customer.
    pub opportunities: Option<Vec<VisibleJson>>,
    /// Contracts with their installments (newest first, at most [`VIEW_CONTRACTS`]), if
    /// the actor may read contracts of this customer.
    /// Each is a [`ContractOverview`] with the actor's contract and receivable field rules
    /// applied.
    pub contracts: Option<Vec<VisibleJson>>,
    /// Tickets neither resolved nor closed, with their SLA display status (newest first,
    /// at most [`VIEW_OPEN_TICKETS`]), if the actor may read tickets of this customer.
    /// Each is a [`TicketView`] with the actor's ticket field rules applied.
    pub open_tickets: Option<Vec<VisibleJson>>,
    /// Live team members.
    pub team: Vec<TeamMember>,
    /// Changes of owner and pool (newest first, at most [`VIEW_OWNER_HISTORY`]). Readable by
    /// whoever reads the customer, so never withheld.
    pub owner_history: Vec<OwnerHistory>,
}

impl<S: Store> Crm<S> {
    /// The 360° view of a customer.
    pub async fn customer_360(&self, actor: Actor, id: CustomerId) -> CrmResult<Customer360> {
        let ctx = self.ctx(actor).await?;
        let (customer, team) = self.customer_for(&ctx, id, Action::Read).await?;
        let tenant = ctx.tenant.id;
        let can = |module| {
            ctx.access.reaches_child(
                module,
                Action::Read,
                customer.owner_id,
                customer.pool_id.map(|p| p.0),
                &team,
                ctx.now,
            )
        };
        let of_customer =
            |entity| Query::new(entity, tenant).filter(Filter::eq("customer_id", id.0));
        let contacts = if can(Module::Contacts) {
            let policy = ctx.contact_policy(customer.pool_id);
            let rows: Vec<Contact> = self.store().load_all(&of_customer(Entity::Contact)).await?;
            Some(
                rows.into_iter()
                    .map(|c| visible_contact(c, &policy, ViewContext::Detail))
                    .collect(),
            )
        } else {
            None
        };
        let recent_followups = if can(Module::FollowUps) {
            let policy = ctx.access.field_policy(Module::FollowUps);
            let rows: Vec<FollowUp> = self
                .store()
                .load_all(
                    &of_customer(Entity::FollowUp)
                        .order(Order::IdDesc)
                        .limit(RECENT_FOLLOWUPS),
                )
                .await?;
            Some(
                rows.into_iter()
                    .map(|f| visible_followup(f, &policy, ViewContext::Detail))
                    .collect(),
            )
        } else {
            None
        };
        let opportunities = if can(Module::Opportunities) {
            let rows: Vec<Opportunity> = self
                .store()
                .load_all(
                    &of_customer(Entity::Opportunity)
                        .order(Order::IdDesc)
                        .limit(VIEW_OPPORTUNITIES),
                )
                .await?;
            Some(
                rows.iter()
                    .map(|o| ctx.show(Entity::Opportunity, o, ViewContext::Detail))
                    .collect(),
            )
        } else {
            None
        };
        let contracts = if can(Module::Contracts) {
            let today = today_in(ctx.tenant.settings.tz()?, ctx.now);
            let rows: Vec<Contract> = self
                .store()
                .load_all(
                    &of_customer(Entity::Contract)
                        .order(Order::IdDesc)
                        .limit(VIEW_CONTRACTS),
                )
                .await?;
            Some(
                rows.into_iter()
                    .map(|k| {
                        let currency = Currency::parse(&k.pricing_input.currency, "currency")?;
                        Ok(ContractOverview {
                            installments: k
                                .installments
                                .iter()
                                .enumerate()
                                .map(|(i, it)| InstallmentOverview::of(i, it, today))
                                .collect(),
                            receivables: summarize(&k.installments, &currency, today)?,
                            contract: k,
                        })
                    })
                    .map(|o| o.map(|o| ctx.show(Entity::Contract, &o, ViewContext::Detail)))
                    .collect::<CrmResult<Vec<_>>>()?,
            )
        } else {
            None
        };
        let open_tickets = if can(Module::Tickets) {
            let rows: Vec<Ticket> = self
                .store()
                .load_all(
                    &of_customer(Entity::Ticket)
                        .filter(Filter::is_in(
                            "status",
                            OPEN_STATUSES
                                .iter()
                                .map(|s| SqlValue::from(s.as_str()))
                                .collect(),
                        ))
                        .order(Order::IdDesc)
                        .limit(VIEW_OPEN_TICKETS),
                )
                .await?;
            Some(
                rows.into_iter()
                    .map(|t| TicketView {
                        sla_status: t.sla.as_ref().map(|s| display(s, ctx.now)),
                        ticket: t,
                    })
                    .map(|v| ctx.show(Entity::Ticket, &v, ViewContext::Detail))
                    .collect(),
            )
        } else {
            None
        };
        let owner_history: Vec<OwnerHistory> = self
            .store()
            .load_all(
                &of_customer(Entity::OwnerHistory)
                    .order(Order::IdDesc)
                    .limit(VIEW_OWNER_HISTORY),
            )
            .await?;
        let owner_name = customer
            .owner_id
            .and_then(|o| ctx.access.org().users.get(&o))
            .map(|u| u.name.clone());
        let team = team.into_iter().filter(|m| m.is_live(ctx.now)).collect();
        let customer = ctx.present(customer, ViewContext::Detail);
        Ok(Customer360 {
            customer,
            owner_name,
            contacts,
            recent_followups,
            opportunities,
            contracts,
            open_tickets,
            team,
            owner_history,
        })
    }
}
