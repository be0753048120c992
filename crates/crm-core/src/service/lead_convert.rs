//! Converting a lead (转化): one atomic, idempotent unit of work that creates or links the
//! customer (through the customer duplicate check; linking fills only empty fields),
//! optionally a contact and an opportunity, and marks the lead converted with its links.
//! Refused before any write when the new owner would pass the held-customer limit.

use super::lead_loads::LoadBook;
use super::{json, transact, Crm, Ctx};
use crate::access::{Action, Module, ViewContext};
use crate::actor::Actor;
use crate::contact::Contact;
use crate::customer::{Customer, CustomerKind, NewCustomer};
use crate::error::{CrmError, CrmResult};
use crate::followup::FollowUp;
use crate::ids::{ContactId, CustomerId, LeadId, OpportunityId};
use crate::lead::{Conversion, Lead, LeadStatus};
use crate::service::NewOpportunity;
use crate::store::{Changes, Entity, EventKind, Filter, Order, Query, Store, StoreExt};
use crate::view::VisibleJson;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Follow-ups read per query when moving a lead's.
const PAGE: u32 = 500;

/// The opportunity a conversion opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConvertOpportunity {
    /// Name (default: the lead's company, else its name).
    #[serde(default)]
    pub name: Option<String>,
    /// Amount (default: the lead's estimated amount, with its currency).
    #[serde(default)]
    pub amount: Option<Decimal>,
    /// Currency of `amount` (default: the lead's).
    #[serde(default)]
    pub currency: Option<String>,
    /// Pipeline (default: `default`).
    #[serde(default)]
    pub pipeline: Option<String>,
    /// Open stage to start in.
    pub stage: String,
    /// Expected close date.
    pub expected_close: NaiveDate,
}

/// How to convert a lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConvertLead {
    /// The lead.
    pub id: LeadId,
    /// Link this customer (the actor must be able to update it) instead of the duplicate
    /// check's match or a new customer.
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    /// Also create a contact on the customer from the lead's name, phone and e-mail.
    #[serde(default)]
    pub contact: bool,
    /// Also open an opportunity.
    #[serde(default)]
    pub opportunity: Option<ConvertOpportunity>,
    /// Required to convert an unqualified lead.
    #[serde(default)]
    pub convert_unqualified: bool,
}

/// A conversion's links as the caller may see them: the customer and contact only to a
/// reader of the customer, the opportunity only to a reader of it (as in `lead.get`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ConversionLinks {
    /// When the lead was converted.
    pub at: chrono::DateTime<chrono::Utc>,
    /// Who converted it (none: the system actor).
    pub by: Option<crate::ids::UserId>,
    /// Whether the customer was created by the conversion (else linked).
    pub customer_created: bool,
    /// The customer.
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    /// The contact created.
    #[serde(default)]
    pub contact_id: Option<ContactId>,
    /// The opportunity opened.
    #[serde(default)]
    pub opportunity_id: Option<OpportunityId>,
}

impl ConversionLinks {
    /// The links shown in a lead view (its `conversion`).
    fn of(shown: &VisibleJson) -> CrmResult<Self> {
        serde_json::from_value(shown.record["conversion"].clone())
            .map_err(|e| CrmError::Storage(format!("a converted lead's links: {e}")))
    }
}

/// What a conversion made, or found made by an earlier one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LeadConversion {
    /// True when the lead had been converted already (by an earlier or a concurrent call):
    /// nothing was written and the links are the existing ones.
    pub already_converted: bool,
    /// The links, as the caller may see them.
    pub conversion: ConversionLinks,
    /// The lead as the actor sees it.
    pub lead: VisibleJson,
}

