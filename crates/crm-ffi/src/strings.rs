//! C strings in and out: borrowing NUL-terminated UTF-8 arguments, handing owned strings to
//! the host (freed with `crm_string_free`), and writing out-parameters.

use crate::error::{FfiError, FfiResult};
use std::ffi::{c_char, CStr, CString};

/// Borrows a required NUL-terminated UTF-8 argument named `name`.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that stays valid and unchanged for `'a`.
pub(crate) unsafe fn arg<'a>(ptr: *const c_char, name: &str) -> FfiResult<&'a str> {
    match optional_arg(ptr, name)? {
        Some(s) => Ok(s),
        None => Err(FfiError::null(name)),
    }
}

/// Borrows an optional NUL-terminated UTF-8 argument (`None` for NULL).
///
/// # Safety
/// As for [`arg`].
pub(crate) unsafe fn optional_arg<'a>(
    ptr: *const c_char,
    name: &str,
) -> FfiResult<Option<&'a str>> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: non-NULL, and the caller guarantees a NUL-terminated string living for 'a.
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes
        .to_str()
        .map(Some)
        .map_err(|e| FfiError::utf8(name, e))
}

/// Borrows an optional NUL-terminated UTF-8 argument, `default` for NULL.
///
/// # Safety
/// As for [`arg`].
pub(crate) unsafe fn arg_or<'a>(
    ptr: *const c_char,
    name: &str,
    default: &'a str,
) -> FfiResult<&'a str> {
    if ptr.is_null() {
        return Ok(default);
    }
    // SAFETY: forwarded from this function's contract.
    unsafe { arg(ptr, name) }
}

/// Turns `text` into a string owned by the host. JSON text never holds a raw NUL (serde
/// escapes it), so the error arm only guards against misuse.
pub(crate) fn into_owned_c(text: String) -> FfiResult<*mut c_char> {
    match CString::new(text) {
        Ok(c) => Ok(c.into_raw()),
        Err(_) => Err(FfiError::panic("output text held a NUL byte")),
    }
}

/// Writes `text` as a host-owned string to `out` unless `out` is NULL (the host did not
/// want it; nothing is allocated then).
///
/// # Safety
/// `out` is NULL or valid for writing one pointer.
pub(crate) unsafe fn write_string(out: *mut *mut c_char, text: String) -> FfiResult<()> {
    if out.is_null() {
        return Ok(());
    }
    let owned = into_owned_c(text)?;
    // SAFETY: `out` is non-NULL and the caller guarantees it is writable.
    unsafe { out.write(owned) };
    Ok(())
}

/// Frees a string made by [`into_owned_c`]; NULL is a no-op.
///
/// # Safety
/// `ptr` is NULL or a pointer this library returned and that was not freed yet.
pub(crate) unsafe fn free(ptr: *mut c_char) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: the caller guarantees `ptr` came from `CString::into_raw` in this library and
    // is freed once.
    drop(unsafe { CString::from_raw(ptr) });
}
