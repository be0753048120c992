//! Customers' tags in the service: manual apply and remove (Update on that customer), a
//! customer's tags (the customer readable), the customers carrying a tag (only those in the
//! actor's customer read scope, counted alike), and the removal of a retired tag.

use super::{json, page_limit, transact, Crm, Ctx};
use crate::access::{Action, Module};
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::ids::{CustomerId, CustomerTagId, TagId};
use crate::store::{Changes, Entity, EventKind, Filter, Query, Store, StoreExt};
use crate::tag::{CustomerTag, Tag, TagKind, TagReason, TagSource, TagStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Rows per batch when a retired tag is taken off its customers.
const BATCH: u32 = 500;

/// What a manual apply or remove left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TagChange {
    /// The customer.
    pub customer_id: CustomerId,
    /// The tag.
    pub tag_id: TagId,
    /// Whether the customer carries the tag now.
    pub active: bool,
    /// Whether this call changed that.
    pub changed: bool,
}

/// One tag a customer carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CustomerTagView {
    /// The tag.
    pub tag_id: TagId,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: TagKind,
    /// Its color.
    pub color: Option<String>,
    /// Who put it on.
    pub source: TagSource,
    /// Since when.
    pub since: DateTime<Utc>,
}

/// A page of the customers carrying a tag, with how many in the actor's scope carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TagCustomerPage {
    /// The customers' tag rows, by ascending row id.
    pub items: Vec<CustomerTag>,
    /// Pass as `after` for the next page; `None` on the last.
    pub next_after: Option<i64>,
    /// Customers in the actor's scope carrying the tag (every page).
    pub total: u64,
}

/// A tag event's payload: the tag, the customer and the reason.
pub(super) fn tag_payload(tag: &Tag, customer: CustomerId, reason: TagReason) -> serde_json::Value {
    serde_json::json!({
        "tag_id": tag.id,
        "tag": tag.name,
        "customer_id": customer,
        "reason": reason.as_str(),
    })
}

impl<S: Store> Crm<S> {
    /// The row of `tag` on `customer`, if any.
    pub(super) async fn customer_tag_row(
        &self,
        ctx: &Ctx,
        tag: TagId,
        customer: CustomerId,
    ) -> CrmResult<Option<CustomerTag>> {
        let rows: Vec<CustomerTag> = self
            .store()
            .load_all(
                &Query::new(Entity::CustomerTag, ctx.tenant.id)
                    .filter(Filter::eq("tag_id", tag.0))
                    .filter(Filter::eq("customer_id", customer.0)),
            )
            .await?;
        Ok(rows.into_iter().next())
    }

    async fn active_tag(&self, ctx: &Ctx, id: TagId) -> CrmResult<Tag> {
        let tag = self.load_tag(ctx, id).await?;
        if tag.status == TagStatus::Retired {
            return Err(CrmError::rule(
                "tag_retired",
                format!("tag {id} is retired"),
            ));
        }
        Ok(tag)
    }

