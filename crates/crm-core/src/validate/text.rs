//! Rules every text from outside obeys, whatever field it fills:
//!
//! - **No NUL character**, anywhere: not in names, filters, labels, options, notes, keys of
//!   custom-field maps, nor in any other string of any input. [`texts`] walks a whole input
//!   (every string and every map key of its serialized form), so no field of an input type
//!   can be forgotten; the error names the field by its path (`fields[0].field`).
//! - **Bounded length**: [`MAX_INPUT_TEXT`] characters for any text of any input; narrower
//!   limits apply per field ([`MAX_NAME`](super::MAX_NAME), [`MAX_TEXT`](super::MAX_TEXT),
//!   [`MAX_NOTE`](super::MAX_NOTE), 40 for phones, 254 for e-mails, 50 for tags). A CSV
//!   import's text is bounded by its row count instead.
//! - **Errors quote at most a short prefix** of the offending input: [`quote`] keeps the
//!   first [`QUOTE_CHARS`] characters, so a 10 MB value yields a short message.

use crate::error::{CrmError, CrmResult};
use serde::Serialize;
use serde_json::Value;

/// Longest text accepted in any field of any input, in characters.
pub const MAX_INPUT_TEXT: usize = 100_000;

/// Most characters of an input an error message quotes.
pub const QUOTE_CHARS: usize = 32;

/// `value` quoted for an error message: its first [`QUOTE_CHARS`] characters, escaped as a
/// Rust string literal, followed by `…` when it was longer.
pub fn quote(value: &str) -> String {
    match value.char_indices().nth(QUOTE_CHARS) {
        None => format!("{value:?}"),
        Some((cut, _)) => format!("{:?}…", &value[..cut]),
    }
}

/// At most `max` characters of `text`, with `…` when cut (for messages that embed text
/// produced from input, such as a parser's own error).
pub fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((cut, _)) => format!("{}…", &text[..cut]),
    }
}

/// Refuses a NUL character in `value`.
pub fn no_nul(value: &str, field: &str) -> CrmResult<()> {
    if value.contains('\0') {
        return Err(CrmError::validation(field, "contains a NUL character"));
    }
    Ok(())
}

/// Checks every text of `input` (each string and map key of its serialized form): no NUL,
/// at most [`MAX_INPUT_TEXT`] characters. Errors name the field by its path below `root`
/// (`root` itself for a bare string; `""` for none).
pub fn texts<T: Serialize + ?Sized>(input: &T, root: &str) -> CrmResult<()> {
    let value = serde_json::to_value(input)
        .map_err(|e| CrmError::validation(root, truncate(&e.to_string(), 100)))?;
    json_texts(&value, root, Some(MAX_INPUT_TEXT))
}

/// As [`texts`] over a JSON value, with an optional length limit.
pub fn json_texts(value: &Value, root: &str, max: Option<usize>) -> CrmResult<()> {
    match value {
        Value::String(s) => {
            no_nul(s, root)?;
            if let Some(max) = max {
                if s.len() > max && s.chars().count() > max {
                    return Err(CrmError::validation(
                        root,
                        format!("longer than {max} characters"),
                    ));
                }
            }
            Ok(())
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| json_texts(v, &format!("{root}[{i}]"), max)),
        Value::Object(map) => map.iter().try_for_each(|(k, v)| {
            let path = match root {
                "" => k.clone(),
                _ => format!("{root}.{k}"),
            };
            if k.contains('\0') {
                return Err(CrmError::validation(
                    root,
                    format!("key {} contains a NUL character", quote(k)),
                ));
            }
            json_texts(v, &path, max)
        }),
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field_of(e: CrmError) -> String {
        match e {
            CrmError::Validation { field, .. } => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn quotes_keep_a_short_prefix() {
        assert_eq!(quote("CNY"), "\"CNY\"");
        assert_eq!(quote(&"x".repeat(32)), format!("{:?}", "x".repeat(32)));
        assert_eq!(quote(&"x".repeat(33)), format!("{:?}…", "x".repeat(32)));
        assert!(quote(&"元".repeat(10_000_000)).len() < 200);
        assert_eq!(truncate("abcdef", 3), "abc…");
        assert_eq!(truncate("abc", 3), "abc");
    }

    #[test]
    fn nul_anywhere_is_named_by_its_path() {
        let ok = json!({"name": "a", "fields": [{"field": "phone"}], "n": 1, "x": null});
        assert!(json_texts(&ok, "", None).is_ok());
        let bad = json!({"name": "a", "fields": [{"field": "ph\u{0}one"}]});
        assert_eq!(
            field_of(json_texts(&bad, "", None).unwrap_err()),
            "fields[0].field"
        );
        let key = json!({"custom": {"k\u{0}": 1}});
        assert_eq!(field_of(json_texts(&key, "", None).unwrap_err()), "custom");
        assert_eq!(
            field_of(texts("a\u{0}", "name_contains").unwrap_err()),
            "name_contains"
        );
        assert_eq!(
            field_of(texts(&["ok", "\u{0}"], "tags").unwrap_err()),
            "tags[1]"
        );
    }

    #[test]
    fn any_text_is_bounded() {
        let at = "x".repeat(MAX_INPUT_TEXT);
        assert!(texts(&at, "t").is_ok());
        let over = "x".repeat(MAX_INPUT_TEXT + 1);
        let err = texts(&over, "t").unwrap_err();
        assert_eq!(field_of(err.clone()), "t");
        assert!(err.to_string().len() < 200);
        assert!(json_texts(&json!(over), "t", None).is_ok());
    }
}
