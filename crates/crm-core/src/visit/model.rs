//! The visit record (外勤拜访): its plan, status, the evidence of check-in and check-out and
//! the flags the engine raised on them.

use super::point::GeoPoint;
use crate::ids::{CustomerId, FollowUpId, TenantId, UserId, VisitId};
use crate::store::{Entity, Record, SqlValue};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Where a visit is in its life.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum VisitStatus {
    /// Planned, not checked in yet.
    Planned,
    /// Checked in at the customer.
    CheckedIn,
    /// Checked out: the visit is over.
    CheckedOut,
    /// Cancelled before check-in.
    Cancelled,
}

impl VisitStatus {
    /// The stable name (`planned`, `checked_in`, `checked_out`, `cancelled`).
    pub fn as_str(self) -> &'static str {
        match self {
            VisitStatus::Planned => "planned",
            VisitStatus::CheckedIn => "checked_in",
            VisitStatus::CheckedOut => "checked_out",
            VisitStatus::Cancelled => "cancelled",
        }
    }
}

impl std::fmt::Display for VisitStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something doubtful about a check-in or check-out. Flags never refuse: the visit is kept
/// and flagged for review.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum VisitFlag {
    /// Farther from the customer's location than the tenant's geofence radius.
    OutOfRange,
    /// The client's clock differs from the engine's by more than the tolerance.
    ClockSkew,
    /// Reaching here from the same user's previous check-in needed a speed above the limit.
    ImpossibleTravel,
    /// The client reported a mock (simulated) location.
    MockLocation,
}

impl VisitFlag {
    /// Every flag, in report order.
    pub const ALL: [VisitFlag; 4] = [
        VisitFlag::OutOfRange,
        VisitFlag::ClockSkew,
        VisitFlag::ImpossibleTravel,
        VisitFlag::MockLocation,
    ];

    /// The stable name (`out_of_range`, `clock_skew`, `impossible_travel`, `mock_location`).
    pub fn as_str(self) -> &'static str {
        match self {
            VisitFlag::OutOfRange => "out_of_range",
            VisitFlag::ClockSkew => "clock_skew",
            VisitFlag::ImpossibleTravel => "impossible_travel",
            VisitFlag::MockLocation => "mock_location",
        }
    }
}

impl std::fmt::Display for VisitFlag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a check-in or check-out recorded: the engine's time and what it measured, with what
/// the client sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Evidence {
    /// Server time (the engine's clock): authoritative.
    pub at: DateTime<Utc>,
    /// The client's time as sent, kept.
    pub client_at: Option<DateTime<Utc>>,
    /// The GPS point.
    pub location: GeoPoint,
    /// The GPS accuracy in metres, as the client reported it.
    pub accuracy_m: f64,
    /// Photo references (the host stores the files).
    pub photos: Vec<String>,
    /// Whether the client reported a mock location.
    pub mock_location: bool,
    /// Metres to the customer's location, to the centimetre (none: the customer has no
    /// location).
    pub distance_m: Option<f64>,
    /// Speed in km/h from the same user's previous check-in, to 0.01 (check-ins only; none
    /// without a previous one, or when both happened at the same instant).
    #[serde(default)]
    pub speed_kmh: Option<f64>,
    /// The flags raised.
    pub flags: Vec<VisitFlag>,
}

/// A field visit to a customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Visit {
    /// Tenant.
    pub tenant: TenantId,
    /// Id.
    pub id: VisitId,
    /// Optimistic version.
    pub version: i64,
    /// The customer visited.
    pub customer_id: CustomerId,
    /// The visitor (the rep who checks in and out).
    pub owner_id: UserId,
    /// Status.
    pub status: VisitStatus,
    /// Start of the planned window (none: an ad hoc visit).
    pub planned_start: Option<DateTime<Utc>>,
    /// End of the planned window.
    pub planned_end: Option<DateTime<Utc>>,
    /// Purpose.
    pub purpose: Option<String>,
    /// Check-in evidence.
    pub check_in: Option<Evidence>,
    /// Check-out evidence.
    pub check_out: Option<Evidence>,
    /// Seconds on site, from check-in to check-out (server times).
    pub duration_secs: Option<i64>,
    /// The follow-up of kind visit the check-in recorded on the customer.
    pub followup_id: Option<FollowUpId>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// Who created it (none: the system actor).
    pub created_by: Option<UserId>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl Visit {
    /// Every flag raised on the check-in or the check-out, once each.
    pub fn flags(&self) -> BTreeSet<VisitFlag> {
        self.check_in
            .iter()
            .chain(self.check_out.iter())
            .flat_map(|e| e.flags.iter().copied())
            .collect()
    }

    /// The instant the visit is filed under: its check-in, else its planned start, else its
    /// creation (the `at` column period filters use).
    pub fn at(&self) -> DateTime<Utc> {
        self.check_in
            .as_ref()
            .map(|e| e.at)
            .or(self.planned_start)
            .unwrap_or(self.created_at)
    }
}

impl Record for Visit {
    const ENTITY: Entity = Entity::Visit;
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
        vec![
            self.customer_id.0.into(),
            self.owner_id.0.into(),
            self.status.as_str().into(),
            self.at().into(),
            self.check_in.as_ref().map(|e| e.at).into(),
            (!self.flags().is_empty()).into(),
        ]
    }
}
