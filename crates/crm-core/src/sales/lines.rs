//! Contract and quote line math (§4.5): line nets, order discount, tax, totals.
//!
//! For each line, in the document's currency and with the tenant's [`RoundingMode`]:
//!
//! 1. `net = round(quantity × unit_price × (1 − discount / 100))`.
//! 2. `subtotal = Σ net`; `order_discount = round(subtotal × order_discount% / 100)`;
//!    `net_total = subtotal − order_discount`.
//! 3. The order discount amount is allocated over the lines in proportion to their nets by
//!    largest remainder ([`allocate_minor`]), so the shares add up to it exactly;
//!    `taxable = net − share`.
//! 4. `tax = round(taxable × tax_rate / 100)` per line; `tax_total = Σ tax`.
//! 5. `grand_total = net_total + tax_total`; each line's `total = taxable + tax`, and
//!    `Σ total = grand_total`.
//!
//! Prices are tax-exclusive (tax is added on top). Every total is a sum of rounded parts, so
//! recomputing from the stored lines always reproduces the stored totals
//! ([`check_totals`]). Quantities carry at most 6 decimals, percents at most 4, unit prices at
//! most the currency's minor units, so every product is exact before the one rounding step.
//!
//! Limits (ADR 0012): a quantity is at most [`MAX_QUANTITY`], a unit price, every line net and
//! every total at most [`MAX_AMOUNT`]; a document whose lines would add up beyond that is
//! refused on field `lines` before anything is written.

use super::allocate::allocate_minor;
use super::units::{self, from_minor, round_to, to_minor};
use crate::error::{CrmError, CrmResult};
use crate::money::{within_max, Currency, RoundingMode, MAX_AMOUNT};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Most decimals a quantity may carry.
pub const QUANTITY_DECIMALS: u32 = 6;
/// Most decimals a discount or tax percent may carry.
pub const PERCENT_DECIMALS: u32 = 4;
/// The largest quantity a line may carry: 10^9 (a billion units). With unit prices of at
/// most [`MAX_AMOUNT`] every product stays exact inside `Decimal`; the line net itself must
/// still be at most [`MAX_AMOUNT`].
pub const MAX_QUANTITY: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

/// One line as entered: product, quantity, unit price and percents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LineInput {
    /// Product name (or code), required.
    pub product: String,
    /// Quantity, greater than 0, at most 6 decimals and [`MAX_QUANTITY`].
    #[serde(deserialize_with = "crate::money::strict::deserialize")]
    pub quantity: Decimal,
    /// Unit price, tax-exclusive, not negative, exact in the currency's minor units.
    #[serde(deserialize_with = "crate::money::strict::deserialize")]
    pub unit_price: Decimal,
    /// Line discount in percent, `0..=100` (`15` = 15 % off).
    #[serde(default, deserialize_with = "crate::money::strict::deserialize")]
    pub discount: Decimal,
    /// Tax rate in percent, `0..=100` (`13` = 13 % VAT).
    #[serde(default, deserialize_with = "crate::money::strict::deserialize")]
    pub tax_rate: Decimal,
}

/// A whole document (contract, quote, opportunity products) to price.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PricingInput {
    /// ISO 4217 code; unknown codes fail on field `currency`.
    pub currency: String,
    /// The lines, in display order. An empty list prices to zero.
    pub lines: Vec<LineInput>,
    /// Order discount in percent, `0..=100`, applied to the subtotal.
    #[serde(default, deserialize_with = "crate::money::strict::deserialize")]
    pub order_discount: Decimal,
}

/// A priced line: the input plus every rounded amount derived from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PricedLine {
    /// The line as entered (quantity and percents normalized).
    pub input: LineInput,
    /// `round(quantity × unit_price × (1 − discount/100))`.
    pub net: Decimal,
    /// This line's share of the order discount amount (largest remainder over nets).
    pub order_discount_share: Decimal,
    /// `net − order_discount_share`: the amount tax is computed on.
    pub taxable: Decimal,
    /// `round(taxable × tax_rate / 100)`.
    pub tax: Decimal,
    /// `taxable + tax`.
    pub total: Decimal,
}

