//! The error kinds a host can act on. Each kind has a stable code (see [`CrmError::code`])
//! that the C ABI exposes unchanged; codes are never renumbered.

use serde::{Deserialize, Serialize};

/// Result alias used across the engine.
pub type CrmResult<T> = Result<T, CrmError>;

/// Every failure the engine reports.
#[derive(
    Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CrmError {
    /// Input failed validation; `field` names the offending field (dotted path for nested
    /// fields, `row 3: phone` style for imports).
    #[error("invalid {field}: {reason}")]
    Validation {
        /// The field that failed.
        field: String,
        /// Why it failed.
        reason: String,
    },
    /// The record does not exist in the actor's tenant (another tenant's ids look exactly
    /// like missing ones).
    #[error("{entity} {id} not found")]
    NotFound {
        /// Kind of record, e.g. `customer`.
        entity: String,
        /// The id that was looked up.
        id: String,
    },
    /// The actor may not do this; nothing was written.
    #[error("permission denied: {action} on {module}{}", field.as_ref().map(|f| format!(" (field {f})")).unwrap_or_default())]
    PermissionDenied {
        /// Module of the attempted action.
        module: String,
        /// The attempted action.
        action: String,
        /// The field, when a field permission refused the write.
        field: Option<String>,
    },
    /// Optimistic concurrency lost repeatedly (or a unique key raced); nothing was written.
    /// Safe to retry.
    #[error("conflict: {detail}")]
    Conflict {
        /// What conflicted.
        detail: String,
    },
    /// A business rule refused the operation (held limit, cooldown, plan sum, …).
    #[error("rule {rule} violated: {detail}")]
    RuleViolation {
        /// Stable rule name, e.g. `held_limit`.
        rule: String,
        /// Human-readable detail.
        detail: String,
    },
    /// The record duplicates an existing one (查重).
    #[error("duplicate of existing {entity} {existing}")]
    Duplicate {
        /// Kind of record duplicated.
        entity: String,
        /// Id of the existing record.
        existing: i64,
        /// Owner of the existing record, if any (so the caller knows whom to ask).
        owner: Option<i64>,
        /// Which normalized key matched (`phone`, `name`, `external_ref`).
        matched_on: String,
    },
    /// The storage backend failed.
    #[error("storage error: {0}")]
    Storage(String),
    /// A long operation (an import) failed part-way: `cause` stopped it, and the rows in
    /// `committed` were written before that and stay written. Every line up to and
    /// including `through_line` was handled (imported, or refused as invalid or duplicate),
    /// so the host resumes after it without creating duplicates. Its [`code`](Self::code)
    /// and [`kind`](Self::kind) are the cause's.
    #[error("{operation} stopped after committing {} rows (lines up to {through_line} handled): {cause}", committed.len())]
    Incomplete {
        /// The operation, e.g. `customer.import_csv`.
        operation: String,
        /// The last input line whose outcome is final.
        through_line: u64,
        /// What was written before the failure: input line and new record id.
        committed: Vec<Committed>,
        /// What stopped the operation.
        cause: Box<CrmError>,
    },
}

/// One input row written before a long operation failed (see [`CrmError::Incomplete`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Committed {
    /// Line in the input.
    pub line: u64,
    /// Id of the record written for it.
    pub id: i64,
}

impl CrmError {
    /// Stable numeric code of the kind (also the C ABI status code).
    pub fn code(&self) -> i32 {
        match self {
            CrmError::Validation { .. } => 1,
            CrmError::NotFound { .. } => 2,
            CrmError::PermissionDenied { .. } => 3,
            CrmError::Conflict { .. } => 4,
            CrmError::RuleViolation { .. } => 5,
            CrmError::Duplicate { .. } => 6,
            CrmError::Storage(_) => 7,
            CrmError::Incomplete { cause, .. } => cause.code(),
        }
    }

    /// Stable name of the kind, as serialized in `kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            CrmError::Validation { .. } => "validation",
            CrmError::NotFound { .. } => "not_found",
            CrmError::PermissionDenied { .. } => "permission_denied",
            CrmError::Conflict { .. } => "conflict",
            CrmError::RuleViolation { .. } => "rule_violation",
            CrmError::Duplicate { .. } => "duplicate",
            CrmError::Storage(_) => "storage",
            CrmError::Incomplete { cause, .. } => cause.kind(),
        }
    }

    /// Shorthand for a validation error. However it was built, the field is cut to
    /// [`MAX_FIELD_CHARS`] and the reason to [`MAX_DETAIL_CHARS`] characters, so no input
    /// makes an error message large (sites quote input with [`crate::validate::quote`]).
    pub fn validation(field: impl Into<String>, reason: impl Into<String>) -> Self {
        CrmError::Validation {
            field: bounded(field.into(), MAX_FIELD_CHARS),
            reason: bounded(reason.into(), MAX_DETAIL_CHARS),
        }
    }

    /// Shorthand for a not-found error.
    pub fn not_found(entity: impl Into<String>, id: impl ToString) -> Self {
        CrmError::NotFound {
            entity: entity.into(),
            id: id.to_string(),
        }
    }

    /// Shorthand for a rule violation (the detail cut to [`MAX_DETAIL_CHARS`] characters).
    pub fn rule(rule: impl Into<String>, detail: impl Into<String>) -> Self {
        CrmError::RuleViolation {
            rule: rule.into(),
            detail: bounded(detail.into(), MAX_DETAIL_CHARS),
        }
    }
}

/// Longest field name an error carries, in characters.
pub const MAX_FIELD_CHARS: usize = 120;
/// Longest reason or detail an error carries, in characters.
pub const MAX_DETAIL_CHARS: usize = 300;

fn bounded(text: String, max: usize) -> String {
    if text.len() <= max {
        return text;
    }
    crate::validate::truncate(&text, max)
}
