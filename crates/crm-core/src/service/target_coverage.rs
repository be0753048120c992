//! Department coverage (DESIGN §4.10): a department's target, fiscal month by fiscal month,
//! against the sum of the current targets of its direct active member users and its direct
//! sub-departments — a sub-department without a target of its own contributes its own
//! coverage, recursively. The tenant's target is covered by its root departments and the
//! active users without a department. Only targets of the same metric, fiscal year and
//! currency count. A subject's current target is its approved revision, else its latest
//! pending one (draft, submitted or returned).

use super::{Crm, Ctx};
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::ids::{DepartmentId, TargetId, TenantId};
use crate::org::Org;
use crate::store::{Entity, Filter, Query, SqlValue, Store, StoreExt};
use crate::target::{Metric, Target, TargetStatus, TargetSubject};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One fiscal month where a target is not covered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CoverageGap {
    /// The fiscal month, 1–12.
    pub month: u32,
    /// The department's (or tenant's) target for the month.
    pub target: Decimal,
    /// The sum of its members' and sub-departments' targets.
    pub covered: Decimal,
    /// `target − covered` (> 0).
    pub gap: Decimal,
}

/// A department's or the tenant's target against its members' (`target.coverage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TargetCoverage {
    /// The revision checked.
    pub target_id: TargetId,
    /// Its subject.
    pub subject: TargetSubject,
    /// Its metric.
    pub metric: Metric,
    /// Its fiscal year.
    pub fiscal_year: i32,
    /// Its currency (`None` for counts).
    pub currency: Option<String>,
    /// Its twelve months.
    pub months: Vec<Decimal>,
    /// The twelve covered sums.
    pub covered: Vec<Decimal>,
    /// The months falling short, in order (empty when covered).
    pub gaps: Vec<CoverageGap>,
}

/// Current targets by subject, and the walk that sums them.
struct Cover<'a> {
    org: &'a Org,
    current: BTreeMap<TargetSubject, Target>,
    currency: Option<String>,
}

impl Cover<'_> {
    /// The months of the subject's current target, when in the same currency.
    fn own(&self, subject: TargetSubject) -> Option<&[Decimal]> {
        self.current
            .get(&subject)
            .filter(|t| t.currency == self.currency && t.months.len() == 12)
            .map(|t| t.months.as_slice())
    }

    fn add(sum: &mut [Decimal; 12], months: &[Decimal]) {
        for (s, m) in sum.iter_mut().zip(months) {
            *s = s.saturating_add(*m);
        }
    }

    /// What a department's direct members and sub-departments cover.
    fn department(&self, id: DepartmentId, seen: &mut BTreeSet<DepartmentId>) -> [Decimal; 12] {
        let mut sum = [Decimal::ZERO; 12];
        if !seen.insert(id) {
            return sum;
        }
        for u in self.org.users.values() {
            if u.active && u.department_id == Some(id) {
                if let Some(m) = self.own(TargetSubject::User { id: u.id }) {
                    Self::add(&mut sum, m);
                }
            }
        }
        let children: Vec<DepartmentId> = self
            .org
            .departments
            .values()
            .filter(|d| d.parent_id == Some(id))
            .map(|d| d.id)
            .collect();
        for child in children {
            self.sub_department(&mut sum, child, seen);
        }
        sum
    }

    /// Adds a sub-department: its own target, else its coverage.
    fn sub_department(
        &self,
        sum: &mut [Decimal; 12],
        id: DepartmentId,
        seen: &mut BTreeSet<DepartmentId>,
    ) {
        match self.own(TargetSubject::Department { id }) {
            Some(m) => Self::add(sum, m),
            None => {
                let inner = self.department(id, seen);
                Self::add(sum, &inner);
            }
        }
    }

    /// What the root departments and the users without a department cover.
    fn tenant(&self) -> [Decimal; 12] {
        let mut sum = [Decimal::ZERO; 12];
        let mut seen = BTreeSet::new();
        for u in self.org.users.values() {
            if u.active && u.department_id.is_none() {
                if let Some(m) = self.own(TargetSubject::User { id: u.id }) {
                    Self::add(&mut sum, m);
                }
            }
        }
        let roots: Vec<DepartmentId> = self
            .org
            .departments
            .values()
            .filter(|d| {
                d.parent_id
                    .is_none_or(|p| !self.org.departments.contains_key(&p))
            })
            .map(|d| d.id)
            .collect();
        for root in roots {
            self.sub_department(&mut sum, root, &mut seen);
        }
        sum
    }
}