/// Document totals; each is a sum of rounded parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Totals {
    /// Σ line nets.
    pub subtotal: Decimal,
    /// `round(subtotal × order_discount / 100)`.
    pub order_discount: Decimal,
    /// `subtotal − order_discount` (= Σ line taxable).
    pub net_total: Decimal,
    /// Σ line taxes.
    pub tax_total: Decimal,
    /// `net_total + tax_total` (= Σ line totals): the contract total receivables must match.
    pub grand_total: Decimal,
}

/// The result of [`price`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Pricing {
    /// The validated currency.
    pub currency: Currency,
    /// The order discount percent applied.
    pub order_discount: Decimal,
    /// Priced lines, in input order.
    pub lines: Vec<PricedLine>,
    /// Totals.
    pub totals: Totals,
}

impl Pricing {
    /// The validated input: unit prices at the currency's scale, quantities and percents
    /// normalized. Documents store this as entered, so every amount leaves at scale and
    /// re-pricing it reproduces the same totals.
    pub fn input(&self) -> PricingInput {
        PricingInput {
            currency: self.currency.code().to_owned(),
            lines: self.lines.iter().map(|l| l.input.clone()).collect(),
            order_discount: self.order_discount,
        }
    }
}

fn overflow(field: &str) -> CrmError {
    CrmError::validation(field, "amount too large")
}

/// A document total must stay within [`MAX_AMOUNT`]: refused on field `lines` otherwise.
fn total_within_max(total: Decimal) -> CrmResult<Decimal> {
    if total > MAX_AMOUNT {
        return Err(CrmError::validation(
            "lines",
            format!("the lines add up to more than the maximum amount {MAX_AMOUNT}"),
        ));
    }
    Ok(total)
}

fn validate_line(line: &LineInput, i: usize, currency: &Currency) -> CrmResult<LineInput> {
    let f = |name: &str| format!("lines[{i}].{name}");
    let product = crate::validate::required_text(&line.product, &f("product"), 200)?;
    if line.quantity <= Decimal::ZERO {
        return Err(CrmError::validation(
            f("quantity"),
            "must be greater than 0",
        ));
    }
    if line.quantity > MAX_QUANTITY {
        return Err(CrmError::validation(
            f("quantity"),
            format!("exceeds the maximum quantity {MAX_QUANTITY}"),
        ));
    }
    if line.quantity.normalize().scale() > QUANTITY_DECIMALS {
        return Err(CrmError::validation(
            f("quantity"),
            format!("at most {QUANTITY_DECIMALS} decimals"),
        ));
    }
    let unit_price = units::money(line.unit_price, currency, &f("unit_price"))?;
    let discount = units::percent(line.discount, &f("discount"), PERCENT_DECIMALS)?;
    let tax_rate = units::percent(line.tax_rate, &f("tax_rate"), PERCENT_DECIMALS)?;
    Ok(LineInput {
        product,
        quantity: line.quantity.normalize(),
        unit_price,
        discount: discount.normalize(),
        tax_rate: tax_rate.normalize(),
    })
}

/// `round(quantity × unit_price × (1 − discount/100))` of an already validated line.
fn line_net(
    line: &LineInput,
    currency: &Currency,
    mode: RoundingMode,
    field: &str,
) -> CrmResult<Decimal> {
    let exact = line
        .quantity
        .checked_mul(line.unit_price)
        .and_then(|g| g.checked_mul(Decimal::ONE_HUNDRED - line.discount))
        .and_then(|g| g.checked_div(Decimal::ONE_HUNDRED))
        .ok_or_else(|| overflow(field))?;
    within_max(round_to(exact, currency, mode), field)
}

