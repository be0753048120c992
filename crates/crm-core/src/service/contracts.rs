//! Contract operations: draft, edit, submit for approval, approve / reject level by level,
//! amendments guarded by the amendment rule, completion and termination.

use super::{json, transact, Crm, Ctx, Page};
use crate::access::{Action, Module, ViewContext};
use crate::actor::Actor;
use crate::contract::{Amendment, Contract, ContractStatus};
use crate::customer::{Customer, DealStatus};
use crate::error::{CrmError, CrmResult};
use crate::ids::{CustomerId, UserId};
use crate::money::Currency;
use crate::opportunity::Opportunity;
use crate::sales::{
    amendment_guard, price, reflow, start_run, ApprovalFacts, ApprovalRun, ApprovalStatus,
    Decision, OpportunityStatus, Pricing, PricingInput, StageMove,
};
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
    pub opportunity_id: Option<i64>,
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
        id: i64,
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
            let c = self.load_customer(ctx.tenant.id, input.customer_id).await?;
            let team = self.load_team(ctx.tenant.id, c.id).await?;
            if !ctx.access.reaches_child(
                Module::Contracts,
                Action::Create,
                c.owner_id,
                c.pool_id.map(|p| p.0),
                &team,
                ctx.now,
            ) {
                return Err(CrmError::PermissionDenied {
                    module: "contracts".into(),
                    action: "create".into(),
                    field: None,
                });
            }
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
                id,
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
        id: i64,
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

    fn start_approval(ctx: &Ctx, facts: &ApprovalFacts) -> CrmResult<ApprovalRun> {
        match &ctx.tenant.settings.contracts.approval {
            Some(policy) => start_run(policy, facts, ctx.access.org()),
            None => start_run(
                &crate::sales::ApprovalPolicy {
                    branches: vec![crate::sales::Branch {
                        name: "none".into(),
                        condition: None,
                        levels: vec![],
                    }],
                    forbid_self_approval: false,
                    amendment_threshold_percent: 20.into(),
                },
                facts,
                ctx.access.org(),
            ),
        }
    }

    /// Submits a draft or rejected contract for approval (a policy branch without levels
    /// approves it at once).
    pub async fn submit_contract(&self, actor: Actor, id: i64) -> CrmResult<VisibleJson> {
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let (before, customer) = self.contract_for(&ctx, id, Action::Update).await?;
            if !matches!(
                before.status,
                ContractStatus::Draft | ContractStatus::Rejected
            ) {
                return Err(CrmError::rule(
                    "contract_not_draft",
                    format!("contract is {}", before.status.as_str()),
                ));
            }
            let facts =
                ctx.approval_facts(&before, &customer, &before.pricing, &before.pricing_input)?;
            let run = Self::start_approval(&ctx, &facts)?;
            let mut next = Contract {
                status: ContractStatus::PendingApproval,
                approval: Some(run.clone()),
                ..before.clone()
            };
            let mut changes = Changes::new(ctx.tenant.id);
            changes.event(ctx.event(
                EventKind::ContractSubmitted,
                Entity::Contract,
                id,
                serde_json::json!({ "branch": run.branch, "pending": run.pending_approvers() }),
            ));
            if run.status == ApprovalStatus::Approved {
                self.activate(&ctx, &mut changes, &mut next, facts, &customer)
                    .await?;
            }
            changes.update(&next)?;
            changes.audit(ctx.audit(
                "contract.submit",
                Entity::Contract,
                id,
                json(&before),
                json(&next),
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

    /// Makes a contract active: records the approved facts, marks the opportunity won
    /// (when configured) and the customer dealt.
    async fn activate(
        &self,
        ctx: &Ctx,
        changes: &mut Changes,
        k: &mut Contract,
        facts: ApprovalFacts,
        customer: &Customer,
    ) -> CrmResult<()> {
        k.status = ContractStatus::Active;
        k.approved_facts = Some(facts);
        changes.event(ctx.event(EventKind::ContractApproved, Entity::Contract, k.id, serde_json::json!({ "total": k.pricing.totals.grand_total, "currency": k.pricing_input.currency })));
        let mut customer_next = customer.clone();
        if let (Some(oid), true) = (
            k.opportunity_id,
            ctx.tenant.settings.contracts.won_on_approval,
        ) {
            if let Some(o) = self.store().load::<Opportunity>(ctx.tenant.id, oid).await? {
                if o.state.status == OpportunityStatus::Open {
                    let by = ctx.access.user().map(|u| u.id).unwrap_or(o.owner_id);
                    let (state, entry) = crate::sales::move_stage(
                        ctx.pipeline(&o.pipeline)?,
                        &o.state,
                        &StageMove::Win,
                        by,
                        ctx.now,
                    )?;
                    let mut won = o.clone();
                    won.state = state;
                    won.history.push(entry);
                    won.closed_on =
                        Some(crate::sales::today_in(ctx.tenant.settings.tz()?, ctx.now));
                    changes.update(&won)?;
                    changes.event(ctx.event(EventKind::OpportunityStageChanged, Entity::Opportunity, oid, serde_json::json!({ "from": o.state.stage, "to": won.state.stage, "status": "won", "by_contract": k.id })));
                    customer_next.open_opportunities =
                        customer_next.open_opportunities.saturating_sub(1);
                    customer_next.opportunity_changed_at = Some(ctx.now);
                }
            }
        }
        if customer_next.deal_status != DealStatus::Dealt {
            customer_next.deal_status = DealStatus::Dealt;
            changes.event(ctx.event(
                EventKind::DealStatusChanged,
                Entity::Customer,
                customer.id.0,
                serde_json::json!({ "status": DealStatus::Dealt, "by_contract": k.id }),
            ));
        }
        if customer_next != *customer {
            customer_next.updated_at = ctx.now;
            changes.update(&customer_next)?;
            self.adjust_held(ctx.tenant.id, changes, [(Some(customer), &customer_next)])
                .await?;
        }
        Ok(())
    }

    /// An approver approves or rejects the current level of a contract (or of its pending
    /// amendment). A rejection needs a comment.
    pub async fn decide_contract(
        &self,
        actor: Actor,
        id: i64,
        decision: Decision,
        comment: Option<String>,
    ) -> CrmResult<VisibleJson> {
        crate::validate::texts(&comment, "comment")?;
        let by = actor.user_id().ok_or_else(|| CrmError::PermissionDenied {
            module: "contracts".into(),
            action: "approve".into(),
            field: Some("actor".into()),
        })?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let (before, customer) = self.contract_for(&ctx, id, Action::Approve).await?;
            let mut next = before.clone();
            let mut changes = Changes::new(ctx.tenant.id);
            if let Some(am) = before.amendment.clone() {
                let run = am.approval.act(by, decision, comment.as_deref(), ctx.now)?;
                match run.status {
                    ApprovalStatus::Approved => {
                        let currency = Currency::parse(&am.pricing_input.currency, "currency")?;
                        if !next.installments.is_empty() {
                            next.installments = reflow(
                                &next.installments,
                                am.pricing.totals.grand_total,
                                &currency,
                                crate::sales::today_in(ctx.tenant.settings.tz()?, ctx.now),
                            )
                            .map_err(|e| ctx.conceal_contract_amounts(e))?;
                            changes.event(ctx.event(
                                EventKind::PlanChanged,
                                Entity::Contract,
                                id,
                                serde_json::json!({ "reflowed_to": am.pricing.totals.grand_total }),
                            ));
                        }
                        next.approved_facts = Some(ctx.approval_facts(
                            &before,
                            &customer,
                            &am.pricing,
                            &am.pricing_input,
                        )?);
                        next.pricing_input = am.pricing_input.clone();
                        next.pricing = am.pricing.clone();
                        next.amendment = None;
                        changes.event(ctx.event(EventKind::ContractApproved, Entity::Contract, id, serde_json::json!({ "amendment": true, "total": next.pricing.totals.grand_total })));
                    }
                    ApprovalStatus::Rejected => {
                        next.amendment = None;
                        changes.event(ctx.event(
                            EventKind::ContractRejected,
                            Entity::Contract,
                            id,
                            serde_json::json!({ "amendment": true, "comment": comment }),
                        ));
                    }
                    ApprovalStatus::Pending => {
                        next.amendment = Some(Amendment {
                            approval: run,
                            ..am
                        });
                        changes.event(ctx.event(
                            EventKind::ContractLevelApproved,
                            Entity::Contract,
                            id,
                            serde_json::json!({ "amendment": true, "by": by }),
                        ));
                    }
                }
            } else {
                if before.status != ContractStatus::PendingApproval {
                    return Err(CrmError::rule(
                        "approval_finished",
                        format!("contract is {}", before.status.as_str()),
                    ));
                }
                let run = before
                    .approval
                    .clone()
                    .ok_or_else(|| CrmError::rule("approval_finished", "no approval run"))?;
                let run = run.act(by, decision, comment.as_deref(), ctx.now)?;
                next.approval = Some(run.clone());
                match run.status {
                    ApprovalStatus::Approved => {
                        let facts = ctx.approval_facts(
                            &before,
                            &customer,
                            &before.pricing,
                            &before.pricing_input,
                        )?;
                        self.activate(&ctx, &mut changes, &mut next, facts, &customer)
                            .await?;
                    }
                    ApprovalStatus::Rejected => {
                        next.status = ContractStatus::Rejected;
                        changes.event(ctx.event(
                            EventKind::ContractRejected,
                            Entity::Contract,
                            id,
                            serde_json::json!({ "by": by, "comment": comment }),
                        ));
                    }
                    ApprovalStatus::Pending => {
                        changes.event(ctx.event(
                            EventKind::ContractLevelApproved,
                            Entity::Contract,
                            id,
                            serde_json::json!({ "by": by, "next": run.pending_approvers() }),
                        ));
                    }
                }
            }
            changes.update(&next)?;
            changes.audit(ctx.audit(
                "contract.decide",
                Entity::Contract,
                id,
                json(&before),
                json(&next),
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

    /// Amends an active contract. The amendment re-enters approval: from level 1 when the
    /// guard demands it (total lowered by more than the threshold, discount raised, another
    /// branch, currency changed), otherwise under the same branch's levels as well; on
    /// approval unpaid installments re-flow to the new total.
    pub async fn amend_contract(
        &self,
        actor: Actor,
        id: i64,
        pricing: PricingInput,
    ) -> CrmResult<VisibleJson> {
        crate::validate::texts(&pricing, "pricing")?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let (before, customer) = self.contract_for(&ctx, id, Action::Update).await?;
            ctx.access
                .check_editable(Module::Contracts, &["total", "lines"])?;
            if before.status != ContractStatus::Active {
                return Err(CrmError::rule(
                    "contract_not_active",
                    "only active contracts are amended",
                ));
            }
            if before.amendment.is_some() {
                return Err(CrmError::rule(
                    "amendment_pending",
                    "an amendment is already in approval",
                ));
            }
            let priced = price(&pricing, ctx.tenant.settings.rounding)?;
            if pricing.currency != before.pricing_input.currency {
                return Err(CrmError::validation(
                    "pricing.currency",
                    "a contract keeps one currency",
                ));
            }
            let mut paid = rust_decimal::Decimal::ZERO;
            for i in &before.installments {
                let settled = crate::money::checked::add(i.paid, i.written_off, "settled")?;
                paid = crate::money::checked::add(paid, settled, "settled")?;
            }
            if priced.totals.grand_total < paid {
                return Err(ctx.conceal_contract_amounts(CrmError::rule(
                    "reflow_below_paid",
                    format!("{} already settled", paid),
                )));
            }
            let amended = ctx.approval_facts(&before, &customer, &priced, &pricing)?;
            let reasons = match (
                &ctx.tenant.settings.contracts.approval,
                &before.approved_facts,
            ) {
                (Some(policy), Some(approved)) => {
                    amendment_guard(policy, approved, &amended)?.reasons
                }
                _ => Vec::new(),
            };
            let run = Self::start_approval(&ctx, &amended)?;
            let mut next = before.clone();
            let mut changes = Changes::new(ctx.tenant.id);
            changes.event(ctx.event(EventKind::ContractSubmitted, Entity::Contract, id, serde_json::json!({ "amendment": true, "restart_reasons": reasons, "total": priced.totals.grand_total })));
            next.amendment = Some(Amendment {
                pricing_input: priced.input(),
                pricing: priced,
                approval: run,
                reasons,
            });
            changes.update(&next)?;
            changes.audit(ctx.audit(
                "contract.amend",
                Entity::Contract,
                id,
                json(&before),
                json(&next),
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
        id: i64,
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
    pub async fn get_contract(&self, actor: Actor, id: i64) -> CrmResult<VisibleJson> {
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
