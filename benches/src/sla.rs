//! SLA math in the harness: `add_business` on the holiday calendar for 1-hour and 30-day
//! targets, single core, many start instants (so no answer is cached by the branch
//! predictor alone). Pure computation: the baselines do not apply.

use crate::report::{Better, Figure};
use chrono::{Duration, TimeZone, Utc};
use crm_core::CrmResult;
use std::time::Instant;

/// Calls per second of `add_business` for each target, over `calls` calls.
pub fn scenario(calls: usize) -> CrmResult<Vec<Figure>> {
    let cal = crate::setup::calendar().compile()?;
    let base = Utc
        .with_ymd_and_hms(2026, 1, 5, 0, 0, 0)
        .single()
        .unwrap_or_default();
    let starts: Vec<_> = (0..1024)
        .map(|i| base + Duration::minutes(i * 97 % (120 * 24 * 60)))
        .collect();
    let mut out = Vec::new();
    for (name, secs) in [("1 hour", 3600i64), ("30 days", 30 * 86_400)] {
        let t = Instant::now();
        let mut sink = 0i64;
        for i in 0..calls {
            sink ^= cal
                .add_business(starts[i % starts.len()], std::hint::black_box(secs))
                .timestamp();
        }
        let rate = calls as f64 / t.elapsed().as_secs_f64().max(1e-9);
        std::hint::black_box(sink);
        let mut f = Figure::new(
            format!("SLA add_business, {name} target, holiday calendar, 1 core"),
            "calls/s",
            Better::Higher,
            rate,
        );
        f.target = "≥ 1,000,000/s per core, independent of target length".into();
        f.met = Some(rate >= 1_000_000.0);
        f.notes
            .push("pure computation: baselines (a)/(b) do not apply".into());
        out.push(f);
    }
    Ok(out)
}
