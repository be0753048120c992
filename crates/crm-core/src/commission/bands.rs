//! Commission bands: half-open ranges `[from, to)` of attainment (in percent of the target)
//! or of amount, each with a rate in percent; the last band may be open-ended. They start at
//! 0 and follow one another without gaps or overlaps — the defect of plans with inclusive
//! bounds (a base exactly on a bound falls in two bands or in none) cannot be expressed.
//!
//! - `marginal` (超额累进): each part of the base is paid at the rate of the band it falls in.
//! - `flat` (全额累进): the rate of the band the whole base reaches is paid on all of it.
//!
//! Bands on attainment become amounts by multiplying by the target (never dividing by it): a
//! zero target puts every bound at 0, so the whole base is in the last band. A negative base
//! (refunds above sales) earns nothing here; reversals are statement adjustments. An optional
//! cap limits the result, which is rounded once, half-up, to the currency's minor unit.

use crate::error::{CrmError, CrmResult};
use crate::money::checked::{add, mul, sub};
use crate::money::{Currency, RoundingMode};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The most bands a plan may have.
pub const MAX_BANDS: usize = 20;

/// What band bounds measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BandBasis {
    /// Percent of the target reached (100 = the target).
    Attainment,
    /// The base amount itself, in the plan's currency.
    Amount,
}

/// How the rates apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BandMode {
    /// Each band's part of the base at that band's rate (超额累进).
    Marginal,
    /// The reached band's rate on the whole base (全额累进).
    Flat,
}

impl BandMode {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            BandMode::Marginal => "marginal",
            BandMode::Flat => "flat",
        }
    }
}

/// One band: `[from, to)` at `rate` percent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Lower bound, included.
    pub from: Decimal,
    /// Upper bound, excluded (none: no end; only the last band).
    #[serde(default)]
    pub to: Option<Decimal>,
    /// Rate in percent, 0–100.
    pub rate: Decimal,
}

/// The bands of a plan with their basis, mode and optional cap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bands {
    /// What the bounds measure.
    pub basis: BandBasis,
    /// How the rates apply.
    pub mode: BandMode,
    /// The bands, in order.
    pub bands: Vec<Band>,
    /// The most one statement pays (none: no cap).
    #[serde(default)]
    pub cap: Option<Decimal>,
}

impl Bands {
    /// Refuses bands that do not start at 0, leave a gap or overlap, end before the last
    /// band or not at all, have a rate outside 0–100, or a negative cap; errors name the
    /// field (`bands[2].from`, `bands[0].rate`, `cap`).
    pub fn validate(&self) -> CrmResult<()> {
        if self.bands.is_empty() {
            return Err(CrmError::validation("bands", "at least one band"));
        }
        if self.bands.len() > MAX_BANDS {
            return Err(CrmError::validation(
                "bands",
                format!("at most {MAX_BANDS} bands"),
            ));
        }
        let last = self.bands.len() - 1;
        let mut expected_from = Decimal::ZERO;
        for (i, band) in self.bands.iter().enumerate() {
            if band.from != expected_from {
                return Err(CrmError::validation(
                    format!("bands[{i}].from"),
                    if i == 0 {
                        "the first band starts at 0".to_owned()
                    } else {
                        format!(
                            "must be {expected_from}, where band {} ends: no gap, no overlap",
                            i - 1
                        )
                    },
                ));
            }
            if (band.rate.is_sign_negative() && !band.rate.is_zero())
                || band.rate > Decimal::ONE_HUNDRED
            {
                return Err(CrmError::validation(
                    format!("bands[{i}].rate"),
                    "must be a percentage from 0 to 100",
                ));
            }
            match band.to {
                Some(to) if to <= band.from => {
                    return Err(CrmError::validation(
                        format!("bands[{i}].to"),
                        "must be above from",
                    ))
                }
                Some(to) => expected_from = to,
                None if i != last => {
                    return Err(CrmError::validation(
                        format!("bands[{i}].to"),
                        "only the last band is open-ended",
                    ))
                }
                None => {}
            }
        }
        if let Some(cap) = self.cap {
            if cap.is_sign_negative() && !cap.is_zero() {
                return Err(CrmError::validation("cap", "must not be negative"));
            }
        }
        Ok(())
    }

