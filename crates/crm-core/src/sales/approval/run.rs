//! Approval runs: approvers resolved when the run starts, levels decided any-one (或签) or
//! all (会签), a rejection ending the run.

use super::{ApprovalFacts, ApprovalMode, ApprovalPolicy, Approvers};
use crate::error::{CrmError, CrmResult};
use crate::ids::{RoleId, UserId};
use crate::org::Org;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
#[non_exhaustive]
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
#[non_exhaustive]
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
