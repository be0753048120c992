//! Keeps the assignment entries' cursors read during one unit of work, so that several rule
//! decisions in it (a batch of imported leads) each start from the state the previous one
//! left: each entry's row is read once, moved by every decision, and written once at the
//! version read.

use super::{Crm, Ctx};
use crate::assignment::EntryCursor;
use crate::error::CrmResult;
use crate::store::{Changes, Entity, Filter, Query, Store, StoreExt};
use std::collections::{BTreeMap, BTreeSet};

/// The entry cursors read during one unit of work, and which of them moved.
#[derive(Default)]
pub(crate) struct CursorBook {
    cursors: BTreeMap<String, EntryCursor>,
    moved: BTreeSet<String>,
}

impl CursorBook {
    /// The entry's cursor as the decisions so far left it (read from the store the first
    /// time; fresh, version 0, when never stored).
    pub(crate) async fn get<S: Store>(
        &mut self,
        crm: &Crm<S>,
        ctx: &Ctx,
        entry: &str,
    ) -> CrmResult<&EntryCursor> {
        if !self.cursors.contains_key(entry) {
            let found: Vec<EntryCursor> = crm
                .store()
                .load_all(
                    &Query::new(Entity::AssignmentCursor, ctx.tenant.id)
                        .filter(Filter::eq("entry", entry))
                        .limit(1),
                )
                .await?;
            let cursor = found
                .into_iter()
                .next()
                .unwrap_or_else(|| fresh(ctx, entry));
            self.cursors.insert(entry.to_owned(), cursor);
        }
        Ok(self
            .cursors
            .entry(entry.to_owned())
            .or_insert_with(|| fresh(ctx, entry)))
    }

    /// Records the entry's state after a decision (a no-op when it did not move).
    pub(crate) fn set(&mut self, cursor: EntryCursor) {
        let unchanged = self
            .cursors
            .get(&cursor.entry)
            .is_some_and(|c| c.state == cursor.state);
        if !unchanged {
            self.moved.insert(cursor.entry.clone());
            self.cursors.insert(cursor.entry.clone(), cursor);
        }
    }

    /// Adds one write per moved cursor: an insert (with a fresh id) when never stored, an
    /// update at the version read otherwise.
    pub(crate) async fn write<S: Store>(
        self,
        crm: &Crm<S>,
        changes: &mut Changes,
    ) -> CrmResult<()> {
        for entry in &self.moved {
            let Some(cursor) = self.cursors.get(entry) else {
                continue;
            };
            if cursor.version == 0 {
                changes.insert(&EntryCursor {
                    id: crm.new_id(Entity::AssignmentCursor).await?,
                    version: 1,
                    ..cursor.clone()
                })?;
            } else {
                changes.update(cursor)?;
            }
        }
        Ok(())
    }
}

/// The state of an entry that never moved (version 0: not stored yet).
fn fresh(ctx: &Ctx, entry: &str) -> EntryCursor {
    EntryCursor {
        tenant: ctx.tenant.id,
        id: 0,
        version: 0,
        entry: entry.to_owned(),
        state: Default::default(),
    }
}
