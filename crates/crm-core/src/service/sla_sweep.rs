//! Scheduled SLA work: tickets whose next check is due fire their warnings, breaches and
//! escalations, each once; escalation actions are applied in the same unit of work.

use super::{json, Crm, Ctx};
use crate::error::{CrmError, CrmResult};
use crate::ids::BusinessCalendarId;
use crate::sla::{CompiledCalendar, EscalationAction, SlaFired};
use crate::store::{Changes, Entity, EventKind, Filter, Query, Store, StoreExt};
use crate::ticket::Ticket;
use std::collections::HashMap;

const BATCH: u32 = 200;

/// Counts of what one sweep fired.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
pub struct SlaSweepCounts {
    /// Warnings.
    pub warnings: u64,
    /// Breaches.
    pub breaches: u64,
    /// Escalations.
    pub escalations: u64,
}

impl<S: Store> Crm<S> {
    pub(crate) async fn sweep_sla(&self, ctx: &Ctx) -> CrmResult<SlaSweepCounts> {
        let mut counts = SlaSweepCounts::default();
        let mut calendars: HashMap<BusinessCalendarId, CompiledCalendar> = HashMap::new();
        let mut after = None;
        let mut conflicts = 0;
        loop {
            let q = Query::new(Entity::Ticket, ctx.tenant.id)
                .filter(Filter::le("sla_next_check_at", ctx.now))
                .after(after)
                .limit(BATCH);
            let batch: Vec<Ticket> = self.store().load_all(&q).await?;
            let Some(last) = batch.last().map(|t| t.id) else {
                break;
            };
            let mut changes = Changes::new(ctx.tenant.id);
            let mut batch_counts = SlaSweepCounts::default();
            for before in &batch {
                let mut t = before.clone();
                let Some(sla) = t.sla.as_mut() else { continue };
                if let std::collections::hash_map::Entry::Vacant(slot) =
                    calendars.entry(sla.calendar_id)
                {
                    slot.insert(self.compiled_calendar(ctx, sla.calendar_id).await?.1);
                }
                let Some(cal) = calendars.get(&sla.calendar_id) else {
                    continue;
                };
                let fired = sla.sweep(ctx.now, cal);
                for f in &fired {
                    let (kind, payload) = match f {
                        SlaFired::Warning {
                            metric,
                            level,
                            due_at,
                        } => {
                            batch_counts.warnings += 1;
                            (
                                EventKind::SlaWarning,
                                serde_json::json!({ "metric": metric, "level": level, "due_at": due_at, "assignee_id": before.assignee_id }),
                            )
                        }
                        SlaFired::Breach { metric, due_at } => {
                            batch_counts.breaches += 1;
                            (
                                EventKind::SlaBreached,
                                serde_json::json!({ "metric": metric, "due_at": due_at, "assignee_id": before.assignee_id }),
                            )
                        }
                        SlaFired::Escalation {
                            metric,
                            level,
                            action,
                        } => {
                            batch_counts.escalations += 1;
                            let mut payload = serde_json::json!({ "metric": metric, "level": level, "action": action });
                            match action {
                                EscalationAction::NotifySupervisor => {
                                    let sup = before
                                        .assignee_id
                                        .and_then(|a| ctx.access.org().supervisor(a, 1));
                                    payload["supervisor_id"] = serde_json::json!(sup);
                                }
                                EscalationAction::RaisePriority => {
                                    t.priority = t.priority.raised();
                                    payload["priority"] = serde_json::json!(t.priority);
                                }
                                EscalationAction::ReassignGroup { group } => {
                                    if ctx.tenant.settings.tickets.group(group).is_some() {
                                        t.assignee_id = self.pick_agent(ctx, group).await?;
                                        t.group = Some(group.clone());
                                        payload["assignee_id"] = serde_json::json!(t.assignee_id);
                                    }
                                }
                            }
                            (EventKind::SlaEscalated, payload)
                        }
                    };
                    changes.event(ctx.event(kind, Entity::Ticket, before.id, payload));
                }
                if t != *before {
                    changes.update(&t)?;
                    if !fired.is_empty() {
                        changes.audit(ctx.audit(
                            "due_work.sla",
                            Entity::Ticket,
                            before.id,
                            json(before),
                            json(&t),
                        ));
                    }
                }
            }
            if !changes.is_empty() {
                match self.store().apply(changes).await {
                    Ok(_) => {
                        counts.warnings += batch_counts.warnings;
                        counts.breaches += batch_counts.breaches;
                        counts.escalations += batch_counts.escalations;
                    }
                    Err(CrmError::Conflict { .. }) if conflicts < 20 => {
                        conflicts += 1;
                        continue;
                    }
                    Err(e) => return Err(e),
                }
            }
            after = Some(last.into());
        }
        Ok(counts)
    }
}
