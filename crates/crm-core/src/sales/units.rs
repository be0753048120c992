//! Conversions between decimal amounts and integer minor units (cents, yen, fils).

use crate::error::{CrmError, CrmResult};
use crate::money::Currency;
use rust_decimal::Decimal;

/// `amount` in the currency's minor units (`12.34` CNY → `1234`, `500` JPY → `500`).
///
/// Errors with a validation error on `field` when the amount has more decimals than the
/// currency allows or does not fit.
pub fn to_minor(amount: Decimal, currency: &Currency, field: &str) -> CrmResult<i128> {
    let dp = currency.minor_units();
    let mantissa = amount.mantissa();
    let scale = amount.scale();
    let too_large = || CrmError::validation(field, "amount too large");
    if scale <= dp {
        let factor = 10i128.checked_pow(dp - scale).ok_or_else(too_large)?;
        mantissa.checked_mul(factor).ok_or_else(too_large)
    } else {
        let factor = 10i128.checked_pow(scale - dp).ok_or_else(too_large)?;
        if mantissa % factor != 0 {
            return Err(CrmError::validation(
                field,
                format!(
                    "{amount} has more than {dp} decimals for {}",
                    currency.code()
                ),
            ));
        }
        Ok(mantissa / factor)
    }
}

/// `units` minor units as a decimal amount at the currency's scale (`1234` CNY → `12.34`).
///
/// Errors with a validation error on `field` when the value does not fit a decimal.
pub fn from_minor(units: i128, currency: &Currency, field: &str) -> CrmResult<Decimal> {
    Decimal::try_from_i128_with_scale(units, currency.minor_units())
        .map_err(|_| CrmError::validation(field, "amount too large"))
}

/// `amount` at exactly the currency's scale (`85` → `85.00` for CNY); the amount must already
/// be exact in minor units and within [`MAX_AMOUNT`](crate::money::MAX_AMOUNT).
pub(crate) fn at_scale(amount: Decimal, currency: &Currency, field: &str) -> CrmResult<Decimal> {
    crate::money::in_currency(amount, currency, field)
}

/// A non-negative amount exact in the currency's minor units, at most
/// [`MAX_AMOUNT`](crate::money::MAX_AMOUNT), returned at its scale.
pub(crate) fn money(amount: Decimal, currency: &Currency, field: &str) -> CrmResult<Decimal> {
    if amount.is_sign_negative() && !amount.is_zero() {
        return Err(CrmError::validation(field, "must not be negative"));
    }
    at_scale(amount, currency, field)
}

/// A strictly positive amount exact in the currency's minor units, at most
/// [`MAX_AMOUNT`](crate::money::MAX_AMOUNT), returned at its scale.
pub(crate) fn positive_money(
    amount: Decimal,
    currency: &Currency,
    field: &str,
) -> CrmResult<Decimal> {
    if amount <= Decimal::ZERO {
        return Err(CrmError::validation(field, "must be greater than 0"));
    }
    at_scale(amount, currency, field)
}

/// A percent in `0..=100` with at most `max_dp` decimals.
pub(crate) fn percent(value: Decimal, field: &str, max_dp: u32) -> CrmResult<Decimal> {
    if value < Decimal::ZERO {
        return Err(CrmError::validation(field, "must not be negative"));
    }
    if value > Decimal::ONE_HUNDRED {
        return Err(CrmError::validation(field, "must be at most 100 %"));
    }
    if value.normalize().scale() > max_dp {
        return Err(CrmError::validation(
            field,
            format!("at most {max_dp} decimals"),
        ));
    }
    Ok(value)
}

/// Σ `amounts`, or a validation error on `field` on overflow.
pub(crate) fn checked_sum(
    amounts: impl IntoIterator<Item = Decimal>,
    field: &str,
) -> CrmResult<Decimal> {
    amounts
        .into_iter()
        .try_fold(Decimal::ZERO, |a, b| a.checked_add(b))
        .ok_or_else(|| CrmError::validation(field, "amount too large"))
}

/// Zero at the currency's scale (`0.00` CNY).
pub(crate) fn zero(currency: &Currency) -> Decimal {
    crate::money::checked::zero(currency)
}

/// Rounds with the tenant's mode to the currency's minor units and pins the scale.
pub(crate) fn round_to(
    amount: Decimal,
    currency: &Currency,
    mode: crate::money::RoundingMode,
) -> Decimal {
    let dp = currency.minor_units();
    let mut r = mode.round(amount, dp);
    r.rescale(dp);
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn minor_units_round_trip_per_currency() {
        let cny = Currency::parse("CNY", "c").unwrap();
        let jpy = Currency::parse("JPY", "c").unwrap();
        let kwd = Currency::parse("KWD", "c").unwrap();
        assert_eq!(to_minor(d("12.34"), &cny, "a").unwrap(), 1234);
        assert_eq!(to_minor(d("12.3400"), &cny, "a").unwrap(), 1234);
        assert_eq!(to_minor(d("12"), &cny, "a").unwrap(), 1200);
        assert_eq!(to_minor(d("500"), &jpy, "a").unwrap(), 500);
        assert_eq!(to_minor(d("1.005"), &kwd, "a").unwrap(), 1005);
        assert!(to_minor(d("12.345"), &cny, "a").is_err());
        assert!(to_minor(d("2.5"), &jpy, "a").is_err());
        assert_eq!(from_minor(1234, &cny, "a").unwrap().to_string(), "12.34");
        assert_eq!(from_minor(500, &jpy, "a").unwrap().to_string(), "500");
        assert_eq!(at_scale(d("85"), &cny, "a").unwrap().to_string(), "85.00");
    }

    #[test]
    fn percent_bounds_on_both_sides() {
        assert!(percent(d("0"), "p", 4).is_ok());
        assert!(percent(d("100"), "p", 4).is_ok());
        assert!(percent(d("-0.0001"), "p", 4).is_err());
        assert!(percent(d("100.0001"), "p", 4).is_err());
        assert!(percent(d("33.3333"), "p", 4).is_ok());
        assert!(percent(d("33.33333"), "p", 4).is_err());
    }
}
