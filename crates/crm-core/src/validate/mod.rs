//! Field validation shared by every record: required names, bounded text, phones, e-mails,
//! and the text rules of every input (`text`: no NUL, bounded length, short quotes in
//! errors). Every error names the field.

mod text;

pub use text::{json_texts, no_nul, quote, texts, truncate, MAX_INPUT_TEXT, QUOTE_CHARS};

use crate::customer::normalize::phone_key;
use crate::error::{CrmError, CrmResult};

/// Longest name accepted.
pub const MAX_NAME: usize = 200;
/// Longest free text (addresses, industries) accepted.
pub const MAX_TEXT: usize = 500;
/// Longest note (follow-up content) accepted.
pub const MAX_NOTE: usize = 10_000;

/// A required, trimmed, non-empty text of at most `max` characters without control
/// characters.
pub fn required_text(value: &str, field: &str, max: usize) -> CrmResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(CrmError::validation(field, "must not be empty"));
    }
    bounded(v, field, max)?;
    Ok(v.to_owned())
}

/// An optional text: `None` or blank becomes `None`; otherwise as [`required_text`].
pub fn optional_text(value: Option<&str>, field: &str, max: usize) -> CrmResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => required_text(v, field, max).map(Some),
    }
}

fn bounded(v: &str, field: &str, max: usize) -> CrmResult<()> {
    if v.chars().count() > max {
        return Err(CrmError::validation(
            field,
            format!("longer than {max} characters"),
        ));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(CrmError::validation(field, "contains control characters"));
    }
    Ok(())
}

/// An optional phone: must normalize (digits and phone punctuation, 5–15 digits).
pub fn optional_phone(value: Option<&str>, field: &str) -> CrmResult<Option<String>> {
    match optional_text(value, field, 40)? {
        None => Ok(None),
        Some(v) => match phone_key(&v) {
            Some(_) => Ok(Some(v)),
            None => Err(CrmError::validation(
                field,
                format!("{} is not a phone number", quote(&v)),
            )),
        },
    }
}

/// An optional e-mail: `local@domain.tld`, no spaces, at most 254 characters.
pub fn optional_email(value: Option<&str>, field: &str) -> CrmResult<Option<String>> {
    let Some(v) = optional_text(value, field, 254)? else {
        return Ok(None);
    };
    let ok = match v.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains("..")
                && !v.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if ok {
        Ok(Some(v))
    } else {
        Err(CrmError::validation(
            field,
            format!("{} is not an e-mail address", quote(&v)),
        ))
    }
}

/// Tags: each trimmed, non-empty, at most 50 characters; at most 20; duplicates dropped.
pub fn tags(values: &[String], field: &str) -> CrmResult<Vec<String>> {
    if values.len() > 20 {
        return Err(CrmError::validation(field, "at most 20 tags"));
    }
    let mut out: Vec<String> = Vec::new();
    for t in values {
        let t = required_text(t, field, 50)?;
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(e: CrmError) -> String {
        match e {
            CrmError::Validation { field, .. } => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn names_are_required_and_bounded() {
        assert_eq!(required_text("  Acme ", "name", 10).unwrap(), "Acme");
        assert_eq!(
            field_of(required_text("   ", "name", 10).unwrap_err()),
            "name"
        );
        assert!(required_text(&"x".repeat(10), "name", 10).is_ok());
        assert!(required_text(&"x".repeat(11), "name", 10).is_err());
        assert!(required_text("a\u{0}b", "name", 10).is_err());
    }

    #[test]
    fn emails() {
        for ok in ["a@b.cn", "zhang.san+crm@example.com.cn"] {
            assert!(optional_email(Some(ok), "email").is_ok(), "{ok}");
        }
        for bad in [
            "a", "a@b", "@b.cn", "a@@b.cn", "a b@c.cn", "a@.cn", "a@b.", "a@b..cn",
        ] {
            assert_eq!(
                field_of(optional_email(Some(bad), "email").unwrap_err()),
                "email",
                "{bad}"
            );
        }
        assert_eq!(optional_email(Some("  "), "email").unwrap(), None);
    }

    #[test]
    fn phones() {
        assert!(optional_phone(Some("+86 138 1234 5678"), "phone").is_ok());
        assert_eq!(
            field_of(optional_phone(Some("call me"), "phone").unwrap_err()),
            "phone"
        );
    }
}
