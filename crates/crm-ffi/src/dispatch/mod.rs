//! `crm_call`'s op table: every operation of the engine's registry (`crm_core::op`),
//! dispatched with no per-op code ([`generated`]), plus `meta.*`, which describe this
//! library.

mod generated;
mod meta;

use crate::error::{FfiError, FfiResult};
use crate::handle::{crm_db, Engine};
use crm_core::{Actor, CrmResult};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::future::Future;
use std::sync::Arc;

/// One operation `crm_call` dispatches.
pub(crate) struct Op {
    /// Name, `family.verb`.
    pub name: &'static str,
    /// The `Crm` method it runs (empty for `meta.*`).
    pub calls: &'static str,
    /// One line for `meta.ops`.
    pub summary: &'static str,
    /// Short JSON description of the request (shown by `meta.ops`); empty for ops from the
    /// registry, which have `schemas`.
    pub request: &'static str,
    /// Runs the op.
    pub handler: fn(&Request<'_>) -> FfiResult<String>,
    /// Module and action of an op from the registry.
    pub access: Option<(&'static str, &'static str)>,
    /// Request and response JSON Schemas of an op from the registry.
    pub schemas: Option<fn() -> (serde_json::Value, serde_json::Value)>,
}

/// Every op: the registry's, then `meta.*`.
pub(crate) fn ops() -> impl Iterator<Item = &'static Op> {
    static REGISTERED: std::sync::OnceLock<Vec<Op>> = std::sync::OnceLock::new();
    REGISTERED
        .get_or_init(generated::ops)
        .iter()
        .chain(meta::OPS.iter())
}

/// The op named `name`.
pub(crate) fn find(name: &str) -> Option<&'static Op> {
    ops().find(|op| op.name == name)
}

/// Parses a JSON object into `T`; failures name `argument` and, when known, the path inside
/// it. (Arrays are refused up front: serde would read them as structs by position.)
pub(crate) fn parse_json<T: DeserializeOwned>(text: &str, argument: &str) -> FfiResult<T> {
    if !text.trim_start().starts_with('{') {
        return Err(FfiError::json(
            argument,
            format!("{argument}: expected a JSON object"),
        ));
    }
    no_nul(text)?;
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.to_string();
        let mut field = argument.to_owned();
        // Only a shape error has a meaningful path; a syntax error is about the text.
        if !inner.is_data() {
            return FfiError::json(field, format!("{argument}: {message}"));
        }
        if path.starts_with('[') {
            field = format!("{argument}{path}");
        } else if path != "." {
            field = format!("{argument}.{path}");
        }
        // An amount in any other form than a decimal string is bad input of that member,
        // reported exactly like the engine's own validation errors.
        if message.contains(crm_core::money::strict::ERROR_MARK) {
            return FfiError::validation(field, message);
        }
        if let Some(missing) = message
            .strip_prefix("missing field `")
            .and_then(|m| m.split('`').next())
        {
            field = format!("{field}.{missing}");
        }
        FfiError::json(field, format!("{argument}: {message}"))
    })?;
    de.end()
        .map_err(|e| FfiError::json(argument, format!("{argument}: {e}")))?;
    Ok(value)
}

/// Refuses a NUL character (`\u0000`, the only way one fits in a C string of JSON) in any
/// string or key of a request, naming its path (`patch.name`), before any op sees it. The
/// engine refuses them too (`crm_core::validate::texts`); this covers every op at once.
fn no_nul(text: &str) -> FfiResult<()> {
    if !text.contains("\\u0000") {
        return Ok(());
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) => crm_core::validate::json_texts(&value, "", None).map_err(FfiError::from),
        // Not JSON: the deserializer reports it.
        Err(_) => Ok(()),
    }
}

/// What one `crm_call` hands its op: the handle, the actor (if given) and the request.
pub(crate) struct Request<'a> {
    db: &'a crm_db,
    actor: Option<Actor>,
    json: &'a str,
}

impl<'a> Request<'a> {
    pub(crate) fn new(db: &'a crm_db, actor: Option<Actor>, json: &'a str) -> Self {
        Self { db, actor, json }
    }

    /// The acting party; required by every op but `meta.*`.
    pub(crate) fn actor(&self) -> FfiResult<Actor> {
        match self.actor {
            Some(a) => Ok(a),
            None => Err(FfiError::null("actor_json")),
        }
    }

