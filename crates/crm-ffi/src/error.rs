//! The error a call reports across the boundary, and its JSON form
//! `{"code","kind","message","field"?,"rule"?, …details}`.

use crate::status::crm_status;
use crm_core::error::{MAX_DETAIL_CHARS, MAX_FIELD_CHARS};
use crm_core::validate::truncate;
use crm_core::CrmError;

/// Longest message an error object carries, in characters.
const MAX_MESSAGE_CHARS: usize = MAX_FIELD_CHARS + MAX_DETAIL_CHARS + 20;
use serde_json::{json, Map, Value};

/// A failed call: its status and the JSON object handed to the host.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FfiError {
    pub status: crm_status,
    pub message: String,
    pub field: Option<String>,
    /// Further members of the error object (`rule`, `existing`, …).
    pub details: Map<String, Value>,
}

impl FfiError {
    /// An error; the message is cut to [`MAX_MESSAGE_CHARS`] characters, since parser
    /// messages quote the input (an unknown 10 MB key would otherwise come back whole).
    pub fn new(status: crm_status, message: impl Into<String>) -> Self {
        Self {
            status,
            message: truncate(&message.into(), MAX_MESSAGE_CHARS),
            field: None,
            details: Map::new(),
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(truncate(&field.into(), MAX_FIELD_CHARS));
        self
    }

    /// Adds a member; a text member is cut to `MAX_DETAIL_CHARS` characters like the
    /// message, so no detail quotes an input in full.
    fn with(mut self, key: &str, value: Value) -> Self {
        let value = match value {
            Value::String(text) => Value::String(truncate(&text, MAX_DETAIL_CHARS)),
            other => other,
        };
        self.details.insert(key.to_owned(), value);
        self
    }

    pub fn null(argument: &str) -> Self {
        Self::new(crm_status::CRM_NULL_ARGUMENT, format!("{argument} is NULL")).with_field(argument)
    }

    pub fn utf8(argument: &str, err: std::str::Utf8Error) -> Self {
        Self::new(
            crm_status::CRM_INVALID_UTF8,
            format!("{argument} is not valid UTF-8: {err}"),
        )
        .with_field(argument)
    }

    pub fn json(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(crm_status::CRM_MALFORMED_JSON, message).with_field(field)
    }

    /// A request member the engine's strict readers refused (an amount that is not a plain
    /// decimal string): a validation error of that member, like the engine's own.
    pub fn validation(field: impl Into<String>, reason: impl Into<String>) -> Self {
        let field = field.into();
        let reason = reason.into();
        Self::new(
            crm_status::CRM_VALIDATION,
            format!("invalid {field}: {reason}"),
        )
        .with_field(field)
        .with("reason", json!(reason))
    }

    pub fn panic(message: impl Into<String>) -> Self {
        Self::new(crm_status::CRM_PANIC, message)
    }

    pub fn runtime(message: impl Into<String>) -> Self {
        Self::new(crm_status::CRM_RUNTIME, message)
    }

    /// The JSON object handed to the host.
    pub fn to_json(&self) -> String {
        let mut object = Map::new();
        object.insert("code".into(), json!(self.status as i32));
        object.insert("kind".into(), json!(self.status.kind()));
        object.insert("message".into(), json!(self.message));
        if let Some(field) = &self.field {
            object.insert("field".into(), json!(field));
        }
        for (k, v) in &self.details {
            object.entry(k.clone()).or_insert_with(|| v.clone());
        }
        Value::Object(object).to_string()
    }
}

impl From<CrmError> for FfiError {
    fn from(err: CrmError) -> Self {
        let status = match crm_status::from_code(err.code()) {
            Some(status) => status,
            None => crm_status::CRM_STORAGE,
        };
        let base = FfiError::new(status, err.to_string());
        match err {
            CrmError::Validation { field, reason } => {
                base.with_field(field).with("reason", json!(reason))
            }
            CrmError::NotFound { entity, id } => {
                base.with("entity", json!(entity)).with("id", json!(id))
            }
            CrmError::PermissionDenied {
                module,
                action,
                field,
            } => {
                let e = base
                    .with("module", json!(module))
                    .with("action", json!(action));
                match field {
                    Some(f) => e.with_field(f),
                    None => e,
                }
            }
            CrmError::Conflict { detail } => base.with("detail", json!(detail)),
            CrmError::RuleViolation { rule, detail } => {
                base.with("rule", json!(rule)).with("detail", json!(detail))
            }
            CrmError::Duplicate {
                entity,
                existing,
                owner,
                matched_on,
            } => base
                .with("entity", json!(entity))
                .with("existing", json!(existing))
                .with("owner", json!(owner))
                .with("matched_on", json!(matched_on)),
            CrmError::Storage(_) => base,
            CrmError::Incomplete {
                operation,
                through_line,
                committed,
                cause,
            } => {
                let mut e = FfiError::from(*cause);
                e.message = base.message;
                e.with("operation", json!(operation))
                    .with("through_line", json!(through_line))
                    .with("committed_count", json!(committed.len()))
                    .with("committed", json!(committed))
            }
            // A kind added to the engine later still answers with its code and message.
            _ => base,
        }
    }
}

/// The outcome of one call's body.
pub(crate) type FfiResult<T> = Result<T, FfiError>;

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Value {
        match serde_json::from_str(s) {
            Ok(v) => v,
            Err(_) => Value::Null,
        }
    }

    #[test]
    fn validation_names_the_field() {
        let e = FfiError::from(CrmError::validation("phone", "too short"));
        let v = parse(&e.to_json());
        assert_eq!(v["code"], 1);
        assert_eq!(v["kind"], "validation");
        assert_eq!(v["field"], "phone");
        assert_eq!(v["message"], "invalid phone: too short");
    }

    #[test]
    fn an_interrupted_import_keeps_its_cause_status_and_names_what_was_committed() {
        let e = FfiError::from(CrmError::Incomplete {
            operation: "customer.import_csv".into(),
            through_line: 601,
            committed: vec![
                crm_core::error::Committed { line: 2, id: 40 },
                crm_core::error::Committed { line: 4, id: 41 },
            ],
            cause: Box::new(CrmError::Storage("disk full".into())),
        });
        assert_eq!(e.status, crm_status::CRM_STORAGE);
        let v = parse(&e.to_json());
        assert_eq!(
            (v["code"].clone(), v["kind"].clone()),
            (7.into(), "storage".into())
        );
        assert_eq!(v["operation"], "customer.import_csv");
        assert_eq!(v["through_line"], 601);
        assert_eq!(v["committed_count"], 2);
        assert_eq!(v["committed"][1]["line"], 4);
        assert_eq!(v["committed"][1]["id"], 41);
        let message = v["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("2 rows") && message.contains("disk full"),
            "{message}"
        );
    }

    #[test]
    fn rule_violation_names_the_rule() {
        let e = FfiError::from(CrmError::rule("held_limit", "3 of 3"));
        let v = parse(&e.to_json());
        assert_eq!(
            (v["code"].as_i64(), v["rule"].as_str()),
            (Some(5), Some("held_limit"))
        );
    }
}
