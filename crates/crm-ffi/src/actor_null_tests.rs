//! `actor_json` as JSON `null` is no actor, exactly like a NULL pointer: `meta.*` answer,
//! every other op refuses naming `actor_json`.

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
