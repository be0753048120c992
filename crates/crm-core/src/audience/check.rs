//! Validation of a condition: size and depth limits, known fields, values in range. Every
//! error names the offending path (e.g. `rule.of[1].more_than`) and a rule
//! (`unknown_field`, `out_of_range`, …).

use super::calendar::RelativeWindow;
use super::condition::{Condition, RfmMeasure, SinceLast, TimeUnit};
use super::{MAX_DAYS, MAX_DEPTH, MAX_LIST, MAX_LITERAL, MAX_MONTHS, MAX_NODES};
use crate::error::{CrmError, CrmResult};
use rust_decimal::Decimal;

/// Longest tag or tier name.
const MAX_NAME: usize = 50;
/// Largest follow-up count or frequency compared with.
const MAX_COUNT: u32 = 1_000_000;

fn bad(field: &str, rule: &str, msg: impl std::fmt::Display) -> CrmError {
    CrmError::validation(field, format!("{rule}: {msg}"))
}

fn name(value: &str, field: &str, max: usize) -> CrmResult<()> {
    let v = value.trim();
    if v.is_empty() {
        return Err(bad(field, "empty", "must not be empty"));
    }
    if v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(bad(
            field,
            "bad_text",
            format!("1 to {max} characters without control characters"),
        ));
    }
    Ok(())
}

fn names(values: &[String], field: &str, max: usize) -> CrmResult<()> {
    if values.is_empty() || values.len() > MAX_LIST {
        return Err(bad(field, "list_size", format!("1 to {MAX_LIST} entries")));
    }
    values
        .iter()
        .enumerate()
        .try_for_each(|(i, v)| name(v, &format!("{field}[{i}]"), max))
}

fn window(w: &RelativeWindow, field: &str) -> CrmResult<()> {
    match w {
        RelativeWindow::LastNDays { n } if *n == 0 || *n > MAX_DAYS => Err(bad(
            &format!("{field}.n"),
            "out_of_range",
            format!("must be 1 to {MAX_DAYS}"),
        )),
        _ => Ok(()),
    }
}

fn since(s: &SinceLast, field: &str) -> CrmResult<()> {
    let (n, key) = match (s.more_than, s.within) {
        (Some(n), None) => (n, "more_than"),
        (None, Some(n)) => (n, "within"),
        _ => {
            return Err(bad(
                field,
                "one_of",
                "give exactly one of `more_than` and `within`",
            ))
        }
    };
    let max = match s.unit {
        TimeUnit::Day => MAX_DAYS,
        TimeUnit::Month => MAX_MONTHS,
    };
    if n == 0 || n > max {
        return Err(bad(
            &format!("{field}.{key}"),
            "out_of_range",
            format!("must be 1 to {max}"),
        ));
    }
    Ok(())
}

fn rfm_value(measure: RfmMeasure, value: Decimal, field: &str) -> CrmResult<()> {
    let whole = value.fract().is_zero();
    let ok = match measure {
        RfmMeasure::R | RfmMeasure::F | RfmMeasure::M => {
            whole && value >= Decimal::ONE && value <= Decimal::from(5)
        }
        RfmMeasure::RecencyDays | RfmMeasure::Frequency => {
            whole && !value.is_sign_negative() && value <= Decimal::from(MAX_COUNT)
        }
        RfmMeasure::Monetary => {
            !value.is_sign_negative() && crate::money::within_max(value, field).is_ok()
        }
    };
    if ok {
        Ok(())
    } else {
        Err(bad(
            field,
            "out_of_range",
            match measure {
                RfmMeasure::R | RfmMeasure::F | RfmMeasure::M => "a score is a whole number 1 to 5",
                RfmMeasure::Monetary => "an amount, not negative, at most the maximum amount",
                _ => "a whole number, not negative, at most 1000000",
            },
        ))
    }
}

fn literal_texts(v: &serde_json::Value, field: &str) -> CrmResult<()> {
    match v {
        serde_json::Value::String(s) if s.chars().count() > MAX_LITERAL || s.contains('\0') => {
            Err(bad(
                field,
                "bad_text",
                format!("at most {MAX_LITERAL} characters, no NUL"),
            ))
        }
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, x)| literal_texts(x, &format!("{field}[{i}]"))),
        serde_json::Value::Object(_) => Err(bad(field, "bad_value", "objects are not values")),
        _ => Ok(()),
    }
}

impl Condition {
    /// Checks the condition, naming errors under the root field `condition`.
    pub fn validate(&self) -> CrmResult<()> {
        self.validate_at("condition")
    }

    /// Checks the condition, naming errors under `root` (e.g. `rule`): at most
    /// [`MAX_DEPTH`] levels and [`MAX_NODES`] nodes, known fields, literals that fit their
    /// operator, `n` ≥ 1 in every window and span, scores 1–5.
    pub fn validate_at(&self, root: &str) -> CrmResult<()> {
        let mut nodes = 0usize;
        self.visit(&mut |_| nodes += 1);
        if nodes > MAX_NODES {
            return Err(bad(root, "too_large", format!("at most {MAX_NODES} nodes")));
        }
        self.check(root, 1)
    }

