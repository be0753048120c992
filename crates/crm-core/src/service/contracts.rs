//! Contract operations: draft, edit, completion and termination, reads. Approval and
//! amendments are in `contract_approval`.

use super::{json, transact, Crm, Ctx, Page};
use crate::access::{Action, Module, ViewContext};
use crate::actor::Actor;
use crate::contract::{Contract, ContractStatus};
use crate::customer::Customer;
use crate::error::{CrmError, CrmResult};
use crate::ids::{ContractId, CustomerId, OpportunityId, UserId};
use crate::money::Currency;
use crate::sales::{price, ApprovalFacts, ApprovalRun, Pricing, PricingInput};
use crate::store::{Changes, Entity, EventKind, Filter, Order, Query, Store, StoreExt};
use crate::validate::required_text;
use crate::view::VisibleJson;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A new contract (a draft).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NewContract {
    /// Number, unique per tenant.
    pub number: String,
    /// The customer.
    pub customer_id: CustomerId,
    /// The opportunity it closes.
    #[serde(default)]
    pub opportunity_id: Option<OpportunityId>,
    /// Owner (default: the acting user).
    #[serde(default)]
    pub owner_id: Option<UserId>,
    /// Signed date.
    #[serde(default)]
    pub signed_on: Option<NaiveDate>,
    /// Start date.
    pub start_on: NaiveDate,
    /// End date (not before the start).
    pub end_on: NaiveDate,
    /// Lines, currency, order discount.
    pub pricing: PricingInput,
}

/// Filters for listing contracts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default)]
pub struct ContractFilter {
    /// Only of this customer.
    pub customer_id: Option<CustomerId>,
    /// Only in this state.
    pub status: Option<ContractStatus>,
    /// Keyset cursor.
    pub after: Option<i64>,
    /// Page size.
    pub limit: Option<u32>,
}

impl Ctx {
    /// The approval facts of a contract priced as `pricing`.
    pub(crate) fn approval_facts(
        &self,
        c: &Contract,
        customer: &Customer,
        pricing: &Pricing,
        input: &PricingInput,
    ) -> CrmResult<ApprovalFacts> {
        let mut departments = Vec::new();
        let mut dept = self
            .access
            .org()
            .users
            .get(&c.owner_id)
            .and_then(|u| u.department_id);
        while let Some(d) = dept {
            if departments.contains(&d) {
                break;
            }
            departments.push(d);
            dept = self
                .access
                .org()
                .departments
                .get(&d)
                .and_then(|x| x.parent_id);
        }
        let max_line = input
            .lines
            .iter()
            .map(|l| l.discount)
            .max()
            .unwrap_or_default();
        Ok(ApprovalFacts {
            currency: Currency::parse(&input.currency, "currency")?,
            total: pricing.totals.grand_total,
            max_discount: max_line.max(input.order_discount),
            customer_tier: customer.tier.clone(),
            owner: c.owner_id,
            owner_departments: departments,
        })
    }
}

impl<S: Store> Crm<S> {
    /// Loads a contract the actor may `action` (owner in reach, or through the customer).
    /// For `Approve`, approvers named by the contract's approval run (or its amendment's)
    /// pass; anyone else must read the contract, and the run itself then refuses them.
    pub(crate) async fn contract_for(
        &self,
        ctx: &Ctx,
        id: ContractId,
        action: Action,
    ) -> CrmResult<(Contract, Customer)> {
        let k = self
            .store()
            .load::<Contract>(ctx.tenant.id, id)
            .await?
            .ok_or_else(|| CrmError::not_found("contract", id))?;
        let c = self.load_customer(ctx.tenant.id, k.customer_id).await?;
        let named = |run: &ApprovalRun| {
            ctx.access
                .user()
                .is_some_and(|u| run.levels.iter().any(|l| l.approvers.contains(&u.id)))
        };
        let approver = action == Action::Approve
            && (k.approval.as_ref().is_some_and(named)
                || k.amendment.as_ref().is_some_and(|a| named(&a.approval)));
        if !approver {
            // Someone not named by the approval run decides only what they may read, and
            // is refused before any approval rule describes the contract.
            let check = if action == Action::Approve {
                Action::Read
            } else {
                action
            };
            self.check_owned_child(ctx, Module::Contracts, check, Some(k.owner_id), &c)
                .await?;
        }
        Ok((k, c))
    }

