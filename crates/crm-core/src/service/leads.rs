//! Lead operations: create, read, list, edit and move along the status flow, in the
//! actor's lead scope (owner-based) and field rules.

use super::lead_loads::LoadBook;
use super::{json, transact, Crm, Ctx, Page};
use crate::access::{Action, Module, Reach, ViewContext};
use crate::actor::Actor;
use crate::customer::Customer;
use crate::error::{CrmError, CrmResult};
use crate::ids::{CustomerId, LeadId, PoolId, UserId};
use crate::lead::{Lead, LeadInput, LeadPatch, LeadStatus};
use crate::pool::PoolHolds;
use crate::store::{
    Changes, Entity, EventKind, Filter, Order, Predicate, Query, ScopeFilter, SqlValue, Store,
    StoreExt,
};
use crate::validate::optional_text;
use crate::view::VisibleJson;
use serde::{Deserialize, Serialize};

/// Longest reason for an unqualified lead.
const MAX_REASON: usize = 500;

/// Which leads to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadFilter {
    /// Only this owner's.
    #[serde(default)]
    pub owner_id: Option<UserId>,
    /// Only in this status.
    #[serde(default)]
    pub status: Option<LeadStatus>,
    /// Only the leads sitting in this pool.
    #[serde(default)]
    pub pool_id: Option<PoolId>,
    /// Keyset cursor (the previous page's `next_after`).
    #[serde(default)]
    pub after: Option<i64>,
    /// Page size, 1..=500 (default 50).
    #[serde(default)]
    pub limit: Option<u32>,
}

impl Ctx {
    /// Whether `action` on leads reaches a lead with this owner.
    pub(super) fn reaches_lead(&self, action: Action, owner: Option<UserId>) -> CrmResult<()> {
        let reach = self.access.require(Module::Leads, action)?;
        let ok = match (&reach, owner) {
            (Reach::All, _) => true,
            (Reach::Owners(set), Some(o)) => set.contains(&o),
            (Reach::Owners(_), None) => false,
        };
        if ok {
            Ok(())
        } else {
            Err(CrmError::PermissionDenied {
                module: Module::Leads.as_str().into(),
                action: action.as_str().into(),
                field: None,
            })
        }
    }
}

impl Ctx {
    /// The lead pools the actor sees (a member or an admin of, enabled).
    fn visible_lead_pools(&self) -> Vec<i64> {
        let visible = self.access.visible_pools();
        self.pools
            .iter()
            .filter(|p| p.rules.holds == PoolHolds::Leads && visible.contains(&p.id.0))
            .map(|p| p.id.0)
            .collect()
    }

    /// Whether the actor, granted reading leads, sees `lead` as a member (or admin) of the
    /// lead pool it sits in: pooled leads are read by their pools' members (ADR 0021).
    pub(super) fn sees_pooled_lead(&self, lead: &Lead) -> bool {
        self.access.reach(Module::Leads, Action::Read).is_some()
            && lead.owner_id.is_none()
            && lead
                .pool_id
                .is_some_and(|p| self.visible_lead_pools().contains(&p.0))
    }

    /// The scope of a lead list: the owner-based lead scope, or a lead sitting in a pool
    /// the actor sees.
    pub(super) fn lead_list_scope(&self, query: Query) -> CrmResult<Query> {
        let pools: Vec<SqlValue> = self
            .visible_lead_pools()
            .into_iter()
            .map(SqlValue::Int)
            .collect();
        let Some(scope) = query.scope.clone() else {
            return Ok(query);
        };
        if pools.is_empty() || matches!(scope, ScopeFilter::All) {
            return Ok(query);
        }
        let owned = scope.predicate(Entity::Lead.spec())?;
        let pooled = Predicate::And(vec![
            Predicate::Compare(Filter::is_null("owner_id")),
            Predicate::Compare(Filter::is_in("pool_id", pools)),
        ]);
        Ok(query.scope(ScopeFilter::Predicate(Predicate::Or(vec![owned, pooled]))))
    }
}

