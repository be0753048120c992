//! Money: a decimal amount in an ISO 4217 currency, rounded to the currency's minor units
//! with the tenant's rounding mode.
//!
//! Rules for amounts that come from outside (ADR 0012):
//! - they are decimal strings only ([`strict`]): no JSON numbers, exponents, underscores,
//!   `+` signs or spaces, and never more digits than can be kept exactly;
//! - they carry at most the currency's minor units ([`Money::new`], [`in_currency`]);
//! - their magnitude is at most [`MAX_AMOUNT`];
//! - every sum the engine keeps over them uses [`checked`] arithmetic: an overflow is a named
//!   error, never a panic and never a silent cap.
//!
//! Amounts leave the engine at exactly their currency's scale (`100.00` CNY, `500` JPY,
//! `1.250` KWD): [`in_currency`] returns validated input at that scale and
//! [`checked::zero`] / [`checked::sum`] keep it through sums.

pub mod checked;
pub mod strict;

use crate::error::{CrmError, CrmResult};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// The largest amount the engine accepts, in major units of any currency: 10^15
/// (one quadrillion yuan, dollars or yen).
///
/// Why this number: `Decimal` holds 28–29 significant digits (about 7.9 × 10^28). An amount of
/// at most 10^15 with at most 4 decimals (the most any ISO 4217 currency has) needs 19 digits,
/// so every sum the engine keeps stays more than 10^13 times below the limit — a tenant would
/// need ten trillion maximum-size payments in one sum to reach it — and a product with a
/// percent or a probability (`× 100.0000`, 4 more decimals) is still exact. It is also far
/// above any real contract (the largest ever signed are around 10^11), and in minor units
/// (10^19 for 4 decimals) it fits an `i128` with room to spare.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(0xA4C6_8000, 0x0003_8D7E, 0, false, 0);

/// An ISO 4217 currency code with minor units (every current and historic code of the
/// standard's table except the special ones without minor units, such as `XAU` or `XXX`).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(String);

impl Currency {
    /// Parses a code (`"CNY"`); unknown codes, lower case and codes without minor units are a
    /// validation error on `field`.
    pub fn parse(code: &str, field: &str) -> CrmResult<Self> {
        match iso_currency::Currency::from_code(code) {
            Some(c) if c.exponent().is_some() => Ok(Currency(c.code().to_owned())),
            Some(_) => Err(CrmError::validation(
                field,
                format!("{code} has no minor units and is not money"),
            )),
            None => Err(CrmError::validation(
                field,
                format!("unknown currency {}", crate::validate::quote(code)),
            )),
        }
    }

    /// The code.
    pub fn code(&self) -> &str {
        &self.0
    }

    /// Digits after the decimal point (2 for CNY, 0 for JPY, 3 for KWD, 4 for CLF).
    pub fn minor_units(&self) -> u32 {
        iso_currency::Currency::from_code(&self.0)
            .and_then(|c| c.exponent())
            .map_or(2, u32::from)
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
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
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

/// Checks `|amount| ≤` [`MAX_AMOUNT`]; otherwise a validation error on `field`.
pub fn within_max(amount: Decimal, field: &str) -> CrmResult<Decimal> {
    if amount.abs() > MAX_AMOUNT {
        return Err(CrmError::validation(
            field,
            format!("exceeds the maximum amount {MAX_AMOUNT}"),
        ));
    }
    Ok(amount)
}

/// An amount exact in `currency`'s minor units and within [`MAX_AMOUNT`], returned at exactly
/// the currency's scale (`85` → `85.00` CNY); otherwise a validation error on `field`. The
/// sign is the caller's to check.
pub fn in_currency(amount: Decimal, currency: &Currency, field: &str) -> CrmResult<Decimal> {
    within_max(amount, field)?;
    let dp = currency.minor_units();
    if amount.normalize().scale() > dp {
        return Err(CrmError::validation(
            field,
            format!(
                "{amount} has more than {dp} decimals for {}",
                currency.code()
            ),
        ));
    }
    Ok(checked::at_scale(amount, currency))
}

/// An amount in a currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Money {
    /// The amount (serialized as a decimal string).
    #[serde(deserialize_with = "strict::deserialize")]
    pub amount: Decimal,
    /// Its currency.
    pub currency: Currency,
}

impl Money {
    /// An amount that must be exact in the currency's minor units, not negative and at most
    /// [`MAX_AMOUNT`]; otherwise a validation error on `field`. Kept at the currency's scale.
    pub fn new(amount: Decimal, currency: Currency, field: &str) -> CrmResult<Self> {
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(CrmError::validation(field, "must not be negative"));
        }
        let amount = in_currency(amount, &currency, field)?;
        Ok(Money { amount, currency })
    }

