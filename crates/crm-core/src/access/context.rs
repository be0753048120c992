//! The resolved permissions of one actor for one call: which records each module/action
//! reaches (pushed into queries as a [`ScopeFilter`]), record checks for writes, and field
//! policies.

use super::field::{FieldPolicy, FieldRule};
use super::grant::{Action, DataScope, Module};
use super::role::Role;
use super::team::{TeamAccess, TeamMember};
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::ids::UserId;
use crate::org::{Org, User};
use crate::store::ScopeFilter;
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Whose records an action reaches, resolved against the org.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reach {
    /// Every record of the tenant.
    All,
    /// Records owned by these users (always includes the actor).
    Owners(BTreeSet<UserId>),
}

/// The permissions of one actor, resolved once per call.
#[derive(Debug, Clone)]
pub struct AccessContext {
    actor: Actor,
    user: Option<User>,
    roles: Vec<Role>,
    org: Arc<Org>,
    pools: Vec<i64>,
}

fn denied(module: Module, action: Action) -> CrmError {
    CrmError::PermissionDenied {
        module: module.as_str().into(),
        action: action.as_str().into(),
        field: None,
    }
}

impl AccessContext {
    /// Resolves an actor. A user actor must exist in the org and be active; only their own
    /// roles count. The org may be shared (`Arc<Org>`) by many contexts of one snapshot.
    pub fn resolve(actor: Actor, org: impl Into<Arc<Org>>, roles: Vec<Role>) -> CrmResult<Self> {
        let org: Arc<Org> = org.into();
        let user = match actor {
            Actor::System { .. } => None,
            Actor::User { user, .. } => {
                let u = org
                    .users
                    .get(&user)
                    .cloned()
                    .ok_or_else(|| CrmError::not_found("user", user))?;
                if !u.active {
                    return Err(CrmError::PermissionDenied {
                        module: "org".into(),
                        action: "act".into(),
                        field: Some("user.active".into()),
                    });
                }
                Some(u)
            }
        };
        let roles = match &user {
            None => Vec::new(),
            Some(u) => roles
                .into_iter()
                .filter(|r| u.role_ids.contains(&r.id))
                .collect(),
        };
        Ok(Self {
            actor,
            user,
            roles,
            org,
            pools: Vec::new(),
        })
    }

    /// Sets the pools whose customers the actor sees through pool membership.
    pub fn with_visible_pools(mut self, pools: Vec<i64>) -> Self {
        self.pools = pools;
        self
    }

    /// Pools whose customers the actor sees through membership.
    pub fn visible_pools(&self) -> &[i64] {
        &self.pools
    }

    /// The actor.
    pub fn actor(&self) -> Actor {
        self.actor
    }

    /// The acting user, if not the system actor.
    pub fn user(&self) -> Option<&User> {
        self.user.as_ref()
    }

    /// The org snapshot.
    pub fn org(&self) -> &Org {
        &self.org
    }

    /// True for the system actor.
    pub fn is_system(&self) -> bool {
        self.user.is_none()
    }

    /// The records `action` on `module` reaches, or `None` when no role grants it.
    pub fn reach(&self, module: Module, action: Action) -> Option<Reach> {
        let Some(user) = &self.user else {
            return Some(Reach::All);
        };
        let scopes: BTreeSet<DataScope> = self
            .roles
            .iter()
            .filter_map(|r| r.scope_for(module, action))
            .collect();
        if scopes.is_empty() {
            return None;
        }
        if scopes.contains(&DataScope::All) {
            return Some(Reach::All);
        }
        let mut owners = BTreeSet::from([user.id]);
        for scope in scopes {
            match scope {
                DataScope::SelfOnly => {}
                DataScope::SelfAndSubordinates => {
                    owners.extend(self.org.self_and_subordinates(user.id))
                }
                DataScope::Department => {
                    if let Some(d) = user.department_id {
                        owners.extend(self.org.users_in(&BTreeSet::from([d])));
                    }
                }
                DataScope::DepartmentTree => {
                    if let Some(d) = user.department_id {
                        owners.extend(self.org.users_in(&self.org.department_subtree(d)));
                    }
                }
                DataScope::All => {}
            }
        }
        Some(Reach::Owners(owners))
    }

    /// Like [`reach`](Self::reach), but a missing grant is `PermissionDenied`.
    pub fn require(&self, module: Module, action: Action) -> CrmResult<Reach> {
        self.reach(module, action)
            .ok_or_else(|| denied(module, action))
    }

