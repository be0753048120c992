//! CSV import parsing: the header maps columns to fields (English names or common Chinese
//! headers, custom fields as `custom.<key>`), each row becomes a [`NewCustomer`] or a
//! per-row error. Duplicate detection and writing happen in the service.

use super::input::NewCustomer;
use super::model::{CustomerKind, CustomerLevel, CustomerSource};
use super::settings::CustomerSettings;
use crate::error::{CrmError, CrmResult};
use crate::ids::UserId;
use serde::{Deserialize, Serialize};

/// Largest CSV accepted in one call (bytes).
pub const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

/// A row that was not imported because its data is invalid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RowError {
    /// Line in the file (the header is line 1).
    pub line: u64,
    /// The field at fault.
    pub field: String,
    /// Why.
    pub reason: String,
}

/// A row that was not imported because it duplicates a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RowDuplicate {
    /// Line in the file.
    pub line: u64,
    /// The existing customer, when it is already stored.
    pub existing: Option<i64>,
    /// Its owner.
    pub owner: Option<i64>,
    /// The earlier line of the same file it duplicates, when not yet stored.
    pub earlier_line: Option<u64>,
    /// `phone`, `name` or `external_ref`.
    pub matched_on: String,
}

/// A row that was imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RowImported {
    /// Line in the file.
    pub line: u64,
    /// The new customer's id.
    pub id: i64,
}

/// Result of an import.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ImportReport {
    /// Data rows read.
    pub rows: u64,
    /// Rows imported.
    pub imported: Vec<RowImported>,
    /// Invalid rows.
    pub errors: Vec<RowError>,
    /// Duplicate rows.
    pub duplicates: Vec<RowDuplicate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Column {
    Name,
    Kind,
    Industry,
    Source,
    Phone,
    Email,
    Address,
    Tags,
    Level,
    Owner,
    ExternalRef,
    Custom(String),
}

fn column_for(header: &str, settings: &impl CustomerSettings) -> CrmResult<Column> {
    let h = header.trim().trim_start_matches('\u{feff}');
    let lower = h.to_ascii_lowercase();
    Ok(match lower.as_str() {
        "name" | "名称" | "客户名称" => Column::Name,
        "kind" | "类型" => Column::Kind,
        "industry" | "行业" => Column::Industry,
        "source" | "来源" => Column::Source,
        "phone" | "电话" | "手机" => Column::Phone,
        "email" | "邮箱" => Column::Email,
        "address" | "地址" => Column::Address,
        "tags" | "标签" => Column::Tags,
        "level" | "级别" => Column::Level,
        "owner_id" | "负责人" => Column::Owner,
        "external_ref" => Column::ExternalRef,
        _ => match lower.strip_prefix("custom.") {
            Some(key) if settings.customer_fields().iter().any(|d| d.key == key) => {
                Column::Custom(key.to_owned())
            }
            _ => {
                return Err(CrmError::validation(
                    "csv.header",
                    format!("unknown column {}", crate::validate::quote(h)),
                ))
            }
        },
    })
}

fn parse_enum<T: serde::de::DeserializeOwned>(
    cell: &str,
    field: &str,
) -> Result<T, (String, String)> {
    serde_json::from_value(serde_json::Value::String(cell.trim().to_ascii_lowercase()))
        .or_else(|_| {
            serde_json::from_value(serde_json::Value::String(cell.trim().to_ascii_uppercase()))
        })
        .map_err(|_| {
            (
                field.to_owned(),
                format!("{} is not a valid {field}", crate::validate::quote(cell)),
            )
        })
}