    /// The commission on `base` against `target` (used by attainment bands), exact (not
    /// rounded, before the cap).
    pub fn exact(&self, base: Decimal, target: Decimal) -> CrmResult<Decimal> {
        self.validate()?;
        if base <= Decimal::ZERO {
            return Ok(Decimal::ZERO);
        }
        let hundred = Decimal::ONE_HUNDRED;
        // A bound as an amount of base.
        let amount = |bound: Decimal| -> CrmResult<Decimal> {
            match self.basis {
                BandBasis::Amount => Ok(bound),
                BandBasis::Attainment => Ok(mul(bound, target, "commission")? / hundred),
            }
        };
        let mut total = Decimal::ZERO;
        for band in &self.bands {
            let from = amount(band.from)?;
            let to = band.to.map(amount).transpose()?;
            let rate = band.rate / hundred;
            match self.mode {
                BandMode::Marginal => {
                    if base <= from {
                        continue;
                    }
                    let top = to.map_or(base, |t| t.min(base));
                    let part = sub(top, from, "commission")?;
                    total = add(total, mul(part, rate, "commission")?, "commission")?;
                }
                BandMode::Flat => {
                    let inside = from <= base && to.is_none_or(|t| base < t);
                    if inside {
                        total = mul(base, rate, "commission")?;
                    }
                }
            }
        }
        Ok(total)
    }

