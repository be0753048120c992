//! Audience conditions (§4.11): a small boolean language over customer state — fields, tier,
//! RFM figures and scores, time since the last order or follow-up in calendar arithmetic,
//! products of open opportunities, follow-up counts in a window, creation in a relative
//! window, and tags — shared by rule tags and segments.
//!
//! Everything here is pure. A [`Condition`] is checked once with [`Condition::validate`]
//! (limits and named errors) and evaluated with [`Condition::matches`] over the [`Facts`] of
//! one customer as of an instant, in the tenant's time zone. Evaluation is **state-based**:
//! the result depends only on the facts and `as_of`, never on when or how often it ran
//! before, so a catch-up run after a gap equals daily runs.
//!
//! Calendar rules (all in the tenant's zone, on local dates):
//! - `since_last_order { unit: month, more_than: n }` matches when today is strictly after the
//!   last order's local date plus `n` calendar months (month ends clamp: 2023-11-30 + 3 months
//!   is 2024-02-29); `within: n` matches when today is on or before that date. Days likewise.
//! - A customer that never ordered (never followed up) is measured from its creation for
//!   `more_than`, and never matches `within`: "no order for 3 months" holds for a customer
//!   created more than 3 months ago that never bought, "ordered within 3 months" does not.
//! - Relative windows are half-open local ranges `[start 00:00, end 00:00)`; weeks start on
//!   Monday; quarters are calendar quarters; `last_n_days { n }` is the `n` local days ending
//!   with today.

mod calendar;
mod check;
mod condition;
mod eval;
mod facts;
mod field;

pub use calendar::{add_months, RelativeWindow};
pub use condition::{Compare, Condition, FieldOp, RfmMeasure, SinceLast, TimeUnit};
pub use facts::{Facts, Needs};
pub use field::FIELDS;

/// Deepest nesting of combinators accepted.
pub const MAX_DEPTH: usize = 8;
/// Most nodes (combinators and leaves) in one condition.
pub const MAX_NODES: usize = 200;
/// Most entries in one list (`in`, tiers, products).
pub const MAX_LIST: usize = 100;
/// Longest text literal in a condition, in characters.
pub const MAX_LITERAL: usize = 100;
/// Largest `n` in days (ten years).
pub const MAX_DAYS: u32 = 3660;
/// Largest `n` in months (ten years).
pub const MAX_MONTHS: u32 = 120;
