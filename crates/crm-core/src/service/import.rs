//! Bulk CSV import: per-row validation and duplicate report, valid rows written in batches,
//! each batch atomic.

use super::{json, Crm, Ctx};
use crate::access::{Action, Module};
use crate::actor::Actor;
use crate::customer::import::{parse_csv, ImportReport, RowDuplicate, RowError, RowImported};
use crate::customer::{Customer, NewCustomer};
use crate::error::{Committed, CrmError, CrmResult};
use crate::ids::CustomerId;
use crate::store::{Changes, Entity, EventKind, Store};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Import settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default)]
pub struct ImportOptions {
    /// Rows per transaction (1..=5000, default 500).
    pub batch_size: u32,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self { batch_size: 500 }
    }
}

/// Keys already taken by earlier rows of the same file.
#[derive(Default)]
struct SeenKeys {
    keys: HashMap<(&'static str, String), u64>,
}

impl SeenKeys {
    fn keys_of(c: &Customer) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(r) = &c.external_ref {
            out.push(("external_ref", r.clone()));
        }
        if let Some(p) = c.phone_norm() {
            out.push(("phone", p));
        }
        if let Some(n) = c.name_norm() {
            out.push(("name", n));
        }
        out
    }

    fn earlier(&self, c: &Customer) -> Option<(&'static str, u64)> {
        Self::keys_of(c)
            .into_iter()
            .find_map(|k| self.keys.get(&k).map(|line| (k.0, *line)))
    }

    fn remember(&mut self, c: &Customer, line: u64) {
        for k in Self::keys_of(c) {
            self.keys.entry(k).or_insert(line);
        }
    }
}

fn row_error(line: u64, err: CrmError, report: &mut ImportReport) {
    match err {
        CrmError::Duplicate {
            existing,
            owner,
            matched_on,
            ..
        } => report.duplicates.push(RowDuplicate {
            line,
            existing: Some(existing),
            owner,
            earlier_line: None,
            matched_on,
        }),
        CrmError::Validation { field, reason } => report.errors.push(RowError {
            line,
            field,
            reason,
        }),
        CrmError::NotFound { entity, id } => report.errors.push(RowError {
            line,
            field: if entity == "user" {
                "owner_id".into()
            } else {
                entity.clone()
            },
            reason: format!("{entity} {id} not found"),
        }),
        CrmError::PermissionDenied { field, action, .. } => report.errors.push(RowError {
            line,
            field: field.unwrap_or_else(|| "row".into()),
            reason: format!("not permitted ({action})"),
        }),
        other => report.errors.push(RowError {
            line,
            field: "row".into(),
            reason: other.to_string(),
        }),
    }
}

impl<S: Store> Crm<S> {
    /// Imports customers from CSV text (header row first; see
    /// [`parse_csv`] for the columns). Invalid and
    /// duplicate rows are reported and skipped; the rest are written in batches, each batch
    /// atomically. Rows without an owner go to the importing user.
    pub async fn import_customers_csv(
        &self,
        actor: Actor,
        csv: &str,
        options: ImportOptions,
    ) -> CrmResult<ImportReport> {
        crate::validate::no_nul(csv, "csv")?;
        if !(1..=5000).contains(&options.batch_size) {
            return Err(CrmError::validation("batch_size", "must be 1..=5000"));
        }
        let ctx = self.ctx(actor).await?;
        ctx.access.require(Module::Customers, Action::Import)?;
        let rows = parse_csv(csv, &ctx.tenant.settings)?;
        let mut report = ImportReport {
            rows: rows.len() as u64,
            ..ImportReport::default()
        };
        let mut seen = SeenKeys::default();
        let mut batch: Vec<(u64, NewCustomer)> = Vec::new();
        let mut through_line = 0;
        for (line, parsed) in rows {
            match parsed {
                Err((field, reason)) => report.errors.push(RowError {
                    line,
                    field,
                    reason,
                }),
                Ok(input) => {
                    batch.push((line, input));
                    if batch.len() as u32 >= options.batch_size {
                        let batch = std::mem::take(&mut batch);
                        self.import_committed(
                            &ctx,
                            batch,
                            &mut seen,
                            &mut report,
                            &mut through_line,
                        )
                        .await?;
                    }
                }
            }
        }
        if !batch.is_empty() {
            self.import_committed(&ctx, batch, &mut seen, &mut report, &mut through_line)
                .await?;
        }
        report.errors.sort_by_key(|e| e.line);
        report.duplicates.sort_by_key(|d| d.line);
        Ok(report)
    }

