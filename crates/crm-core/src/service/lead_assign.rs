//! Giving a lead its owner: by the tenant's assignment rules (with the explanation record)
//! or by hand (caps passed only with an explicit, audited override). The entry's cursor,
//! the members' counts, the lead and the record are written in one unit of work.

use super::claims::local_day_key;
use super::lead_cursors::CursorBook;
use super::lead_loads::LoadBook;
use super::{json, transact, Crm, Ctx};
use crate::access::{Action, Module, ViewContext};
use crate::actor::Actor;
use crate::assignment::{
    decide, AssignedBy, AssignmentRecord, Availability, EntryCursor, LeadFacts, Load,
    MemberSettings, Outcome, OverflowTarget, SkipReason, StoredRules, RULES_ROW,
};
use crate::error::{CrmError, CrmResult};
use crate::ids::{LeadId, UserId};
use crate::lead::Lead;
use crate::store::{Changes, Entity, EventKind, Store, StoreExt};
use crate::validate::optional_text;
use crate::view::VisibleJson;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Longest reason given for a manual assignment.
const MAX_REASON: usize = 500;

/// What `lead.assign` answers: the lead as the actor sees it and the assignment record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LeadAssignment {
    /// The lead after the assignment.
    pub lead: VisibleJson,
    /// The record with its explanation.
    pub record: AssignmentRecord,
}

/// What assignment knows of a lead.
fn facts(lead: &Lead) -> LeadFacts {
    LeadFacts {
        region: lead.region.clone(),
        source: lead.source.clone(),
        industry: lead.industry.clone(),
        amount: lead.estimated_amount,
        currency: lead.currency.clone(),
        custom: lead.custom.clone(),
    }
}

impl<S: Store> Crm<S> {
    /// The tenant's stored rules, if any were saved.
    pub(crate) async fn stored_rules(&self, ctx: &Ctx) -> CrmResult<Option<StoredRules>> {
        self.store()
            .load::<StoredRules>(ctx.tenant.id, RULES_ROW)
            .await
    }

    /// A member's settings as stored (unset when never saved).
    pub(crate) async fn member_settings(
        &self,
        ctx: &Ctx,
        user: UserId,
    ) -> CrmResult<MemberSettings> {
        Ok(self
            .store()
            .load::<MemberSettings>(ctx.tenant.id, user.0)
            .await?
            .unwrap_or_else(|| MemberSettings::unset(ctx.tenant.id, user)))
    }

    /// A member's availability now: their settings, active as the org says.
    async fn availability(&self, ctx: &Ctx, user: UserId) -> CrmResult<Availability> {
        let mut a = self.member_settings(ctx, user).await?.availability;
        a.active = ctx.access.org().users.get(&user).is_some_and(|u| u.active);
        Ok(a)
    }

    /// Decides `lead`'s owner (or overflow pool) by the tenant's rules and sets it on
    /// `lead`; adds the cursor write and the record to `changes` and the new owner's
    /// assignment to `loads`. The caller writes the lead and moves the open counts.
    pub(crate) async fn route_lead(
        &self,
        ctx: &Ctx,
        changes: &mut Changes,
        loads: &mut LoadBook,
        lead: &mut Lead,
    ) -> CrmResult<AssignmentRecord> {
        let mut cursors = CursorBook::default();
        let record = self.route_lead_in(ctx, &mut cursors, loads, lead).await?;
        cursors.write(self, changes).await?;
        Ok(record)
    }

