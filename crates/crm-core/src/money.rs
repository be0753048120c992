//! Money: a decimal amount in an ISO 4217 currency, rounded to the currency's minor units
//! with the tenant's rounding mode.

use crate::error::{CrmError, CrmResult};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// ISO 4217 currencies the engine knows, with their minor units.
const CURRENCIES: &[(&str, u32)] = &[
    ("CNY", 2),
    ("USD", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("TWD", 2),
    ("SGD", 2),
    ("AUD", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("INR", 2),
    ("RUB", 2),
    ("JPY", 0),
    ("KRW", 0),
    ("VND", 0),
    ("KWD", 3),
    ("BHD", 3),
];

/// An ISO 4217 currency code the engine knows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(String);

impl Currency {
    /// Parses a code (`"CNY"`); unknown codes are a validation error on `field`.
    pub fn parse(code: &str, field: &str) -> CrmResult<Self> {
        CURRENCIES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(c, _)| Currency((*c).to_owned()))
            .ok_or_else(|| {
                CrmError::validation(
                    field,
                    format!("unknown currency {}", crate::validate::quote(code)),
                )
            })
    }

    /// The code.
    pub fn code(&self) -> &str {
        &self.0
    }

    /// Digits after the decimal point (2 for CNY, 0 for JPY).
    pub fn minor_units(&self) -> u32 {
        CURRENCIES
            .iter()
            .find(|(c, _)| *c == self.0)
            .map(|(_, m)| *m)
            .unwrap_or(2)
    }
}

impl TryFrom<String> for Currency {
    type Error = CrmError;
    fn try_from(code: String) -> CrmResult<Self> {
        Currency::parse(&code, "currency")
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.0
    }
}

/// How amounts are rounded to minor units (per tenant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundingMode {
    /// Half away from zero (四舍五入): 0.125 → 0.13.
    #[default]
    HalfUp,
    /// Banker's rounding: 0.125 → 0.12, 0.135 → 0.14.
    HalfEven,
}

impl RoundingMode {
    /// Rounds `amount` to `dp` decimal places.
    pub fn round(self, amount: Decimal, dp: u32) -> Decimal {
        let strategy = match self {
            RoundingMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
        };
        amount.round_dp_with_strategy(dp, strategy)
    }
}

/// An amount in a currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    /// The amount (serialized as a decimal string).
    pub amount: Decimal,
    /// Its currency.
    pub currency: Currency,
}

impl Money {
    /// An amount that must already be exact in the currency's minor units and not negative;
    /// otherwise a validation error on `field`.
    pub fn new(amount: Decimal, currency: Currency, field: &str) -> CrmResult<Self> {
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(CrmError::validation(field, "must not be negative"));
        }
        if amount.normalize().scale() > currency.minor_units() {
            return Err(CrmError::validation(
                field,
                format!(
                    "{amount} has more than {} decimals for {}",
                    currency.minor_units(),
                    currency.code()
                ),
            ));
        }
        Ok(Money { amount, currency })
    }

    /// `amount` rounded to the currency's minor units with `mode`.
    pub fn rounded(amount: Decimal, currency: Currency, mode: RoundingMode) -> Self {
        let dp = currency.minor_units();
        Money {
            amount: mode.round(amount, dp),
            currency,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn minor_units_follow_the_currency() {
        assert_eq!(Currency::parse("CNY", "c").unwrap().minor_units(), 2);
        assert_eq!(Currency::parse("JPY", "c").unwrap().minor_units(), 0);
        assert_eq!(Currency::parse("KWD", "c").unwrap().minor_units(), 3);
    }

    #[test]
    fn unknown_currency_names_the_field() {
        let err = Currency::parse("ABC", "contract.currency").unwrap_err();
        assert!(matches!(err, CrmError::Validation { field, .. } if field == "contract.currency"));
    }

    #[test]
    fn half_up_and_half_even_differ_only_at_ties() {
        assert_eq!(RoundingMode::HalfUp.round(d("0.125"), 2), d("0.13"));
        assert_eq!(RoundingMode::HalfEven.round(d("0.125"), 2), d("0.12"));
        assert_eq!(RoundingMode::HalfEven.round(d("0.135"), 2), d("0.14"));
        assert_eq!(RoundingMode::HalfUp.round(d("0.1249"), 2), d("0.12"));
        assert_eq!(RoundingMode::HalfEven.round(d("0.1251"), 2), d("0.13"));
        assert_eq!(RoundingMode::HalfUp.round(d("-0.125"), 2), d("-0.13"));
    }

    #[test]
    fn over_precise_and_negative_amounts_are_refused() {
        let cny = Currency::parse("CNY", "c").unwrap();
        let jpy = Currency::parse("JPY", "c").unwrap();
        assert!(Money::new(d("1.23"), cny.clone(), "amount").is_ok());
        assert!(Money::new(d("1.230"), cny.clone(), "amount").is_ok());
        assert!(Money::new(d("1.234"), cny.clone(), "amount").is_err());
        assert!(Money::new(d("-0.01"), cny, "amount").is_err());
        assert!(Money::new(d("100"), jpy.clone(), "amount").is_ok());
        assert!(Money::new(d("100.5"), jpy, "amount").is_err());
    }
}
