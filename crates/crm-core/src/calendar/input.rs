//! The input that creates an event and the patch that edits one.

use super::event::{CalendarEvent, EventLinks};
use super::recurrence::Recurrence;
use super::time::{zone, EventTime};
use crate::error::{CrmError, CrmResult};
use crate::ids::UserId;
use crate::validate::{optional_text, required_text, MAX_NAME, MAX_TEXT};
use serde::{Deserialize, Serialize};

/// Most attendees an event has.
pub const MAX_ATTENDEES: usize = 200;

/// The fields of a new event, for `calendar.create_event`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    /// Title (required).
    pub title: String,
    /// When (the first occurrence of a series).
    pub time: EventTime,
    /// IANA time zone of the local times (default: the tenant's).
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Attendees: active users of the tenant (the owner is never listed).
    #[serde(default)]
    pub attendees: Vec<UserId>,
    /// What it is about (each record must exist and be readable by the actor).
    #[serde(default)]
    pub links: EventLinks,
    /// Where.
    #[serde(default)]
    pub location: Option<String>,
    /// How it repeats (none: once).
    #[serde(default)]
    pub recurrence: Option<Recurrence>,
}

/// Changes to an event for `calendar.update_event` (or to the part after a split): each
/// field given is written, each absent one kept. Changing when the occurrences start —
/// `time`'s start or kind, `time_zone` or `recurrence` — drops the exceptions of single
/// occurrences (their keys no longer name occurrences).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct EventPatch {
    /// New title (not blank).
    pub title: Option<String>,
    /// New time.
    pub time: Option<EventTime>,
    /// New IANA time zone.
    pub time_zone: Option<String>,
    /// The attendees, replacing the list.
    pub attendees: Option<Vec<UserId>>,
    /// The links, replacing them all.
    pub links: Option<EventLinks>,
    /// New location (blank clears it).
    pub location: Option<String>,
    /// New recurrence (a blank `rule` makes the event one-off).
    pub recurrence: Option<Recurrence>,
}

/// Sorted attendees without duplicates and without the owner, at most [`MAX_ATTENDEES`].
pub fn attendees(list: &[UserId], owner: UserId) -> CrmResult<Vec<UserId>> {
    let mut out: Vec<UserId> = list.iter().copied().filter(|u| *u != owner).collect();
    out.sort_unstable();
    out.dedup();
    if out.len() > MAX_ATTENDEES {
        return Err(CrmError::validation(
            "attendees",
            format!("at most {MAX_ATTENDEES} attendees"),
        ));
    }
    Ok(out)
}

/// Checks the time, zone and recurrence of an event together.
pub fn check_schedule(event: &CalendarEvent) -> CrmResult<()> {
    event.time.validate("time")?;
    let tz = zone(&event.time_zone, "time_zone")?;
    if let Some(r) = &event.recurrence {
        r.validate(&event.time, tz)?;
    }
    event.span().map(|_| ())
}

impl EventInput {
    /// Validates the input and writes it into `event` (whose owner and tenant zone are
    /// set); errors name the field.
    pub fn apply(&self, event: &mut CalendarEvent) -> CrmResult<()> {
        event.title = required_text(&self.title, "title", MAX_NAME)?;
        event.location = optional_text(self.location.as_deref(), "location", MAX_TEXT)?;
        event.time = self.time;
        if let Some(z) = &self.time_zone {
            event.time_zone = zone(z.trim(), "time_zone")?.name().to_owned();
        }
        event.attendees = attendees(&self.attendees, event.owner_id)?;
        event.links = self.links;
        event.recurrence = self
            .recurrence
            .clone()
            .filter(|r| !r.rule.trim().is_empty());
        check_schedule(event)
    }
}

impl EventPatch {
    /// Validates the given fields and writes them into `event`; errors name the field.
    /// Exceptions are dropped when the occurrences' starts change.
    pub fn apply(&self, event: &mut CalendarEvent) -> CrmResult<()> {
        let before = (
            event.time.local_start(),
            event.time.is_all_day(),
            event.time_zone.clone(),
            event.recurrence.clone(),
        );
        if let Some(t) = &self.title {
            event.title = required_text(t, "title", MAX_NAME)?;
        }
        if let Some(l) = &self.location {
            event.location = optional_text(Some(l), "location", MAX_TEXT)?;
        }
        if let Some(t) = self.time {
            event.time = t;
        }
        if let Some(z) = &self.time_zone {
            event.time_zone = zone(z.trim(), "time_zone")?.name().to_owned();
        }
        if let Some(a) = &self.attendees {
            event.attendees = attendees(a, event.owner_id)?;
        }
        if let Some(l) = self.links {
            event.links = l;
        }
        if let Some(r) = &self.recurrence {
            event.recurrence = Some(r.clone()).filter(|r| !r.rule.trim().is_empty());
        }
        let after = (
            event.time.local_start(),
            event.time.is_all_day(),
            event.time_zone.clone(),
            event.recurrence.clone(),
        );
        if before != after {
            event.exceptions.clear();
        }
        check_schedule(event)
    }
}
