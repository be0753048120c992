//! Reading a lead import file (线索导入, DESIGN §4.8, §4.12): CSV in UTF-8 (with or without a
//! byte-order mark) or GBK/GB18030, detected or declared ([`decode`]), or XLSX, its first
//! sheet ([`read_xlsx`]); the header row maps columns to lead fields by English name or the
//! usual Chinese header ([`LeadColumn::for_header`]); each data row becomes a lead's input
//! or a refusal naming the field ([`parse_row`]). Limits ([`MAX_FILE_BYTES`], [`MAX_ROWS`],
//! [`MAX_COLUMNS`], [`MAX_CELL_BYTES`]) refuse the whole file, with a named rule, before
//! anything is written. Pure: the duplicate check, the field rules and the writes are the
//! service's (`lead.import`).

mod columns;
mod csv_table;
mod decode;
mod file_bytes;
mod report;
mod row;
mod table;
mod xlsx_table;

pub use columns::{HeaderMap, LeadColumn, UnknownColumn};
pub use csv_table::read_csv;
pub use decode::{decode, TextEncoding};
pub(crate) use file_bytes::base64_bytes;
pub use report::{LeadImportReport, RowOutcome, RowReport};
pub use row::{parse_row, Refusal, RowInput};
pub use table::{Cell, SourceRow, Table, MAX_CELL_BYTES, MAX_COLUMNS, MAX_FILE_BYTES, MAX_ROWS};
pub use xlsx_table::{looks_like_xlsx, read_xlsx};

use crate::error::CrmResult;
use serde::{Deserialize, Serialize};

/// The kind of an import file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FileFormat {
    /// Comma-separated text.
    Csv,
    /// An Excel workbook (Office Open XML).
    Xlsx,
}

/// A file read into its table, with how it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadFile {
    /// The header and rows.
    pub table: Table,
    /// The format read.
    pub format: FileFormat,
    /// The text encoding, for CSV.
    pub encoding: Option<TextEncoding>,
}

/// Reads `bytes` as `format` (absent: XLSX when the bytes start as a ZIP archive, else
/// CSV), CSV text in `encoding` (absent: detected). Refuses the whole file when it is too
/// large, unreadable, undecodable or has no header row.
pub fn read_file(
    bytes: &[u8],
    format: Option<FileFormat>,
    encoding: Option<TextEncoding>,
) -> CrmResult<ReadFile> {
    table::Budget::file(bytes.len())?;
    let format = format.unwrap_or(if looks_like_xlsx(bytes) {
        FileFormat::Xlsx
    } else {
        FileFormat::Csv
    });
    match format {
        FileFormat::Xlsx if encoding.is_some() => Err(crate::error::CrmError::validation(
            "encoding",
            "an XLSX file has no text encoding (it is for CSV)",
        )),
        FileFormat::Xlsx => Ok(ReadFile {
            table: read_xlsx(bytes)?,
            format,
            encoding: None,
        }),
        FileFormat::Csv => {
            let (text, encoding) = decode(bytes, encoding)?;
            Ok(ReadFile {
                table: read_csv(&text)?,
                format,
                encoding: Some(encoding),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Reads `bytes` as an import would, through to every row's input: never a panic.
    fn read_all(bytes: &[u8], format: Option<FileFormat>) {
        if let Ok(file) = read_file(bytes, format, None) {
            if let Ok(header) = HeaderMap::new(&file.table.header) {
                for row in &file.table.rows {
                    let _ = parse_row(&header, row, file.table.exact_width);
                }
            }
        }
    }

    proptest! {
        #[test]
        fn any_bytes_are_read_or_refused(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            read_all(&bytes, None);
            read_all(&bytes, Some(FileFormat::Xlsx));
            let mut zip = b"PK\x03\x04".to_vec();
            zip.extend_from_slice(&bytes);
            read_all(&zip, None);
        }

        /// A real workbook with bytes overwritten anywhere (inside the compressed sheet,
        /// the shared strings, the archive's directory).
        #[cfg(feature = "testkit")]
        #[test]
        fn damaged_workbooks_are_read_or_refused(
            hits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)
        ) {
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet();
            for (row, name) in (0_u32..).zip(["姓名", "李雷", "韩梅梅"]) {
                prop_assert!(sheet.write_string(row, 0, name).is_ok());
                prop_assert!(sheet.write_number(row, 1, 13_800_000_000.0 + f64::from(row)).is_ok());
            }
            let mut bytes = book.save_to_buffer().unwrap_or_default();
            prop_assert!(!bytes.is_empty());
            for (at, value) in hits {
                let i = at.index(bytes.len());
                bytes[i] = value;
            }
            read_all(&bytes, None);
        }

        #[test]
        fn any_csv_text_is_read_or_refused(text in "(name|姓名|phone|预计金额|币种|,|\"|\n|\r|[a-z0-9 .-]|李){0,200}") {
            read_all(text.as_bytes(), None);
        }
    }
}
