//! `meta.*` through `crm_call`: `actor_json` as JSON `null` is no actor, exactly like a NULL
//! pointer (`meta.*` answer, every other op refuses naming `actor_json`), and `meta.ops`
//! lists every operation of the engine's registry with its schemas, as the committed
//! `schema/crm.schema.json` does.

use crate::api::{crm_call, crm_close, crm_open, crm_string_free};
use crate::handle::crm_db;
use crate::status::crm_status;
use serde_json::Value;
use std::ffi::{c_char, CStr, CString};
use std::ptr;

/// Calls `op` with `actor` (None: a NULL pointer); the status and the response or error.
fn call(db: *const crm_db, actor: Option<&str>, op: &str) -> (crm_status, Value) {
    let actor = actor.map(|a| CString::new(a).expect("actor"));
    let op = CString::new(op).expect("op");
    let mut response: *mut c_char = ptr::null_mut();
    let mut error: *mut c_char = ptr::null_mut();
    // SAFETY: NUL-terminated strings or NULL, local out-pointers; `db` is live.
    let status = unsafe {
        crm_call(
            db,
            actor.as_ref().map_or(ptr::null(), |a| a.as_ptr()),
            op.as_ptr(),
            c"{}".as_ptr(),
            &mut response,
            &mut error,
        )
    };
    let out = if response.is_null() { error } else { response };
    let parsed = if out.is_null() {
        Value::Null
    } else {
        // SAFETY: a string this library made; freed once here.
        let text = unsafe { CStr::from_ptr(out) }
            .to_string_lossy()
            .into_owned();
        unsafe { crm_string_free(out) };
        serde_json::from_str(&text).unwrap_or(Value::Null)
    };
    (status, parsed)
}

#[test]
fn json_null_is_no_actor() {
    let mut db: *mut crm_db = ptr::null_mut();
    // SAFETY: NUL-terminated strings and a local out-pointer.
    let opened = unsafe {
        crm_open(
            c":memory:".as_ptr(),
            c"{}".as_ptr(),
            &mut db,
            ptr::null_mut(),
        )
    };
    assert_eq!(opened, crm_status::CRM_OK);
    for actor in [None, Some("null"), Some("  null ")] {
        let (status, version) = call(db, actor, "meta.version");
        assert_eq!(status, crm_status::CRM_OK, "{actor:?}");
        assert!(version["version"].is_string(), "{version}");
        let (status, ops) = call(db, actor, "meta.ops");
        assert_eq!(status, crm_status::CRM_OK, "{actor:?}");
        assert!(ops.as_array().is_some_and(|o| o.len() > 70), "{actor:?}");
        let (status, error) = call(db, actor, "tenant.get");
        assert_eq!(status, crm_status::CRM_NULL_ARGUMENT, "{actor:?}: {error}");
        assert_eq!(error["field"], "actor_json");
    }
    // Not null and not an object: still malformed, not "no actor".
    let (status, error) = call(db, Some("nul"), "meta.version");
    assert_eq!(status, crm_status::CRM_MALFORMED_JSON, "{error}");
    // SAFETY: `db` is live and no call is in flight.
    unsafe { crm_close(db) };
}

#[test]
fn meta_ops_and_the_schema_file_list_every_registered_operation() {
    use crm_core::op::{Operation, Visitor};
    struct Check {
        listed: std::collections::BTreeMap<String, Value>,
        file: Value,
        seen: usize,
    }
    impl Visitor for Check {
        fn visit<O: Operation>(&mut self) {
            self.seen += 1;
            let entry = self
                .listed
                .get(O::NAME)
                .unwrap_or_else(|| panic!("{} not listed", O::NAME));
            assert_eq!(entry["summary"], O::SUMMARY, "{}", O::NAME);
            assert_eq!(entry["module"], O::MODULE.as_str(), "{}", O::NAME);
            assert_eq!(entry["action"], O::ACTION.as_str(), "{}", O::NAME);
            assert_eq!(entry["request"]["type"], "object", "{}", O::NAME);
            assert!(entry["response"].is_object(), "{}", O::NAME);
            let committed = &self.file["ops"][O::NAME];
            assert!(
                committed["request"].is_object(),
                "{} not in the schema file",
                O::NAME
            );
            assert!(
                committed["response"].is_object(),
                "{} not in the schema file",
                O::NAME
            );
        }
    }
    let mut db: *mut crm_db = ptr::null_mut();
    // SAFETY: NUL-terminated strings and a local out-pointer.
    let opened = unsafe {
        crm_open(
            c":memory:".as_ptr(),
            c"{}".as_ptr(),
            &mut db,
            ptr::null_mut(),
        )
    };
    assert_eq!(opened, crm_status::CRM_OK);
    let (status, ops) = call(db, None, "meta.ops");
    assert_eq!(status, crm_status::CRM_OK);
    // SAFETY: `db` is live and no call is in flight.
    unsafe { crm_close(db) };
    let listed = ops
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| (e["op"].as_str().unwrap_or_default().to_owned(), e.clone()))
        .collect();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema/crm.schema.json");
    let file = std::fs::read_to_string(path).unwrap_or_default();
    let mut check = Check {
        listed,
        file: serde_json::from_str(&file).unwrap_or(Value::Null),
        seen: 0,
    };
    crm_core::op::visit(&mut check);
    assert!(check.seen >= 76, "{} operations", check.seen);
    // Nothing else but meta.* is listed.
    assert_eq!(check.listed.len(), check.seen + 2);
}