impl<S: Store> Crm<S> {
    /// Loads a lead the actor may `action`; one outside the actor's scope is not found. A
    /// lead in a pool the actor sees is read (not changed) through the pool.
    pub(super) async fn lead_for(&self, ctx: &Ctx, id: LeadId, action: Action) -> CrmResult<Lead> {
        let lead = self
            .store()
            .load::<Lead>(ctx.tenant.id, id)
            .await?
            .filter(|l| {
                ctx.reaches_lead(Action::Read, l.owner_id).is_ok() || ctx.sees_pooled_lead(l)
            })
            .ok_or_else(|| CrmError::not_found("lead", id))?;
        if !(action == Action::Read && ctx.sees_pooled_lead(&lead)) {
            ctx.reaches_lead(action, lead.owner_id)?;
        }
        Ok(lead)
    }

    /// Creates a lead owned by `owner` (default: the acting user; the system actor's leads
    /// have no owner until assigned). Editable fields the actor may not write are refused.
    pub async fn create_lead(
        &self,
        actor: Actor,
        input: LeadInput,
        owner: Option<UserId>,
    ) -> CrmResult<VisibleJson> {
        self.create_lead_with(actor, input, owner, false).await
    }

    /// Creates a lead and gives it its owner by the tenant's assignment rules, in the same
    /// unit of work (an intake duplicate is folded in and never assigned). For actors whose
    /// lead scope reaches every lead (the rules may pick anyone) and the system actor.
    pub async fn create_lead_by_rules(
        &self,
        actor: Actor,
        input: LeadInput,
    ) -> CrmResult<VisibleJson> {
        self.create_lead_with(actor, input, None, true).await
    }

