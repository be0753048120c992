//! Segments (客户分群, DESIGN §4.11, ADR 0031): a boolean expression over customer state
//! ([`SegmentExpr`]: `all`, `any`, `not`, an audience condition, membership of another
//! segment), checked for size, depth, unknown references and cycles ([`graph`]); and its
//! materialized membership, one [`SegmentMember`] row per stint (joined, left), decided per
//! customer by [`decide`] from the expression's verdict and the manual overrides
//! ([`SegmentOverride`]; exclusion wins).
//!
//! Everything here is pure: the services load customers in keyset batches, build one
//! [`Verdicts`] per customer from the batch's facts, and apply what [`decide`] says.

pub mod expr;
pub mod graph;
pub mod membership;
pub mod model;

pub use expr::{Condition, SegmentExpr, Verdicts, MAX_DEPTH, MAX_NODES};
pub use graph::{check_acyclic, evaluation_order};
pub use membership::{decide, wanted, Decision, JoinReason};
pub use model::{
    OverrideMode, Segment, SegmentInput, SegmentMember, SegmentOverride, SegmentStatus,
};
