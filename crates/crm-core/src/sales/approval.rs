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
//! [`ApproverDirectory`] (implemented for the tenant's [`Org`]), so a run is a plain value.
//! A rejection ends the run.

use crate::error::{CrmError, CrmResult};
use crate::ids::{DepartmentId, RoleId, UserId};
use crate::money::{checked, Currency};
use crate::org::Org;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One end of a [`Range`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
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

/// Resolves approvers; implemented for [`Org`]. Hosts with their own directory implement it
/// over their snapshot.
pub trait ApproverDirectory {
    /// Active users holding `role`.
    fn users_with_role(&self, role: RoleId) -> Vec<UserId>;
    /// The supervisor `levels` steps above `user`, if that chain exists.
    fn supervisor(&self, user: UserId, levels: u32) -> Option<UserId>;
    /// Whether `user` exists and may act.
    fn is_active(&self, user: UserId) -> bool;
}

impl ApproverDirectory for Org {
    fn users_with_role(&self, role: RoleId) -> Vec<UserId> {
        self.users
            .values()
            .filter(|u| u.active && u.role_ids.contains(&role))
            .map(|u| u.id)
            .collect()
    }
    fn supervisor(&self, user: UserId, levels: u32) -> Option<UserId> {
        Org::supervisor(self, user, levels)
    }
    fn is_active(&self, user: UserId) -> bool {
        self.users.get(&user).is_some_and(|u| u.active)
    }
}

/// A level of a run with its resolved approvers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ResolvedLevel {
    /// Level name.
    pub name: String,
    /// Mode.
    pub mode: ApprovalMode,
    /// Who may approve, sorted, without duplicates.
    pub approvers: Vec<UserId>,
    /// Who has approved so far.
    pub approved_by: Vec<UserId>,
}

impl ResolvedLevel {
    fn complete(&self) -> bool {
        match self.mode {
            ApprovalMode::AnyOne => !self.approved_by.is_empty(),
            ApprovalMode::All => self.approvers.iter().all(|u| self.approved_by.contains(u)),
        }
    }
}

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalStatus {
    /// Waiting on the current level.
    Pending,
    /// Every level completed.
    Approved,
    /// Someone rejected.
    Rejected,
}

impl ApprovalStatus {
    /// The stable name (`pending`, `approved`, `rejected`).
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalStatus::Pending => "pending",
            ApprovalStatus::Approved => "approved",
            ApprovalStatus::Rejected => "rejected",
        }
    }
}

impl std::fmt::Display for ApprovalStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An approver's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Approve.
    Approve,
    /// Reject (a comment is required).
    Reject,
}

/// One recorded decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ApprovalAction {
    /// Level index.
    pub level: usize,
    /// Who decided.
    pub by: UserId,
    /// What.
    pub decision: Decision,
    /// Comment.
    pub comment: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// An approval run: resolved levels, the current one, decisions so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ApprovalRun {
    /// Name of the branch that matched.
    pub branch: String,
    /// The contract owner.
    pub owner: UserId,
    /// Copied from the policy.
    pub forbid_self_approval: bool,
    /// Levels with resolved approvers.
    pub levels: Vec<ResolvedLevel>,
    /// Index of the current level (equals `levels.len()` once approved).
    pub current: usize,
    /// Status.
    pub status: ApprovalStatus,
    /// Every decision in order.
    pub actions: Vec<ApprovalAction>,
}

