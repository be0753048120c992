//! Declaring a target (申报): the request and its pure checks — the fiscal year on the
//! tenant's calendar, the currency of an amount metric (none for a count), and the twelve
//! monthly amounts, given either as an annual amount spread by largest remainder or as twelve
//! values.

use super::{spread_annual, FiscalCalendar, FiscalPeriod, Metric, TargetSubject};
use crate::error::{CrmError, CrmResult};
use crate::money::strict::StrictDecimal;
use crate::money::{in_currency, within_max, Currency};
use crate::sales::allocate::allocate_minor;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};

/// Declares (or re-declares) a target: a new Draft revision, or the subject's Draft/Returned
/// revision updated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclareTarget {
    /// Whose target.
    pub subject: TargetSubject,
    /// What it measures.
    pub metric: Metric,
    /// The fiscal year (named by the calendar year it starts in).
    pub fiscal_year: i32,
    /// ISO 4217 currency: required for amount metrics, refused for counts.
    #[serde(default)]
    pub currency: Option<String>,
    /// The annual amount, spread over the twelve fiscal months by largest remainder in minor
    /// units (counts: in whole units), earliest months first. Give this or `months`.
    #[serde(default, deserialize_with = "crate::money::strict::option")]
    pub annual: Option<Decimal>,
    /// Exactly twelve monthly amounts in fiscal order (month 1 is the fiscal start month),
    /// each ≥ 0, exact at the currency's scale (counts: at most 2 decimals). Give this or
    /// `annual`.
    #[serde(default, deserialize_with = "months_option")]
    pub months: Option<Vec<Decimal>>,
}

fn months_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Decimal>>, D::Error> {
    Option::<Vec<StrictDecimal>>::deserialize(d)
        .map(|o| o.map(|v| v.into_iter().map(|s| s.0).collect()))
}

/// Decimals a count target's month may have.
pub const COUNT_DECIMALS: u32 = 2;

/// The checked currency and twelve months of a declaration on `calendar`.
pub fn declared_months(
    request: &DeclareTarget,
    calendar: &FiscalCalendar,
) -> CrmResult<(Option<Currency>, Vec<Decimal>)> {
    calendar
        .bounds(FiscalPeriod::Year {
            year: request.fiscal_year,
        })
        .map_err(|_| {
            CrmError::validation(
                "fiscal_year",
                format!(
                    "must be within {}..={}",
                    super::fiscal::FISCAL_YEARS.start(),
                    super::fiscal::FISCAL_YEARS.end()
                ),
            )
        })?;
    let currency = match (&request.currency, request.metric.is_amount()) {
        (Some(code), true) => Some(Currency::parse(code, "currency")?),
        (None, true) => {
            return Err(CrmError::validation(
                "currency",
                format!("required for the amount metric {}", request.metric),
            ))
        }
        (Some(_), false) => {
            return Err(CrmError::validation(
                "currency",
                format!("not allowed for the count metric {}", request.metric),
            ))
        }
        (None, false) => None,
    };
    let months = match (request.annual, &request.months) {
        (Some(_), Some(_)) => {
            return Err(CrmError::validation(
                "annual",
                "give either annual or months, not both",
            ))
        }
        (None, None) => {
            return Err(CrmError::validation(
                "months",
                "required: twelve monthly amounts, or annual",
            ))
        }
        (Some(annual), None) => spread(annual, currency.as_ref())?,
        (None, Some(months)) => {
            if months.len() != 12 {
                return Err(CrmError::validation(
                    "months",
                    format!("exactly 12 values, not {}", months.len()),
                ));
            }
            months
                .iter()
                .enumerate()
                .map(|(i, m)| month_value(*m, currency.as_ref(), &format!("months[{i}]")))
                .collect::<CrmResult<Vec<_>>>()?
        }
    };
    // The annual sum must stay representable too.
    within_max(months.iter().copied().sum(), "months")?;
    Ok((currency, months))
}

fn negative(value: Decimal) -> bool {
    value.is_sign_negative() && !value.is_zero()
}

fn month_value(value: Decimal, currency: Option<&Currency>, field: &str) -> CrmResult<Decimal> {
    if negative(value) {
        return Err(CrmError::validation(field, "must not be negative"));
    }
    match currency {
        Some(c) => in_currency(value, c, field),
        None => {
            within_max(value, field)?;
            if value.normalize().scale() > COUNT_DECIMALS {
                return Err(CrmError::validation(
                    field,
                    format!("a count has at most {COUNT_DECIMALS} decimals"),
                ));
            }
            Ok(value.normalize())
        }
    }
}

