//! Commission (提成, 薪酬管理): the band rules a plan pays by (DESIGN §4.10). Plans come in
//! immutable revisions; statements are computed per user, plan and fiscal period, then
//! approved (ADR 0029).

pub mod bands;
pub mod plan;
pub mod statement;
#[cfg(test)]
mod statement_tests;

pub use bands::{Band, BandBasis, BandMode, Bands};
pub use plan::{CommissionBase, CommissionPlan, CommissionPlanInput, PlanMembers, PlanStatus};
pub use statement::{CommissionStatement, ContractShare, LineKind, StatementLine, StatementStatus};
