//! What assignment keeps between decisions, as versioned rows: the tenant's rules, each
//! entry's cursor and each member's settings. A decision reads them and writes the cursor
//! back at the version it read, in the same unit of work as the owner change, so two
//! concurrent assignments never take the same turn.

use super::eligibility::Availability;
use super::rules::AssignmentRules;
use super::strategy::EntryState;
use crate::ids::{TenantId, UserId};
use crate::store::{Entity, Record, SqlValue};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The id of a tenant's one rules row.
pub const RULES_ROW: i64 = 1;

/// The tenant's assignment rules as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StoredRules {
    /// Tenant.
    pub tenant: TenantId,
    /// Optimistic version (1 when first saved).
    pub version: i64,
    /// The rules.
    pub rules: AssignmentRules,
    /// Who saved them last (none: the system actor).
    pub updated_by: Option<UserId>,
    /// When.
    pub updated_at: DateTime<Utc>,
}

impl Record for StoredRules {
    const ENTITY: Entity = Entity::AssignmentRules;
    fn tenant(&self) -> TenantId {
        self.tenant
    }
    fn raw_id(&self) -> i64 {
        RULES_ROW
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

/// One entry's state between decisions (round robin's cursor, the smooth weights), found by
/// the entry's name so that it survives edits of the rules: a member removed from the list
/// keeps the position the cursor remembers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EntryCursor {
    /// Tenant.
    pub tenant: TenantId,
    /// Id (assigned by the store).
    pub id: i64,
    /// Optimistic version; 0 means "not stored yet".
    #[serde(default)]
    pub version: i64,
    /// The entry's name (unique per tenant).
    pub entry: String,
    /// The state.
    pub state: EntryState,
}

impl Record for EntryCursor {
    const ENTITY: Entity = Entity::AssignmentCursor;
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
        vec![self.entry.clone().into()]
    }
}

/// A member's assignment settings: opt-out, leaves, caps and capacity. Whether the member
/// is active comes from the org, not from here. Its id is the user's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MemberSettings {
    /// Tenant.
    pub tenant: TenantId,
    /// The user.
    pub user_id: UserId,
    /// Optimistic version; 0 means "not stored yet".
    #[serde(default)]
    pub version: i64,
    /// The settings (`active` is ignored here: the org says it).
    pub availability: Availability,
}

impl MemberSettings {
    /// Settings never saved: no opt-out, no leave, no cap.
    pub fn unset(tenant: TenantId, user_id: UserId) -> Self {
        Self {
            tenant,
            user_id,
            version: 0,
            availability: Availability::default(),
        }
    }
}

impl Record for MemberSettings {
    const ENTITY: Entity = Entity::AssignmentMember;
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
        Vec::new()
    }
}
