//! Contract approval (审批, §4.5): policy matching, approval runs, amendment guard.
//!
//! A policy is an ordered list of branches, each a condition and approver levels. The first
//! branch whose condition matches wins; a branch without a condition matches everything
//! (the fallback; branches after it would be unreachable and are refused). Conditions are
//! conjunctions of optional criteria: currency, total (explicit inclusive/exclusive
//! bounds), max discount, customer tier, owner department.
//!
//! A level names its approvers — a role, specific users, or the owner's supervisor N levels
//! up — and a mode: any-one (或签, one approval completes the level) or all (会签, every
//! approver must approve). Approvers are resolved when the run starts, through an
//! [`ApproverDirectory`] (implemented for the tenant's [`Org`](crate::org::Org)), so a run
//! is a plain value. A rejection ends the run.

mod amendment;
mod run;

pub use amendment::{amendment_guard, AmendmentVerdict, ReapprovalReason};
pub use run::{
    start_run, ApprovalAction, ApprovalRun, ApprovalStatus, ApproverDirectory, Decision,
    ResolvedLevel,
};

use crate::error::{CrmError, CrmResult};
use crate::ids::{DepartmentId, RoleId, UserId};
use crate::money::Currency;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One end of a [`Range`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Bound {
    /// The bound value itself is inside.
    Inclusive(#[serde(deserialize_with = "crate::money::strict::deserialize")] Decimal),
    /// The bound value itself is outside.
    Exclusive(#[serde(deserialize_with = "crate::money::strict::deserialize")] Decimal),
}

impl Bound {
    fn value(self) -> Decimal {
        match self {
            Bound::Inclusive(v) | Bound::Exclusive(v) => v,
        }
    }
}

/// A range of amounts or percents with explicit bound kinds; a missing end is unbounded.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct Range {
    /// Lower end.
    #[serde(default)]
    pub min: Option<Bound>,
    /// Upper end.
    #[serde(default)]
    pub max: Option<Bound>,
}

impl Range {
    /// `< value`.
    pub fn below(value: Decimal) -> Self {
        Range {
            min: None,
            max: Some(Bound::Exclusive(value)),
        }
    }

    /// `≤ value`.
    pub fn at_most(value: Decimal) -> Self {
        Range {
            min: None,
            max: Some(Bound::Inclusive(value)),
        }
    }

    /// `≥ value`.
    pub fn at_least(value: Decimal) -> Self {
        Range {
            min: Some(Bound::Inclusive(value)),
            max: None,
        }
    }

    /// `> value`.
    pub fn above(value: Decimal) -> Self {
        Range {
            min: Some(Bound::Exclusive(value)),
            max: None,
        }
    }

    /// True when `v` lies inside.
    pub fn contains(&self, v: Decimal) -> bool {
        let low = match self.min {
            None => true,
            Some(Bound::Inclusive(m)) => v >= m,
            Some(Bound::Exclusive(m)) => v > m,
        };
        let high = match self.max {
            None => true,
            Some(Bound::Inclusive(m)) => v <= m,
            Some(Bound::Exclusive(m)) => v < m,
        };
        low && high
    }

    fn validate(&self, field: &str) -> CrmResult<()> {
        for (end, bound) in [("min", self.min), ("max", self.max)] {
            if let Some(b) = bound {
                crate::money::within_max(b.value(), &format!("{field}.{end}"))?;
            }
        }
        if let (Some(lo), Some(hi)) = (self.min, self.max) {
            if lo.value() > hi.value() {
                return Err(CrmError::validation(field, "min is above max"));
            }
        }
        Ok(())
    }
}

/// What a branch condition looks at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ApprovalFacts {
    /// Contract currency.
    pub currency: Currency,
    /// Contract total (grand total).
    pub total: Decimal,
    /// Greatest discount in percent (the service passes the larger of the order discount
    /// and the greatest line discount).
    pub max_discount: Decimal,
    /// The customer's tier, if computed.
    pub customer_tier: Option<String>,
    /// Contract owner.
    pub owner: UserId,
    /// The owner's department followed by its ancestors (so a condition naming a parent
    /// department matches owners in its sub-departments); empty when none.
    pub owner_departments: Vec<DepartmentId>,
}

/// A conjunction of optional criteria; an empty condition matches everything.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Condition {
    /// Only contracts in this currency (bounds are in its units).
    #[serde(default)]
    pub currency: Option<Currency>,
    /// Total within this range.
    #[serde(default)]
    pub total: Option<Range>,
    /// Max discount (percent) within this range.
    #[serde(default)]
    pub max_discount: Option<Range>,
    /// Customer tier is one of these (a customer without a tier never matches).
    #[serde(default)]
    pub customer_tiers: Option<Vec<String>>,
    /// One of the owner's departments is one of these.
    #[serde(default)]
    pub owner_departments: Option<Vec<DepartmentId>>,
}

