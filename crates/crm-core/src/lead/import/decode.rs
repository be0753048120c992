//! The text of a CSV file from its bytes: UTF-8 (with or without a byte-order mark) or
//! GBK/GB18030, declared by the host or detected. Detection: a UTF-8 byte-order mark means
//! UTF-8; bytes that are valid UTF-8 are UTF-8; otherwise the file is read as GB18030 (a
//! superset of GBK, what Chinese spreadsheet programs save as "CSV"). Decoding is strict:
//! a byte sequence the encoding does not define refuses the file, naming its line, rather
//! than importing replacement characters. Decoders are `encoding_rs`'s (the WHATWG ones).

use crate::error::{CrmError, CrmResult};
use encoding_rs::{DecoderResult, Encoding, GB18030, GBK};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// The text encoding of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TextEncoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// GBK (read with the GB18030 decoder, which accepts every GBK file).
    Gbk,
    /// GB18030.
    Gb18030,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The file's text and the encoding it was read in.
pub fn decode(
    bytes: &[u8],
    declared: Option<TextEncoding>,
) -> CrmResult<(Cow<'_, str>, TextEncoding)> {
    let has_bom = bytes.starts_with(UTF8_BOM);
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(CrmError::validation(
            "encoding",
            "a UTF-16 file is not read: save the sheet as CSV in UTF-8 or GBK",
        ));
    }
    match declared {
        Some(TextEncoding::Utf8) => utf8(bytes).map(|t| (t, TextEncoding::Utf8)),
        Some(other) if has_bom => Err(CrmError::validation(
            "encoding",
            format!(
                "the file starts with a UTF-8 byte-order mark, not {}",
                other.name()
            ),
        )),
        Some(TextEncoding::Gbk) => strict(GBK, bytes).map(|t| (t, TextEncoding::Gbk)),
        Some(TextEncoding::Gb18030) => strict(GB18030, bytes).map(|t| (t, TextEncoding::Gb18030)),
        None if has_bom => utf8(bytes).map(|t| (t, TextEncoding::Utf8)),
        None => match std::str::from_utf8(bytes) {
            Ok(text) => Ok((Cow::Borrowed(text), TextEncoding::Utf8)),
            Err(_) => strict(GB18030, bytes)
                .map(|t| (t, TextEncoding::Gb18030))
                .map_err(|_| {
                    CrmError::validation(
                        "encoding",
                        "neither UTF-8 nor GB18030/GBK text; declare the encoding or save the sheet as UTF-8 CSV",
                    )
                }),
        },
    }
}

impl TextEncoding {
    /// Stable name.
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf8",
            TextEncoding::Gbk => "gbk",
            TextEncoding::Gb18030 => "gb18030",
        }
    }
}

/// UTF-8 text without its byte-order mark; invalid bytes refuse the file.
fn utf8(bytes: &[u8]) -> CrmResult<Cow<'_, str>> {
    let body = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    std::str::from_utf8(body)
        .map(Cow::Borrowed)
        .map_err(|e| malformed("UTF-8", body, e.valid_up_to()))
}

/// `bytes` decoded by `encoding`, refused at the first sequence it does not define.
fn strict(encoding: &'static Encoding, bytes: &[u8]) -> CrmResult<Cow<'static, str>> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .ok_or_else(|| CrmError::validation("file", "too large to decode"))?;
    let mut text = String::with_capacity(capacity);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut text, true);
    match result {
        DecoderResult::InputEmpty => Ok(Cow::Owned(text)),
        DecoderResult::Malformed(bad, after) => {
            let at = read.saturating_sub(usize::from(bad) + usize::from(after));
            Err(malformed(encoding.name(), bytes, at))
        }
        DecoderResult::OutputFull => Err(malformed(encoding.name(), bytes, read)),
    }
}

/// The refusal for a byte sequence `encoding` does not define at byte `at`.
fn malformed(encoding: &str, bytes: &[u8], at: usize) -> CrmError {
    let line = bytes
        .get(..at)
        .map_or(0, |head| head.iter().filter(|&&b| b == b'\n').count())
        + 1;
    CrmError::validation(
        "encoding",
        format!("not valid {encoding} text at line {line} (byte {at})"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(text: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = GBK.encode(text);
        assert!(!unmappable);
        bytes.into_owned()
    }

    #[test]
    fn utf8_with_and_without_bom() {
        let (text, enc) = decode("姓名\n李雷\n".as_bytes(), None).expect("utf8");
        assert_eq!((text.as_ref(), enc), ("姓名\n李雷\n", TextEncoding::Utf8));
        let mut bom = UTF8_BOM.to_vec();
        bom.extend_from_slice("姓名\n".as_bytes());
        let (text, enc) = decode(&bom, None).expect("bom");
        assert_eq!((text.as_ref(), enc), ("姓名\n", TextEncoding::Utf8));
        let (text, _) = decode(&bom, Some(TextEncoding::Utf8)).expect("declared");
        assert_eq!(text, "姓名\n");
    }

    #[test]
    fn gbk_is_detected_and_declared() {
        let bytes = gbk("姓名,公司\n李雷,星辰科技\n");
        assert!(std::str::from_utf8(&bytes).is_err());
        let (text, enc) = decode(&bytes, None).expect("detected");
        assert_eq!(
            (text.as_ref(), enc),
            ("姓名,公司\n李雷,星辰科技\n", TextEncoding::Gb18030)
        );
        let (text, enc) = decode(&bytes, Some(TextEncoding::Gbk)).expect("declared");
        assert_eq!(
            (text.as_ref(), enc),
            ("姓名,公司\n李雷,星辰科技\n", TextEncoding::Gbk)
        );
        let (_, enc) = decode(&bytes, Some(TextEncoding::Gb18030)).expect("gb18030");
        assert_eq!(enc, TextEncoding::Gb18030);
    }

    #[test]
    fn bad_bytes_refuse_the_file_naming_the_line() {
        let field = |r: CrmResult<(Cow<'_, str>, TextEncoding)>| match r {
            Err(CrmError::Validation { field, reason }) => format!("{field}: {reason}"),
            other => panic!("expected a refusal, got {other:?}"),
        };
        // Invalid UTF-8 declared as UTF-8: the line of the bad byte.
        let e = field(decode(b"name\nok\n\xC3(\n", Some(TextEncoding::Utf8)));
        assert_eq!(e, "encoding: not valid UTF-8 text at line 3 (byte 8)");
        // Neither UTF-8 nor GB18030 (a lone lead byte at the end, 0xFF anywhere).
        let e = field(decode(b"name\n\xFF\n", None));
        assert!(e.starts_with("encoding: neither UTF-8 nor GB18030"), "{e}");
        let e = field(decode(b"name\nA\x81", Some(TextEncoding::Gbk)));
        assert!(
            e.starts_with("encoding: not valid GBK text at line 2"),
            "{e}"
        );
        // Conflicts with a byte-order mark; UTF-16 is refused.
        let e = field(decode(b"\xEF\xBB\xBFname\n", Some(TextEncoding::Gbk)));
        assert!(e.contains("byte-order mark, not gbk"), "{e}");
        let e = field(decode(b"\xFF\xFEn\0", None));
        assert!(e.contains("UTF-16"), "{e}");
        // Empty input is empty text.
        assert_eq!(decode(b"", None).expect("empty").0, "");
    }
}
