//! Conditions of assignment entries over lead fields.

use crate::error::{CrmError, CrmResult};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A lead field a condition or a by-field strategy reads.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LeadField {
    /// The lead's region (地区).
    Region,
    /// The lead's source (来源).
    Source,
    /// The lead's industry (行业).
    Industry,
    /// A custom field by key; its value compares as text (numbers and booleans by their
    /// JSON text, `"true"`, `"42"`).
    Custom(String),
}

impl LeadField {
    /// The field's name in errors and explanations (`region`, `custom.grade`).
    pub fn name(&self) -> String {
        match self {
            LeadField::Region => "region".into(),
            LeadField::Source => "source".into(),
            LeadField::Industry => "industry".into(),
            LeadField::Custom(key) => format!("custom.{key}"),
        }
    }
}

/// What assignment knows of a lead.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LeadFacts {
    /// Region.
    pub region: Option<String>,
    /// Source.
    pub source: Option<String>,
    /// Industry.
    pub industry: Option<String>,
    /// Estimated amount.
    pub amount: Option<Decimal>,
    /// Currency of the estimated amount (ISO 4217).
    pub currency: Option<String>,
    /// Custom field values.
    pub custom: BTreeMap<String, serde_json::Value>,
}

impl LeadFacts {
    /// The text value of `field`, if the lead has one (an empty text is no value).
    pub fn text(&self, field: &LeadField) -> Option<String> {
        let value = match field {
            LeadField::Region => self.region.clone(),
            LeadField::Source => self.source.clone(),
            LeadField::Industry => self.industry.clone(),
            LeadField::Custom(key) => match self.custom.get(key) {
                None | Some(serde_json::Value::Null) => None,
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                Some(other) => Some(other.to_string()),
            },
        };
        value.filter(|v| !v.is_empty())
    }
}

/// One end of an amount range, inclusive or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AmountBound {
    /// The bound.
    pub value: Decimal,
    /// Whether the bound itself is in the range.
    pub inclusive: bool,
}

/// A condition over lead fields. Text compares exactly (case and width matter: hosts send
/// their own canonical values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[non_exhaustive]
pub enum Condition {
    /// Every lead (the default entry).
    Always,
    /// The field has exactly this value.
    Equals {
        /// The field.
        field: LeadField,
        /// The value.
        value: String,
    },
    /// The field has one of these values.
    OneOf {
        /// The field.
        field: LeadField,
        /// The values (at least one).
        values: Vec<String>,
    },
    /// The estimated amount, in this currency, lies in the range; a lead without an amount
    /// or in another currency never matches.
    Amount {
        /// The currency the bounds are in (ISO 4217).
        currency: String,
        /// Lower bound, if any.
        min: Option<AmountBound>,
        /// Upper bound, if any.
        max: Option<AmountBound>,
    },
    /// Every condition holds.
    All {
        /// The conditions (at least one).
        conditions: Vec<Condition>,
    },
    /// At least one condition holds.
    Any {
        /// The conditions (at least one).
        conditions: Vec<Condition>,
    },
}

/// Deepest nesting of `all`/`any` a condition may have.
pub const MAX_DEPTH: usize = 8;

impl Condition {
    /// Whether `lead` satisfies the condition.
    pub fn matches(&self, lead: &LeadFacts) -> bool {
        match self {
            Condition::Always => true,
            Condition::Equals { field, value } => lead.text(field).as_deref() == Some(value),
            Condition::OneOf { field, values } => {
                lead.text(field).is_some_and(|v| values.contains(&v))
            }
            Condition::Amount { currency, min, max } => {
                lead.currency.as_deref() == Some(currency.as_str())
                    && lead.amount.is_some_and(|a| {
                        let above = min.is_none_or(|b| {
                            if b.inclusive {
                                a >= b.value
                            } else {
                                a > b.value
                            }
                        });
                        let below = max.is_none_or(|b| {
                            if b.inclusive {
                                a <= b.value
                            } else {
                                a < b.value
                            }
                        });
                        above && below
                    })
            }
            Condition::All { conditions } => conditions.iter().all(|c| c.matches(lead)),
            Condition::Any { conditions } => conditions.iter().any(|c| c.matches(lead)),
        }
    }

    /// Refuses empty lists, empty custom keys, empty ranges and nesting deeper than
    /// [`MAX_DEPTH`]; `at` names the condition in the error (`entries[2].condition`).
    pub fn validate(&self, at: &str) -> CrmResult<()> {
        self.validate_depth(at, 0)
    }

