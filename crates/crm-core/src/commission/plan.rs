//! Commission plans (提成方案, DESIGN §4.10): a named plan in revisions. Each revision pays
//! one metric by bands on a base (`booked`, or `collected`: released as payments come in),
//! in one currency, to the users and departments (sub-departments included) it names, from
//! the fiscal month it takes effect on. Revisions are never changed: a change is the next
//! revision, and the revision in force at a statement period's start is the one applied.

use super::Bands;
use crate::error::{CrmError, CrmResult};
use crate::ids::{CommissionPlanId, DepartmentId, TenantId, UserId};
use crate::money::Currency;
use crate::org::Org;
use crate::store::{Entity, Record, SqlValue};
use crate::target::Metric;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The longest plan name, in characters.
pub const MAX_PLAN_NAME: usize = 100;
/// The most users or departments a plan names.
pub const MAX_PLAN_MEMBERS: usize = 1000;

/// What the bands are applied to.
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
pub enum CommissionBase {
    /// The period's net credits: commission is earned when the metric is credited.
    Booked,
    /// Contract amount booked, but the commission is released in proportion to the
    /// payments received on each contract (only for the `contract_amount` metric).
    Collected,
}

impl CommissionBase {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            CommissionBase::Booked => "booked",
            CommissionBase::Collected => "collected",
        }
    }
}

impl std::fmt::Display for CommissionBase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a plan revision pays.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// In use from its effective month.
    #[default]
    Active,
    /// Ends the plan from its effective month: no statement is computed under it.
    Retired,
}

impl PlanStatus {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Active => "active",
            PlanStatus::Retired => "retired",
        }
    }
}

impl std::fmt::Display for PlanStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whom a plan applies to: the users named, and every user of the departments named or of
/// a department below them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanMembers {
    /// Users.
    #[serde(default)]
    pub users: Vec<UserId>,
    /// Departments (sub-departments included).
    #[serde(default)]
    pub departments: Vec<DepartmentId>,
}

impl PlanMembers {
    /// Whether `user` is named, or sits in a named department or below one.
    pub fn includes(&self, org: &Org, user: UserId) -> bool {
        if self.users.contains(&user) {
            return true;
        }
        let Some(department) = org.users.get(&user).and_then(|u| u.department_id) else {
            return false;
        };
        self.departments
            .iter()
            .any(|&d| org.department_subtree(d).contains(&department))
    }
}

/// A plan revision as written by `commission.set_plan`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommissionPlanInput {
    /// The plan's name (its key across revisions).
    pub name: String,
    /// The first day of the fiscal month the revision applies from.
    pub effective_from: NaiveDate,
    /// What is measured.
    pub metric: Metric,
    /// Booked or collected.
    pub base: CommissionBase,
    /// The bands.
    pub bands: Bands,
    /// The currency commission is paid in (ISO 4217); for amount metrics also the currency
    /// of the credits counted.
    pub currency: String,
    /// Whom it applies to.
    pub applies_to: PlanMembers,
    /// Active (default) or retired.
    #[serde(default)]
    pub status: PlanStatus,
}

impl CommissionPlanInput {
    /// Refuses, naming the field: an empty or overlong name, an effective day that is not
    /// the first of a month (or outside the fiscal years), a collected base on any metric
    /// but `contract_amount` (`base`), invalid bands (`bands.bands[i]…`, `bands.cap`), an
    /// unknown currency, nobody to apply to or unknown users and departments
    /// (`applies_to…`).
    pub fn validate(&self, org: &Org) -> CrmResult<Currency> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(CrmError::validation("name", "must not be empty"));
        }
        if name != self.name {
            return Err(CrmError::validation(
                "name",
                "must not start or end with spaces",
            ));
        }
        if self.name.chars().count() > MAX_PLAN_NAME {
            return Err(CrmError::validation(
                "name",
                format!("at most {MAX_PLAN_NAME} characters"),
            ));
        }
        crate::target::fiscal::check_day(self.effective_from, "effective_from")?;
        if self.effective_from.day() != 1 {
            return Err(CrmError::validation(
                "effective_from",
                "must be the first day of a fiscal month",
            ));
        }
        if self.base == CommissionBase::Collected && self.metric != Metric::ContractAmount {
            return Err(CrmError::validation(
                "base",
                format!(
                    "collected needs the metric contract_amount, not {}",
                    self.metric
                ),
            ));
        }
        // The bands object is the request's field `bands`: its errors name their path in it
        // (`bands.bands[1].from`, `bands.cap`).
        self.bands.validate().map_err(|e| match e {
            CrmError::Validation { field, reason } => {
                CrmError::validation(format!("bands.{field}"), reason)
            }
            other => other,
        })?;
        let currency = Currency::parse(&self.currency, "currency")?;
        let members = &self.applies_to;
        if members.users.is_empty() && members.departments.is_empty() {
            return Err(CrmError::validation(
                "applies_to",
                "name at least one user or department",
            ));
        }
        if members.users.len() > MAX_PLAN_MEMBERS || members.departments.len() > MAX_PLAN_MEMBERS {
            return Err(CrmError::validation(
                "applies_to",
                format!("at most {MAX_PLAN_MEMBERS} users and {MAX_PLAN_MEMBERS} departments"),
            ));
        }
        for (i, user) in members.users.iter().enumerate() {
            if !org.users.contains_key(user) {
                return Err(CrmError::validation(
                    format!("applies_to.users[{i}]"),
                    format!("no user {user}"),
                ));
            }
        }
        for (i, department) in members.departments.iter().enumerate() {
            if !org.departments.contains_key(department) {
                return Err(CrmError::validation(
                    format!("applies_to.departments[{i}]"),
                    format!("no department {department}"),
                ));
            }
        }
        Ok(currency)
    }
}

