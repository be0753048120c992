//! Checked arithmetic for every sum the engine keeps over amounts: an overflow is the rule
//! violation `amount_overflow` naming what was being summed — never a panic, never a silent
//! cap. With amounts bounded by [`super::MAX_AMOUNT`] these errors need more than 10^13
//! maximum-size amounts in one sum; they exist so that no input, however it got in, can
//! crash or stall a tenant.
//!
//! Zero and sums are kept at the currency's scale, so `0.00` CNY never leaves as `0`.

use super::Currency;
use crate::error::{CrmError, CrmResult};
use rust_decimal::Decimal;

/// The error for an overflowing sum of `what` (`"weighted pipeline"`, `"customer credit"` …).
pub fn overflow(what: &str) -> CrmError {
    CrmError::rule(
        "amount_overflow",
        format!("{what} exceeds the range the engine can add up"),
    )
}

/// `r` with at least the larger scale of `a` and `b` (`Decimal` returns the other operand
/// unchanged when one is zero, so `0.00 + 86000` would otherwise be `86000`).
fn keep_scale(mut r: Decimal, a: Decimal, b: Decimal) -> Decimal {
    let scale = a.scale().max(b.scale());
    if r.scale() < scale {
        r.rescale(scale);
    }
    r
}

/// `a + b` at the larger scale of the two, or [`overflow`] of `what`.
pub fn add(a: Decimal, b: Decimal, what: &str) -> CrmResult<Decimal> {
    a.checked_add(b)
        .map(|r| keep_scale(r, a, b))
        .ok_or_else(|| overflow(what))
}

/// `a − b` at the larger scale of the two, or [`overflow`] of `what`.
pub fn sub(a: Decimal, b: Decimal, what: &str) -> CrmResult<Decimal> {
    a.checked_sub(b)
        .map(|r| keep_scale(r, a, b))
        .ok_or_else(|| overflow(what))
}

/// `a × b`, or [`overflow`] of `what`.
pub fn mul(a: Decimal, b: Decimal, what: &str) -> CrmResult<Decimal> {
    a.checked_mul(b).ok_or_else(|| overflow(what))
}

/// Σ `amounts` from zero at `currency`'s scale, or [`overflow`] of `what`.
pub fn sum(
    amounts: impl IntoIterator<Item = Decimal>,
    currency: &Currency,
    what: &str,
) -> CrmResult<Decimal> {
    amounts
        .into_iter()
        .try_fold(zero(currency), |acc, a| add(acc, a, what))
}

/// Zero at `currency`'s scale (`0.00` CNY, `0` JPY, `0.000` KWD).
pub fn zero(currency: &Currency) -> Decimal {
    at_scale(Decimal::ZERO, currency)
}

/// `amount` with exactly `currency`'s number of decimals. Only for amounts already exact in
/// its minor units (validated input, rounded results, sums of those): adding trailing zeros
/// is exact; cutting digits would round, which callers rule out before.
pub fn at_scale(mut amount: Decimal, currency: &Currency) -> Decimal {
    amount.rescale(currency.minor_units());
    amount
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cny() -> Currency {
        Currency::parse("CNY", "c").unwrap()
    }

    #[test]
    fn overflow_is_a_named_rule_not_a_panic() {
        let err = add(Decimal::MAX, Decimal::ONE, "weighted pipeline").unwrap_err();
        assert!(
            matches!(err, CrmError::RuleViolation { ref rule, ref detail } if rule == "amount_overflow" && detail.contains("weighted pipeline"))
        );
        assert!(mul(Decimal::MAX, Decimal::TWO, "x").is_err());
        assert!(sub(Decimal::MIN, Decimal::ONE, "x").is_err());
        assert!(sum([Decimal::MAX, Decimal::MAX], &cny(), "x").is_err());
        assert_eq!(
            add(Decimal::MAX - Decimal::ONE, Decimal::ONE, "x").unwrap(),
            Decimal::MAX
        );
    }

    #[test]
    fn sums_and_zero_keep_the_currency_scale() {
        assert_eq!(zero(&cny()).to_string(), "0.00");
        let jpy = Currency::parse("JPY", "c").unwrap();
        assert_eq!(zero(&jpy).to_string(), "0");
        assert_eq!(sum([], &cny(), "x").unwrap().to_string(), "0.00");
        assert_eq!(
            sum([Decimal::from(86_000)], &cny(), "x")
                .unwrap()
                .to_string(),
            "86000.00"
        );
        let zero = zero(&cny());
        assert_eq!(
            add(zero, Decimal::from(5), "x").unwrap().to_string(),
            "5.00"
        );
        assert_eq!(
            sub(Decimal::from(5), Decimal::new(500, 2), "x")
                .unwrap()
                .to_string(),
            "0.00"
        );
    }
}
