//! The lead report (DESIGN §4.8): leads by status, source and owner; conversion rate and
//! median business time to first contact and to conversion, per source and per owner — over
//! the leads the actor may read, with the source grouping withheld from an actor who may not
//! read the source.

use super::Crm;
use crate::access::{Action, FieldAccess, Module, ViewContext};
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::ids::{BusinessCalendarId, UserId};
use crate::lead::report::{by_key, figures, LeadFigures, LeadOutcome};
use crate::lead::{Lead, LeadStatus};
use crate::sla::CompiledCalendar;
use crate::store::{Entity, Filter, Query, Store, StoreExt};
use crate::tenant::local_midnight;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Longest period a lead report covers.
const MAX_DAYS: i64 = 3660;

/// Leads read per query.
const PAGE: u32 = 1000;

/// Which leads the report covers and the calendar its business times are measured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadReportRequest {
    /// First local day (the tenant's zone) of creation covered.
    pub from: NaiveDate,
    /// Last local day covered (inclusive).
    pub to: NaiveDate,
    /// The business calendar of the times (default: the first-contact setting's; without
    /// either, the report has no median times).
    #[serde(default)]
    pub calendar_id: Option<BusinessCalendarId>,
}

/// Leads in one status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StatusCount {
    /// The status.
    pub status: LeadStatus,
    /// Leads in it.
    pub leads: u64,
}

/// One source's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SourceRow {
    /// The source (none: leads without one).
    pub source: Option<String>,
    /// Its figures.
    #[serde(flatten)]
    pub figures: LeadFigures,
}

/// One owner's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OwnerRow {
    /// The owner (none: unowned, e.g. pooled leads).
    pub owner_id: Option<UserId>,
    /// Their figures.
    #[serde(flatten)]
    pub figures: LeadFigures,
}

/// The lead report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LeadReport {
    /// The calendar the times were measured on (none: no median times).
    pub calendar_id: Option<BusinessCalendarId>,
    /// Every lead covered, by status (merged ones included).
    pub by_status: Vec<StatusCount>,
    /// All covered leads together (merged ones counted through their winner).
    pub total: LeadFigures,
    /// Per source; `None` when the actor may not read the source (`withheld` says so).
    pub by_source: Option<Vec<SourceRow>>,
    /// Per owner.
    pub by_owner: Vec<OwnerRow>,
    /// Lead fields whose groupings were withheld from the actor.
    pub withheld: Vec<String>,
}

impl<S: Store> Crm<S> {
    /// The lead report over the leads the actor may read created in `[from, to]`.
    pub async fn lead_report(
        &self,
        actor: Actor,
        request: LeadReportRequest,
    ) -> CrmResult<LeadReport> {
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
        let reach = ctx.access.require(Module::Leads, Action::Read)?;
        if !ctx.access.is_system() {
            ctx.access.require(Module::Reports, Action::Read)?;
        }
        let calendar_id = request.calendar_id.or(ctx
            .tenant
            .settings
            .leads
            .first_contact
            .map(|s| s.calendar_id));
        let calendar = match calendar_id {
            Some(id) => Some(self.compiled_calendar(&ctx, id).await?.1),
            None => None,
        };
        let tz = ctx.tenant.settings.tz()?;
        let start = local_midnight(tz, request.from);
        let end = local_midnight(tz, request.to.succ_opt().unwrap_or(request.to));
        let policy = ctx.access.field_policy(Module::Leads);
        let source_readable = policy.access("source") != FieldAccess::Hidden
            && !policy.masked("source", ViewContext::List);
        let mut statuses: BTreeMap<&'static str, (LeadStatus, u64)> = BTreeMap::new();
        let mut sources = Vec::new();
        let mut owners = Vec::new();
        let mut after = None;
        loop {
            let q = Query::new(Entity::Lead, ctx.tenant.id)
                .scope(ctx.access.scope_filter(&reach, ctx.now))
                .filter(Filter::ge("created_at", start))
                .filter(Filter::lt("created_at", end))
                .after(after)
                .limit(PAGE);
            let page: Vec<Lead> = self.store().load_all(&q).await?;
            let Some(last) = page.last().map(|l| l.id.0) else {
                break;
            };
            for lead in &page {
                statuses
                    .entry(lead.status.as_str())
                    .or_insert((lead.status, 0))
                    .1 += 1;
                let outcome = outcome(lead, calendar.as_ref());
                if source_readable {
                    sources.push((lead.source.clone(), outcome));
                }
                owners.push((lead.owner_id, outcome));
            }
            if page.len() < PAGE as usize {
                break;
            }
            after = Some(last);
        }
        let total = figures(owners.iter().map(|(_, o)| o));
        Ok(LeadReport {
            calendar_id,
            by_status: statuses
                .into_values()
                .map(|(status, leads)| StatusCount { status, leads })
                .collect(),
            total,
            by_source: source_readable.then(|| {
                by_key(&sources)
                    .into_iter()
                    .map(|(source, figures)| SourceRow { source, figures })
                    .collect()
            }),
            by_owner: by_key(&owners)
                .into_iter()
                .map(|(owner_id, figures)| OwnerRow { owner_id, figures })
                .collect(),
            withheld: if source_readable {
                Vec::new()
            } else {
                vec!["source".into()]
            },
        })
    }
}

/// What the report reads of a lead, its times measured on `calendar` (none: no times).
fn outcome(lead: &Lead, calendar: Option<&CompiledCalendar>) -> LeadOutcome {
    let span = |from, to| calendar.map(|c| c.business_between(from, to));
    let clock_start = lead
        .first_contact
        .as_ref()
        .map_or(lead.created_at, |c| c.started_at);
    LeadOutcome {
        merged: lead.status == LeadStatus::Merged,
        converted: lead.conversion.is_some(),
        to_first_contact: lead
            .first_contacted_at
            .and_then(|t| span(clock_start, t.max(clock_start))),
        to_conversion: lead
            .conversion
            .as_ref()
            .and_then(|c| span(lead.created_at, c.at.max(lead.created_at))),
    }
}
