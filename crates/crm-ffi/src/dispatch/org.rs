//! `org.*`: departments, users and roles the host syncs in.

use super::{Empty, Op, Request};
use crate::error::FfiResult;
use crm_core::ids::RoleId;
use crm_core::service::{DepartmentInput, RoleInput, UserInput};
use serde::Deserialize;

const ROLE: &str = r#"{"name": "string", "grants": [{"module": "customers | contacts | follow_ups | opportunities | contracts | receivables | tickets | pools | reports | settings", "action": "create | read | update | delete | claim | distribute | transfer | approve | export | import", "scope": "self | self_and_subordinates | department | department_tree | all"}], "fields?": [{"module": "…", "field": "string", "access": "hidden | read_only | editable", "mask?": "none | in_lists | everywhere"}]}"#;

pub(super) const OPS: &[Op] = &[
    Op {
        name: "org.upsert_department",
        calls: "upsert_department",
        summary: "Creates or replaces a department (tenant admin or system actor).",
        request: r#"{"id": "int (host's id)", "name": "string", "parent_id?": "int"}"#,
        handler: upsert_department,
        access: None,
        schemas: None,
    },
    Op {
        name: "org.upsert_user",
        calls: "upsert_user",
        summary: "Creates or replaces a user (tenant admin or system actor).",
        request: r#"{"id": "int (host's id)", "name": "string", "department_id?": "int", "supervisor_id?": "int", "role_ids?": ["int"], "tenant_admin?": "bool", "active?": "bool, default true"}"#,
        handler: upsert_user,
        access: None,
        schemas: None,
    },
    Op {
        name: "org.create_role",
        calls: "create_role",
        summary: "Creates a role; returns it with its id.",
        request: ROLE,
        handler: create_role,
        access: None,
        schemas: None,
    },
    Op {
        name: "org.update_role",
        calls: "update_role",
        summary: "Replaces a role's name, grants and field rules.",
        request: r#"{"id": "int", "role": "as for org.create_role"}"#,
        handler: update_role,
        access: None,
        schemas: None,
    },
    Op {
        name: "org.list_roles",
        calls: "list_roles",
        summary: "All roles of the tenant (tenant admin or system actor).",
        request: "{}",
        handler: list_roles,
        access: None,
        schemas: None,
    },
    Op {
        name: "org.list_users",
        calls: "list_users",
        summary: "All users of the tenant.",
        request: "{}",
        handler: list_users,
        access: None,
        schemas: None,
    },
];

fn upsert_department(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let input: DepartmentInput = r.parse()?;
    r.run(move |crm| async move { crm.upsert_department(actor, input).await })
}

fn upsert_user(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let input: UserInput = r.parse()?;
    r.run(move |crm| async move { crm.upsert_user(actor, input).await })
}

fn create_role(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let input: RoleInput = r.parse()?;
    r.run(move |crm| async move { crm.create_role(actor, input).await })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateRole {
    id: i64,
    role: RoleInput,
}

fn update_role(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: UpdateRole = r.parse()?;
    r.run(move |crm| async move { crm.update_role(actor, RoleId(req.id), req.role).await })
}

fn list_roles(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let _: Empty = r.parse()?;
    r.run(move |crm| async move { crm.list_roles(actor).await })
}

fn list_users(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let _: Empty = r.parse()?;
    r.run(move |crm| async move { crm.list_users(actor).await })
}
