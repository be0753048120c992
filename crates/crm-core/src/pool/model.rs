//! Pools (公海池): who may see, claim and distribute, and the rules that guard them.

use crate::customer::CustomerLevel;
use crate::error::{CrmError, CrmResult};
use crate::ids::{DepartmentId, PoolId, TenantId, UserId};
use crate::org::Org;
use crate::store::{Entity, Record, SqlValue};
use crate::validate::{required_text, MAX_NAME};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Users and departments (each with its sub-departments).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default)]
pub struct Members {
    /// Users by id.
    pub users: Vec<UserId>,
    /// Departments; their sub-departments belong too.
    pub departments: Vec<DepartmentId>,
}

impl Members {
    /// True when `user` is listed or sits in a listed department (or below one).
    pub fn contains(&self, org: &Org, user: UserId) -> bool {
        if self.users.contains(&user) {
            return true;
        }
        let Some(dept) = org.users.get(&user).and_then(|u| u.department_id) else {
            return false;
        };
        self.departments
            .iter()
            .any(|d| org.department_subtree(*d).contains(&dept))
    }
}

/// What an automatic recycle rule measures (回收规则).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RecycleKind {
    /// No follow-up by the owner for N days: clock = max(last owner follow-up, owned since).
    NoFollowUp,
    /// No deal for N days: clock = owned since (dealt customers never fire).
    NoDeal,
    /// No open opportunity for N days: clock = max(owned since, last opportunity change)
    /// while none is open.
    NoOpenOpportunity,
}

impl RecycleKind {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            RecycleKind::NoFollowUp => "no_followup",
            RecycleKind::NoDeal => "no_deal",
            RecycleKind::NoOpenOpportunity => "no_open_opportunity",
        }
    }

    /// Human-readable reason (`no follow-up for 30 days`).
    pub fn reason(self, days: u32) -> String {
        match self {
            RecycleKind::NoFollowUp => format!("no follow-up for {days} days"),
            RecycleKind::NoDeal => format!("no deal for {days} days"),
            RecycleKind::NoOpenOpportunity => format!("no open opportunity for {days} days"),
        }
    }
}

/// Limit in days per customer level; a level without a limit (or 0) is exempt.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(default)]
pub struct LevelLimits {
    /// Level A (重点).
    pub a: Option<u32>,
    /// Level B (普通).
    pub b: Option<u32>,
    /// Level C (非优先).
    pub c: Option<u32>,
    /// Customers without a level.
    pub unleveled: Option<u32>,
}

impl LevelLimits {
    /// The same limit for every level.
    pub fn all(days: u32) -> Self {
        Self {
            a: Some(days),
            b: Some(days),
            c: Some(days),
            unleveled: Some(days),
        }
    }

    /// The limit for a level; `None` when exempt (unset or 0).
    pub fn for_level(&self, level: Option<CustomerLevel>) -> Option<u32> {
        let limit = match level {
            Some(CustomerLevel::A) => self.a,
            Some(CustomerLevel::B) => self.b,
            Some(CustomerLevel::C) => self.c,
            None => self.unleveled,
        };
        limit.filter(|d| *d > 0)
    }

    /// Every (level, limit) with a limit.
    pub fn entries(&self) -> Vec<(Option<CustomerLevel>, u32)> {
        [
            (Some(CustomerLevel::A), self.a),
            (Some(CustomerLevel::B), self.b),
            (Some(CustomerLevel::C), self.c),
            (None, self.unleveled),
        ]
        .into_iter()
        .filter_map(|(l, d)| d.filter(|d| *d > 0).map(|d| (l, d)))
        .collect()
    }
}

/// One automatic recycle rule of a pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RecycleRule {
    /// What is measured.
    pub kind: RecycleKind,
    /// Days per level.
    pub limits: LevelLimits,
    /// Emit `RecycleDueSoon` this many days before the rule fires (0 = no reminder).
    #[serde(default)]
    pub remind_days_before: u32,
}

