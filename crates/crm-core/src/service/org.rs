//! Org sync (users, departments) and role management; tenant admins and the system actor.

use super::{json, transact, Crm};
use crate::access::{Action, FieldRule, Grant, Role};
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::ids::{DepartmentId, RoleId, UserId};
use crate::org::{Department, User};
use crate::store::{Changes, Entity, EventKind, Query, Record, Store, StoreExt};
use crate::validate::{optional_text, required_text, MAX_NAME};
use serde::{Deserialize, Serialize};

/// A department as the host syncs it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DepartmentInput {
    /// The host's id.
    pub id: DepartmentId,
    /// Name.
    pub name: String,
    /// Parent.
    #[serde(default)]
    pub parent_id: Option<DepartmentId>,
}

/// A user as the host syncs them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct UserInput {
    /// The host's id.
    pub id: UserId,
    /// Name.
    pub name: String,
    /// Department.
    #[serde(default)]
    pub department_id: Option<DepartmentId>,
    /// Supervisor.
    #[serde(default)]
    pub supervisor_id: Option<UserId>,
    /// Roles.
    #[serde(default)]
    pub role_ids: Vec<RoleId>,
    /// Tenant admin.
    #[serde(default)]
    pub tenant_admin: bool,
    /// Active (default true).
    #[serde(default = "yes")]
    pub active: bool,
    /// IANA time zone (`Asia/Shanghai`); none: the tenant's.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// The day the user joined (入职日, years 1900–2199); used to prorate targets.
    #[serde(default)]
    pub joined_on: Option<chrono::NaiveDate>,
}

fn yes() -> bool {
    true
}

/// A role definition.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RoleInput {
    /// Unique name.
    pub name: String,
    /// Grants.
    pub grants: Vec<Grant>,
    /// Field rules.
    #[serde(default)]
    pub fields: Vec<FieldRule>,
}

fn write<R: Record>(changes: &mut Changes, existing: Option<&R>, next: &R) -> CrmResult<()> {
    match existing {
        None => changes.insert(next),
        Some(_) => changes.update(next),
    }
}

