//! What a role can grant: a data scope per module and action.

use serde::{Deserialize, Serialize};

/// Functional areas permissions are granted on.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Module {
    /// Customers (客户).
    Customers,
    /// Contacts (联系人).
    Contacts,
    /// Follow-up records (跟进记录); a module of its own so notes can be withheld.
    FollowUps,
    /// Opportunities (商机).
    Opportunities,
    /// Contracts (合同).
    Contracts,
    /// Leads (线索).
    Leads,
    /// Receivable plans and payments (回款).
    Receivables,
    /// Tickets (工单).
    Tickets,
    /// Customer pools (公海).
    Pools,
    /// Reports.
    Reports,
    /// Tenant settings, org and roles.
    Settings,
    /// Tasks (任务).
    Tasks,
    /// Calendar events (日历).
    Calendar,
    /// Field visits (外勤签到).
    Visits,
    /// Sales targets and achievement (销售目标, 业绩): targets, their approval, credit
    /// records, achievement and rankings.
    Targets,
    /// Commission (提成): plans and statements.
    Commission,
    /// Marketing (营销): tags and tag rules, segments, campaigns with their touches,
    /// attribution and ROI.
    Marketing,
}

impl Module {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Module::Customers => "customers",
            Module::Contacts => "contacts",
            Module::FollowUps => "follow_ups",
            Module::Opportunities => "opportunities",
            Module::Contracts => "contracts",
            Module::Leads => "leads",
            Module::Receivables => "receivables",
            Module::Tickets => "tickets",
            Module::Pools => "pools",
            Module::Reports => "reports",
            Module::Settings => "settings",
            Module::Tasks => "tasks",
            Module::Calendar => "calendar",
            Module::Visits => "visits",
            Module::Targets => "targets",
            Module::Commission => "commission",
            Module::Marketing => "marketing",
        }
    }
}

/// Actions on a module.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Action {
    /// Create records.
    Create,
    /// Read records.
    Read,
    /// Update records.
    Update,
    /// Delete records.
    Delete,
    /// Claim from a pool (领取).
    Claim,
    /// Distribute from a pool (分配).
    Distribute,
    /// Transfer to another owner (转移).
    Transfer,
    /// Approve (审批).
    Approve,
    /// Export.
    Export,
    /// Import.
    Import,
}

impl Action {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Read => "read",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Claim => "claim",
            Action::Distribute => "distribute",
            Action::Transfer => "transfer",
            Action::Approve => "approve",
            Action::Export => "export",
            Action::Import => "import",
        }
    }
}

/// Whose records an action reaches (数据权限).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DataScope {
    /// Own records (本人).
    #[serde(rename = "self")]
    SelfOnly,
    /// Own and subordinates' records, recursively by supervisor (本人及下属).
    SelfAndSubordinates,
    /// Records of users in the actor's department (本部门).
    Department,
    /// Records of users in the actor's department and all departments below (本部门及下属部门).
    DepartmentTree,
    /// Every record of the tenant (全部).
    All,
}

/// One grant: `scope` for `action` on `module`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Grant {
    /// Module.
    pub module: Module,
    /// Action.
    pub action: Action,
    /// Scope.
    pub scope: DataScope,
}
