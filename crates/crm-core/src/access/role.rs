//! Roles: named bundles of grants and field rules, per tenant.

use super::field::FieldRule;
use super::grant::{Action, DataScope, Grant, Module};
use crate::error::{CrmError, CrmResult};
use crate::ids::{RoleId, TenantId};
use crate::store::{Entity, Record, SqlValue};
use serde::{Deserialize, Serialize};

/// A role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Role {
    /// Tenant.
    pub tenant: TenantId,
    /// Id (assigned by the store).
    pub id: RoleId,
    /// Optimistic version.
    #[serde(default)]
    pub version: i64,
    /// Unique name within the tenant.
    pub name: String,
    /// Data scopes per module and action.
    pub grants: Vec<Grant>,
    /// Field rules.
    #[serde(default)]
    pub fields: Vec<FieldRule>,
}

impl Role {
    /// The scope this role grants for an action, if any.
    pub fn scope_for(&self, module: Module, action: Action) -> Option<DataScope> {
        self.grants
            .iter()
            .filter(|g| g.module == module && g.action == action)
            .map(|g| g.scope)
            .max()
    }

    /// True when the role grants any action on the module.
    pub fn grants_module(&self, module: Module) -> bool {
        self.grants.iter().any(|g| g.module == module)
    }

    /// Validates name and field rules.
    pub fn validate(&self) -> CrmResult<()> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(CrmError::validation("role.name", "must not be empty"));
        }
        if name.chars().count() > 100 {
            return Err(CrmError::validation("role.name", "at most 100 characters"));
        }
        for rule in &self.fields {
            if rule.field.is_empty() || rule.field.len() > 100 {
                return Err(CrmError::validation(
                    "role.fields.field",
                    "1 to 100 characters",
                ));
            }
            if !super::catalog::is_known_field(rule.module, &rule.field) {
                let known: Vec<&str> = super::catalog::catalog(rule.module)
                    .iter()
                    .map(|f| f.name)
                    .collect();
                return Err(CrmError::validation(
                    "role.fields.field",
                    format!(
                        "not a field of {} with field rules (one of: {})",
                        rule.module.as_str(),
                        known.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl Record for Role {
    const ENTITY: Entity = Entity::Role;
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
        vec![self.name.trim().into()]
    }
}
