//! The header row: which lead field each column fills. A header is matched after trimming,
//! dropping a byte-order mark, lower-casing and reading `-` and spaces as `_`, against the
//! English field name or one of the usual Chinese headers. A header that names no field is
//! reported with its column; two columns naming one field, or no name column, refuse the
//! whole file.

use crate::error::{CrmError, CrmResult};
use crate::validate::{truncate, QUOTE_CHARS};
use serde::{Deserialize, Serialize};

/// A lead field a column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LeadColumn {
    /// Contact person's name (姓名).
    Name,
    /// Company (公司).
    Company,
    /// Phone (手机, 电话).
    Phone,
    /// E-mail (邮箱).
    Email,
    /// Source label (来源).
    Source,
    /// Region (地区).
    Region,
    /// Industry (行业).
    Industry,
    /// Estimated amount (预计金额).
    EstimatedAmount,
    /// Currency of the estimated amount (币种).
    Currency,
}

impl LeadColumn {
    /// The field name used in refusals and field rules (`currency` is governed by the
    /// `estimated_amount` rule, see [`Self::rule_field`]).
    pub fn field(self) -> &'static str {
        match self {
            LeadColumn::Name => "name",
            LeadColumn::Company => "company",
            LeadColumn::Phone => "phone",
            LeadColumn::Email => "email",
            LeadColumn::Source => "source",
            LeadColumn::Region => "region",
            LeadColumn::Industry => "industry",
            LeadColumn::EstimatedAmount => "estimated_amount",
            LeadColumn::Currency => "currency",
        }
    }

    /// The field rule that governs writing this column.
    pub fn rule_field(self) -> &'static str {
        match self {
            LeadColumn::Currency => "estimated_amount",
            other => other.field(),
        }
    }

    /// The field a header names, if any.
    pub fn for_header(header: &str) -> Option<LeadColumn> {
        let key: String = header
            .trim()
            .trim_start_matches('\u{feff}')
            .trim()
            .chars()
            .map(|c| match c {
                '-' | ' ' => '_',
                c => c.to_ascii_lowercase(),
            })
            .collect();
        Some(match key.as_str() {
            "name" | "姓名" | "联系人" => LeadColumn::Name,
            "company" | "公司" | "公司名称" | "单位" => LeadColumn::Company,
            "phone" | "mobile" | "手机" | "手机号" | "电话" | "联系电话" => {
                LeadColumn::Phone
            }
            "email" | "e_mail" | "邮箱" | "电子邮箱" => LeadColumn::Email,
            "source" | "来源" | "线索来源" => LeadColumn::Source,
            "region" | "地区" | "区域" => LeadColumn::Region,
            "industry" | "行业" => LeadColumn::Industry,
            "estimated_amount" | "amount" | "预计金额" | "预估金额" => {
                LeadColumn::EstimatedAmount
            }
            "currency" | "币种" => LeadColumn::Currency,
            _ => return None,
        })
    }
}

/// A header cell that names no lead field: its cells are not imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct UnknownColumn {
    /// Column number, 1 for the first.
    pub column: u32,
    /// The header as written (its first 32 characters).
    pub header: String,
}

/// What the header row says: the field of each column (none for an unknown or blank one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderMap {
    /// One entry per header cell.
    pub columns: Vec<Option<LeadColumn>>,
    /// Headers that name no field (blank headers are not listed).
    pub unknown: Vec<UnknownColumn>,
}

impl HeaderMap {
    /// Maps the header cells; refused as a whole (field `header`) when no column gives the
    /// name or two columns give the same field.
    pub fn new(headers: &[String]) -> CrmResult<HeaderMap> {
        let mut columns = Vec::with_capacity(headers.len());
        let mut unknown = Vec::new();
        let mut seen: Vec<(LeadColumn, usize)> = Vec::new();
        for (index, header) in headers.iter().enumerate() {
            let column = LeadColumn::for_header(header);
            match column {
                Some(c) => {
                    if let Some((_, first)) = seen.iter().find(|(s, _)| *s == c) {
                        return Err(CrmError::validation(
                            "header",
                            format!(
                                "columns {} and {} both give {}",
                                first + 1,
                                index + 1,
                                c.field()
                            ),
                        ));
                    }
                    seen.push((c, index));
                }
                None if header.trim().trim_start_matches('\u{feff}').is_empty() => {}
                None => unknown.push(UnknownColumn {
                    column: u32::try_from(index + 1).unwrap_or(u32::MAX),
                    header: truncate(header.trim(), QUOTE_CHARS),
                }),
            }
            columns.push(column);
        }
        if !seen.iter().any(|(c, _)| *c == LeadColumn::Name) {
            return Err(CrmError::validation(
                "header",
                "a name column is required (name or 姓名)",
            ));
        }
        Ok(HeaderMap { columns, unknown })
    }
}

#[cfg(test)]
mod tests {
    use super::LeadColumn::{self, *};
    use super::*;

    fn maps(headers: &[&str], to: LeadColumn) {
        for h in headers {
            assert_eq!(LeadColumn::for_header(h), Some(to), "{h}");
        }
    }

    #[test]
    fn name_headers() {
        maps(
            &["name", "Name", " NAME ", "\u{feff}name", "姓名", "联系人"],
            Name,
        );
    }

    #[test]
    fn company_headers() {
        maps(&["company", "Company", "公司", "公司名称", "单位"], Company);
    }

    #[test]
    fn phone_headers() {
        maps(
            &["phone", "Mobile", "手机", "手机号", "电话", "联系电话"],
            Phone,
        );
    }

    #[test]
    fn email_headers() {
        maps(&["email", "E-mail", "e mail", "邮箱", "电子邮箱"], Email);
    }

    #[test]
    fn source_headers() {
        maps(&["source", "Source", "来源", "线索来源"], Source);
    }

    #[test]
    fn region_headers() {
        maps(&["region", "REGION", "地区", "区域"], Region);
    }

    #[test]
    fn industry_headers() {
        maps(&["industry", "Industry", "行业"], Industry);
    }

    #[test]
    fn amount_headers() {
        maps(
            &[
                "estimated_amount",
                "Estimated Amount",
                "estimated-amount",
                "amount",
                "预计金额",
                "预估金额",
            ],
            EstimatedAmount,
        );
    }

    #[test]
    fn currency_headers() {
        maps(&["currency", "Currency", "币种"], Currency);
        assert_eq!(Currency.rule_field(), "estimated_amount");
        assert_eq!(Phone.rule_field(), "phone");
    }

    #[test]
    fn unknown_headers_are_listed_and_blank_ones_skipped() {
        for h in ["备注", "owner_id", "phone number", "名称", ""] {
            assert_eq!(LeadColumn::for_header(h), None, "{h}");
        }
        let headers: Vec<String> = ["姓名", "备注", "", "手机"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let map = HeaderMap::new(&headers).expect("header");
        assert_eq!(map.columns, vec![Some(Name), None, None, Some(Phone)]);
        assert_eq!(
            map.unknown,
            vec![UnknownColumn {
                column: 2,
                header: "备注".into()
            }]
        );
    }

    #[test]
    fn a_missing_name_or_a_repeated_field_refuses_the_header() {
        let of = |h: &[&str]| {
            HeaderMap::new(&h.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .map_err(|e| e.to_string())
        };
        let no_name = of(&["公司", "手机"]).expect_err("no name");
        assert!(no_name.contains("name column"), "{no_name}");
        let twice = of(&["姓名", "手机", "电话"]).expect_err("two phones");
        assert!(twice.contains("columns 2 and 3 both give phone"), "{twice}");
        assert!(of(&[]).is_err());
    }
}
