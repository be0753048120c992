//! SLA policies (per tenant, ordered, first match wins, explicit default last) and stored
//! business calendars.

use super::calendar::Calendar;
use super::ticket_class::{Channel, Priority, TicketStatus};
use crate::error::{CrmError, CrmResult};
use crate::ids::{BusinessCalendarId, SlaPolicyId, TenantId};
use crate::store::{Entity, Record, SqlValue};
use crate::validate::{required_text, MAX_NAME};
use serde::{Deserialize, Serialize};

/// A stored business calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BusinessCalendar {
    /// Tenant.
    pub tenant: TenantId,
    /// Id.
    pub id: BusinessCalendarId,
    /// Version (recorded on every SLA that used it).
    #[serde(default)]
    pub version: i64,
    /// Name.
    pub name: String,
    /// The calendar.
    pub calendar: Calendar,
}

impl Record for BusinessCalendar {
    const ENTITY: Entity = Entity::BusinessCalendar;
    fn tenant(&self) -> TenantId {
        self.tenant
    }
    fn raw_id(&self) -> i64 {
        self.id.into()
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn set_version(&mut self, version: i64) {
        self.version = version;
    }
    fn columns(&self) -> Vec<SqlValue> {
        Vec::new()
    }
}

/// Targets of one priority, in business seconds (0 = no target for that metric).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct Targets {
    /// First response.
    pub first_response_secs: i64,
    /// Each next response.
    pub next_response_secs: i64,
    /// Resolution.
    pub resolution_secs: i64,
}

/// Targets per priority.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct PriorityTargets {
    /// Low.
    pub low: Targets,
    /// Normal.
    pub normal: Targets,
    /// High.
    pub high: Targets,
    /// Urgent.
    pub urgent: Targets,
}

impl PriorityTargets {
    /// The targets of a priority.
    pub fn get(&self, p: Priority) -> Targets {
        match p {
            Priority::Low => self.low,
            Priority::Normal => self.normal,
            Priority::High => self.high,
            Priority::Urgent => self.urgent,
        }
    }
}

/// When a policy applies; an empty list means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default)]
pub struct PolicyConditions {
    /// Priorities.
    pub priorities: Vec<Priority>,
    /// Customer tiers.
    pub tiers: Vec<String>,
    /// Channels.
    pub channels: Vec<Channel>,
    /// Categories.
    pub categories: Vec<String>,
}

/// A warning before a breach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum WarningLead {
    /// This many business minutes before the due time.
    Minutes {
        /// Minutes.
        minutes: u32,
    },
    /// When this percentage of the target is left.
    Percent {
        /// Percent (1–99).
        percent: u8,
    },
}

impl WarningLead {
    /// The lead in business seconds for a target.
    pub fn seconds(self, target: i64) -> i64 {
        match self {
            WarningLead::Minutes { minutes } => i64::from(minutes) * 60,
            WarningLead::Percent { percent } => target * i64::from(percent) / 100,
        }
    }
}

/// What an escalation does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EscalationAction {
    /// Tell the assignee's supervisor (an event).
    NotifySupervisor,
    /// Raise the ticket's priority one step.
    RaisePriority,
    /// Move the ticket to a group (its least-loaded agent).
    ReassignGroup {
        /// Group name.
        group: String,
    },
}

/// An escalation level: fires this many business seconds after a breach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Escalation {
    /// Business seconds after the breach.
    pub after_secs: i64,
    /// Action.
    pub action: EscalationAction,
}

/// The tenant of a policy read without one (a save request); the engine sets it.
fn unset_tenant() -> TenantId {
    TenantId(0)
}

fn yes() -> bool {
    true
}

fn default_warnings() -> Vec<WarningLead> {
    vec![WarningLead::Minutes { minutes: 15 }]
}

fn default_paused() -> Vec<TicketStatus> {
    vec![TicketStatus::WaitingOnCustomer, TicketStatus::OnHold]
}

