//! Team members (团队成员): sharing a customer with other users.

use super::{json, transact, Crm};
use crate::access::{Action, Module, TeamAccess, TeamMember};
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::ids::{CustomerId, TeamMemberId, UserId};
use crate::store::{Changes, Entity, EventKind, Store};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A membership to add or replace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TeamMemberInput {
    /// The member.
    pub user_id: UserId,
    /// Read or read-write.
    pub access: TeamAccess,
    /// Reaches contacts, follow-ups and other records of the customer.
    #[serde(default)]
    pub cascade: bool,
    /// End of the membership (must be in the future).
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

impl<S: Store> Crm<S> {
    /// Adds (or replaces) a team member on a customer. Needs update rights on the customer
    /// through the actor's own scope (team members cannot share onward).
    pub async fn add_team_member(
        &self,
        actor: Actor,
        customer: CustomerId,
        input: TeamMemberInput,
    ) -> CrmResult<TeamMember> {
        crate::validate::texts(&input, "")?;
        let new_id = TeamMemberId(self.new_id(Entity::TeamMember).await?);
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let c = self.load_customer(ctx.tenant.id, customer).await?;
            if !ctx.access.reaches_customer(
                Module::Customers,
                Action::Update,
                c.owner_id,
                None,
                &[],
                ctx.now,
            ) {
                return Err(CrmError::PermissionDenied {
                    module: Module::Customers.as_str().into(),
                    action: Action::Update.as_str().into(),
                    field: Some("team".into()),
                });
            }
            let user = ctx
                .access
                .org()
                .users
                .get(&input.user_id)
                .ok_or_else(|| CrmError::not_found("user", input.user_id))?;
            if !user.active {
                return Err(CrmError::validation("user_id", "user is inactive"));
            }
            if c.owner_id == Some(input.user_id) {
                return Err(CrmError::validation("user_id", "is the owner already"));
            }
            if input.expires_at.is_some_and(|e| e <= ctx.now) {
                return Err(CrmError::validation("expires_at", "must be in the future"));
            }
            let team = self.load_team(ctx.tenant.id, customer).await?;
            let existing = team.into_iter().find(|m| m.user_id == input.user_id);
            let member = TeamMember {
                tenant: ctx.tenant.id,
                id: existing.as_ref().map(|m| m.id).unwrap_or(new_id),
                version: existing.as_ref().map(|m| m.version).unwrap_or(1),
                customer_id: customer,
                user_id: input.user_id,
                access: input.access,
                cascade: input.cascade,
                expires_at: input.expires_at.map(super::truncate_micros),
                added_by: ctx.access.user().map(|u| u.id),
                added_at: ctx.now,
            };
            let mut changes = Changes::new(ctx.tenant.id);
            match &existing {
                None => changes.insert(&member)?,
                Some(_) => changes.update(&member)?,
            }
            changes.audit(ctx.audit(
                "team.add",
                Entity::TeamMember,
                member.id.0,
                json(&existing),
                json(&member),
            ));
            changes.event(ctx.event(
                EventKind::TeamChanged,
                Entity::Customer,
                customer.0,
                serde_json::json!({ "added": input.user_id, "access": input.access }),
            ));
            let stored = TeamMember {
                version: existing.map(|m| m.version + 1).unwrap_or(1),
                ..member
            };
            Ok((changes, stored))
        })
    }

    /// Removes a user from a customer's team.
    pub async fn remove_team_member(
        &self,
        actor: Actor,
        customer: CustomerId,
        user: UserId,
    ) -> CrmResult<()> {
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let c = self.load_customer(ctx.tenant.id, customer).await?;
            if !ctx.access.reaches_customer(
                Module::Customers,
                Action::Update,
                c.owner_id,
                None,
                &[],
                ctx.now,
            ) {
                return Err(CrmError::PermissionDenied {
                    module: Module::Customers.as_str().into(),
                    action: Action::Update.as_str().into(),
                    field: Some("team".into()),
                });
            }
            let team = self.load_team(ctx.tenant.id, customer).await?;
            let member = team
                .into_iter()
                .find(|m| m.user_id == user)
                .ok_or_else(|| CrmError::not_found("team_member", user))?;
            let mut changes = Changes::new(ctx.tenant.id);
            changes.delete(&member);
            changes.audit(ctx.audit(
                "team.remove",
                Entity::TeamMember,
                member.id.0,
                json(&member),
                serde_json::Value::Null,
            ));
            changes.event(ctx.event(
                EventKind::TeamChanged,
                Entity::Customer,
                customer.0,
                serde_json::json!({ "removed": user }),
            ));
            Ok((changes, ()))
        })
    }

    /// The team of a customer the actor may read.
    pub async fn list_team(
        &self,
        actor: Actor,
        customer: CustomerId,
    ) -> CrmResult<Vec<TeamMember>> {
        let ctx = self.ctx(actor).await?;
        let (_, team) = self.customer_for(&ctx, customer, Action::Read).await?;
        Ok(team)
    }
}
