//! Follow-ups and the agenda of due and overdue follow-ups.

use super::{json, page_limit, transact, Crm, Ctx, Page};
use crate::access::{Action, Module, Reach, ViewContext};
use crate::actor::Actor;
use crate::customer::Customer;
use crate::error::{CrmError, CrmResult};
use crate::followup::{visible_followup, FollowUp, NewFollowUp};
use crate::ids::{CustomerId, FollowUpId, UserId};
use crate::store::{Changes, Entity, EventKind, Filter, Order, Query, Store, StoreExt};
use crate::tenant::local_day_bounds;
use crate::view::Visible;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One customer waiting for a follow-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AgendaItem {
    /// The customer.
    pub customer_id: CustomerId,
    /// Its name.
    pub name: String,
    /// When the follow-up is due.
    pub due_at: DateTime<Utc>,
}

/// A user's follow-ups: overdue (due before today, tenant zone) and due today.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Agenda {
    /// Whose agenda.
    pub user_id: Option<UserId>,
    /// Due on an earlier local day.
    pub overdue: Vec<AgendaItem>,
    /// Due today (local).
    pub due_today: Vec<AgendaItem>,
}

impl<S: Store> Crm<S> {
    /// Records a follow-up on a customer and moves its clocks: `last_followup_at`, the
    /// owner's recycle clock when the author is the owner, and `next_followup_at`.
    pub async fn record_followup(
        &self,
        actor: Actor,
        input: NewFollowUp,
    ) -> CrmResult<Visible<FollowUp>> {
        crate::validate::texts(&input, "")?;
        let id = FollowUpId(self.new_id(Entity::FollowUp).await?);
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let mut changes = Changes::new(ctx.tenant.id);
            let followup = self
                .followup_changes(&ctx, &mut changes, id, input.clone())
                .await?;
            Ok((
                changes,
                visible_followup(
                    followup,
                    &ctx.access.field_policy(Module::FollowUps),
                    ViewContext::Detail,
                ),
            ))
        })
    }

    /// The one path that records a follow-up on a customer (`followup.create`, and the
    /// follow-up of kind visit a check-in records): checks the actor may add follow-ups to
    /// the customer, then [`followup_changes_on`] it.
    pub(super) async fn followup_changes(
        &self,
        ctx: &Ctx,
        changes: &mut Changes,
        id: FollowUpId,
        input: NewFollowUp,
    ) -> CrmResult<FollowUp> {
        let customer = self.followup_customer(ctx, input.customer_id).await?;
        followup_changes_on(ctx, changes, id, input, customer)
    }

    /// The customer a follow-up is recorded on, as loaded by the check that the actor may
    /// add follow-ups to it: the snapshot [`followup_changes_on`] updates, so a write to the
    /// customer in between conflicts.
    pub(super) async fn followup_customer(
        &self,
        ctx: &Ctx,
        customer: CustomerId,
    ) -> CrmResult<Customer> {
        self.check_child(ctx, Module::FollowUps, Action::Create, customer)
            .await
    }

    /// Follow-ups of a customer, newest first, keyset-paged.
    pub async fn list_followups(
        &self,
        actor: Actor,
        customer: CustomerId,
        after: Option<i64>,
        limit: Option<u32>,
    ) -> CrmResult<Page<Visible<FollowUp>>> {
        let ctx = self.ctx(actor).await?;
        self.check_child(&ctx, Module::FollowUps, Action::Read, customer)
            .await?;
        let limit = page_limit(limit)?;
        let items: Vec<FollowUp> = self
            .store()
            .load_all(
                &Query::new(Entity::FollowUp, ctx.tenant.id)
                    .filter(Filter::eq("customer_id", customer.0))
                    .order(Order::IdDesc)
                    .after(after)
                    .limit(limit),
            )
            .await?;
        let policy = ctx.access.field_policy(Module::FollowUps);
        Ok(Page::of(items, limit, |f| {
            visible_followup(f, &policy, ViewContext::List)
        }))
    }

    /// The agenda of `user` (default: the actor) at the current time: customers they own
    /// whose planned follow-up falls before the end of today in the tenant's zone.
    pub async fn agenda(&self, actor: Actor, user: Option<UserId>) -> CrmResult<Agenda> {
        let ctx = self.ctx(actor).await?;
        let reach = ctx.access.require(Module::Customers, Action::Read)?;
        let user = user
            .or(ctx.access.user().map(|u| u.id))
            .ok_or_else(|| CrmError::validation("user_id", "required for the system actor"))?;
        if !ctx.access.org().users.contains_key(&user) {
            return Err(CrmError::not_found("user", user));
        }
        if let Reach::Owners(set) = &reach {
            if !set.contains(&user) {
                return Err(CrmError::PermissionDenied {
                    module: Module::Customers.as_str().into(),
                    action: Action::Read.as_str().into(),
                    field: Some("user_id".into()),
                });
            }
        }
        let (today, tomorrow) = local_day_bounds(ctx.tenant.settings.tz()?, ctx.now);
        let due: Vec<Customer> = self
            .store()
            .load_all(
                &Query::new(Entity::Customer, ctx.tenant.id)
                    .scope(ctx.access.scope_filter(&reach, ctx.now))
                    .filter(Filter::eq("owner_id", user.0))
                    .filter(Filter::lt("next_followup_at", tomorrow))
                    .limit(1000),
            )
            .await?;
        let mut agenda = Agenda {
            user_id: Some(user),
            ..Agenda::default()
        };
        for c in due {
            let Some(due_at) = c.next_followup_at else {
                continue;
            };
            // The name as the actor's field rules show it in a list (masked, or empty when
            // hidden), as in customer.list.
            let customer_id = c.id;
            let name = ctx.present(c, ViewContext::List).record.name;
            let item = AgendaItem {
                customer_id,
                name,
                due_at,
            };
            if due_at < today {
                agenda.overdue.push(item);
            } else {
                agenda.due_today.push(item);
            }
        }
        agenda.overdue.sort_by_key(|i| (i.due_at, i.customer_id));
        agenda.due_today.sort_by_key(|i| (i.due_at, i.customer_id));
        Ok(agenda)
    }
}