impl<S: Store> Crm<S> {
    /// The current target of every subject for a metric and fiscal year: the approved
    /// revision, else the latest pending one.
    async fn current_targets(
        &self,
        tenant: TenantId,
        metric: Metric,
        fiscal_year: i32,
    ) -> CrmResult<BTreeMap<TargetSubject, Target>> {
        let mut current: BTreeMap<TargetSubject, Target> = self
            .approved_targets(tenant, metric, fiscal_year)
            .await?
            .into_iter()
            .map(|t| (t.subject, t))
            .collect();
        let pending_names = [
            TargetStatus::Draft,
            TargetStatus::Submitted,
            TargetStatus::Returned,
        ]
        .map(|s| SqlValue::from(s.as_str()))
        .to_vec();
        let pending: Vec<Target> = self
            .store()
            .load_all(
                &Query::new(Entity::Target, tenant)
                    .filter(Filter::eq("metric", metric.as_str()))
                    .filter(Filter::eq("fiscal_year", i64::from(fiscal_year)))
                    .filter(Filter::is_in("status", pending_names)),
            )
            .await?;
        let mut latest: BTreeMap<TargetSubject, Target> = BTreeMap::new();
        for t in pending {
            if current.contains_key(&t.subject) {
                continue;
            }
            match latest.get(&t.subject) {
                Some(seen) if seen.revision >= t.revision => {}
                _ => {
                    latest.insert(t.subject, t);
                }
            }
        }
        current.extend(latest);
        Ok(current)
    }

    /// The coverage of a department's or the tenant's target revision.
    pub(super) async fn coverage_of(
        &self,
        ctx: &Ctx,
        target: &Target,
    ) -> CrmResult<TargetCoverage> {
        let cover = Cover {
            org: ctx.access.org(),
            current: self
                .current_targets(ctx.tenant.id, target.metric, target.fiscal_year)
                .await?,
            currency: target.currency.clone(),
        };
        let covered = match target.subject {
            TargetSubject::Department { id } => cover.department(id, &mut BTreeSet::new()),
            TargetSubject::Tenant => cover.tenant(),
            TargetSubject::User { .. } => {
                return Err(CrmError::validation(
                    "id",
                    "coverage is checked for department and tenant targets",
                ))
            }
        };
        let gaps = (1u32..)
            .zip(target.months.iter().zip(covered.iter()))
            .filter(|(_, (t, c))| c < t)
            .map(|(month, (t, c))| CoverageGap {
                month,
                target: *t,
                covered: *c,
                gap: *t - *c,
            })
            .collect();
        Ok(TargetCoverage {
            target_id: target.id,
            subject: target.subject,
            metric: target.metric,
            fiscal_year: target.fiscal_year,
            currency: target.currency.clone(),
            months: target.months.clone(),
            covered: covered.to_vec(),
            gaps,
        })
    }

    /// The shortfalls of a revision under review: none for a user's target.
    pub(super) async fn review_gaps(
        &self,
        ctx: &Ctx,
        target: &Target,
    ) -> CrmResult<Vec<CoverageGap>> {
        if target.subject.user().is_some() {
            return Ok(Vec::new());
        }
        Ok(self.coverage_of(ctx, target).await?.gaps)
    }

    /// The coverage of a department's or the tenant's target revision the actor may read.
    pub async fn target_coverage(&self, actor: Actor, id: TargetId) -> CrmResult<TargetCoverage> {
        let ctx = self.ctx(actor).await?;
        let target = self.target_for(&ctx, id, true).await?;
        self.coverage_of(&ctx, &target).await
    }
}