    fn check(&self, field: &str, depth: usize) -> CrmResult<()> {
        if depth > MAX_DEPTH {
            return Err(bad(
                field,
                "too_deep",
                format!("at most {MAX_DEPTH} levels"),
            ));
        }
        match self {
            Condition::All { of } | Condition::Any { of } => of
                .iter()
                .enumerate()
                .try_for_each(|(i, c)| c.check(&format!("{field}.of[{i}]"), depth + 1)),
            Condition::Not { of } => of.check(&format!("{field}.of"), depth + 1),
            Condition::Field {
                field: f,
                op,
                value,
            } => {
                if !super::field::known(f) {
                    return Err(bad(
                        &format!("{field}.field"),
                        "unknown_field",
                        format!("{} is not a customer field", crate::validate::quote(f)),
                    ));
                }
                let at = format!("{field}.value");
                if let Some(v) = value {
                    literal_texts(v, &at)?;
                }
                super::field::check_literal(*op, value.as_ref())
                    .map_err(|reason| CrmError::validation(at, reason))
            }
            Condition::Tier { tiers } => names(tiers, &format!("{field}.tiers"), MAX_NAME),
            Condition::Rfm { measure, value, .. } => {
                rfm_value(*measure, *value, &format!("{field}.value"))
            }
            Condition::SinceLastOrder(s) | Condition::SinceLastFollowup(s) => since(s, field),
            Condition::OpenOpportunityProduct { products } => {
                names(products, &format!("{field}.products"), MAX_LITERAL)
            }
            Condition::FollowupsInWindow {
                window: w, count, ..
            } => {
                window(w, &format!("{field}.window"))?;
                if *count > MAX_COUNT {
                    return Err(bad(
                        &format!("{field}.count"),
                        "out_of_range",
                        format!("at most {MAX_COUNT}"),
                    ));
                }
                Ok(())
            }
            Condition::Created { window: w } => window(w, &format!("{field}.window")),
            Condition::Tag { name: n } => name(n, &format!("{field}.name"), MAX_NAME),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err(c: serde_json::Value) -> (String, String) {
        let c: Condition = serde_json::from_value(c).expect("parses");
        match c.validate_at("rule") {
            Err(CrmError::Validation { field, reason }) => (field, reason),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    fn ok(c: serde_json::Value) {
        let c: Condition = serde_json::from_value(c).expect("parses");
        c.validate_at("rule").expect("valid");
    }

    #[test]
    fn spans_need_n_of_at_least_one_and_at_most_the_limit() {
        let (f, r) = err(json!({"type":"since_last_order","unit":"month","more_than":0}));
        assert_eq!(f, "rule.more_than");
        assert!(r.starts_with("out_of_range"), "{r}");
        ok(json!({"type":"since_last_order","unit":"month","more_than":1}));
        ok(json!({"type":"since_last_order","unit":"month","within":120}));
        let (f, _) = err(json!({"type":"since_last_order","unit":"month","within":121}));
        assert_eq!(f, "rule.within");
        ok(json!({"type":"since_last_followup","unit":"day","more_than":3660}));
        err(json!({"type":"since_last_followup","unit":"day","more_than":3661}));
        let (_, r) = err(json!({"type":"since_last_order","unit":"day"}));
        assert!(r.starts_with("one_of"));
        let (_, r) = err(json!({"type":"since_last_order","unit":"day","within":1,"more_than":1}));
        assert!(r.starts_with("one_of"));
        let (f, _) = err(json!({"type":"created","window":{"type":"last_n_days","n":0}}));
        assert_eq!(f, "rule.window.n");
    }

    #[test]
    fn unknown_fields_and_bad_literals_are_named() {
        let (f, r) = err(json!({"type":"all","of":[
            {"type":"tag","name":"x"},
            {"type":"field","field":"salary","op":"eq","value":1}
        ]}));
        assert_eq!(f, "rule.of[1].field");
        assert!(r.starts_with("unknown_field"), "{r}");
        let (f, r) = err(json!({"type":"field","field":"tier","op":"gt","value":"x"}));
        assert_eq!(f, "rule.value");
        assert!(r.starts_with("bad_value"));
        ok(json!({"type":"field","field":"custom.renewal","op":"lt","value":"2025-01-01"}));
        ok(json!({"type":"field","field":"industry","op":"is_set"}));
        let (_, r) = err(json!({"type":"tag","name":"  "}));
        assert!(r.starts_with("empty"));
        err(json!({"type":"tier","tiers":[]}));
    }

    #[test]
    fn scores_are_one_to_five() {
        ok(json!({"type":"rfm","measure":"r","op":"ge","value":"1"}));
        ok(json!({"type":"rfm","measure":"r","op":"ge","value":"5"}));
        err(json!({"type":"rfm","measure":"r","op":"ge","value":"0"}));
        err(json!({"type":"rfm","measure":"m","op":"ge","value":"6"}));
        err(json!({"type":"rfm","measure":"frequency","op":"ge","value":"1.5"}));
        ok(json!({"type":"rfm","measure":"monetary","op":"ge","value":"1000.50"}));
        err(json!({"type":"rfm","measure":"monetary","op":"ge","value":"-1"}));
    }

    #[test]
    fn depth_and_size_are_bounded() {
        let mut c = json!({"type":"tag","name":"x"});
        for _ in 0..(MAX_DEPTH - 1) {
            c = json!({"type":"not","of":c});
        }
        ok(c.clone());
        let (_, r) = err(json!({"type":"not","of":c}));
        assert!(r.starts_with("too_deep"));
        let many: Vec<_> = (0..MAX_NODES - 1)
            .map(|_| json!({"type":"tag","name":"x"}))
            .collect();
        ok(json!({"type":"any","of":many}));
        let many: Vec<_> = (0..MAX_NODES)
            .map(|_| json!({"type":"tag","name":"x"}))
            .collect();
        let (_, r) = err(json!({"type":"any","of":many}));
        assert!(r.starts_with("too_large"));
    }
}
