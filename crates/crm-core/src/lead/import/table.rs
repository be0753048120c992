//! A file read into rows of cells, whatever its format, with the limits every import obeys.

use crate::error::{CrmError, CrmResult};

/// Largest file one import reads, in bytes.
pub const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;
/// Most data rows one import reads (blank rows aside).
pub const MAX_ROWS: usize = 100_000;
/// Most columns a row may have.
pub const MAX_COLUMNS: usize = 256;
/// Most text all cells together may hold, in bytes (an XLSX file is compressed: this bounds
/// what it may unpack to).
pub const MAX_CELL_BYTES: usize = 128 * 1024 * 1024;

/// One cell: its text, or why it cannot be read as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// The cell's text (numbers written out in full, no exponent).
    Text(String),
    /// A cell that holds no text a lead field takes (a date, a formula error).
    Unreadable(String),
}

impl Cell {
    /// True for a cell holding nothing (or only spaces).
    pub fn is_blank(&self) -> bool {
        matches!(self, Cell::Text(t) if t.trim().is_empty())
    }
}

/// A data row: its number in the file and its cells, or why it could not be split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRow {
    /// The row's number: the line it starts on in a CSV file, the sheet's row number in an
    /// XLSX file (the header is row 1 when it is the first line or row).
    pub row: u64,
    /// Its cells, or the reason it is unreadable.
    pub cells: Result<Vec<Cell>, String>,
}

/// A file read as a header row and data rows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    /// The header cells.
    pub header: Vec<String>,
    /// The data rows that are not blank, in file order.
    pub rows: Vec<SourceRow>,
    /// Whether a data row must have exactly as many cells as the header (CSV); otherwise
    /// missing cells are blank (XLSX stores no empty cells).
    pub exact_width: bool,
}

/// Counts what a reader collects against the limits.
#[derive(Debug, Default)]
pub(super) struct Budget {
    rows: usize,
    bytes: usize,
}

impl Budget {
    /// Refuses a file larger than [`MAX_FILE_BYTES`].
    pub(super) fn file(len: usize) -> CrmResult<()> {
        if len > MAX_FILE_BYTES {
            return Err(CrmError::rule(
                "import_file_too_large",
                format!("the file has {len} bytes, at most {MAX_FILE_BYTES} are read"),
            ));
        }
        Ok(())
    }

    /// Counts one more data row.
    pub(super) fn row(&mut self) -> CrmResult<()> {
        self.rows += 1;
        if self.rows > MAX_ROWS {
            return Err(CrmError::rule(
                "import_too_many_rows",
                format!("more than {MAX_ROWS} data rows; split the file"),
            ));
        }
        Ok(())
    }

    /// Counts a row's width and text.
    pub(super) fn cells(&mut self, columns: usize, bytes: usize) -> CrmResult<()> {
        if columns > MAX_COLUMNS {
            return Err(CrmError::rule(
                "import_too_many_columns",
                format!("a row has {columns} columns, at most {MAX_COLUMNS} are read"),
            ));
        }
        self.bytes = self.bytes.saturating_add(bytes);
        if self.bytes > MAX_CELL_BYTES {
            return Err(CrmError::rule(
                "import_file_too_large",
                format!("the cells hold more than {MAX_CELL_BYTES} bytes of text"),
            ));
        }
        Ok(())
    }
}

/// The refusal of a file without a header row.
pub(super) fn no_header() -> CrmError {
    CrmError::validation("header", "the file is empty: a header row is expected")
}