fn spread(annual: Decimal, currency: Option<&Currency>) -> CrmResult<Vec<Decimal>> {
    if negative(annual) {
        return Err(CrmError::validation("annual", "must not be negative"));
    }
    let rename = |e: CrmError| match e {
        CrmError::Validation { reason, .. } => CrmError::validation("annual", reason),
        other => other,
    };
    match currency {
        Some(c) => {
            let annual = in_currency(annual, c, "annual")?;
            spread_annual(annual, c).map_err(rename)
        }
        None => {
            within_max(annual, "annual")?;
            if annual.normalize().scale() > 0 {
                return Err(CrmError::validation(
                    "annual",
                    "an annual count is a whole number (give months for fractions)",
                ));
            }
            let units = annual.normalize().mantissa();
            Ok(allocate_minor(units, &[Decimal::ONE; 12])
                .map_err(rename)?
                .into_iter()
                .map(|u| Decimal::from_i128_with_scale(u, 0))
                .collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn request(metric: Metric) -> DeclareTarget {
        DeclareTarget {
            subject: TargetSubject::Tenant,
            metric,
            fiscal_year: 2026,
            currency: metric.is_amount().then(|| "CNY".to_owned()),
            annual: None,
            months: None,
        }
    }

    fn field(r: &DeclareTarget) -> String {
        match declared_months(r, &FiscalCalendar::default()) {
            Err(CrmError::Validation { field, .. }) => field,
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn tg1_annual_amounts_and_counts_spread_earliest_first() {
        let mut r = request(Metric::ContractAmount);
        r.annual = Some(dec("1000"));
        let (cur, months) = declared_months(&r, &FiscalCalendar::default()).unwrap();
        assert_eq!(cur.map(|c| c.code().to_owned()).as_deref(), Some("CNY"));
        assert_eq!(&months[..4], &[dec("83.34"); 4]);
        assert_eq!(&months[4..], &[dec("83.33"); 8]);
        assert_eq!(months[0].scale(), 2);
        let mut c = request(Metric::CustomersWon);
        c.annual = Some(dec("100"));
        let (cur, months) = declared_months(&c, &FiscalCalendar::default()).unwrap();
        assert!(cur.is_none());
        assert_eq!(&months[..4], &[dec("9"); 4]);
        assert_eq!(&months[4..], &[dec("8"); 8]);
        assert_eq!(months.iter().copied().sum::<Decimal>(), dec("100"));
    }

    #[test]
    fn months_are_checked_one_by_one() {
        let mut r = request(Metric::PaymentsReceived);
        r.months = Some(vec![dec("10"); 12]);
        let (_, months) = declared_months(&r, &FiscalCalendar::default()).unwrap();
        assert_eq!(months, vec![dec("10.00"); 12]);
        r.months = Some(vec![dec("10"); 11]);
        assert_eq!(field(&r), "months");
        let mut bad = vec![dec("10"); 12];
        bad[3] = dec("-0.01");
        r.months = Some(bad);
        assert_eq!(field(&r), "months[3]");
        let mut bad = vec![dec("10"); 12];
        bad[11] = dec("0.001");
        r.months = Some(bad);
        assert_eq!(field(&r), "months[11]");
        let mut c = request(Metric::LeadsConverted);
        c.months = Some(vec![dec("1.5"); 12]);
        assert!(declared_months(&c, &FiscalCalendar::default()).is_ok());
        c.months = Some(vec![dec("1.505"); 12]);
        assert_eq!(field(&c), "months[0]");
    }

    #[test]
    fn bad_declarations_are_refused_by_name() {
        let mut r = request(Metric::ContractAmount);
        assert_eq!(field(&r), "months");
        r.annual = Some(dec("1"));
        r.months = Some(vec![dec("1"); 12]);
        assert_eq!(field(&r), "annual");
        r.months = None;
        r.annual = Some(dec("-1"));
        assert_eq!(field(&r), "annual");
        r.annual = Some(dec("0.005"));
        assert_eq!(field(&r), "annual");
        r.annual = Some(dec("1"));
        r.currency = None;
        assert_eq!(field(&r), "currency");
        r.currency = Some("XXX".into());
        assert_eq!(field(&r), "currency");
        r.currency = Some("cny".into());
        assert_eq!(field(&r), "currency");
        r.currency = Some("CNY".into());
        for year in [1899, 2200, i32::MIN, i32::MAX] {
            r.fiscal_year = year;
            assert_eq!(field(&r), "fiscal_year");
        }
        let mut c = request(Metric::OpportunitiesWon);
        c.annual = Some(dec("12"));
        c.currency = Some("CNY".into());
        assert_eq!(field(&c), "currency");
        c.currency = None;
        c.annual = Some(dec("12.5"));
        assert_eq!(field(&c), "annual");
        c.annual = Some(Decimal::MAX);
        assert_eq!(field(&c), "annual");
    }

    #[test]
    fn decimals_are_strings_only() {
        let ok: DeclareTarget = serde_json::from_str(
            r#"{"subject":{"kind":"user","id":12},"metric":"customers_won","fiscal_year":2026,"months":["1","2","3","4","5","6","7","8","9","10","11","12"]}"#,
        )
        .unwrap();
        assert_eq!(ok.months.map(|m| m.len()), Some(12));
        assert!(serde_json::from_str::<DeclareTarget>(
            r#"{"subject":{"kind":"tenant"},"metric":"customers_won","fiscal_year":2026,"annual":1.5}"#,
        )
        .is_err());
    }
}
