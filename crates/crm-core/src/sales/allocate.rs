//! Largest-remainder allocation (Hamilton's method) of an amount in minor units.
//!
//! Each part first gets the floor of its exact quota `total × weight / Σ weights`; the units
//! left over go one each to the parts with the largest remainders, ties to the earlier index.
//! The parts therefore always sum to the total exactly, are never negative, and a part with
//! weight 0 gets nothing. The arithmetic is exact integer arithmetic (no rounding mode is
//! involved): 5 at `[70, 30]` → `[4, 1]`, 800 at `[1, 1, 1]` → `[267, 267, 266]`.

use super::units::{from_minor, to_minor};
use crate::error::{CrmError, CrmResult};
use crate::money::Currency;
use rust_decimal::Decimal;

/// Splits `total` minor units over `weights` (any non-negative proportions: `[70, 30]`,
/// `[1, 1, 1]`, `[33.34, 33.33, 33.33]`).
///
/// Errors: negative `total` (field `amount`), no weights (`weights`), a negative weight
/// (`weights[i]`), all weights zero while `total > 0` (`weights`), numbers too large for exact
/// arithmetic (`amount`). A zero `total` always yields zeros.
pub fn allocate_minor(total: i128, weights: &[Decimal]) -> CrmResult<Vec<i128>> {
    if total < 0 {
        return Err(CrmError::validation("amount", "must not be negative"));
    }
    if weights.is_empty() {
        return Err(CrmError::validation("weights", "at least one weight"));
    }
    for (i, w) in weights.iter().enumerate() {
        if w.is_sign_negative() && !w.is_zero() {
            return Err(CrmError::validation(
                format!("weights[{i}]"),
                "must not be negative",
            ));
        }
    }
    if total == 0 {
        return Ok(vec![0; weights.len()]);
    }
    let too_large = || CrmError::validation("amount", "too large to allocate exactly");
    // Weights as integers at one common scale.
    let scale = weights.iter().map(|w| w.scale()).max().unwrap_or(0);
    let mut ints = Vec::with_capacity(weights.len());
    for w in weights {
        let factor = 10i128
            .checked_pow(scale - w.scale())
            .ok_or_else(too_large)?;
        ints.push(w.mantissa().checked_mul(factor).ok_or_else(too_large)?);
    }
    let sum = ints
        .iter()
        .try_fold(0i128, |acc, m| acc.checked_add(*m))
        .ok_or_else(too_large)?;
    if sum == 0 {
        return Err(CrmError::validation(
            "weights",
            "all weights are zero; nothing to split by",
        ));
    }
    let mut parts = Vec::with_capacity(ints.len());
    let mut remainders = Vec::with_capacity(ints.len());
    for m in &ints {
        let product = total.checked_mul(*m).ok_or_else(too_large)?;
        parts.push(product / sum);
        remainders.push(product % sum);
    }
    let assigned: i128 = parts.iter().sum();
    let left = total - assigned;
    let mut order: Vec<usize> = (0..parts.len()).collect();
    // Largest remainder first; ties to the earlier index (stable sort keeps index order).
    order.sort_by(|&a, &b| remainders[b].cmp(&remainders[a]));
    for &i in order.iter().take(usize::try_from(left).unwrap_or(0)) {
        parts[i] += 1;
    }
    Ok(parts)
}

/// Splits a decimal `total` in `currency` over `weights`; see [`allocate_minor`]. The total
/// must be exact in the currency's minor units (field `amount`); the parts come back at the
/// currency's scale and sum to `total` exactly.
pub fn allocate_amount(
    total: Decimal,
    weights: &[Decimal],
    currency: &Currency,
) -> CrmResult<Vec<Decimal>> {
    let units = to_minor(total, currency, "amount")?;
    allocate_minor(units, weights)?
        .into_iter()
        .map(|u| from_minor(u, currency, "amount"))
        .collect()
}

/// Splits a decimal `total` by `percents`, which must each lie in `0..=100` (field
/// `percents[i]`) and sum to exactly 100 (rule `percent_sum`). 100.00 at
/// `[33.34, 33.33, 33.33]` → 33.34, 33.33, 33.33; 5.47 at the same → 1.83, 1.82, 1.82.
pub fn allocate_percents(
    total: Decimal,
    percents: &[Decimal],
    currency: &Currency,
) -> CrmResult<Vec<Decimal>> {
    check_percents(percents, "percents", |i| format!("percents[{i}]"))?;
    allocate_amount(total, percents, currency)
}