    async fn create_lead_with(
        &self,
        actor: Actor,
        input: LeadInput,
        owner: Option<UserId>,
        by_rules: bool,
    ) -> CrmResult<VisibleJson> {
        crate::validate::texts(&input, "")?;
        let id = LeadId(self.new_id(Entity::Lead).await?);
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let owner = if by_rules {
                if ctx.access.require(Module::Leads, Action::Create)? != Reach::All {
                    return Err(CrmError::PermissionDenied {
                        module: Module::Leads.as_str().into(),
                        action: Action::Create.as_str().into(),
                        field: None,
                    });
                }
                None
            } else {
                owner.or(ctx.access.user().map(|u| u.id))
            };
            if let Some(o) = owner {
                if !ctx.access.org().users.get(&o).is_some_and(|u| u.active) {
                    return Err(CrmError::validation(
                        "owner_id",
                        format!("no active user {o}"),
                    ));
                }
            }
            if !by_rules {
                ctx.reaches_lead(Action::Create, owner)?;
            }
            let mut lead = Lead::blank(
                ctx.tenant.id,
                id,
                owner,
                ctx.access.user().map(|u| u.id),
                ctx.now,
            );
            input.apply(&mut lead, &ctx.tenant.settings)?;
            ctx.access
                .check_editable(Module::Leads, &as_strs(&written_fields(&lead)))?;
            // An incoming duplicate of an open lead is folded into it at once: kept, linked,
            // terminal, so it is counted and worked once and never assigned.
            if let Some(original) = self.open_duplicate(&ctx, &lead).await? {
                lead.status = LeadStatus::Merged;
                lead.merged_into = Some(original);
            }
            lead.matched_customer_id = self.matching_customer(&ctx, &lead).await?;
            let mut changes = Changes::new(ctx.tenant.id);
            let mut loads = LoadBook::default();
            let unassigned = lead.clone();
            let record = if by_rules && lead.merged_into.is_none() {
                Some(
                    self.route_lead(&ctx, &mut changes, &mut loads, &mut lead)
                        .await?,
                )
            } else {
                None
            };
            // The clock starts once the lead has its owner (given, or just decided).
            self.start_first_contact_clock(&ctx, &mut lead).await?;
            loads
                .lead_changes(self, ctx.tenant.id, [(None, &lead)])
                .await?;
            loads.write(&mut changes)?;
            changes.insert(&lead)?;
            if let Some(record) = &record {
                self.record_assignment(&ctx, &mut changes, &unassigned, &lead, record)?;
            }
            changes.audit(ctx.audit(
                "lead.create",
                Entity::Lead,
                id,
                serde_json::Value::Null,
                json(&lead),
            ));
            changes.event(ctx.event(
                EventKind::LeadCreated,
                Entity::Lead,
                id,
                serde_json::json!({
                    "owner_id": lead.owner_id,
                    "source": lead.source,
                    "merged_into": lead.merged_into,
                    "matched_customer_id": lead.matched_customer_id,
                }),
            ));
            let shown = self.lead_view(&ctx, lead, ViewContext::Detail).await?;
            Ok((changes, shown))
        })
    }

    /// The oldest open lead of the tenant sharing a phone, e-mail or company key with
    /// `lead` (the whole tenant: a duplicate is one whoever owns it).
    pub(super) async fn open_duplicate(&self, ctx: &Ctx, lead: &Lead) -> CrmResult<Option<LeadId>> {
        let open: Vec<SqlValue> = [
            LeadStatus::New,
            LeadStatus::Working,
            LeadStatus::Qualified,
            LeadStatus::Unqualified,
        ]
        .iter()
        .map(|s| s.as_str().into())
        .collect();
        let mut first: Option<LeadId> = None;
        for (column, key) in lead.duplicate_keys() {
            let found: Vec<Lead> = self
                .store()
                .load_all(
                    &Query::new(Entity::Lead, ctx.tenant.id)
                        .filter(Filter::eq(column, key))
                        .filter(Filter::is_in("status", open.clone()))
                        .limit(1),
                )
                .await?;
            if let Some(l) = found.first() {
                first = Some(first.map_or(l.id, |f| f.min(l.id)));
            }
        }
        Ok(first)
    }

    /// The oldest customer with the lead's phone or company key, for conversion to link.
    pub(super) async fn matching_customer(
        &self,
        ctx: &Ctx,
        lead: &Lead,
    ) -> CrmResult<Option<CustomerId>> {
        let mut first: Option<CustomerId> = None;
        for (column, key) in lead.duplicate_keys() {
            let column = match column {
                "phone" => "phone_norm",
                "company_norm" => "name_norm",
                _ => continue,
            };
            let found: Vec<Customer> = self
                .store()
                .load_all(
                    &Query::new(Entity::Customer, ctx.tenant.id)
                        .filter(Filter::eq(column, key))
                        .limit(1),
                )
                .await?;
            if let Some(c) = found.first() {
                first = Some(first.map_or(c.id, |f| f.min(c.id)));
            }
        }
        Ok(first)
    }

    /// One lead as the actor may see it.
    pub async fn get_lead(&self, actor: Actor, id: LeadId) -> CrmResult<VisibleJson> {
        let ctx = self.ctx(actor).await?;
        let lead = self.lead_for(&ctx, id, Action::Read).await?;
        self.lead_view(&ctx, lead, ViewContext::Detail).await
    }

    /// Leads in the actor's scope, oldest first.
    pub async fn list_leads(
        &self,
        actor: Actor,
        filter: LeadFilter,
    ) -> CrmResult<Page<VisibleJson>> {
        let ctx = self.ctx(actor).await?;
        let (mut q, limit) = ctx.scoped_page(
            Module::Leads,
            Entity::Lead,
            Order::IdAsc,
            filter.after,
            filter.limit,
        )?;
        q = ctx.lead_list_scope(q)?;
        if let Some(o) = filter.owner_id {
            q = q.filter(Filter::eq("owner_id", o));
        }
        if let Some(p) = filter.pool_id {
            q = q.filter(Filter::eq("pool_id", p));
        }
        if let Some(s) = filter.status {
            q = q.filter(Filter::eq("status", s.as_str()));
        }
        let items: Vec<Lead> = self.store().load_all(&q).await?;
        let next_after = (items.len() == limit as usize)
            .then(|| items.last().map(|l| l.id.0))
            .flatten();
        Ok(Page {
            items: self.lead_views(&ctx, items, ViewContext::List).await?,
            next_after,
        })
    }

    /// Changes the given fields of an open lead. A field the actor may not write is
    /// refused when given, whatever its value (so a refusal never tells whether a guess
    /// matched); a converted or merged lead is not edited.
    pub async fn update_lead(
        &self,
        actor: Actor,
        id: LeadId,
        patch: LeadPatch,
    ) -> CrmResult<VisibleJson> {
        crate::validate::texts(&patch, "")?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let current = self.lead_for(&ctx, id, Action::Update).await?;
            let touched = patch.touched_fields();
            let touched = as_strs(&touched);
            ctx.access.check_editable(Module::Leads, &touched)?;
            if !current.status.is_open() {
                return Err(CrmError::rule(
                    "lead_closed",
                    format!("a {} lead is not edited", current.status),
                ));
            }
            let mut next = current.clone();
            patch.apply(&mut next, &ctx.tenant.settings)?;
            let mut changes = Changes::new(ctx.tenant.id);
            if next == current {
                let shown = self.lead_view(&ctx, current, ViewContext::Detail).await?;
                return Ok((changes, shown));
            }
            next.updated_at = ctx.now;
            self.write_lead_change(&ctx, &mut changes, "lead.update", &current, &next, &touched)?;
            let stored = Lead {
                version: next.version + 1,
                ..next
            };
            let shown = self.lead_view(&ctx, stored, ViewContext::Detail).await?;
            Ok((changes, shown))
        })
    }

    /// Moves a lead along its status flow (`unqualified` with its reason).
    pub async fn set_lead_status(
        &self,
        actor: Actor,
        id: LeadId,
        status: LeadStatus,
        reason: Option<String>,
    ) -> CrmResult<VisibleJson> {
        let reason = optional_text(reason.as_deref(), "reason", MAX_REASON)?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let current = self.lead_for(&ctx, id, Action::Update).await?;
            current.status.check_change(status, reason.as_deref())?;
            let mut changes = Changes::new(ctx.tenant.id);
            if current.status == status && current.unqualified_reason == reason {
                return Ok((
                    changes,
                    ctx.show(Entity::Lead, &current, ViewContext::Detail),
                ));
            }
            let next = Lead {
                status,
                unqualified_reason: reason.clone(),
                updated_at: ctx.now,
                ..current.clone()
            };
            let mut loads = LoadBook::default();
            loads
                .lead_changes(self, ctx.tenant.id, [(Some(&current), &next)])
                .await?;
            loads.write(&mut changes)?;
            self.write_lead_change(
                &ctx,
                &mut changes,
                "lead.set_status",
                &current,
                &next,
                &["status"],
            )?;
            let stored = Lead {
                version: next.version + 1,
                ..next
            };
            Ok((
                changes,
                ctx.show(Entity::Lead, &stored, ViewContext::Detail),
            ))
        })
    }

    fn write_lead_change(
        &self,
        ctx: &Ctx,
        changes: &mut Changes,
        operation: &str,
        current: &Lead,
        next: &Lead,
        fields: &[&str],
    ) -> CrmResult<()> {
        changes.update(next)?;
        changes.audit(ctx.audit(operation, Entity::Lead, next.id, json(current), json(next)));
        changes.event(ctx.event(
            EventKind::LeadChanged,
            Entity::Lead,
            next.id,
            serde_json::json!({ "fields": fields, "status": next.status }),
        ));
        Ok(())
    }
}

/// The fields a new lead carries (after validation: a blank text is no value), for the
/// editable check on create.
fn written_fields(lead: &Lead) -> Vec<String> {
    let mut out: Vec<String> = [
        ("name", true),
        ("company", lead.company.is_some()),
        ("phone", lead.phone.is_some()),
        ("email", lead.email.is_some()),
        ("source", lead.source.is_some()),
        ("region", lead.region.is_some()),
        ("industry", lead.industry.is_some()),
        ("estimated_amount", lead.estimated_amount.is_some()),
    ]
    .into_iter()
    .filter(|(_, set)| *set)
    .map(|(f, _)| f.to_owned())
    .collect();
    out.extend(lead.custom.keys().map(|k| format!("custom.{k}")));
    out
}

/// Borrowed views of owned field names.
fn as_strs(fields: &[String]) -> Vec<&str> {
    fields.iter().map(String::as_str).collect()
}
