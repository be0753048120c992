//! The visit report (DESIGN §4.9): per visitor over a period of local days, the visits
//! checked in, checked out, flagged per flag, and the time on site — over the visits the
//! actor may read.

use super::Crm;
use crate::access::{Action, Module};
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::ids::UserId;
use crate::store::{Entity, Filter, Query, Store, StoreExt};
use crate::tenant::local_midnight;
use crate::visit::report::VisitFigures;
use crate::visit::Visit;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Longest period a visit report covers.
const MAX_DAYS: i64 = 3660;

/// Visits read per query.
const PAGE: u32 = 1000;

/// The period of the visit report (`visit.report`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitReportRequest {
    /// First local day (the tenant's zone) of check-in covered.
    pub from: NaiveDate,
    /// Last local day covered (inclusive).
    pub to: NaiveDate,
}

/// One visitor's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct VisitorRow {
    /// The visitor.
    pub owner_id: UserId,
    /// Their figures.
    #[serde(flatten)]
    pub figures: VisitFigures,
}

/// The visit report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct VisitReport {
    /// Every covered visit together.
    pub total: VisitFigures,
    /// Per visitor, by id.
    pub by_owner: Vec<VisitorRow>,
}

impl<S: Store> Crm<S> {
    /// The visit report over the visits the actor may read checked in during `[from, to]`.
    pub async fn visit_report(
        &self,
        actor: Actor,
        request: VisitReportRequest,
    ) -> CrmResult<VisitReport> {
        if request.to < request.from {
            return Err(CrmError::validation("to", "is before from"));
        }
        if (request.to - request.from).num_days() > MAX_DAYS {
            return Err(CrmError::validation(
                "to",
                format!("a report covers at most {MAX_DAYS} days"),
            ));
        }
        let ctx = self.ctx(actor).await?;
        let reach = ctx.access.require(Module::Visits, Action::Read)?;
        if !ctx.access.is_system() {
            ctx.access.require(Module::Reports, Action::Read)?;
        }
        let tz = ctx.tenant.settings.tz()?;
        let start = local_midnight(tz, request.from);
        let end = local_midnight(tz, request.to.succ_opt().unwrap_or(request.to));
        let mut total = VisitFigures::default();
        let mut owners: BTreeMap<UserId, VisitFigures> = BTreeMap::new();
        let mut after = None;
        loop {
            let query = Query::new(Entity::Visit, ctx.tenant.id)
                .scope(ctx.access.scope_filter(&reach, ctx.now))
                .filter(Filter::ge("checked_in_at", start))
                .filter(Filter::lt("checked_in_at", end))
                .after(after)
                .limit(PAGE);
            let rows: Vec<Visit> = self.store().load_all(&query).await?;
            for visit in &rows {
                total.add(visit);
                owners.entry(visit.owner_id).or_default().add(visit);
            }
            if rows.len() < PAGE as usize {
                break;
            }
            after = rows.last().map(|v| v.id.0);
        }
        Ok(VisitReport {
            total,
            by_owner: owners
                .into_iter()
                .map(|(owner_id, figures)| VisitorRow { owner_id, figures })
                .collect(),
        })
    }
}
