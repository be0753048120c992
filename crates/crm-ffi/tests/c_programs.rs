//! The C programs in `tests/c/` are compiled with `-std=c11 -Wall -Wextra -Wpedantic -Werror`
//! against `include/crm.h`, linked to the built library (shared, and static for the
//! quickstart), and run; then run again under valgrind with zero definite leaks and zero
//! memory errors (skipped, with a notice, only where valgrind is not installed).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const PROGRAMS: &[&str] = &[
    "quickstart",
    "org_import",
    "errors",
    "threads",
    "fuzz",
    "postgres",
    "sales",
];

/// Flags for every C compile.
const CFLAGS: &[&str] = &[
    "-std=c11",
    "-Wall",
    "-Wextra",
    "-Wpedantic",
    "-Werror",
    "-g",
];

/// System libraries a Rust staticlib needs on Linux.
const STATIC_DEPS: &[&str] = &[
    "-lgcc_s",
    "-lutil",
    "-lrt",
    "-lpthread",
    "-lm",
    "-ldl",
    "-lc",
];

fn cc() -> String {
    std::env::var("CC").unwrap_or_else(|_| "cc".into())
}

fn run_checked(cmd: &mut Command, what: &str) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

struct Built {
    bin: PathBuf,
    scratch: PathBuf,
}

/// Compiles every program once per test run.
fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let lib = common::lib_dir();
        let include = common::workspace_dir().join("include");
        let sources = common::crate_dir().join("tests/c");
        let bin = common::scratch("c-bin");
        for name in PROGRAMS {
            let mut cmd = Command::new(cc());
            cmd.args(CFLAGS)
                .arg("-I")
                .arg(&include)
                .arg(sources.join(format!("{name}.c")))
                .arg("-o")
                .arg(bin.join(name))
                .arg("-L")
                .arg(&lib)
                .arg("-lcrm")
                .arg(format!("-Wl,-rpath,{}", lib.display()))
                .args(["-lpthread", "-ldl", "-lm"]);
            run_checked(&mut cmd, &format!("compiling {name}.c"));
        }
        let mut cmd = Command::new(cc());
        cmd.args(CFLAGS)
            .arg("-I")
            .arg(&include)
            .arg(sources.join("quickstart.c"))
            .arg("-o")
            .arg(bin.join("quickstart_static"))
            .arg(lib.join("libcrm.a"))
            .args(STATIC_DEPS);
        run_checked(&mut cmd, "linking quickstart.c against libcrm.a");
        Built {
            bin,
            scratch: common::scratch("c-run"),
        }
    })
}

/// Arguments for a program: a fresh SQLite file where it wants one.
fn args_for(name: &str, tag: &str) -> Vec<String> {
    let db = |file: &str| {
        let path = built().scratch.join(format!("{tag}-{file}.db"));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        path.display().to_string()
    };
    match name {
        "org_import" | "threads" | "sales" => vec![db(name)],
        "quickstart" | "quickstart_static" => vec![db(name)],
        "fuzz" if tag == "valgrind" => vec!["300".into()],
        "fuzz" => vec!["3000".into()],
        _ => vec![],
    }
}

/// A command for a built program. `cargo test` puts `<target>/debug` (with a possibly stale
/// copy of `libcrm.so`) on `LD_LIBRARY_PATH`, which beats the programs' run path: point it
/// at the fresh library instead.
fn program(path: &Path) -> Command {
    let mut cmd = Command::new(path);
    cmd.env("LD_LIBRARY_PATH", common::lib_dir());
    cmd
}