/// Starts a run for a contract: selects the branch and resolves every level's approvers
/// (the owner is left out when the policy forbids self-approval). Rule `approval_no_branch`
/// when no branch matches; rule `approval_no_approver` when a level resolves to nobody. A
/// branch without levels yields a run that is already approved.
pub fn start_run(
    policy: &ApprovalPolicy,
    facts: &ApprovalFacts,
    directory: &dyn ApproverDirectory,
) -> CrmResult<ApprovalRun> {
    let (_, branch) = policy.select(facts)?;
    let mut levels = Vec::with_capacity(branch.levels.len());
    for (j, l) in branch.levels.iter().enumerate() {
        let mut users: Vec<UserId> = match &l.approvers {
            Approvers::Role { role } => directory.users_with_role(*role),
            Approvers::Users { users } => users.clone(),
            Approvers::Supervisor { levels } => directory
                .supervisor(facts.owner, *levels)
                .into_iter()
                .collect(),
        };
        users.retain(|u| directory.is_active(*u));
        if policy.forbid_self_approval {
            users.retain(|u| *u != facts.owner);
        }
        users.sort();
        users.dedup();
        if users.is_empty() {
            return Err(CrmError::rule(
                "approval_no_approver",
                format!(
                    "level {j} ({}) of branch {} has no approver",
                    l.name, branch.name
                ),
            ));
        }
        levels.push(ResolvedLevel {
            name: l.name.clone(),
            mode: l.mode,
            approvers: users,
            approved_by: Vec::new(),
        });
    }
    let status = if levels.is_empty() {
        ApprovalStatus::Approved
    } else {
        ApprovalStatus::Pending
    };
    Ok(ApprovalRun {
        branch: branch.name.clone(),
        owner: facts.owner,
        forbid_self_approval: policy.forbid_self_approval,
        levels,
        current: 0,
        status,
        actions: Vec::new(),
    })
}

fn denied() -> CrmError {
    CrmError::PermissionDenied {
        module: "contracts".into(),
        action: "approve".into(),
        field: None,
    }
}

impl ApprovalRun {
    /// Users who may still act at the current level (approvers who have not approved yet);
    /// empty once the run is finished.
    pub fn pending_approvers(&self) -> Vec<UserId> {
        if self.status != ApprovalStatus::Pending {
            return Vec::new();
        }
        self.levels
            .get(self.current)
            .map(|l| {
                l.approvers
                    .iter()
                    .copied()
                    .filter(|u| !l.approved_by.contains(u))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Records a decision by `by` and returns the new run.
    ///
    /// Errors: rule `approval_finished` once approved or rejected; `PermissionDenied`
    /// (module `contracts`, action `approve`) for someone who is not an approver of the
    /// current level, or for the owner when self-approval is forbidden; rule
    /// `approval_already_acted` for approving the same level twice; field `comment` for a
    /// rejection without a comment.
    pub fn act(
        &self,
        by: UserId,
        decision: Decision,
        comment: Option<&str>,
        at: DateTime<Utc>,
    ) -> CrmResult<ApprovalRun> {
        if self.status != ApprovalStatus::Pending {
            return Err(CrmError::rule(
                "approval_finished",
                format!("the approval run is already {}", self.status),
            ));
        }
        if self.forbid_self_approval && by == self.owner {
            return Err(denied());
        }
        let level = self.levels.get(self.current).ok_or_else(denied)?;
        if !level.approvers.contains(&by) {
            return Err(denied());
        }
        if level.approved_by.contains(&by) {
            return Err(CrmError::rule(
                "approval_already_acted",
                format!("user {by} already approved level {}", self.current),
            ));
        }
        let comment =
            crate::validate::optional_text(comment, "comment", crate::validate::MAX_NOTE)?;
        if decision == Decision::Reject && comment.is_none() {
            return Err(CrmError::validation("comment", "required when rejecting"));
        }
        let mut next = self.clone();
        next.actions.push(ApprovalAction {
            level: self.current,
            by,
            decision,
            comment,
            at,
        });
        match decision {
            Decision::Reject => next.status = ApprovalStatus::Rejected,
            Decision::Approve => {
                next.levels[self.current].approved_by.push(by);
                if next.levels[self.current].complete() {
                    next.current += 1;
                    if next.current == next.levels.len() {
                        next.status = ApprovalStatus::Approved;
                    }
                }
            }
        }
        Ok(next)
    }
}

/// Why an amendment must be approved again from level 1. Stored and emitted as an object
/// whose `reason` is a stable snake_case name ([`ReapprovalReason::as_str`]) next to its
/// figures: `{"reason":"amount_lowered","approved_total":"100.00","amended_total":"70.00",…}`
/// (the totals under money keys, so the contracts `total` field rule withholds them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum ReapprovalReason {
    /// The total fell by more than the threshold.
    AmountLowered {
        /// Approved total.
        #[serde(rename = "approved_total", alias = "approved")]
        approved: Decimal,
        /// Amended total.
        #[serde(rename = "amended_total", alias = "amended")]
        amended: Decimal,
        /// The threshold in percent.
        threshold_percent: Decimal,
    },
    /// The max discount rose above the approved one.
    DiscountRaised {
        /// Approved max discount.
        approved: Decimal,
        /// Amended max discount.
        amended: Decimal,
    },
    /// The currency changed.
    CurrencyChanged,
    /// The amended contract matches a different branch (e.g. it crossed an amount bound).
    BranchChanged {
        /// Branch that approved.
        approved: String,
        /// Branch the amendment matches.
        amended: String,
    },
}

impl ReapprovalReason {
    /// The stable name: `amount_lowered`, `discount_raised`, `currency_changed`,
    /// `branch_changed`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ReapprovalReason::AmountLowered { .. } => "amount_lowered",
            ReapprovalReason::DiscountRaised { .. } => "discount_raised",
            ReapprovalReason::CurrencyChanged => "currency_changed",
            ReapprovalReason::BranchChanged { .. } => "branch_changed",
        }
    }
}

