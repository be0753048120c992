//! The calendar event record (日程): title, time in its zone, owner and attendees, links,
//! location, recurrence and the exceptions of single occurrences.

use super::exception::{Exception, ExceptionChange};
use super::recurrence::Recurrence;
use super::time::{local_to_utc, zone, EventTime};
use crate::error::CrmResult;
use crate::ids::{
    CalendarEventId, ContactId, ContractId, CustomerId, LeadId, OpportunityId, TenantId, TicketId,
    UserId,
};
use crate::store::{Entity, Record, SqlValue};
use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// What an event is about: at most one record of each kind.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields, default)]
pub struct EventLinks {
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

impl EventLinks {
    /// Each link given, as (field, entity, id); the record's module is the entity's.
    pub fn given(&self) -> Vec<(&'static str, Entity, i64)> {
        [
            ("links.lead_id", Entity::Lead, self.lead_id.map(|i| i.0)),
            (
                "links.customer_id",
                Entity::Customer,
                self.customer_id.map(|i| i.0),
            ),
            (
                "links.contact_id",
                Entity::Contact,
                self.contact_id.map(|i| i.0),
            ),
            (
                "links.opportunity_id",
                Entity::Opportunity,
                self.opportunity_id.map(|i| i.0),
            ),
            (
                "links.contract_id",
                Entity::Contract,
                self.contract_id.map(|i| i.0),
            ),
            (
                "links.ticket_id",
                Entity::Ticket,
                self.ticket_id.map(|i| i.0),
            ),
        ]
        .into_iter()
        .filter_map(|(f, e, id)| id.map(|id| (f, e, id)))
        .collect()
    }
}

/// A calendar event, one-off or a recurring series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CalendarEvent {
    /// Tenant.
    pub tenant: TenantId,
    /// Id.
    pub id: CalendarEventId,
    /// Optimistic version.
    pub version: i64,
    /// Title.
    pub title: String,
    /// When (the first occurrence of a series), in `time_zone`.
    pub time: EventTime,
    /// IANA time zone of the local times (`Asia/Shanghai`).
    pub time_zone: String,
    /// Owner (负责人): whose calendar it is; scope follows the owner.
    pub owner_id: UserId,
    /// Attendees (参与人), sorted, without the owner; they read the event too.
    #[serde(default)]
    pub attendees: Vec<UserId>,
    /// What it is about.
    #[serde(default)]
    pub links: EventLinks,
    /// Where.
    #[serde(default)]
    pub location: Option<String>,
    /// How it repeats (none: once).
    #[serde(default)]
    pub recurrence: Option<Recurrence>,
    /// Single occurrences deleted or moved, by original start, in order.
    #[serde(default)]
    pub exceptions: Vec<Exception>,
    /// The series this one continues after a "this and following" split.
    #[serde(default)]
    pub split_from: Option<CalendarEventId>,
    /// Who created it (none: the system actor).
    pub created_by: Option<UserId>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl CalendarEvent {
    /// The event's zone.
    pub fn tz(&self) -> CrmResult<Tz> {
        zone(&self.time_zone, "time_zone")
    }

    /// The exception of the occurrence originally starting at `key`, if any.
    pub fn exception(&self, key: NaiveDateTime) -> Option<&Exception> {
        self.exceptions
            .binary_search_by(|e| e.original_start.cmp(&key))
            .ok()
            .and_then(|i| self.exceptions.get(i))
    }

    /// Sets the exception of one occurrence (replacing an earlier one), keeping the order.
    pub fn set_exception(&mut self, exception: Exception) {
        match self
            .exceptions
            .binary_search_by(|e| e.original_start.cmp(&exception.original_start))
        {
            Ok(i) => {
                if let Some(slot) = self.exceptions.get_mut(i) {
                    *slot = exception;
                }
            }
            Err(i) => self.exceptions.insert(i, exception),
        }
    }

    /// The instants its occurrences can reach: from the earliest start (the series' start
    /// or a moved occurrence's) to the latest end, `None` for a series without end. A
    /// bound, for finding the events of a range; expansion decides exactly.
    pub fn span(&self) -> CrmResult<(DateTime<Utc>, Option<DateTime<Utc>>)> {
        let tz = self.tz()?;
        let mut first = local_to_utc(tz, self.time.local_start())?;
        let mut last = super::expand::series_last_end(self, tz)?;
        for e in &self.exceptions {
            if let ExceptionChange::Moved { time, .. } = &e.change {
                first = first.min(local_to_utc(tz, time.local_start())?);
                last = last.map(|l| l.max(local_to_utc(tz, time.local_end()).unwrap_or(l)));
            }
        }
        Ok((first, last))
    }
}

impl Record for CalendarEvent {
    const ENTITY: Entity = Entity::CalendarEvent;
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
        let (first, last) = match self.span() {
            Ok((f, l)) => (SqlValue::Time(f), l.into()),
            // A stored event always has a span; an unreadable one is found by nothing.
            Err(_) => (SqlValue::Null, SqlValue::Null),
        };
        vec![self.owner_id.0.into(), first, last]
    }
}

/// One attendee of one event: the row the "events I attend" query reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarAttendee {
    /// Tenant.
    pub tenant: TenantId,
    /// Row id.
    pub id: i64,
    /// Optimistic version.
    pub version: i64,
    /// The event.
    pub event_id: CalendarEventId,
    /// The attendee.
    pub user_id: UserId,
}

impl Record for CalendarAttendee {
    const ENTITY: Entity = Entity::CalendarAttendee;
    fn tenant(&self) -> TenantId {
        self.tenant
    }
    fn raw_id(&self) -> i64 {
        self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn set_version(&mut self, version: i64) {
        self.version = version;
    }
    fn columns(&self) -> Vec<SqlValue> {
        vec![self.event_id.0.into(), self.user_id.0.into()]
    }
}