/// How a pool shows a field to members who do not own the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PoolFieldMode {
    /// Not shown.
    Hidden,
    /// Shown masked.
    Masked,
}

/// A pool field rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PoolFieldRule {
    /// Field name (`phone`, `email`, `custom.budget`).
    pub field: String,
    /// Hidden or masked.
    pub mode: PoolFieldMode,
}

fn default_field_rules() -> Vec<PoolFieldRule> {
    vec![
        PoolFieldRule {
            field: "phone".into(),
            mode: PoolFieldMode::Masked,
        },
        PoolFieldRule {
            field: "email".into(),
            mode: PoolFieldMode::Masked,
        },
    ]
}

fn yes() -> bool {
    true
}

/// What a pool holds: customers (公海) or leads (线索池).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PoolHolds {
    /// Customers (the default: pools saved before leads had pools hold customers).
    #[default]
    Customers,
    /// Leads: claimed with `lead.claim`, given back with `lead.release`, recycled by the
    /// `no_followup` rule (ADR 0021).
    Leads,
}

impl PoolHolds {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            PoolHolds::Customers => "customers",
            PoolHolds::Leads => "leads",
        }
    }
}

/// The rules of one pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default)]
pub struct PoolRules {
    /// What the pool holds (default: customers). Kept with the rules so a pool's stored body
    /// says it; it does not change once the pool is created.
    pub holds: PoolHolds,
    /// Claims per member per local day (tenant zone); `None` = unlimited.
    pub daily_claim_cap: Option<u32>,
    /// The previous owner may not re-claim while whole days since entering the pool ≤ N
    /// (0 = off).
    pub previous_owner_cooldown_days: u32,
    /// Nobody may claim during the first N hours in the pool (0 = off).
    pub new_in_pool_protection_hours: u32,
    /// Automatic recycle rules.
    pub recycle: Vec<RecycleRule>,
    /// Dealt (won) customers are exempt from automatic recycling.
    #[serde(default = "yes")]
    pub dealt_exempt: bool,
    /// Customers in these tiers (e.g. `重要价值`) are exempt from automatic recycling.
    #[serde(default)]
    pub exempt_tiers: Vec<String>,
}

impl Default for PoolRules {
    fn default() -> Self {
        Self {
            holds: PoolHolds::Customers,
            daily_claim_cap: None,
            previous_owner_cooldown_days: 0,
            new_in_pool_protection_hours: 0,
            recycle: Vec::new(),
            dealt_exempt: true,
            exempt_tiers: Vec::new(),
        }
    }
}

/// A pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Pool {
    /// Tenant.
    pub tenant: TenantId,
    /// Id.
    pub id: PoolId,
    /// Optimistic version.
    #[serde(default)]
    pub version: i64,
    /// Name.
    pub name: String,
    /// Matching order for recycling (lower first), then id.
    pub position: i32,
    /// The tenant's default pool (exactly one).
    pub is_default: bool,
    /// Disabled pools take no customers and match nobody.
    pub enabled: bool,
    /// Who may distribute.
    pub admins: Members,
    /// Who may see and claim.
    pub members: Members,
    /// Claim and recycle rules.
    pub rules: PoolRules,
    /// Fields hidden or masked for members who do not own the customer.
    pub field_rules: Vec<PoolFieldRule>,
}

/// A pool definition.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PoolInput {
    /// Name.
    pub name: String,
    /// Matching order.
    #[serde(default)]
    pub position: i32,
    /// Make this the default pool (the previous default stops being it).
    #[serde(default)]
    pub is_default: bool,
    /// Enabled (default true).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Admins.
    #[serde(default)]
    pub admins: Members,
    /// Members.
    #[serde(default)]
    pub members: Members,
    /// Rules.
    #[serde(default)]
    pub rules: PoolRules,
    /// Field rules (default: phone and e-mail masked).
    #[serde(default = "default_field_rules")]
    pub field_rules: Vec<PoolFieldRule>,
}

