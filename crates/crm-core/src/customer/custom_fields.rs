//! Custom fields (自定义字段): a per-tenant schema of typed keys, and validation of values
//! against it. Keys are identifiers; they are stored inside the record body, never spliced
//! into SQL.

use crate::error::{CrmError, CrmResult};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Type of a custom field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CustomFieldType {
    /// Text up to `max_len` characters.
    Text {
        /// Maximum length in characters.
        max_len: u32,
    },
    /// An integer.
    Integer,
    /// A decimal number, given as a string (`"12.50"`).
    Decimal,
    /// A date `YYYY-MM-DD`.
    Date,
    /// true/false.
    Bool,
    /// One of the listed options.
    Choice {
        /// Allowed values.
        options: Vec<String>,
    },
}

/// One field of the schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CustomFieldDef {
    /// Identifier `[a-z][a-z0-9_]{0,39}`.
    pub key: String,
    /// Display label.
    pub label: String,
    /// Value type.
    #[serde(flatten)]
    pub ty: CustomFieldType,
    /// Must be present on create.
    #[serde(default)]
    pub required: bool,
}

/// True for `[a-z][a-z0-9_]{0,39}`.
pub fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some('a'..='z'))
        && key.len() <= 40
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

impl CustomFieldDef {
    /// Checks the definition itself.
    pub fn validate(&self) -> CrmResult<()> {
        let field = format!("settings.customer_fields.{}", self.key);
        if !is_identifier(&self.key) {
            return Err(CrmError::validation(
                field,
                "key must match [a-z][a-z0-9_]{0,39}",
            ));
        }
        match &self.ty {
            CustomFieldType::Text { max_len } if *max_len == 0 || *max_len > 10_000 => {
                Err(CrmError::validation(field, "max_len must be 1..=10000"))
            }
            CustomFieldType::Choice { options } if options.is_empty() => {
                Err(CrmError::validation(field, "a choice needs options"))
            }
            _ => Ok(()),
        }
    }

    /// Checks one value; `null` is allowed unless required.
    pub fn check(&self, value: &Value) -> CrmResult<()> {
        let field = format!("custom.{}", self.key);
        let bad = |reason: &str| Err(CrmError::validation(field.clone(), reason.to_owned()));
        if value.is_null() {
            return if self.required {
                bad("is required")
            } else {
                Ok(())
            };
        }
        match &self.ty {
            CustomFieldType::Text { max_len } => match value.as_str() {
                Some(s) if s.chars().count() <= *max_len as usize => Ok(()),
                Some(_) => bad(&format!("longer than {max_len} characters")),
                None => bad("must be text"),
            },
            CustomFieldType::Integer => match value.as_i64() {
                Some(_) => Ok(()),
                None => bad("must be an integer"),
            },
            CustomFieldType::Decimal => match value.as_str().map(crate::money::strict::parse) {
                Some(Ok(_)) => Ok(()),
                _ => bad("must be a decimal string such as \"12.50\""),
            },
            CustomFieldType::Date => match value
                .as_str()
                .map(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d"))
            {
                Some(Ok(_)) => Ok(()),
                _ => bad("must be a date YYYY-MM-DD"),
            },
            CustomFieldType::Bool => match value {
                Value::Bool(_) => Ok(()),
                _ => bad("must be true or false"),
            },
            CustomFieldType::Choice { options } => match value.as_str() {
                Some(s) if options.iter().any(|o| o == s) => Ok(()),
                _ => bad(&format!("must be one of {}", options.join(", "))),
            },
        }
    }

    /// Parses a CSV cell into a value of this type.
    pub fn parse_cell(&self, cell: &str) -> CrmResult<Value> {
        let cell = cell.trim();
        if cell.is_empty() {
            return Ok(Value::Null);
        }
        let value = match &self.ty {
            CustomFieldType::Integer => cell.parse::<i64>().map(Value::from).map_err(|_| {
                CrmError::validation(format!("custom.{}", self.key), "must be an integer")
            })?,
            CustomFieldType::Bool => match cell.to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" | "是" => Value::Bool(true),
                "false" | "no" | "0" | "否" => Value::Bool(false),
                _ => {
                    return Err(CrmError::validation(
                        format!("custom.{}", self.key),
                        "must be true or false",
                    ))
                }
            },
            _ => Value::String(cell.to_owned()),
        };
        self.check(&value)?;
        Ok(value)
    }
}

/// Validates a whole custom-field map against the schema: unknown keys and bad values are
/// refused; on create (`require_all`), required fields must be present.
pub fn validate_custom(
    schema: &[CustomFieldDef],
    values: &BTreeMap<String, Value>,
    require_all: bool,
) -> CrmResult<()> {
    for (key, value) in values {
        let def = schema.iter().find(|d| &d.key == key).ok_or_else(|| {
            CrmError::validation(
                format!("custom.{}", crate::validate::truncate(key, 32)),
                "no such custom field",
            )
        })?;
        def.check(value)?;
    }
    if require_all {
        for def in schema.iter().filter(|d| d.required) {
            if values.get(&def.key).is_none_or(Value::is_null) {
                return Err(CrmError::validation(
                    format!("custom.{}", def.key),
                    "is required",
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Vec<CustomFieldDef> {
        vec![
            CustomFieldDef {
                key: "budget".into(),
                label: "Budget".into(),
                ty: CustomFieldType::Decimal,
                required: false,
            },
            CustomFieldDef {
                key: "seats".into(),
                label: "Seats".into(),
                ty: CustomFieldType::Integer,
                required: true,
            },
            CustomFieldDef {
                key: "region".into(),
                label: "Region".into(),
                ty: CustomFieldType::Choice {
                    options: vec!["north".into(), "south".into()],
                },
                required: false,
            },
        ]
    }

    #[test]
    fn values_are_checked_by_type_and_named() {
        let s = schema();
        let ok: BTreeMap<_, _> = [
            ("seats".to_owned(), json!(5)),
            ("budget".to_owned(), json!("12.50")),
        ]
        .into();
        assert!(validate_custom(&s, &ok, true).is_ok());
        let cases = [
            (("seats", json!("five")), "custom.seats"),
            (("budget", json!(12.5)), "custom.budget"),
            (("region", json!("east")), "custom.region"),
            (("nope", json!(1)), "custom.nope"),
        ];
        for ((k, v), field) in cases {
            let mut m = ok.clone();
            m.insert(k.to_owned(), v);
            match validate_custom(&s, &m, true) {
                Err(CrmError::Validation { field: f, .. }) => assert_eq!(f, field),
                other => panic!("expected validation on {field}, got {other:?}"),
            }
        }
        let missing: BTreeMap<_, _> = [("budget".to_owned(), json!("1"))].into();
        assert!(validate_custom(&s, &missing, true).is_err());
        assert!(validate_custom(&s, &missing, false).is_ok());
    }

    #[test]
    fn identifiers_only() {
        assert!(is_identifier("budget_2026"));
        for bad in [
            "",
            "2x",
            "Budget",
            "a-b",
            "a b",
            "x'; drop table",
            &"a".repeat(41),
        ] {
            assert!(!is_identifier(bad), "{bad}");
        }
    }
}
