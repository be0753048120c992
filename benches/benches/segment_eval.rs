//! Segment evaluation over many customers on the embedded SQLite store (DESIGN §7, second
//! wave): seeds the tenant, evaluates one segment twice — the first run materializes every
//! member, the second finds nothing to change — and prints customers per second and the
//! growth of peak resident memory (`VmHWM`) during evaluation, next to a rusqlite baseline
//! reading the same customer batches and stints in one pass.
//!
//! Smoke size (5,000 customers) by default; `CRM_SEGMENT_BENCH_CUSTOMERS=1000000` for the
//! full size. Run with `cargo bench -p crm-benches --bench segment_eval`.

use crm_benches::report::peak_rss_kib;
use crm_benches::setup::{engine, seed_customers, setup_org, TENANT};
use crm_benches::Size;
use crm_core::op::{CreateSegment, EvaluateSegments};
use crm_core::segment::{SegmentExpr, SegmentInput};
use crm_core::Actor;
use crm_store_sqlite::SqliteStore;
use std::time::Instant;

fn customers() -> usize {
    std::env::var("CRM_SEGMENT_BENCH_CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000)
}

/// Reads every customer in keyset batches of 500 and the stints of each batch, with
/// rusqlite prepared statements: the floor the engine's read path is measured against.
fn baseline(path: &std::path::Path) -> rusqlite::Result<(usize, f64)> {
    let db = rusqlite::Connection::open(path)?;
    let started = Instant::now();
    let mut batch = db.prepare(
        "SELECT id, body FROM customers WHERE tenant_id = ?1 AND id > ?2 ORDER BY id LIMIT 500",
    )?;
    let mut stints = db.prepare(
        "SELECT body FROM segment_members WHERE tenant_id = ?1 AND segment_id = ?2 \
         AND open_customer >= ?3 AND open_customer <= ?4",
    )?;
    let (mut after, mut seen) = (i64::MIN, 0usize);
    loop {
        let rows: Vec<(i64, String)> = batch
            .query_map((TENANT.0, after), |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
            break;
        };
        let n = stints
            .query_map((TENANT.0, 1i64, first.0, last.0), |r| r.get::<_, String>(0))?
            .count();
        std::hint::black_box(n);
        seen += rows.len();
        after = last.0;
    }
    Ok((seen, started.elapsed().as_secs_f64()))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n = customers();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let dir = std::env::temp_dir().join(format!("crm-segment-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("segments.db");
    rt.block_on(async {
        let store = SqliteStore::open(&path.display().to_string()).await?;
        let (crm, _clock) = engine(store.clone());
        let size = Size {
            customers: n,
            pooled: 0,
            ..Size::tiny(11)
        };
        let world = setup_org(&crm, size, None).await?;
        seed_customers(&store, &world).await?;
        let sys = Actor::system(TENANT);
        let segment = crm
            .segments()
            .create(
                sys,
                CreateSegment {
                    segment: SegmentInput {
                        name: "everyone".into(),
                        description: None,
                        expr: SegmentExpr::All { of: vec![] },
                    },
                },
            )
            .await?;
        for label in ["first run (every customer joins)", "second run (no change)"] {
            let rss_before = peak_rss_kib();
            let started = Instant::now();
            let run = crm
                .segments()
                .evaluate(
                    sys,
                    EvaluateSegments {
                        segment: Some(segment.id),
                        as_of: None,
                    },
                )
                .await?;
            let secs = started.elapsed().as_secs_f64();
            let looked: u64 = run.runs.iter().map(|r| r.customers).sum();
            println!(
                "segment_eval {label}: {looked} customers, {} changes, {:.0} customers/s, peak RSS growth {:.1} MiB",
                run.changes(),
                looked as f64 / secs.max(1e-9),
                peak_rss_kib().saturating_sub(rss_before) as f64 / 1024.0
            );
        }
        Ok::<(), Box<dyn std::error::Error>>(())
    })?;
    let (seen, secs) = baseline(&path)?;
    println!(
        "segment_eval rusqlite baseline (read batches and stints): {seen} customers, {:.0} customers/s",
        seen as f64 / secs.max(1e-9)
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
