//! Receivables (回款): plans, payments (oldest due first or targeted; over-payment kept as
//! customer credit), refunds and write-offs, the aging report, and the scheduled reminders.

use super::{json, transact, Crm, Ctx};
use crate::access::{Action, Module};
use crate::actor::Actor;
use crate::contract::{Contract, ContractStatus, LedgerEntry};
use crate::error::{CrmError, CrmResult};
use crate::ids::{ContractId, CustomerId};
use crate::money::Currency;
use crate::sales::{
    aging_report, apply_entry, plan_from_amounts, plan_from_percents, plan_from_terms,
    receivables_of, summarize, today_in, AgingBuckets, AgingReport, Entry, EntryKind, PaymentTerms,
    ReceivableSummary, ScheduledAmount, ScheduledPercent,
};
use crate::store::{Changes, Entity, EventKind, Filter, Query, Store, StoreExt};
use crate::tier::{Purchase, PurchaseKind};
use crate::view::VisibleJson;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// How a plan is given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PlanInput {
    /// Explicit amounts (must sum to the total exactly).
    Amounts {
        /// Installments.
        installments: Vec<ScheduledAmount>,
    },
    /// Percents (sum to 100; largest remainder).
    Percents {
        /// Installments.
        installments: Vec<ScheduledPercent>,
    },
    /// A payment-terms template counted from the signed date.
    Terms {
        /// The template.
        terms: PaymentTerms,
    },
}

/// A payment, refund or write-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LedgerInput {
    /// Kind.
    pub kind: EntryKind,
    /// Amount (positive, exact in the currency).
    #[serde(deserialize_with = "crate::money::strict::deserialize")]
    pub amount: Decimal,
    /// Date.
    pub date: NaiveDate,
    /// Installment index to apply to (first).
    #[serde(default)]
    pub installment: Option<usize>,
    /// Method.
    #[serde(default)]
    pub method: Option<String>,
    /// Reference.
    #[serde(default)]
    pub reference: Option<String>,
}

/// The aging report keyed by (customer, contract).
pub type Aging = AgingReport<(CustomerId, ContractId)>;

/// The amount fields a receivables report sums: refused when either is withheld.
const CONTRACT_AMOUNTS: &[(Module, &str)] = &[
    (Module::Contracts, "total"),
    (Module::Receivables, "amount"),
];

