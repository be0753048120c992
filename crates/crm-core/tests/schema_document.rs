//! `schema/crm.schema.json` is the engine's operation registry as JSON Schema: committed so
//! hosts can generate types without building the engine, and checked here so it never goes
//! stale. After changing an operation: `CRM_BLESS=1 cargo test -p crm-core --test
//! schema_document`, then commit the file.

use crm_core::op::{schema_document, visit, Operation, Visitor};
use serde_json::Value;

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema/crm.schema.json");

fn fresh() -> String {
    let text = serde_json::to_string_pretty(&schema_document()).unwrap_or_default();
    text + "\n"
}

#[test]
fn the_committed_schema_is_current() {
    let fresh = fresh();
    if std::env::var_os("CRM_BLESS").is_some() {
        std::fs::write(PATH, &fresh).unwrap_or_else(|e| panic!("writing {PATH}: {e}"));
    }
    let committed = std::fs::read_to_string(PATH).unwrap_or_default();
    assert!(
        committed == fresh,
        "schema/crm.schema.json is stale: run CRM_BLESS=1 cargo test -p crm-core --test schema_document and commit it"
    );
}

#[test]
fn the_document_is_deterministic() {
    assert_eq!(fresh(), fresh());
}

/// Every registered operation has an entry whose request and response schemas resolve.
#[test]
fn every_operation_has_request_and_response_schemas() {
    struct Check {
        doc: Value,
        names: Vec<&'static str>,
    }
    impl Visitor for Check {
        fn visit<O: Operation>(&mut self) {
            self.names.push(O::NAME);
            let entry = &self.doc["ops"][O::NAME];
            assert_eq!(entry["summary"], O::SUMMARY, "{}", O::NAME);
            assert_eq!(entry["module"], O::MODULE.as_str(), "{}", O::NAME);
            assert_eq!(entry["action"], O::ACTION.as_str(), "{}", O::NAME);
            for side in ["request", "response"] {
                let schema = &entry[side];
                assert!(
                    schema.is_object() || schema.is_boolean(),
                    "{} {side}",
                    O::NAME
                );
                if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
                    let name = target.trim_start_matches("#/$defs/");
                    assert!(
                        self.doc["$defs"].get(name).is_some(),
                        "{} {side}: {target} is not defined",
                        O::NAME
                    );
                }
            }
            // A request is always an object: hosts send `{...}`.
            let mut request = &entry["request"];
            while let Some(target) = request.get("$ref").and_then(Value::as_str) {
                request = &self.doc["$defs"][target.trim_start_matches("#/$defs/")];
            }
            assert_eq!(request["type"], "object", "{}", O::NAME);
        }
    }
    let mut check = Check {
        doc: schema_document(),
        names: Vec::new(),
    };
    visit(&mut check);
    assert!(check.names.len() >= 13, "{:?}", check.names);
    let listed = check.doc["ops"].as_object().map(|m| m.len()).unwrap_or(0);
    assert_eq!(listed, check.names.len(), "one entry per operation");
    let mut unique = check.names.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), check.names.len(), "names are unique");
}