/// Validates the follow-up and adds to `changes` the follow-up on `customer` (loaded by
/// [`Crm::followup_customer`]), the customer's moved clocks (`last_followup_at`; the
/// owner's recycle clock when the author owns it; `next_followup_at`), their audit entries
/// and the event.
pub(super) fn followup_changes_on(
    ctx: &Ctx,
    changes: &mut Changes,
    id: FollowUpId,
    input: NewFollowUp,
    customer: Customer,
) -> CrmResult<FollowUp> {
    if input.customer_id != customer.id {
        return Err(CrmError::validation(
            "customer_id",
            "is not the customer checked",
        ));
    }
    let author = ctx.access.user().map(|u| u.id);
    let followup = input.into_followup(ctx.tenant.id, id, author, ctx.now)?;
    let mut next = customer.clone();
    if next.last_followup_at.is_none_or(|t| t < followup.at) {
        next.last_followup_at = Some(followup.at);
    }
    if author.is_some()
        && author == customer.owner_id
        && next.last_owner_followup_at.is_none_or(|t| t < followup.at)
    {
        next.last_owner_followup_at = Some(followup.at);
    }
    if next.last_followup_at == Some(followup.at) {
        next.next_followup_at = followup.next_followup_at;
    }
    next.updated_at = ctx.now;
    changes.insert(&followup)?;
    changes.update(&next)?;
    changes.audit(ctx.audit(
        "followup.create",
        Entity::FollowUp,
        id.0,
        serde_json::Value::Null,
        json(&followup),
    ));
    changes.audit(ctx.audit(
        "followup.create",
        Entity::Customer,
        customer.id.0,
        json(&customer),
        json(&next),
    ));
    changes.event(ctx.event(
        EventKind::FollowUpRecorded,
        Entity::Customer,
        customer.id.0,
        serde_json::json!({ "followup_id": id, "author_id": author, "kind": followup.kind }),
    ));
    Ok(followup)
}
