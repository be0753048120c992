//! Tags (标签, §4.11): manual tags that users put on customers, and rule tags whose
//! [`Condition`](crate::audience::Condition) the engine evaluates as of a date.
//!
//! - A tag definition ([`Tag`]) has a name unique in the tenant (trimmed, 1–50
//!   characters), a kind (`manual` or `rule`), a rule for rule tags only, a description, a
//!   color and a status (`active`, `retired`). A rule may read `tag` leaves naming MANUAL tags
//!   only: manual tags do not change during an evaluation, so the result of a rule never
//!   depends on the order rule tags are evaluated in, and no rule can depend on itself.
//! - A customer's tag ([`CustomerTag`], one row per tag and customer) is on or off, with its
//!   source (`manual`, `rule`) and since when. Evaluation ([`decide`]) is state-based and
//!   sticky for manual removal: a user who removes a rule tag keeps it off until the rule
//!   first stops matching and then matches again; a manually applied tag is never removed by
//!   its rule.

mod input;
mod model;
mod sticky;

pub use input::{CreateTag, UpdateTag};
pub use model::{CustomerTag, Tag, TagKind, TagSource, TagStatus};
pub use sticky::{decide, Decision, TagReason};