fn parse_row(
    record: &csv::StringRecord,
    columns: &[Column],
    settings: &impl CustomerSettings,
) -> Result<NewCustomer, (String, String)> {
    let mut c = NewCustomer {
        source: Some(CustomerSource::Import),
        ..NewCustomer::default()
    };
    for (col, cell) in columns.iter().zip(record.iter()) {
        let value = cell.trim();
        let opt = || (!value.is_empty()).then(|| value.to_owned());
        match col {
            Column::Name => c.name = value.to_owned(),
            Column::Kind if !value.is_empty() => {
                c.kind = parse_enum::<CustomerKind>(value, "kind")?
            }
            Column::Source if !value.is_empty() => c.source = Some(parse_enum(value, "source")?),
            Column::Level if !value.is_empty() => {
                c.level = Some(parse_enum::<CustomerLevel>(value, "level")?)
            }
            Column::Kind | Column::Source | Column::Level => {}
            Column::Industry => c.industry = opt(),
            Column::Phone => c.phone = opt(),
            Column::Email => c.email = opt(),
            Column::Address => c.address = opt(),
            Column::ExternalRef => c.external_ref = opt(),
            Column::Tags => {
                c.tags = value
                    .split([';', '|', '；'])
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect()
            }
            Column::Owner if !value.is_empty() => {
                c.owner_id = Some(UserId(value.parse().map_err(|_| {
                    (
                        "owner_id".to_owned(),
                        format!("{} is not a user id", crate::validate::quote(value)),
                    )
                })?))
            }
            Column::Owner => {}
            Column::Custom(key) => {
                let def = settings
                    .customer_fields()
                    .iter()
                    .find(|d| &d.key == key)
                    .ok_or_else(|| (format!("custom.{key}"), "no such custom field".to_owned()))?;
                let v = def.parse_cell(value).map_err(|e| match e {
                    CrmError::Validation { field, reason } => (field, reason),
                    other => (format!("custom.{key}"), other.to_string()),
                })?;
                if !v.is_null() {
                    c.custom.insert(key.clone(), v);
                }
            }
        }
    }
    Ok(c)
}

/// One parsed data row: its line number and the input, or the failing (field, reason).
pub type ParsedRow = (u64, Result<NewCustomer, (String, String)>);

/// Parses CSV text: a header row, then one customer per row. Returns each data row's line
/// number with the parsed input or the error (field, reason). A bad header or an oversized
/// file fails the whole import.
pub fn parse_csv(text: &str, settings: &impl CustomerSettings) -> CrmResult<Vec<ParsedRow>> {
    if text.len() > MAX_IMPORT_BYTES {
        return Err(CrmError::validation(
            "csv",
            format!("larger than {MAX_IMPORT_BYTES} bytes"),
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| CrmError::validation("csv.header", e.to_string()))?
        .clone();
    let columns: Vec<Column> = headers
        .iter()
        .map(|h| column_for(h, settings))
        .collect::<CrmResult<_>>()?;
    if !columns.contains(&Column::Name) {
        return Err(CrmError::validation(
            "csv.header",
            "a name column is required",
        ));
    }
    let mut out = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let fallback_line = index as u64 + 2;
        match record {
            Ok(record) => {
                let line = record.position().map(|p| p.line()).unwrap_or(fallback_line);
                if record.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                let parsed = if record.len() != columns.len() {
                    Err((
                        "csv".to_owned(),
                        format!("{} cells, header has {}", record.len(), columns.len()),
                    ))
                } else {
                    parse_row(&record, &columns, settings)
                };
                out.push((line, parsed));
            }
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(fallback_line);
                out.push((line, Err(("csv".to_owned(), e.to_string()))));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customer::custom_fields::CustomFieldDef;

    /// Settings without custom fields, reading phones in China.
    struct NoCustomFields;

    impl CustomerSettings for NoCustomFields {
        fn customer_fields(&self) -> &[CustomFieldDef] {
            &[]
        }
        fn phone_region(&self) -> &str {
            "CN"
        }
    }

    #[test]
    fn header_aliases_and_rows() {
        let csv = "名称,电话,级别,tags\n星辰科技,13812345678,a,vip;north\n\"Acme, Inc.\",,B,\n";
        let rows = parse_csv(csv, &NoCustomFields).unwrap();
        assert_eq!(rows.len(), 2);
        let (line, first) = &rows[0];
        assert_eq!(*line, 2);
        let first = first.as_ref().unwrap();
        assert_eq!(first.name, "星辰科技");
        assert_eq!(first.level, Some(CustomerLevel::A));
        assert_eq!(first.tags, vec!["vip", "north"]);
        assert_eq!(rows[1].1.as_ref().unwrap().name, "Acme, Inc.");
    }

    #[test]
    fn bad_cells_are_row_errors_and_bad_headers_fail_whole() {
        let csv = "name,level,kind\nA,Z,company\nB,A,robot\nC,A\n";
        let rows = parse_csv(csv, &NoCustomFields).unwrap();
        let errs: Vec<_> = rows
            .iter()
            .map(|(l, r)| (*l, r.as_ref().err().map(|e| e.0.clone())))
            .collect();
        assert_eq!(
            errs,
            vec![
                (2, Some("level".into())),
                (3, Some("kind".into())),
                (4, Some("csv".into()))
            ]
        );
        assert!(parse_csv("nom,phone\nA,1\n", &NoCustomFields).is_err());
        assert!(parse_csv("phone\n1\n", &NoCustomFields).is_err());
    }
}
