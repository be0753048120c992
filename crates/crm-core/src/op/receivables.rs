//! `receivable.*`: receivables (回款) of active contracts: the installment plan, payments,
//! refunds and write-offs (over-payment kept as customer credit), a contract's summary and
//! the aging report.

use super::{facet, operation};
use crate::ids::ContractId;
use crate::sales::{AgingBuckets, ReceivableSummary};
use crate::service::{Aging, LedgerInput, PlanInput};
use crate::view::VisibleJson;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

facet!(
    /// Receivables (回款): plans, the ledger, summaries and aging.
    receivables -> ReceivableOps {
        set_plan: SetPlan,
        record: RecordLedger,
        void_installment: VoidInstallment,
        summary: ReceivableSummaryOf,
        aging: ReceivableAging,
    }
);

/// Sets the installment plan of a contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPlan {
    /// The contract (no payments yet).
    pub contract_id: ContractId,
    /// Amounts, percents or a payment-terms template.
    pub plan: PlanInput,
}

operation!(SetPlan, "receivable.set_plan", Receivables, Update, VisibleJson,
    "Sets the installment plan of a contract with no payments yet: explicit amounts (summing to the total), percents (summing to 100) or a payment-terms template counted from the signed date. Answers the contract.",
    |crm, actor, r| crm.set_plan(actor, r.contract_id, r.plan));

/// Records a payment, refund or write-off against a contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordLedger {
    /// The contract (active or closed).
    pub contract_id: ContractId,
    /// The entry.
    pub entry: LedgerInput,
}

operation!(RecordLedger, "receivable.record", Receivables, Update, VisibleJson,
    "Records a payment, refund or write-off against an active (or closed) contract; payments go to the oldest unpaid installment first (or the one named), any excess becomes customer credit, and payments count as purchases for tiers. Answers the contract.",
    |crm, actor, r| crm.record_ledger(actor, r.contract_id, r.entry));

/// Voids an installment with nothing paid or written off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidInstallment {
    /// The contract.
    pub contract_id: ContractId,
    /// Index of the installment in the plan.
    pub installment: usize,
}

operation!(VoidInstallment, "receivable.void_installment", Receivables, Update, VisibleJson,
    "Voids an installment with nothing paid or written off (e.g. on termination); a voided installment takes no payments. Answers the contract.",
    |crm, actor, r| crm.void_installment(actor, r.contract_id, r.installment));

/// The receivable summary of one contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceivableSummaryOf {
    /// The contract.
    pub contract_id: ContractId,
}

operation!(
    ReceivableSummaryOf,
    "receivable.summary",
    Receivables,
    Read,
    ReceivableSummary,
    "Paid, outstanding, written-off and overdue sums of a contract as of today.",
    |crm, actor, r| crm.receivable_summary(actor, r.contract_id)
);

/// The aging report as of a date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceivableAging {
    /// The day the ages are counted to.
    pub as_of: NaiveDate,
    /// Bucket upper bounds in days (the tenant's default when absent).
    #[serde(default)]
    pub buckets: Option<AgingBuckets>,
}

operation!(ReceivableAging, "receivable.aging", Receivables, Read, Aging,
    "The aging report as of a date over the contracts the actor may read: {as_of, labels, rows: [{key: [customer_id, contract_id], currency, not_yet_due, buckets, total}], totals}.",
    |crm, actor, r| crm.aging(actor, r.as_of, r.buckets));