impl Condition {
    /// True when every criterion that is set holds for `facts`.
    pub fn matches(&self, facts: &ApprovalFacts) -> bool {
        self.currency.as_ref().is_none_or(|c| *c == facts.currency)
            && self.total.is_none_or(|r| r.contains(facts.total))
            && self
                .max_discount
                .is_none_or(|r| r.contains(facts.max_discount))
            && self.customer_tiers.as_ref().is_none_or(|tiers| {
                facts
                    .customer_tier
                    .as_ref()
                    .is_some_and(|t| tiers.iter().any(|x| x == t))
            })
            && self
                .owner_departments
                .as_ref()
                .is_none_or(|ds| facts.owner_departments.iter().any(|d| ds.contains(d)))
    }
}

/// Who approves at a level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Approvers {
    /// Every active user holding the role.
    Role {
        /// The role.
        role: RoleId,
    },
    /// These users (inactive ones are skipped).
    Users {
        /// The users.
        users: Vec<UserId>,
    },
    /// The owner's supervisor `levels` steps up (1 = direct supervisor).
    Supervisor {
        /// Steps up, at least 1.
        levels: u32,
    },
}

/// How a level completes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ApprovalMode {
    /// 或签: the first approval completes the level.
    AnyOne,
    /// 会签: every approver must approve.
    All,
}

/// One level of a branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ApprovalLevel {
    /// Display name ("regional manager").
    pub name: String,
    /// Who approves.
    pub approvers: Approvers,
    /// How the level completes.
    pub mode: ApprovalMode,
}

/// A condition and its levels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Branch {
    /// Display name.
    pub name: String,
    /// `None`: the fallback, matches everything.
    #[serde(default)]
    pub condition: Option<Condition>,
    /// Levels in order; none means the contract is approved at once.
    pub levels: Vec<ApprovalLevel>,
}

fn default_threshold() -> Decimal {
    Decimal::from(20)
}

/// A tenant's approval policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ApprovalPolicy {
    /// Branches in order; first match wins.
    pub branches: Vec<Branch>,
    /// When true the owner never approves their own contract.
    #[serde(default)]
    pub forbid_self_approval: bool,
    /// Lowering an approved total by more than this percent forces re-approval (default 20).
    #[serde(
        default = "default_threshold",
        deserialize_with = "crate::money::strict::deserialize"
    )]
    pub amendment_threshold_percent: Decimal,
}

impl ApprovalPolicy {
    /// Checks the policy: at least one branch (field `branches`); names non-empty
    /// (`branches[i].name`, `branches[i].levels[j].name`); no branch after a fallback
    /// (`branches[i]`); ranges with min ≤ max (`branches[i].condition.total` /
    /// `.max_discount`); non-empty user lists (`branches[i].levels[j].approvers`);
    /// supervisor levels ≥ 1; threshold in `0..=100` (`amendment_threshold_percent`).
    pub fn validate(&self) -> CrmResult<()> {
        if self.branches.is_empty() {
            return Err(CrmError::validation("branches", "at least one branch"));
        }
        super::units::percent(
            self.amendment_threshold_percent,
            "amendment_threshold_percent",
            4,
        )?;
        let mut fallback_seen = false;
        for (i, b) in self.branches.iter().enumerate() {
            let bf = format!("branches[{i}]");
            if fallback_seen {
                return Err(CrmError::validation(
                    bf,
                    "unreachable: an earlier branch has no condition",
                ));
            }
            crate::validate::required_text(&b.name, &format!("{bf}.name"), 200)?;
            match &b.condition {
                None => fallback_seen = true,
                Some(c) => {
                    if let Some(r) = c.total {
                        r.validate(&format!("{bf}.condition.total"))?;
                    }
                    if let Some(r) = c.max_discount {
                        r.validate(&format!("{bf}.condition.max_discount"))?;
                    }
                }
            }
            for (j, l) in b.levels.iter().enumerate() {
                let lf = format!("{bf}.levels[{j}]");
                crate::validate::required_text(&l.name, &format!("{lf}.name"), 200)?;
                match &l.approvers {
                    Approvers::Users { users } if users.is_empty() => {
                        return Err(CrmError::validation(
                            format!("{lf}.approvers"),
                            "at least one user",
                        ));
                    }
                    Approvers::Supervisor { levels: 0 } => {
                        return Err(CrmError::validation(
                            format!("{lf}.approvers"),
                            "supervisor levels start at 1",
                        ));
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// The first branch matching `facts`, with its index; rule `approval_no_branch` when
    /// none does (add a fallback branch to avoid it).
    pub fn select(&self, facts: &ApprovalFacts) -> CrmResult<(usize, &Branch)> {
        self.branches
            .iter()
            .enumerate()
            .find(|(_, b)| b.condition.as_ref().is_none_or(|c| c.matches(facts)))
            .ok_or_else(|| {
                CrmError::rule(
                    "approval_no_branch",
                    format!(
                        "no approval branch matches a {} {} contract",
                        facts.total,
                        facts.currency.code()
                    ),
                )
            })
    }
}
