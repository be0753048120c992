//! What `lead.import` answers: one entry per data row, in file order.

use super::columns::UnknownColumn;
use super::decode::TextEncoding;
use super::row::Refusal;
use super::FileFormat;
use crate::ids::{LeadId, PoolId, UserId};
use serde::{Deserialize, Serialize};

/// What became of one data row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RowOutcome {
    /// Written as a new open lead.
    Imported {
        /// The new lead.
        lead_id: LeadId,
        /// Its owner (none when the rules sent it to a pool).
        owner_id: Option<UserId>,
        /// Its pool, when the rules' overflow sent it there.
        pool_id: Option<PoolId>,
    },
    /// Written as an intake duplicate of an open lead (the rule of `lead.create`): status
    /// merged, linked to the open lead, never assigned.
    Duplicate {
        /// The lead written for the row.
        lead_id: LeadId,
        /// The open lead it was folded into; absent when that lead is outside the actor's
        /// lead scope (the actor is not told which it is).
        merged_into: Option<LeadId>,
        /// The earlier row of the same file that lead came from, if it did.
        earlier_row: Option<u64>,
    },
    /// Not written.
    Refused(Refusal),
}

/// One data row's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RowReport {
    /// The row's number: the line it starts on (CSV) or the sheet's row number (XLSX).
    pub row: u64,
    /// What became of it.
    #[serde(flatten)]
    pub outcome: RowOutcome,
}

/// The report of an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LeadImportReport {
    /// How the file was read.
    pub format: FileFormat,
    /// The text encoding a CSV file was read in (declared or detected).
    pub encoding: Option<TextEncoding>,
    /// Header cells that name no lead field: their cells were not imported.
    pub unknown_columns: Vec<UnknownColumn>,
    /// Rows written as new open leads.
    pub imported: u64,
    /// Rows written as intake duplicates.
    pub duplicates: u64,
    /// Rows refused (nothing written for them).
    pub refused: u64,
    /// Every data row (blank rows aside), in file order.
    pub rows: Vec<RowReport>,
}

impl LeadImportReport {
    /// An empty report of a file read as `format` in `encoding`.
    pub fn new(
        format: FileFormat,
        encoding: Option<TextEncoding>,
        unknown_columns: Vec<UnknownColumn>,
    ) -> Self {
        LeadImportReport {
            format,
            encoding,
            unknown_columns,
            imported: 0,
            duplicates: 0,
            refused: 0,
            rows: Vec::new(),
        }
    }

    /// Adds one row's outcome and counts it.
    pub fn push(&mut self, row: u64, outcome: RowOutcome) {
        match &outcome {
            RowOutcome::Imported { .. } => self.imported += 1,
            RowOutcome::Duplicate { .. } => self.duplicates += 1,
            RowOutcome::Refused(_) => self.refused += 1,
        }
        self.rows.push(RowReport { row, outcome });
    }
}