    /// Settings, org and roles are for tenant admins and the system actor.
    pub fn require_settings(&self, action: Action) -> CrmResult<()> {
        match &self.user {
            None => Ok(()),
            Some(u) if u.tenant_admin => Ok(()),
            Some(_) => Err(denied(Module::Settings, action)),
        }
    }

    /// The query predicate for a reach.
    pub fn scope_filter(&self, reach: &Reach, now: DateTime<Utc>) -> ScopeFilter {
        match (reach, &self.user) {
            (Reach::All, _) | (_, None) => ScopeFilter::All,
            (Reach::Owners(owners), Some(user)) => ScopeFilter::Restricted {
                owners: owners.iter().copied().collect(),
                actor: user.id,
                pools: self.pools.clone(),
                now,
            },
        }
    }

    /// Whether `action` on `module` reaches a customer with this owner and team. `Read`
    /// is reached through any live membership, other actions of the customers module only
    /// through read-write ones.
    pub fn reaches_customer(
        &self,
        module: Module,
        action: Action,
        owner: Option<UserId>,
        pool: Option<i64>,
        team: &[TeamMember],
        now: DateTime<Utc>,
    ) -> bool {
        let Some(reach) = self.reach(module, action) else {
            return false;
        };
        let Some(user) = &self.user else {
            return true;
        };
        let by_owner = match (&reach, owner) {
            (Reach::All, _) => true,
            (Reach::Owners(set), Some(o)) => set.contains(&o),
            (Reach::Owners(_), None) => false,
        };
        let by_pool = action == Action::Read && pool.is_some_and(|p| self.pools.contains(&p));
        by_owner
            || by_pool
            || team.iter().any(|m| {
                m.user_id == user.id
                    && m.is_live(now)
                    && (action == Action::Read
                        || (m.access == TeamAccess::ReadWrite
                            && matches!(action, Action::Update | Action::Create)))
            })
    }

    /// Whether `action` on a child `module` (contacts, follow-ups, …) reaches a record of
    /// a customer with this owner and team: the customer's owner in reach, the actor owning
    /// the customer, or a live cascading membership (read-write for writes).
    pub fn reaches_child(
        &self,
        module: Module,
        action: Action,
        customer_owner: Option<UserId>,
        customer_pool: Option<i64>,
        team: &[TeamMember],
        now: DateTime<Utc>,
    ) -> bool {
        let Some(reach) = self.reach(module, action) else {
            return false;
        };
        let Some(user) = &self.user else {
            return true;
        };
        let by_owner = match (&reach, customer_owner) {
            (Reach::All, _) => true,
            (Reach::Owners(set), Some(o)) => set.contains(&o) || o == user.id,
            (Reach::Owners(_), None) => false,
        };
        let by_pool =
            action == Action::Read && customer_pool.is_some_and(|p| self.pools.contains(&p));
        by_owner
            || by_pool
            || team.iter().any(|m| {
                m.user_id == user.id
                    && m.cascade
                    && m.is_live(now)
                    && (action == Action::Read || m.access == TeamAccess::ReadWrite)
            })
    }

    /// True when a role of the actor grants some action on `module` (always for the system
    /// actor).
    pub fn grants_module(&self, module: Module) -> bool {
        self.user.is_none() || self.roles.iter().any(|r| r.grants_module(module))
    }

    /// The actor's field policy for a module (most permissive over the roles that grant
    /// the module; the system actor sees everything).
    pub fn field_policy(&self, module: Module) -> FieldPolicy {
        if self.user.is_none() {
            return FieldPolicy::open();
        }
        FieldPolicy::combine(
            self.roles
                .iter()
                .filter(|r| r.grants_module(module))
                .map(|r| {
                    r.fields
                        .iter()
                        .filter(|f| f.module == module)
                        .collect::<Vec<&FieldRule>>()
                }),
        )
    }

    /// Refuses a write that touches a field the actor may not edit.
    pub fn check_editable(&self, module: Module, fields: &[&str]) -> CrmResult<()> {
        let policy = self.field_policy(module);
        for field in fields {
            if policy.access(field) != super::field::FieldAccess::Editable {
                return Err(CrmError::PermissionDenied {
                    module: module.as_str().into(),
                    action: Action::Update.as_str().into(),
                    field: Some((*field).to_owned()),
                });
            }
        }
        Ok(())
    }
}
