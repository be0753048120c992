//! Amounts across the C ABI (ADR 0012): every amount-carrying op, given an amount that is huge,
//! over-precise, signed where no sign is meant or not a decimal string at all, answers
//! `CRM_VALIDATION` naming the member — never `CRM_PANIC`, never `CRM_STORAGE` — and random
//! text or numbers in those members never yield either. The ops run on a real (in-memory)
//! SQLite store with a customer and an active contract, so requests reach the engine's own
//! checks rather than stopping at a missing record.

use crate::api::{crm_call, crm_close, crm_open, crm_string_free};
use crate::handle::crm_db;
use crate::status::crm_status;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;
use std::ffi::{c_char, CStr, CString};
use std::ptr;

const SYSTEM: &str = r#"{"type":"system","tenant":1}"#;

/// One call: its status and the response or error JSON.
fn call(db: *const crm_db, op: &str, request: &str) -> (crm_status, Value) {
    let (actor, op, request) = (
        CString::new(SYSTEM).expect("actor"),
        CString::new(op).expect("op"),
        CString::new(request).expect("request"),
    );
    let mut response: *mut c_char = ptr::null_mut();
    let mut error: *mut c_char = ptr::null_mut();
    // SAFETY: live handle, NUL-terminated strings and local out-pointers.
    let status = unsafe {
        crm_call(
            db,
            actor.as_ptr(),
            op.as_ptr(),
            request.as_ptr(),
            &mut response,
            &mut error,
        )
    };
    let out = if response.is_null() { error } else { response };
    let text = if out.is_null() {
        String::new()
    } else {
        // SAFETY: a NUL-terminated string this library made.
        unsafe { CStr::from_ptr(out) }
            .to_string_lossy()
            .into_owned()
    };
    // SAFETY: NULL or strings from this library, freed once.
    unsafe {
        crm_string_free(response);
        crm_string_free(error);
    }
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn ok(db: *const crm_db, op: &str, request: &str) -> Value {
    let (status, v) = call(db, op, request);
    assert_eq!(status, crm_status::CRM_OK, "{op} {request}: {v}");
    v
}

/// Opens a store with a customer and an active CNY contract (plan: 100.00 due in 2030);
/// returns the handle and the request templates, `{A}` marking the amount member.
fn setup() -> (*mut crm_db, Vec<(&'static str, String, &'static str)>) {
    let mut db: *mut crm_db = ptr::null_mut();
    // SAFETY: a NUL-terminated literal and a local out-pointer.
    let opened = unsafe { crm_open(c":memory:".as_ptr(), ptr::null(), &mut db, ptr::null_mut()) };
    assert_eq!(opened, crm_status::CRM_OK);
    ok(db, "tenant.setup", r#"{"name":"Amounts"}"#);
    ok(db, "org.upsert_user", r#"{"id":12,"name":"Rep"}"#);
    let c = ok(
        db,
        "customer.create",
        r#"{"name":"Huge Buyer","owner_id":12}"#,
    );
    let c = c["id"].as_i64().or_else(|| c["record"]["id"].as_i64());
    let c = c.expect("customer id");
    let line = |price: &str| {
        format!(
            r#"{{"currency":"CNY","lines":[{{"product":"p","quantity":"1","unit_price":{price}}}]}}"#
        )
    };
    let k = ok(
        db,
        "contract.create",
        &format!(
            r#"{{"number":"HT-1","customer_id":{c},"owner_id":12,"start_on":"2026-01-01","end_on":"2027-01-01","pricing":{}}}"#,
            line(r#""100""#)
        ),
    );
    let k = k["id"].as_i64().expect("contract id");
    ok(db, "contract.submit", &format!(r#"{{"id":{k}}}"#));
    ok(
        db,
        "receivable.set_plan",
        &format!(
            r#"{{"contract_id":{k},"plan":{{"type":"amounts","installments":[{{"due_date":"2030-01-01","amount":"100"}}]}}}}"#
        ),
    );
    let o = ok(
        db,
        "opportunity.create",
        &format!(
            r#"{{"customer_id":{c},"name":"o","amount":"10","currency":"CNY","stage":"lead","expected_close":"2030-01-01","owner_id":12}}"#
        ),
    );
    let o = o["id"].as_i64().expect("opportunity id");
    let templates = vec![
        (
            "tier.record_purchase",
            format!(
                r#"{{"customer_id":{c},"at":"2026-01-01T00:00:00Z","amount":{{A}},"currency":"CNY"}}"#
            ),
            "amount",
        ),
        (
            "opportunity.create",
            format!(
                r#"{{"customer_id":{c},"name":"o","amount":{{A}},"currency":"CNY","stage":"lead","expected_close":"2030-01-01","owner_id":12}}"#
            ),
            "amount",
        ),
        (
            "opportunity.set_probability",
            format!(r#"{{"id":{o},"probability":{{A}}}}"#),
            "probability",
        ),
        (
            "contract.create",
            format!(
                r#"{{"number":"HT-X","customer_id":{c},"owner_id":12,"start_on":"2026-01-01","end_on":"2027-01-01","pricing":{}}}"#,
                line("{A}")
            ),
            "unit_price",
        ),
        (
            "receivable.record",
            format!(
                r#"{{"contract_id":{k},"entry":{{"kind":"payment","amount":{{A}},"date":"2026-02-01"}}}}"#
            ),
            "amount",
        ),
        (
            "receivable.record",
            format!(
                r#"{{"contract_id":{k},"entry":{{"kind":"write_off","amount":{{A}},"date":"2026-02-01"}}}}"#
            ),
            "amount",
        ),
    ];
    (db, templates)
}

#[test]
fn huge_and_malformed_amounts_are_validation_errors_naming_the_member() {
    let (db, templates) = setup();
    let bad = [
        "12.5",
        "12",
        "1e3",
        "-1",
        "true",
        "null",
        "[]",
        "{}",
        r#""1e3""#,
        r#""1_000""#,
        r#""+1""#,
        r#"" 1""#,
        r#""1 ""#,
        r#""""#,
        r#""1.""#,
        r#""abc""#,
        r#""1.000000000000000000000000000001""#,
        r#""79228162514264337593543950335""#,
        r#""792281625142643375935439503350""#,
        r#""1000000000000000.01""#,
        r#""1.001""#,
        r#""-5""#,
    ];
    for (op, template, member) in &templates {
        for amount in bad {
            if *op == "opportunity.set_probability" && matches!(amount, "null" | r#""1.001""#) {
                continue; // null is the stage default; 1.001 % is a valid probability
            }
            let request = template.replace("{A}", amount);
            let (status, error) = call(db, op, &request);
            assert_eq!(
                status,
                crm_status::CRM_VALIDATION,
                "{op} with {amount}: {error}"
            );
            let field = error["field"].as_str().unwrap_or_default();
            assert!(
                field.ends_with(member),
                "{op} with {amount}: field {field:?} should name {member}"
            );
        }
    }
    // SAFETY: the live handle, no call in flight.
    unsafe { crm_close(db) };
}

#[test]
fn random_amounts_never_panic_nor_reach_storage_errors() {
    let (db, templates) = setup();
    let handle = db as *const crm_db;
    let amount = prop_oneof![
        "\\PC{0,40}".prop_map(|s| Value::String(s).to_string()),
        "-?[0-9]{1,40}(\\.[0-9]{1,40})?".prop_map(|s| format!("\"{s}\"")),
        any::<f64>().prop_map(|x| Value::from(x).to_string()),
        any::<i64>().prop_map(|x| x.to_string()),
    ];
    let mut runner = TestRunner::new(Config {
        cases: 600,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&(0..templates.len(), amount), |(i, amount)| {
        let (op, template, _) = &templates[i];
        let request = template.replace("{A}", &amount);
        let (status, v) = call(handle, op, &request);
        prop_assert!(
            !matches!(status, crm_status::CRM_PANIC | crm_status::CRM_STORAGE),
            "{} {}: {:?} {}",
            op,
            request,
            status,
            v
        );
        Ok(())
    });
    // SAFETY: the live handle, no call in flight.
    unsafe { crm_close(db) };
    if let Err(e) = result {
        panic!("{e}");
    }
}
