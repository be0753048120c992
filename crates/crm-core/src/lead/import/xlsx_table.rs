//! An XLSX workbook read into a [`Table`] with `calamine`: the first sheet, its first
//! non-blank row as the header, one data row per later row with a value. Cells are
//! streamed from the sheet (the shared strings are read whole, as the format requires).
//! Numbers are written out in full (a phone typed as a number reads as its digits);
//! booleans read as `true`/`false`; a date or a formula error is unreadable, refused only
//! when its column fills a field.

use super::table::{no_header, Budget, Cell, SourceRow, Table};
use crate::error::{CrmError, CrmResult};
use crate::validate::truncate;
use calamine::{DataRef, Reader, Xlsx};
use std::collections::BTreeMap;
use std::io::Cursor;

/// The bytes of an XLSX file start as a ZIP archive's.
pub fn looks_like_xlsx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Reads the first sheet of the workbook in `bytes`.
pub fn read_xlsx(bytes: &[u8]) -> CrmResult<Table> {
    // calamine is third-party code over untrusted bytes: should it panic on a file it did
    // not foresee, the import is refused like any unreadable file instead of unwinding
    // through the engine.
    std::panic::catch_unwind(|| read_first_sheet(bytes))
        .unwrap_or_else(|_| Err(broken("the reader stopped")))
}

fn broken(detail: &str) -> CrmError {
    CrmError::validation(
        "file",
        format!("not a readable XLSX workbook: {}", truncate(detail, 100)),
    )
}

fn read_first_sheet(bytes: &[u8]) -> CrmResult<Table> {
    let mut workbook: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| broken(&e.to_string()))?;
    let first = workbook
        .sheet_names()
        .into_iter()
        .next()
        .ok_or_else(|| broken("it has no sheet"))?;
    let mut reader = workbook
        .worksheet_cells_reader(&first)
        .map_err(|e| broken(&e.to_string()))?;
    let mut budget = Budget::default();
    let mut sheet: BTreeMap<u32, Vec<(u32, Cell)>> = BTreeMap::new();
    let mut header: Option<(u32, Vec<String>)> = None;
    let mut rows = Vec::new();
    let mut open_row: Option<u32> = None;
    while let Some(cell) = reader.next_cell().map_err(|e| broken(&e.to_string()))? {
        let (row, column) = cell.get_position();
        let Some(value) = cell_value(cell.get_value()) else {
            continue;
        };
        if open_row.is_some_and(|r| r != row) {
            close_rows(&mut sheet, &mut header, &mut rows, &mut budget)?;
        }
        open_row = Some(row);
        let width = usize::try_from(column)
            .unwrap_or(usize::MAX)
            .saturating_add(1);
        let size = match &value {
            Cell::Text(t) | Cell::Unreadable(t) => t.len(),
        };
        budget.cells(width, size)?;
        sheet.entry(row).or_default().push((column, value));
    }
    close_rows(&mut sheet, &mut header, &mut rows, &mut budget)?;
    let (_, header) = header.ok_or_else(no_header)?;
    Ok(Table {
        header,
        rows,
        exact_width: false,
    })
}

/// Moves the rows gathered so far (in row order) to the header or the data rows.
fn close_rows(
    sheet: &mut BTreeMap<u32, Vec<(u32, Cell)>>,
    header: &mut Option<(u32, Vec<String>)>,
    rows: &mut Vec<SourceRow>,
    budget: &mut Budget,
) -> CrmResult<()> {
    for (row, cells) in std::mem::take(sheet) {
        let width = cells
            .iter()
            .map(|(c, _)| *c as usize + 1)
            .max()
            .unwrap_or(0);
        let mut line = vec![Cell::Text(String::new()); width];
        for (column, value) in cells {
            if let Some(slot) = line.get_mut(column as usize) {
                *slot = value;
            }
        }
        if line.iter().all(Cell::is_blank) {
            continue;
        }
        if header.is_none() {
            let texts = line
                .into_iter()
                .map(|c| match c {
                    Cell::Text(t) | Cell::Unreadable(t) => t,
                })
                .collect();
            *header = Some((row, texts));
            continue;
        }
        budget.row()?;
        rows.push(SourceRow {
            row: u64::from(row) + 1,
            cells: Ok(line),
        });
    }
    Ok(())
}

/// A cell's value as text; `None` for an empty cell.
fn cell_value(value: &DataRef<'_>) -> Option<Cell> {
    Some(match value {
        DataRef::Empty => return None,
        DataRef::String(s) => Cell::Text(s.clone()),
        DataRef::SharedString(s) => Cell::Text((*s).to_owned()),
        DataRef::Int(i) => Cell::Text(i.to_string()),
        DataRef::Float(f) => Cell::Text(f.to_string()),
        DataRef::Bool(b) => Cell::Text(b.to_string()),
        DataRef::DateTime(_) | DataRef::DateTimeIso(_) | DataRef::DurationIso(_) => {
            Cell::Unreadable("a date or time, not text".into())
        }
        DataRef::Error(e) => Cell::Unreadable(format!("a formula error ({e})")),
    })
}
