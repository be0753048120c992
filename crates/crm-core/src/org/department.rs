//! Departments, a tree synced in from the host.

use crate::ids::{DepartmentId, TenantId};
use crate::store::{Entity, Record, SqlValue};
use serde::{Deserialize, Serialize};

/// A department; `parent_id` makes the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Department {
    /// Tenant.
    pub tenant: TenantId,
    /// The host's department id.
    pub id: DepartmentId,
    /// Optimistic version.
    #[serde(default)]
    pub version: i64,
    /// Display name.
    pub name: String,
    /// Parent department; `None` for a root.
    pub parent_id: Option<DepartmentId>,
}

impl Record for Department {
    const ENTITY: Entity = Entity::Department;
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
        vec![self.parent_id.map(|d| d.0).into()]
    }
}