impl<S: Store> Crm<S> {
    /// Converts a lead (see the module docs).
    pub async fn convert_lead(
        &self,
        actor: Actor,
        request: ConvertLead,
    ) -> CrmResult<LeadConversion> {
        crate::validate::texts(&request, "")?;
        let customer_id = CustomerId(self.new_id(Entity::Customer).await?);
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let lead = self.lead_for(&ctx, request.id, Action::Update).await?;
            if lead.conversion.is_some() {
                let shown = self.lead_view(&ctx, lead, ViewContext::Detail).await?;
                return Ok((
                    Changes::new(ctx.tenant.id),
                    LeadConversion {
                        already_converted: true,
                        conversion: ConversionLinks::of(&shown)?,
                        lead: shown,
                    },
                ));
            }
            match lead.status {
                LeadStatus::Merged => {
                    return Err(CrmError::rule(
                        "lead_closed",
                        "a merged lead is not converted (convert the lead it was merged into)",
                    ))
                }
                LeadStatus::Unqualified if !request.convert_unqualified => {
                    return Err(CrmError::rule(
                        "lead_unqualified",
                        "the lead is unqualified: say convert_unqualified to convert it anyway",
                    ))
                }
                _ => {}
            }
            ctx.access.require(Module::Customers, Action::Create)?;
            let mut changes = Changes::new(ctx.tenant.id);
            let (mut customer, linked) = self
                .conversion_customer(&ctx, &lead, &request, customer_id)
                .await?;
            let opportunity = match &request.opportunity {
                Some(o) => {
                    let input = opportunity_input(&lead, o, customer.id)?;
                    ctx.access.require(Module::Opportunities, Action::Create)?;
                    let id = OpportunityId(self.new_id(Entity::Opportunity).await?);
                    let opp = self.build_opportunity(&ctx, &customer, &input, id)?;
                    customer.open_opportunities = customer.open_opportunities.saturating_add(1);
                    customer.opportunity_changed_at = Some(ctx.now);
                    Some(opp)
                }
                None => None,
            };
            // The lead's follow-ups move to the customer (the same rows, their lead kept) and
            // move its follow-up clocks as if recorded there.
            let mut moved = self.followups_of_lead(&ctx, lead.id).await?;
            moved.retain(|f| f.customer_id.is_none());
            for f in &mut moved {
                f.move_to_customer(customer.id)?;
                take_followup(&mut customer, f);
            }
            // The customer first: the contact, the opportunity and the follow-ups refer to it.
            let customer_created = linked.is_none();
            self.write_conversion_customer(&ctx, &mut changes, &customer, linked)
                .await?;
            let contact_id = if request.contact {
                Some(
                    self.conversion_contact(&ctx, &mut changes, &lead, &customer)
                        .await?,
                )
            } else {
                None
            };
            if let Some(opp) = &opportunity {
                Self::write_new_opportunity(&ctx, &mut changes, opp)?;
                self.enter_stage_tasks(&ctx, &mut changes, opp).await?;
            }
            for f in &moved {
                changes.update(f)?;
            }
            self.tasks_follow_conversion(&ctx, &mut changes, lead.id, customer.id)
                .await?;
            let opportunity_id = opportunity.map(|o| o.id);
            let conversion = Conversion {
                at: ctx.now,
                by: ctx.access.user().map(|u| u.id),
                customer_id: customer.id,
                customer_created,
                contact_id,
                opportunity_id,
            };
            let next = Lead {
                status: LeadStatus::Converted,
                conversion: Some(conversion.clone()),
                updated_at: ctx.now,
                ..lead.clone()
            };
            let mut loads = LoadBook::default();
            loads
                .lead_changes(self, ctx.tenant.id, [(Some(&lead), &next)])
                .await?;
            loads.write(&mut changes)?;
            changes.update(&next)?;
            self.credit_lead_converted(&ctx, &mut changes, &lead, Some(conversion.customer_id))
                .await?;
            self.link_lead_touches(&ctx, &mut changes, lead.id, conversion.customer_id)
                .await?;
            changes.audit(ctx.audit(
                "lead.convert",
                Entity::Lead,
                next.id,
                json(&lead),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::LeadConverted,
                Entity::Lead,
                next.id,
                serde_json::json!({
                    "customer_id": conversion.customer_id,
                    "customer_created": conversion.customer_created,
                    "followups_moved": moved.len(),
                    "contact_id": conversion.contact_id,
                    "opportunity_id": conversion.opportunity_id,
                }),
            ));
            let stored = Lead {
                version: next.version + 1,
                ..next
            };
            let shown = self.lead_view_with(&ctx, stored, &customer).await?;
            Ok((
                changes,
                LeadConversion {
                    already_converted: false,
                    conversion: ConversionLinks::of(&shown)?,
                    lead: shown,
                },
            ))
        })
    }

    /// The customer the lead becomes: the one named, else a duplicate the actor may update
    /// (its empty fields filled from the lead), else a new one owned by the lead's owner
    /// (refused at their held limit). Returns it and, when it was linked, the stored
    /// version it was read at.
    async fn conversion_customer(
        &self,
        ctx: &Ctx,
        lead: &Lead,
        request: &ConvertLead,
        new_id: CustomerId,
    ) -> CrmResult<(Customer, Option<Customer>)> {
        if let Some(id) = request.customer_id {
            let (existing, _) = self.customer_for(ctx, id, Action::Update).await?;
            return Ok((fill_customer(ctx, &existing, lead)?, Some(existing)));
        }
        let owner = lead.owner_id.or(ctx.access.user().map(|u| u.id));
        let input = NewCustomer {
            name: lead.company.clone().unwrap_or_else(|| lead.name.clone()),
            kind: if lead.company.is_some() {
                CustomerKind::Company
            } else {
                CustomerKind::Person
            },
            industry: lead.industry.clone(),
            phone: lead.phone.clone(),
            email: lead.email.clone(),
            owner_id: owner,
            ..NewCustomer::default()
        };
        match self
            .prepare_customer(ctx, input, new_id, Action::Create)
            .await
        {
            Ok(customer) => {
                self.check_conversion_held_limit(ctx, &customer).await?;
                Ok((customer, None))
            }
            Err(CrmError::Duplicate {
                entity,
                existing,
                owner,
                matched_on,
            }) => {
                // The duplicate check found the customer: link it when the actor may update
                // it; otherwise the refusal says no more than customer.create's would.
                match self
                    .customer_for(ctx, CustomerId(existing), Action::Update)
                    .await
                {
                    Ok((c, _)) => Ok((fill_customer(ctx, &c, lead)?, Some(c))),
                    Err(_) => Err(CrmError::Duplicate {
                        entity,
                        existing,
                        owner,
                        matched_on,
                    }),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Every follow-up recorded on `lead` (moved ones included), oldest first.
    pub(crate) async fn followups_of_lead(
        &self,
        ctx: &Ctx,
        lead: LeadId,
    ) -> CrmResult<Vec<FollowUp>> {
        let mut out: Vec<FollowUp> = Vec::new();
        loop {
            let page: Vec<FollowUp> = self
                .store()
                .load_all(
                    &Query::new(Entity::FollowUp, ctx.tenant.id)
                        .filter(Filter::eq("lead_id", lead))
                        .order(Order::IdAsc)
                        .after(out.last().map(|f| f.id.0))
                        .limit(PAGE),
                )
                .await?;
            let done = page.len() < PAGE as usize;
            out.extend(page);
            if done {
                return Ok(out);
            }
        }
    }

    /// Refuses a new customer whose owner already holds as many customers as their held
    /// limit allows (§4.3), before anything is written.
    async fn check_conversion_held_limit(&self, ctx: &Ctx, customer: &Customer) -> CrmResult<()> {
        let Some(owner) = customer.owner_id else {
            return Ok(());
        };
        let limits = &ctx.tenant.settings.held_limits;
        let Some(limit) = limits.for_user(ctx.access.org(), owner) else {
            return Ok(());
        };
        let held = self.held_counter(ctx.tenant.id, owner).await?;
        if held.counted(limits.count_dealt) >= i64::from(limit) {
            return Err(CrmError::rule(
                "held_limit",
                format!("user {owner} holds {limit} customers, the limit"),
            ));
        }
        Ok(())
    }

    /// A contact on the customer from the lead's name, phone and e-mail.
    async fn conversion_contact(
        &self,
        ctx: &Ctx,
        changes: &mut Changes,
        lead: &Lead,
        customer: &Customer,
    ) -> CrmResult<ContactId> {
        ctx.access.require(Module::Contacts, Action::Create)?;
        let id = ContactId(self.new_id(Entity::Contact).await?);
        let contact = Contact {
            tenant: ctx.tenant.id,
            id,
            version: 1,
            customer_id: customer.id,
            name: lead.name.clone(),
            title: None,
            phone: lead.phone.clone(),
            email: lead.email.clone(),
            primary: false,
            created_by: ctx.access.user().map(|u| u.id),
            created_at: ctx.now,
        };
        let mut written = vec!["name"];
        written.extend(contact.phone.as_ref().map(|_| "phone"));
        written.extend(contact.email.as_ref().map(|_| "email"));
        ctx.access.check_editable(Module::Contacts, &written)?;
        changes.insert(&contact)?;
        changes.audit(ctx.audit(
            "contact.create",
            Entity::Contact,
            id.0,
            serde_json::Value::Null,
            json(&contact),
        ));
        changes.event(ctx.event(
            EventKind::ContactChanged,
            Entity::Contact,
            id.0,
            serde_json::json!({ "customer_id": customer.id }),
        ));
        Ok(id)
    }

    /// Writes the converted customer: a new one with its held count, owner history, audit
    /// and event; a linked one updated at the version read when anything changed.
    async fn write_conversion_customer(
        &self,
        ctx: &Ctx,
        changes: &mut Changes,
        customer: &Customer,
        linked: Option<Customer>,
    ) -> CrmResult<()> {
        match linked {
            None => self.write_new_customer(ctx, changes, customer).await?,
            Some(before) if &before != customer => {
                changes.update(customer)?;
                changes.audit(ctx.audit(
                    "customer.update",
                    Entity::Customer,
                    customer.id.0,
                    json(&before),
                    json(customer),
                ));
            }
            Some(_) => {}
        }
        Ok(())
    }
}

/// Moves `customer`'s follow-up clocks for a follow-up it takes over, as recording it there
/// would have.
fn take_followup(customer: &mut Customer, f: &FollowUp) {
    if customer.last_followup_at.is_none_or(|t| t < f.at) {
        customer.last_followup_at = Some(f.at);
        customer.next_followup_at = f.next_followup_at;
    }
    if f.author_id.is_some()
        && f.author_id == customer.owner_id
        && customer.last_owner_followup_at.is_none_or(|t| t < f.at)
    {
        customer.last_owner_followup_at = Some(f.at);
    }
}

/// `existing` with its empty fields filled from the lead (never overwriting); only fields
/// the actor may write are filled.
fn fill_customer(ctx: &Ctx, existing: &Customer, lead: &Lead) -> CrmResult<Customer> {
    let mut next = existing.clone();
    let mut filled = Vec::new();
    if next.phone.is_none() && lead.phone.is_some() {
        next.phone = lead.phone.clone();
        filled.push("phone");
    }
    if next.email.is_none() && lead.email.is_some() {
        next.email = lead.email.clone();
        filled.push("email");
    }
    if next.industry.is_none() && lead.industry.is_some() {
        next.industry = lead.industry.clone();
        filled.push("industry");
    }
    let writable: Vec<&str> = filled
        .iter()
        .copied()
        .filter(|f| ctx.access.check_editable(Module::Customers, &[f]).is_ok())
        .collect();
    for f in filled.iter().filter(|f| !writable.contains(f)) {
        match *f {
            "phone" => next.phone = existing.phone.clone(),
            "email" => next.email = existing.email.clone(),
            _ => next.industry = existing.industry.clone(),
        }
    }
    if next != *existing {
        next.updated_at = ctx.now;
    }
    Ok(next)
}

/// The opportunity input of a conversion, defaults taken from the lead.
fn opportunity_input(
    lead: &Lead,
    o: &ConvertOpportunity,
    customer: CustomerId,
) -> CrmResult<NewOpportunity> {
    let (amount, currency) = match (o.amount, &o.currency) {
        (Some(a), Some(c)) => (a, c.clone()),
        (Some(a), None) => (
            a,
            lead.currency.clone().ok_or_else(|| {
                CrmError::validation("opportunity.currency", "required: the lead has none")
            })?,
        ),
        (None, _) => match (lead.estimated_amount, &lead.currency) {
            (Some(a), Some(c)) => (a, o.currency.clone().unwrap_or_else(|| c.clone())),
            _ => {
                return Err(CrmError::validation(
                    "opportunity.amount",
                    "required: the lead has no estimated amount",
                ))
            }
        },
    };
    Ok(NewOpportunity {
        customer_id: customer,
        name: o
            .name
            .clone()
            .or_else(|| lead.company.clone())
            .unwrap_or_else(|| lead.name.clone()),
        amount,
        currency,
        pipeline: o.pipeline.clone(),
        stage: o.stage.clone(),
        probability: None,
        expected_close: o.expected_close,
        owner_id: lead.owner_id,
        products: Vec::new(),
    })
}
