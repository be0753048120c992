//! `receivable.*`: receivables (回款) of active contracts: the installment plan, payments,
//! refunds and write-offs (over-payment kept as customer credit), a contract's summary and
//! the aging report.

use super::{Op, Request};
use crate::error::FfiResult;
use chrono::NaiveDate;
use crm_core::sales::AgingBuckets;
use crm_core::service::{LedgerInput, PlanInput};
use serde::Deserialize;

pub(super) const OPS: &[Op] = &[
    Op {
        name: "receivable.set_plan",
        calls: "set_plan",
        summary: "Sets the installment plan of a contract with no payments yet: explicit amounts (summing to the total), percents (summing to 100) or a payment-terms template counted from the signed date. Returns the contract.",
        request: r#"{"contract_id": "int", "plan": {"type": "amounts | percents | terms", "installments?": [{"due_date": "YYYY-MM-DD", "amount?": "decimal string (amounts)", "percent?": "decimal string (percents)"}], "terms?": {"terms": [{"percent": "decimal string", "offset_days?": "int", "anchor?": "signed | previous_due, default signed"}]}}}"#,
        handler: set_plan,
    },
    Op {
        name: "receivable.record",
        calls: "record_ledger",
        summary: "Records a payment, refund or write-off against an active (or closed) contract; payments go to the oldest unpaid installment first (or the one named), any excess becomes customer credit, and payments count as purchases for tiers. Returns the contract.",
        request: r#"{"contract_id": "int", "entry": {"kind": "payment | refund | write_off", "amount": "decimal string, positive", "date": "YYYY-MM-DD", "installment?": "int, index to apply to first", "method?": "string", "reference?": "string"}}"#,
        handler: record,
    },
    Op {
        name: "receivable.void_installment",
        calls: "void_installment",
        summary: "Voids an installment with nothing paid or written off (e.g. on termination); a voided installment takes no payments. Returns the contract.",
        request: r#"{"contract_id": "int", "installment": "int, index in the plan"}"#,
        handler: void_installment,
    },
    Op {
        name: "receivable.summary",
        calls: "receivable_summary",
        summary: "Paid, outstanding, written-off and overdue sums of a contract as of today.",
        request: r#"{"contract_id": "int"}"#,
        handler: summary,
    },
    Op {
        name: "receivable.aging",
        calls: "aging",
        summary: "The aging report as of a date over the contracts the actor may read: {as_of, labels, rows: [{key: [customer_id, contract_id], currency, not_yet_due, buckets, total}], totals}.",
        request: r#"{"as_of": "YYYY-MM-DD", "buckets?": {"upper_bounds": ["int, days, strictly ascending"]}}"#,
        handler: aging,
    },
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetPlan {
    contract_id: i64,
    plan: PlanInput,
}

fn set_plan(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: SetPlan = r.parse()?;
    r.run(move |crm| async move { crm.set_plan(actor, req.contract_id, req.plan).await })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Record {
    contract_id: i64,
    entry: LedgerInput,
}

fn record(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: Record = r.parse()?;
    r.run(move |crm| async move { crm.record_ledger(actor, req.contract_id, req.entry).await })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Void {
    contract_id: i64,
    installment: usize,
}

fn void_installment(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: Void = r.parse()?;
    r.run(move |crm| async move {
        crm.void_installment(actor, req.contract_id, req.installment)
            .await
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ByContract {
    contract_id: i64,
}

fn summary(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: ByContract = r.parse()?;
    r.run(move |crm| async move { crm.receivable_summary(actor, req.contract_id).await })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Aging {
    as_of: NaiveDate,
    #[serde(default)]
    buckets: Option<AgingBuckets>,
}

fn aging(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: Aging = r.parse()?;
    r.run(move |crm| async move { crm.aging(actor, req.as_of, req.buckets).await })
}