/// An SLA policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SlaPolicy {
    /// Tenant. Set by the engine to the acting tenant when a policy is saved, so a request
    /// may leave it out.
    #[serde(default = "unset_tenant")]
    pub tenant: TenantId,
    /// Id (0 when saving a new policy).
    #[serde(default)]
    pub id: SlaPolicyId,
    /// Version.
    #[serde(default)]
    pub version: i64,
    /// Name.
    pub name: String,
    /// Order (lower first).
    pub position: i32,
    /// The explicit default, used when nothing else matches.
    pub is_default: bool,
    /// Conditions.
    #[serde(default)]
    pub when: PolicyConditions,
    /// The calendar.
    pub calendar_id: BusinessCalendarId,
    /// Targets per priority.
    pub targets: PriorityTargets,
    /// Statuses during which the clocks pause (others: new/open run, resolved/closed stop).
    #[serde(default = "default_paused")]
    pub paused_statuses: Vec<TicketStatus>,
    /// On reopen, count the time spent resolved/closed as paused.
    #[serde(default = "yes")]
    pub closed_counts_as_paused: bool,
    /// Warnings before a breach.
    #[serde(default = "default_warnings")]
    pub warnings: Vec<WarningLead>,
    /// Escalations after a breach.
    #[serde(default)]
    pub escalations: Vec<Escalation>,
}

impl Record for SlaPolicy {
    const ENTITY: Entity = Entity::SlaPolicy;
    fn tenant(&self) -> TenantId {
        self.tenant
    }
    fn raw_id(&self) -> i64 {
        self.id.into()
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn set_version(&mut self, version: i64) {
        self.version = version;
    }
    fn columns(&self) -> Vec<SqlValue> {
        vec![i64::from(self.position).into()]
    }
}

impl SlaPolicy {
    /// Checks the definition.
    pub fn validate(&self) -> CrmResult<()> {
        required_text(&self.name, "policy.name", MAX_NAME)?;
        for (p, t) in [
            ("low", self.targets.low),
            ("normal", self.targets.normal),
            ("high", self.targets.high),
            ("urgent", self.targets.urgent),
        ] {
            for (m, v) in [
                ("first_response_secs", t.first_response_secs),
                ("next_response_secs", t.next_response_secs),
                ("resolution_secs", t.resolution_secs),
            ] {
                if !(0..=366 * 86_400).contains(&v) {
                    return Err(CrmError::validation(
                        format!("policy.targets.{p}.{m}"),
                        "must be 0..=31622400 seconds",
                    ));
                }
            }
        }
        for w in &self.warnings {
            if let WarningLead::Percent { percent } = w {
                if *percent == 0 || *percent >= 100 {
                    return Err(CrmError::validation(
                        "policy.warnings.percent",
                        "must be 1..=99",
                    ));
                }
            }
        }
        if self.paused_statuses.iter().any(|s| {
            !matches!(
                s,
                TicketStatus::WaitingOnCustomer | TicketStatus::OnHold | TicketStatus::Open
            )
        }) {
            return Err(CrmError::validation(
                "policy.paused_statuses",
                "only open, waiting_on_customer and on_hold can pause",
            ));
        }
        Ok(())
    }

    /// True when the policy's conditions hold.
    pub fn matches(
        &self,
        priority: Priority,
        tier: Option<&str>,
        channel: Channel,
        category: Option<&str>,
    ) -> bool {
        let w = &self.when;
        (w.priorities.is_empty() || w.priorities.contains(&priority))
            && (w.tiers.is_empty() || tier.is_some_and(|t| w.tiers.iter().any(|x| x == t)))
            && (w.channels.is_empty() || w.channels.contains(&channel))
            && (w.categories.is_empty()
                || category.is_some_and(|c| w.categories.iter().any(|x| x == c)))
    }
}

/// The policy for a ticket: the first non-default match in order, else the default.
pub fn select_policy<'a>(
    policies: &'a [SlaPolicy],
    priority: Priority,
    tier: Option<&str>,
    channel: Channel,
    category: Option<&str>,
) -> Option<&'a SlaPolicy> {
    let mut ordered: Vec<&SlaPolicy> = policies.iter().collect();
    ordered.sort_by_key(|p| (p.position, p.id));
    ordered
        .iter()
        .copied()
        .find(|p| !p.is_default && p.matches(priority, tier, channel, category))
        .or_else(|| ordered.iter().copied().find(|p| p.is_default))
}
