//! The tenant's attribution settings (`settings.attribution`).

use super::AttributionModel;
use crate::error::{CrmError, CrmResult};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The longest lookback window, in days.
pub const MAX_LOOKBACK_DAYS: u32 = 730;

/// Which won deals are attributed (one kind, so revenue is not counted twice when a won
/// opportunity later becomes an active contract).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DealKind {
    /// Opportunities when they are won (their amount).
    #[default]
    Opportunity,
    /// Contracts when they become active (their amount).
    Contract,
}

impl DealKind {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            DealKind::Opportunity => "opportunity",
            DealKind::Contract => "contract",
        }
    }
}

fn lookback() -> u32 {
    90
}

fn models() -> Vec<AttributionModel> {
    vec![AttributionModel::Linear]
}

fn hundred() -> Decimal {
    Decimal::ONE_HUNDRED
}

/// How won deals are attributed to campaigns and how campaign economics are figured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttributionSettings {
    /// Which deals are attributed (default opportunity).
    #[serde(default)]
    pub deal: DealKind,
    /// Touches up to this many days before the close count (1–730, default 90).
    #[serde(default = "lookback")]
    pub lookback_days: u32,
    /// The models whose results are stored when a deal is won (1–7 distinct, default
    /// linear); the first is the one ROI reads unless asked for another.
    #[serde(default = "models")]
    pub models: Vec<AttributionModel>,
    /// Gross margin in percent (0–100, default 100) for LTV.
    #[serde(default = "hundred")]
    pub gross_margin: Decimal,
    /// Customer churn in percent per year (0–100; LTV is `None` while it is 0 or unset).
    #[serde(default)]
    pub annual_churn: Option<Decimal>,
}

impl Default for AttributionSettings {
    fn default() -> Self {
        Self {
            deal: DealKind::default(),
            lookback_days: lookback(),
            models: models(),
            gross_margin: hundred(),
            annual_churn: None,
        }
    }
}

impl AttributionSettings {
    /// Refuses a lookback outside 1–730 days, no model, more than 7 models or two with the
    /// same key, a bad model, and percentages outside 0–100 or with more than 2 decimals;
    /// each error names its field under `attribution.`.
    pub fn validate(&self) -> CrmResult<()> {
        if self.lookback_days == 0 || self.lookback_days > MAX_LOOKBACK_DAYS {
            return Err(CrmError::validation(
                "attribution.lookback_days",
                format!("from 1 to {MAX_LOOKBACK_DAYS} days"),
            ));
        }
        if self.models.is_empty() || self.models.len() > 7 {
            return Err(CrmError::validation(
                "attribution.models",
                "from 1 to 7 models",
            ));
        }
        for (i, m) in self.models.iter().enumerate() {
            m.validate(&format!("attribution.models[{i}]"))?;
            if self.models[..i].iter().any(|o| o.key() == m.key()) {
                return Err(CrmError::validation(
                    format!("attribution.models[{i}]"),
                    format!("model {} is listed twice", m.key()),
                ));
            }
        }
        let percent = |field: &str, v: Decimal| {
            if v.is_sign_negative() && !v.is_zero()
                || v > Decimal::ONE_HUNDRED
                || v.normalize().scale() > 2
            {
                Err(CrmError::validation(
                    format!("attribution.{field}"),
                    "a percentage from 0 to 100 with at most 2 decimals",
                ))
            } else {
                Ok(())
            }
        };
        percent("gross_margin", self.gross_margin)?;
        if let Some(churn) = self.annual_churn {
            percent("annual_churn", churn)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookback_bounds_and_duplicate_models_are_refused_by_field() {
        let mut s = AttributionSettings::default();
        assert!(s.validate().is_ok());
        s.lookback_days = MAX_LOOKBACK_DAYS;
        assert!(s.validate().is_ok());
        s.lookback_days = MAX_LOOKBACK_DAYS + 1;
        assert!(s
            .validate()
            .unwrap_err()
            .to_string()
            .contains("lookback_days"));
        s.lookback_days = 0;
        assert!(s.validate().is_err());
        s.lookback_days = 1;
        s.models.push(AttributionModel::Linear);
        let err = s.validate().unwrap_err().to_string();
        assert!(err.contains("attribution.models[1]"), "{err}");
        s.models.pop();
        s.annual_churn = Some(Decimal::new(10_001, 2));
        assert!(s
            .validate()
            .unwrap_err()
            .to_string()
            .contains("annual_churn"));
    }
}
