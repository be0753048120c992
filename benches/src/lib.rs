//! Benchmarks of the crm engine (DESIGN §7).
//!
//! The scenario harness (`cargo run --release -p crm-benches -- <scenario>`) generates a
//! tenant deterministically from a seed and measures, in the same run, the engine and two
//! baselines doing the same logical work against the same schema:
//!
//! - (a) the same SQL hand-written with sqlx ([`db::SqlxSqlite`], [`db::SqlxPg`]);
//! - (b) the same work through SQLite's native API with rusqlite ([`db::Native`]):
//!   prepared statements, one transaction per unit of work.
//!
//! Every scenario returns [`report::Figure`]s; the smoke test runs each at a tiny size and
//! checks the invariants (no double claim, no held-limit violation), never timings.

pub mod claim;
pub mod db;
pub mod due_work;
pub mod ffi;
pub mod import;
pub mod list;
pub mod report;
pub mod setup;
pub mod sla;
pub mod view360;

pub use report::Figure;
pub use setup::Size;
