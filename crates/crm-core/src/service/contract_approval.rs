//! Contract approval: submit for approval, approve / reject level by level (activating the
//! contract when the run completes), and amendments guarded by the amendment rule.

use super::{json, transact, Crm, Ctx};
use crate::access::{Action, Module};
use crate::actor::Actor;
use crate::contract::{Amendment, Contract, ContractStatus};
use crate::customer::{Customer, DealStatus};
use crate::error::{CrmError, CrmResult};
use crate::ids::ContractId;
use crate::money::Currency;
use crate::opportunity::Opportunity;
use crate::sales::{
    amendment_guard, price, reflow, start_run, ApprovalFacts, ApprovalRun, ApprovalStatus,
    Decision, OpportunityStatus, PricingInput, StageMove,
};
use crate::store::{Changes, Entity, EventKind, Store, StoreExt};
use crate::view::VisibleJson;

impl<S: Store> Crm<S> {
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
    pub async fn submit_contract(&self, actor: Actor, id: ContractId) -> CrmResult<VisibleJson> {
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
        self.credit_contract_activated(ctx, changes, k).await?;
        self.attribute_contract(ctx, changes, k, false).await?;
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
                    self.credit_opportunity_move(ctx, changes, &o, &won).await?;
                    self.attribute_opportunity_move(ctx, changes, &o, &won)
                        .await?;
                    changes.event(ctx.event(EventKind::OpportunityStageChanged, Entity::Opportunity, oid, serde_json::json!({ "from": o.state.stage, "to": won.state.stage, "status": "won", "by_contract": k.id })));
                    customer_next.open_opportunities =
                        customer_next.open_opportunities.saturating_sub(1);
                    customer_next.opportunity_changed_at = Some(ctx.now);
                }
            }
        }
        if customer_next.deal_status != DealStatus::Dealt {
            customer_next.deal_status = DealStatus::Dealt;
            self.credit_customer_won(ctx, changes, customer).await?;
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
        id: ContractId,
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
                        self.credit_contract_amended(&ctx, &mut changes, &before, &next)
                            .await?;
                        self.attribute_contract(&ctx, &mut changes, &next, true)
                            .await?;
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
        id: ContractId,
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
}
