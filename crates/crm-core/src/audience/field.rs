//! Customer fields a `field` condition reads, their values, and the field operators.

use super::condition::FieldOp;
use crate::customer::Customer;
use chrono::NaiveDate;
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde_json::Value as Json;
use std::str::FromStr;

/// The built-in customer fields a condition may name (besides `custom.<key>`).
pub const FIELDS: &[&str] = &[
    "name",
    "kind",
    "industry",
    "source",
    "level",
    "deal_status",
    "tier",
    "owner_id",
    "pool_id",
    "locked",
    "open_opportunities",
    "created_on",
];

/// Longest custom-field key.
const MAX_KEY: usize = 64;

/// Whether `name` is a field a condition may read: a built-in one, or `custom.<key>` with a
/// key of ASCII letters, digits and `_` (1 to 64 characters).
pub fn known(name: &str) -> bool {
    match name.strip_prefix("custom.") {
        Some(key) => {
            !key.is_empty()
                && key.len() <= MAX_KEY
                && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        None => FIELDS.contains(&name),
    }
}

/// A field's value as conditions see it.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Missing,
    Text(String),
    Number(Decimal),
    Bool(bool),
    Date(NaiveDate),
    List(Vec<Val>),
}

fn number(n: &serde_json::Number) -> Val {
    Decimal::from_str(&n.to_string())
        .or_else(|_| Decimal::from_scientific(&n.to_string()))
        .map(Val::Number)
        .unwrap_or(Val::Missing)
}

/// A JSON value (custom fields, literals) as a [`Val`]: `YYYY-MM-DD` strings are dates.
fn from_json(v: &Json) -> Val {
    match v {
        Json::Null => Val::Missing,
        Json::Bool(b) => Val::Bool(*b),
        Json::Number(n) => number(n),
        Json::String(s) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) if s.len() == 10 => Val::Date(d),
            _ => Val::Text(s.clone()),
        },
        Json::Array(items) => Val::List(items.iter().map(from_json).collect()),
        Json::Object(_) => Val::Missing,
    }
}

fn text(v: Option<&str>) -> Val {
    v.map_or(Val::Missing, |s| Val::Text(s.to_owned()))
}

fn read(c: &Customer, name: &str, tz: Tz) -> Val {
    if let Some(key) = name.strip_prefix("custom.") {
        return c.custom.get(key).map_or(Val::Missing, from_json);
    }
    match name {
        "name" => Val::Text(c.name.clone()),
        "kind" => Val::Text(c.kind.as_str().to_owned()),
        "industry" => text(c.industry.as_deref()),
        "source" => c
            .source
            .and_then(|s| serde_json::to_value(s).ok())
            .map_or(Val::Missing, |j| from_json(&j)),
        "level" => text(c.level.map(|l| l.as_str())),
        "deal_status" => Val::Text(c.deal_status.as_str().to_owned()),
        "tier" => text(c.tier.as_deref()),
        "owner_id" => c.owner_id.map_or(Val::Missing, |u| Val::Number(u.0.into())),
        "pool_id" => c.pool_id.map_or(Val::Missing, |p| Val::Number(p.0.into())),
        "locked" => Val::Bool(c.locked),
        "open_opportunities" => Val::Number(c.open_opportunities.into()),
        "created_on" => Val::Date(super::calendar::local_date(c.created_at, tz)),
        _ => Val::Missing,
    }
}

fn same(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Number(x), Val::Number(y)) => x == y,
        (Val::Text(x), Val::Date(y)) | (Val::Date(y), Val::Text(x)) => {
            *x == y.format("%Y-%m-%d").to_string()
        }
        (Val::Missing, _) | (_, Val::Missing) => false,
        _ => a == b,
    }
}