impl PoolInput {
    /// Checks the definition against the org.
    pub fn validate(&self, org: &Org) -> CrmResult<String> {
        let name = required_text(&self.name, "pool.name", MAX_NAME)?;
        for (which, m) in [("admins", &self.admins), ("members", &self.members)] {
            for u in &m.users {
                if !org.users.contains_key(u) {
                    return Err(CrmError::not_found("user", u));
                }
            }
            for d in &m.departments {
                if !org.departments.contains_key(d) {
                    return Err(CrmError::validation(
                        format!("pool.{which}.departments"),
                        format!("no department {d}"),
                    ));
                }
            }
        }
        let mut kinds = BTreeSet::new();
        for r in &self.rules.recycle {
            if !kinds.insert(r.kind) {
                return Err(CrmError::validation(
                    "pool.rules.recycle",
                    format!("{} given twice", r.kind.as_str()),
                ));
            }
            for (_, days) in r.limits.entries() {
                if days > 3650 {
                    return Err(CrmError::validation(
                        "pool.rules.recycle.limits",
                        "at most 3650 days",
                    ));
                }
                if r.remind_days_before > days {
                    return Err(CrmError::validation(
                        "pool.rules.recycle.remind_days_before",
                        "longer than the limit",
                    ));
                }
            }
        }
        if self.rules.previous_owner_cooldown_days > 3650 {
            return Err(CrmError::validation(
                "pool.rules.previous_owner_cooldown_days",
                "at most 3650",
            ));
        }
        if self.rules.new_in_pool_protection_hours > 24 * 365 {
            return Err(CrmError::validation(
                "pool.rules.new_in_pool_protection_hours",
                "at most one year",
            ));
        }
        if self.rules.holds == PoolHolds::Leads {
            if self.is_default {
                return Err(CrmError::validation(
                    "pool.is_default",
                    "the default pool holds customers, not leads",
                ));
            }
            if let Some(r) = self
                .rules
                .recycle
                .iter()
                .find(|r| r.kind != RecycleKind::NoFollowUp)
            {
                return Err(CrmError::validation(
                    "pool.rules.recycle",
                    format!(
                        "a lead pool recycles on no_followup only, not {}",
                        r.kind.as_str()
                    ),
                ));
            }
        }
        if self.is_default && !self.enabled {
            return Err(CrmError::validation(
                "pool.enabled",
                "the default pool must be enabled",
            ));
        }
        Ok(name)
    }
}

impl Record for Pool {
    const ENTITY: Entity = Entity::Pool;
    fn tenant(&self) -> TenantId {
        self.tenant
    }
    fn raw_id(&self) -> i64 {
        self.id.0
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn set_version(&mut self, version: i64) {
        self.version = version;
    }
    fn columns(&self) -> Vec<SqlValue> {
        vec![self.is_default.into(), self.enabled.into()]
    }
}

/// Held limits (私海上限) of a tenant: per user, else the nearest department up the tree,
/// else the default; `None` everywhere means no limit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default)]
pub struct HeldLimits {
    /// Limit for users without a more specific one.
    pub default: Option<u32>,
    /// Per-user limits.
    pub users: std::collections::BTreeMap<UserId, u32>,
    /// Per-department limits (apply to the department and those below it without their own).
    pub departments: std::collections::BTreeMap<DepartmentId, u32>,
    /// Count dealt (won) customers too (default: they do not count).
    pub count_dealt: bool,
    /// Pool admins are not limited when distributing to themselves or claiming from their
    /// own pool.
    pub exempt_pool_admins: bool,
}

impl HeldLimits {
    /// The limit that applies to `user`.
    pub fn for_user(&self, org: &Org, user: UserId) -> Option<u32> {
        if let Some(l) = self.users.get(&user) {
            return Some(*l);
        }
        let mut dept = org.users.get(&user).and_then(|u| u.department_id);
        let mut seen = BTreeSet::new();
        while let Some(d) = dept {
            if !seen.insert(d) {
                break;
            }
            if let Some(l) = self.departments.get(&d) {
                return Some(*l);
            }
            dept = org.departments.get(&d).and_then(|x| x.parent_id);
        }
        self.default
    }
}