impl<S: Store> Crm<S> {
    /// Sets the receivable plan of a contract with no payments yet.
    pub async fn set_plan(
        &self,
        actor: Actor,
        contract_id: ContractId,
        plan: PlanInput,
    ) -> CrmResult<VisibleJson> {
        crate::validate::texts(&plan, "plan")?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let (before, _) = self.contract_for(&ctx, contract_id, Action::Update).await?;
            ctx.access
                .check_editable(Module::Receivables, &["amount"])?;
            if !before.ledger.is_empty() {
                return Err(CrmError::rule(
                    "plan_has_payments",
                    "a plan with payments changes only through amendments",
                ));
            }
            if matches!(
                before.status,
                ContractStatus::Rejected | ContractStatus::Terminated
            ) {
                return Err(CrmError::rule(
                    "contract_closed",
                    format!("contract is {}", before.status.as_str()),
                ));
            }
            let currency = Currency::parse(&before.pricing_input.currency, "currency")?;
            let total = before.pricing.totals.grand_total;
            let installments = match &plan {
                PlanInput::Amounts { installments } => {
                    plan_from_amounts(total, &currency, installments)
                        .map_err(|e| ctx.conceal_contract_amounts(e))?
                }
                PlanInput::Percents { installments } => {
                    plan_from_percents(total, &currency, installments)
                        .map_err(|e| ctx.conceal_contract_amounts(e))?
                }
                PlanInput::Terms { terms } => {
                    let signed = before.signed_on.ok_or_else(|| {
                        CrmError::validation("signed_on", "needed for a payment-terms plan")
                    })?;
                    plan_from_terms(total, &currency, terms, signed)
                        .map_err(|e| ctx.conceal_contract_amounts(e))?
                }
            };
            let next = Contract {
                installments,
                reminders: Vec::new(),
                ..before.clone()
            };
            let mut changes = Changes::new(ctx.tenant.id);
            changes.update(&next)?;
            changes.audit(ctx.audit(
                "receivable.plan",
                Entity::Contract,
                contract_id,
                json(&before),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::PlanChanged,
                Entity::Contract,
                contract_id,
                serde_json::json!({ "installments": next.installments.len() }),
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

    /// Records a payment, refund or write-off against an active (or closed) contract.
    /// Payments go to the oldest unpaid installment first (or the one named); anything beyond
    /// the contract's outstanding amount becomes customer credit. Payments also count as
    /// purchases for the customer's tier.
    pub async fn record_ledger(
        &self,
        actor: Actor,
        contract_id: ContractId,
        input: LedgerInput,
    ) -> CrmResult<VisibleJson> {
        crate::validate::texts(&input, "")?;
        let purchase_id = self.new_id(Entity::Purchase).await?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let denied = || CrmError::PermissionDenied {
                module: "receivables".into(),
                action: "create".into(),
                field: None,
            };
            let reach = match ctx.access.reach(Module::Receivables, Action::Create) {
                Some(reach) => reach,
                None if ctx.access.is_system() => crate::access::Reach::All,
                None => return Err(denied()),
            };
            let (before, customer) = self.contract_for(&ctx, contract_id, Action::Read).await?;
            ctx.access
                .check_editable(Module::Receivables, &["amount"])?;
            // Reading the contract is not enough: the receivables right must reach its owner
            // (a read-only team member or pool member records nothing).
            if let crate::access::Reach::Owners(owners) = &reach {
                if !owners.contains(&before.owner_id) {
                    return Err(denied());
                }
            }
            if matches!(
                before.status,
                ContractStatus::Draft | ContractStatus::PendingApproval | ContractStatus::Rejected
            ) {
                return Err(CrmError::rule(
                    "contract_not_active",
                    format!("contract is {}", before.status.as_str()),
                ));
            }
            if before.installments.is_empty() {
                return Err(CrmError::rule("no_plan", "set a receivable plan first"));
            }
            let currency = Currency::parse(&before.pricing_input.currency, "currency")?;
            let outcome = apply_entry(
                &before.installments,
                &currency,
                &Entry {
                    kind: input.kind,
                    amount: input.amount,
                    target: input.installment,
                },
            )
            .map_err(|e| ctx.conceal_contract_amounts(e))?;
            // Validated by `apply_entry`; kept at the currency's scale from here on.
            let amount = crate::money::checked::at_scale(input.amount, &currency);
            let mut next = before.clone();
            next.installments = outcome.installments;
            next.ledger.push(LedgerEntry {
                kind: input.kind,
                amount,
                date: input.date,
                method: crate::validate::optional_text(input.method.as_deref(), "method", 50)?,
                reference: crate::validate::optional_text(
                    input.reference.as_deref(),
                    "reference",
                    100,
                )?,
                allocations: outcome
                    .allocations
                    .iter()
                    .map(|a| (a.installment, a.amount))
                    .collect(),
                credit: outcome.credit,
                by: ctx.access.user().map(|u| u.id),
                at: ctx.now,
            });
            let mut changes = Changes::new(ctx.tenant.id);
            changes.update(&next)?;
            self.credit_ledger_entry(
                &ctx,
                &mut changes,
                &next,
                input.kind,
                amount,
                &currency,
                input.date,
                next.ledger.len().saturating_sub(1),
            )
            .await?;
            let mut customer_next = customer.clone();
            if outcome.credit > Decimal::ZERO {
                let credit = customer_next
                    .credit
                    .entry(currency.code().to_owned())
                    .or_insert_with(|| crate::money::checked::zero(&currency));
                *credit = crate::money::checked::add(*credit, outcome.credit, "customer credit")
                    .and_then(|c| crate::money::within_max(c, "amount"))
                    .map_err(|_| {
                        CrmError::validation(
                            "amount",
                            "the customer's credit would exceed the maximum amount",
                        )
                    })?;
            }
            if input.kind == EntryKind::Payment {
                let at = crate::tenant::local_midnight(ctx.tenant.settings.tz()?, input.date);
                let purchase = Purchase {
                    tenant: ctx.tenant.id,
                    id: purchase_id.into(),
                    version: 1,
                    customer_id: customer.id,
                    kind: PurchaseKind::Payment,
                    at,
                    amount,
                    currency: currency.code().to_owned(),
                    reference: input.reference.clone(),
                };
                changes.insert(&purchase)?;
                if customer_next.last_purchase_at.is_none_or(|t| t < at) {
                    customer_next.last_purchase_at = Some(at);
                }
                changes.event(ctx.event(EventKind::PaymentReceived, Entity::Contract, contract_id, serde_json::json!({ "amount": amount, "currency": currency.code(), "credit": outcome.credit, "customer_id": customer.id })));
            } else {
                changes.event(ctx.event(
                    EventKind::LedgerAdjusted,
                    Entity::Contract,
                    contract_id,
                    serde_json::json!({ "kind": input.kind, "amount": amount }),
                ));
            }
            if customer_next != customer {
                changes.update(&customer_next)?;
            }
            changes.audit(ctx.audit(
                "receivable.ledger",
                Entity::Contract,
                contract_id,
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

    /// Voids an installment with nothing paid or written off (e.g. on termination); a
    /// voided installment takes no payments.
    pub async fn void_installment(
        &self,
        actor: Actor,
        contract_id: ContractId,
        index: usize,
    ) -> CrmResult<VisibleJson> {
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let (before, _) = self.contract_for(&ctx, contract_id, Action::Update).await?;
            let installments = crate::sales::void_installment(&before.installments, index)
                .map_err(|e| ctx.conceal_contract_amounts(e))?;
            let next = Contract {
                installments,
                ..before.clone()
            };
            let mut changes = Changes::new(ctx.tenant.id);
            changes.update(&next)?;
            changes.audit(ctx.audit(
                "receivable.void",
                Entity::Contract,
                contract_id,
                json(&before),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::PlanChanged,
                Entity::Contract,
                contract_id,
                serde_json::json!({ "voided": index }),
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

    /// Paid, outstanding, written off and overdue sums of a contract as of today. Refused
    /// (naming the field) to an actor whose field rules withhold contract totals or
    /// receivable amounts.
    pub async fn receivable_summary(
        &self,
        actor: Actor,
        contract_id: ContractId,
    ) -> CrmResult<ReceivableSummary> {
        let ctx = self.ctx(actor).await?;
        let (k, _) = self.contract_for(&ctx, contract_id, Action::Read).await?;
        ctx.require_amounts(Entity::Contract, CONTRACT_AMOUNTS)?;
        let currency = Currency::parse(&k.pricing_input.currency, "currency")?;
        summarize(
            &k.installments,
            &currency,
            today_in(ctx.tenant.settings.tz()?, ctx.now),
        )
    }

    /// The aging report as of a date over the contracts the actor may read (receivables
    /// read), per customer and contract, buckets from the tenant settings unless given.
    /// Refused like [`receivable_summary`](Self::receivable_summary) to an actor who cannot
    /// read the amounts it sums.
    pub async fn aging(
        &self,
        actor: Actor,
        as_of: NaiveDate,
        buckets: Option<AgingBuckets>,
    ) -> CrmResult<Aging> {
        crate::validate::texts(&buckets, "buckets")?;
        let ctx = self.ctx(actor).await?;
        let reach = ctx.access.require(Module::Receivables, Action::Read)?;
        ctx.require_amounts(Entity::Contract, CONTRACT_AMOUNTS)?;
        let buckets = buckets.unwrap_or_else(|| ctx.tenant.settings.contracts.aging.clone());
        let mut items = Vec::new();
        let mut after = None;
        loop {
            let q = Query::new(Entity::Contract, ctx.tenant.id)
                .scope(ctx.access.scope_filter(&reach, ctx.now))
                .after(after)
                .limit(500);
            let page: Vec<Contract> = self.store().load_all(&q).await?;
            let Some(last) = page.last().map(|k| k.id) else {
                break;
            };
            for k in &page {
                if matches!(
                    k.status,
                    ContractStatus::Draft
                        | ContractStatus::PendingApproval
                        | ContractStatus::Rejected
                ) {
                    continue;
                }
                let currency = Currency::parse(&k.pricing_input.currency, "currency")?;
                items.extend(receivables_of(
                    (k.customer_id, k.id),
                    &currency,
                    &k.installments,
                ));
            }
            after = Some(last.into());
        }
        aging_report(&items, as_of, &buckets)
    }

    /// Scheduled work for contracts: expiry past the end date, due-soon and overdue
    /// reminders (each once per installment). Returns (expired, due soon, overdue).
    pub(crate) async fn sweep_contracts(&self, ctx: &Ctx) -> CrmResult<(u64, u64, u64)> {
        let today = today_in(ctx.tenant.settings.tz()?, ctx.now);
        let today_key = today.format("%Y-%m-%d").to_string();
        let (mut expired, mut soon, mut overdue) = (0, 0, 0);
        let mut after = None;
        let mut conflicts = 0;
        loop {
            let q = Query::new(Entity::Contract, ctx.tenant.id)
                .filter(Filter::le("next_check_on", today_key.clone()))
                .after(after)
                .limit(200);
            let page: Vec<Contract> = self.store().load_all(&q).await?;
            let Some(last) = page.last().map(|k| k.id) else {
                break;
            };
            let mut changes = Changes::new(ctx.tenant.id);
            let (mut e, mut s, mut o) = (0, 0, 0);
            for k in &page {
                let mut next = k.clone();
                if next.status == ContractStatus::Active && next.end_on < today {
                    next.status = ContractStatus::Expired;
                    changes.event(ctx.event(
                        EventKind::ContractClosed,
                        Entity::Contract,
                        k.id,
                        serde_json::json!({ "status": "expired" }),
                    ));
                    e += 1;
                }
                for (i, inst) in k.installments.iter().enumerate() {
                    if inst.void || inst.outstanding() <= Decimal::ZERO {
                        continue;
                    }
                    let soon_from = inst
                        .due_date
                        .checked_sub_days(chrono::Days::new(u64::from(k.due_soon_days)))
                        .unwrap_or(chrono::NaiveDate::MIN);
                    let key_soon = (i, "due_soon".to_owned());
                    if today >= soon_from
                        && today <= inst.due_date
                        && !next.reminders.contains(&key_soon)
                    {
                        next.reminders.push(key_soon);
                        changes.event(ctx.event(EventKind::InstallmentDueSoon, Entity::Contract, k.id, serde_json::json!({ "installment": i, "due_date": inst.due_date, "outstanding": inst.outstanding(), "owner_id": k.owner_id })));
                        s += 1;
                    }
                    let key_over = (i, "overdue".to_owned());
                    if inst.is_overdue(today) && !next.reminders.contains(&key_over) {
                        next.reminders.push(key_over);
                        if !next.reminders.contains(&(i, "due_soon".to_owned())) {
                            next.reminders.push((i, "due_soon".to_owned()));
                        }
                        changes.event(ctx.event(EventKind::InstallmentOverdue, Entity::Contract, k.id, serde_json::json!({ "installment": i, "due_date": inst.due_date, "outstanding": inst.outstanding(), "owner_id": k.owner_id })));
                        o += 1;
                    }
                }
                if next != *k {
                    changes.update(&next)?;
                    changes.audit(ctx.audit(
                        "due_work.contract",
                        Entity::Contract,
                        k.id,
                        json(k),
                        json(&next),
                    ));
                }
            }
            if !changes.is_empty() {
                match self.store().apply(changes).await {
                    Ok(_) => {
                        expired += e;
                        soon += s;
                        overdue += o;
                    }
                    Err(CrmError::Conflict { .. }) if conflicts < 20 => {
                        conflicts += 1;
                        continue;
                    }
                    Err(err) => return Err(err),
                }
            }
            after = Some(last.into());
        }
        Ok((expired, soon, overdue))
    }
}
