//! Normalization for the duplicate check (查重): phones to keys (bare national digits for China), company
//! names folded so that width, case, spacing, punctuation and legal suffixes do not matter.

/// Folds full-width ASCII (U+FF01–U+FF5E) to ASCII and the ideographic space to a space.
pub fn fold_width(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// Characters allowed in a phone number besides digits.
fn is_phone_punct(c: char) -> bool {
    matches!(c, ' ' | '-' | '(' | ')' | '+' | '.' | '/')
}

/// A phone number as E.164 (`+8613812345678`), a number without international prefix read
/// as Chinese; see [`super::phone`] for other default regions. `None` when it does not
/// parse.
pub fn normalize_phone(input: &str) -> Option<String> {
    super::phone::e164(input, phonenumber::country::Id::CN)
}

/// The duplicate-check key of a phone (the `phone_norm` column): its digits with the
/// country prefix removed for Chinese numbers: `+86 138-1234-5678`, `008613812345678` and
/// `１３８１２３４５６７８` all become `13812345678`; a number of another country keeps its
/// country code (`+49 30 1234567` → `49301234567`). Numbers written in national form for a
/// tenant of another region are stored in international form first
/// ([`super::phone::stored_form`]), so `030 1234567` in `DE` and `+49 30 1234567` share a
/// key. Returns `None` when the input has characters other than digits and phone
/// punctuation, or a digit count outside 5–15 after the prefix is stripped.
pub fn phone_key(input: &str) -> Option<String> {
    let folded = fold_width(input);
    let trimmed = folded.trim();
    if trimmed.is_empty()
        || !trimmed
            .chars()
            .all(|c| c.is_ascii_digit() || is_phone_punct(c))
    {
        return None;
    }
    let plus = trimmed.starts_with('+');
    if trimmed.chars().skip(1).any(|c| c == '+') {
        return None;
    }
    let mut digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    if plus || digits.starts_with("00") {
        let rest = digits.trim_start_matches("00").to_owned();
        digits = strip_country(&rest);
    } else if digits.len() == 13 && digits.starts_with("86") && digits[2..].starts_with('1') {
        // 86 + an 11-digit mainland mobile written without "+".
        digits = digits[2..].to_owned();
    } else {
        // Domestic trunk prefix: (010) 6552-9988 is +86 10 6552 9988.
        digits = digits.trim_start_matches('0').to_owned();
    }
    (5..=15).contains(&digits.len()).then_some(digits)
}

/// Strips a country calling code from international digits. China (86) is stripped to the
/// national number; other codes are kept so numbers of different countries never collide.
fn strip_country(digits: &str) -> String {
    match digits.strip_prefix("86") {
        Some(national) => national.trim_start_matches('0').to_owned(),
        None => digits.to_owned(),
    }
}

/// Legal-form suffixes ignored when comparing company names (already folded and stripped
/// of spaces and punctuation, lower case), longest first.
const SUFFIXES: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "分公司",
    "公司",
    "corporation",
    "company",
    "limited",
    "coltd",
    "corp",
    "gmbh",
    "ltd",
    "inc",
    "llc",
    "plc",
    "co",
];

/// Normalizes a company name: width folded, lower case, whitespace and punctuation removed,
/// legal suffixes (有限公司, Co., Ltd., Inc., …) stripped repeatedly from the end.
pub fn normalize_company_name(input: &str) -> String {
    let folded = fold_width(input).to_lowercase();
    let mut s: String = folded.chars().filter(|c| c.is_alphanumeric()).collect();
    loop {
        let before = s.len();
        for suffix in SUFFIXES {
            if s.len() > suffix.len() && s.ends_with(suffix) {
                s.truncate(s.len() - suffix.len());
                break;
            }
        }
        if s.len() == before {
            break;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_normalization_cases() {
        let n = |s: &str| phone_key(s);
        assert_eq!(n("13812345678").as_deref(), Some("13812345678"));
        assert_eq!(n("+86 138 1234 5678").as_deref(), Some("13812345678"));
        assert_eq!(n("+86-138-1234-5678").as_deref(), Some("13812345678"));
        assert_eq!(n("008613812345678").as_deref(), Some("13812345678"));
        assert_eq!(n("8613812345678").as_deref(), Some("13812345678"));
        assert_eq!(n("１３８１２３４５６７８").as_deref(), Some("13812345678"));
        assert_eq!(
            n("＋８６　１３８－１２３４－５６７８").as_deref(),
            Some("13812345678")
        );
        assert_eq!(n("(010) 6552-9988").as_deref(), Some("1065529988"));
        assert_eq!(n("+86 10 6552 9988").as_deref(), Some("1065529988"));
        assert_eq!(n("+1 (415) 555-0100").as_deref(), Some("14155550100"));
        assert_eq!(n("138.1234.5678").as_deref(), Some("13812345678"));
    }

    #[test]
    fn malformed_phones_are_refused() {
        for bad in [
            "",
            "   ",
            "abc",
            "138-1234-567x",
            "1234",
            "1+38",
            "1234567890123456",
            "电话13812345678",
        ] {
            assert_eq!(phone_key(bad), None, "{bad:?}");
        }
        // 5 digits is the shortest accepted, 15 the longest.
        assert!(phone_key("12345").is_some());
        assert!(phone_key("123456789012345").is_some());
    }

    #[test]
    fn company_name_normalization_cases() {
        let n = normalize_company_name;
        assert_eq!(n("北京星辰科技有限公司"), n("北京星辰科技"));
        assert_eq!(n("北京星辰科技股份有限公司"), n("北京星辰科技"));
        assert_eq!(n("北京星辰科技（有限公司）"), n("北京星辰科技"));
        assert_eq!(n("Acme Co., Ltd."), "acme");
        assert_eq!(n("ACME Co.,Ltd"), "acme");
        assert_eq!(n("Acme Inc."), "acme");
        assert_eq!(n("  acme   limited "), "acme");
        assert_eq!(n("ＡＣＭＥ　ＣＯ．，ＬＴＤ．"), "acme");
        assert_eq!(n("Acme GmbH"), "acme");
        assert_eq!(n("A.C.M.E."), "acme");
        assert_eq!(n("上海·明远 贸易有限责任公司"), n("上海明远贸易"));
        // Suffix only when something remains.
        assert_eq!(n("Co"), "co");
        assert_eq!(n("公司"), "公司");
        assert_ne!(n("Acme Trading"), n("Acme"));
    }
}
