//! The exported functions. Each runs inside the panic boundary; the docs here become the
//! comments in `crm.h`.

use crate::handle::crm_db;
use crate::panic::{status_boundary, value_boundary};
use crate::status::{self, crm_status};
use crate::{call, strings};
use std::ffi::{c_char, c_int, CStr};

/// The crate version as a C string.
const VERSION_C: &CStr =
    match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(v) => v,
        Err(_) => c"unknown",
    };

/// Opens a database and returns a handle to it in `*out`.
///
/// - `url` (borrowed, required): a SQLite file path (created if missing), `:memory:` (a
///   private in-memory database), a `sqlite://` URL, or a `postgres://` / `postgresql://`
///   URL. The schema is migrated on open.
/// - `options_json` (borrowed, may be NULL): NULL, `""` or `{}` for defaults, or an object
///   with any of `max_attempts` (tries per operation on optimistic conflicts, default 5),
///   `max_connections`, `worker_threads` (default 2), `fixed_now` (RFC 3339: freeze the
///   engine's clock), SQLite `busy_timeout_ms`, PostgreSQL `schema` and
///   `acquire_timeout_ms`. Unknown keys are refused (`CRM_MALFORMED_JSON`).
/// - `out` (required): on `CRM_OK` receives a new handle, owned by the caller and released
///   with `crm_close`. Untouched on failure.
/// - `error_json` (may be NULL): on failure receives an error JSON string owned by the
///   caller (free with `crm_string_free`). Untouched on success.
///
/// # Safety
/// String arguments are NULL or NUL-terminated; `out` and `error_json` are NULL or valid for
/// writing one pointer.
#[no_mangle]
pub unsafe extern "C" fn crm_open(
    url: *const c_char,
    options_json: *const c_char,
    out: *mut *mut crm_db,
    error_json: *mut *mut c_char,
) -> crm_status {
    // SAFETY: the contract above is the one `status_boundary` and `call::open` need.
    unsafe { status_boundary(error_json, || call::open(url, options_json, out)) }
}

/// Closes a handle: waits for the store's connections to close and stops the handle's
/// runtime. NULL is a no-op. The handle must not be used afterwards, and no other thread may
/// be inside a call on it.
///
/// # Safety
/// `db` is NULL or a handle from `crm_open` not closed yet.
#[no_mangle]
pub unsafe extern "C" fn crm_close(db: *mut crm_db) {
    // SAFETY: forwarded from the contract above.
    value_boundary((), || unsafe { call::close(db) })
}

/// Runs the operation named `op` (e.g. `"customer.create"`; the op `"meta.ops"` lists all
/// with a description of each request) as the actor `actor_json`.
///
/// - `db` (borrowed, required): an open handle. Any number of threads may call at once.
/// - `actor_json` (borrowed): `{"type":"user","tenant":1,"user":12}` or
///   `{"type":"system","tenant":1}`. Required, except for `meta.*` ops.
/// - `op` (borrowed, required): the op name.
/// - `request_json` (borrowed, may be NULL = `{}`): the op's request, UTF-8 JSON mirroring
///   the Rust serde types (amounts as decimal strings, times as RFC 3339 UTC).
/// - `response_json` (may be NULL = not wanted): on `CRM_OK` receives the response JSON,
///   owned by the caller (free with `crm_string_free`). Untouched on failure.
/// - `error_json` (may be NULL = not wanted): on failure receives
///   `{"code":…,"kind":…,"message":…,"field"?:…,"rule"?:…}` plus kind-specific members
///   (`existing`, `owner`, `matched_on` for duplicates; `entity`, `id` for not found; …),
///   owned by the caller (free with `crm_string_free`). Untouched on success.
///
/// Returns `CRM_OK`, an engine error (1 to 7) or a boundary error (100 and up).
///
/// # Safety
/// `db` is NULL or a live handle; string arguments are NULL or NUL-terminated and stay
/// unchanged during the call; `response_json` and `error_json` are NULL or valid for writing
/// one pointer.
#[no_mangle]
pub unsafe extern "C" fn crm_call(
    db: *const crm_db,
    actor_json: *const c_char,
    op: *const c_char,
    request_json: *const c_char,
    response_json: *mut *mut c_char,
    error_json: *mut *mut c_char,
) -> crm_status {
    // SAFETY: the contract above is the one `status_boundary` and `call::call` need.
    unsafe {
        status_boundary(error_json, || {
            call::call(db, actor_json, op, request_json, response_json)
        })
    }
}

/// Reads the event outbox: events of the actor's tenant with `seq > cursor` (0 for the
/// beginning), oldest first, at most `limit` (1 to 1000). Needs a tenant admin or the system
/// actor. Pass the last `seq` you handled as the next `cursor`.
///
/// - `db`, `actor_json` (borrowed, required): as for `crm_call`.
/// - `out_json` (may be NULL): on `CRM_OK` receives a JSON array of
///   `{"tenant","seq","kind","at","entity","record_id","payload"}`, owned by the caller
///   (free with `crm_string_free`).
/// - `error_json` (may be NULL): on failure, as for `crm_call`.
///
/// # Safety
/// As for `crm_call`.
#[no_mangle]
pub unsafe extern "C" fn crm_events_after(
    db: *const crm_db,
    actor_json: *const c_char,
    cursor: i64,
    limit: u32,
    out_json: *mut *mut c_char,
    error_json: *mut *mut c_char,
) -> crm_status {
    // SAFETY: the contract above is the one `status_boundary` and `call::events_after` need.
    unsafe {
        status_boundary(error_json, || {
            call::events_after(db, actor_json, cursor, limit, out_json)
        })
    }
}

/// Frees a string this library returned (`response_json`, `error_json`, `out_json`). NULL is
/// a no-op. Never pass a string from anywhere else, and free each string once.
///
/// # Safety
/// `s` is NULL or a string returned by this library and not freed yet.
#[no_mangle]
pub unsafe extern "C" fn crm_string_free(s: *mut c_char) {
    // SAFETY: forwarded from the contract above.
    value_boundary((), || unsafe { strings::free(s) })
}

/// Static, NUL-terminated English text for a status code (any integer; unknown codes get
/// `"unknown status code"`). The string is owned by the library: never free it.
#[no_mangle]
pub extern "C" fn crm_status_str(code: c_int) -> *const c_char {
    value_boundary(c"panic".as_ptr(), || status::text_of(code))
}

/// The library version (`"x.y.z"`, equal to `CRM_VERSION` of the header it was built with).
/// Static, owned by the library: never free it.
#[no_mangle]
pub extern "C" fn crm_version() -> *const c_char {
    VERSION_C.as_ptr()
}
