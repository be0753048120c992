//! Reading amendment reasons written before they were structured. Early versions stored
//! each reason as its Rust `Debug` text (`AmountLowered { approved: 100.00, amended: 70.00,
//! threshold_percent: 20 }`); those rows stay readable: such a text is parsed back into the
//! structured reason. A text that cannot be parsed is left out rather than making the whole
//! contract unreadable.

use crate::sales::ReapprovalReason;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
enum Stored {
    Reason(ReapprovalReason),
    Debug(String),
}

/// Deserializes a list of reasons, structured or legacy `Debug` texts.
pub(super) fn deserialize<'de, D: Deserializer<'de>>(
    de: D,
) -> Result<Vec<ReapprovalReason>, D::Error> {
    let stored = Vec::<Stored>::deserialize(de)?;
    Ok(stored
        .into_iter()
        .filter_map(|s| match s {
            Stored::Reason(r) => Some(r),
            Stored::Debug(text) => from_debug(&text),
        })
        .collect())
}

/// `Name { key: value, … }` or `Name` → the reason, if it is one.
fn from_debug(text: &str) -> Option<ReapprovalReason> {
    let text = text.trim();
    let (name, fields) = match text.split_once(" { ") {
        Some((name, rest)) => (name, rest.strip_suffix(" }")?),
        None => (text, ""),
    };
    let mut object = Map::new();
    object.insert("reason".into(), Value::String(snake_case(name)));
    for part in fields.split(", ").filter(|p| !p.is_empty()) {
        let (key, value) = part.split_once(": ")?;
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        object.insert(key.to_owned(), Value::String(value.to_owned()));
    }
    serde_json::from_value(Value::Object(object)).ok()
}

fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[derive(Deserialize, schemars::JsonSchema)]
    struct Holder {
        #[serde(deserialize_with = "deserialize")]
        reasons: Vec<ReapprovalReason>,
    }

    #[test]
    fn legacy_debug_texts_and_structured_reasons_both_read() {
        let json = serde_json::json!({"reasons": [
            "AmountLowered { approved: 100.00, amended: 70.00, threshold_percent: 20 }",
            "CurrencyChanged",
            "BranchChanged { approved: \"small\", amended: \"large\" }",
            {"reason": "discount_raised", "approved": "5", "amended": "9"},
            "Gibberish { x }",
        ]});
        let h: Holder = serde_json::from_value(json).expect("readable");
        assert_eq!(
            h.reasons,
            vec![
                ReapprovalReason::AmountLowered {
                    approved: Decimal::new(10000, 2),
                    amended: Decimal::new(7000, 2),
                    threshold_percent: Decimal::from(20),
                },
                ReapprovalReason::CurrencyChanged,
                ReapprovalReason::BranchChanged {
                    approved: "small".into(),
                    amended: "large".into(),
                },
                ReapprovalReason::DiscountRaised {
                    approved: Decimal::from(5),
                    amended: Decimal::from(9),
                },
            ]
        );
        let written = serde_json::to_value(&h.reasons[0]).expect("json");
        assert_eq!(written["reason"], "amount_lowered");
        assert_eq!(written["approved_total"], "100.00");
        assert_eq!(
            h.reasons[0].to_string(),
            "amount lowered from 100.00 to 70.00 (threshold 20%)"
        );
    }
}
