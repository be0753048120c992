//! An annual target spread over the twelve months of its fiscal year by largest remainder
//! in the currency's minor units, the earlier months taking the leftover units first
//! (1,000.00 → 83.34 × 4 then 83.33 × 8): the months always sum to the annual amount.

use crate::error::{CrmError, CrmResult};
use crate::money::Currency;
use crate::sales::allocate::allocate_amount;
use rust_decimal::Decimal;

/// The twelve monthly amounts of `annual` in `currency`. Refused for a negative amount or one
/// not exact in the currency's minor units (field `amount`).
pub fn spread_annual(annual: Decimal, currency: &Currency) -> CrmResult<Vec<Decimal>> {
    if annual.is_sign_negative() && !annual.is_zero() {
        return Err(CrmError::validation("amount", "must not be negative"));
    }
    allocate_amount(annual, &[Decimal::ONE; 12], currency)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn tg1_a_thousand_over_twelve_months() {
        let cny = Currency::parse("CNY", "currency").unwrap();
        let months = spread_annual(dec("1000.00"), &cny).unwrap();
        assert_eq!(&months[..4], &[dec("83.34"); 4]);
        assert_eq!(&months[4..], &[dec("83.33"); 8]);
        assert_eq!(months.iter().sum::<Decimal>(), dec("1000.00"));
    }

    #[test]
    fn each_remainder_size_lands_on_the_earliest_months() {
        let cny = Currency::parse("CNY", "currency").unwrap();
        for extra in 0..12i64 {
            let annual = Decimal::new(1200 + extra, 2);
            let months = spread_annual(annual, &cny).unwrap();
            assert_eq!(months.iter().sum::<Decimal>(), annual);
            for (i, m) in months.iter().enumerate() {
                let expected = if (i as i64) < extra {
                    dec("1.01")
                } else {
                    dec("1.00")
                };
                assert_eq!(*m, expected, "extra {extra}, month {i}");
            }
        }
        let jpy = Currency::parse("JPY", "currency").unwrap();
        let yen = spread_annual(dec("13"), &jpy).unwrap();
        assert_eq!(yen[0], dec("2"));
        assert_eq!(yen[1], dec("1"));
    }

    #[test]
    fn bad_amounts_are_refused() {
        let cny = Currency::parse("CNY", "currency").unwrap();
        for bad in ["-0.01", "0.001"] {
            assert!(matches!(
                spread_annual(dec(bad), &cny),
                Err(CrmError::Validation { field, .. }) if field == "amount"
            ));
        }
        assert_eq!(
            spread_annual(Decimal::ZERO, &cny).unwrap(),
            vec![dec("0.00"); 12]
        );
    }
}
