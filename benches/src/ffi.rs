//! FFI round trip (DESIGN §7): what `crm_call` adds over the same engine call made in Rust.
//!
//! One SQLite file (the full org, a few thousand customers) opened by `crm_open` (its own
//! runtime with 2 workers, its own pool, a fixed clock). `customer.get` is timed through
//! `crm_call` and as the same `Crm::get_customer` made in Rust on the handle's very engine,
//! runtime and connections (`crm_db::block_on_engine`, Rust only), for the same customers
//! as the same user, in alternating blocks of calls so machine noise hits both alike.
//!
//! Reported: the median of the paired differences (the headline: each pair runs back to
//! back, so drift cancels within it), per-call median of each, the difference of the
//! medians, and the boundary's own work measured in isolation (parse the actor
//! and request JSON, serialize the response, copy it into a C string and free it) — the
//! in-isolation figure is the low-noise one, since the call itself costs far more than the
//! boundary and two medians of it differ by more than 5 µs from noise alone.

// Calling a C ABI is unsafe by nature; each block states what it relies on.
#![allow(unsafe_code)]

use crate::report::{median, Better, Figure};
use crate::setup::{self, Size, TENANT};
use crm::{crm_call, crm_close, crm_db, crm_open, crm_status, crm_string_free};
use crm_core::customer::Customer;
use crm_core::ids::CustomerId;
use crm_core::view::Visible;
use crm_core::{Actor, CrmError, CrmResult};
use std::ffi::{c_char, CStr, CString};
use std::path::Path;
use std::time::Instant;

/// Calls per side in one block of the alternating measurement.
const BLOCK: usize = 100;

fn st<E: std::fmt::Display>(e: E) -> CrmError {
    CrmError::Storage(e.to_string())
}

/// Customers seeded in the FFI database.
pub const FFI_CUSTOMERS: usize = 5_000;

/// An open `crm_db` handle, closed on drop.
pub struct Handle(*mut crm_db);

impl Handle {
    /// The same operation as `customer.get` made in Rust on this handle's own engine and
    /// runtime: everything `crm_call` does except the C boundary.
    pub fn in_rust(&self, actor: Actor, id: CustomerId) -> CrmResult<Visible<Customer>> {
        // SAFETY: the pointer came from `crm_open` and stays valid until `Drop` closes it.
        let db = unsafe { &*self.0 };
        db.block_on_engine(|engine| async move { engine.get_customer(actor, id).await })
    }

    /// `crm_open(path, options_json)`.
    pub fn open(path: &str, options_json: &str) -> CrmResult<Handle> {
        let url = CString::new(path).map_err(st)?;
        let options = CString::new(options_json).map_err(st)?;
        let mut db: *mut crm_db = std::ptr::null_mut();
        let mut err: *mut c_char = std::ptr::null_mut();
        // SAFETY: NUL-terminated strings that outlive the call; `db` and `err` are writable.
        let status = unsafe { crm_open(url.as_ptr(), options.as_ptr(), &mut db, &mut err) };
        if status != crm_status::CRM_OK {
            return Err(CrmError::Storage(format!(
                "crm_open: {status:?} {}",
                take(err).unwrap_or_default()
            )));
        }
        Ok(Handle(db))
    }

