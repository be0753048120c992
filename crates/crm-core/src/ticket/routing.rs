//! Routing on create: ordered rules (keywords, channel, customer tier, priority) to a group
//! or an agent; within a group, the least-loaded agent.

use super::model::{Channel, Priority};
use crate::ids::UserId;
use serde::{Deserialize, Serialize};

/// A group of agents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TicketGroup {
    /// Name (unique).
    pub name: String,
    /// Agents.
    pub agents: Vec<UserId>,
}

/// Where a rule sends a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RouteTarget {
    /// A group (its least-loaded agent is assigned).
    Group {
        /// Group name.
        name: String,
    },
    /// One agent.
    Agent {
        /// The agent.
        user_id: UserId,
    },
}

/// One routing rule; every non-empty condition must hold (keywords: any of them, case-
/// insensitively, in subject or description).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RoutingRule {
    /// Keywords.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Channels.
    #[serde(default)]
    pub channels: Vec<Channel>,
    /// Customer tiers.
    #[serde(default)]
    pub tiers: Vec<String>,
    /// Priorities.
    #[serde(default)]
    pub priorities: Vec<Priority>,
    /// Destination.
    pub to: RouteTarget,
}

/// Ticket settings of a tenant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default)]
pub struct TicketSettings {
    /// Agent groups.
    pub groups: Vec<TicketGroup>,
    /// Ordered routing rules; first match wins.
    pub routing: Vec<RoutingRule>,
}

impl RoutingRule {
    /// True when the rule matches.
    pub fn matches(
        &self,
        subject: &str,
        description: &str,
        channel: Channel,
        tier: Option<&str>,
        priority: Priority,
    ) -> bool {
        let text = format!("{subject}\n{description}").to_lowercase();
        (self.keywords.is_empty()
            || self
                .keywords
                .iter()
                .any(|k| text.contains(&k.to_lowercase())))
            && (self.channels.is_empty() || self.channels.contains(&channel))
            && (self.tiers.is_empty() || tier.is_some_and(|t| self.tiers.iter().any(|x| x == t)))
            && (self.priorities.is_empty() || self.priorities.contains(&priority))
    }
}

impl TicketSettings {
    /// The first matching rule's target.
    pub fn route(
        &self,
        subject: &str,
        description: &str,
        channel: Channel,
        tier: Option<&str>,
        priority: Priority,
    ) -> Option<&RouteTarget> {
        self.routing
            .iter()
            .find(|r| r.matches(subject, description, channel, tier, priority))
            .map(|r| &r.to)
    }

    /// A group by name.
    pub fn group(&self, name: &str) -> Option<&TicketGroup> {
        self.groups.iter().find(|g| g.name == name)
    }
}

/// The agent with the fewest open tickets (ties: the first listed).
pub fn least_loaded(agents: &[UserId], open_tickets: impl Fn(UserId) -> u64) -> Option<UserId> {
    agents.iter().copied().min_by_key(|a| open_tickets(*a))
}