    fn validate_depth(&self, at: &str, depth: usize) -> CrmResult<()> {
        if depth > MAX_DEPTH {
            return Err(CrmError::validation(
                at,
                format!("nested deeper than {MAX_DEPTH}"),
            ));
        }
        match self {
            Condition::Always => Ok(()),
            Condition::Equals { field, .. } => check_field(field, at),
            Condition::OneOf { field, values } => {
                check_field(field, at)?;
                if values.is_empty() {
                    return Err(CrmError::validation(
                        format!("{at}.values"),
                        "at least one value",
                    ));
                }
                Ok(())
            }
            Condition::Amount { currency, min, max } => match (min, max) {
                _ if crate::money::Currency::parse(currency, "currency").is_err() => {
                    Err(CrmError::validation(
                        format!("{at}.currency"),
                        format!("unknown currency {}", crate::validate::quote(currency)),
                    ))
                }
                (None, None) => Err(CrmError::validation(
                    at,
                    "an amount condition needs a bound",
                )),
                (Some(lo), Some(hi))
                    if lo.value > hi.value
                        || (lo.value == hi.value && !(lo.inclusive && hi.inclusive)) =>
                {
                    Err(CrmError::validation(
                        at,
                        format!("the range from {} to {} is empty", lo.value, hi.value),
                    ))
                }
                _ => Ok(()),
            },
            Condition::All { conditions } | Condition::Any { conditions } => {
                if conditions.is_empty() {
                    return Err(CrmError::validation(
                        format!("{at}.conditions"),
                        "at least one condition",
                    ));
                }
                for (i, c) in conditions.iter().enumerate() {
                    c.validate_depth(&format!("{at}.conditions[{i}]"), depth + 1)?;
                }
                Ok(())
            }
        }
    }
}

fn check_field(field: &LeadField, at: &str) -> CrmResult<()> {
    match field {
        LeadField::Custom(key) if key.trim().is_empty() => Err(CrmError::validation(
            format!("{at}.field"),
            "a custom field needs its key",
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(region: &str, amount: i64) -> LeadFacts {
        LeadFacts {
            region: Some(region.into()),
            amount: Some(Decimal::from(amount)),
            currency: Some("CNY".into()),
            ..LeadFacts::default()
        }
    }

    fn range(min: Option<(i64, bool)>, max: Option<(i64, bool)>) -> Condition {
        let b = |(v, inclusive): (i64, bool)| AmountBound {
            value: Decimal::from(v),
            inclusive,
        };
        Condition::Amount {
            currency: "CNY".into(),
            min: min.map(b),
            max: max.map(b),
        }
    }

    #[test]
    fn amount_bounds_respect_inclusivity_on_both_sides() {
        let over = range(Some((1_000_000, false)), None);
        assert!(!over.matches(&lead("x", 1_000_000)));
        assert!(over.matches(&lead("x", 1_000_001)));
        let from = range(Some((1_000_000, true)), None);
        assert!(from.matches(&lead("x", 1_000_000)));
        assert!(!from.matches(&lead("x", 999_999)));
        let upto = range(None, Some((500, true)));
        assert!(upto.matches(&lead("x", 500)));
        assert!(!upto.matches(&lead("x", 501)));
        let below = range(None, Some((500, false)));
        assert!(!below.matches(&lead("x", 500)));
        assert!(below.matches(&lead("x", 499)));
        // No amount, or another currency: no match, whatever the bounds.
        assert!(!from.matches(&LeadFacts::default()));
        let yen = LeadFacts {
            currency: Some("JPY".into()),
            ..lead("x", 2_000_000)
        };
        assert!(!from.matches(&yen));
        let bad = Condition::Amount {
            currency: "XYZ".into(),
            min: None,
            max: None,
        };
        assert!(
            matches!(bad.validate("c"), Err(CrmError::Validation { field, .. }) if field == "c.currency")
        );
    }

    #[test]
    fn text_conditions_compare_exactly_and_custom_values_as_text() {
        let east = Condition::Equals {
            field: LeadField::Region,
            value: "华东".into(),
        };
        assert!(east.matches(&lead("华东", 1)));
        assert!(!east.matches(&lead("华东 ", 1)));
        let mut l = LeadFacts::default();
        l.custom.insert("grade".into(), serde_json::json!(3));
        let graded = Condition::OneOf {
            field: LeadField::Custom("grade".into()),
            values: vec!["2".into(), "3".into()],
        };
        assert!(graded.matches(&l));
        l.custom.insert("grade".into(), serde_json::Value::Null);
        assert!(!graded.matches(&l));
    }

    #[test]
    fn validation_names_the_condition() {
        let empty = range(Some((5, true)), Some((5, false)));
        let err = empty.validate("entries[0].condition");
        assert!(
            matches!(&err, Err(CrmError::Validation { field, .. }) if field == "entries[0].condition"),
            "{err:?}"
        );
        assert!(range(Some((5, true)), Some((5, true)))
            .validate("c")
            .is_ok());
        let nested = Condition::All {
            conditions: vec![Condition::Any { conditions: vec![] }],
        };
        let err = nested.validate("c");
        assert!(
            matches!(&err, Err(CrmError::Validation { field, .. }) if field == "c.conditions[0].conditions"),
            "{err:?}"
        );
        let mut deep = Condition::Always;
        for _ in 0..MAX_DEPTH {
            deep = Condition::All {
                conditions: vec![deep],
            };
        }
        assert!(deep.validate("c").is_ok(), "{MAX_DEPTH} levels are allowed");
        let deeper = Condition::All {
            conditions: vec![deep],
        };
        assert!(deeper.validate("c").is_err());
    }
}
