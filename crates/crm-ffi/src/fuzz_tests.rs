//! The fuzz harness: arbitrary bytes (invalid UTF-8 and embedded NULs included), arbitrary
//! JSON, known op names and mutated valid requests go to `crm_call`. Every call must return a
//! defined status, write exactly the output its status promises, and never panic across the
//! boundary. (The C program `tests/c/fuzz.c` runs the same idea under valgrind for leaks.)

use crate::api::{crm_call, crm_close, crm_open, crm_string_free};
use crate::handle::crm_db;
use crate::status::crm_status;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value;
use std::ffi::{c_char, CStr};
use std::ptr;

/// NUL-terminates bytes; embedded NULs end the C string early, as they would in C.
fn c_bytes(mut bytes: Vec<u8>) -> Vec<u8> {
    bytes.push(0);
    bytes
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z_]{1,10}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

const TEMPLATES: &[&str] = &[
    "{}",
    r#"{"limit":3}"#,
    r#"{"name":"Fuzz Co","phone":"13800000000"}"#,
    r#"{"id":1,"patch":{"name":"x"}}"#,
    r#"{"id":1}"#,
    r#"{"customer_id":1,"kind":"call","content":"c"}"#,
    r#"{"pool_id":1,"customer_ids":[1,2]}"#,
    r#"{"csv":"name,phone\nA,13911112222\n"}"#,
    r#"{"cursor":0,"limit":5}"#,
    r#"{"customer_id":1,"name":"o","amount":"10.00","currency":"CNY","stage":"lead","expected_close":"2030-01-01"}"#,
    r#"{"id":1,"decision":"approve"}"#,
    r#"{"contract_id":1,"entry":{"kind":"payment","amount":"1.00","date":"2030-01-01"}}"#,
    r#"{"as_of":"2030-01-01"}"#,
];

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..48)
}

fn op() -> impl Strategy<Value = Vec<u8>> {
    let names: Vec<Vec<u8>> = crate::op_names()
        .into_iter()
        .map(|n| n.as_bytes().to_vec())
        .collect();
    prop_oneof![1 => bytes(), 3 => proptest::sample::select(names)]
}

