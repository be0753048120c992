//! The scenario harness: `cargo run --release -p crm-benches -- <scenario> [--tiny] [--seed N]`.
//!
//! Scenarios: `claim-sqlite`, `claim-pg`, `due-work`, `sla`, `list`, `view360`, `import`,
//! `ffi`, `all`. Prints each figure with its baselines and ratios.

use crm_benches::{claim, due_work, ffi, import, list, sla, view360, Size};

const PG_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let tiny = args.iter().any(|a| a == "--tiny");
    let seed = args
        .iter()
        .position(|a| a == "--seed")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(42);
    let size = if tiny {
        Size::tiny(seed)
    } else {
        Size::full(seed)
    };
    let scenario = args
        .iter()
        .find(|a| !a.starts_with("--") && a.parse::<u64>().is_err())
        .cloned()
        .unwrap_or_else(|| "all".into());
    let dir = std::env::var("CRM_BENCH_DIR").unwrap_or_else(|_| "/tmp/crm-bench".into());
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).expect("bench directory");
    let pg = std::env::var("CRM_BENCH_PG").unwrap_or_else(|_| PG_URL.into());
    println!(
        "# crm-benches {scenario} ({}) on {}",
        if tiny { "tiny" } else { "full size" },
        crm_benches::report::machine()
    );
    let all = scenario == "all";
    // Contended claim runs vary; the full size reports the median of three.
    let claim_runs = if tiny { 1 } else { 3 };
    let mut figures = Vec::new();
    if all || scenario == "claim-sqlite" {
        for n in [1, 8] {
            let mut runs = Vec::new();
            for _ in 0..claim_runs {
                runs.push(
                    claim::scenario_sqlite(size, &dir, n)
                        .await
                        .expect("claim sqlite"),
                );
            }
            figures.push(crm_benches::Figure::median_run(runs).expect("a run"));
            println!("{}", figures.last().expect("figure").render());
        }
    }
    if all || scenario == "sla" {
        let calls = if tiny { 10_000 } else { 5_000_000 };
        for f in sla::scenario(calls).expect("sla") {
            println!("{}", f.render());
            figures.push(f);
        }
    }
    if scenario == "due-work-run" {
        // The engine's timed run alone (spawned by `due-work`, or run by hand under
        // `/usr/bin/time -v`): copies the kept seed in CRM_BENCH_DIR and runs due work.
        due_work::run_child(&dir).await.expect("due-work-run");
    }
    if scenario == "due-work-steps" {
        let (tiers, rest, r) = due_work::breakdown(&dir).await.expect("due-work-steps");
        println!("recompute_tiers alone: {tiers:.3} s; every other sweep: {rest:.3} s ({r:?})");
    }
    if all || scenario == "due-work" {
        let exe = std::env::current_exe().expect("current executable");
        let (f, _) = due_work::scenario(size, &dir, due_work::EngineMode::Child(exe))
            .await
            .expect("due work");
        println!("{}", f.render());
        figures.push(f);
    }
    if all || scenario == "list" {
        for f in list::scenario(size, &dir).await.expect("list") {
            println!("{}", f.render());
            figures.push(f);
        }
    }
    if all || scenario == "view360" {
        let f = view360::scenario(size, &dir).await.expect("view360");
        println!("{}", f.render());
        figures.push(f);
    }
    if all || scenario == "import" {
        let f = import::scenario(size, &dir).await.expect("import");
        println!("{}", f.render());
        figures.push(f);
    }
    if all || scenario == "ffi" {
        let d = dir.clone();
        let ffi_figures = tokio::task::spawn_blocking(move || ffi::scenario(size, &d))
            .await
            .expect("ffi task")
            .expect("ffi");
        for f in ffi_figures {
            println!("{}", f.render());
            figures.push(f);
        }
    }
    if all || scenario == "claim-pg" {
        for n in [1, 8] {
            let mut runs = Vec::new();
            for _ in 0..claim_runs {
                runs.push(claim::scenario_pg(size, &pg, n).await.expect("claim pg"));
            }
            figures.push(crm_benches::Figure::median_run(runs).expect("a run"));
            println!("{}", figures.last().expect("figure").render());
        }
    }
}
