//! `commission.*`: commission plans (提成方案) in revisions, and statements (提成单) per user,
//! plan and fiscal period — compute, approve, read, list.

use super::{facet, operation};
use crate::commission::{CommissionPlan, CommissionStatement};
pub use crate::commission::{CommissionPlanInput, PlanMembers};
use crate::ids::StatementId;
pub use crate::service::{ComputeStatement, PlanFilter, StatementFilter};
use crate::service::{Page, PlanRevisions};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

facet!(
    /// Commission (提成): versioned plans paying a metric by bands, and statements computed
    /// from credit records, approved, then immutable.
    commission -> CommissionOps {
        set_plan: CommissionPlanInput,
        plans: PlanFilter,
        plan: GetCommissionPlan,
        compute: ComputeStatement,
        approve: ApproveStatement,
        get: GetStatement,
        statements: StatementFilter,
    }
);

operation!(CommissionPlanInput, "commission.set_plan", Commission, Update, CommissionPlan,
    "Writes the next revision of a commission plan (revision 1 for a new name), effective from the first day of a fiscal month: metric, base booked or collected (collected only for contract_amount, else refused by field base), bands validated by field, currency, users and departments it applies to (sub-departments included), active or retired. Revisions are never changed; a second revision on the same effective month is refused (plan_revision_exists). Tenant admins, or a commission update grant with scope all.",
    |crm, actor, r| crm.set_commission_plan(actor, r));

operation!(
    PlanFilter,
    "commission.plans",
    Commission,
    Read,
    Vec<PlanRevisions>,
    "Commission plans by name, each with all its revisions oldest first.",
    |crm, actor, r| crm.commission_plans(actor, r)
);

/// Reads one revision of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetCommissionPlan {
    /// The plan's name.
    pub name: String,
    /// The revision (default: the latest).
    #[serde(default)]
    pub revision: Option<i32>,
}

operation!(
    GetCommissionPlan,
    "commission.plan",
    Commission,
    Read,
    CommissionPlan,
    "One revision of a commission plan, the latest by default.",
    |crm, actor, r| crm.commission_plan(actor, &r.name, r.revision)
);

operation!(ComputeStatement, "commission.compute", Commission, Update, CommissionStatement,
    "Computes (or recomputes while not approved) the statement of a user in the actor's commission update scope under a plan for a fiscal period: the plan revision in force at the period start, the user's net credits of the plan's metric in its currency, the approved target over the period, attainment, and the lines commission (bands on the base; on a collected base released in proportion to payments per contract), release (what payments since released on contracts of earlier approved statements) and adjustment (reversals of sources paid in an earlier approved statement, at its effective rate); total is their sum at the currency's scale. Refused on an approved statement (statement_immutable), a period overlapping another statement (period_overlap), after a later approved statement (later_statement_approved), without a revision in force (no_plan_in_force), under a retired one (plan_retired) or for a user the plan does not name (plan_not_applicable).",
    |crm, actor, r| crm.compute_commission(actor, r));

/// Approves a computed statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveStatement {
    /// The statement.
    pub id: StatementId,
}

operation!(ApproveStatement, "commission.approve", Commission, Approve, CommissionStatement,
    "Approves a computed statement, which is then immutable: never by its own user (self_approval); the commission approve grant must reach the user.",
    |crm, actor, r| crm.approve_commission(actor, r.id));

/// Reads one statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetStatement {
    /// The statement.
    pub id: StatementId,
}

operation!(
    GetStatement,
    "commission.get",
    Commission,
    Read,
    CommissionStatement,
    "One statement whose user the actor's commission read scope reaches (others are not found).",
    |crm, actor, r| crm.get_commission_statement(actor, r.id)
);

operation!(StatementFilter, "commission.statements", Commission, Read, Page<CommissionStatement>,
    "Statements of users in the actor's commission read scope, by user, plan, period key and status, oldest first, a page at a time.",
    |crm, actor, r| crm.list_commission_statements(actor, r));
