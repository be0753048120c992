//! The tenant's assignment rules: ordered entries, each a condition, a member group with a
//! strategy, and an overflow target.

use super::condition::{Condition, LeadField};
use crate::error::{CrmError, CrmResult};
use crate::ids::{PoolId, UserId};
use crate::validate::{required_text, MAX_NAME};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Most entries a tenant's rules may have.
pub const MAX_ENTRIES: usize = 200;
/// Most members one entry may list.
pub const MAX_MEMBERS: usize = 1000;
/// Largest weight of a member in smooth weighted round robin.
pub const MAX_WEIGHT: u32 = 1000;

/// A member of an entry's group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EntryMember {
    /// The user.
    pub user: UserId,
    /// Weight for smooth weighted round robin, and the relative capacity of a member
    /// without one for load balancing; 1..=1000 (default 1).
    #[serde(default = "one")]
    pub weight: u32,
}

fn one() -> u32 {
    1
}

/// How an entry picks among its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[non_exhaustive]
pub enum Strategy {
    /// The next eligible member after the last one assigned, in list order; a member
    /// removed from the list keeps its old position for this purpose.
    RoundRobin,
    /// Smooth weighted round robin over eligible members (deterministic; ties in list order).
    WeightedRoundRobin,
    /// Fewest open leads relative to capacity (or weight when no capacity is set); ties go
    /// to the least recently assigned, then list order.
    LoadBalancing,
    /// A lead field's value names the member.
    ByField {
        /// The field read.
        field: LeadField,
        /// Value → member.
        map: BTreeMap<String, UserId>,
    },
    /// Always the one member.
    Fixed {
        /// The member.
        user: UserId,
    },
}

/// A strategy by its stable name, for explanations and events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StrategyKind {
    /// [`Strategy::RoundRobin`].
    RoundRobin,
    /// [`Strategy::WeightedRoundRobin`].
    WeightedRoundRobin,
    /// [`Strategy::LoadBalancing`].
    LoadBalancing,
    /// [`Strategy::ByField`].
    ByField,
    /// [`Strategy::Fixed`].
    Fixed,
}

impl StrategyKind {
    /// Stable name (`round_robin`, `weighted_round_robin`, `load_balancing`, `by_field`,
    /// `fixed`).
    pub fn as_str(self) -> &'static str {
        match self {
            StrategyKind::RoundRobin => "round_robin",
            StrategyKind::WeightedRoundRobin => "weighted_round_robin",
            StrategyKind::LoadBalancing => "load_balancing",
            StrategyKind::ByField => "by_field",
            StrategyKind::Fixed => "fixed",
        }
    }
}

impl Strategy {
    /// The strategy's kind.
    pub fn kind(&self) -> StrategyKind {
        match self {
            Strategy::RoundRobin => StrategyKind::RoundRobin,
            Strategy::WeightedRoundRobin => StrategyKind::WeightedRoundRobin,
            Strategy::LoadBalancing => StrategyKind::LoadBalancing,
            Strategy::ByField { .. } => StrategyKind::ByField,
            Strategy::Fixed { .. } => StrategyKind::Fixed,
        }
    }
}

/// Where a lead goes when no member of the matching entry may take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OverflowTarget {
    /// A user, who takes it whatever their caps (an overflow is never refused).
    User(UserId),
    /// A lead pool.
    Pool(PoolId),
}

/// One entry of the rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Entry {
    /// A name for people and explanations.
    pub name: String,
    /// Which leads it takes.
    pub condition: Condition,
    /// The group, in order (round robin follows it). Not used by `by_field` and `fixed`,
    /// which name their members.
    #[serde(default)]
    pub members: Vec<EntryMember>,
    /// How a member is picked.
    pub strategy: Strategy,
    /// Where a lead goes when nobody may take it (required).
    pub overflow: OverflowTarget,
}

