//! One assignment decision with its explanation.

use super::condition::LeadFacts;
use super::eligibility::{Availability, Load, SkipReason};
use super::rules::{AssignmentRules, OverflowTarget, Strategy, StrategyKind};
use super::strategy::{self, EntryState, Roster};
use crate::error::{CrmError, CrmResult};
use crate::ids::UserId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Why a lead went to the overflow target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OverflowReason {
    /// Every candidate was passed over (each named in the explanation).
    NoEligibleMember,
    /// A by-field entry has no member for the lead's value (or the lead has none).
    NoMemberForValue,
}

impl OverflowReason {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            OverflowReason::NoEligibleMember => "no_eligible_member",
            OverflowReason::NoMemberForValue => "no_member_for_value",
        }
    }
}

/// Where the lead goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "to")]
#[non_exhaustive]
pub enum Outcome {
    /// A member of the entry.
    Member {
        /// The member.
        user: UserId,
    },
    /// The entry's overflow target.
    Overflow {
        /// The target.
        target: OverflowTarget,
        /// Why.
        reason: OverflowReason,
    },
}

/// A candidate passed over, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Skipped {
    /// The candidate.
    pub user: UserId,
    /// Why.
    pub reason: SkipReason,
}

/// An assignment decision: the explanation record and the entry's next state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Decision {
    /// Index of the entry that matched.
    pub entry: usize,
    /// Its name.
    pub entry_name: String,
    /// Its strategy.
    pub strategy: StrategyKind,
    /// Where the lead goes.
    pub outcome: Outcome,
    /// Every candidate passed over, in the order considered, with the reason.
    pub skipped: Vec<Skipped>,
    /// The entry's state after this decision (unchanged unless a member was chosen).
    pub state: EntryState,
}

/// Decides where `lead` goes under `rules`, as of the tenant's local day `today`.
/// `states` holds each entry's stored state by index (missing: fresh); `people` the
/// availability and counts of every candidate (missing: not an active user).
pub fn decide(
    rules: &AssignmentRules,
    lead: &LeadFacts,
    states: &BTreeMap<usize, EntryState>,
    people: &BTreeMap<UserId, (Availability, Load)>,
    today: NaiveDate,
) -> CrmResult<Decision> {
    let Some((index, entry)) = rules.matching(lead) else {
        return Err(CrmError::rule(
            "no_matching_entry",
            "no assignment entry matches the lead (the last entry must be `always`)",
        ));
    };
    let roster = Roster { people, today };
    let mut state = states.get(&index).cloned().unwrap_or_default();
    let before = state.clone();
    let mut unmapped = false;
    let (chosen, skipped) = match &entry.strategy {
        Strategy::RoundRobin => strategy::round_robin(&entry.members, &mut state, &roster),
        Strategy::WeightedRoundRobin => strategy::weighted(&entry.members, &mut state, &roster),
        Strategy::LoadBalancing => strategy::load_balancing(&entry.members, &roster),
        Strategy::ByField { field, map } => {
            match lead.text(field).and_then(|v| map.get(&v).copied()) {
                Some(user) => strategy::single(user, &roster),
                None => {
                    unmapped = true;
                    (None, Vec::new())
                }
            }
        }
        Strategy::Fixed { user } => strategy::single(*user, &roster),
    };
    let outcome = match chosen {
        Some(user) => Outcome::Member { user },
        None => {
            // Nobody took it: the cursor stays where it was.
            state = before;
            Outcome::Overflow {
                target: entry.overflow,
                reason: if unmapped {
                    OverflowReason::NoMemberForValue
                } else {
                    OverflowReason::NoEligibleMember
                },
            }
        }
    };
    Ok(Decision {
        entry: index,
        entry_name: entry.name.clone(),
        strategy: entry.strategy.kind(),
        outcome,
        skipped: skipped
            .into_iter()
            .map(|(user, reason)| Skipped { user, reason })
            .collect(),
        state,
    })
}