    /// `crm_call`; the response JSON, or the error JSON as an error.
    pub fn call(&self, actor: &CStr, op: &CStr, request: &CStr) -> CrmResult<String> {
        let mut out: *mut c_char = std::ptr::null_mut();
        let mut err: *mut c_char = std::ptr::null_mut();
        // SAFETY: a live handle, NUL-terminated strings, writable out pointers.
        let status = unsafe {
            crm_call(
                self.0,
                actor.as_ptr(),
                op.as_ptr(),
                request.as_ptr(),
                &mut out,
                &mut err,
            )
        };
        if status == crm_status::CRM_OK {
            take(out).ok_or_else(|| CrmError::Storage("crm_call: no response".into()))
        } else {
            Err(CrmError::Storage(format!(
                "crm_call: {status:?} {}",
                take(err).unwrap_or_default()
            )))
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: the handle came from `crm_open` and is closed once, with no call running.
        unsafe { crm_close(self.0) }
    }
}

/// Copies and frees a string returned by the library.
fn take(s: *mut c_char) -> Option<String> {
    if s.is_null() {
        return None;
    }
    // SAFETY: a NUL-terminated string the library returned, freed exactly once below.
    let text = unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned();
    // SAFETY: as above.
    unsafe { crm_string_free(s) };
    Some(text)
}

/// Seeds `dir/ffi-<seed>.db` (the org of `size`, [`FFI_CUSTOMERS`] customers) on a runtime of
/// its own; returns the path, the world and the seconds spent.
fn prepare(size: Size, dir: &Path) -> CrmResult<(String, setup::World, f64)> {
    let path = dir
        .join(format!("ffi-{}-{}.db", size.departments, size.seed))
        .display()
        .to_string();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{path}{suffix}"));
    }
    let start = Instant::now();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(st)?;
    let small = Size {
        customers: FFI_CUSTOMERS,
        pooled: FFI_CUSTOMERS / 10,
        ..size
    };
    let world = rt.block_on(async {
        let store = crm_store_sqlite::SqliteStore::open(&path).await?;
        let (crm, _) = setup::engine(store.clone());
        let world = setup::setup_org(&crm, small, None).await?;
        let world = setup::seed_customers(&store, &world).await?;
        store.close().await;
        CrmResult::Ok(world)
    })?;
    Ok((path, world, start.elapsed().as_secs_f64()))
}

/// Runs the scenario on a thread of its own (the handle and the Rust host each block on
/// their own runtime, which tokio refuses inside another runtime).
pub fn scenario(size: Size, dir: &Path) -> CrmResult<Vec<Figure>> {
    let dir = dir.to_path_buf();
    std::thread::spawn(move || measure(size, &dir))
        .join()
        .map_err(|_| CrmError::Storage("ffi scenario thread panicked".into()))?
}