fn actor() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        1 => bytes(),
        3 => Just(br#"{"type":"system","tenant":1}"#.to_vec()),
        1 => (any::<i64>(), any::<i64>()).prop_map(|(t, u)| format!(r#"{{"type":"user","tenant":{t},"user":{u}}}"#).into_bytes()),
        1 => json_value().prop_map(|v| v.to_string().into_bytes()),
    ]
}

fn request() -> impl Strategy<Value = Vec<u8>> {
    let templates: Vec<Vec<u8>> = TEMPLATES.iter().map(|t| t.as_bytes().to_vec()).collect();
    prop_oneof![
        1 => bytes(),
        1 => json_value().prop_map(|v| v.to_string().into_bytes()),
        2 => proptest::sample::select(templates.clone()),
        2 => (proptest::sample::select(templates), any::<usize>(), prop_oneof![any::<u8>(), 0x20u8..0x7f]).prop_map(|(mut t, at, b)| {
            let i = at % t.len().max(1);
            if let Some(slot) = t.get_mut(i) {
                *slot = b;
            }
            t
        }),
    ]
}

/// Runs one call and checks the contract; frees what it got; returns the status.
fn check_call(
    db: *const crm_db,
    op: Vec<u8>,
    actor: Vec<u8>,
    request: Vec<u8>,
    nulls: u8,
) -> Result<crm_status, TestCaseError> {
    let (op, actor, request) = (c_bytes(op), c_bytes(actor), c_bytes(request));
    let ptr_or_null = |bytes: &Vec<u8>, bit: u8| {
        if nulls & bit != 0 {
            ptr::null()
        } else {
            bytes.as_ptr().cast::<c_char>()
        }
    };
    let mut response: *mut c_char = ptr::null_mut();
    let mut error: *mut c_char = ptr::null_mut();
    let want_response = nulls & 8 == 0;
    let want_error = nulls & 16 == 0;
    // SAFETY: every pointer is NULL or points to a live NUL-terminated buffer or local.
    let status = unsafe {
        crm_call(
            db,
            ptr_or_null(&actor, 1),
            ptr_or_null(&op, 2),
            ptr_or_null(&request, 4),
            if want_response {
                &mut response
            } else {
                ptr::null_mut()
            },
            if want_error {
                &mut error
            } else {
                ptr::null_mut()
            },
        )
    };
    prop_assert!(crm_status::all().contains(&status));
    prop_assert_ne!(status, crm_status::CRM_PANIC);
    let read = |p: *mut c_char| -> Option<String> {
        // SAFETY: a non-NULL output is a NUL-terminated string this library made.
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
    };
    let (response_text, error_text) = (read(response), read(error));
    // SAFETY: both are NULL or strings from this library, freed once here.
    unsafe {
        crm_string_free(response);
        crm_string_free(error);
    }
    if status == crm_status::CRM_OK {
        prop_assert!(error_text.is_none());
        prop_assert_eq!(response_text.is_some(), want_response);
        if let Some(text) = response_text {
            prop_assert!(
                serde_json::from_str::<Value>(&text).is_ok(),
                "response is not JSON: {}",
                text
            );
        }
    } else {
        prop_assert!(response_text.is_none());
        prop_assert_eq!(error_text.is_some(), want_error);
        if let Some(text) = error_text {
            let parsed: Value = serde_json::from_str(&text)
                .map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
            prop_assert_eq!(parsed["code"].as_i64(), Some(status as i64));
            prop_assert_eq!(parsed["kind"].as_str(), Some(status.kind()));
            prop_assert!(parsed["message"].is_string());
        }
    }
    Ok(status)
}

#[test]
fn arbitrary_input_yields_defined_statuses_only() {
    let mut db: *mut crm_db = ptr::null_mut();
    // SAFETY: valid NUL-terminated literals and a local out-pointer.
    let opened = unsafe { crm_open(c":memory:".as_ptr(), ptr::null(), &mut db, ptr::null_mut()) };
    assert_eq!(opened, crm_status::CRM_OK);
    // SAFETY: as above; `db` is the live handle just opened.
    let setup = unsafe {
        crm_call(
            db,
            cr#"{"type":"system","tenant":1}"#.as_ptr(),
            c"tenant.setup".as_ptr(),
            cr#"{"name":"Fuzz"}"#.as_ptr(),
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    assert_eq!(setup, crm_status::CRM_OK);
    let mut runner = TestRunner::new(Config {
        cases: 1500,
        failure_persistence: None,
        ..Config::default()
    });
    let handle = db as *const crm_db;
    let seen = std::cell::RefCell::new(std::collections::BTreeMap::<i32, u32>::new());
    let result = runner.run(
        &(op(), actor(), request(), any::<u8>()),
        |(op, actor, request, nulls)| {
            // A NULL handle or NULL string arguments only now and then, so most calls reach ops.
            let rare = nulls & 0b1110_0000 == 0b1110_0000;
            let db = if rare && nulls & 1 != 0 {
                ptr::null()
            } else {
                handle
            };
            let nulls = if rare {
                nulls & 0b1_1111
            } else {
                nulls & 0b1_1000
            };
            let status = check_call(db, op, actor, request, nulls)?;
            *seen.borrow_mut().entry(status as i32).or_default() += 1;
            Ok(())
        },
    );
    // SAFETY: `db` is live and no call is in flight.
    unsafe { crm_close(db) };
    if let Err(e) = result {
        panic!("{e}");
    }
    let seen = seen.into_inner();
    println!("statuses seen (code: calls): {seen:?}");
    // The generators reach the engine, not only the argument checks.
    assert!(seen.keys().any(|&c| (0..=7).contains(&c)), "{seen:?}");
}
