//! One data row as a [`LeadInput`]: each cell under a known column fills its field (a blank
//! cell fills nothing), cells under unknown columns are left out (the report lists those
//! columns). A row is refused, with the field and the reason, when a cell of a known column
//! cannot be read, its amount is not a plain decimal string, or its width does not fit the
//! header. Field values are validated afterwards, by [`LeadInput::apply`], like
//! `lead.create`'s.

use super::columns::{HeaderMap, LeadColumn};
use super::table::{Cell, SourceRow};
use crate::lead::LeadInput;
use serde::{Deserialize, Serialize};

/// Why a row was not imported: the field at fault (`row` for the row as a whole) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Refusal {
    /// The field at fault, or `row`.
    pub field: String,
    /// Why.
    pub reason: String,
}

impl Refusal {
    /// A refusal of `field`.
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Refusal {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// A row read into a lead's input, with the columns it fills (for the field rules).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowInput {
    /// The lead's fields as written in the row.
    pub input: LeadInput,
    /// The known columns with a value in this row.
    pub filled: Vec<LeadColumn>,
}

/// Reads `row` under `header`. `exact_width`: a row must have exactly the header's number
/// of cells (CSV); otherwise missing cells are blank and only a value beyond the header
/// is refused.
pub fn parse_row(
    header: &HeaderMap,
    row: &SourceRow,
    exact_width: bool,
) -> Result<RowInput, Refusal> {
    let cells = row
        .cells
        .as_ref()
        .map_err(|reason| Refusal::new("row", reason.clone()))?;
    let width = header.columns.len();
    if exact_width && cells.len() != width {
        return Err(Refusal::new(
            "row",
            format!("{} cells, the header has {width}", cells.len()),
        ));
    }
    if let Some(extra) = cells.iter().skip(width).position(|c| !c.is_blank()) {
        return Err(Refusal::new(
            "row",
            format!(
                "a value in column {}, which has no header",
                width + extra + 1
            ),
        ));
    }
    let mut input = LeadInput::default();
    let mut filled = Vec::new();
    for (column, cell) in header.columns.iter().zip(cells) {
        let Some(column) = *column else { continue };
        let text = match cell {
            Cell::Unreadable(reason) => return Err(Refusal::new(column.field(), reason.clone())),
            Cell::Text(t) => t.trim(),
        };
        if text.is_empty() {
            continue;
        }
        filled.push(column);
        let value = Some(text.to_owned());
        match column {
            LeadColumn::Name => input.name = text.to_owned(),
            LeadColumn::Company => input.company = value,
            LeadColumn::Phone => input.phone = value,
            LeadColumn::Email => input.email = value,
            LeadColumn::Source => input.source = value,
            LeadColumn::Region => input.region = value,
            LeadColumn::Industry => input.industry = value,
            LeadColumn::Currency => input.currency = value,
            LeadColumn::EstimatedAmount => {
                input.estimated_amount = Some(
                    crate::money::strict::parse(text)
                        .map_err(|why| Refusal::new(column.field(), why))?,
                )
            }
        }
    }
    Ok(RowInput { input, filled })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn header(h: &[&str]) -> HeaderMap {
        HeaderMap::new(&h.iter().map(|s| s.to_string()).collect::<Vec<_>>()).expect("header")
    }

    fn row(cells: &[&str]) -> SourceRow {
        SourceRow {
            row: 2,
            cells: Ok(cells.iter().map(|c| Cell::Text(c.to_string())).collect()),
        }
    }

    #[test]
    fn cells_fill_their_fields_and_unknown_columns_are_left_out() {
        let h = header(&["姓名", "备注", "公司", "预计金额", "币种", "手机"]);
        let got = parse_row(
            &h,
            &row(&[" 李雷 ", "老客户", "星辰", "12500.50", "CNY", ""]),
            true,
        )
        .expect("row");
        assert_eq!(got.input.name, "李雷");
        assert_eq!(got.input.company.as_deref(), Some("星辰"));
        assert_eq!(got.input.estimated_amount, Some(Decimal::new(1_250_050, 2)));
        assert_eq!(got.input.currency.as_deref(), Some("CNY"));
        assert_eq!(got.input.phone, None);
        assert_eq!(
            got.filled,
            vec![
                LeadColumn::Name,
                LeadColumn::Company,
                LeadColumn::EstimatedAmount,
                LeadColumn::Currency
            ]
        );
    }

    #[test]
    fn refusals_name_the_field() {
        let h = header(&["name", "amount"]);
        let refused = |r: &SourceRow, exact| parse_row(&h, r, exact).expect_err("refused");
        assert_eq!(refused(&row(&["a", "1e3"]), true).field, "estimated_amount");
        assert_eq!(
            refused(&row(&["a", "1,000"]), true).field,
            "estimated_amount"
        );
        assert_eq!(refused(&row(&["a"]), true).field, "row");
        assert_eq!(refused(&row(&["a", "1", "x"]), true).field, "row");
        // Without exact width a short row is fine and a blank extra cell too; a value
        // beyond the header is not.
        assert!(parse_row(&h, &row(&["a"]), false).is_ok());
        assert!(parse_row(&h, &row(&["a", "1", " "]), false).is_ok());
        let beyond = refused(&row(&["a", "1", "x"]), false);
        assert_eq!(beyond.reason, "a value in column 3, which has no header");
        let date = SourceRow {
            row: 3,
            cells: Ok(vec![
                Cell::Text("a".into()),
                Cell::Unreadable("a date".into()),
            ]),
        };
        assert_eq!(
            refused(&date, false),
            Refusal::new("estimated_amount", "a date")
        );
        let broken = SourceRow {
            row: 4,
            cells: Err("bad quoting".into()),
        };
        assert_eq!(refused(&broken, true), Refusal::new("row", "bad quoting"));
    }
}
