//! `lead.import`: leads from a CSV (UTF-8, GBK/GB18030) or XLSX file, with a report of every
//! row (DESIGN §4.8, §4.12).
//!
//! The whole file is refused before anything is written when the actor may not import
//! leads, the owner is not one they reach, the file is too large or unreadable, or its
//! header has no name column. Then every row is read and checked on its own: a cell under a
//! column the actor may not write (field rules) refuses the row, so does a value
//! `lead.create` would refuse; nothing is written for a refused row and it never stops the
//! others. Valid rows are written in batches ([`ImportOptions::batch_size`]), each batch in
//! one unit of work, retried whole on a conflict; a batch that cannot be written after
//! earlier ones were stops the import with [`CrmError::Incomplete`] naming the rows written.
//!
//! Each written row passes `lead.create`'s intake duplicate check, against the store and
//! against the earlier rows of the same file: a row sharing a phone key, an e-mail or a
//! company key with an open lead is written folded into the oldest such lead (merged,
//! linked, never assigned).
//!
//! **Owners by the rules (`by_rules`), decided one after another within the batch.** A
//! batch keeps one [`CursorBook`](super::lead_cursors) and one load book: each lead's
//! decision reads the entry cursor and the members' counts as the previous leads of the
//! batch left them, and the batch writes each moved cursor and each member's counts once,
//! at the version read. The batch is then exactly the sequence of single `lead.create
//! by_rules` calls it replaces (the same turns, no cap passed), yet one unit of work:
//! a concurrent assignment on the same entry or member conflicts with the whole batch,
//! which is re-decided from a fresh read. One unit of work per row was the alternative; it
//! is simpler but costs a transaction per row on a file of 100,000 rows, and the batch
//! stays atomic this way like every other batch of the import.

use super::import::ImportOptions;
use super::{Crm, Ctx};
use crate::access::{Action, FieldAccess, FieldPolicy, Module, Reach};
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::ids::{LeadId, UserId};
use crate::lead::import::{
    base64_bytes, parse_row, read_file, FileFormat, HeaderMap, LeadImportReport, Refusal,
    RowOutcome, SourceRow, TextEncoding,
};
use crate::lead::Lead;
use crate::store::Store;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Imports leads from a CSV or XLSX file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportLeads {
    /// The file's bytes; in JSON a base64 string (standard alphabet, padded). A header row
    /// first: name (姓名), company (公司), phone (手机/电话), email (邮箱), source (来源),
    /// region (地区), industry (行业), estimated_amount (预计金额), currency (币种).
    #[serde(with = "base64_bytes")]
    #[schemars(with = "String", extend("contentEncoding" = "base64"))]
    pub file: Vec<u8>,
    /// `csv` or `xlsx`; absent: XLSX when the bytes are a ZIP archive, else CSV.
    #[serde(default)]
    pub format: Option<FileFormat>,
    /// A CSV file's encoding, `utf8`, `gbk` or `gb18030`; absent: detected (a UTF-8
    /// byte-order mark or valid UTF-8, else GB18030).
    #[serde(default)]
    pub encoding: Option<TextEncoding>,
    /// The owner of every imported lead (default: the acting user; none for the system
    /// actor).
    #[serde(default)]
    pub owner_id: Option<UserId>,
    /// Let the tenant's assignment rules pick each lead's owner (no `owner_id` then); for
    /// actors whose import scope reaches every lead and the system actor.
    #[serde(default)]
    pub by_rules: bool,
    /// Batch size (the default when absent).
    #[serde(default)]
    pub options: ImportOptions,
}

/// How the rows of one import are owned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Owning {
    /// Every lead goes to this owner (none: unowned, the system actor's default).
    Fixed(Option<UserId>),
    /// The tenant's rules decide per lead.
    ByRules,
}

