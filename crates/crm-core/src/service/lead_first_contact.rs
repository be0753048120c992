//! The first-contact clock of leads in the service: started when a lead gets an owner, and
//! swept by scheduled work through the indexed `first_contact_check_at` column. The rule
//! itself is [`crate::lead::FirstContactClock`].

use super::{json, Crm, Ctx};
use crate::error::{CrmError, CrmResult};
use crate::lead::{FirstContactFired, Lead};
use crate::store::{Changes, Entity, EventKind, Filter, Query, Store, StoreExt};

/// Leads read per batch by the sweep.
const BATCH: u32 = 200;

/// Conflicting batches the sweep re-reads before giving up.
const MAX_CONFLICTS: u32 = 20;

/// What one sweep of first-contact clocks fired.
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
pub struct FirstContactCounts {
    /// `LeadFirstContactDueSoon` warnings.
    pub due_soon: u64,
    /// `LeadFirstContactBreached` breaches.
    pub breached: u64,
}

impl<S: Store> Crm<S> {
    /// Starts `lead`'s first-contact clock at `ctx.now` when the tenant sets one and the
    /// lead awaits it (an owner, open, not contacted, no clock yet); otherwise leaves it as
    /// it is. Call it wherever an owner is set — create, assignment — before the lead is
    /// written, in the same unit of work.
    pub(crate) async fn start_first_contact_clock(
        &self,
        ctx: &Ctx,
        lead: &mut Lead,
    ) -> CrmResult<()> {
        let Some(settings) = ctx.tenant.settings.leads.first_contact else {
            return Ok(());
        };
        if !lead.awaits_first_contact_clock() {
            return Ok(());
        }
        let (_, calendar) = self.compiled_calendar(ctx, settings.calendar_id).await?;
        lead.first_contact = Some(settings.start(ctx.now, &calendar));
        Ok(())
    }

    /// Fires the first-contact warnings and breaches due at `ctx.now`, once each per lead,
    /// reading only leads whose next check is due, through their index. Every lead read
    /// changes (what was due is recorded and its next check moves past `now` or away), so
    /// each batch is read from the start of what is still due: an id cursor would make
    /// SQLite walk the primary key over every later lead instead of the index.
    pub(crate) async fn sweep_first_contact(&self, ctx: &Ctx) -> CrmResult<FirstContactCounts> {
        let mut counts = FirstContactCounts::default();
        let mut conflicts = 0;
        loop {
            let q = Query::new(Entity::Lead, ctx.tenant.id)
                .filter(Filter::le("first_contact_check_at", ctx.now))
                .limit(BATCH);
            let batch: Vec<Lead> = self.store().load_all(&q).await?;
            let mut changes = Changes::new(ctx.tenant.id);
            let mut batch_counts = FirstContactCounts::default();
            for before in &batch {
                let mut lead = before.clone();
                let (open, contacted) = lead.first_contact_state();
                let Some(clock) = lead.first_contact.as_mut() else {
                    continue;
                };
                let fired = clock.sweep(ctx.now, open, contacted);
                let payload = serde_json::json!({
                    "owner_id": lead.owner_id,
                    "started_at": clock.started_at,
                    "due_at": clock.due_at,
                });
                for f in &fired {
                    let kind = match f {
                        FirstContactFired::DueSoon => {
                            batch_counts.due_soon += 1;
                            EventKind::LeadFirstContactDueSoon
                        }
                        FirstContactFired::Breached => {
                            batch_counts.breached += 1;
                            EventKind::LeadFirstContactBreached
                        }
                    };
                    changes.event(ctx.event(kind, Entity::Lead, lead.id, payload.clone()));
                }
                if lead != *before {
                    changes.update(&lead)?;
                    changes.audit(ctx.audit(
                        "due_work.lead_first_contact",
                        Entity::Lead,
                        lead.id,
                        json(before),
                        json(&lead),
                    ));
                }
            }
            // Nothing read (or nothing a read lead still owes: a row that cannot progress
            // must not be read forever).
            if changes.is_empty() {
                break;
            }
            match self.store().apply(changes).await {
                Ok(_) => {
                    counts.due_soon += batch_counts.due_soon;
                    counts.breached += batch_counts.breached;
                }
                // Another runner changed some of these leads: read what is still due again.
                Err(CrmError::Conflict { .. }) if conflicts < MAX_CONFLICTS => {
                    conflicts += 1;
                    continue;
                }
                Err(e) => return Err(e),
            }
            if batch.len() < BATCH as usize {
                break;
            }
        }
        Ok(counts)
    }
}