    /// Creates a draft contract; totals are recomputed from the lines with the tenant's
    /// rounding mode.
    pub async fn create_contract(
        &self,
        actor: Actor,
        input: NewContract,
    ) -> CrmResult<VisibleJson> {
        crate::validate::texts(&input, "")?;
        let number = required_text(&input.number, "number", 64)?;
        if input.end_on < input.start_on {
            return Err(CrmError::validation("end_on", "is before start_on"));
        }
        let id = self.new_id(Entity::Contract).await?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let pricing = price(&input.pricing, ctx.tenant.settings.rounding)?;
            let c = self
                .check_child(&ctx, Module::Contracts, Action::Create, input.customer_id)
                .await?;
            let owner = input
                .owner_id
                .or(ctx.access.user().map(|u| u.id))
                .or(c.owner_id)
                .ok_or_else(|| CrmError::validation("owner_id", "required"))?;
            // A contract owned by someone else is a transfer to them.
            self.check_owner_in(&ctx, Module::Contracts, owner, Action::Transfer)?;
            // Writing a read-only field is refused as for customers (§4.7).
            ctx.access
                .check_editable(Module::Contracts, &["number", "total", "lines"])?;
            if let Some(oid) = input.opportunity_id {
                // Only an opportunity the actor reads is described (customer, currency).
                let (o, _) = self.opportunity_for(&ctx, oid, Action::Read).await?;
                if o.customer_id != c.id {
                    return Err(CrmError::validation(
                        "opportunity_id",
                        "belongs to another customer",
                    ));
                }
                if o.currency != input.pricing.currency {
                    return Err(CrmError::validation(
                        "pricing.currency",
                        format!("the opportunity is in {}", o.currency),
                    ));
                }
            }
            let taken = self
                .store()
                .count(
                    &Query::new(Entity::Contract, ctx.tenant.id)
                        .filter(Filter::eq("number", number.clone())),
                )
                .await?;
            if taken > 0 {
                // Uniqueness makes the number's use observable; nothing more is told (not
                // which contract, whose, or its state), in scope or not (ADR 0011).
                return Err(CrmError::validation("number", "is not available"));
            }
            let k = Contract {
                tenant: ctx.tenant.id,
                id: id.into(),
                version: 1,
                number: number.clone(),
                customer_id: c.id,
                opportunity_id: input.opportunity_id,
                owner_id: owner,
                signed_on: input.signed_on,
                start_on: input.start_on,
                end_on: input.end_on,
                pricing_input: pricing.input(),
                pricing,
                status: ContractStatus::Draft,
                approval: None,
                approved_facts: None,
                amendment: None,
                installments: Vec::new(),
                ledger: Vec::new(),
                reminders: Vec::new(),
                due_soon_days: ctx.tenant.settings.contracts.due_soon_days,
                created_at: ctx.now,
                credit_split: None,
            };
            let mut changes = Changes::new(ctx.tenant.id);
            changes.insert(&k)?;
            changes.audit(ctx.audit(
                "contract.create",
                Entity::Contract,
                id,
                serde_json::Value::Null,
                json(&k),
            ));
            changes.event(ctx.event(EventKind::ContractChanged, Entity::Contract, id, serde_json::json!({ "number": k.number, "total": k.pricing.totals.grand_total, "currency": k.pricing_input.currency })));
            Ok((changes, ctx.contract_detail(&k)?))
        })
    }

    /// Replaces the lines of a draft or rejected contract.
    pub async fn update_contract_pricing(
        &self,
        actor: Actor,
        id: ContractId,
        pricing: PricingInput,
    ) -> CrmResult<VisibleJson> {
        crate::validate::texts(&pricing, "pricing")?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let (before, _) = self.contract_for(&ctx, id, Action::Update).await?;
            ctx.access
                .check_editable(Module::Contracts, &["total", "lines"])?;
            if !matches!(
                before.status,
                ContractStatus::Draft | ContractStatus::Rejected
            ) {
                return Err(CrmError::rule(
                    "contract_locked",
                    "only draft or rejected contracts are edited; amend an active one",
                ));
            }
            let priced = price(&pricing, ctx.tenant.settings.rounding)?;
            let next = Contract {
                pricing_input: priced.input(),
                pricing: priced,
                ..before.clone()
            };
            let mut changes = Changes::new(ctx.tenant.id);
            changes.update(&next)?;
            changes.audit(ctx.audit(
                "contract.update",
                Entity::Contract,
                id,
                json(&before),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::ContractChanged,
                Entity::Contract,
                id,
                serde_json::json!({ "total": next.pricing.totals.grand_total }),
            ));
            Ok((
                changes,
                ctx.contract_detail(&Contract {
                    version: next.version + 1,
                    ..next
                })?,
            ))
        })
    }

    /// Completes or terminates an active contract.
    pub async fn close_contract(
        &self,
        actor: Actor,
        id: ContractId,
        status: ContractStatus,
    ) -> CrmResult<VisibleJson> {
        if !matches!(
            status,
            ContractStatus::Completed | ContractStatus::Terminated
        ) {
            return Err(CrmError::validation("status", "completed or terminated"));
        }
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let (before, _) = self.contract_for(&ctx, id, Action::Update).await?;
            if before.status != ContractStatus::Active {
                return Err(CrmError::rule(
                    "contract_not_active",
                    format!("contract is {}", before.status.as_str()),
                ));
            }
            let next = Contract {
                status,
                ..before.clone()
            };
            let mut changes = Changes::new(ctx.tenant.id);
            changes.update(&next)?;
            if status == ContractStatus::Terminated {
                self.credit_contract_terminated(&ctx, &mut changes, &before)
                    .await?;
                self.unattribute_contract(&ctx, &mut changes, &before)
                    .await?;
            }
            changes.audit(ctx.audit(
                "contract.close",
                Entity::Contract,
                id,
                json(&before),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::ContractClosed,
                Entity::Contract,
                id,
                serde_json::json!({ "status": status }),
            ));
            Ok((
                changes,
                ctx.contract_detail(&Contract {
                    version: next.version + 1,
                    ..next
                })?,
            ))
        })
    }

    /// One contract, as the actor's contract and receivable field rules let them see it.
    pub async fn get_contract(&self, actor: Actor, id: ContractId) -> CrmResult<VisibleJson> {
        let ctx = self.ctx(actor).await?;
        let (k, _) = self.contract_for(&ctx, id, Action::Read).await?;
        let today = crate::sales::today_in(ctx.tenant.settings.tz()?, ctx.now);
        Ok(ctx.show_contract(&k, today, ViewContext::Detail))
    }

    /// A page of the contracts the actor may read.
    pub async fn list_contracts(
        &self,
        actor: Actor,
        filter: ContractFilter,
    ) -> CrmResult<Page<VisibleJson>> {
        crate::validate::texts(&filter, "")?;
        let ctx = self.ctx(actor).await?;
        let (mut q, limit) = ctx.scoped_page(
            Module::Contracts,
            Entity::Contract,
            Order::IdAsc,
            filter.after,
            filter.limit,
        )?;
        if let Some(c) = filter.customer_id {
            q = q.filter(Filter::eq("customer_id", c.0));
        }
        if let Some(s) = filter.status {
            q = q.filter(Filter::eq("status", s.as_str()));
        }
        let items: Vec<Contract> = self.store().load_all(&q).await?;
        let today = crate::sales::today_in(ctx.tenant.settings.tz()?, ctx.now);
        Ok(Page::of(items, limit, |k| {
            ctx.show_contract(&k, today, ViewContext::List)
        }))
    }
}
