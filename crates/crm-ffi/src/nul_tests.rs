//! NUL characters through `crm_call`: for every op, a request shaped like its description
//! gets `\u0000` in one string (or key) at a time. Every such call is `CRM_VALIDATION`
//! naming that string's path — never `CRM_STORAGE` or `CRM_PANIC` — on SQLite and on
//! PostgreSQL (which refuses NUL in text, so a NUL reaching it would be a storage error).

use crate::api::{crm_call, crm_close, crm_open, crm_string_free};
use crate::handle::crm_db;
use crate::status::crm_status;
use serde_json::{Map, Value};
use std::ffi::{c_char, CStr, CString};
use std::ptr;

/// A concrete request from an op's description: optional keys (`name?`) become keys,
/// descriptions of ints and bools become values, every other string becomes `"x"`.
fn concrete(description: &Value) -> Value {
    match description {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.trim_end_matches('?').to_owned(), concrete(v)))
                .collect::<Map<_, _>>(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(concrete).collect()),
        Value::String(s) if s.starts_with("int") => Value::from(1),
        Value::String(s) if s.starts_with("bool") => Value::Bool(false),
        Value::String(_) => Value::String("x".into()),
        other => other.clone(),
    }
}

/// A concrete request from an op's JSON Schema (ops of the registry): every property
/// present, the first alternative of a union, `"x"` for strings, 1 for numbers.
fn concrete_from_schema(schema: &Value) -> Value {
    let alternatives = schema.get("oneOf").or_else(|| schema.get("anyOf"));
    if let Some(alternatives) = alternatives.and_then(Value::as_array) {
        return alternatives
            .iter()
            .find(|a| a.get("type").and_then(Value::as_str) != Some("null"))
            .map(concrete_from_schema)
            .unwrap_or(Value::Null);
    }
    if let Some(value) = schema.get("const") {
        return value.clone();
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    let ty = match schema.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ if schema.get("properties").is_some() => "object",
        _ => "null",
    };
    match ty {
        "object" => {
            let mut map = Map::new();
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (k, v) in properties {
                    map.insert(k.clone(), concrete_from_schema(v));
                }
            } else if let Some(values) =
                schema.get("additionalProperties").filter(|v| v.is_object())
            {
                map.insert("x".into(), concrete_from_schema(values));
            }
            Value::Object(map)
        }
        "array" => match (schema.get("prefixItems"), schema.get("items")) {
            (Some(Value::Array(items)), _) => {
                Value::Array(items.iter().map(concrete_from_schema).collect())
            }
            (_, Some(items)) => Value::Array(vec![concrete_from_schema(items)]),
            _ => Value::Array(Vec::new()),
        },
        "string" => Value::String("x".into()),
        "integer" | "number" => Value::from(1),
        "boolean" => Value::Bool(false),
        _ => Value::Null,
    }
}

/// Every request with one string (or one key) made NUL-bearing, with the path a validation
/// error must name.
fn with_one_nul(request: &Value) -> Vec<(String, Value)> {
    fn walk(
        v: &Value,
        path: &str,
        out: &mut Vec<(String, Value)>,
        rebuild: &dyn Fn(Value) -> Value,
    ) {
        match v {
            Value::String(s) => {
                out.push((path.to_owned(), rebuild(Value::String(format!("{s}\0{s}")))))
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let at = format!("{path}[{i}]");
                    let items = items.clone();
                    walk(item, &at, out, &move |x| {
                        let mut items = items.clone();
                        items[i] = x;
                        rebuild(Value::Array(items))
                    });
                }
            }
            Value::Object(map) => {
                let mut keyed = map.clone();
                keyed.insert("k\0".into(), Value::from(1));
                out.push((path.to_owned(), rebuild(Value::Object(keyed))));
                for (k, item) in map {
                    let at = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    let (map, k) = (map.clone(), k.clone());
                    walk(item, &at, out, &move |x| {
                        let mut map = map.clone();
                        map.insert(k.clone(), x);
                        rebuild(Value::Object(map))
                    });
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(request, "", &mut out, &|x| x);
    out
}

/// One call; the status and the error object (if any).
fn call(db: *const crm_db, op: &str, request: &str) -> (crm_status, Value) {
    let (op, request) = (
        CString::new(op).expect("op name"),
        CString::new(request).expect("JSON escapes NUL"),
    );
    let mut error: *mut c_char = ptr::null_mut();
    // SAFETY: NUL-terminated strings and a local out-pointer; `db` is live.
    let status = unsafe {
        crm_call(
            db,
            cr#"{"type":"system","tenant":1}"#.as_ptr(),
            op.as_ptr(),
            request.as_ptr(),
            ptr::null_mut(),
            &mut error,
        )
    };
    let parsed = if error.is_null() {
        Value::Null
    } else {
        // SAFETY: an error string this library made; freed once here.
        let text = unsafe { CStr::from_ptr(error) }
            .to_string_lossy()
            .into_owned();
        unsafe { crm_string_free(error) };
        serde_json::from_str(&text).unwrap_or(Value::Null)
    };
    (status, parsed)
}

/// Runs every op with every NUL placement against the store at `url`.
fn every_op_refuses_nul(url: &str, options: &str) {
    let (url, options) = (
        CString::new(url).expect("url"),
        CString::new(options).expect("options"),
    );
    let mut db: *mut crm_db = ptr::null_mut();
    // SAFETY: NUL-terminated strings and a local out-pointer.
    let opened = unsafe { crm_open(url.as_ptr(), options.as_ptr(), &mut db, ptr::null_mut()) };
    assert_eq!(opened, crm_status::CRM_OK);
    let (setup, _) = call(db, "tenant.setup", r#"{"name":"Nul"}"#);
    assert_eq!(setup, crm_status::CRM_OK);
    let mut calls = 0;
    for op in crate::dispatch::ops().filter(|op| !op.name.starts_with("meta.")) {
        let shape = match op.schemas {
            Some(schemas) => concrete_from_schema(&schemas().0),
            None => concrete(&serde_json::from_str(op.request).expect("description is JSON")),
        };
        for (path, request) in with_one_nul(&shape) {
            let (status, error) = call(db, op.name, &request.to_string());
            assert_eq!(
                status,
                crm_status::CRM_VALIDATION,
                "{} with a NUL at {path:?}: {error}",
                op.name
            );
            assert_eq!(error["field"].as_str(), Some(path.as_str()), "{}", op.name);
            calls += 1;
        }
    }
    // SAFETY: `db` is live and no call is in flight.
    unsafe { crm_close(db) };
    assert!(calls > 150, "{calls} calls");
}

#[test]
fn nul_in_any_request_text_is_validation_on_sqlite() {
    every_op_refuses_nul(":memory:", "{}");
}

#[test]
fn nul_in_any_request_text_is_validation_on_postgres() {
    use crm_store_postgres::PostgresStore;
    let url = std::env::var("CRM_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let schema = format!("crm_nul_{}_{nanos}", std::process::id());
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    let store = match rt.block_on(PostgresStore::connect_with_schema(&url, &schema)) {
        Ok(store) => store,
        Err(e) if std::env::var_os("CI").is_none() => {
            println!("NOTICE: no PostgreSQL at {url} ({e}); skipping");
            return;
        }
        Err(e) => panic!("PostgreSQL at {url}: {e}"),
    };
    every_op_refuses_nul(&url, &format!(r#"{{"schema":"{schema}"}}"#));
    rt.block_on(store.drop_schema())
        .expect("drop the test schema");
}
