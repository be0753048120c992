//! A member's lead counts as a versioned row (its id is the user's id): leads assigned on
//! the tenant's local day and month, open leads held, and the last assignment. Every owner
//! or status change of a lead moves it in the same unit of work, so a cap or a capacity
//! checked against it cannot be passed by two concurrent writers.

use super::eligibility::Load;
use crate::ids::{TenantId, UserId};
use crate::lead::Lead;
use crate::store::{Entity, Record, SqlValue};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A member's lead counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LeadLoad {
    /// Tenant.
    pub tenant: TenantId,
    /// The user.
    pub user_id: UserId,
    /// Optimistic version; 0 means "not stored yet".
    #[serde(default)]
    pub version: i64,
    /// The local day `assigned_today` counts (`YYYY-MM-DD`, the tenant's zone).
    pub day: String,
    /// Leads assigned on `day`.
    pub assigned_today: u32,
    /// The local month `assigned_this_month` counts (`YYYY-MM`).
    pub month: String,
    /// Leads assigned in `month`.
    pub assigned_this_month: u32,
    /// Open leads held now.
    pub open_leads: u32,
    /// The last assignment.
    pub last_assigned_at: Option<DateTime<Utc>>,
}

impl LeadLoad {
    /// A load never stored: nothing counted.
    pub fn zero(tenant: TenantId, user_id: UserId) -> Self {
        Self {
            tenant,
            user_id,
            version: 0,
            day: String::new(),
            assigned_today: 0,
            month: String::new(),
            assigned_this_month: 0,
            open_leads: 0,
            last_assigned_at: None,
        }
    }

    /// The counts as of the local day `day` (`YYYY-MM-DD`): a count kept for an earlier
    /// day or month is zero now.
    pub fn as_of(&self, day: &str) -> Load {
        Load {
            today: if self.day == day {
                self.assigned_today
            } else {
                0
            },
            this_month: if self.month == month_of(day) {
                self.assigned_this_month
            } else {
                0
            },
            open_leads: self.open_leads,
            last_assigned_at: self.last_assigned_at,
        }
    }

    /// Counts one assignment at `now` on the local day `day`.
    pub fn count_assignment(&mut self, day: &str, now: DateTime<Utc>) {
        let load = self.as_of(day);
        self.day = day.to_owned();
        self.month = month_of(day).to_owned();
        self.assigned_today = load.today.saturating_add(1);
        self.assigned_this_month = load.this_month.saturating_add(1);
        self.last_assigned_at = Some(now);
    }

    /// Moves the open-lead count by `delta` (never below zero).
    pub fn add_open(&mut self, delta: i64) {
        let next = i64::from(self.open_leads).saturating_add(delta).max(0);
        self.open_leads = u32::try_from(next).unwrap_or(u32::MAX);
    }
}

/// The month (`YYYY-MM`) of a local day key (`YYYY-MM-DD`).
pub fn month_of(day: &str) -> &str {
    day.get(..7).unwrap_or(day)
}

/// The open lead a lead counts for its owner, if any.
fn open_for(lead: &Lead) -> Option<UserId> {
    lead.owner_id.filter(|_| lead.status.is_open())
}

/// Per-user open-lead deltas of a set of (before, after) lead changes.
pub fn open_lead_deltas<'a>(
    pairs: impl IntoIterator<Item = (Option<&'a Lead>, &'a Lead)>,
) -> BTreeMap<UserId, i64> {
    let mut out: BTreeMap<UserId, i64> = BTreeMap::new();
    for (before, after) in pairs {
        if let Some(u) = before.and_then(open_for) {
            *out.entry(u).or_default() -= 1;
        }
        if let Some(u) = open_for(after) {
            *out.entry(u).or_default() += 1;
        }
    }
    out.retain(|_, d| *d != 0);
    out
}

impl Record for LeadLoad {
    const ENTITY: Entity = Entity::LeadLoad;
    fn tenant(&self) -> TenantId {
        self.tenant
    }
    fn raw_id(&self) -> i64 {
        self.user_id.0
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn set_version(&mut self, version: i64) {
        self.version = version;
    }
    fn columns(&self) -> Vec<SqlValue> {
        vec![i64::from(self.open_leads).into()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_restart_on_a_new_local_day_and_month() {
        let now = DateTime::<Utc>::UNIX_EPOCH;
        let mut l = LeadLoad::zero(TenantId(1), UserId(7));
        l.count_assignment("2026-05-31", now);
        l.count_assignment("2026-05-31", now);
        assert_eq!(l.as_of("2026-05-31").today, 2);
        assert_eq!(l.as_of("2026-05-31").this_month, 2);
        // The next local day: the day count restarts, the month's goes on.
        assert_eq!(l.as_of("2026-05-30").today, 0);
        assert_eq!(l.as_of("2026-06-01").today, 0);
        assert_eq!(l.as_of("2026-06-01").this_month, 0);
        l.count_assignment("2026-06-01", now);
        assert_eq!(l.as_of("2026-06-01").today, 1);
        assert_eq!(l.as_of("2026-06-01").this_month, 1);
    }

    #[test]
    fn open_counts_never_go_negative() {
        let mut l = LeadLoad::zero(TenantId(1), UserId(7));
        l.add_open(-3);
        assert_eq!(l.open_leads, 0);
        l.add_open(2);
        assert_eq!(l.open_leads, 2);
    }
}