/// At least one percent (field `list`), each in `0..=100` with at most 6 decimals (field
/// `item(i)`), summing to exactly 100 (rule `percent_sum`).
pub(crate) fn check_percents(
    percents: &[Decimal],
    list: &str,
    item: impl Fn(usize) -> String,
) -> CrmResult<()> {
    if percents.is_empty() {
        return Err(CrmError::validation(list, "at least one percent"));
    }
    let mut sum = Decimal::ZERO;
    for (i, p) in percents.iter().enumerate() {
        super::units::percent(*p, &item(i), 6)?;
        sum = crate::money::checked::add(sum, *p, list)?;
    }
    if sum != Decimal::ONE_HUNDRED {
        return Err(CrmError::rule(
            "percent_sum",
            format!("percents sum to {sum}, not 100"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }
    fn ws(v: &[&str]) -> Vec<Decimal> {
        v.iter().map(|s| d(s)).collect()
    }
    fn cny() -> Currency {
        Currency::parse("CNY", "c").unwrap()
    }

    #[test]
    fn weights_split_fairly_and_sum_exactly() {
        assert_eq!(allocate_minor(5, &ws(&["70", "30"])).unwrap(), vec![4, 1]);
        assert_eq!(allocate_minor(5, &ws(&["30", "70"])).unwrap(), vec![2, 3]);
        assert_eq!(
            allocate_minor(800, &ws(&["1", "1", "1"])).unwrap(),
            vec![267, 267, 266]
        );
    }

    #[test]
    fn ties_go_to_the_earlier_index() {
        assert_eq!(
            allocate_minor(2, &ws(&["1", "1", "1"])).unwrap(),
            vec![1, 1, 0]
        );
        assert_eq!(
            allocate_minor(1, &ws(&["1", "1", "1", "1"])).unwrap(),
            vec![1, 0, 0, 0]
        );
    }

    #[test]
    fn zero_weights_get_nothing_and_zero_total_gives_zeros() {
        assert_eq!(
            allocate_minor(7, &ws(&["0", "1", "0"])).unwrap(),
            vec![0, 7, 0]
        );
        assert_eq!(allocate_minor(0, &ws(&["0", "0"])).unwrap(), vec![0, 0]);
        assert!(allocate_minor(1, &ws(&["0", "0"])).is_err());
    }

    #[test]
    fn bad_input_is_refused() {
        assert!(allocate_minor(-1, &ws(&["1"])).is_err());
        assert!(allocate_minor(1, &[]).is_err());
        let err = allocate_minor(1, &ws(&["1", "-1"])).unwrap_err();
        assert!(matches!(err, CrmError::Validation { field, .. } if field == "weights[1]"));
        assert!(allocate_minor(i128::MAX, &ws(&["3", "7"])).is_err());
    }

    #[test]
    fn percents_must_sum_to_100() {
        let err = allocate_percents(d("100"), &ws(&["50", "49.99"]), &cny()).unwrap_err();
        assert!(matches!(err, CrmError::RuleViolation { rule, .. } if rule == "percent_sum"));
        let err = allocate_percents(d("100"), &ws(&["101", "-1"]), &cny()).unwrap_err();
        assert!(matches!(err, CrmError::Validation { field, .. } if field == "percents[0]"));
        let parts =
            allocate_percents(d("100.00"), &ws(&["33.33", "33.33", "33.34"]), &cny()).unwrap();
        assert_eq!(parts, ws(&["33.33", "33.33", "33.34"]));
    }

    #[test]
    fn amounts_come_back_at_the_currency_scale() {
        let parts = allocate_amount(d("30000"), &ws(&["1", "1", "1"]), &cny()).unwrap();
        assert_eq!(
            parts.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
            vec!["10000.00", "10000.00", "10000.00"]
        );
        let jpy = Currency::parse("JPY", "c").unwrap();
        let parts = allocate_amount(d("1000"), &ws(&["1", "1", "1"]), &jpy).unwrap();
        assert_eq!(parts, ws(&["334", "333", "333"]));
        assert!(allocate_amount(d("10.001"), &ws(&["1"]), &cny()).is_err());
    }
}