    /// The request parsed as the op's request type.
    pub(crate) fn parse<T: DeserializeOwned>(&self) -> FfiResult<T> {
        parse_json(self.json, "request_json")
    }

    /// Runs an engine operation on the handle.
    pub(crate) fn run<T, F, Fut>(&self, op: F) -> FfiResult<String>
    where
        T: Serialize,
        F: FnOnce(Arc<Engine>) -> Fut,
        Fut: Future<Output = CrmResult<T>>,
    {
        self.db.run(op)
    }
}

/// A request without members: `{}`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Empty {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_descriptions_are_json() {
        let mut seen = std::collections::BTreeSet::new();
        for op in ops() {
            assert!(seen.insert(op.name), "{} twice", op.name);
            assert!(op.name.contains('.'), "{}", op.name);
            if op.schemas.is_some() {
                continue;
            }
            assert!(
                serde_json::from_str::<serde_json::Value>(op.request).is_ok(),
                "{}: {}",
                op.name,
                op.request
            );
            assert!(!op.summary.is_empty());
        }
    }

    /// `pub async fn`s of the service layer without an op, and ops naming no such fn.
    fn coverage() -> (Vec<String>, Vec<String>) {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../crm-core/src/service");
        let mut engine = std::collections::BTreeSet::new();
        let Ok(entries) = std::fs::read_dir(dir) else {
            panic!("cannot read {dir}");
        };
        for entry in entries.flatten() {
            let Ok(text) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            for part in text.split("pub async fn ").skip(1) {
                let name: String = part
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                engine.insert(name);
            }
        }
        let mut dispatched: std::collections::BTreeSet<String> = ops()
            .map(|op| op.calls.to_owned())
            .filter(|c| !c.is_empty())
            .collect();
        // Ops from the registry: the engine calls their `Operation` impls make.
        let registry = concat!(env!("CARGO_MANIFEST_DIR"), "/../crm-core/src/op");
        for entry in std::fs::read_dir(registry).into_iter().flatten().flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            for part in text.split("crm.").skip(1) {
                let name: String = part
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if part[name.len()..].starts_with('(') && engine.contains(&name) {
                    dispatched.insert(name);
                }
            }
        }
        let missing = engine.difference(&dispatched).cloned().collect();
        let stale = dispatched.difference(&engine).cloned().collect();
        (missing, stale)
    }

    /// Every op names a real service operation (and the strict test below requires the
    /// converse).
    #[test]
    fn every_op_runs_a_service_operation() {
        let (missing, stale) = coverage();
        assert!(stale.is_empty(), "ops naming no engine fn: {stale:?}");
        if !missing.is_empty() {
            println!("NOTICE: service operations without an op yet: {missing:?}");
        }
    }

    /// Every `pub async fn` of the service layer has an op: a new service operation without
    /// one fails the build's tests.
    #[test]
    fn every_service_operation_has_an_op() {
        let (missing, _) = coverage();
        assert!(missing.is_empty(), "not dispatched: {missing:?}");
    }

    #[test]
    fn parse_errors_name_the_path() {
        let missing =
            parse_json::<crm_core::service::DepartmentInput>(r#"{"id": 1}"#, "request_json");
        assert_eq!(
            missing.err().and_then(|e| e.field),
            Some("request_json.name".to_owned())
        );
        let wrong = parse_json::<crm_core::service::DepartmentInput>(
            r#"{"id": "x", "name": "a"}"#,
            "request_json",
        );
        assert_eq!(
            wrong.err().and_then(|e| e.field),
            Some("request_json.id".to_owned())
        );
        let float = parse_json::<crm_core::tier::PurchaseInput>(
            r#"{"customer_id": 1, "at": "2024-01-01T00:00:00Z", "amount": 1.5, "currency": "CNY"}"#,
            "request_json",
        );
        let float = float.err();
        assert_eq!(
            float.as_ref().map(|e| e.status),
            Some(crate::status::crm_status::CRM_VALIDATION)
        );
        assert_eq!(
            float.and_then(|e| e.field),
            Some("request_json.amount".to_owned())
        );
        let trailing = parse_json::<Empty>("{} x", "request_json");
        assert_eq!(
            trailing.err().map(|e| e.status),
            Some(crate::status::crm_status::CRM_MALFORMED_JSON)
        );
    }
}
