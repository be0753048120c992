//! Team members (团队成员): sharing one customer with a user, optionally until a date and
//! optionally cascading to everything hanging off the customer.

use crate::ids::{CustomerId, TeamMemberId, TenantId, UserId};
use crate::store::{Entity, Record, SqlValue};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Level of access a team member gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TeamAccess {
    /// May read.
    Read,
    /// May read and update.
    ReadWrite,
}

impl TeamAccess {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            TeamAccess::Read => "read",
            TeamAccess::ReadWrite => "read_write",
        }
    }
}

/// A user sharing a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TeamMember {
    /// Tenant.
    pub tenant: TenantId,
    /// Id.
    pub id: TeamMemberId,
    /// Optimistic version.
    #[serde(default)]
    pub version: i64,
    /// The shared customer.
    pub customer_id: CustomerId,
    /// The member.
    pub user_id: UserId,
    /// Access level.
    pub access: TeamAccess,
    /// Whether the membership reaches contacts, follow-ups, opportunities, contracts and
    /// tickets of the customer.
    pub cascade: bool,
    /// Membership ends at this instant (exclusive); `None` = no end.
    pub expires_at: Option<DateTime<Utc>>,
    /// Who added the member.
    pub added_by: Option<UserId>,
    /// When.
    pub added_at: DateTime<Utc>,
}

impl TeamMember {
    /// True while the membership counts.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_none_or(|e| e > now)
    }
}

impl Record for TeamMember {
    const ENTITY: Entity = Entity::TeamMember;
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
            self.user_id.0.into(),
            self.access.as_str().into(),
            self.cascade.into(),
            self.expires_at.into(),
        ]
    }
}
