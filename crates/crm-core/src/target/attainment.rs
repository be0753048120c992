//! Attainment (达成率): Σ actual / Σ target over the period asked, as a percentage rounded
//! once, half-up, to two decimals; `None` when the target is zero (never 0 %, never a
//! division). A quarter is the ratio of its sums, not the mean of monthly rates.

use rust_decimal::{Decimal, RoundingStrategy};

/// `actual / target × 100`, rounded half-up to 2 decimals; `None` for a zero target or a
/// ratio too large to represent.
pub fn attainment(actual: Decimal, target: Decimal) -> Option<Decimal> {
    if target.is_zero() {
        return None;
    }
    actual
        .checked_mul(Decimal::ONE_HUNDRED)?
        .checked_div(target)
        .map(|r| {
            let mut rounded = r.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
            rounded.rescale(2);
            rounded
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn tg4_a_zero_target_has_no_attainment() {
        assert_eq!(attainment(dec("500"), Decimal::ZERO), None);
        assert_eq!(attainment(Decimal::ZERO, Decimal::ZERO), None);
        assert_eq!(attainment(Decimal::ZERO, dec("100")), Some(dec("0.00")));
    }

    #[test]
    fn a_quarter_is_the_ratio_of_sums_rounded_once_half_up() {
        // Months 50/100, 300/100, 0/100: the mean of rates would be 116.67 %; the ratio of
        // sums is 350/300 = 116.666… → 116.67 (and 1/3 → 33.33, 2/3 → 66.67).
        let actual = dec("50") + dec("300") + dec("0");
        let target = dec("300");
        assert_eq!(attainment(actual, target), Some(dec("116.67")));
        assert_eq!(attainment(dec("1"), dec("3")), Some(dec("33.33")));
        assert_eq!(attainment(dec("2"), dec("3")), Some(dec("66.67")));
        // Half-up at the third decimal: 0.125 % → 0.13 %, 0.124 % → 0.12 %.
        assert_eq!(attainment(dec("0.125"), dec("100")), Some(dec("0.13")));
        assert_eq!(attainment(dec("0.124"), dec("100")), Some(dec("0.12")));
        // Refunds can make it negative; rounded away from zero alike.
        assert_eq!(attainment(dec("-0.125"), dec("100")), Some(dec("-0.13")));
    }

    #[test]
    fn huge_ratios_do_not_overflow() {
        assert_eq!(attainment(Decimal::MAX, dec("0.0000001")), None);
    }
}
