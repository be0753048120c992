//! The first-contact clock (DESIGN §4.8): "first contact within N business hours" of a lead
//! getting its owner, on a business calendar of the tenant, warned and breached once each by
//! scheduled work. See `docs/adr/0019-lead-followups.md`.
//!
//! # Rule
//!
//! - The clock **starts** when a lead gets an owner (created with one, or later assigned),
//!   once per lead: a later owner change keeps the running clock (the lead has waited since
//!   the first assignment). A lead without an owner, closed (converted, merged) or already
//!   contacted gets no clock.
//! - It is **due** `business_hours` after the start, computed by the calendar machinery the
//!   SLA clocks use ([`CompiledCalendar::add_business`]: the earliest instant with that much
//!   business time, so a budget ending with a working day is due at its end). The **warning**
//!   moment is the same arithmetic with the [`WarningLead`] taken off the budget.
//! - It **stops** at the first contact: the time of the lead's earliest follow-up
//!   (`first_contacted_at`). A contact at or before a moment means that moment never fires.
//! - A sweep at `now` **fires** each moment once: the warning when `now` is at or after it,
//!   before the due moment, and the lead has not been contacted; the breach when `now` is at or
//!   after the due moment and the lead was not contacted by then (a contact recorded after the
//!   due moment does not undo the breach a late sweep still owes). A sweep that first runs
//!   after the due moment fires the breach only: a "due soon" after the fact is no warning.
//!   Nothing fires for a lead that is converted or merged when the sweep runs.
//! - Every instant is fixed when the clock starts: editing the calendar or the setting later
//!   changes the clocks of leads assigned afterwards.

use super::model::Lead;
use crate::error::{CrmError, CrmResult};
use crate::ids::BusinessCalendarId;
use crate::sla::{CompiledCalendar, WarningLead};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The longest first-contact target: a year of round-the-clock hours.
pub const MAX_FIRST_CONTACT_HOURS: u32 = 8_784;

fn default_warning() -> WarningLead {
    WarningLead::Minutes { minutes: 15 }
}

/// The tenant setting "first contact within N business hours".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FirstContactSettings {
    /// The business calendar the hours are counted on (one of the tenant's calendars).
    pub calendar_id: BusinessCalendarId,
    /// Business hours from the owner's assignment to the first contact (1..=8784).
    pub business_hours: u32,
    /// How long before the due moment the owner is warned, in business time (default:
    /// 15 minutes); shorter than the target.
    #[serde(default = "default_warning")]
    pub warning: WarningLead,
}

impl FirstContactSettings {
    /// The target in business seconds.
    pub fn target_secs(&self) -> i64 {
        i64::from(self.business_hours) * 3600
    }

    /// Checks the hours and the warning lead; errors name `{field}.business_hours` or
    /// `{field}.warning`.
    pub fn validate(&self, field: &str) -> CrmResult<()> {
        if !(1..=MAX_FIRST_CONTACT_HOURS).contains(&self.business_hours) {
            return Err(CrmError::validation(
                format!("{field}.business_hours"),
                format!("must be 1..={MAX_FIRST_CONTACT_HOURS}"),
            ));
        }
        let target = self.target_secs();
        let ok = match self.warning {
            WarningLead::Percent { percent } => (1..=99).contains(&percent),
            lead => (1..target).contains(&lead.seconds(target)),
        };
        if !ok {
            return Err(CrmError::validation(
                format!("{field}.warning"),
                "must leave between one second and the whole target (minutes: at least 1 and \
                 under the target; percent: 1..=99)",
            ));
        }
        Ok(())
    }

    /// A clock started at `at` (the instant the lead got its owner) on `calendar`, which
    /// must be the compiled form of [`calendar_id`](Self::calendar_id).
    pub fn start(&self, at: DateTime<Utc>, calendar: &CompiledCalendar) -> FirstContactClock {
        let target = self.target_secs();
        FirstContactClock {
            calendar_id: self.calendar_id,
            started_at: at,
            target_secs: target,
            warn_at: calendar.add_business(at, target - self.warning.seconds(target)),
            due_at: calendar.add_business(at, target),
            warning_done: false,
            breached: false,
        }
    }
}

/// The first-contact clock of one lead: its moments, fixed at the start, and which of them
/// scheduled work has handled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FirstContactClock {
    /// The calendar it was computed on.
    pub calendar_id: BusinessCalendarId,
    /// When the lead got its owner.
    pub started_at: DateTime<Utc>,
    /// The target in business seconds.
    pub target_secs: i64,
    /// When the owner is warned.
    pub warn_at: DateTime<Utc>,
    /// When the first contact is due.
    pub due_at: DateTime<Utc>,
    /// The warning moment was handled: warned, or passed by a sweep that found the lead
    /// already due (no warning then).
    pub warning_done: bool,
    /// The lead was not contacted by the due moment, and the breach fired.
    pub breached: bool,
}

