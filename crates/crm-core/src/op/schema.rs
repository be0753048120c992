//! The JSON Schema document of every operation (`schema/crm.schema.json`, `meta.ops`):
//! request and response schemas under `$defs`, one entry per operation naming them.

use super::{visit, Operation, Visitor};
use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde_json::{json, Map, Value};

struct Collect {
    generator: SchemaGenerator,
    ops: Map<String, Value>,
}

impl Visitor for Collect {
    fn visit<O: Operation>(&mut self) {
        let request = self.generator.subschema_for::<O>();
        let response = self.generator.subschema_for::<O::Response>();
        self.ops.insert(
            O::NAME.to_owned(),
            json!({
                "summary": O::SUMMARY,
                "module": O::MODULE.as_str(),
                "action": O::ACTION.as_str(),
                "request": request.to_value(),
                "response": response.to_value(),
            }),
        );
    }
}

/// Every operation with the JSON Schemas (draft 2020-12) of its request and response:
/// `{"$schema", "title", "ops": {name: {summary, module, action, request, response}},
/// "$defs": {...}}`. Deterministic: the same engine gives the same bytes.
pub fn schema_document() -> Value {
    let mut collect = Collect {
        generator: SchemaSettings::draft2020_12().into_generator(),
        ops: Map::new(),
    };
    visit(&mut collect);
    let defs: Map<String, Value> = collect
        .generator
        .definitions()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "crm operations",
        "description": "Every operation of the crm engine: its request and response. Generated from crm_core::op; do not edit.",
        "ops": collect.ops,
        "$defs": defs,
    })
}

/// The request and response schemas of one operation, each self-contained (subschemas
/// inlined), as `meta.ops` hands them to hosts.
pub fn inline_schemas<O: Operation>() -> (Value, Value) {
    let settings = SchemaSettings::draft2020_12().with(|s| s.inline_subschemas = true);
    let request = settings
        .clone()
        .into_generator()
        .into_root_schema_for::<O>();
    let response = settings
        .into_generator()
        .into_root_schema_for::<O::Response>();
    (request.to_value(), response.to_value())
}