    /// Imports one batch; on failure after earlier batches were committed, the error is
    /// [`CrmError::Incomplete`] naming what was written, so the host can resume.
    async fn import_committed(
        &self,
        ctx: &Ctx,
        batch: Vec<(u64, NewCustomer)>,
        seen: &mut SeenKeys,
        report: &mut ImportReport,
        through_line: &mut u64,
    ) -> CrmResult<()> {
        let last_line = batch.last().map_or(*through_line, |(line, _)| *line);
        match self.import_batch(ctx, batch, seen, report).await {
            Ok(()) => {
                *through_line = last_line;
                Ok(())
            }
            Err(cause) if *through_line == 0 => Err(cause),
            Err(cause) => Err(CrmError::Incomplete {
                operation: "customer.import_csv".into(),
                through_line: *through_line,
                committed: report
                    .imported
                    .iter()
                    .map(|r| Committed {
                        line: r.line,
                        id: r.id,
                    })
                    .collect(),
                cause: Box::new(cause),
            }),
        }
    }

    async fn import_batch(
        &self,
        ctx: &Ctx,
        batch: Vec<(u64, NewCustomer)>,
        seen: &mut SeenKeys,
        report: &mut ImportReport,
    ) -> CrmResult<()> {
        let first = self
            .store()
            .allocate_ids(Entity::Customer, batch.len() as u32)
            .await?;
        let history_first = self
            .store()
            .allocate_ids(Entity::OwnerHistory, batch.len() as u32)
            .await?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let started = std::time::Instant::now();
            let mut batch_seen = SeenKeys {
                keys: seen.keys.clone(),
            };
            let mut batch_report = ImportReport::default();
            let mut changes = Changes::new(ctx.tenant.id);
            let mut created: Vec<Customer> = Vec::new();
            for (offset, (line, input)) in batch.iter().enumerate() {
                let id = CustomerId(first + offset as i64);
                match self
                    .prepare_customer(ctx, input.clone(), id, Action::Import)
                    .await
                {
                    Err(e) => row_error(*line, e, &mut batch_report),
                    Ok(customer) => {
                        if let Some((matched_on, earlier)) = batch_seen.earlier(&customer) {
                            batch_report.duplicates.push(RowDuplicate {
                                line: *line,
                                existing: None,
                                owner: None,
                                earlier_line: Some(earlier),
                                matched_on: matched_on.into(),
                            });
                            continue;
                        }
                        batch_seen.remember(&customer, *line);
                        changes.insert(&customer)?;
                        changes.audit(ctx.audit(
                            "customer.import",
                            Entity::Customer,
                            id.0,
                            serde_json::Value::Null,
                            json(&customer),
                        ));
                        changes.event(ctx.event(
                            EventKind::CustomerCreated,
                            Entity::Customer,
                            id.0,
                            serde_json::json!({ "owner_id": customer.owner_id, "name": customer.name, "import_line": line }),
                        ));
                        batch_report.imported.push(RowImported {
                            line: *line,
                            id: id.0,
                        });
                        ctx.push_history(
                            &mut changes,
                            history_first + offset as i64,
                            &customer,
                            None,
                            crate::pool::OwnerChange::Created,
                            None,
                            None,
                        )?;
                        created.push(customer);
                    }
                }
            }
            self.adjust_held(
                ctx.tenant.id,
                &mut changes,
                created.iter().map(|c| (None, c)),
            )
            .await?;
            let result = if changes.is_empty() {
                Ok(Vec::new())
            } else {
                self.store().apply(changes).await
            };
            match result {
                Ok(_) => {
                    *seen = batch_seen;
                    report.imported.extend(batch_report.imported);
                    report.errors.extend(batch_report.errors);
                    report.duplicates.extend(batch_report.duplicates);
                    return Ok(());
                }
                Err(CrmError::Conflict { .. }) if attempt < self.max_attempts() => {
                    self.back_off(attempt, started.elapsed()).await;
                    continue;
                }
                Err(e) => return Err(e),
            }
        }
    }
}