fn order(a: &Val, b: &Val) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Val::Number(x), Val::Number(y)) => Some(x.cmp(y)),
        (Val::Date(x), Val::Date(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn is_set(v: &Val) -> bool {
    match v {
        Val::Missing => false,
        Val::Text(s) => !s.trim().is_empty(),
        Val::List(l) => !l.is_empty(),
        _ => true,
    }
}

/// Evaluates `field op value` on a customer (total: a type mismatch is simply false).
pub fn holds(c: &Customer, name: &str, op: FieldOp, value: Option<&Json>, tz: Tz) -> bool {
    let v = read(c, name, tz);
    let lit = value.map_or(Val::Missing, from_json);
    use std::cmp::Ordering::{Equal, Greater, Less};
    match op {
        FieldOp::IsSet => is_set(&v),
        FieldOp::IsNotSet => !is_set(&v),
        FieldOp::Eq => same(&v, &lit),
        FieldOp::Ne => !same(&v, &lit),
        FieldOp::In => match &lit {
            Val::List(items) => items.iter().any(|i| same(&v, i)),
            _ => false,
        },
        FieldOp::Contains => match (&v, &lit) {
            (Val::Text(s), Val::Text(needle)) => s.to_lowercase().contains(&needle.to_lowercase()),
            (Val::List(items), l) => items.iter().any(|i| same(i, l)),
            _ => false,
        },
        FieldOp::Gt => order(&v, &lit) == Some(Greater),
        FieldOp::Ge => matches!(order(&v, &lit), Some(Greater | Equal)),
        FieldOp::Lt => order(&v, &lit) == Some(Less),
        FieldOp::Le => matches!(order(&v, &lit), Some(Less | Equal)),
    }
}

/// Checks a field literal for its operator; returns the error rule and message.
pub fn check_literal(op: FieldOp, value: Option<&Json>) -> Result<(), String> {
    let lit = value.map(from_json);
    match (op, lit) {
        (FieldOp::IsSet | FieldOp::IsNotSet, _) => Ok(()),
        (_, None | Some(Val::Missing)) => Err("value_required: this operator needs a value".into()),
        (FieldOp::In, Some(Val::List(items))) => {
            if items.is_empty() || items.len() > super::MAX_LIST {
                Err(format!("list_size: 1 to {} values", super::MAX_LIST))
            } else if items
                .iter()
                .any(|i| matches!(i, Val::List(_) | Val::Missing))
            {
                Err("bad_value: list values must be strings, numbers, booleans or dates".into())
            } else {
                Ok(())
            }
        }
        (FieldOp::In, Some(_)) => Err("bad_value: `in` needs a list".into()),
        (
            FieldOp::Gt | FieldOp::Ge | FieldOp::Lt | FieldOp::Le,
            Some(Val::Number(_) | Val::Date(_)),
        ) => Ok(()),
        (FieldOp::Gt | FieldOp::Ge | FieldOp::Lt | FieldOp::Le, Some(_)) => {
            Err("bad_value: compare with a number or a YYYY-MM-DD date".into())
        }
        (_, Some(Val::List(_))) => Err("bad_value: a list is only allowed with `in`".into()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn customer() -> Customer {
        let mut c = crate::audience::eval::tests::customer();
        c.industry = Some("Manufacturing".into());
        c.custom.insert("score".into(), json!(42));
        c.custom.insert("renewal".into(), json!("2024-06-30"));
        c.custom.insert("regions".into(), json!(["north", "east"]));
        c
    }

    fn tz() -> Tz {
        "Asia/Shanghai".parse().unwrap()
    }

    #[test]
    fn operators_on_text_numbers_dates_and_lists() {
        let c = customer();
        let h = |f: &str, op, v: Json| holds(&c, f, op, Some(&v), tz());
        assert!(h("industry", FieldOp::Eq, json!("Manufacturing")));
        assert!(h("industry", FieldOp::Contains, json!("manu")));
        assert!(!h("industry", FieldOp::Eq, json!("manufacturing")));
        assert!(h("kind", FieldOp::In, json!(["person", "company"])));
        assert!(h("custom.score", FieldOp::Ge, json!(42)));
        assert!(!h("custom.score", FieldOp::Gt, json!(42)));
        assert!(
            !h("custom.score", FieldOp::Gt, json!("41.99")),
            "a string is not a number"
        );
        assert!(h("custom.renewal", FieldOp::Le, json!("2024-06-30")));
        assert!(!h("custom.renewal", FieldOp::Lt, json!("2024-06-30")));
        assert!(h("custom.regions", FieldOp::Contains, json!("east")));
        assert!(!h("custom.regions", FieldOp::Contains, json!("west")));
        assert!(holds(&c, "level", FieldOp::IsNotSet, None, tz()));
        assert!(!holds(&c, "industry", FieldOp::IsNotSet, None, tz()));
        assert!(h("level", FieldOp::Ne, json!("A")), "unset is not equal");
        assert!(!h("level", FieldOp::Eq, json!("A")));
        assert!(!h("custom.none", FieldOp::Gt, json!(0)));
    }

    #[test]
    fn created_on_is_the_local_date() {
        let mut c = customer();
        // 2024-04-14 16:00 UTC is 2024-04-15 00:00 in Shanghai.
        c.created_at = "2024-04-14T16:00:00Z".parse().unwrap();
        let on = |c: &Customer, d: &str| holds(c, "created_on", FieldOp::Eq, Some(&json!(d)), tz());
        assert!(on(&c, "2024-04-15"));
        c.created_at = "2024-04-14T15:59:59Z".parse().unwrap();
        assert!(!on(&c, "2024-04-15"));
        assert!(on(&c, "2024-04-14"));
    }

    #[test]
    fn field_names_and_literals_are_checked() {
        assert!(known("industry"));
        assert!(known("custom.region_2"));
        assert!(!known("custom."));
        assert!(!known("custom.a-b"));
        assert!(!known("password"));
        assert!(check_literal(FieldOp::Eq, None)
            .unwrap_err()
            .starts_with("value_required"));
        assert!(check_literal(FieldOp::In, Some(&json!("x")))
            .unwrap_err()
            .starts_with("bad_value"));
        assert!(check_literal(FieldOp::Gt, Some(&json!("abc"))).is_err());
        assert!(check_literal(FieldOp::Gt, Some(&json!("2024-01-01"))).is_ok());
        assert!(check_literal(FieldOp::IsSet, None).is_ok());
    }
}