impl<S: Store> Crm<S> {
    /// Creates or replaces a department.
    pub async fn upsert_department(
        &self,
        actor: Actor,
        input: DepartmentInput,
    ) -> CrmResult<Department> {
        crate::validate::texts(&input, "")?;
        let name = required_text(&input.name, "department.name", MAX_NAME)?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            ctx.access.require_settings(Action::Update)?;
            let org = ctx.access.org();
            if let Some(parent) = input.parent_id {
                if !org.departments.contains_key(&parent) {
                    return Err(CrmError::not_found("department", parent));
                }
                if parent == input.id || org.parent_would_cycle(input.id, parent) {
                    return Err(CrmError::validation(
                        "department.parent_id",
                        "would make the tree a loop",
                    ));
                }
            }
            let existing = org.departments.get(&input.id);
            let next = Department {
                tenant: actor.tenant(),
                id: input.id,
                version: existing.map(|d| d.version).unwrap_or(1),
                name: name.clone(),
                parent_id: input.parent_id,
            };
            let mut changes = Changes::new(actor.tenant());
            if existing == Some(&next) {
                return Ok((changes, next));
            }
            write(&mut changes, existing, &next)?;
            changes.audit(ctx.audit(
                "org.upsert_department",
                Entity::Department,
                input.id.0,
                json(&existing),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::OrgChanged,
                Entity::Department,
                input.id.0,
                serde_json::json!({"department": input.id}),
            ));
            let stored = Department {
                version: existing.map(|d| d.version + 1).unwrap_or(1),
                ..next
            };
            Ok((changes, stored))
        })
    }

    /// Creates or replaces a user.
    pub async fn upsert_user(&self, actor: Actor, input: UserInput) -> CrmResult<User> {
        crate::validate::texts(&input, "")?;
        let name = required_text(&input.name, "user.name", MAX_NAME)?;
        let time_zone = optional_text(input.time_zone.as_deref(), "user.time_zone", MAX_NAME)?;
        if let Some(zone) = &time_zone {
            crate::task::parse_zone(zone, "user.time_zone")?;
        }
        if let Some(day) = input.joined_on {
            crate::target::fiscal::check_day(day, "user.joined_on")?;
        }
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            ctx.access.require_settings(Action::Update)?;
            let org = ctx.access.org();
            if let Some(d) = input.department_id {
                if !org.departments.contains_key(&d) {
                    return Err(CrmError::not_found("department", d));
                }
            }
            if let Some(s) = input.supervisor_id {
                if !org.users.contains_key(&s) {
                    return Err(CrmError::not_found("user", s));
                }
                if s == input.id || org.supervisor_would_cycle(input.id, s) {
                    return Err(CrmError::validation(
                        "user.supervisor_id",
                        "would make the supervisor chain a loop",
                    ));
                }
            }
            for role in &input.role_ids {
                if self
                    .store()
                    .get(Entity::Role, actor.tenant(), role.0)
                    .await?
                    .is_none()
                {
                    return Err(CrmError::not_found("role", role));
                }
            }
            let existing = org.users.get(&input.id);
            let next = User {
                tenant: actor.tenant(),
                id: input.id,
                version: existing.map(|u| u.version).unwrap_or(1),
                name: name.clone(),
                department_id: input.department_id,
                supervisor_id: input.supervisor_id,
                role_ids: input.role_ids.clone(),
                tenant_admin: input.tenant_admin,
                active: input.active,
                time_zone: time_zone.clone(),
                joined_on: input.joined_on,
            };
            let mut changes = Changes::new(actor.tenant());
            if existing == Some(&next) {
                return Ok((changes, next));
            }
            write(&mut changes, existing, &next)?;
            changes.audit(ctx.audit(
                "org.upsert_user",
                Entity::User,
                input.id.0,
                json(&existing),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::OrgChanged,
                Entity::User,
                input.id.0,
                serde_json::json!({"user": input.id}),
            ));
            let stored = User {
                version: existing.map(|u| u.version + 1).unwrap_or(1),
                ..next
            };
            Ok((changes, stored))
        })
    }

    /// Creates a role.
    pub async fn create_role(&self, actor: Actor, input: RoleInput) -> CrmResult<Role> {
        crate::validate::texts(&input, "")?;
        let ctx = self.ctx(actor).await?;
        ctx.access.require_settings(Action::Create)?;
        let id = RoleId(self.new_id(Entity::Role).await?);
        self.save_role(actor, id, input, true).await
    }

    /// Replaces a role's name, grants and field rules.
    pub async fn update_role(&self, actor: Actor, id: RoleId, input: RoleInput) -> CrmResult<Role> {
        crate::validate::texts(&input, "")?;
        self.save_role(actor, id, input, false).await
    }

    async fn save_role(
        &self,
        actor: Actor,
        id: RoleId,
        input: RoleInput,
        create: bool,
    ) -> CrmResult<Role> {
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            ctx.access.require_settings(if create {
                Action::Create
            } else {
                Action::Update
            })?;
            let existing = self.store().load::<Role>(actor.tenant(), id.0).await?;
            if !create && existing.is_none() {
                return Err(CrmError::not_found("role", id));
            }
            let next = Role {
                tenant: actor.tenant(),
                id,
                version: existing.as_ref().map(|r| r.version).unwrap_or(1),
                name: input.name.trim().to_owned(),
                grants: input.grants.clone(),
                fields: input.fields.clone(),
            };
            next.validate()?;
            let clash = self
                .store()
                .load_all::<Role>(
                    &Query::new(Entity::Role, actor.tenant())
                        .filter(crate::store::Filter::eq("name", next.name.clone())),
                )
                .await?;
            if let Some(other) = clash.iter().find(|r| r.id != id) {
                return Err(CrmError::Duplicate {
                    entity: "role".into(),
                    existing: other.id.0,
                    owner: None,
                    matched_on: "name".into(),
                });
            }
            let mut changes = Changes::new(actor.tenant());
            write(&mut changes, existing.as_ref(), &next)?;
            changes.audit(ctx.audit(
                "org.save_role",
                Entity::Role,
                id.0,
                json(&existing),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::RoleChanged,
                Entity::Role,
                id.0,
                serde_json::json!({"role": id, "name": next.name}),
            ));
            let stored = Role {
                version: existing.map(|r| r.version + 1).unwrap_or(1),
                ..next
            };
            Ok((changes, stored))
        })
    }

    /// All roles of the tenant (tenant admins and the system actor).
    pub async fn list_roles(&self, actor: Actor) -> CrmResult<Vec<Role>> {
        let ctx = self.ctx(actor).await?;
        ctx.access.require_settings(Action::Read)?;
        self.store()
            .load_all(&Query::new(Entity::Role, actor.tenant()))
            .await
    }

    /// All users of the tenant (any user may see the org).
    pub async fn list_users(&self, actor: Actor) -> CrmResult<Vec<User>> {
        let ctx = self.ctx(actor).await?;
        Ok(ctx.access.org().users.values().cloned().collect())
    }
}
