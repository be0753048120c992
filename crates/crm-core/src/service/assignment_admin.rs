//! The tenant's assignment rules and members' settings (tenant admins), and the
//! assignment records of a lead (in the actor's lead scope).

use super::lead_loads::LoadBook;
use super::{json, transact, Crm, Ctx};
use crate::access::Action;
use crate::actor::Actor;
use crate::assignment::{
    AssignmentRecord, AssignmentRules, Availability, LeadLoad, MemberSettings, OverflowTarget,
    StoredRules, RULES_ROW,
};
use crate::error::{CrmError, CrmResult};
use crate::ids::{LeadId, UserId};
use crate::pool::PoolHolds;
use crate::store::{Changes, Entity, EventKind, Filter, Order, Query, Store, StoreExt};
use serde::{Deserialize, Serialize};

/// A member's settings with their counts, for `assignment.members`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AssignmentMemberView {
    /// The user.
    pub user_id: UserId,
    /// Active in the org.
    pub active: bool,
    /// Their settings (opt-out, leaves, caps, capacity).
    pub settings: Availability,
    /// Their counts (today and this month in the tenant's local day and month).
    pub load: LeadLoad,
}

impl Ctx {
    /// Refuses rules [`AssignmentRules::validate`] refuses, and rules naming a user who is
    /// not a user of the tenant or an overflow pool that does not exist or holds customers.
    fn check_rules(&self, rules: &AssignmentRules) -> CrmResult<()> {
        rules.validate()?;
        let known = |u: &UserId| self.access.org().users.contains_key(u);
        for (i, e) in rules.entries.iter().enumerate() {
            let at = format!("entries[{i}]");
            for (j, m) in e.members.iter().enumerate() {
                if !known(&m.user) {
                    return Err(CrmError::validation(
                        format!("{at}.members[{j}]"),
                        format!("no user {}", m.user),
                    ));
                }
            }
            if let Some(u) = e.candidates().iter().find(|u| !known(u)) {
                return Err(CrmError::validation(
                    format!("{at}.strategy"),
                    format!("no user {u}"),
                ));
            }
            match e.overflow {
                OverflowTarget::User(u) if !known(&u) => {
                    return Err(CrmError::validation(
                        format!("{at}.overflow"),
                        format!("no user {u}"),
                    ))
                }
                OverflowTarget::Pool(p) => match self.pool(p) {
                    Err(_) => {
                        return Err(CrmError::validation(
                            format!("{at}.overflow"),
                            format!("no pool {p}"),
                        ))
                    }
                    // A lead sent to a customer pool could never be claimed.
                    Ok(pool) if pool.rules.holds != PoolHolds::Leads => {
                        return Err(CrmError::validation(
                            format!("{at}.overflow"),
                            format!("pool {p} holds customers, not leads"),
                        ))
                    }
                    Ok(_) => {}
                },
                _ => {}
            }
        }
        Ok(())
    }
}