    /// As [`Self::route_lead`] for one of several decisions in a unit of work: the entry's
    /// cursor is read from and left in `cursors` (the caller writes it once, after the last
    /// decision), so each decision sees the state the previous one left.
    pub(crate) async fn route_lead_in(
        &self,
        ctx: &Ctx,
        cursors: &mut CursorBook,
        loads: &mut LoadBook,
        lead: &mut Lead,
    ) -> CrmResult<AssignmentRecord> {
        let rules = self.stored_rules(ctx).await?.ok_or_else(|| {
            CrmError::rule(
                "no_assignment_rules",
                "the tenant has no assignment rules (save them with assignment.set_rules)",
            )
        })?;
        let lead_facts = facts(lead);
        let Some((index, entry)) = rules.rules.matching(&lead_facts) else {
            return Err(CrmError::rule(
                "no_matching_entry",
                "no assignment entry matches the lead",
            ));
        };
        let cursor = cursors.get(self, ctx, &entry.name).await?.clone();
        let day = local_day_key(ctx)?;
        let mut people = BTreeMap::new();
        for user in entry.candidates() {
            let availability = self.availability(ctx, user).await?;
            let load: Load = loads.get(self, ctx.tenant.id, user).await?.as_of(&day);
            people.insert(user, (availability, load));
        }
        let today = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")
            .map_err(|e| CrmError::Storage(format!("local day {day}: {e}")))?;
        let states = BTreeMap::from([(index, cursor.state.clone())]);
        let decision = decide(&rules.rules, &lead_facts, &states, &people, today)?;
        let from_owner = lead.owner_id;
        match decision.outcome {
            Outcome::Member { user }
            | Outcome::Overflow {
                target: OverflowTarget::User(user),
                ..
            } => {
                lead.owner_id = Some(user);
                lead.pool_id = None;
                lead.owned_since = Some(ctx.now);
                loads
                    .count_assignment(self, ctx.tenant.id, user, &day, ctx.now)
                    .await?;
            }
            Outcome::Overflow {
                target: OverflowTarget::Pool(pool),
                ..
            } => {
                lead.owner_id = None;
                lead.pool_id = Some(pool);
                lead.owned_since = None;
                lead.entered_pool_at = Some(ctx.now);
            }
        }
        cursors.set(EntryCursor {
            state: decision.state.clone(),
            ..cursor
        });
        let record = AssignmentRecord {
            tenant: ctx.tenant.id,
            id: self.new_id(Entity::LeadAssignment).await?,
            version: 1,
            lead_id: lead.id,
            at: ctx.now,
            actor_id: ctx.access.user().map(|u| u.id),
            from_owner,
            to_owner: lead.owner_id,
            to_pool: lead.pool_id,
            assigned_by: AssignedBy::Rule { decision },
        };
        Ok(record)
    }

