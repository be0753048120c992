//! SLA reports: compliance per period and group / agent / priority, breach counts, median
//! first-response time in business seconds. Scoped like every read.

use super::Crm;
use crate::access::{Action, Module};
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::ids::BusinessCalendarId;
use crate::sla::{elapsed_business, CompiledCalendar, MetricKind, MetricStop};
use crate::store::{Entity, Filter, Query, Store, StoreExt};
use crate::ticket::Ticket;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// How report rows are grouped.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SlaGroupBy {
    /// One row.
    #[default]
    All,
    /// Per ticket group.
    Group,
    /// Per assignee.
    Agent,
    /// Per priority.
    Priority,
}

/// Met / breached / still running counts of one metric.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MetricStats {
    /// Completed in time.
    pub met: u64,
    /// Breached (completed late, or running past due).
    pub breached: u64,
    /// Running, not yet due.
    pub pending: u64,
    /// Response clocks stopped because the ticket was resolved or closed before any public
    /// agent reply (and before their due instant): neither met nor breached, so outside
    /// `compliance_pct` and outside the median response time.
    #[serde(default)]
    pub closed_without_response: u64,
    /// met / (met + breached) in percent, two decimals; `None` with nothing decided.
    pub compliance_pct: Option<Decimal>,
}

/// One report row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SlaReportRow {
    /// Group key (group name, agent id, priority, or `all`).
    pub key: String,
    /// Tickets created in the period.
    pub tickets: u64,
    /// First response.
    pub first_response: MetricStats,
    /// Resolution.
    pub resolution: MetricStats,
    /// Breaches of any metric.
    pub breaches: u64,
    /// Median business seconds to the first response, over tickets that got one (a ticket
    /// closed without a reply has no response time).
    pub median_first_response_secs: Option<i64>,
}

fn add(stats: &mut MetricStats, m: Option<&crate::sla::SlaMetric>, now: DateTime<Utc>) {
    let Some(m) = m else { return };
    if m.breached_at.is_some() || (m.is_open() && now >= m.due_at) {
        stats.breached += 1;
    } else if m.stopped == Some(MetricStop::ClosedWithoutResponse) {
        stats.closed_without_response += 1;
    } else if m.achieved == Some(true) {
        stats.met += 1;
    } else {
        stats.pending += 1;
    }
}

fn finish(stats: &mut MetricStats) {
    let decided = stats.met + stats.breached;
    stats.compliance_pct = (decided > 0)
        .then(|| (Decimal::from(stats.met * 100) / Decimal::from(decided)).round_dp(2));
}

impl<S: Store> Crm<S> {
    /// The SLA report over tickets created in `[from, to)`.
    pub async fn sla_report(
        &self,
        actor: Actor,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        group_by: SlaGroupBy,
    ) -> CrmResult<Vec<SlaReportRow>> {
        if to <= from {
            return Err(CrmError::validation("to", "must be after from"));
        }
        let ctx = self.ctx(actor).await?;
        let reach = ctx.access.require(Module::Tickets, Action::Read)?;
        // Grouping by group names each group: refused where the ticket list would refuse
        // filtering by it.
        if group_by == SlaGroupBy::Group {
            ctx.require_readable(
                Module::Tickets,
                &ctx.access.field_policy(Module::Tickets),
                "group",
            )?;
        }
        ctx.access
            .require(Module::Reports, Action::Read)
            .or_else(|e| {
                if ctx.access.is_system() {
                    Ok(crate::access::Reach::All)
                } else {
                    Err(e)
                }
            })?;
        let q = Query::new(Entity::Ticket, ctx.tenant.id)
            .scope(ctx.access.scope_filter(&reach, ctx.now))
            .filter(Filter::ge("created_at", crate::clock::ceil_micros(from)))
            .filter(Filter::lt("created_at", crate::clock::ceil_micros(to)));
        let tickets: Vec<Ticket> = self.store().load_all(&q).await?;
        let mut calendars: HashMap<BusinessCalendarId, CompiledCalendar> = HashMap::new();
        let mut rows: BTreeMap<String, (SlaReportRow, Vec<i64>)> = BTreeMap::new();
        for t in &tickets {
            let key = match group_by {
                SlaGroupBy::All => "all".to_owned(),
                SlaGroupBy::Group => t.group.clone().unwrap_or_else(|| "-".into()),
                SlaGroupBy::Agent => t
                    .assignee_id
                    .map(|a| a.to_string())
                    .unwrap_or_else(|| "-".into()),
                SlaGroupBy::Priority => t.priority.as_str().to_owned(),
            };
            let (row, times) = rows.entry(key.clone()).or_insert_with(|| {
                (
                    SlaReportRow {
                        key,
                        ..Default::default()
                    },
                    Vec::new(),
                )
            });
            row.tickets += 1;
            let Some(sla) = &t.sla else { continue };
            add(
                &mut row.first_response,
                sla.latest(MetricKind::FirstResponse),
                ctx.now,
            );
            add(
                &mut row.resolution,
                sla.latest(MetricKind::Resolution),
                ctx.now,
            );
            row.breaches += sla
                .metrics
                .iter()
                .filter(|m| m.breached_at.is_some())
                .count() as u64;
            if let Some(fr) = sla
                .metrics
                .iter()
                .find(|m| m.kind == MetricKind::FirstResponse)
            {
                if let (Some(done), None) = (fr.completed_at, fr.stopped) {
                    if let std::collections::hash_map::Entry::Vacant(slot) =
                        calendars.entry(sla.calendar_id)
                    {
                        slot.insert(self.compiled_calendar(&ctx, sla.calendar_id).await?.1);
                    }
                    if let Some(cal) = calendars.get(&sla.calendar_id) {
                        let pauses: Vec<_> = sla
                            .pauses
                            .iter()
                            .map(|(a, b)| (*a, b.unwrap_or(done)))
                            .collect();
                        times.push(elapsed_business(fr.started_at, done, cal, &pauses));
                    }
                }
            }
        }
        Ok(rows
            .into_values()
            .map(|(mut row, mut times)| {
                finish(&mut row.first_response);
                finish(&mut row.resolution);
                times.sort_unstable();
                row.median_first_response_secs = match times.len() {
                    0 => None,
                    n if n % 2 == 1 => Some(times[n / 2]),
                    n => Some((times[n / 2 - 1] + times[n / 2]) / 2),
                };
                row
            })
            .collect())
    }
}
