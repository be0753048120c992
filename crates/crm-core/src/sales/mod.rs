//! Sales rules (§4.4 opportunities, §4.5 contracts and receivables) as pure functions over
//! plain data: no ids, no storage, no clock. Services load a snapshot, call these functions
//! and persist what they return.
//!
//! | module | what it decides |
//! |---|---|
//! | [`allocate`] | largest-remainder split of an amount in minor units (always sums exactly) |
//! | [`lines`] | contract/quote line math: nets, order discount, tax, totals |
//! | [`plan`] | installment plans by amounts, percents or payment terms; re-flow on amendment |
//! | [`payments`] | payments, refunds and write-offs applied to installments; statuses |
//! | [`aging`] | aging report buckets per customer/contract and currency |
//! | [`pipeline`] | pipeline stages, probability `auto`, stage moves with history entries |
//! | [`forecast`] | weighted pipeline, forecast categories, funnel, win rate |
//! | [`approval`] | approval policy matching, approval runs, amendment guard |
//!
//! Conventions shared by every module:
//! - Amounts are [`rust_decimal::Decimal`] in a [`Currency`](crate::money::Currency); stored
//!   amounts never carry more decimals than the currency's minor units, and every function
//!   returns amounts at exactly that scale.
//! - Percents are plain numbers `0..=100` (`15` means 15 %).
//! - Installments and lines are addressed by their index in the slice the caller passes;
//!   the service maps indexes to its own record ids.
//! - Rule failures are [`CrmError::RuleViolation`](crate::error::CrmError) with a stable
//!   `rule` name; bad input is [`CrmError::Validation`](crate::error::CrmError) naming the
//!   field (`lines[2].discount`).

pub mod aging;
pub mod allocate;
pub mod approval;
pub mod forecast;
pub mod lines;
pub mod payments;
pub mod pipeline;
pub mod plan;
mod units;

pub use aging::{aging_report, receivables_of, AgingBuckets, AgingReport, AgingRow, Receivable};
pub use allocate::{allocate_amount, allocate_minor, allocate_percents};
pub use approval::{
    amendment_guard, start_run, AmendmentVerdict, ApprovalFacts, ApprovalLevel, ApprovalMode,
    ApprovalPolicy, ApprovalRun, ApprovalStatus, ApproverDirectory, Approvers, Bound, Branch,
    Condition, Decision, Range, ReapprovalReason,
};
pub use forecast::{
    forecast_categories, funnel, weighted_by_month, weighted_by_month_and_owner, weighted_by_owner,
    weighted_pipeline, win_rate, OpportunityFacts, YearMonth,
};
pub use lines::{check_totals, price, LineInput, PricedLine, Pricing, PricingInput, Totals};
pub use payments::{
    apply_entry, apply_payment, refund, summarize, today_in, write_off, Entry, EntryKind,
    EntryOutcome, InstallmentStatus, ReceivableSummary,
};
pub use pipeline::{
    move_stage, open_opportunity, reset_probability, set_probability, ForecastCategory,
    OpportunityState, OpportunityStatus, Pipeline, Stage, StageChange, StageMove,
};
pub use plan::{
    check_plan, plan_from_amounts, plan_from_percents, plan_from_terms, reflow, void_installment,
    Installment, PaymentTerm, PaymentTerms, ScheduledAmount, ScheduledPercent, TermAnchor,
};
pub use units::{from_minor, to_minor};
