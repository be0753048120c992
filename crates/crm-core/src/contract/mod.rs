//! Contracts (合同) with approval, and their receivable plans and ledger (回款, §4.5). The
//! money rules are pure functions in [`crate::sales`]; this is the stored record.

mod legacy_reasons;

use crate::ids::{ContractId, CustomerId, OpportunityId, TenantId, UserId};
use crate::sales::{
    AgingBuckets, ApprovalFacts, ApprovalPolicy, ApprovalRun, EntryKind, Installment, Pricing,
    PricingInput, ReapprovalReason,
};
use crate::store::{Entity, Record, SqlValue};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Contract states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ContractStatus {
    /// Being written.
    Draft,
    /// Waiting for approval.
    PendingApproval,
    /// Approved and in force.
    Active,
    /// Rejected (editable, may be resubmitted).
    Rejected,
    /// Fulfilled.
    Completed,
    /// Ended early.
    Terminated,
    /// Past its end date (set by scheduled work).
    Expired,
}

impl ContractStatus {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            ContractStatus::Draft => "draft",
            ContractStatus::PendingApproval => "pending_approval",
            ContractStatus::Active => "active",
            ContractStatus::Rejected => "rejected",
            ContractStatus::Completed => "completed",
            ContractStatus::Terminated => "terminated",
            ContractStatus::Expired => "expired",
        }
    }
}

/// An amendment of an active contract waiting for approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Amendment {
    /// The new lines and discounts.
    pub pricing_input: PricingInput,
    /// Their pricing.
    pub pricing: Pricing,
    /// The approval run.
    pub approval: ApprovalRun,
    /// Why full re-approval was required (empty when the guard did not demand it); rows
    /// written with the old `Debug` texts read back as the same reasons.
    #[serde(default, deserialize_with = "legacy_reasons::deserialize")]
    pub reasons: Vec<ReapprovalReason>,
}

/// One ledger entry (payment, refund, write-off).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LedgerEntry {
    /// Kind.
    pub kind: EntryKind,
    /// Amount.
    pub amount: Decimal,
    /// Date (received, refunded, written off).
    pub date: NaiveDate,
    /// Method (bank transfer, Alipay …).
    pub method: Option<String>,
    /// Reference (bank slip number …).
    pub reference: Option<String>,
    /// Amounts per installment index.
    pub allocations: Vec<(usize, Decimal)>,
    /// Part of a payment kept as customer credit.
    pub credit: Decimal,
    /// Recorded by.
    pub by: Option<UserId>,
    /// Recorded at.
    pub at: DateTime<Utc>,
}

/// A contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Contract {
    /// Tenant.
    pub tenant: TenantId,
    /// Id.
    pub id: ContractId,
    /// Optimistic version.
    #[serde(default)]
    pub version: i64,
    /// Number, unique per tenant.
    pub number: String,
    /// The customer.
    pub customer_id: CustomerId,
    /// The opportunity it closes, if any.
    pub opportunity_id: Option<OpportunityId>,
    /// Owner.
    pub owner_id: UserId,
    /// Signed date.
    pub signed_on: Option<NaiveDate>,
    /// Start date.
    pub start_on: NaiveDate,
    /// End date.
    pub end_on: NaiveDate,
    /// Lines and discounts as entered.
    pub pricing_input: PricingInput,
    /// Totals recomputed from them.
    pub pricing: Pricing,
    /// State.
    pub status: ContractStatus,
    /// The approval run of the last submission.
    pub approval: Option<ApprovalRun>,
    /// What was approved (for the amendment guard).
    pub approved_facts: Option<ApprovalFacts>,
    /// An amendment in approval.
    pub amendment: Option<Amendment>,
    /// Receivable plan.
    pub installments: Vec<Installment>,
    /// Payments, refunds and write-offs.
    pub ledger: Vec<LedgerEntry>,
    /// Reminders sent: (installment index, `due_soon` | `overdue`).
    pub reminders: Vec<(usize, String)>,
    /// Days before a due date that `InstallmentDueSoon` fires (from the tenant settings).
    #[serde(default = "three")]
    pub due_soon_days: u32,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Who shares the credit of its amount and payments (业绩分成); none: the owner alone.
    /// Set before it becomes active (`contract.set_credit_split`); fixed into credit
    /// records at each crediting event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_split: Option<crate::credit::CreditSplit>,
}

impl Contract {
    /// The next local date on which a receivable reminder or expiry may fire.
    pub fn next_check(&self, due_soon_days: u32) -> Option<NaiveDate> {
        let mut next: Option<NaiveDate> = None;
        let mut consider = |d: NaiveDate| next = Some(next.map_or(d, |n| n.min(d)));
        if self.status == ContractStatus::Active {
            consider(self.end_on.succ_opt().unwrap_or(self.end_on));
        }
        if matches!(
            self.status,
            ContractStatus::Active
                | ContractStatus::Completed
                | ContractStatus::Expired
                | ContractStatus::Terminated
        ) {
            for (i, inst) in self.installments.iter().enumerate() {
                if inst.void || inst.outstanding() <= Decimal::ZERO {
                    continue;
                }
                if !self.reminders.contains(&(i, "due_soon".into())) {
                    consider(
                        inst.due_date
                            .checked_sub_days(chrono::Days::new(u64::from(due_soon_days)))
                            .unwrap_or(NaiveDate::MIN),
                    );
                }
                if !self.reminders.contains(&(i, "overdue".into())) {
                    consider(inst.due_date.succ_opt().unwrap_or(inst.due_date));
                }
            }
        }
        next
    }
}

fn yes() -> bool {
    true
}

fn three() -> u32 {
    3
}

/// Contract and receivable settings of a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ContractSettings {
    /// Approval policy; `None` approves every submission at once.
    #[serde(default)]
    pub approval: Option<ApprovalPolicy>,
    /// Approving a contract marks its opportunity Won.
    #[serde(default = "yes")]
    pub won_on_approval: bool,
    /// Aging buckets.
    #[serde(default)]
    pub aging: AgingBuckets,
    /// `InstallmentDueSoon` this many days before the due date.
    #[serde(default = "three")]
    pub due_soon_days: u32,
}

impl Default for ContractSettings {
    fn default() -> Self {
        Self {
            approval: None,
            won_on_approval: true,
            aging: AgingBuckets::default(),
            due_soon_days: 3,
        }
    }
}

impl Record for Contract {
    const ENTITY: Entity = Entity::Contract;
    fn tenant(&self) -> TenantId {
        self.tenant
    }
    fn raw_id(&self) -> i64 {
        self.id.into()
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn set_version(&mut self, version: i64) {
        self.version = version;
    }
    fn columns(&self) -> Vec<SqlValue> {
        vec![
            self.customer_id.0.into(),
            self.owner_id.0.into(),
            self.number.clone().into(),
            self.status.as_str().into(),
            self.next_check(self.due_soon_days)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .into(),
        ]
    }
}
