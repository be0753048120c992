//! Campaign amounts: budgets and cost entries are exact at their currency's scale, never
//! negative and at most [`MAX_AMOUNT`]; actual cost per currency is a checked sum.
//!
//! Named rules (in the validation reason): `amount_negative`, `amount_scale` (more decimals
//! than the currency has: JPY 1.5, CNY 1.005), `amount_too_large`; an unknown currency is
//! refused by [`Currency::parse`].

use crate::error::{CrmError, CrmResult};
use crate::money::{checked, Currency, MAX_AMOUNT};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// A non-negative amount exact in `currency`, at its scale; otherwise a named validation
/// error on `field`.
pub fn cost_amount(amount: Decimal, currency: &Currency, field: &str) -> CrmResult<Decimal> {
    if amount.is_sign_negative() && !amount.is_zero() {
        return Err(CrmError::validation(
            field,
            format!("amount_negative: {amount} is below zero"),
        ));
    }
    if amount > MAX_AMOUNT {
        return Err(CrmError::validation(
            field,
            format!("amount_too_large: {amount} exceeds the maximum amount {MAX_AMOUNT}"),
        ));
    }
    let dp = currency.minor_units();
    if amount.normalize().scale() > dp {
        return Err(CrmError::validation(
            field,
            format!(
                "amount_scale: {amount} has more than {dp} decimals for {}",
                currency.code()
            ),
        ));
    }
    Ok(checked::at_scale(amount.abs(), currency))
}

/// A budget (currency code → amount) checked entry by entry (`field.CODE`), each amount at
/// its currency's scale.
pub fn budget(
    input: &BTreeMap<String, Decimal>,
    field: &str,
) -> CrmResult<BTreeMap<String, Decimal>> {
    let mut out = BTreeMap::new();
    for (code, amount) in input {
        let entry = format!("{field}.{}", crate::validate::truncate(code, 8));
        let currency = Currency::parse(code, &entry)?;
        out.insert(
            currency.code().to_owned(),
            cost_amount(*amount, &currency, &entry)?,
        );
    }
    Ok(out)
}

/// Sums per currency, with checked arithmetic.
pub trait CostTotals {
    /// Adds `amount` in `currency` (overflow: rule `amount_overflow`).
    fn add_cost(&mut self, currency: &Currency, amount: Decimal) -> CrmResult<()>;
}

impl CostTotals for BTreeMap<String, Decimal> {
    fn add_cost(&mut self, currency: &Currency, amount: Decimal) -> CrmResult<()> {
        let so_far = self
            .get(currency.code())
            .copied()
            .unwrap_or_else(|| checked::zero(currency));
        let total = checked::add(so_far, amount, "campaign actual cost")?;
        self.insert(currency.code().to_owned(), total);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    fn cur(code: &str) -> Currency {
        Currency::parse(code, "c").unwrap_or_else(|e| panic!("{e}"))
    }

    fn rule(r: CrmResult<Decimal>) -> String {
        match r {
            Err(CrmError::Validation { reason, .. }) => {
                reason.split(':').next().unwrap_or_default().to_owned()
            }
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn decimals_follow_the_currency() {
        assert_eq!(
            rule(cost_amount(d("1.5"), &cur("JPY"), "amount")),
            "amount_scale"
        );
        assert_eq!(
            cost_amount(d("2"), &cur("JPY"), "amount").ok(),
            Some(d("2"))
        );
        assert_eq!(
            rule(cost_amount(d("1.005"), &cur("CNY"), "amount")),
            "amount_scale"
        );
        let cny = cost_amount(d("1.01"), &cur("CNY"), "amount").ok();
        assert_eq!(cny.map(|a| a.to_string()), Some("1.01".to_owned()));
        // Trailing zeros are not decimals: 1.500 CNY is 1.50.
        let trailing = cost_amount(d("1.500"), &cur("CNY"), "amount").ok();
        assert_eq!(trailing.map(|a| a.to_string()), Some("1.50".to_owned()));
        let kwd = cost_amount(d("1.005"), &cur("KWD"), "amount").ok();
        assert_eq!(kwd.map(|a| a.to_string()), Some("1.005".to_owned()));
    }

    #[test]
    fn sign_and_size() {
        assert_eq!(
            rule(cost_amount(d("-0.01"), &cur("CNY"), "a")),
            "amount_negative"
        );
        assert!(cost_amount(d("0"), &cur("CNY"), "a").is_ok());
        assert!(cost_amount(d("-0"), &cur("CNY"), "a").is_ok());
        assert!(cost_amount(MAX_AMOUNT, &cur("CNY"), "a").is_ok());
        let over = MAX_AMOUNT + d("0.01");
        assert_eq!(
            rule(cost_amount(over, &cur("CNY"), "a")),
            "amount_too_large"
        );
    }

    #[test]
    fn budgets_check_each_currency() {
        let mut input = BTreeMap::new();
        input.insert("CNY".to_owned(), d("100"));
        input.insert("JPY".to_owned(), d("5000"));
        let ok = budget(&input, "budget").unwrap_or_default();
        assert_eq!(ok.get("CNY").map(|a| a.to_string()), Some("100.00".into()));
        input.insert("JPY".to_owned(), d("1.5"));
        assert!(matches!(
            budget(&input, "budget"),
            Err(CrmError::Validation { field, .. }) if field == "budget.JPY"
        ));
        let mut bad = BTreeMap::new();
        bad.insert("cny".to_owned(), d("1"));
        assert!(budget(&bad, "budget").is_err());
    }

    #[test]
    fn totals_are_checked_per_currency() {
        let mut totals: BTreeMap<String, Decimal> = BTreeMap::new();
        totals.add_cost(&cur("CNY"), d("1.10")).unwrap_or_default();
        totals.add_cost(&cur("CNY"), d("2.00")).unwrap_or_default();
        totals.add_cost(&cur("USD"), d("3.00")).unwrap_or_default();
        assert_eq!(totals.get("CNY"), Some(&d("3.10")));
        assert_eq!(totals.get("USD"), Some(&d("3.00")));
        totals.insert("EUR".into(), Decimal::MAX);
        assert!(matches!(
            totals.add_cost(&cur("EUR"), d("1")),
            Err(CrmError::RuleViolation { rule, .. }) if rule == "amount_overflow"
        ));
    }
}