    /// The commission on `base` against `target`: [`exact`](Self::exact), capped, rounded
    /// half-up to `currency`'s minor unit.
    pub fn commission(
        &self,
        base: Decimal,
        target: Decimal,
        currency: &Currency,
    ) -> CrmResult<Decimal> {
        let exact = self.exact(base, target)?;
        let capped = self.cap.map_or(exact, |cap| exact.min(cap));
        let mut rounded = RoundingMode::HalfUp.round(capped, currency.minor_units());
        rounded.rescale(currency.minor_units());
        Ok(rounded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn band(from: &str, to: Option<&str>, rate: &str) -> Band {
        Band {
            from: dec(from),
            to: to.map(dec),
            rate: dec(rate),
        }
    }

    /// [0,100 %) 3 %, [100 %,120 %) 5 %, [120 %,∞) 8 %.
    fn plan(mode: BandMode) -> Bands {
        Bands {
            basis: BandBasis::Attainment,
            mode,
            bands: vec![
                band("0", Some("100"), "3"),
                band("100", Some("120"), "5"),
                band("120", None, "8"),
            ],
            cap: None,
        }
    }

    fn cny() -> Currency {
        Currency::parse("CNY", "currency").unwrap()
    }

    #[test]
    fn cm1_and_cm2() {
        let target = dec("100000.00");
        let pay = |mode, base: &str| plan(mode).commission(dec(base), target, &cny()).unwrap();
        assert_eq!(pay(BandMode::Marginal, "130000.00"), dec("4800.00"));
        assert_eq!(pay(BandMode::Flat, "130000.00"), dec("10400.00"));
        assert_eq!(pay(BandMode::Marginal, "120000.00"), dec("4000.00"));
        assert_eq!(pay(BandMode::Flat, "120000.00"), dec("9600.00"));
    }

    #[test]
    fn every_bound_one_minor_unit_below_at_and_above_in_both_modes() {
        let target = dec("100000.00");
        let exact = |mode, base: &str| plan(mode).exact(dec(base), target).unwrap();
        // The 100 % bound (100,000.00).
        assert_eq!(exact(BandMode::Marginal, "99999.99"), dec("2999.9997"));
        assert_eq!(exact(BandMode::Marginal, "100000.00"), dec("3000.00"));
        assert_eq!(exact(BandMode::Marginal, "100000.01"), dec("3000.0005"));
        assert_eq!(exact(BandMode::Flat, "99999.99"), dec("2999.9997"));
        assert_eq!(exact(BandMode::Flat, "100000.00"), dec("5000.00"));
        assert_eq!(exact(BandMode::Flat, "100000.01"), dec("5000.0005"));
        // The 120 % bound (120,000.00).
        assert_eq!(exact(BandMode::Marginal, "119999.99"), dec("3999.9995"));
        assert_eq!(exact(BandMode::Marginal, "120000.00"), dec("4000.00"));
        assert_eq!(exact(BandMode::Marginal, "120000.01"), dec("4000.0008"));
        assert_eq!(exact(BandMode::Flat, "119999.99"), dec("5999.9995"));
        assert_eq!(exact(BandMode::Flat, "120000.00"), dec("9600.00"));
        assert_eq!(exact(BandMode::Flat, "120000.01"), dec("9600.0008"));
        // The 0 bound: nothing below or at it, a rate's worth of one unit above.
        assert_eq!(exact(BandMode::Marginal, "0.00"), dec("0"));
        assert_eq!(exact(BandMode::Flat, "0.01"), dec("0.0003"));
        assert_eq!(exact(BandMode::Marginal, "-0.01"), dec("0"));
        // Rounded once, half-up, to the minor unit.
        let pay = |mode, base: &str| plan(mode).commission(dec(base), target, &cny()).unwrap();
        assert_eq!(pay(BandMode::Flat, "100000.01"), dec("5000.00"));
        assert_eq!(pay(BandMode::Flat, "0.01"), dec("0.00"));
        assert_eq!(pay(BandMode::Flat, "0.17"), dec("0.01"));
    }

    #[test]
    fn amount_bands_a_cap_and_a_zero_target() {
        let mut bands = Bands {
            basis: BandBasis::Amount,
            mode: BandMode::Marginal,
            bands: vec![band("0", Some("10000"), "1"), band("10000", None, "2")],
            cap: Some(dec("150.00")),
        };
        let pay = |b: &Bands, base: &str| b.commission(dec(base), Decimal::ZERO, &cny()).unwrap();
        assert_eq!(pay(&bands, "10000.00"), dec("100.00"));
        assert_eq!(pay(&bands, "12000.00"), dec("140.00"));
        assert_eq!(pay(&bands, "13000.00"), dec("150.00"), "capped");
        bands.cap = None;
        assert_eq!(pay(&bands, "13000.00"), dec("160.00"));
        // Attainment bands with a zero target: every bound is 0, the last band pays all.
        let flat = plan(BandMode::Flat);
        assert_eq!(
            flat.commission(dec("500.00"), Decimal::ZERO, &cny())
                .unwrap(),
            dec("40.00")
        );
        let marginal = plan(BandMode::Marginal);
        assert_eq!(
            marginal
                .commission(dec("500.00"), Decimal::ZERO, &cny())
                .unwrap(),
            dec("40.00")
        );
        assert_eq!(
            marginal
                .commission(Decimal::ZERO, Decimal::ZERO, &cny())
                .unwrap(),
            dec("0.00")
        );
    }

    #[test]
    fn bad_bands_are_refused_by_name() {
        let field = |bands: Vec<Band>, cap: Option<&str>| {
            let b = Bands {
                basis: BandBasis::Attainment,
                mode: BandMode::Flat,
                bands,
                cap: cap.map(dec),
            };
            match b.validate() {
                Err(CrmError::Validation { field, .. }) => field,
                other => format!("{other:?}"),
            }
        };
        assert_eq!(field(vec![], None), "bands");
        assert_eq!(field(vec![band("10", None, "3")], None), "bands[0].from");
        // Overlap and gap.
        assert_eq!(
            field(
                vec![band("0", Some("100"), "3"), band("90", None, "5")],
                None
            ),
            "bands[1].from"
        );
        assert_eq!(
            field(
                vec![band("0", Some("100"), "3"), band("101", None, "5")],
                None
            ),
            "bands[1].from"
        );
        assert_eq!(field(vec![band("0", Some("0"), "3")], None), "bands[0].to");
        assert_eq!(
            field(vec![band("0", None, "3"), band("100", None, "5")], None),
            "bands[0].to"
        );
        assert_eq!(field(vec![band("0", None, "-0.01")], None), "bands[0].rate");
        assert_eq!(
            field(vec![band("0", None, "100.01")], None),
            "bands[0].rate"
        );
        assert_eq!(field(vec![band("0", None, "3")], Some("-1")), "cap");
        assert_eq!(field(vec![band("0", None, "0")], Some("0")), "Ok(())");
        // A last band with an end is allowed: above it nothing more is paid.
        let closed = Bands {
            basis: BandBasis::Amount,
            mode: BandMode::Marginal,
            bands: vec![band("0", Some("100"), "10")],
            cap: None,
        };
        assert_eq!(
            closed.exact(dec("150"), Decimal::ZERO).unwrap(),
            dec("10.0")
        );
        let flat = Bands {
            mode: BandMode::Flat,
            ..closed
        };
        assert_eq!(flat.exact(dec("150"), Decimal::ZERO).unwrap(), dec("0"));
    }
}
