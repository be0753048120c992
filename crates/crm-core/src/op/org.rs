//! `org.*`: departments, users and roles the host syncs in.

use super::{facet, operation};
use crate::access::Role;
use crate::ids::RoleId;
use crate::org::{Department, User};
pub use crate::service::{DepartmentInput, RoleInput, UserInput};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

facet!(
    /// The org synced in from the host: departments, users and roles.
    org -> OrgOps {
        upsert_department: DepartmentInput,
        upsert_user: UserInput,
        create_role: RoleInput,
        update_role: UpdateRole,
        list_roles: ListRoles,
        list_users: ListUsers,
    }
);

operation!(
    DepartmentInput,
    "org.upsert_department",
    Settings,
    Update,
    Department,
    "Creates or replaces a department (tenant admin or system actor).",
    |crm, actor, r| crm.upsert_department(actor, r)
);

operation!(
    UserInput,
    "org.upsert_user",
    Settings,
    Update,
    User,
    "Creates or replaces a user (tenant admin or system actor).",
    |crm, actor, r| crm.upsert_user(actor, r)
);

operation!(
    RoleInput,
    "org.create_role",
    Settings,
    Create,
    Role,
    "Creates a role; returns it with its id.",
    |crm, actor, r| crm.create_role(actor, r)
);

/// Replaces a role's name, grants and field rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRole {
    /// The role.
    pub id: RoleId,
    /// Its new name, grants and field rules.
    pub role: RoleInput,
}

operation!(
    UpdateRole,
    "org.update_role",
    Settings,
    Update,
    Role,
    "Replaces a role's name, grants and field rules.",
    |crm, actor, r| crm.update_role(actor, r.id, r.role)
);

/// Lists the tenant's roles: `{}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListRoles {}

operation!(
    ListRoles,
    "org.list_roles",
    Settings,
    Read,
    Vec<Role>,
    "All roles of the tenant (tenant admin or system actor).",
    |crm, actor, _r| crm.list_roles(actor)
);

/// Lists the tenant's users: `{}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListUsers {}

operation!(
    ListUsers,
    "org.list_users",
    Settings,
    Read,
    Vec<User>,
    "All users of the tenant.",
    |crm, actor, _r| crm.list_users(actor)
);
