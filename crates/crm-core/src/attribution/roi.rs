//! Campaign economics: ROI, CAC and LTV. Each is `None` where its denominator is zero.

use crate::money::Currency;
use rust_decimal::Decimal;

/// ROI in percent, (revenue − cost) / cost × 100 at 2 decimals half-up; `None` at zero cost.
pub fn roi_percent(revenue: Decimal, cost: Decimal) -> Option<Decimal> {
    if cost.is_zero() {
        return None;
    }
    let ratio = (revenue - cost).checked_mul(Decimal::ONE_HUNDRED)?;
    Some(crate::target::achievement::round_half_up(
        ratio.checked_div(cost)?,
        2,
    ))
}

/// Customer acquisition cost: cost / customers won, at the currency's scale half-up; `None`
/// when no customer was won.
pub fn cac(cost: Decimal, customers_won: u64, currency: &Currency) -> Option<Decimal> {
    if customers_won == 0 {
        return None;
    }
    let per = cost.checked_div(Decimal::from(customers_won))?;
    Some(crate::target::achievement::round_half_up(
        per,
        currency.minor_units(),
    ))
}

/// Lifetime value: revenue per account × gross margin / annual churn, at the currency's
/// scale half-up; `None` without accounts or without churn (an account that never churns has
/// no finite lifetime).
pub fn ltv(
    revenue: Decimal,
    accounts: u64,
    gross_margin_percent: Decimal,
    annual_churn_percent: Option<Decimal>,
    currency: &Currency,
) -> Option<Decimal> {
    let churn = annual_churn_percent.filter(|c| !c.is_zero())?;
    if accounts == 0 {
        return None;
    }
    let per_account = revenue.checked_div(Decimal::from(accounts))?;
    let value = per_account
        .checked_mul(gross_margin_percent)?
        .checked_div(churn)?;
    Some(crate::target::achievement::round_half_up(
        value,
        currency.minor_units(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roi1_and_roi2() {
        assert_eq!(
            roi_percent(Decimal::from(50_000), Decimal::from(20_000)),
            Some(Decimal::new(15_000, 2))
        );
        assert_eq!(roi_percent(Decimal::from(50_000), Decimal::ZERO), None);
        assert_eq!(
            roi_percent(Decimal::ZERO, Decimal::from(3)),
            Some(Decimal::new(-10_000, 2)),
            "nothing earned is −100 %"
        );
        assert_eq!(
            roi_percent(Decimal::from(1), Decimal::from(3)),
            Some(Decimal::new(-6_667, 2)),
            "half-up at two decimals"
        );
    }

    #[test]
    fn cac_and_ltv_are_none_on_zero_denominators() {
        let cny = Currency::parse("CNY", "c").unwrap();
        assert_eq!(cac(Decimal::from(100), 0, &cny), None);
        assert_eq!(
            cac(Decimal::from(100), 3, &cny),
            Some(Decimal::new(3_333, 2))
        );
        assert_eq!(
            ltv(Decimal::from(900), 3, Decimal::from(50), None, &cny),
            None
        );
        assert_eq!(
            ltv(
                Decimal::from(900),
                0,
                Decimal::from(50),
                Some(Decimal::from(20)),
                &cny
            ),
            None
        );
        // 300 per account × 50 % margin / 20 % churn = 750
        assert_eq!(
            ltv(
                Decimal::from(900),
                3,
                Decimal::from(50),
                Some(Decimal::from(20)),
                &cny
            ),
            Some(Decimal::new(75_000, 2))
        );
    }
}
