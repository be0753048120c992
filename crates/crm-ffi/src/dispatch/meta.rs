//! `meta.*`: what this library offers. No actor needed.

use super::{Empty, Op, Request};
use crate::error::{FfiError, FfiResult};
use serde_json::{json, Value};

pub(super) const OPS: &[Op] = &[
    Op {
        name: "meta.ops",
        calls: "",
        summary: "Every op crm_call dispatches: [{op, summary, module?, action?, request, response?, rust}]. For ops of the engine's registry, request and response are JSON Schemas (draft 2020-12, self-contained) and module/action name the grant that governs them; for the others request is a short JSON description (\"?\" marks optional members) and rust the Crm method run.",
        request: "{}",
        handler: list_ops,
        access: None,
        schemas: None,
    },
    Op {
        name: "meta.version",
        calls: "",
        summary: "The library version: {\"version\": \"x.y.z\"} (also CRM_VERSION in crm.h).",
        request: "{}",
        handler: version,
        access: None,
        schemas: None,
    },
];

fn list_ops(r: &Request<'_>) -> FfiResult<String> {
    let _: Empty = r.parse()?;
    let ops: Vec<Value> = super::ops()
        .map(|op| {
            if let (Some(schemas), Some((module, action))) = (op.schemas, op.access) {
                let (request, response) = schemas();
                return json!({ "op": op.name, "summary": op.summary, "module": module,
                    "action": action, "request": request, "response": response,
                    "rust": "Crm::execute" });
            }
            let request = match serde_json::from_str::<Value>(op.request) {
                Ok(v) => v,
                Err(_) => Value::String(op.request.to_owned()),
            };
            json!({ "op": op.name, "summary": op.summary, "request": request, "rust": op.calls })
        })
        .collect();
    serde_json::to_string(&ops).map_err(|e| FfiError::panic(e.to_string()))
}

fn version(r: &Request<'_>) -> FfiResult<String> {
    let _: Empty = r.parse()?;
    Ok(json!({ "version": crate::VERSION }).to_string())
}
