//! One batch of `lead.import` in one unit of work: ids, the intake duplicate check against
//! the store and the file's earlier rows, owners by the rules one decision after another
//! (see [`super::lead_import`]), the leads, their counts, audit entries and events.

use super::lead_cursors::CursorBook;
use super::lead_import::{refusal, Owning};
use super::lead_loads::LoadBook;
use super::{json, Crm, Ctx};
use crate::access::Action;
use crate::error::{Committed, CrmError, CrmResult};
use crate::ids::{LeadId, UserId};
use crate::lead::import::{LeadImportReport, RowOutcome};
use crate::lead::{Lead, LeadStatus};
use crate::store::{Changes, Entity, EventKind, Store, StoreExt};
use std::collections::HashMap;

/// An open lead written from an earlier row of the file.
#[derive(Debug, Clone, Copy)]
struct EarlierRow {
    lead: LeadId,
    row: u64,
    owner: Option<UserId>,
}

/// What the batches of one import share: how leads are owned, the duplicate keys of the
/// open leads written so far, and what was committed.
pub(super) struct ImportRun {
    owning: Owning,
    seen: HashMap<(&'static str, String), EarlierRow>,
    committed: Vec<Committed>,
    through_row: u64,
}

impl ImportRun {
    /// A run that has written nothing yet.
    pub(super) fn new(owning: Owning) -> Self {
        ImportRun {
            owning,
            seen: HashMap::new(),
            committed: Vec::new(),
            through_row: 0,
        }
    }
}

/// The oldest open lead among earlier rows sharing a key with `lead`.
fn earlier_row(
    seen: &HashMap<(&'static str, String), EarlierRow>,
    lead: &Lead,
) -> Option<EarlierRow> {
    lead.duplicate_keys()
        .into_iter()
        .filter_map(|k| seen.get(&k).copied())
        .min_by_key(|e| e.lead)
}

impl<S: Store> Crm<S> {
    /// Writes one batch (rows with their drafted leads); on failure after earlier batches
    /// were committed, the error is [`CrmError::Incomplete`] naming what was written.
    pub(super) async fn import_lead_batch(
        &self,
        ctx: &Ctx,
        batch: Vec<(u64, Lead)>,
        run: &mut ImportRun,
        report: &mut LeadImportReport,
    ) -> CrmResult<()> {
        let last_row = batch.last().map_or(run.through_row, |(row, _)| *row);
        match self.write_lead_batch(ctx, &batch, run).await {
            Ok(outcomes) => {
                for (row, outcome) in outcomes {
                    if let RowOutcome::Imported { lead_id, .. }
                    | RowOutcome::Duplicate { lead_id, .. } = &outcome
                    {
                        run.committed.push(Committed {
                            line: row,
                            id: lead_id.0,
                        });
                    }
                    report.push(row, outcome);
                }
                run.through_row = last_row;
                Ok(())
            }
            Err(cause) if run.committed.is_empty() => Err(cause),
            Err(cause) => Err(CrmError::Incomplete {
                operation: "lead.import".into(),
                through_line: run.through_row,
                committed: run.committed.clone(),
                cause: Box::new(cause),
            }),
        }
    }

    /// Decides and applies the batch, re-deciding it whole from a fresh read on a conflict.
    async fn write_lead_batch(
        &self,
        ctx: &Ctx,
        batch: &[(u64, Lead)],
        run: &mut ImportRun,
    ) -> CrmResult<Vec<(u64, RowOutcome)>> {
        let count = u32::try_from(batch.len())
            .map_err(|_| CrmError::validation("batch_size", "too large"))?;
        let first = self.store().allocate_ids(Entity::Lead, count).await?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let started = std::time::Instant::now();
            let mut seen = run.seen.clone();
            let (changes, outcomes) = self
                .decide_lead_batch(ctx, batch, first, run.owning, &mut seen)
                .await?;
            let result = if changes.is_empty() {
                Ok(Vec::new())
            } else {
                self.store().apply(changes).await
            };
            match result {
                Ok(_) => {
                    run.seen = seen;
                    return Ok(outcomes);
                }
                Err(CrmError::Conflict { .. }) if attempt < self.max_attempts() => {
                    self.back_off(attempt, started.elapsed()).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The batch's writes and each row's outcome, from one read of the store.
    async fn decide_lead_batch(
        &self,
        ctx: &Ctx,
        batch: &[(u64, Lead)],
        first: i64,
        owning: Owning,
        seen: &mut HashMap<(&'static str, String), EarlierRow>,
    ) -> CrmResult<(Changes, Vec<(u64, RowOutcome)>)> {
        let mut changes = Changes::new(ctx.tenant.id);
        let mut loads = LoadBook::default();
        let mut cursors = CursorBook::default();
        let mut outcomes = Vec::with_capacity(batch.len());
        let mut written: Vec<Lead> = Vec::with_capacity(batch.len());
        for (offset, (row, draft)) in (0_i64..).zip(batch) {
            let mut lead = Lead {
                id: LeadId(first + offset),
                ..draft.clone()
            };
            let stored = self.open_duplicate(ctx, &lead).await?;
            let earlier = earlier_row(seen, &lead);
            let original = match (stored, earlier.map(|e| e.lead)) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let from_file = earlier.filter(|e| Some(e.lead) == original);
            if let Some(original) = original {
                lead.status = LeadStatus::Merged;
                lead.merged_into = Some(original);
            }
            lead.matched_customer_id = self.matching_customer(ctx, &lead).await?;
            let unassigned = lead.clone();
            let record = if owning == Owning::ByRules && original.is_none() {
                match self
                    .route_lead_in(ctx, &mut cursors, &mut loads, &mut lead)
                    .await
                {
                    Ok(record) => Some(record),
                    Err(e @ (CrmError::Storage(_) | CrmError::Conflict { .. })) => return Err(e),
                    Err(e) => {
                        outcomes.push((*row, RowOutcome::Refused(refusal(e))));
                        continue;
                    }
                }
            } else {
                None
            };
            // As in lead.create: the clock starts once the lead has its owner.
            self.start_first_contact_clock(ctx, &mut lead).await?;
            changes.insert(&lead)?;
            if let Some(record) = &record {
                self.record_assignment(ctx, &mut changes, &unassigned, &lead, record)?;
            }
            changes.audit(ctx.audit(
                "lead.import",
                Entity::Lead,
                lead.id,
                serde_json::Value::Null,
                json(&lead),
            ));
            changes.event(ctx.event(
                EventKind::LeadCreated,
                Entity::Lead,
                lead.id,
                serde_json::json!({
                    "owner_id": lead.owner_id,
                    "source": lead.source,
                    "merged_into": lead.merged_into,
                    "matched_customer_id": lead.matched_customer_id,
                    "import_row": row,
                }),
            ));
            let outcome = match original {
                None => {
                    for key in lead.duplicate_keys() {
                        seen.entry(key).or_insert(EarlierRow {
                            lead: lead.id,
                            row: *row,
                            owner: lead.owner_id,
                        });
                    }
                    RowOutcome::Imported {
                        lead_id: lead.id,
                        owner_id: lead.owner_id,
                        pool_id: lead.pool_id,
                    }
                }
                Some(original) => RowOutcome::Duplicate {
                    lead_id: lead.id,
                    merged_into: self
                        .shown_original(ctx, original, from_file.map(|e| e.owner))
                        .await?,
                    earlier_row: from_file.map(|e| e.row),
                },
            };
            outcomes.push((*row, outcome));
            written.push(lead);
        }
        loads
            .lead_changes(self, ctx.tenant.id, written.iter().map(|l| (None, l)))
            .await?;
        loads.write(&mut changes)?;
        cursors.write(self, &mut changes).await?;
        Ok((changes, outcomes))
    }

    /// The original's id when the actor's lead scope reaches it (its owner known when it
    /// came from the file, read otherwise); none when not, as `lead.create` shows it.
    async fn shown_original(
        &self,
        ctx: &Ctx,
        original: LeadId,
        file_owner: Option<Option<UserId>>,
    ) -> CrmResult<Option<LeadId>> {
        let owner = match file_owner {
            Some(owner) => owner,
            None => match self.store().load::<Lead>(ctx.tenant.id, original).await? {
                Some(l) => l.owner_id,
                None => return Ok(None),
            },
        };
        Ok(ctx
            .reaches_lead(Action::Read, owner)
            .is_ok()
            .then_some(original))
    }
}
