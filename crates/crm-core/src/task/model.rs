//! The task record (任务) and how it is stored.

use super::due::{Due, TaskBucket};
use super::reminder::{self, Reminder};
use super::status::TaskStatus;
use crate::ids::{
    ContactId, ContractId, CustomerId, LeadId, OpportunityId, TaskId, TenantId, TicketId, UserId,
};
use crate::store::{Entity, Record, SqlValue};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The records a task concerns (any of them, each at most once).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields, default)]
pub struct TaskLinks {
    /// A lead.
    pub lead_id: Option<LeadId>,
    /// A customer.
    pub customer_id: Option<CustomerId>,
    /// A contact.
    pub contact_id: Option<ContactId>,
    /// An opportunity.
    pub opportunity_id: Option<OpportunityId>,
    /// A contract.
    pub contract_id: Option<ContractId>,
    /// A ticket.
    pub ticket_id: Option<TicketId>,
}

impl TaskLinks {
    /// Each link set, as (indexed column, entity, id).
    pub fn set(&self) -> Vec<(&'static str, Entity, i64)> {
        [
            ("lead_id", Entity::Lead, self.lead_id.map(|i| i.0)),
            (
                "customer_id",
                Entity::Customer,
                self.customer_id.map(|i| i.0),
            ),
            ("contact_id", Entity::Contact, self.contact_id.map(|i| i.0)),
            (
                "opportunity_id",
                Entity::Opportunity,
                self.opportunity_id.map(|i| i.0),
            ),
            (
                "contract_id",
                Entity::Contract,
                self.contract_id.map(|i| i.0),
            ),
            ("ticket_id", Entity::Ticket, self.ticket_id.map(|i| i.0)),
        ]
        .into_iter()
        .filter_map(|(c, e, id)| id.map(|id| (c, e, id)))
        .collect()
    }
}

/// Where a task came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TaskSource {
    /// Created by hand.
    Manual,
    /// Created when an opportunity entered a pipeline stage.
    StageTemplate {
        /// The opportunity.
        opportunity_id: OpportunityId,
        /// The stage entered.
        stage: String,
        /// The template item's key.
        item: String,
    },
    /// Created by a rule of the host's (named).
    Rule {
        /// The rule's name.
        name: String,
    },
}

impl TaskSource {
    /// Stable name of the kind.
    pub fn as_str(&self) -> &'static str {
        match self {
            TaskSource::Manual => "manual",
            TaskSource::StageTemplate { .. } => "stage_template",
            TaskSource::Rule { .. } => "rule",
        }
    }

    /// The key (opportunity, stage, template item) of a stage-template task.
    pub fn template_key(&self) -> Option<String> {
        match self {
            TaskSource::StageTemplate {
                opportunity_id,
                stage,
                item,
            } => Some(template_key(*opportunity_id, stage, item)),
            _ => None,
        }
    }
}

/// The key of a stage-template task: opportunity, stage and item (the stage and item keys
/// are validated identifiers without `/`).
pub fn template_key(opportunity: OpportunityId, stage: &str, item: &str) -> String {
    format!("{}/{stage}/{item}", opportunity.0)
}

/// A task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Task {
    /// Tenant.
    pub tenant: TenantId,
    /// Id.
    pub id: TaskId,
    /// Optimistic version.
    pub version: i64,
    /// Title.
    pub title: String,
    /// Kind, the host's own label (`call`, `email`, `visit`, …).
    pub kind: Option<String>,
    /// Priority, 0 (lowest) to 3 (highest).
    pub priority: u8,
    /// Status.
    pub status: TaskStatus,
    /// When it is due.
    pub due: Due,
    /// The time zone the due is read in (the owner's when it was set).
    pub time_zone: String,
    /// The instant from which it is overdue (derived from `due` in `time_zone`).
    pub due_at: DateTime<Utc>,
    /// Owner.
    pub owner_id: UserId,
    /// Collaborators (they read it too).
    pub collaborators: Vec<UserId>,
    /// Linked records.
    pub links: TaskLinks,
    /// Where it came from.
    pub source: TaskSource,
    /// Reminders, armed for the current due.
    pub reminders: Vec<Reminder>,
    /// Notes.
    pub notes: Option<String>,
    /// When it was completed (done only).
    pub completed_at: Option<DateTime<Utc>>,
    /// Who created it (none: the system actor).
    pub created_by: Option<UserId>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl Task {
    /// Its bucket at `now` in its time zone; `None` unless open.
    pub fn bucket(&self, now: DateTime<Utc>) -> Option<TaskBucket> {
        let tz: Tz = self.time_zone.parse().unwrap_or(chrono_tz::UTC);
        (self.status == TaskStatus::Open).then(|| TaskBucket::of(&self.due, self.due_at, now, tz))
    }

    /// The next reminder instant scheduled work owes (open tasks only).
    pub fn next_reminder_at(&self) -> Option<DateTime<Utc>> {
        if self.status == TaskStatus::Open {
            reminder::next_at(&self.reminders)
        } else {
            None
        }
    }

    /// Whether `user` is among its collaborators.
    pub fn has_collaborator(&self, user: UserId) -> bool {
        self.collaborators.contains(&user)
    }
}

/// The collaborators column: `,12,13,` (so `,13,` finds a member), none when empty.
pub fn collaborators_column(users: &[UserId]) -> Option<String> {
    if users.is_empty() {
        return None;
    }
    let mut s = String::from(",");
    for u in users {
        s.push_str(&u.0.to_string());
        s.push(',');
    }
    Some(s)
}

/// The needle that finds `user` in the collaborators column.
pub fn collaborator_needle(user: UserId) -> String {
    format!(",{},", user.0)
}

impl Record for Task {
    const ENTITY: Entity = Entity::Task;
    fn tenant(&self) -> TenantId {
        self.tenant
    }
    fn raw_id(&self) -> i64 {
        self.id.0
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn set_version(&mut self, version: i64) {
        self.version = version;
    }
    fn columns(&self) -> Vec<SqlValue> {
        let open = self.status == TaskStatus::Open;
        vec![
            self.owner_id.0.into(),
            self.status.as_str().into(),
            self.due_at.into(),
            i64::from(self.priority).into(),
            self.next_reminder_at().into(),
            collaborators_column(&self.collaborators).into(),
            self.links.lead_id.map(|i| i.0).into(),
            self.links.customer_id.map(|i| i.0).into(),
            self.links.contact_id.map(|i| i.0).into(),
            self.links.opportunity_id.map(|i| i.0).into(),
            self.links.contract_id.map(|i| i.0).into(),
            self.links.ticket_id.map(|i| i.0).into(),
            // Only an open copy holds its template key: the partial unique key allows one
            // open copy per (opportunity, stage, item), and any number of closed ones.
            self.source.template_key().filter(|_| open).into(),
            self.completed_at.into(),
            self.created_at.into(),
        ]
    }
}