impl std::fmt::Display for ReapprovalReason {
    /// One line for people: `amount lowered from 100.00 to 70.00 (threshold 20%)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReapprovalReason::AmountLowered {
                approved,
                amended,
                threshold_percent,
            } => write!(
                f,
                "amount lowered from {approved} to {amended} (threshold {threshold_percent}%)"
            ),
            ReapprovalReason::DiscountRaised { approved, amended } => {
                write!(f, "discount raised from {approved}% to {amended}%")
            }
            ReapprovalReason::CurrencyChanged => f.write_str("currency changed"),
            ReapprovalReason::BranchChanged { approved, amended } => {
                write!(f, "approval branch changed from {approved} to {amended}")
            }
        }
    }
}

/// The amendment guard's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AmendmentVerdict {
    /// True when the amendment must be approved again from level 1.
    pub restart_from_first_level: bool,
    /// Every reason found (empty when not restarting).
    pub reasons: Vec<ReapprovalReason>,
}

/// Compares an amendment with what was approved. Full re-approval from level 1 is needed
/// when the total is lowered by **more than** the policy's threshold (exactly 20 % of 100.00
/// → 80.00 does not; 79.99 does), when the max discount rises above the approved one, when
/// the currency changes, or when the amended facts select another branch of the policy.
/// Rule `approval_no_branch` when the amended facts match no branch.
pub fn amendment_guard(
    policy: &ApprovalPolicy,
    approved: &ApprovalFacts,
    amended: &ApprovalFacts,
) -> CrmResult<AmendmentVerdict> {
    let mut reasons = Vec::new();
    if approved.currency != amended.currency {
        reasons.push(ReapprovalReason::CurrencyChanged);
    } else if amended.total < approved.total {
        // (approved − amended) / approved × 100 > threshold, without dividing.
        let what = "amendment guard";
        let drop = checked::mul(
            checked::sub(approved.total, amended.total, what)?,
            Decimal::ONE_HUNDRED,
            what,
        )?;
        let limit = checked::mul(policy.amendment_threshold_percent, approved.total, what)?;
        if drop > limit {
            reasons.push(ReapprovalReason::AmountLowered {
                approved: approved.total,
                amended: amended.total,
                threshold_percent: policy.amendment_threshold_percent,
            });
        }
    }
    if amended.max_discount > approved.max_discount {
        reasons.push(ReapprovalReason::DiscountRaised {
            approved: approved.max_discount,
            amended: amended.max_discount,
        });
    }
    let was = policy
        .select(approved)
        .ok()
        .map(|(i, b)| (i, b.name.clone()));
    let (now, now_branch) = policy.select(amended)?;
    if was.as_ref().map(|(i, _)| *i) != Some(now) {
        let approved_name = was.map(|(_, name)| name).unwrap_or_default();
        reasons.push(ReapprovalReason::BranchChanged {
            approved: approved_name,
            amended: now_branch.name.clone(),
        });
    }
    Ok(AmendmentVerdict {
        restart_from_first_level: !reasons.is_empty(),
        reasons,
    })
}
