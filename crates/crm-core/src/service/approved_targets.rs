//! The approved targets of a metric and fiscal year: what achievement is measured against.

use super::Crm;
use crate::error::CrmResult;
use crate::ids::TenantId;
use crate::store::{Entity, Filter, Query, Store, StoreExt};
use crate::target::{Metric, Target, TargetStatus, TargetSubject};
use std::collections::BTreeMap;

impl<S: Store> Crm<S> {
    /// The approved revision of every subject's `metric` target for `fiscal_year` in
    /// `tenant`, ordered by subject (users, then departments, then the tenant; by id).
    /// Superseded, pending and returned revisions are left out; should two revisions of one
    /// subject ever both be approved, the higher revision wins. No access check: callers
    /// apply the actor's scope.
    pub(crate) async fn approved_targets(
        &self,
        tenant: TenantId,
        metric: Metric,
        fiscal_year: i32,
    ) -> CrmResult<Vec<Target>> {
        let rows: Vec<Target> = self
            .store()
            .load_all(
                &Query::new(Entity::Target, tenant)
                    .filter(Filter::eq("metric", metric.as_str()))
                    .filter(Filter::eq("fiscal_year", i64::from(fiscal_year)))
                    .filter(Filter::eq("status", TargetStatus::Approved.as_str())),
            )
            .await?;
        let mut latest: BTreeMap<TargetSubject, Target> = BTreeMap::new();
        for t in rows {
            match latest.get(&t.subject) {
                Some(seen) if seen.revision >= t.revision => {}
                _ => {
                    latest.insert(t.subject, t);
                }
            }
        }
        Ok(latest.into_values().collect())
    }
}