/// One revision of a commission plan. Never updated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CommissionPlan {
    /// Tenant.
    pub tenant: TenantId,
    /// Id (of this revision).
    pub id: CommissionPlanId,
    /// Optimistic version (always 1).
    #[serde(default)]
    pub version: i64,
    /// The plan's name.
    pub name: String,
    /// The revision, from 1.
    pub revision: i32,
    /// The first day of the fiscal month it applies from.
    pub effective_from: NaiveDate,
    /// What is measured.
    pub metric: Metric,
    /// Booked or collected.
    pub base: CommissionBase,
    /// The bands.
    pub bands: Bands,
    /// The currency of the commission (and of amount credits counted).
    pub currency: String,
    /// Whom it applies to.
    pub applies_to: PlanMembers,
    /// Active or retired.
    pub status: PlanStatus,
    /// Who wrote it (`None`: the system actor).
    pub created_by: Option<UserId>,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl Record for CommissionPlan {
    const ENTITY: Entity = Entity::CommissionPlan;
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
        vec![
            self.name.clone().into(),
            i64::from(self.revision).into(),
            crate::credit::model::date_key(self.effective_from).into(),
            self.metric.as_str().into(),
            self.status.as_str().into(),
        ]
    }
}

/// The revision of one plan (its revisions, any order) in force on `day`: the one with the
/// latest `effective_from` on or before it.
pub fn in_force(revisions: &[CommissionPlan], day: NaiveDate) -> Option<&CommissionPlan> {
    revisions
        .iter()
        .filter(|p| p.effective_from <= day)
        .max_by_key(|p| (p.effective_from, p.revision))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commission::{Band, BandBasis, BandMode};
    use rust_decimal::Decimal;

    fn plan(revision: i32, from: NaiveDate) -> CommissionPlan {
        CommissionPlan {
            tenant: TenantId(1),
            id: CommissionPlanId(i64::from(revision)),
            version: 1,
            name: "east".into(),
            revision,
            effective_from: from,
            metric: Metric::ContractAmount,
            base: CommissionBase::Booked,
            bands: Bands {
                basis: BandBasis::Amount,
                mode: BandMode::Flat,
                bands: vec![Band {
                    from: Decimal::ZERO,
                    to: None,
                    rate: Decimal::ONE,
                }],
                cap: None,
            },
            currency: "CNY".into(),
            applies_to: PlanMembers::default(),
            status: PlanStatus::Active,
            created_by: None,
            created_at: DateTime::<Utc>::default(),
        }
    }

    fn day(y: i32, m: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, 1).unwrap()
    }

    #[test]
    fn the_revision_in_force_is_the_latest_started() {
        let revisions = vec![plan(2, day(2026, 4)), plan(1, day(2026, 1))];
        assert_eq!(in_force(&revisions, day(2025, 12)), None);
        assert_eq!(
            in_force(&revisions, day(2026, 1)).map(|p| p.revision),
            Some(1)
        );
        assert_eq!(
            in_force(&revisions, day(2026, 3)).map(|p| p.revision),
            Some(1)
        );
        assert_eq!(
            in_force(&revisions, day(2026, 4)).map(|p| p.revision),
            Some(2)
        );
        assert_eq!(
            in_force(&revisions, day(2027, 1)).map(|p| p.revision),
            Some(2)
        );
    }
}
