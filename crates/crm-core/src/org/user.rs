//! Users, synced in from the host.

use crate::ids::{DepartmentId, RoleId, TenantId, UserId};
use crate::store::{Entity, Record, SqlValue};
use serde::{Deserialize, Serialize};

/// A user of the tenant as the host describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct User {
    /// Tenant.
    pub tenant: TenantId,
    /// The host's user id.
    pub id: UserId,
    /// Optimistic version.
    #[serde(default)]
    pub version: i64,
    /// Display name.
    pub name: String,
    /// Department, if any.
    pub department_id: Option<DepartmentId>,
    /// Direct supervisor, if any.
    pub supervisor_id: Option<UserId>,
    /// Roles granted.
    pub role_ids: Vec<RoleId>,
    /// Manages tenant settings, org and roles.
    pub tenant_admin: bool,
    /// Inactive users keep their records but cannot act or own new records.
    pub active: bool,
    /// The user's IANA time zone (their tasks' days); none: the tenant's.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// The day the user joined (入职日): achievement targets may be prorated by calendar days
    /// for a period the user joined during; none: a member for every period.
    #[serde(default)]
    pub joined_on: Option<chrono::NaiveDate>,
}

impl Record for User {
    const ENTITY: Entity = Entity::User;
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
            self.department_id.map(|d| d.0).into(),
            self.supervisor_id.map(|u| u.0).into(),
            self.active.into(),
        ]
    }
}
