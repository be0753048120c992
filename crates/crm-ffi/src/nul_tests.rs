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
        let description: Value = serde_json::from_str(op.request).expect("description is JSON");
        for (path, request) in with_one_nul(&concrete(&description)) {
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
