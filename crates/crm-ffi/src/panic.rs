//! The panic boundary every exported function runs inside: a panic becomes `CRM_PANIC`
//! (or a harmless default for functions without a status), never an unwind into C.

use crate::error::{FfiError, FfiResult};
use crate::status::crm_status;
use crate::strings;
use std::any::Any;
use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};

fn message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        format!("panic: {s}")
    } else if let Some(s) = payload.downcast_ref::<String>() {
        format!("panic: {s}")
    } else {
        "panic".to_owned()
    }
}

/// Runs `body`; on failure (an error or a caught panic) writes the owned error JSON to
/// `error_json` unless it is NULL, and returns the status.
///
/// # Safety
/// `error_json` is NULL or valid for writing one pointer.
pub(crate) unsafe fn status_boundary<F>(error_json: *mut *mut c_char, body: F) -> crm_status
where
    F: FnOnce() -> FfiResult<()>,
{
    let outcome = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result,
        Err(payload) => Err(FfiError::panic(message(payload.as_ref()))),
    };
    let err = match outcome {
        Ok(()) => return crm_status::CRM_OK,
        Err(err) => err,
    };
    let status = err.status;
    let report = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: forwarded from this function's contract.
        unsafe { strings::write_string(error_json, err.to_json()) }
    }));
    if let Err(payload) = report {
        // The report itself panicked: nothing sensible can be written; the status stands.
        drop(payload);
    }
    status
}

/// Runs `body` for a function without a status; a panic yields `fallback`.
pub(crate) fn value_boundary<T, F>(fallback: T, body: F) -> T
where
    F: FnOnce() -> T,
{
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(value) => value,
        Err(_) => fallback,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn a_panic_becomes_crm_panic_with_an_error_json() {
        let mut error: *mut c_char = std::ptr::null_mut();
        // SAFETY: `error` is a writable local.
        let status = unsafe { status_boundary(&mut error, || panic!("boom")) };
        assert_eq!(status, crm_status::CRM_PANIC);
        assert!(!error.is_null());
        // SAFETY: the boundary wrote a NUL-terminated string made by this library.
        let text = unsafe { CStr::from_ptr(error) }
            .to_string_lossy()
            .into_owned();
        // SAFETY: freed once.
        unsafe { strings::free(error) };
        assert!(
            text.contains(r#""code":104"#) && text.contains("boom"),
            "{text}"
        );
        assert_eq!(value_boundary(7, || -> i32 { panic!("again") }), 7);
    }
}
