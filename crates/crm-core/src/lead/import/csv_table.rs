//! CSV text (comma-separated, `"` quoting, the form spreadsheets export) read into a
//! [`Table`]: the first record is the header, blank records are skipped, and a record the
//! parser cannot split is a row refused on its own.

use super::table::{no_header, Budget, Cell, SourceRow, Table};
use crate::error::CrmResult;
use crate::validate::truncate;

/// Reads `text` as CSV.
pub fn read_csv(text: &str) -> CrmResult<Table> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut budget = Budget::default();
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let fallback = index as u64 + 1;
        match record {
            Ok(record) => {
                let row = record.position().map_or(fallback, |p| p.line());
                budget.cells(record.len(), record.as_slice().len())?;
                let cells: Vec<String> = record.iter().map(str::to_owned).collect();
                if header.is_none() {
                    header = Some(cells);
                    continue;
                }
                if cells.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                budget.row()?;
                rows.push(SourceRow {
                    row,
                    cells: Ok(cells.into_iter().map(Cell::Text).collect()),
                });
            }
            Err(e) => {
                let row = e.position().map_or(fallback, |p| p.line());
                if header.is_none() {
                    return Err(crate::error::CrmError::validation(
                        "header",
                        truncate(&e.to_string(), 100),
                    ));
                }
                budget.row()?;
                rows.push(SourceRow {
                    row,
                    cells: Err(truncate(&e.to_string(), 100)),
                });
            }
        }
    }
    Ok(Table {
        header: header.ok_or_else(no_header)?,
        rows,
        exact_width: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(row: &SourceRow) -> Vec<String> {
        match &row.cells {
            Ok(cells) => cells
                .iter()
                .map(|c| match c {
                    Cell::Text(t) => t.clone(),
                    Cell::Unreadable(r) => format!("?{r}"),
                })
                .collect(),
            Err(e) => vec![format!("!{e}")],
        }
    }

    #[test]
    fn header_rows_quotes_and_line_numbers() {
        let t = read_csv("姓名,公司\n李雷,\"Acme, Inc.\"\n\n,\n\"多行\n名字\",x\n韩梅梅\n")
            .expect("csv");
        assert_eq!(t.header, vec!["姓名", "公司"]);
        let got: Vec<(u64, Vec<String>)> = t.rows.iter().map(|r| (r.row, texts(r))).collect();
        assert_eq!(
            got,
            vec![
                (2, vec!["李雷".to_string(), "Acme, Inc.".to_string()]),
                (5, vec!["多行\n名字".to_string(), "x".to_string()]),
                (7, vec!["韩梅梅".to_string()]),
            ]
        );
        assert!(t.exact_width);
    }

    #[test]
    fn empty_file_has_no_header_and_header_only_has_no_rows() {
        assert!(read_csv("").is_err());
        let t = read_csv("name,phone\n").expect("header only");
        assert!(t.rows.is_empty());
        let t = read_csv("name,phone").expect("no newline");
        assert_eq!(t.header, vec!["name", "phone"]);
    }
}