    /// Assigns an open lead: to `to` by hand (refused at a reached cap unless
    /// `override_caps`), or by the tenant's rules when `to` is absent.
    pub async fn assign_lead(
        &self,
        actor: Actor,
        id: LeadId,
        to: Option<UserId>,
        override_caps: bool,
        reason: Option<String>,
    ) -> CrmResult<LeadAssignment> {
        let reason = optional_text(reason.as_deref(), "reason", MAX_REASON)?;
        if to.is_none() && (override_caps || reason.is_some()) {
            return Err(CrmError::validation(
                "override_caps",
                "an override and its reason go with a manual assignment (owner_id)",
            ));
        }
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let current = self.lead_for(&ctx, id, Action::Update).await?;
            if !current.status.is_open() {
                return Err(CrmError::rule(
                    "lead_closed",
                    format!("a {} lead is not assigned", current.status),
                ));
            }
            let mut changes = Changes::new(ctx.tenant.id);
            let mut loads = LoadBook::default();
            let mut next = current.clone();
            let record = match to {
                None => {
                    if ctx.access.require(Module::Leads, Action::Update)?
                        != crate::access::Reach::All
                    {
                        // The rules may pick anyone: only an actor reaching every lead
                        // hands one to them.
                        return Err(CrmError::PermissionDenied {
                            module: Module::Leads.as_str().into(),
                            action: Action::Update.as_str().into(),
                            field: None,
                        });
                    }
                    self.route_lead(&ctx, &mut changes, &mut loads, &mut next)
                        .await?
                }
                Some(user) => {
                    self.assign_by_hand(
                        &ctx,
                        &mut loads,
                        &mut next,
                        user,
                        override_caps,
                        reason.clone(),
                    )
                    .await?
                }
            };
            next.updated_at = ctx.now;
            self.start_first_contact_clock(&ctx, &mut next).await?;
            loads
                .lead_changes(self, ctx.tenant.id, [(Some(&current), &next)])
                .await?;
            loads.write(&mut changes)?;
            changes.update(&next)?;
            self.record_assignment(&ctx, &mut changes, &current, &next, &record)?;
            let stored = Lead {
                version: next.version + 1,
                ..next
            };
            let lead = self.lead_view(&ctx, stored, ViewContext::Detail).await?;
            Ok((changes, LeadAssignment { lead, record }))
        })
    }

    /// Sets `user` as the lead's owner by hand: an active user the actor's lead scope
    /// reaches; a reached daily or monthly cap or capacity is refused unless overridden.
    async fn assign_by_hand(
        &self,
        ctx: &Ctx,
        loads: &mut LoadBook,
        lead: &mut Lead,
        user: UserId,
        override_caps: bool,
        reason: Option<String>,
    ) -> CrmResult<AssignmentRecord> {
        if !ctx.access.org().users.get(&user).is_some_and(|u| u.active) {
            return Err(CrmError::validation(
                "owner_id",
                format!("no active user {user}"),
            ));
        }
        ctx.reaches_lead(Action::Update, Some(user))?;
        let day = local_day_key(ctx)?;
        let availability = self.availability(ctx, user).await?;
        let load = loads.get(self, ctx.tenant.id, user).await?.as_of(&day);
        let passed = reached_caps(&availability, &load);
        if !passed.is_empty() && !override_caps {
            let names: Vec<String> = passed.iter().map(|r| r.to_string()).collect();
            return Err(CrmError::rule(
                "assignment_cap",
                format!(
                    "user {user}: {}; assign with override_caps to pass it",
                    names.join(", ")
                ),
            ));
        }
        let from_owner = lead.owner_id;
        lead.owner_id = Some(user);
        lead.pool_id = None;
        lead.owned_since = Some(ctx.now);
        loads
            .count_assignment(self, ctx.tenant.id, user, &day, ctx.now)
            .await?;
        Ok(AssignmentRecord {
            tenant: ctx.tenant.id,
            id: self.new_id(Entity::LeadAssignment).await?,
            version: 1,
            lead_id: lead.id,
            at: ctx.now,
            actor_id: ctx.access.user().map(|u| u.id),
            from_owner,
            to_owner: Some(user),
            to_pool: None,
            assigned_by: AssignedBy::Manual {
                passed: if override_caps { passed } else { Vec::new() },
                reason,
            },
        })
    }

    /// Adds the record, its audit entry and the `LeadAssigned` event to `changes`.
    pub(crate) fn record_assignment(
        &self,
        ctx: &Ctx,
        changes: &mut Changes,
        before: &Lead,
        after: &Lead,
        record: &AssignmentRecord,
    ) -> CrmResult<()> {
        changes.insert(record)?;
        changes.audit(ctx.audit(
            "lead.assign",
            Entity::Lead,
            after.id,
            serde_json::json!({ "owner_id": before.owner_id, "pool_id": before.pool_id }),
            serde_json::json!({
                "owner_id": after.owner_id,
                "pool_id": after.pool_id,
                "assigned_by": json(&record.assigned_by),
            }),
        ));
        changes.event(ctx.event(
            EventKind::LeadAssigned,
            Entity::Lead,
            after.id,
            serde_json::json!({
                "from_owner": record.from_owner,
                "to_owner": record.to_owner,
                "to_pool": record.to_pool,
                "assignment_id": record.id,
                "assigned_by": json(&record.assigned_by),
            }),
        ));
        Ok(())
    }
}

/// The caps and capacity `availability` has reached with `load` (a manual assignment
/// ignores opt-out and leave, which govern only the rules).
fn reached_caps(availability: &Availability, load: &Load) -> Vec<SkipReason> {
    let mut out = Vec::new();
    if availability.daily_cap.is_some_and(|c| load.today >= c) {
        out.push(SkipReason::DailyCap);
    }
    if availability
        .monthly_cap
        .is_some_and(|c| load.this_month >= c)
    {
        out.push(SkipReason::MonthlyCap);
    }
    if availability.capacity.is_some_and(|c| load.open_leads >= c) {
        out.push(SkipReason::Capacity);
    }
    out
}