fn run(name: &str) -> String {
    let out = run_checked(
        program(&built().bin.join(name)).args(args_for(name, "plain")),
        name,
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn valgrind(name: &str) {
    if !common::available("valgrind") {
        println!("NOTICE: valgrind is not installed; skipping the valgrind run of {name}");
        return;
    }
    let mut cmd = program(Path::new("valgrind"));
    cmd.args([
        "--quiet",
        "--leak-check=full",
        "--errors-for-leak-kinds=definite",
        "--show-leak-kinds=definite",
        "--error-exitcode=97",
    ])
    .arg(built().bin.join(name))
    .args(args_for(name, "valgrind"));
    run_checked(&mut cmd, &format!("valgrind {name}"));
}

fn include_dir() -> PathBuf {
    common::workspace_dir().join("include")
}

#[test]
fn header_compiles_alone_as_pedantic_c11() {
    let header: &Path = &include_dir().join("crm.h");
    let mut cmd = Command::new(cc());
    cmd.args(CFLAGS)
        .args(["-fsyntax-only", "-x", "c"])
        .arg(header);
    run_checked(&mut cmd, "cc -fsyntax-only crm.h");
}

#[test]
fn quickstart_readme_example() {
    let out = run("quickstart");
    assert!(out.contains("customer.create -> {"), "{out}");
    assert!(
        out.contains("customer.create failed: duplicate record"),
        "{out}"
    );
}

#[test]
fn readme_c_example_is_quickstart_c() {
    let file = std::fs::read_to_string(common::crate_dir().join("tests/c/quickstart.c"))
        .expect("quickstart.c");
    assert!(
        common::readme_block("c") == file,
        "README's C example differs from tests/c/quickstart.c: copy it over"
    );
}

#[test]
fn quickstart_linked_statically() {
    let out = run("quickstart_static");
    assert!(out.contains("customer.list -> {\"items\":[{"), "{out}");
}

#[test]
fn org_import_flow_on_a_sqlite_file() {
    let out = run("org_import");
    assert!(out.contains("org_import: ok"), "{out}");
}

#[test]
fn every_error_path() {
    assert!(run("errors").contains("errors: ok"));
}

/// Eight threads share one handle: concurrent creates, contended updates of the same
/// customers, and pool claims (领取) under a held limit, with the invariants checked after.
#[test]
fn eight_threads_one_handle_create_update_and_pool_claims() {
    let out = run("threads");
    assert!(out.contains("threads: 48 creates, 96 updates"), "{out}");
    assert!(out.contains(", 24 claims"), "{out}");
}

/// One sales flow: opportunity → contract → submit → approve (the opportunity won) → plan →
/// payment → summary → aging → sales report, with the JSON results checked in C.
#[test]
fn sales_flow_opportunity_to_aging() {
    let out = run("sales");
    assert!(out.contains("sales: ok"), "{out}");
    assert!(
        out.contains(
            r#""buckets":["0.00","0.00","90000.00","0.00","10000.00"],"total":"100000.00""#
        ),
        "{out}"
    );
}

#[test]
fn fuzz_loop_defined_statuses_only() {
    assert!(run("fuzz").contains("fuzz: 3000 calls"));
}

/// The PostgreSQL URL of the test server (as for the store's own tests).
fn postgres_url() -> String {
    std::env::var("CRM_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Runs `postgres.c` in a fresh schema, which is dropped afterwards. Without a reachable
/// server the test is skipped with a notice, except in CI (`CI` set), where it fails.
#[test]
fn postgres_url_through_the_same_handle() {
    use crm_store_postgres::PostgresStore;
    let url = postgres_url();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let schema = format!("crm_ffi_{}_{nanos}", std::process::id());
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    let store = match rt.block_on(PostgresStore::connect_with_schema(&url, &schema)) {
        Ok(store) => store,
        Err(e) if std::env::var_os("CI").is_none() => {
            println!("NOTICE: no PostgreSQL at {url} ({e}); skipping the PostgreSQL C test");
            return;
        }
        Err(e) => panic!("PostgreSQL at {url}: {e}"),
    };
    let out = program(&built().bin.join("postgres"))
        .args([&url, &schema])
        .output()
        .expect("run postgres");
    let dropped = rt.block_on(store.drop_schema());
    assert!(
        out.status.success(),
        "postgres.c failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("postgres: ok"));
    dropped.expect("drop the test schema");
}

#[test]
fn valgrind_quickstart() {
    valgrind("quickstart");
}

#[test]
fn valgrind_org_import() {
    valgrind("org_import");
}

#[test]
fn valgrind_errors() {
    valgrind("errors");
}

#[test]
fn valgrind_threads() {
    valgrind("threads");
}

#[test]
fn valgrind_sales() {
    valgrind("sales");
}

#[test]
fn valgrind_fuzz() {
    valgrind("fuzz");
}