fn measure(size: Size, dir: &Path) -> CrmResult<Vec<Figure>> {
    let (path, world, seed_secs) = prepare(size, dir)?;
    let now = setup::now();
    let handle = Handle::open(
        &path,
        &format!("{{\"fixed_now\":\"{}\"}}", now.to_rfc3339()),
    )?;

    let actor = Actor::user(TENANT, world.manager);
    let actor_json = CString::new(serde_json::to_string(&actor).map_err(st)?).map_err(st)?;
    let op = c"customer.get";
    // Customers the manager owns (every `users.len()`-th seeded one).
    let ids: Vec<CustomerId> = (0..FFI_CUSTOMERS - FFI_CUSTOMERS / 10)
        .step_by(world.users.len())
        .map(|i| world.customer(i))
        .collect();
    let requests: Vec<CString> = ids
        .iter()
        .map(|id| CString::new(format!("{{\"id\":{}}}", id.0)).map_err(st))
        .collect::<CrmResult<_>>()?;

    // Same answer both ways.
    let via_c: Visible<Customer> =
        serde_json::from_str(&handle.call(&actor_json, op, &requests[0])?).map_err(st)?;
    let via_rust = handle.in_rust(actor, ids[0])?;
    if via_c != via_rust {
        return Err(CrmError::Storage(
            "crm_call and the Rust call returned different customers".into(),
        ));
    }

    // Warm both.
    for (id, req) in ids.iter().zip(&requests).take(50) {
        handle.call(&actor_json, op, req)?;
        handle.in_rust(actor, *id)?;
    }

    let iters = size.samples * 50;
    let mut ffi = Vec::with_capacity(iters);
    let mut rust = Vec::with_capacity(iters);
    let mut paired = Vec::with_capacity(iters);
    // Blocks of calls, alternating which side goes first: the handle and the Rust host each
    // have their own runtime and pool, and switching between them on every call would time
    // the wake-up of the idle side's threads rather than the boundary.
    let block = BLOCK.min(iters.max(1));
    for b in 0..iters.div_ceil(block) {
        let js: Vec<usize> = (b * block..((b + 1) * block).min(iters))
            .map(|k| k % ids.len())
            .collect();
        let via_ffi = |out: &mut Vec<f64>| -> CrmResult<()> {
            for &j in &js {
                out.push(time_us(|| {
                    handle.call(&actor_json, op, &requests[j]).map(|_| ())
                })?);
            }
            Ok(())
        };
        let via_rust = |out: &mut Vec<f64>| -> CrmResult<()> {
            for &j in &js {
                out.push(time_us(|| handle.in_rust(actor, ids[j]).map(|_| ()))?);
            }
            Ok(())
        };
        let (mut a, mut r) = (Vec::new(), Vec::new());
        if b % 2 == 0 {
            via_ffi(&mut a)?;
            via_rust(&mut r)?;
        } else {
            via_rust(&mut r)?;
            via_ffi(&mut a)?;
        }
        paired.extend(a.iter().zip(&r).map(|(x, y)| x - y));
        ffi.extend(a);
        rust.extend(r);
    }
    let ffi_med = median(&mut ffi);
    let rust_med = median(&mut rust);
    let paired_med = median(&mut paired);

    // The boundary's own work, in isolation: what crm_call does beyond the Rust call.
    let response = via_rust.clone();
    let reps = 20_000;
    let mut sink = 0usize;
    let start = Instant::now();
    for k in 0..reps {
        let req = &requests[k % requests.len()];
        let a: Actor = serde_json::from_str(actor_json.to_str().map_err(st)?).map_err(st)?;
        #[derive(serde::Deserialize)]
        struct ById {
            id: i64,
        }
        let r: ById = serde_json::from_str(req.to_str().map_err(st)?).map_err(st)?;
        let text = serde_json::to_string(&response).map_err(st)?;
        let c = CString::new(text).map_err(st)?;
        sink += c.as_bytes().len() + usize::from(a.user_id().is_some()) + r.id as usize % 2;
        drop(c);
    }
    let boundary_us = start.elapsed().as_secs_f64() * 1e6 / reps as f64;
    drop(handle);

    // The headline is the median of the paired differences: each pair ran back to back, so
    // machine drift cancels within the pair; the difference of the two medians does not
    // cancel it and is reported next to it.
    let diff = ffi_med - rust_med;
    let mut f = Figure::new(
        "crm_call round trip, customer.get (added over the same Rust call, median of paired differences)",
        "µs added per call",
        Better::Lower,
        paired_med,
    );
    f.target = "crm_call adds under 5 µs over the same call in Rust".into();
    f.met = Some(paired_med < 5.0);
    f.notes.push(format!(
        "per call, median of {iters} calls each in alternating blocks of {BLOCK}: crm_call {ffi_med:.1} µs, Rust `Crm::get_customer` {rust_med:.1} µs; difference of medians {diff:.2} µs, median of paired differences {paired_med:.2} µs"
    ));
    f.notes.push(format!(
        "boundary work in isolation (parse actor + request JSON, serialize the {}-byte response, copy to a C string, free): {boundary_us:.2} µs per call (checksum {sink})",
        serde_json::to_string(&response).map_err(st)?.len()
    ));
    f.notes.push(format!(
        "database: org of {} users, {FFI_CUSTOMERS} customers, seeded in {seed_secs:.1} s ({path})",
        world.users.len()
    ));
    let mut g = Figure::new(
        "crm_call boundary work in isolation (JSON in/out, C string)",
        "µs per call",
        Better::Lower,
        boundary_us,
    );
    g.target = "under 5 µs".into();
    g.met = Some(boundary_us < 5.0);
    Ok(vec![f, g])
}

fn time_us(f: impl FnOnce() -> CrmResult<()>) -> CrmResult<f64> {
    let start = Instant::now();
    f()?;
    Ok(start.elapsed().as_secs_f64() * 1e6)
}
