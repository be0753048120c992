//! The touch log: the host records touches one at a time or in batches of up to 1,000
//! (all or nothing), idempotently by its own reference, and reads them back in scope
//! (ADR 0032).

use super::campaign_scope::contact_customer;
use super::{json, page_limit, transact, Crm, Ctx, Page};
use crate::access::{Action, Module};
use crate::actor::Actor;
use crate::campaign::{
    Campaign, MemberKind, Touch, TouchInput, TouchKind, TouchSubject, MAX_TOUCH_BATCH,
};
use crate::clock::truncate_micros;
use crate::error::{CrmError, CrmResult};
use crate::ids::{CampaignId, ContactId, CustomerId, LeadId, TouchId};
use crate::store::{
    Changes, Entity, EventKind, Filter, Order, Query, ScopeFilter, SqlValue, Store, StoreExt,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Records a batch of touches, all or nothing (`campaign.record_touches`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordTouches {
    /// 1 to 1,000 touches.
    pub touches: Vec<TouchInput>,
}

/// What a batch recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TouchesRecorded {
    /// The touch of each input, in input order (an input whose host reference was already
    /// recorded answers the touch recorded then).
    pub touches: Vec<Touch>,
    /// Touches written by this call.
    pub recorded: u64,
    /// Inputs answered by a touch recorded before (same host reference).
    pub already_recorded: u64,
}

/// Which touches to list (`campaign.touches`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TouchFilter {
    /// Only this campaign's.
    #[serde(default)]
    pub campaign_id: Option<CampaignId>,
    /// Only this customer's, its contacts' included.
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    /// Only this lead's.
    #[serde(default)]
    pub lead_id: Option<LeadId>,
    /// Only this contact's.
    #[serde(default)]
    pub contact_id: Option<ContactId>,
    /// Only this kind.
    #[serde(default)]
    pub kind: Option<TouchKind>,
    /// Only at or after this instant.
    #[serde(default)]
    pub from: Option<DateTime<Utc>>,
    /// Only before this instant.
    #[serde(default)]
    pub to: Option<DateTime<Utc>>,
    /// Keyset cursor (the previous page's `next_after`).
    #[serde(default)]
    pub after: Option<i64>,
    /// Page size, 1..=500 (default 50).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// Whether a stored touch is what `input` describes (a host reference reused for another
/// touch is refused).
fn same_touch(stored: &Touch, wanted: &Touch) -> bool {
    stored.campaign_id == wanted.campaign_id
        && stored.channel == wanted.channel
        && stored.kind == wanted.kind
        && stored.at == wanted.at
        && stored.recipient() == wanted.recipient()
}

impl<S: Store> Crm<S> {
    /// Records one touch (idempotent by `host_ref`).
    pub async fn record_touch(&self, actor: Actor, input: TouchInput) -> CrmResult<Touch> {
        let done = self.record_touch_batch(actor, vec![input], false).await?;
        done.touches
            .into_iter()
            .next()
            .ok_or_else(|| CrmError::Storage("a recorded touch went missing".into()))
    }

    /// Records up to 1,000 touches in one unit of work.
    pub async fn record_touches(
        &self,
        actor: Actor,
        request: RecordTouches,
    ) -> CrmResult<TouchesRecorded> {
        self.record_touch_batch(actor, request.touches, true).await
    }

    async fn record_touch_batch(
        &self,
        actor: Actor,
        inputs: Vec<TouchInput>,
        batch: bool,
    ) -> CrmResult<TouchesRecorded> {
        let path = |i: usize| {
            if batch {
                format!("touches[{i}].")
            } else {
                String::new()
            }
        };
        if inputs.is_empty() {
            return Err(CrmError::validation("touches", "must not be empty"));
        }
        if inputs.len() > MAX_TOUCH_BATCH {
            return Err(CrmError::validation(
                "touches",
                format!(
                    "too_many_touches: {} touches, at most {MAX_TOUCH_BATCH} per call",
                    inputs.len()
                ),
            ));
        }
        crate::validate::texts(&inputs, if batch { "touches" } else { "" })?;
        let count = u32::try_from(inputs.len()).unwrap_or(u32::MAX);
        let first = self.store().allocate_ids(Entity::Touch, count).await?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            ctx.access.require(Module::Marketing, Action::Create)?;
            let mut checked = Vec::with_capacity(inputs.len());
            let mut wanted = Vec::with_capacity(inputs.len());
            for (i, input) in inputs.iter().enumerate() {
                let (subject, host_ref) = input.check(ctx.now, &path(i))?;
                let field = match subject.kind() {
                    MemberKind::Customer => "customer_id",
                    MemberKind::Lead => "lead_id",
                    MemberKind::Contact => "contact_id",
                };
                wanted.push((
                    subject.kind(),
                    subject.raw_id(),
                    format!("{}{field}", path(i)),
                ));
                checked.push((subject, host_ref));
            }
            let mut campaigns: BTreeMap<CampaignId, Campaign> = BTreeMap::new();
            for input in &inputs {
                if !campaigns.contains_key(&input.campaign_id) {
                    let c = self
                        .campaign_for(&ctx, input.campaign_id, Action::Create)
                        .await?;
                    campaigns.insert(c.id, c);
                }
            }
            let found = self.readable_records(&ctx, &wanted).await?;
            let existing = self.touches_by_ref(&ctx, &checked).await?;
            let mut changes = Changes::new(ctx.tenant.id);
            let mut out = Vec::with_capacity(inputs.len());
            let mut fresh: BTreeMap<String, Touch> = BTreeMap::new();
            let mut written = Vec::new();
            let mut already = 0u64;
            for (i, (input, (subject, host_ref))) in inputs.iter().zip(checked).enumerate() {
                let channel = match (input.channel, campaigns.get(&input.campaign_id)) {
                    (Some(c), _) => c,
                    (None, Some(campaign)) => campaign.channel,
                    (None, None) => return Err(CrmError::not_found("campaign", input.campaign_id)),
                };
                let (customer_id, lead_id, contact_id) = match subject {
                    TouchSubject::Customer(c) => (Some(c), None, None),
                    TouchSubject::Lead(l) => (None, Some(l), None),
                    TouchSubject::Contact(c) => (contact_customer(&found, c), None, Some(c)),
                };
                let touch = Touch {
                    tenant: ctx.tenant.id,
                    id: TouchId(first.saturating_add(i as i64)),
                    version: 1,
                    campaign_id: input.campaign_id,
                    channel,
                    kind: input.kind,
                    at: truncate_micros(input.at),
                    subject: subject.kind(),
                    customer_id,
                    lead_id,
                    contact_id,
                    host_ref: host_ref.clone(),
                    recorded_by: ctx.acting_user(),
                    recorded_at: ctx.now,
                };
                if let Some(r) = &host_ref {
                    if let Some(before) = existing.get(r).or_else(|| fresh.get(r)) {
                        if !same_touch(before, &touch) {
                            return Err(CrmError::validation(
                                format!("{}host_ref", path(i)),
                                format!(
                                    "host_ref_reused: {} already names touch {} with other facts",
                                    crate::validate::quote(r),
                                    before.id
                                ),
                            ));
                        }
                        already += u64::from(existing.contains_key(r));
                        out.push(before.clone());
                        continue;
                    }
                    fresh.insert(r.clone(), touch.clone());
                }
                changes.insert(&touch)?;
                changes.audit(ctx.audit(
                    "campaign.record_touch",
                    Entity::Touch,
                    touch.id.0,
                    serde_json::Value::Null,
                    json(&touch),
                ));
                written.push(touch.id);
                out.push(touch);
            }
            let recorded = written.len() as u64;
            if let Some(first_written) = written.first() {
                let touched: Vec<CampaignId> = campaigns.keys().copied().collect();
                changes.event(ctx.event(
                    EventKind::TouchRecorded,
                    Entity::Touch,
                    first_written.0,
                    serde_json::json!({
                        "count": recorded,
                        "touch_ids": &written,
                        "campaign_ids": touched,
                    }),
                ));
            }
            Ok((
                changes,
                TouchesRecorded {
                    touches: out,
                    recorded,
                    already_recorded: already,
                },
            ))
        })
    }

    /// The stored touches carrying any of the given host references, by reference.
    async fn touches_by_ref(
        &self,
        ctx: &Ctx,
        checked: &[(TouchSubject, Option<String>)],
    ) -> CrmResult<BTreeMap<String, Touch>> {
        let mut refs: Vec<String> = checked.iter().filter_map(|(_, r)| r.clone()).collect();
        refs.sort();
        refs.dedup();
        let mut out = BTreeMap::new();
        for chunk in refs.chunks(1_000) {
            let rows: Vec<Touch> = self
                .store()
                .load_all(
                    &Query::new(Entity::Touch, ctx.tenant.id).filter(Filter::is_in(
                        "host_ref",
                        chunk.iter().cloned().map(SqlValue::Text).collect(),
                    )),
                )
                .await?;
            for t in rows {
                if let Some(r) = t.host_ref.clone() {
                    out.insert(r, t);
                }
            }
        }
        Ok(out)
    }

    /// A page of the touches the actor reads (campaign and the record reached both in
    /// scope), by ascending id, filtered.
    pub async fn list_touches(&self, actor: Actor, filter: TouchFilter) -> CrmResult<Page<Touch>> {
        let ctx = self.ctx(actor).await?;
        let limit = page_limit(filter.limit)?;
        if let (Some(from), Some(to)) = (filter.from, filter.to) {
            if to < from {
                return Err(CrmError::validation(
                    "to",
                    format!("period_order: {to} is before {from}"),
                ));
            }
        }
        if let Some(id) = filter.campaign_id {
            self.campaign_for(&ctx, id, Action::Read).await?;
        }
        let mut query = Query::new(Entity::Touch, ctx.tenant.id)
            .scope(ScopeFilter::Predicate(ctx.subject_scope()?))
            .order(Order::IdAsc)
            .after(filter.after)
            .limit(limit);
        if let Some(c) = filter.campaign_id {
            query = query.filter(Filter::eq("campaign_id", c.0));
        }
        if let Some(c) = filter.customer_id {
            query = query.filter(Filter::eq("customer_id", c.0));
        }
        if let Some(l) = filter.lead_id {
            query = query.filter(Filter::eq("lead_id", l.0));
        }
        if let Some(c) = filter.contact_id {
            query = query.filter(Filter::eq("contact_id", c.0));
        }
        if let Some(k) = filter.kind {
            query = query.filter(Filter::eq("kind", k.as_str()));
        }
        if let Some(from) = filter.from {
            query = query.filter(Filter::ge("at", truncate_micros(from)));
        }
        if let Some(to) = filter.to {
            query = query.filter(Filter::lt("at", truncate_micros(to)));
        }
        let rows: Vec<Touch> = self.store().load_all(&query).await?;
        Ok(Page::of(rows, limit, |t| t))
    }
}