/// Prices a document: validates every field, then computes lines and totals as described in
/// the [module docs](self).
///
/// Validation errors name the field: `currency`, `order_discount`, `lines[i].product`,
/// `lines[i].quantity` (≤ 0 or too precise), `lines[i].unit_price` (negative or more decimals
/// than the currency allows), `lines[i].discount` / `lines[i].tax_rate` (outside `0..=100`).
pub fn price(input: &PricingInput, mode: RoundingMode) -> CrmResult<Pricing> {
    let currency = Currency::parse(&input.currency, "currency")?;
    let order_discount =
        units::percent(input.order_discount, "order_discount", PERCENT_DECIMALS)?.normalize();
    let lines = input
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| validate_line(l, i, &currency))
        .collect::<CrmResult<Vec<_>>>()?;

    let mut nets = Vec::with_capacity(lines.len());
    for (i, l) in lines.iter().enumerate() {
        nets.push(line_net(l, &currency, mode, &format!("lines[{i}]"))?);
    }
    let subtotal = nets
        .iter()
        .try_fold(units::zero(&currency), |a, n| a.checked_add(*n))
        .ok_or_else(|| overflow("lines"))?;
    let subtotal = total_within_max(subtotal)?;
    let discount_exact = subtotal
        .checked_mul(order_discount)
        .and_then(|x| x.checked_div(Decimal::ONE_HUNDRED))
        .ok_or_else(|| overflow("order_discount"))?;
    let order_discount_amount = round_to(discount_exact, &currency, mode);

    // Allocate the order discount over the nets by largest remainder.
    let discount_units = to_minor(order_discount_amount, &currency, "order_discount")?;
    let shares = if lines.is_empty() {
        Vec::new()
    } else {
        allocate_minor(discount_units, &nets)?
    };

    let mut priced = Vec::with_capacity(lines.len());
    let mut tax_total = units::zero(&currency);
    for (i, ((line, net), share)) in lines.into_iter().zip(nets).zip(shares).enumerate() {
        let field = format!("lines[{i}]");
        let share = from_minor(share, &currency, &field)?;
        let taxable = net.checked_sub(share).ok_or_else(|| overflow(&field))?;
        let tax_exact = taxable
            .checked_mul(line.tax_rate)
            .and_then(|x| x.checked_div(Decimal::ONE_HUNDRED))
            .ok_or_else(|| overflow(&field))?;
        let tax = round_to(tax_exact, &currency, mode);
        tax_total = tax_total
            .checked_add(tax)
            .ok_or_else(|| overflow("lines"))?;
        priced.push(PricedLine {
            input: line,
            net,
            order_discount_share: share,
            taxable,
            tax,
            total: taxable.checked_add(tax).ok_or_else(|| overflow(&field))?,
        });
    }
    let net_total = subtotal
        .checked_sub(order_discount_amount)
        .ok_or_else(|| overflow("lines"))?;
    let grand_total = net_total
        .checked_add(tax_total)
        .ok_or_else(|| overflow("lines"))?;
    let grand_total = total_within_max(grand_total)?;
    Ok(Pricing {
        currency,
        order_discount,
        lines: priced,
        totals: Totals {
            subtotal,
            order_discount: order_discount_amount,
            net_total,
            tax_total,
            grand_total,
        },
    })
}

