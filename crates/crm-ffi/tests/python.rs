//! `examples/python/tour.py` (a ctypes wrapper and a short tour) runs with the system
//! `python3` against the freshly built `libcrm.so`, twice on one SQLite file (the second run
//! reopens it: set-up is idempotent). Skipped, with a notice, only where python3 is missing.

mod common;

use std::process::Command;

fn tour(db: &std::path::Path) -> String {
    let script = common::workspace_dir().join("examples/python/tour.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg("--db")
        .arg(db)
        .env("CRM_LIB", common::lib_dir().join("libcrm.so"))
        .output()
        .expect("run python3");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "tour.py failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn python_tour_runs_twice_on_one_file() {
    if !common::available("python3") {
        println!("NOTICE: python3 is not installed; skipping the Python tour");
        return;
    }
    let db = common::scratch("python").join("tour.db");
    let first = tour(&db);
    assert!(
        first.contains("import: 10 rows, 7 imported, 2 invalid, 1 duplicates"),
        "{first}"
    );
    assert!(
        first.contains("validation error: code 1 kind validation field email"),
        "{first}"
    );
    assert!(
        first.contains("permission error: code 3 kind permission_denied"),
        "{first}"
    );
    assert!(first.contains("李娜 claimed"), "{first}");
    assert!(first.contains("李娜 quota: holds "), "{first}");
    assert!(
        first.contains("90 min from 2026-01-01 00:00 UTC is due 2026-01-01T01:30:00Z"),
        "{first}"
    );
    assert!(
        first.contains("pool audit: phone masked for members"),
        "customer.audit through crm_call masks the pooled phone: {first}"
    );
    assert!(first.contains("answered, resolved and rated"), "{first}");
    let sale = "sale: contract active, opportunity won, paid 15000.00 of 50000.00; \
                aging {'0–30': '0.00', '31–90': '35000.00', '91+': '0.00'}";
    assert!(first.contains(sale), "{first}");
    assert!(first.contains("tour: ok"), "{first}");
    let second = tour(&db);
    assert!(second.contains("0 imported"), "{second}");
    assert!(second.contains("李娜 claimed"), "{second}");
    assert!(
        second.contains("SLA report rows: [('urgent', 2)]"),
        "{second}"
    );
    assert!(second.contains(sale), "{second}");
    assert!(second.contains("tour: ok"), "{second}");
}

#[test]
fn readme_python_example_runs() {
    if !common::available("python3") {
        println!("NOTICE: python3 is not installed; skipping the README's Python example");
        return;
    }
    let out = Command::new("python3")
        .arg("-c")
        .arg(common::readme_block("python"))
        .current_dir(common::workspace_dir())
        .env("CRM_LIB", common::lib_dir().join("libcrm.so"))
        .output()
        .expect("run python3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("6 duplicate True") && stdout.contains("3 permission_denied"),
        "{stdout}"
    );
}
