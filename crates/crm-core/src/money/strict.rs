//! Amounts from outside are decimal strings, read strictly: `-?digits(.digits)?` and
//! nothing else.
//!
//! Refused: JSON numbers (floats and integers alike: a float has already lost digits when it
//! reaches us), exponents (`"1e3"`), underscores (`"1_000"`), a `+` sign, spaces, a bare
//! point (`"1."`, `".5"`), and strings with more digits than a `Decimal` keeps exactly
//! (`rust_decimal` would silently round `"1.000000000000000000000000000001"` to `1`).
//! Whether a sign, the number of decimals and the magnitude are acceptable depends on the
//! field and its currency; the services check that ([`super::in_currency`]).
//!
//! Input types use it with `#[serde(deserialize_with = "crate::money::strict::deserialize")]`
//! (or [`option`], [`array()`]); serialization stays `Decimal`'s own decimal string.

use crate::validate::quote;
use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;

/// Every error about an amount's form contains this phrase, so a host boundary (the C ABI)
/// can report it as a validation error of the field.
pub const ERROR_MARK: &str = "decimal string amount";

/// Parses `-?digits(.digits)?` exactly; the error says what is wrong (without the mark).
pub fn parse(text: &str) -> Result<Decimal, String> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = match unsigned.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || !frac.is_none_or(digits) {
        let hint = if text.is_empty() {
            "it is empty"
        } else if text.starts_with('+') {
            "no '+' sign"
        } else if text.contains(['e', 'E']) {
            "no exponents"
        } else if text.contains('_') {
            "no underscores"
        } else if text.trim() != text {
            "no spaces"
        } else {
            "digits with an optional leading '-' and one '.' followed by digits"
        };
        return Err(format!("{}: {hint}", quote(text)));
    }
    Decimal::from_str_exact(text).map_err(|_| {
        format!(
            "{}: more digits than can be kept exactly (at most 28)",
            quote(text)
        )
    })
}

/// A `Decimal` read strictly from a decimal string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StrictDecimal(pub Decimal);

struct StrictVisitor;

fn refuse<E: de::Error>(what: &str) -> E {
    E::custom(format!(
        "not a {ERROR_MARK}: {what}; write amounts as strings such as \"1999.00\""
    ))
}

impl Visitor<'_> for StrictVisitor {
    type Value = StrictDecimal;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a {ERROR_MARK} such as \"1999.00\"")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<StrictDecimal, E> {
        parse(v)
            .map(StrictDecimal)
            .map_err(|reason| E::custom(format!("not a {ERROR_MARK}: {reason}")))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<StrictDecimal, E> {
        Err(refuse("a JSON number"))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<StrictDecimal, E> {
        Err(refuse("a JSON number"))
    }

    fn visit_i128<E: de::Error>(self, _: i128) -> Result<StrictDecimal, E> {
        Err(refuse("a JSON number"))
    }

    fn visit_u128<E: de::Error>(self, _: u128) -> Result<StrictDecimal, E> {
        Err(refuse("a JSON number"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<StrictDecimal, E> {
        Err(refuse("a JSON number"))
    }
}

impl<'de> Deserialize<'de> for StrictDecimal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor)
    }
}

/// `deserialize_with` for a `Decimal` field.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    StrictDecimal::deserialize(d).map(|s| s.0)
}

/// `deserialize_with` for an `Option<Decimal>` field (`null` or absent is `None`).
pub fn option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    Option::<StrictDecimal>::deserialize(d).map(|o| o.map(|s| s.0))
}

/// `deserialize_with` for a `[Decimal; 4]` field (RFM thresholds).
pub fn array<'de, D: Deserializer<'de>>(d: D) -> Result<[Decimal; 4], D::Error> {
    <[StrictDecimal; 4]>::deserialize(d).map(|a| a.map(|s| s.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, schemars::JsonSchema)]
    struct Amount {
        #[serde(deserialize_with = "deserialize")]
        amount: Decimal,
    }

    fn read(json: &str) -> Result<Decimal, String> {
        serde_json::from_str::<Amount>(json)
            .map(|a| a.amount)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn plain_decimal_strings_are_read_exactly() {
        for (text, shown) in [
            ("0", "0"),
            ("12", "12"),
            ("12.50", "12.50"),
            ("-0.01", "-0.01"),
            ("007.5", "7.5"),
            ("1000000000000000.0000", "1000000000000000.0000"),
            (
                "79228162514264337593543950335",
                "79228162514264337593543950335",
            ),
        ] {
            let json = format!(r#"{{"amount": "{text}"}}"#);
            assert_eq!(read(&json).unwrap().to_string(), shown, "{text}");
        }
    }

    #[test]
    fn every_other_form_is_refused_with_the_mark() {
        for json in [
            r#"{"amount": 12.5}"#,
            r#"{"amount": 12}"#,
            r#"{"amount": -1}"#,
            r#"{"amount": 1e3}"#,
            r#"{"amount": true}"#,
            r#"{"amount": null}"#,
            r#"{"amount": ["1"]}"#,
            r#"{"amount": "1e3"}"#,
            r#"{"amount": "1E3"}"#,
            r#"{"amount": "1_000"}"#,
            r#"{"amount": "+1"}"#,
            r#"{"amount": " 1"}"#,
            r#"{"amount": "1 "}"#,
            r#"{"amount": ""}"#,
            r#"{"amount": "-"}"#,
            r#"{"amount": "1."}"#,
            r#"{"amount": ".5"}"#,
            r#"{"amount": "1.2.3"}"#,
            r#"{"amount": "--1"}"#,
            r#"{"amount": "0x10"}"#,
            r#"{"amount": "NaN"}"#,
            r#"{"amount": "١٢"}"#,
            r#"{"amount": "1.000000000000000000000000000001"}"#,
            r#"{"amount": "792281625142643375935439503350"}"#,
        ] {
            let err = read(json).expect_err(json);
            assert!(err.contains(ERROR_MARK), "{json}: {err}");
        }
    }

    #[test]
    fn errors_quote_only_a_short_prefix() {
        let long = "9".repeat(10_000) + "x";
        let err = parse(&long).unwrap_err();
        assert!(err.len() < 120, "{err}");
    }

    #[test]
    fn options_and_arrays_are_strict_too() {
        #[derive(Deserialize, schemars::JsonSchema)]
        struct Both {
            #[serde(default, deserialize_with = "option")]
            o: Option<Decimal>,
            #[serde(deserialize_with = "array")]
            a: [Decimal; 4],
        }
        let ok: Both = serde_json::from_str(r#"{"o": null, "a": ["1","2","3","4"]}"#).unwrap();
        assert_eq!((ok.o, ok.a[3]), (None, Decimal::from(4)));
        let ok: Both = serde_json::from_str(r#"{"a": ["1","2","3","4.5"]}"#).unwrap();
        assert!(ok.o.is_none());
        assert!(serde_json::from_str::<Both>(r#"{"o": 1, "a": ["1","2","3","4"]}"#).is_err());
        assert!(serde_json::from_str::<Both>(r#"{"a": ["1","2","3",4]}"#).is_err());
    }
}
