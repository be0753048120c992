//! Phone numbers of any country, read with the `phonenumber` crate (Google's libphonenumber
//! metadata) and a per-tenant default region (`TenantSettings::phone_region`, default `CN`).
//!
//! - **Region**: a number written without an international prefix (`030 1234567`) is read
//!   in the tenant's region. For a tenant whose region is not `CN`, such a number is stored
//!   in international form (`+49 30 1234567`), so that every later reader — the duplicate
//!   check, masks, exports — sees the same number without knowing the region. Numbers of a
//!   `CN` tenant are stored as written, as before.
//! - **E.164**: [`e164`] gives `+4930123456` style numbers.
//! - **Masks** ([`mask`]) keep the number's own shape: a Chinese number shows its national
//!   form's leading group and last four digits (`138****5678`, `028****8888`); any other
//!   number shows its country code, its first national group and its last four digits,
//!   with the digits between starred (`+1 415-***-0100`, `+49 30-***-4567`). Shorter
//!   numbers fall back to `access::mask_phone`'s plain rule (first 3 and last 4
//!   characters, all stars up to seven).

use crate::error::{CrmError, CrmResult};
use phonenumber::country::Id;
use phonenumber::{Mode, PhoneNumber};

/// The region used when a tenant sets none.
pub const DEFAULT_REGION: &str = "CN";

/// Most digits a phone number may have (E.164 allows 15; prefixes such as `00` add two).
const MAX_DIGITS: usize = 17;

/// The region `code` (ISO 3166-1 alpha-2, upper case, e.g. `CN`, `DE`, `US`) as the phone
/// library knows it; a validation error naming `field` otherwise.
pub fn region(code: &str, field: &str) -> CrmResult<Id> {
    code.parse::<Id>().map_err(|_| {
        CrmError::validation(
            field,
            format!(
                "{} is not a region code such as CN, DE or US",
                crate::validate::quote(code)
            ),
        )
    })
}

/// Parses `input` (full-width characters folded), reading it in `region` when it has no
/// international prefix. `None` for anything but digits and phone punctuation, or a digit
/// count outside 5–17 (checked before the library sees the text).
pub fn parse(input: &str, region: Id) -> Option<PhoneNumber> {
    let folded = super::normalize::fold_width(input);
    let text = folded.trim();
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let plain = text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '+' | '.' | '/'));
    if !plain || !(5..=MAX_DIGITS).contains(&digits) {
        return None;
    }
    let text = match text.strip_prefix("00") {
        Some(rest) => format!("+{rest}"),
        None => text.to_owned(),
    };
    phonenumber::parse(Some(region), &text).ok()
}

/// `input` as an E.164 number (`+8613812345678`), read in `region`.
pub fn e164(input: &str, region: Id) -> Option<String> {
    parse(input, region).map(|n| n.format().mode(Mode::E164).to_string())
}

/// Whether `input` starts with an international prefix (`+`, `＋` or `00`).
fn is_international(input: &str) -> bool {
    let t = super::normalize::fold_width(input);
    let t = t.trim_start();
    t.starts_with('+') || t.starts_with("00")
}

/// The form to store for a phone written by a tenant of region `code`: as written for `CN`
/// tenants and for numbers with an international prefix; otherwise the international form
/// read in the tenant's region (`030 1234567` in `DE` → `+49 30 1234567`).
pub fn stored_form(input: &str, code: &str) -> CrmResult<String> {
    if code == DEFAULT_REGION || is_international(input) {
        return Ok(input.to_owned());
    }
    let region = region(code, "settings.phone_region")?;
    Ok(parse(input, region)
        .map(|n| n.format().mode(Mode::International).to_string())
        .unwrap_or_else(|| input.to_owned()))
}

/// The mask of `phone` (see the module docs); `None` when it does not parse or its shape
/// would hide nothing (a short number whose first group and last four digits are all of it).
pub fn mask(phone: &str) -> Option<String> {
    let number = parse(phone, Id::CN)?;
    let national = number.national().to_string();
    let chinese = number.code().value() == 86;
    let shown = if chinese {
        number.format().mode(Mode::National).to_string()
    } else {
        number.format().mode(Mode::International).to_string()
    };
    let mut groups = shown.split([' ', '-']).filter(|g| !g.is_empty());
    if !chinese {
        groups.next(); // the "+cc" group
    }
    let first: String = groups
        .next()?
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    // Digits of the national number after the first group (a leading trunk 0 in the
    // national form is not part of the national number).
    let first_len = first.trim_start_matches('0').len();
    if national.len() <= 7 || national.len() < first_len + 4 {
        // Short numbers: the caller's plain mask (all stars up to seven characters).
        return None;
    }
    let hidden = national.len() - first_len - 4;
    if hidden == 0 {
        // Nothing would be hidden: the caller's plain 3 + 4 mask applies.
        return None;
    }
    let last = &national[national.len() - 4..];
    let stars = "*".repeat(hidden);
    Some(if chinese {
        format!("{first}{stars}{last}")
    } else {
        format!("+{} {first}-{stars}-{last}", number.code().value())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_the_numbers_shape() {
        assert_eq!(mask("13812345678").as_deref(), Some("138****5678"));
        assert_eq!(mask("+86 138 1234 5678").as_deref(), Some("138****5678"));
        assert_eq!(mask("028-6666-8888").as_deref(), Some("028****8888"));
        assert_eq!(mask("+1 415 555 0100").as_deref(), Some("+1 415-***-0100"));
        assert_eq!(mask("+49 30 1234567").as_deref(), Some("+49 30-***-4567"));
        assert_eq!(mask("call me"), None);
    }

    #[test]
    fn national_numbers_are_read_in_the_tenants_region() {
        assert_eq!(e164("030 1234567", Id::DE).as_deref(), Some("+49301234567"));
        assert_eq!(
            e164("+49 30 1234567", Id::CN).as_deref(),
            Some("+49301234567")
        );
        assert_eq!(
            e164("13812345678", Id::CN).as_deref(),
            Some("+8613812345678")
        );
        assert_eq!(
            e164("008613812345678", Id::DE).as_deref(),
            Some("+8613812345678")
        );
        assert_eq!(
            e164("(415) 555-0100", Id::US).as_deref(),
            Some("+14155550100")
        );
        assert_eq!(
            stored_form("030 1234567", "DE").expect("de"),
            "+49 30 1234567"
        );
        assert_eq!(stored_form("030 1234567", "CN").expect("cn"), "030 1234567");
        assert_eq!(
            stored_form("+1 415 555 0100", "DE").expect("intl"),
            "+1 415 555 0100"
        );
        assert!(region("XX", "r").is_err());
        assert!(region("de", "r").is_err());
        assert!(region("DE", "r").is_ok());
        assert_eq!(parse("1234", Id::CN), None);
        assert_eq!(parse(&"1".repeat(18), Id::CN), None);
    }
}
