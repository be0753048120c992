//! Status codes: one stable number per outcome, never renumbered.

use std::ffi::{c_char, CStr};

/// What a `crm_*` function did. `CRM_OK` is success; codes 1 to 7 are exactly the engine's
/// error kinds (`CrmError::code()`); codes from 100 are failures of the C boundary itself.
/// Codes are never renumbered; new codes are only appended to a block.
#[allow(non_camel_case_types, clippy::enum_variant_names)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum crm_status {
    /// Success.
    CRM_OK = 0,
    /// Input failed validation; the error JSON names the `field`.
    CRM_VALIDATION = 1,
    /// The record does not exist in the actor's tenant.
    CRM_NOT_FOUND = 2,
    /// The actor may not do this; nothing was written.
    CRM_PERMISSION_DENIED = 3,
    /// An optimistic-concurrency race was lost repeatedly; nothing was written; safe to retry.
    CRM_CONFLICT = 4,
    /// A business rule refused the operation; the error JSON names the `rule`.
    CRM_RULE_VIOLATION = 5,
    /// The record duplicates an existing one (`existing`, `owner`, `matched_on` in the error).
    CRM_DUPLICATE = 6,
    /// The storage backend failed.
    CRM_STORAGE = 7,
    /// A required pointer argument was NULL (the error JSON names it in `field`).
    CRM_NULL_ARGUMENT = 100,
    /// A string argument was not valid UTF-8 (the error JSON names it in `field`).
    CRM_INVALID_UTF8 = 101,
    /// A JSON argument did not parse, or did not match the op's request type (`field` names
    /// the argument or the path inside the request).
    CRM_MALFORMED_JSON = 102,
    /// `op` is not an operation `crm_call` knows (see the op `"meta.ops"`).
    CRM_UNKNOWN_OP = 103,
    /// The library panicked; the call was abandoned. The handle stays usable.
    CRM_PANIC = 104,
    /// The async runtime could not be started, or failed.
    CRM_RUNTIME = 105,
}

/// Every status, in numeric order.
const ALL: [crm_status; 14] = [
    crm_status::CRM_OK,
    crm_status::CRM_VALIDATION,
    crm_status::CRM_NOT_FOUND,
    crm_status::CRM_PERMISSION_DENIED,
    crm_status::CRM_CONFLICT,
    crm_status::CRM_RULE_VIOLATION,
    crm_status::CRM_DUPLICATE,
    crm_status::CRM_STORAGE,
    crm_status::CRM_NULL_ARGUMENT,
    crm_status::CRM_INVALID_UTF8,
    crm_status::CRM_MALFORMED_JSON,
    crm_status::CRM_UNKNOWN_OP,
    crm_status::CRM_PANIC,
    crm_status::CRM_RUNTIME,
];

impl crm_status {
    /// Every status, in numeric order.
    pub fn all() -> [crm_status; 14] {
        ALL
    }

    /// The status of an engine error code (1 to 7); `None` for anything else.
    pub fn from_code(code: i32) -> Option<crm_status> {
        ALL.into_iter().find(|s| *s as i32 == code)
    }

    /// Stable snake_case name, used as `kind` in error JSON.
    pub fn kind(self) -> &'static str {
        match self {
            crm_status::CRM_OK => "ok",
            crm_status::CRM_VALIDATION => "validation",
            crm_status::CRM_NOT_FOUND => "not_found",
            crm_status::CRM_PERMISSION_DENIED => "permission_denied",
            crm_status::CRM_CONFLICT => "conflict",
            crm_status::CRM_RULE_VIOLATION => "rule_violation",
            crm_status::CRM_DUPLICATE => "duplicate",
            crm_status::CRM_STORAGE => "storage",
            crm_status::CRM_NULL_ARGUMENT => "null_argument",
            crm_status::CRM_INVALID_UTF8 => "invalid_utf8",
            crm_status::CRM_MALFORMED_JSON => "malformed_json",
            crm_status::CRM_UNKNOWN_OP => "unknown_op",
            crm_status::CRM_PANIC => "panic",
            crm_status::CRM_RUNTIME => "runtime",
        }
    }

    /// Static, NUL-terminated description.
    pub fn text(self) -> &'static CStr {
        match self {
            crm_status::CRM_OK => c"ok",
            crm_status::CRM_VALIDATION => c"invalid input",
            crm_status::CRM_NOT_FOUND => c"not found",
            crm_status::CRM_PERMISSION_DENIED => c"permission denied",
            crm_status::CRM_CONFLICT => c"conflict (concurrent change; safe to retry)",
            crm_status::CRM_RULE_VIOLATION => c"business rule violated",
            crm_status::CRM_DUPLICATE => c"duplicate record",
            crm_status::CRM_STORAGE => c"storage error",
            crm_status::CRM_NULL_ARGUMENT => c"NULL argument",
            crm_status::CRM_INVALID_UTF8 => c"string argument is not valid UTF-8",
            crm_status::CRM_MALFORMED_JSON => {
                c"malformed JSON or JSON not matching the request type"
            }
            crm_status::CRM_UNKNOWN_OP => c"unknown op",
            crm_status::CRM_PANIC => c"internal panic (caught at the boundary)",
            crm_status::CRM_RUNTIME => c"async runtime failure",
        }
    }
}

/// Text for a raw code, including codes this version does not know.
pub(crate) fn text_of(code: i32) -> *const c_char {
    match crm_status::from_code(code) {
        Some(status) => status.text().as_ptr(),
        None => c"unknown status code".as_ptr(),
    }
}

#[cfg(test)]
mod tests {
    use super::crm_status;

    #[test]
    fn engine_codes_match_crm_error_codes() {
        use crm_core::CrmError;
        let errors = [
            CrmError::validation("f", "r"),
            CrmError::not_found("customer", 1),
            CrmError::PermissionDenied {
                module: "m".into(),
                action: "a".into(),
                field: None,
            },
            CrmError::Conflict { detail: "d".into() },
            CrmError::rule("r", "d"),
            CrmError::Duplicate {
                entity: "customer".into(),
                existing: 1,
                owner: None,
                matched_on: "phone".into(),
            },
            CrmError::Storage("s".into()),
        ];
        for e in errors {
            let status = crm_status::from_code(e.code());
            assert_eq!(status.map(|s| s.kind()), Some(e.kind()), "{e:?}");
        }
    }

    #[test]
    fn codes_are_unique_and_never_renumbered() {
        let codes: Vec<i32> = crm_status::all().iter().map(|s| *s as i32).collect();
        assert_eq!(
            codes,
            vec![0, 1, 2, 3, 4, 5, 6, 7, 100, 101, 102, 103, 104, 105]
        );
    }
}
