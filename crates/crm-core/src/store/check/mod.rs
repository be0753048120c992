//! One validation of what reaches a store, done in core before any adapter sees it: the
//! filters, scope and paging of a [`Query`](super::Query) and every row, audit entry and event of
//! a [`Changes`](super::Changes). [`Store::query`](super::Store::query),
//! [`Store::count`](super::Store::count) and [`Store::apply`](super::Store::apply) run it
//! and hand adapters only the [`ValidQuery`] / [`ValidChanges`] it produces, so no store can
//! skip it and every store refuses bad input with the same error (see
//! `docs/adr/0014-queries-validated-in-core.md`).
//!
//! A refusal is `CrmError::Validation` whose `field` is the column (or `limit`, `body`,
//! `audit.operation` …) and whose `reason` starts with the stable rule name from [`rule`],
//! then `": "` and a description. Structural mistakes of the engine itself (a row of another
//! tenant, a wrong number of column values, a scope on an unscoped table) stay
//! `CrmError::Storage`, as before.

mod changes;
mod query;
pub mod rule;
mod value;

pub use changes::ValidChanges;
pub use query::ValidQuery;
pub use value::{
    MAX_FILTER_VALUES, MAX_LIMIT, MAX_PREDICATE_DEPTH, MAX_TEXT_BYTES, MIN_TIME_MICROS,
};

/// The stable rule name a validation error from this module carries (the part of its
/// reason before `": "`), or `None` for any other error.
pub fn rule_of(err: &crate::error::CrmError) -> Option<&str> {
    match err {
        crate::error::CrmError::Validation { reason, .. } => {
            let (rule, _) = reason.split_once(": ")?;
            rule::ALL.iter().copied().find(|r| *r == rule)
        }
        _ => None,
    }
}
