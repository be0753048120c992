//! A file's bytes on the wire: in JSON a base64 string (standard alphabet, padded), in
//! Rust plain bytes.

/// `#[serde(with = "base64_bytes")]` for a `Vec<u8>` field.
pub(crate) mod base64_bytes {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the bytes as base64.
    pub(crate) fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(bytes))
    }

    /// Reads base64 text; the error names what is wrong, not the input.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<u8>, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        STANDARD
            .decode(text.as_bytes())
            .map_err(|e| serde::de::Error::custom(format!("file: not base64 ({e})")))
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Holder {
        #[serde(with = "super::base64_bytes")]
        file: Vec<u8>,
    }

    #[test]
    fn bytes_travel_as_base64() {
        let h = Holder {
            file: "姓名\n".as_bytes().to_vec(),
        };
        let json = serde_json::to_string(&h).expect("json");
        assert_eq!(json, r#"{"file":"5aeT5ZCNCg=="}"#);
        assert_eq!(serde_json::from_str::<Holder>(&json).expect("back"), h);
        let bad = serde_json::from_str::<Holder>(r#"{"file":"not base64!"}"#)
            .expect_err("refused")
            .to_string();
        assert!(bad.contains("file: not base64"), "{bad}");
    }
}