/// What a sweep fired for one lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FirstContactFired {
    /// The due moment is near (`LeadFirstContactDueSoon`).
    DueSoon,
    /// The due moment passed without a contact (`LeadFirstContactBreached`).
    Breached,
}

impl FirstContactClock {
    /// Whether a contact at `contacted` (none yet: `None`) leaves `moment` to fire.
    fn owed(contacted: Option<DateTime<Utc>>, moment: DateTime<Utc>) -> bool {
        contacted.is_none_or(|c| c > moment)
    }

    /// The next instant a sweep has something to do for a lead in this state (`open`: not
    /// converted or merged; `contacted`: its first contact), or `None` when nothing is left.
    pub fn next_check(
        &self,
        open: bool,
        contacted: Option<DateTime<Utc>>,
    ) -> Option<DateTime<Utc>> {
        if !open {
            return None;
        }
        let warn = (!self.warning_done && contacted.is_none()).then_some(self.warn_at);
        let due = (!self.breached && Self::owed(contacted, self.due_at)).then_some(self.due_at);
        match (warn, due) {
            (Some(w), Some(d)) => Some(w.min(d)),
            (one, other) => one.or(other),
        }
    }

    /// Fires, at `now`, what is due and has not fired, and records it.
    pub fn sweep(
        &mut self,
        now: DateTime<Utc>,
        open: bool,
        contacted: Option<DateTime<Utc>>,
    ) -> Vec<FirstContactFired> {
        let mut fired = Vec::new();
        if !open {
            return fired;
        }
        if !self.warning_done && contacted.is_none() && now >= self.warn_at {
            self.warning_done = true;
            if now < self.due_at {
                fired.push(FirstContactFired::DueSoon);
            }
        }
        if !self.breached && Self::owed(contacted, self.due_at) && now >= self.due_at {
            self.breached = true;
            self.warning_done = true;
            fired.push(FirstContactFired::Breached);
        }
        fired
    }
}

impl Lead {
    /// Whether the lead's first-contact clock starts now, given that the tenant sets one: it
    /// has an owner, is open, has not been contacted and has no clock yet.
    pub fn awaits_first_contact_clock(&self) -> bool {
        self.owner_id.is_some()
            && self.status.is_open()
            && self.first_contacted_at.is_none()
            && self.first_contact.is_none()
    }

    /// Records a contact (a follow-up) at `at`: the first contact is the earliest one, the
    /// latest follow-up the latest.
    pub fn record_contact(&mut self, at: DateTime<Utc>) {
        if self.first_contacted_at.is_none_or(|t| at < t) {
            self.first_contacted_at = Some(at);
        }
        if self.last_followup_at.is_none_or(|t| at > t) {
            self.last_followup_at = Some(at);
        }
    }

    /// The next instant scheduled work has something to do for the lead's first-contact
    /// clock (the indexed `first_contact_check_at` column), or `None`.
    pub fn first_contact_check_at(&self) -> Option<DateTime<Utc>> {
        let (open, contacted) = self.first_contact_state();
        self.first_contact
            .as_ref()
            .and_then(|c| c.next_check(open, contacted))
    }

