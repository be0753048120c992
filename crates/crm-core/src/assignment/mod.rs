//! Lead assignment (线索分配, DESIGN §4.8): an ordered list of entries per tenant, each a
//! condition over lead fields leading to a member group with a strategy and an overflow
//! target; the first matching entry wins and the last entry is the default.
//!
//! Everything here is a pure decision over the state the caller loads — the rules, each
//! entry's cursor, the members' availability and their counts — so two callers given the
//! same state decide the same; the service writes the new cursor and counters as versioned
//! rows in the same unit of work as the owner change. No randomness anywhere.

mod condition;
mod decide;
mod eligibility;
mod load;
mod record;
mod rules;
mod stored;
mod strategy;

pub use condition::{AmountBound, Condition, LeadFacts, LeadField, MAX_DEPTH};
pub use decide::{decide, Decision, Outcome, OverflowReason, Skipped};
pub use eligibility::{ineligible, Availability, Leave, Load, SkipReason};
pub use load::{month_of, open_lead_deltas, LeadLoad};
pub use record::{AssignedBy, AssignmentRecord};
pub use rules::{
    AssignmentRules, Entry, EntryMember, OverflowTarget, Strategy, StrategyKind, MAX_ENTRIES,
    MAX_MEMBERS, MAX_WEIGHT,
};
pub use stored::{EntryCursor, MemberSettings, StoredRules, RULES_ROW};
pub use strategy::{Cursor, EntryState};
