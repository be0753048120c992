//! Figures (engine next to its baselines, with ratios) and the machine they ran on.

use std::fmt::Write as _;

/// Whether a bigger or a smaller number is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// Throughput (operations per second).
    Higher,
    /// Latency or duration.
    Lower,
}

/// One measured figure: the engine's number, the baselines' numbers in the same run, and
/// the DESIGN §7 target with whether it was met.
#[derive(Debug, Clone)]
pub struct Figure {
    /// Scenario and variant (`pool claim, 8 claimers, SQLite file`).
    pub name: String,
    /// Unit of the numbers (`claims/s`, `ms median`).
    pub unit: String,
    /// Which direction is better.
    pub better: Better,
    /// The engine.
    pub engine: f64,
    /// Baseline (a): the same SQL through sqlx, when measured.
    pub sqlx: Option<f64>,
    /// Baseline (b): the same work through rusqlite, when measured.
    pub native: Option<f64>,
    /// The target in words.
    pub target: String,
    /// Whether the target was met (`None`: no target for this figure).
    pub met: Option<bool>,
    /// Extra facts (counts, peak memory, invariants checked).
    pub notes: Vec<String>,
}

impl Figure {
    /// A figure without baselines, target or notes yet.
    pub fn new(
        name: impl Into<String>,
        unit: impl Into<String>,
        better: Better,
        engine: f64,
    ) -> Self {
        Self {
            name: name.into(),
            unit: unit.into(),
            better,
            engine,
            sqlx: None,
            native: None,
            target: String::new(),
            met: None,
            notes: Vec::new(),
        }
    }

    /// Engine relative to a baseline, as "engine achieves x of the baseline" (throughput) or
    /// "engine takes x times the baseline" (durations).
    pub fn ratio(&self, baseline: Option<f64>) -> Option<f64> {
        let b = baseline?;
        if b <= 0.0 || self.engine <= 0.0 {
            return None;
        }
        Some(self.engine / b)
    }

    /// Of several runs of one scenario (each with its own engine and baseline figures), the
    /// run whose ratio to baseline (a) is the median, with every run's ratio in its notes:
    /// contended runs vary from run to run (SQLite's busy handler sleeps in steps of
    /// milliseconds), and one run is not a figure.
    pub fn median_run(mut runs: Vec<Figure>) -> Option<Figure> {
        let key = |f: &Figure| f.ratio(f.sqlx).unwrap_or(0.0);
        runs.sort_by(|a, b| key(a).total_cmp(&key(b)));
        let all: Vec<String> = runs.iter().map(|f| format!("{:.3}", key(f))).collect();
        let n = runs.len();
        let mut median = runs.into_iter().nth(n / 2)?;
        if n > 1 {
            median.notes.push(format!(
                "median of {n} runs by engine/(a); every run's engine/(a), ascending: {}",
                all.join(", ")
            ));
        }
        Some(median)
    }

    /// One human-readable block.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "== {}", self.name);
        let fmt = |v: f64| {
            if v >= 100.0 {
                format!("{v:.0}")
            } else {
                format!("{v:.3}")
            }
        };
        let _ = writeln!(
            s,
            "   engine            {:>14} {}",
            fmt(self.engine),
            self.unit
        );
        if let Some(v) = self.sqlx {
            let _ = writeln!(s, "   (a) sqlx by hand  {:>14} {}", fmt(v), self.unit);
        }
        if let Some(v) = self.native {
            let _ = writeln!(s, "   (b) rusqlite      {:>14} {}", fmt(v), self.unit);
        }
        let word = match self.better {
            Better::Higher => "of",
            Better::Lower => "x",
        };
        if let Some(r) = self.ratio(self.sqlx) {
            let _ = writeln!(s, "   engine / (a)      {:>14.3} ({word} baseline a)", r);
        }
        if let Some(r) = self.ratio(self.native) {
            let _ = writeln!(s, "   engine / (b)      {:>14.3} ({word} baseline b)", r);
        }
        if !self.target.is_empty() {
            let verdict = match self.met {
                Some(true) => "MET",
                Some(false) => "NOT MET",
                None => "n/a",
            };
            let _ = writeln!(s, "   target            {} -> {verdict}", self.target);
        }
        for n in &self.notes {
            let _ = writeln!(s, "   note              {n}");
        }
        s
    }
}

/// nproc, CPU model and RAM of this machine, from `/proc`.
pub fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map_or("unknown".to_owned(), |m| m.trim().to_owned());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let ram_kib: u64 = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    format!(
        "nproc {cpus}, {model}, {:.1} GiB RAM",
        ram_kib as f64 / 1024.0 / 1024.0
    )
}

/// Peak resident memory of this process so far (`VmHWM`), in KiB.
pub fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// The median of some samples (0 when empty).
pub fn median(samples: &mut [f64]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}