    /// `amount` rounded to the currency's minor units with `mode`.
    pub fn rounded(amount: Decimal, currency: Currency, mode: RoundingMode) -> Self {
        let dp = currency.minor_units();
        let mut amount = mode.round(amount, dp);
        amount.rescale(dp);
        Money { amount, currency }
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
    fn the_maximum_is_ten_to_the_fifteenth() {
        assert_eq!(MAX_AMOUNT, Decimal::from(1_000_000_000_000_000_i64));
        assert_eq!(MAX_AMOUNT.to_string(), "1000000000000000");
    }

    #[test]
    fn minor_units_follow_the_iso_table() {
        let units = |c: &str| Currency::parse(c, "c").unwrap().minor_units();
        assert_eq!(units("CNY"), 2);
        assert_eq!(units("JPY"), 0);
        assert_eq!(units("KWD"), 3);
        assert_eq!(units("CLF"), 4);
        assert_eq!(units("ISK"), 0);
        assert_eq!(units("BHD"), 3);
        assert_eq!(units("ZAR"), 2);
    }

    #[test]
    fn unknown_or_unit_less_currencies_name_the_field() {
        for code in ["ABC", "cny", "", "XAU", "XXX", "CNYX"] {
            let err = Currency::parse(code, "contract.currency").unwrap_err();
            assert!(
                matches!(err, CrmError::Validation { ref field, .. } if field == "contract.currency"),
                "{code}: {err:?}"
            );
        }
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
    fn over_precise_negative_and_oversized_amounts_are_refused() {
        let cny = Currency::parse("CNY", "c").unwrap();
        let jpy = Currency::parse("JPY", "c").unwrap();
        assert!(Money::new(d("1.23"), cny.clone(), "amount").is_ok());
        assert!(Money::new(d("1.230"), cny.clone(), "amount").is_ok());
        assert!(Money::new(d("1.234"), cny.clone(), "amount").is_err());
        assert!(Money::new(d("-0.01"), cny.clone(), "amount").is_err());
        assert!(Money::new(d("100"), jpy.clone(), "amount").is_ok());
        assert!(Money::new(d("100.5"), jpy.clone(), "amount").is_err());
        let max = Money::new(MAX_AMOUNT, cny.clone(), "amount").unwrap();
        assert_eq!(max.amount.to_string(), "1000000000000000.00");
        assert!(Money::new(MAX_AMOUNT + d("0.01"), cny.clone(), "amount").is_err());
        assert!(Money::new(MAX_AMOUNT, jpy.clone(), "amount").is_ok());
        assert!(Money::new(MAX_AMOUNT + Decimal::ONE, jpy, "amount").is_err());
        assert!(Money::new(Decimal::MAX, cny, "amount").is_err());
    }

    #[test]
    fn validated_amounts_come_back_at_the_currency_scale() {
        let at = |a: &str, c: &str| {
            in_currency(d(a), &Currency::parse(c, "c").unwrap(), "a")
                .unwrap()
                .to_string()
        };
        assert_eq!(at("100", "CNY"), "100.00");
        assert_eq!(at("100.5000", "CNY"), "100.50");
        assert_eq!(at("0", "KWD"), "0.000");
        assert_eq!(at("500.00", "JPY"), "500");
        assert_eq!(at("-3", "CLF"), "-3.0000");
    }
}