impl<S: Store> Crm<S> {
    /// Imports leads from a file and reports every row (see the module docs).
    pub async fn import_leads(
        &self,
        actor: Actor,
        request: ImportLeads,
    ) -> CrmResult<LeadImportReport> {
        let batch_size = request.options.batch_size;
        if !(1..=5000).contains(&batch_size) {
            return Err(CrmError::validation("batch_size", "must be 1..=5000"));
        }
        if request.by_rules && request.owner_id.is_some() {
            return Err(CrmError::validation(
                "owner_id",
                "give an owner or let the rules pick them (by_rules), not both",
            ));
        }
        let ctx = self.ctx(actor).await?;
        let owning = import_owning(&ctx, request.owner_id, request.by_rules)?;
        let file = read_file(&request.file, request.format, request.encoding)?;
        let header = HeaderMap::new(&file.table.header)?;
        if owning == Owning::ByRules && self.stored_rules(&ctx).await?.is_none() {
            return Err(CrmError::rule(
                "no_assignment_rules",
                "the tenant has no assignment rules (save them with assignment.set_rules)",
            ));
        }
        let mut report = LeadImportReport::new(file.format, file.encoding, header.unknown.clone());
        let mut run = super::lead_import_batch::ImportRun::new(owning);
        let mut batch: Vec<(u64, Lead)> = Vec::new();
        let policy = ctx.access.field_policy(Module::Leads);
        for row in &file.table.rows {
            match draft_lead(&ctx, &policy, &header, row, file.table.exact_width, owning) {
                Err(refusal) => report.push(row.row, RowOutcome::Refused(refusal)),
                Ok(lead) => {
                    batch.push((row.row, lead));
                    if batch.len() >= batch_size as usize {
                        self.import_lead_batch(
                            &ctx,
                            std::mem::take(&mut batch),
                            &mut run,
                            &mut report,
                        )
                        .await?;
                    }
                }
            }
        }
        if !batch.is_empty() {
            self.import_lead_batch(&ctx, batch, &mut run, &mut report)
                .await?;
        }
        report.rows.sort_by_key(|r| r.row);
        Ok(report)
    }
}

/// Who owns the imported leads, after the permission checks: the `import` action on leads;
/// a fixed owner must be an active user the actor's import scope reaches; the rules may
/// pick anyone, so only an actor whose scope reaches every lead hands leads to them.
fn import_owning(ctx: &Ctx, owner_id: Option<UserId>, by_rules: bool) -> CrmResult<Owning> {
    let reach = ctx.access.require(Module::Leads, Action::Import)?;
    if by_rules {
        if reach != Reach::All {
            return Err(CrmError::PermissionDenied {
                module: Module::Leads.as_str().into(),
                action: Action::Import.as_str().into(),
                field: None,
            });
        }
        return Ok(Owning::ByRules);
    }
    let owner = owner_id.or(ctx.access.user().map(|u| u.id));
    if let Some(o) = owner {
        if !ctx.access.org().users.get(&o).is_some_and(|u| u.active) {
            return Err(CrmError::validation(
                "owner_id",
                format!("no active user {o}"),
            ));
        }
    }
    ctx.reaches_lead(Action::Import, owner)?;
    Ok(Owning::Fixed(owner))
}

/// One row as the lead `lead.create` would write (id not yet given), or why it is refused:
/// its cells, then the field rules on the columns it fills, then the values.
fn draft_lead(
    ctx: &Ctx,
    policy: &FieldPolicy,
    header: &HeaderMap,
    row: &SourceRow,
    exact_width: bool,
    owning: Owning,
) -> Result<Lead, Refusal> {
    let parsed = parse_row(header, row, exact_width)?;
    if let Some(column) = parsed
        .filled
        .iter()
        .find(|c| policy.access(c.rule_field()) != FieldAccess::Editable)
    {
        return Err(Refusal::new(
            column.field(),
            "the actor may not write this field",
        ));
    }
    crate::validate::texts(&parsed.input, "").map_err(refusal)?;
    let owner = match owning {
        Owning::Fixed(owner) => owner,
        Owning::ByRules => None,
    };
    let mut lead = Lead::blank(
        ctx.tenant.id,
        LeadId(0),
        owner,
        ctx.access.user().map(|u| u.id),
        ctx.now,
    );
    parsed
        .input
        .apply(&mut lead, &ctx.tenant.settings)
        .map_err(refusal)?;
    Ok(lead)
}

/// A row-level error as the row's refusal.
pub(super) fn refusal(e: CrmError) -> Refusal {
    match e {
        CrmError::Validation { field, reason } => Refusal::new(field, reason),
        CrmError::RuleViolation { rule, detail } => {
            Refusal::new("row", format!("{rule}: {detail}"))
        }
        CrmError::PermissionDenied {
            field: Some(field), ..
        } => Refusal::new(field, "the actor may not write this field"),
        other => Refusal::new("row", other.to_string()),
    }
}