    /// Puts a tag on a customer by hand (marketing `update`, and Update on the customer).
    /// A manually applied tag stays until removed by hand, whatever its rule says.
    pub async fn apply_tag(
        &self,
        actor: Actor,
        tag_id: TagId,
        customer_id: CustomerId,
    ) -> CrmResult<TagChange> {
        let new_id = CustomerTagId(self.new_id(Entity::CustomerTag).await?);
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            ctx.require_marketing(Action::Update)?;
            let (customer, _) = self.customer_for(&ctx, customer_id, Action::Update).await?;
            let tag = self.active_tag(&ctx, tag_id).await?;
            let row = self.customer_tag_row(&ctx, tag_id, customer.id).await?;
            let mut changes = Changes::new(ctx.tenant.id);
            let mut out = TagChange {
                customer_id,
                tag_id,
                active: true,
                changed: false,
            };
            let next = match &row {
                Some(r) if r.active && r.source == TagSource::Manual => return Ok((changes, out)),
                Some(r) => CustomerTag {
                    active: true,
                    source: TagSource::Manual,
                    since: if r.active { r.since } else { ctx.now },
                    suppressed: false,
                    updated_at: ctx.now,
                    ..r.clone()
                },
                None => CustomerTag {
                    tenant: ctx.tenant.id,
                    id: new_id,
                    version: 1,
                    customer_id,
                    tag_id,
                    active: true,
                    source: TagSource::Manual,
                    since: ctx.now,
                    suppressed: false,
                    updated_at: ctx.now,
                },
            };
            match &row {
                Some(_) => changes.update(&next)?,
                None => changes.insert(&next)?,
            }
            let before = row.as_ref().map_or(serde_json::Value::Null, json);
            changes.audit(ctx.audit(
                "tag.apply",
                Entity::CustomerTag,
                next.id.0,
                before,
                json(&next),
            ));
            if !row.as_ref().is_some_and(|r| r.active) {
                out.changed = true;
                changes.event(ctx.event(
                    EventKind::TagApplied,
                    Entity::Customer,
                    customer_id.0,
                    tag_payload(&tag, customer_id, TagReason::Manual),
                ));
            }
            Ok((changes, out))
        })
    }

    /// Takes a tag off a customer by hand (marketing `update`, and Update on the customer).
    /// A removed rule tag stays off until its rule first stops matching and then matches
    /// again.
    pub async fn remove_tag(
        &self,
        actor: Actor,
        tag_id: TagId,
        customer_id: CustomerId,
    ) -> CrmResult<TagChange> {
        let new_id = CustomerTagId(self.new_id(Entity::CustomerTag).await?);
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            ctx.require_marketing(Action::Update)?;
            let (customer, _) = self.customer_for(&ctx, customer_id, Action::Update).await?;
            let tag = self.active_tag(&ctx, tag_id).await?;
            let row = self.customer_tag_row(&ctx, tag_id, customer.id).await?;
            let sticky = tag.kind == TagKind::Rule;
            let mut changes = Changes::new(ctx.tenant.id);
            let mut out = TagChange {
                customer_id,
                tag_id,
                active: false,
                changed: false,
            };
            let next = match &row {
                Some(r) if !r.active && r.suppressed == sticky => return Ok((changes, out)),
                None if !sticky => return Ok((changes, out)),
                Some(r) => CustomerTag {
                    active: false,
                    source: TagSource::Manual,
                    since: if r.active { ctx.now } else { r.since },
                    suppressed: sticky,
                    updated_at: ctx.now,
                    ..r.clone()
                },
                // A rule tag not (yet) on: the removal still holds off the next evaluation.
                None => CustomerTag {
                    tenant: ctx.tenant.id,
                    id: new_id,
                    version: 1,
                    customer_id,
                    tag_id,
                    active: false,
                    source: TagSource::Manual,
                    since: ctx.now,
                    suppressed: true,
                    updated_at: ctx.now,
                },
            };
            match &row {
                Some(_) => changes.update(&next)?,
                None => changes.insert(&next)?,
            }
            let before = row.as_ref().map_or(serde_json::Value::Null, json);
            changes.audit(ctx.audit(
                "tag.remove",
                Entity::CustomerTag,
                next.id.0,
                before,
                json(&next),
            ));
            if row.as_ref().is_some_and(|r| r.active) {
                out.changed = true;
                changes.event(ctx.event(
                    EventKind::TagRemoved,
                    Entity::Customer,
                    customer_id.0,
                    tag_payload(&tag, customer_id, TagReason::Manual),
                ));
            }
            Ok((changes, out))
        })
    }

    /// The active tags a customer carries (the customer readable by the actor), by tag id.
    pub async fn customer_tags(
        &self,
        actor: Actor,
        customer_id: CustomerId,
    ) -> CrmResult<Vec<CustomerTagView>> {
        let ctx = self.ctx(actor).await?;
        let (customer, _) = self.customer_for(&ctx, customer_id, Action::Read).await?;
        let rows: Vec<CustomerTag> = self
            .store()
            .load_all(
                &Query::new(Entity::CustomerTag, ctx.tenant.id)
                    .filter(Filter::eq("customer_id", customer.id.0))
                    .filter(Filter::eq("active", true)),
            )
            .await?;
        let tags = self.load_tags(&ctx).await?;
        let mut out: Vec<CustomerTagView> = rows
            .into_iter()
            .filter_map(|r| {
                tags.iter()
                    .find(|t| t.id == r.tag_id && t.status == TagStatus::Active)
                    .map(|t| CustomerTagView {
                        tag_id: t.id,
                        name: t.name.clone(),
                        kind: t.kind,
                        color: t.color.clone(),
                        source: r.source,
                        since: r.since,
                    })
            })
            .collect();
        out.sort_by_key(|v| v.tag_id);
        Ok(out)
    }

    /// The customers carrying a tag, a page at a time: only customers in the actor's
    /// customer read scope are listed and counted (marketing `read` and customers `read`).
    pub async fn tag_customers(
        &self,
        actor: Actor,
        tag_id: TagId,
        after: Option<i64>,
        limit: Option<u32>,
    ) -> CrmResult<TagCustomerPage> {
        let ctx = self.ctx(actor).await?;
        ctx.require_marketing(Action::Read)?;
        let reach = ctx.access.require(Module::Customers, Action::Read)?;
        self.load_tag(&ctx, tag_id).await?;
        let limit = page_limit(limit)?;
        let base = Query::new(Entity::CustomerTag, ctx.tenant.id)
            .scope(ctx.access.scope_filter(&reach, ctx.now))
            .filter(Filter::eq("tag_id", tag_id.0))
            .filter(Filter::eq("active", true));
        let total = self.store().count(&base).await?;
        let rows: Vec<CustomerTag> = self
            .store()
            .load_all(&base.after(after).limit(limit))
            .await?;
        let page = super::Page::of(rows, limit, |r| r);
        Ok(TagCustomerPage {
            items: page.items,
            next_after: page.next_after,
            total,
        })
    }

    /// Takes a retired tag off every customer in batches, each removal with its event
    /// (reason `tag_retired`); returns how many.
    pub(super) async fn strip_retired(&self, ctx: &Ctx, tag: &Tag) -> CrmResult<u64> {
        let mut removed = 0;
        let mut conflicts = 0;
        loop {
            let rows: Vec<CustomerTag> = self
                .store()
                .load_all(
                    &Query::new(Entity::CustomerTag, ctx.tenant.id)
                        .filter(Filter::eq("tag_id", tag.id.0))
                        .filter(Filter::eq("active", true))
                        .limit(BATCH),
                )
                .await?;
            if rows.is_empty() {
                return Ok(removed);
            }
            let mut changes = Changes::new(ctx.tenant.id);
            for r in &rows {
                let next = CustomerTag {
                    active: false,
                    since: ctx.now,
                    suppressed: false,
                    updated_at: ctx.now,
                    ..r.clone()
                };
                changes.update(&next)?;
                changes.audit(ctx.audit(
                    "tag.retire",
                    Entity::CustomerTag,
                    r.id.0,
                    json(r),
                    json(&next),
                ));
                changes.event(ctx.event(
                    EventKind::TagRemoved,
                    Entity::Customer,
                    r.customer_id.0,
                    tag_payload(tag, r.customer_id, TagReason::TagRetired),
                ));
            }
            match self.store().apply(changes).await {
                Ok(_) => removed += rows.len() as u64,
                Err(CrmError::Conflict { .. }) if conflicts < 20 => conflicts += 1,
                Err(e) => return Err(e),
            }
        }
    }
}
