//! `contract.*`: contracts (合同): drafts, pricing, submission for approval, approve / reject
//! level by level, amendments, completion and termination, reading and listing.

use super::{facet, operation};
use crate::contract::ContractStatus;
use crate::credit::CreditSplit;
use crate::ids::ContractId;
use crate::sales::{Decision, PricingInput};
use crate::service::Page;
pub use crate::service::{ContractFilter, NewContract};
use crate::view::VisibleJson;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

facet!(
    /// Contracts (合同) with pricing and approval.
    contracts -> ContractOps {
        create: NewContract,
        update_pricing: UpdateContractPricing,
        submit: SubmitContract,
        decide: DecideContract,
        amend: AmendContract,
        close: CloseContract,
        set_credit_split: SetContractCreditSplit,
        get: GetContract,
        list: ContractFilter,
    }
);

operation!(NewContract, "contract.create", Contracts, Create, VisibleJson,
    "Creates a draft contract on a customer (optionally closing an opportunity); totals are computed from the lines with the tenant's rounding. Answers the contract as the actor may read it.",
    |crm, actor, r| crm.create_contract(actor, r));

/// Replaces the lines of a draft or rejected contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateContractPricing {
    /// The contract.
    pub id: ContractId,
    /// The new lines, currency and order discount.
    pub pricing: PricingInput,
}

operation!(
    UpdateContractPricing,
    "contract.update_pricing",
    Contracts,
    Update,
    VisibleJson,
    "Replaces the lines of a draft or rejected contract.",
    |crm, actor, r| crm.update_contract_pricing(actor, r.id, r.pricing)
);

/// Submits a contract for approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitContract {
    /// The contract (draft or rejected).
    pub id: ContractId,
}

operation!(SubmitContract, "contract.submit", Contracts, Update, VisibleJson,
    "Submits a draft or rejected contract for approval under the tenant's approval policy (active at once when no level applies).",
    |crm, actor, r| crm.submit_contract(actor, r.id));

/// An approver's decision on the current level of a contract or its pending amendment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideContract {
    /// The contract.
    pub id: ContractId,
    /// Approve or reject.
    pub decision: Decision,
    /// Required to reject.
    #[serde(default)]
    pub comment: Option<String>,
}

operation!(DecideContract, "contract.decide", Contracts, Approve, VisibleJson,
    "An approver approves or rejects the current level of a contract or its pending amendment (a rejection needs a comment); user actors only. The last approval activates it: the opportunity is won and the customer dealt.",
    |crm, actor, r| crm.decide_contract(actor, r.id, r.decision, r.comment));

/// Amends an active contract's pricing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendContract {
    /// The contract (active).
    pub id: ContractId,
    /// The amended lines.
    pub pricing: PricingInput,
}

operation!(AmendContract, "contract.amend", Contracts, Update, VisibleJson,
    "Amends an active contract's pricing; the amendment re-enters approval (from level 1 when the amendment guard demands it) and unpaid installments re-flow on approval.",
    |crm, actor, r| crm.amend_contract(actor, r.id, r.pricing));

/// Completes or terminates an active contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseContract {
    /// The contract (active).
    pub id: ContractId,
    /// `completed` or `terminated`.
    pub status: ContractStatus,
}

operation!(
    CloseContract,
    "contract.close",
    Contracts,
    Update,
    VisibleJson,
    "Completes or terminates an active contract.",
    |crm, actor, r| crm.close_contract(actor, r.id, r.status)
);

/// Sets who shares a contract's credit (业绩分成) before it becomes active.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetContractCreditSplit {
    /// The contract (draft, pending approval or rejected).
    pub id: ContractId,
    /// Distinct active users whose shares sum to exactly 100 %; empty: back to the owner
    /// alone (or its opportunity's split).
    pub split: CreditSplit,
}

operation!(SetContractCreditSplit, "contract.set_credit_split", Contracts, Update, VisibleJson,
    "Sets who shares the credit of a contract's amount and payments, in percent summing to exactly 100 (rule share_sum; each user active, named once). Refused once the contract is active (credit_already_earned): the split is fixed into credit records at activation.",
    |crm, actor, r| crm.set_contract_credit_split(actor, r.id, r.split));

/// Reads one contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetContract {
    /// The contract.
    pub id: ContractId,
}

operation!(GetContract, "contract.get", Contracts, Read, VisibleJson,
    "One contract with its pricing, approval run, installments and ledger; fields the actor's contract and receivable field rules withhold are absent and listed in hidden_fields.",
    |crm, actor, r| crm.get_contract(actor, r.id));

operation!(ContractFilter, "contract.list", Contracts, Read, Page<VisibleJson>,
    "A page of the contracts the actor may read, field rules applied as for contract.get: {items, next_after}.",
    |crm, actor, r| crm.list_contracts(actor, r));