    /// What the clock reads of the lead: whether it still runs, and when the lead was
    /// first reached. A converted lead was reached at its conversion at the latest, so a
    /// conversion after the due moment still owes the breach a late sweep fires; a merged
    /// lead's clock is over (its winner's runs on).
    pub fn first_contact_state(&self) -> (bool, Option<DateTime<Utc>>) {
        match &self.conversion {
            Some(c) => (
                true,
                Some(self.first_contacted_at.map_or(c.at, |t| t.min(c.at))),
            ),
            None => (self.status.is_open(), self.first_contacted_at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::Calendar;
    use chrono::{Duration, TimeZone};

    /// Monday 2026-03-02 at `h:m:s` UTC plus `days`.
    fn at(days: i64, h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, h, m, s)
            .single()
            .map(|t| t + Duration::days(days))
            .unwrap_or_default()
    }

    fn setting(hours: u32, minutes: u32) -> FirstContactSettings {
        FirstContactSettings {
            calendar_id: BusinessCalendarId(1),
            business_hours: hours,
            warning: WarningLead::Minutes { minutes },
        }
    }

    fn clock(hours: u32, minutes: u32, start: DateTime<Utc>) -> FirstContactClock {
        let cal = Calendar::new("UTC")
            .with_weekdays(&[("10:00", "18:00")])
            .compile()
            .unwrap_or_else(|e| panic!("{e}"));
        setting(hours, minutes).start(start, &cal)
    }

    #[test]
    fn moments_come_from_the_calendar() {
        // Friday 17:00 + 4 business hours: 1 h on Friday, 3 h on Monday → Monday 13:00.
        let c = clock(4, 30, at(4, 17, 0, 0));
        assert_eq!(c.due_at, at(7, 13, 0, 0));
        assert_eq!(c.warn_at, at(7, 12, 30, 0));
        // A budget ending with the working day is due at its end.
        let c = clock(4, 15, at(0, 14, 0, 0));
        assert_eq!(c.due_at, at(0, 18, 0, 0));
    }

    #[test]
    fn each_moment_fires_once_on_its_boundary() {
        let mut c = clock(2, 30, at(0, 10, 0, 0));
        let second = Duration::seconds(1);
        assert!(c.sweep(at(0, 11, 30, 0) - second, true, None).is_empty());
        assert_eq!(c.next_check(true, None), Some(at(0, 11, 30, 0)));
        assert_eq!(
            c.sweep(at(0, 11, 30, 0), true, None),
            [FirstContactFired::DueSoon]
        );
        assert!(c.sweep(at(0, 11, 30, 0), true, None).is_empty());
        assert_eq!(c.next_check(true, None), Some(at(0, 12, 0, 0)));
        assert!(c.sweep(at(0, 12, 0, 0) - second, true, None).is_empty());
        assert_eq!(
            c.sweep(at(0, 12, 0, 0), true, None),
            [FirstContactFired::Breached]
        );
        assert!(c.sweep(at(3, 12, 0, 0), true, None).is_empty());
        assert_eq!(c.next_check(true, None), None);
    }

    #[test]
    fn a_contact_by_a_moment_stops_it() {
        let start = at(0, 10, 0, 0);
        // Contacted before the warning: nothing is owed.
        let mut c = clock(2, 30, start);
        let early = Some(at(0, 11, 0, 0));
        assert_eq!(c.next_check(true, early), None);
        assert!(c.sweep(at(1, 0, 0, 0), true, early).is_empty());
        // Contacted exactly at the due moment: in time.
        let mut c = clock(2, 30, start);
        let _ = c.sweep(at(0, 11, 30, 0), true, None);
        assert!(c
            .sweep(at(0, 13, 0, 0), true, Some(at(0, 12, 0, 0)))
            .is_empty());
        // Contacted after the due moment, before a late sweep: the breach is still owed.
        let mut c = clock(2, 30, start);
        let late = Some(at(0, 12, 0, 1));
        assert_eq!(c.next_check(true, late), Some(at(0, 12, 0, 0)));
        assert_eq!(
            c.sweep(at(0, 13, 0, 0), true, late),
            [FirstContactFired::Breached]
        );
    }

    #[test]
    fn a_late_sweep_breaches_without_warning_and_closed_leads_fire_nothing() {
        let mut c = clock(2, 30, at(0, 10, 0, 0));
        assert_eq!(
            c.sweep(at(0, 15, 0, 0), true, None),
            [FirstContactFired::Breached]
        );
        assert!(c.warning_done && c.breached);
        let mut closed = clock(2, 30, at(0, 10, 0, 0));
        assert!(closed.sweep(at(0, 15, 0, 0), false, None).is_empty());
        assert_eq!(closed.next_check(false, None), None);
        assert!(!closed.breached);
    }

    #[test]
    fn settings_name_the_bad_field() {
        let field = |s: FirstContactSettings| match s.validate("settings.leads.first_contact") {
            Err(CrmError::Validation { field, .. }) => field,
            other => format!("{other:?}"),
        };
        assert!(setting(4, 15).validate("f").is_ok());
        assert!(setting(MAX_FIRST_CONTACT_HOURS, 15).validate("f").is_ok());
        assert!(setting(1, 59).validate("f").is_ok());
        assert_eq!(
            field(setting(0, 15)),
            "settings.leads.first_contact.business_hours"
        );
        assert_eq!(
            field(setting(MAX_FIRST_CONTACT_HOURS + 1, 15)),
            "settings.leads.first_contact.business_hours"
        );
        assert_eq!(
            field(setting(1, 60)),
            "settings.leads.first_contact.warning"
        );
        assert_eq!(field(setting(1, 0)), "settings.leads.first_contact.warning");
        let percent = |p| FirstContactSettings {
            warning: WarningLead::Percent { percent: p },
            ..setting(4, 15)
        };
        assert!(percent(99).validate("f").is_ok());
        assert_eq!(field(percent(0)), "settings.leads.first_contact.warning");
        assert_eq!(field(percent(100)), "settings.leads.first_contact.warning");
    }
}
