//! Shared by the tests that drive the built library from other languages: where the built
//! `libcrm.so` / `libcrm.a` are, and scratch directories.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The crate directory.
pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The workspace root.
pub fn workspace_dir() -> PathBuf {
    crate_dir()
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// The directory of this test binary (`<target>/<profile>/deps`).
fn deps_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    exe.parent().expect("deps dir").to_path_buf()
}

/// The profile directory (`<target>/<profile>`).
fn profile_dir() -> PathBuf {
    deps_dir().parent().expect("profile dir").to_path_buf()
}

fn has_libs(dir: &Path) -> bool {
    dir.join("libcrm.so").is_file() && dir.join("libcrm.a").is_file()
}

/// The directory holding `libcrm.so` and `libcrm.a`. Cargo compiles every crate type of the
/// library before the tests, into `deps/` next to the test binary (it copies them up to the
/// profile directory only on `cargo build`, so `deps/` is the fresh copy). Should they be
/// missing anyway, this builds them with the same target directory.
pub fn lib_dir() -> PathBuf {
    let deps = deps_dir();
    if has_libs(&deps) {
        return deps;
    }
    let profile = profile_dir();
    let target = profile.parent().expect("target dir");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "-p", "crm-ffi", "--lib"])
        .env("CARGO_TARGET_DIR", target)
        .current_dir(workspace_dir());
    if profile.file_name().is_some_and(|n| n == "release") {
        cmd.arg("--release");
    }
    let status = cmd.status().expect("run cargo build");
    assert!(status.success(), "cargo build -p crm-ffi failed");
    assert!(
        has_libs(&profile),
        "no libcrm.so / libcrm.a in {}",
        profile.display()
    );
    profile
}

/// A fresh, empty scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = profile_dir()
        .join("crm-ffi-scratch")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// True when `program` runs (`program --version`).
pub fn available(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The first fenced block tagged `lang` in the README's "Using it from C and Python" section.
pub fn readme_block(lang: &str) -> String {
    let readme = std::fs::read_to_string(workspace_dir().join("README.md")).expect("README.md");
    let section = readme
        .split("\n## Using it from C and Python\n")
        .nth(1)
        .expect("README section for C and Python");
    let fence = format!("```{lang}\n");
    let start = section
        .find(&fence)
        .unwrap_or_else(|| panic!("no ```{lang} block"))
        + fence.len();
    let len = section[start..].find("\n```").expect("closing fence") + 1;
    section[start..start + len].to_owned()
}