impl<S: Store> Crm<S> {
    /// Replaces the tenant's assignment rules (tenant admins). Cursors are kept by entry
    /// name, so an edited entry goes on where it stopped.
    pub async fn set_assignment_rules(
        &self,
        actor: Actor,
        rules: AssignmentRules,
    ) -> CrmResult<StoredRules> {
        crate::validate::texts(&rules, "")?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            ctx.access.require_settings(Action::Update)?;
            ctx.check_rules(&rules)?;
            let existing = self.stored_rules(&ctx).await?;
            let next = StoredRules {
                tenant: ctx.tenant.id,
                version: existing.as_ref().map_or(1, |r| r.version),
                rules: rules.clone(),
                updated_by: ctx.access.user().map(|u| u.id),
                updated_at: ctx.now,
            };
            let mut changes = Changes::new(ctx.tenant.id);
            match &existing {
                None => changes.insert(&next)?,
                Some(_) => changes.update(&next)?,
            }
            changes.audit(ctx.audit(
                "assignment.set_rules",
                Entity::AssignmentRules,
                RULES_ROW,
                json(&existing.as_ref().map(|r| &r.rules)),
                json(&next.rules),
            ));
            changes.event(ctx.event(
                EventKind::AssignmentRulesChanged,
                Entity::AssignmentRules,
                RULES_ROW,
                serde_json::json!({ "entries": next.rules.entries.len() }),
            ));
            let stored = StoredRules {
                version: if existing.is_some() {
                    next.version + 1
                } else {
                    1
                },
                ..next
            };
            Ok((changes, stored))
        })
    }

    /// The tenant's assignment rules (tenant admins); not found when none were saved.
    pub async fn assignment_rules(&self, actor: Actor) -> CrmResult<StoredRules> {
        let ctx = self.ctx(actor).await?;
        ctx.access.require_settings(Action::Read)?;
        self.stored_rules(&ctx)
            .await?
            .ok_or_else(|| CrmError::not_found("assignment_rules", RULES_ROW))
    }

    /// Sets a member's assignment settings (tenant admins): opt-out, leaves (no two
    /// overlapping), daily and monthly caps, open-lead capacity.
    pub async fn set_assignment_member(
        &self,
        actor: Actor,
        user: UserId,
        settings: Availability,
    ) -> CrmResult<AssignmentMemberView> {
        crate::validate::texts(&settings, "")?;
        settings.validate("settings")?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            ctx.access.require_settings(Action::Update)?;
            let Some(org_user) = ctx.access.org().users.get(&user) else {
                return Err(CrmError::validation("user_id", format!("no user {user}")));
            };
            let current = self.member_settings(&ctx, user).await?;
            let mut wanted = settings.clone();
            wanted.active = false;
            let next = MemberSettings {
                availability: wanted,
                ..current.clone()
            };
            let mut changes = Changes::new(ctx.tenant.id);
            if current.version == 0 {
                changes.insert(&MemberSettings {
                    version: 1,
                    ..next.clone()
                })?;
            } else if next != current {
                changes.update(&next)?;
            }
            if !changes.is_empty() {
                changes.audit(ctx.audit(
                    "assignment.set_member",
                    Entity::AssignmentMember,
                    user.0,
                    json(&current.availability),
                    json(&next.availability),
                ));
            }
            let mut loads = LoadBook::default();
            let load = loads.get(self, ctx.tenant.id, user).await?.clone();
            let mut shown = next.availability;
            shown.active = org_user.active;
            Ok((
                changes,
                AssignmentMemberView {
                    user_id: user,
                    active: org_user.active,
                    settings: shown,
                    load,
                },
            ))
        })
    }

    /// Every user of the tenant with their assignment settings and counts (tenant admins).
    pub async fn assignment_members(&self, actor: Actor) -> CrmResult<Vec<AssignmentMemberView>> {
        let ctx = self.ctx(actor).await?;
        ctx.access.require_settings(Action::Read)?;
        let mut loads = LoadBook::default();
        let mut out = Vec::new();
        for (id, user) in &ctx.access.org().users {
            let mut settings = self.member_settings(&ctx, *id).await?.availability;
            settings.active = user.active;
            let load = loads.get(self, ctx.tenant.id, *id).await?.clone();
            out.push(AssignmentMemberView {
                user_id: *id,
                active: user.active,
                settings,
                load,
            });
        }
        Ok(out)
    }

    /// The assignment records of a lead the actor may read, oldest first, each with its
    /// explanation.
    pub async fn explain_assignment(
        &self,
        actor: Actor,
        lead: LeadId,
    ) -> CrmResult<Vec<AssignmentRecord>> {
        let ctx = self.ctx(actor).await?;
        self.lead_for(&ctx, lead, Action::Read).await?;
        self.store()
            .load_all(
                &Query::new(Entity::LeadAssignment, ctx.tenant.id)
                    .filter(Filter::eq("lead_id", lead))
                    .order(Order::IdAsc)
                    .limit(10_000),
            )
            .await
    }
}
