//! `meta.*`: what this library offers. No actor needed.

use super::{Empty, Op, Request};
use crate::error::{FfiError, FfiResult};
use serde_json::{json, Value};

pub(super) const OPS: &[Op] = &[
    Op {
        name: "meta.ops",
        calls: "",
        summary: "Every op crm_call dispatches: [{op, summary, request, rust}]: request is a short JSON description (\"?\" marks optional members), rust the Crm method run.",
        request: "{}",
        handler: list_ops,
    },
    Op {
        name: "meta.version",
        calls: "",
        summary: "The library version: {\"version\": \"x.y.z\"} (also CRM_VERSION in crm.h).",
        request: "{}",
        handler: version,
    },
];

fn list_ops(r: &Request<'_>) -> FfiResult<String> {
    let _: Empty = r.parse()?;
    let ops: Vec<Value> = super::ops()
        .map(|op| {
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
