//! Payment-terms templates: installments due a number of days after signing (or after the
//! previous installment), as percents of the total.

use crate::error::{CrmError, CrmResult};
use crate::sales::allocate::check_percents;
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What a payment term's offset counts from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TermAnchor {
    /// The contract's signed date ("net 60" = 60 days after signing).
    #[default]
    Signed,
    /// The previous term's due date (the first term counts from the signed date).
    PreviousDue,
}

/// One term of a payment-terms template: a percent due `offset_days` after its anchor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PaymentTerm {
    /// Percent of the total, `0..=100`.
    #[serde(deserialize_with = "crate::money::strict::deserialize")]
    pub percent: Decimal,
    /// Days after the anchor (0 = on the anchor date).
    #[serde(default)]
    pub offset_days: u32,
    /// What the offset counts from.
    #[serde(default)]
    pub anchor: TermAnchor,
}

/// A payment-terms template (e.g. "30 % on signing, 70 % net 60"); percents sum to 100 and
/// due dates never go backwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PaymentTerms {
    /// The terms in order.
    pub terms: Vec<PaymentTerm>,
}

impl PaymentTerms {
    /// "30 % on signing, 70 % net 60" (both counted from the signed date).
    pub fn thirty_on_signing_seventy_net_60() -> Self {
        PaymentTerms {
            terms: vec![
                PaymentTerm {
                    percent: Decimal::from(30),
                    offset_days: 0,
                    anchor: TermAnchor::Signed,
                },
                PaymentTerm {
                    percent: Decimal::from(70),
                    offset_days: 60,
                    anchor: TermAnchor::Signed,
                },
            ],
        }
    }

    /// Checks the template: at least one term, percents in `0..=100` summing to 100 (field
    /// `terms[i].percent`, rule `percent_sum`), and each term due no earlier than the one
    /// before it (field `terms[i].offset_days`).
    pub fn validate(&self) -> CrmResult<()> {
        let percents: Vec<Decimal> = self.terms.iter().map(|t| t.percent).collect();
        check_percents(&percents, "terms", |i| format!("terms[{i}].percent"))?;
        let mut previous: u64 = 0;
        for (i, t) in self.terms.iter().enumerate() {
            let effective = match t.anchor {
                TermAnchor::Signed => u64::from(t.offset_days),
                TermAnchor::PreviousDue => previous + u64::from(t.offset_days),
            };
            if effective < previous {
                return Err(CrmError::validation(
                    format!("terms[{i}].offset_days"),
                    "due before the previous term",
                ));
            }
            previous = effective;
        }
        Ok(())
    }

    /// The due date of each term for a contract signed on `signed_on`.
    pub fn due_dates(&self, signed_on: NaiveDate) -> CrmResult<Vec<NaiveDate>> {
        self.validate()?;
        let mut dates = Vec::with_capacity(self.terms.len());
        let mut previous = signed_on;
        for (i, t) in self.terms.iter().enumerate() {
            let base = match t.anchor {
                TermAnchor::Signed => signed_on,
                TermAnchor::PreviousDue => previous,
            };
            let due = base
                .checked_add_days(Days::new(u64::from(t.offset_days)))
                .ok_or_else(|| {
                    CrmError::validation(format!("terms[{i}].offset_days"), "date out of range")
                })?;
            dates.push(due);
            previous = due;
        }
        Ok(dates)
    }
}