impl Entry {
    /// Every user the entry may assign to, in order: the members, then those named by the
    /// strategy.
    pub fn candidates(&self) -> Vec<UserId> {
        let mut out: Vec<UserId> = self.members.iter().map(|m| m.user).collect();
        match &self.strategy {
            Strategy::ByField { map, .. } => {
                for u in map.values() {
                    if !out.contains(u) {
                        out.push(*u);
                    }
                }
            }
            Strategy::Fixed { user } if !out.contains(user) => out.push(*user),
            _ => {}
        }
        out
    }
}

/// A tenant's assignment rules: the first entry whose condition matches wins; the last
/// entry's condition is `always` (the default).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AssignmentRules {
    /// The entries, in order.
    pub entries: Vec<Entry>,
}

impl AssignmentRules {
    /// The first entry matching `lead`, with its index.
    pub fn matching(&self, lead: &super::LeadFacts) -> Option<(usize, &Entry)> {
        self.entries
            .iter()
            .enumerate()
            .find(|(_, e)| e.condition.matches(lead))
    }

    /// Every user the rules name (members, by-field and fixed targets, overflow users), for
    /// the caller's check that each is a user of the tenant.
    pub fn users(&self) -> BTreeSet<UserId> {
        let mut out = BTreeSet::new();
        for e in &self.entries {
            out.extend(e.candidates());
            if let OverflowTarget::User(u) = e.overflow {
                out.insert(u);
            }
        }
        out
    }

    /// Refuses rules a decision could not follow: no entries, no default entry last, empty
    /// or repeated names, empty groups, duplicate members, weights outside 1..=1000, bad conditions, an
    /// empty by-field map. Errors name the entry (`entries[2].members`).
    pub fn validate(&self) -> CrmResult<()> {
        if self.entries.is_empty() {
            return Err(CrmError::validation("entries", "at least one entry"));
        }
        if self.entries.len() > MAX_ENTRIES {
            return Err(CrmError::validation(
                "entries",
                format!("at most {MAX_ENTRIES} entries"),
            ));
        }
        let last = self.entries.len() - 1;
        let mut names = BTreeSet::new();
        for (i, e) in self.entries.iter().enumerate() {
            let at = format!("entries[{i}]");
            let name = required_text(&e.name, &format!("{at}.name"), MAX_NAME)?;
            // Each entry's cursor is kept by its name.
            if !names.insert(name.to_lowercase()) {
                return Err(CrmError::validation(
                    format!("{at}.name"),
                    format!(
                        "the name {} is used by an earlier entry",
                        crate::validate::quote(&name)
                    ),
                ));
            }
            e.condition.validate(&format!("{at}.condition"))?;
            if i == last && e.condition != Condition::Always {
                return Err(CrmError::validation(
                    format!("{at}.condition"),
                    "the last entry is the default: its condition must be `always`",
                ));
            }
            validate_members(e, &at)?;
        }
        Ok(())
    }
}

fn validate_members(e: &Entry, at: &str) -> CrmResult<()> {
    if e.members.len() > MAX_MEMBERS {
        return Err(CrmError::validation(
            format!("{at}.members"),
            format!("at most {MAX_MEMBERS} members"),
        ));
    }
    let mut seen = BTreeSet::new();
    for (j, m) in e.members.iter().enumerate() {
        if !seen.insert(m.user) {
            return Err(CrmError::validation(
                format!("{at}.members[{j}]"),
                format!("user {} is listed twice", m.user),
            ));
        }
        if m.weight == 0 || m.weight > MAX_WEIGHT {
            return Err(CrmError::validation(
                format!("{at}.members[{j}].weight"),
                format!("a weight is 1..={MAX_WEIGHT}, not {}", m.weight),
            ));
        }
    }
    match &e.strategy {
        Strategy::RoundRobin | Strategy::WeightedRoundRobin | Strategy::LoadBalancing
            if e.members.is_empty() =>
        {
            Err(CrmError::validation(
                format!("{at}.members"),
                "this strategy needs at least one member",
            ))
        }
        Strategy::ByField { map, .. } if map.is_empty() => Err(CrmError::validation(
            format!("{at}.strategy.map"),
            "at least one value → member",
        )),
        _ => Ok(()),
    }
}
