//! Routing on create: a direct assignee wins, then a given group, then ordered rules
//! (keywords, channel, customer tier, priority) to a group or an agent; within a group, the
//! least-loaded agent.

use super::model::NewTicket;
use crate::ids::UserId;
use crate::sla::{Channel, Priority};
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

    /// Where a new ticket goes: to the agent the creator assigned (keeping the group they
    /// gave, routing skipped), else to the group they gave, else to the first matching
    /// rule's target, else nowhere. `subject` and `description` are the validated texts;
    /// `tier` is the customer's.
    pub fn route_ticket(
        &self,
        input: &NewTicket,
        subject: &str,
        description: &str,
        tier: Option<&str>,
    ) -> Routing {
        match (input.assignee_id, &input.group) {
            (Some(agent), group) => Routing::Assigned {
                agent,
                group: group.clone(),
            },
            (None, Some(group)) => Routing::Group(group.clone()),
            (None, None) => {
                match self.route(subject, description, input.channel, tier, input.priority) {
                    Some(RouteTarget::Group { name }) => Routing::Group(name.clone()),
                    Some(RouteTarget::Agent { user_id }) => Routing::Agent(*user_id),
                    None => Routing::Unrouted,
                }
            }
        }
    }

    /// A group by name.
    pub fn group(&self, name: &str) -> Option<&TicketGroup> {
        self.groups.iter().find(|g| g.name == name)
    }
}

/// Where a new ticket goes ([`TicketSettings::route_ticket`]), before a group's
/// least-loaded agent is picked.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Routing {
    /// The creator assigned an agent directly; the group they gave, if any, is kept.
    Assigned {
        /// The agent.
        agent: UserId,
        /// The group given with it.
        group: Option<String>,
    },
    /// To a group (the creator's or a rule's): its least-loaded agent is assigned.
    Group(String),
    /// A rule sends the ticket to one agent (no group).
    Agent(UserId),
    /// No group, no agent.
    Unrouted,
}

/// The agent with the fewest open tickets (ties: the first listed).
pub fn least_loaded(agents: &[UserId], open_tickets: impl Fn(UserId) -> u64) -> Option<UserId> {
    agents.iter().copied().min_by_key(|a| open_tickets(*a))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::CustomerId;

    fn settings() -> TicketSettings {
        TicketSettings {
            groups: vec![TicketGroup {
                name: "billing".into(),
                agents: vec![UserId(5), UserId(6)],
            }],
            routing: vec![
                RoutingRule {
                    keywords: vec!["Invoice".into()],
                    channels: vec![],
                    tiers: vec![],
                    priorities: vec![],
                    to: RouteTarget::Group {
                        name: "billing".into(),
                    },
                },
                RoutingRule {
                    keywords: vec![],
                    channels: vec![Channel::Phone],
                    tiers: vec!["gold".into()],
                    priorities: vec![],
                    to: RouteTarget::Agent { user_id: UserId(9) },
                },
            ],
        }
    }

    fn ticket(channel: Channel) -> NewTicket {
        NewTicket {
            customer_id: CustomerId(1),
            subject: "s".into(),
            description: String::new(),
            channel,
            category: None,
            priority: Priority::Normal,
            assignee_id: None,
            group: None,
        }
    }

    #[test]
    fn a_direct_assignee_or_group_skips_the_rules() {
        let s = settings();
        let mut t = ticket(Channel::Email);
        t.assignee_id = Some(UserId(3));
        t.group = Some("support".into());
        assert_eq!(
            s.route_ticket(&t, "invoice", "", None),
            Routing::Assigned {
                agent: UserId(3),
                group: Some("support".into())
            }
        );
        t.assignee_id = None;
        assert_eq!(
            s.route_ticket(&t, "invoice", "", None),
            Routing::Group("support".into())
        );
    }

    #[test]
    fn the_first_matching_rule_routes() {
        let s = settings();
        let t = ticket(Channel::Phone);
        assert_eq!(
            s.route_ticket(&t, "An INVOICE", "", Some("gold")),
            Routing::Group("billing".into())
        );
        assert_eq!(
            s.route_ticket(&t, "hello", "", Some("gold")),
            Routing::Agent(UserId(9))
        );
        assert_eq!(s.route_ticket(&t, "hello", "", None), Routing::Unrouted);
        assert_eq!(
            least_loaded(&[UserId(5), UserId(6)], |u| u.0 as u64),
            Some(UserId(5))
        );
    }
}
