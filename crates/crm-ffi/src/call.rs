//! The bodies of the exported functions, working on checked Rust values; `api.rs` wraps each
//! in the panic boundary.

use crate::dispatch::{self, Request};
use crate::error::{FfiError, FfiResult};
use crate::handle::crm_db;
use crate::options::OpenOptions;
use crate::status::crm_status;
use crate::strings;
use crm_core::Actor;
use std::ffi::c_char;

/// Borrows the handle behind `db`.
///
/// # Safety
/// `db` is NULL or a live handle from `crm_open`.
unsafe fn borrow<'a>(db: *const crm_db) -> FfiResult<&'a crm_db> {
    // SAFETY: the caller guarantees a live handle if non-NULL; `as_ref` handles NULL.
    match unsafe { db.as_ref() } {
        Some(db) => Ok(db),
        None => Err(FfiError::null("db")),
    }
}

/// Parses `actor_json` (`None` when NULL).
///
/// # Safety
/// As for [`strings::optional_arg`].
unsafe fn actor(actor_json: *const c_char) -> FfiResult<Option<Actor>> {
    // SAFETY: forwarded from this function's contract.
    match unsafe { strings::optional_arg(actor_json, "actor_json") }? {
        // JSON `null` is no actor, exactly like a NULL pointer (`meta.*` need none).
        Some(text) if text.trim() == "null" => Ok(None),
        Some(text) => dispatch::parse_json(text, "actor_json").map(Some),
        None => Ok(None),
    }
}

/// `crm_open`.
///
/// # Safety
/// See `crm_open`.
pub(crate) unsafe fn open(
    url: *const c_char,
    options_json: *const c_char,
    out: *mut *mut crm_db,
) -> FfiResult<()> {
    if out.is_null() {
        return Err(FfiError::null("out"));
    }
    // SAFETY: forwarded from `crm_open`'s contract.
    let url = unsafe { strings::arg(url, "url") }?;
    // SAFETY: forwarded from `crm_open`'s contract.
    let options =
        OpenOptions::parse(unsafe { strings::optional_arg(options_json, "options_json") }?)?;
    let db = Box::new(crm_db::open(url, &options)?);
    // SAFETY: `out` is non-NULL and writable per `crm_open`'s contract.
    unsafe { out.write(Box::into_raw(db)) };
    Ok(())
}

/// `crm_close`.
///
/// # Safety
/// See `crm_close`.
pub(crate) unsafe fn close(db: *mut crm_db) {
    if db.is_null() {
        return;
    }
    // SAFETY: a non-NULL `db` came from `Box::into_raw` in `open` and is closed once.
    let db = unsafe { Box::from_raw(db) };
    db.close();
}

/// `crm_call`.
///
/// # Safety
/// See `crm_call`.
pub(crate) unsafe fn call(
    db: *const crm_db,
    actor_json: *const c_char,
    op: *const c_char,
    request_json: *const c_char,
    response_json: *mut *mut c_char,
) -> FfiResult<()> {
    // SAFETY: forwarded from `crm_call`'s contract.
    let db = unsafe { borrow(db) }?;
    // SAFETY: forwarded from `crm_call`'s contract.
    let name = unsafe { strings::arg(op, "op") }?;
    let Some(op) = dispatch::find(name) else {
        return Err(FfiError::new(
            crm_status::CRM_UNKNOWN_OP,
            format!("unknown op {name:?}; the op \"meta.ops\" lists them"),
        )
        .with_field("op"));
    };
    // SAFETY: forwarded from `crm_call`'s contract.
    let actor = unsafe { actor(actor_json) }?;
    // SAFETY: forwarded from `crm_call`'s contract.
    let request = unsafe { strings::arg_or(request_json, "request_json", "{}") }?;
    let response = (op.handler)(&Request::new(db, actor, request))?;
    // SAFETY: forwarded from `crm_call`'s contract.
    unsafe { strings::write_string(response_json, response) }
}

/// `crm_events_after`.
///
/// # Safety
/// See `crm_events_after`.
pub(crate) unsafe fn events_after(
    db: *const crm_db,
    actor_json: *const c_char,
    cursor: i64,
    limit: u32,
    out_json: *mut *mut c_char,
) -> FfiResult<()> {
    // SAFETY: forwarded from `crm_events_after`'s contract.
    let db = unsafe { borrow(db) }?;
    // SAFETY: forwarded from `crm_events_after`'s contract.
    let actor = match unsafe { actor(actor_json) }? {
        Some(a) => a,
        None => return Err(FfiError::null("actor_json")),
    };
    let events = db.run(move |crm| async move { crm.events_after(actor, cursor, limit).await })?;
    // SAFETY: forwarded from `crm_events_after`'s contract.
    unsafe { strings::write_string(out_json, events) }
}