/// Recomputes `input` and checks that `stored` totals equal the recomputation (rule
/// `totals_mismatch` otherwise, naming the first differing total and both values).
pub fn check_totals(input: &PricingInput, mode: RoundingMode, stored: &Totals) -> CrmResult<()> {
    let fresh = price(input, mode)?.totals;
    let pairs = [
        ("subtotal", stored.subtotal, fresh.subtotal),
        (
            "order_discount",
            stored.order_discount,
            fresh.order_discount,
        ),
        ("net_total", stored.net_total, fresh.net_total),
        ("tax_total", stored.tax_total, fresh.tax_total),
        ("grand_total", stored.grand_total, fresh.grand_total),
    ];
    for (name, s, f) in pairs {
        if s != f {
            return Err(CrmError::rule(
                "totals_mismatch",
                format!("stored {name} {s} differs from the recomputed {f}"),
            ));
        }
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
    fn line(q: &str, p: &str, disc: &str, tax: &str) -> LineInput {
        LineInput {
            product: "widget".into(),
            quantity: d(q),
            unit_price: d(p),
            discount: d(disc),
            tax_rate: d(tax),
        }
    }
    fn doc(cur: &str, lines: Vec<LineInput>, od: &str) -> PricingInput {
        PricingInput {
            currency: cur.into(),
            lines,
            order_discount: d(od),
        }
    }
    fn field_of(err: CrmError) -> String {
        match err {
            CrmError::Validation { field, .. } => field,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn reference_line_math() {
        let p = price(
            &doc("CNY", vec![line("1", "100", "15", "0")], "0"),
            RoundingMode::HalfUp,
        )
        .unwrap();
        assert_eq!(p.lines[0].net.to_string(), "85.00");
        let p = price(
            &doc("CNY", vec![line("3", "100", "15", "0")], "10"),
            RoundingMode::HalfUp,
        )
        .unwrap();
        assert_eq!(p.totals.subtotal, d("255"));
        assert_eq!(p.totals.order_discount, d("25.50"));
        assert_eq!(p.totals.net_total.to_string(), "229.50");
        assert_eq!(p.totals.grand_total, d("229.50"));
    }

    #[test]
    fn line_net_ties_follow_the_rounding_mode() {
        // 0.25 × 50 % = 0.125: half-up 0.13, half-even 0.12.
        let input = doc("CNY", vec![line("1", "0.25", "50", "0")], "0");
        assert_eq!(
            price(&input, RoundingMode::HalfUp).unwrap().lines[0].net,
            d("0.13")
        );
        assert_eq!(
            price(&input, RoundingMode::HalfEven).unwrap().lines[0].net,
            d("0.12")
        );
        // 0.27 × 50 % = 0.135: both give 0.14.
        let input = doc("CNY", vec![line("1", "0.27", "50", "0")], "0");
        assert_eq!(
            price(&input, RoundingMode::HalfUp).unwrap().lines[0].net,
            d("0.14")
        );
        assert_eq!(
            price(&input, RoundingMode::HalfEven).unwrap().lines[0].net,
            d("0.14")
        );
        // 5 yen × 50 % = 2.5 yen: half-up 3, half-even 2.
        let input = doc("JPY", vec![line("1", "5", "50", "0")], "0");
        assert_eq!(
            price(&input, RoundingMode::HalfUp).unwrap().lines[0].net,
            d("3")
        );
        assert_eq!(
            price(&input, RoundingMode::HalfEven).unwrap().lines[0].net,
            d("2")
        );
        // Just off the tie both modes agree.
        let input = doc("CNY", vec![line("1", "0.249", "50", "0")], "0");
        assert!(
            price(&input, RoundingMode::HalfUp).is_err(),
            "0.249 is over-precise for CNY"
        );
        let input = doc("KWD", vec![line("1", "0.249", "50", "0")], "0");
        assert_eq!(
            price(&input, RoundingMode::HalfUp).unwrap().lines[0].net,
            d("0.125")
        );
    }

    #[test]
    fn order_discount_ties_follow_the_rounding_mode() {
        // Subtotal 0.25, 50 % order discount = 0.125.
        let input = doc("CNY", vec![line("1", "0.25", "0", "0")], "50");
        let up = price(&input, RoundingMode::HalfUp).unwrap().totals;
        let even = price(&input, RoundingMode::HalfEven).unwrap().totals;
        assert_eq!((up.order_discount, up.net_total), (d("0.13"), d("0.12")));
        assert_eq!(
            (even.order_discount, even.net_total),
            (d("0.12"), d("0.13"))
        );
    }

    #[test]
    fn tax_ties_follow_the_rounding_mode() {
        // 2.50 × 5 % = 0.125.
        let input = doc("CNY", vec![line("1", "2.50", "0", "5")], "0");
        assert_eq!(
            price(&input, RoundingMode::HalfUp)
                .unwrap()
                .totals
                .tax_total,
            d("0.13")
        );
        assert_eq!(
            price(&input, RoundingMode::HalfEven)
                .unwrap()
                .totals
                .tax_total,
            d("0.12")
        );
    }

    #[test]
    fn order_discount_is_allocated_before_tax() {
        // Nets 100.00 (13 %) and 50.00 (0 %); 10 % order discount = 15.00 → shares 10.00 / 5.00.
        let input = doc(
            "CNY",
            vec![line("1", "100", "0", "13"), line("1", "50", "0", "0")],
            "10",
        );
        let p = price(&input, RoundingMode::HalfUp).unwrap();
        assert_eq!(p.lines[0].order_discount_share, d("10"));
        assert_eq!(p.lines[1].order_discount_share, d("5"));
        assert_eq!(p.lines[0].tax, d("11.70"));
        assert_eq!(p.totals.net_total, d("135"));
        assert_eq!(p.totals.tax_total, d("11.70"));
        assert_eq!(p.totals.grand_total, d("146.70"));
        let sum: Decimal = p.lines.iter().map(|l| l.total).sum();
        assert_eq!(sum, p.totals.grand_total);
    }

    #[test]
    fn order_discount_shares_sum_exactly_with_uneven_lines() {
        let input = doc(
            "CNY",
            vec![
                line("1", "0.01", "0", "13"),
                line("1", "0.01", "0", "13"),
                line("1", "0.01", "0", "13"),
            ],
            "50",
        );
        let p = price(&input, RoundingMode::HalfUp).unwrap();
        // 0.03 × 50 % = 0.015 → 0.02, split 0.01 / 0.01 / 0.00.
        assert_eq!(p.totals.order_discount, d("0.02"));
        let shares: Vec<_> = p.lines.iter().map(|l| l.order_discount_share).collect();
        assert_eq!(shares, vec![d("0.01"), d("0.01"), d("0")]);
        assert_eq!(p.totals.net_total, d("0.01"));
    }

    #[test]
    fn stored_totals_match_the_recomputation() {
        let input = doc(
            "CNY",
            vec![
                line("3", "19.99", "7.5", "13"),
                line("2.5", "0.33", "0", "6"),
            ],
            "3",
        );
        let p = price(&input, RoundingMode::HalfEven).unwrap();
        check_totals(&input, RoundingMode::HalfEven, &p.totals).unwrap();
        let mut tampered = p.totals.clone();
        tampered.grand_total += d("0.01");
        let err = check_totals(&input, RoundingMode::HalfEven, &tampered).unwrap_err();
        assert!(matches!(err, CrmError::RuleViolation { rule, .. } if rule == "totals_mismatch"));
    }

    #[test]
    fn validation_names_the_field() {
        let ok = || line("1", "10", "0", "0");
        let cases: Vec<(PricingInput, &str)> = vec![
            (doc("ABC", vec![ok()], "0"), "currency"),
            (doc("CNY", vec![ok()], "100.01"), "order_discount"),
            (doc("CNY", vec![ok()], "-1"), "order_discount"),
            (
                doc("CNY", vec![ok(), ok(), line("1", "10", "100.01", "0")], "0"),
                "lines[2].discount",
            ),
            (
                doc("CNY", vec![line("1", "10", "-0.01", "0")], "0"),
                "lines[0].discount",
            ),
            (
                doc("CNY", vec![line("-1", "10", "0", "0")], "0"),
                "lines[0].quantity",
            ),
            (
                doc("CNY", vec![line("0", "10", "0", "0")], "0"),
                "lines[0].quantity",
            ),
            (
                doc("CNY", vec![line("1.0000001", "10", "0", "0")], "0"),
                "lines[0].quantity",
            ),
            (
                doc("CNY", vec![ok(), line("1", "10.001", "0", "0")], "0"),
                "lines[1].unit_price",
            ),
            (
                doc("JPY", vec![line("1", "10.5", "0", "0")], "0"),
                "lines[0].unit_price",
            ),
            (
                doc("CNY", vec![line("1", "-0.01", "0", "0")], "0"),
                "lines[0].unit_price",
            ),
            (
                doc("CNY", vec![line("1", "10", "0", "100.01")], "0"),
                "lines[0].tax_rate",
            ),
        ];
        for (input, field) in cases {
            let err = price(&input, RoundingMode::HalfUp).unwrap_err();
            assert_eq!(field_of(err), field);
        }
        let mut blank = ok();
        blank.product = "  ".into();
        assert_eq!(
            field_of(price(&doc("CNY", vec![blank], "0"), RoundingMode::HalfUp).unwrap_err()),
            "lines[0].product"
        );
    }

    #[test]
    fn boundaries_are_inclusive() {
        let p = price(
            &doc("CNY", vec![line("0.000001", "0", "100", "100")], "100"),
            RoundingMode::HalfUp,
        )
        .unwrap();
        assert_eq!(p.totals.grand_total, d("0"));
        let p = price(
            &doc("CNY", vec![line("1", "10", "0", "100")], "0"),
            RoundingMode::HalfUp,
        )
        .unwrap();
        assert_eq!(p.totals.grand_total, d("20"));
        let p = price(&doc("CNY", vec![], "10"), RoundingMode::HalfUp).unwrap();
        assert_eq!(p.totals.grand_total, d("0"));
    }

    #[test]
    fn huge_numbers_are_an_error_not_a_panic() {
        let input = doc(
            "CNY",
            vec![line(
                "999999999999",
                "79228162514264337593543950.33",
                "0",
                "0",
            )],
            "0",
        );
        assert!(price(&input, RoundingMode::HalfUp).is_err());
    }
}
