//! Campaign members: customers, leads and contacts added and removed by id lists of up to
//! 1,000 per call, each in the actor's read scope (otherwise refused, nothing written),
//! idempotently (a member already in is left as it is). Segments feed the same path in
//! batches through [`Crm::campaign_member_changes`] (ADR 0032).

use super::{json, page_limit, transact, Crm, Ctx, Page};
use crate::access::Action;
use crate::actor::Actor;
use crate::campaign::{Campaign, CampaignMember, MemberKind};
use crate::error::{CrmError, CrmResult};
use crate::ids::{CampaignId, CampaignMemberId, ContactId, CustomerId, LeadId};
use crate::store::{
    Changes, Entity, EventKind, Filter, Order, Query, ScopeFilter, SqlValue, Store, StoreExt,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most ids one `campaign.add_members` or `campaign.remove_members` call names.
pub const MAX_MEMBER_BATCH: usize = 1_000;

/// The records to add to or remove from a campaign.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberIds {
    /// The campaign.
    pub campaign_id: CampaignId,
    /// Customers.
    #[serde(default)]
    pub customer_ids: Vec<CustomerId>,
    /// Leads.
    #[serde(default)]
    pub lead_ids: Vec<LeadId>,
    /// Contacts.
    #[serde(default)]
    pub contact_ids: Vec<ContactId>,
}

impl MemberIds {
    /// `(kind, id, field)` of every id named, or a refusal of too many.
    fn wanted(&self) -> CrmResult<Vec<(MemberKind, i64, String)>> {
        let total = self.customer_ids.len() + self.lead_ids.len() + self.contact_ids.len();
        if total > MAX_MEMBER_BATCH {
            return Err(CrmError::validation(
                "customer_ids",
                format!("too_many_members: {total} ids, at most {MAX_MEMBER_BATCH} per call"),
            ));
        }
        let mut out = Vec::with_capacity(total);
        for (i, c) in self.customer_ids.iter().enumerate() {
            out.push((MemberKind::Customer, c.0, format!("customer_ids[{i}]")));
        }
        for (i, l) in self.lead_ids.iter().enumerate() {
            out.push((MemberKind::Lead, l.0, format!("lead_ids[{i}]")));
        }
        for (i, c) in self.contact_ids.iter().enumerate() {
            out.push((MemberKind::Contact, c.0, format!("contact_ids[{i}]")));
        }
        Ok(out)
    }
}

/// Adds members to a campaign (`campaign.add_members`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct AddCampaignMembers(pub MemberIds);

/// Removes members from a campaign (`campaign.remove_members`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct RemoveCampaignMembers(pub MemberIds);

/// What an add or remove changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MembersChanged {
    /// The campaign.
    pub campaign_id: CampaignId,
    /// Members added.
    pub added: u64,
    /// Members removed.
    pub removed: u64,
    /// Ids named that were already in (add) or not in (remove).
    pub unchanged: u64,
}

/// Which members to list (`campaign.members`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignMemberFilter {
    /// The campaign.
    pub campaign_id: CampaignId,
    /// Only members of this kind.
    #[serde(default)]
    pub kind: Option<MemberKind>,
    /// Keyset cursor (the previous page's `next_after`).
    #[serde(default)]
    pub after: Option<i64>,
    /// Page size, 1..=500 (default 50).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// A member to add: its kind, its id and (a contact's) customer.
pub(crate) type NewMember = (MemberKind, i64, Option<CustomerId>);

impl<S: Store> Crm<S> {
    /// The stored memberships of `campaign` among `members`, by (kind, id).
    async fn memberships(
        &self,
        ctx: &Ctx,
        campaign: CampaignId,
        members: &[(MemberKind, i64)],
    ) -> CrmResult<BTreeMap<(MemberKind, i64), CampaignMember>> {
        let mut out = BTreeMap::new();
        for kind in MemberKind::ALL {
            let ids: Vec<SqlValue> = members
                .iter()
                .filter(|(k, _)| k == kind)
                .map(|(_, id)| SqlValue::Int(*id))
                .collect();
            for chunk in ids.chunks(1_000) {
                let rows: Vec<CampaignMember> = self
                    .store()
                    .load_all(
                        &Query::new(Entity::CampaignMember, ctx.tenant.id)
                            .filter(Filter::eq("campaign_id", campaign.0))
                            .filter(Filter::eq("member_kind", kind.as_str()))
                            .filter(Filter::is_in("member_id", chunk.to_vec())),
                    )
                    .await?;
                for m in rows {
                    out.insert((m.kind, m.member_id()), m);
                }
            }
        }
        Ok(out)
    }

    /// The writes that add `members` (already checked by the caller) to `campaign`, leaving
    /// those already in: the rows, their audit entries and one `CampaignMembersChanged`
    /// event when anything is added. Returns the changes and how many were added. The
    /// batch path for segments: call it per page of customer ids.
    pub(crate) async fn campaign_member_changes(
        &self,
        ctx: &Ctx,
        campaign: &Campaign,
        members: &[NewMember],
    ) -> CrmResult<(Changes, u64)> {
        let keys: Vec<(MemberKind, i64)> = members.iter().map(|(k, id, _)| (*k, *id)).collect();
        let existing = self.memberships(ctx, campaign.id, &keys).await?;
        let mut todo: BTreeMap<(MemberKind, i64), Option<CustomerId>> = BTreeMap::new();
        for (kind, id, customer) in members {
            if !existing.contains_key(&(*kind, *id)) {
                todo.insert((*kind, *id), *customer);
            }
        }
        let mut changes = Changes::new(ctx.tenant.id);
        if todo.is_empty() {
            return Ok((changes, 0));
        }
        let count = u32::try_from(todo.len()).unwrap_or(u32::MAX);
        let first = self
            .store()
            .allocate_ids(Entity::CampaignMember, count)
            .await?;
        for (i, ((kind, id), customer)) in todo.iter().enumerate() {
            let member = CampaignMember {
                tenant: ctx.tenant.id,
                id: CampaignMemberId(first.saturating_add(i as i64)),
                version: 1,
                campaign_id: campaign.id,
                kind: *kind,
                customer_id: match kind {
                    MemberKind::Customer => Some(CustomerId(*id)),
                    MemberKind::Contact => *customer,
                    MemberKind::Lead => None,
                },
                lead_id: (*kind == MemberKind::Lead).then_some(LeadId(*id)),
                contact_id: (*kind == MemberKind::Contact).then_some(ContactId(*id)),
                added_by: ctx.acting_user(),
                added_at: ctx.now,
            };
            changes.insert(&member)?;
            changes.audit(ctx.audit(
                "campaign.add_members",
                Entity::CampaignMember,
                member.id.0,
                serde_json::Value::Null,
                json(&member),
            ));
        }
        let added = todo.len() as u64;
        changes.event(ctx.event(
            EventKind::CampaignMembersChanged,
            Entity::Campaign,
            campaign.id.0,
            serde_json::json!({ "added": added, "removed": 0 }),
        ));
        Ok((changes, added))
    }

    /// Adds customers, leads and contacts the actor reads to a campaign it may update;
    /// any id outside the read scope refuses the whole call.
    pub async fn add_campaign_members(
        &self,
        actor: Actor,
        request: MemberIds,
    ) -> CrmResult<MembersChanged> {
        let wanted = request.wanted()?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let campaign = self
                .campaign_for(&ctx, request.campaign_id, Action::Update)
                .await?;
            let found = self.readable_records(&ctx, &wanted).await?;
            let members: Vec<NewMember> = wanted
                .iter()
                .map(|(kind, id, _)| {
                    let customer = match kind {
                        MemberKind::Contact => found.contacts.get(id).copied(),
                        _ => None,
                    };
                    (*kind, *id, customer)
                })
                .collect();
            let distinct = members
                .iter()
                .map(|(k, id, _)| (*k, *id))
                .collect::<std::collections::BTreeSet<_>>()
                .len() as u64;
            let (changes, added) = self
                .campaign_member_changes(&ctx, &campaign, &members)
                .await?;
            Ok((
                changes,
                MembersChanged {
                    campaign_id: campaign.id,
                    added,
                    removed: 0,
                    unchanged: distinct.saturating_sub(added),
                },
            ))
        })
    }

    /// Removes members the actor reads from a campaign it may update; ids that are not
    /// members are left as they are.
    pub async fn remove_campaign_members(
        &self,
        actor: Actor,
        request: MemberIds,
    ) -> CrmResult<MembersChanged> {
        let wanted = request.wanted()?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let campaign = self
                .campaign_for(&ctx, request.campaign_id, Action::Update)
                .await?;
            self.readable_records(&ctx, &wanted).await?;
            let keys: Vec<(MemberKind, i64)> = wanted.iter().map(|(k, id, _)| (*k, *id)).collect();
            let distinct = keys.iter().collect::<std::collections::BTreeSet<_>>().len() as u64;
            let existing = self.memberships(&ctx, campaign.id, &keys).await?;
            let mut changes = Changes::new(ctx.tenant.id);
            for member in existing.values() {
                changes.delete(member);
                changes.audit(ctx.audit(
                    "campaign.remove_members",
                    Entity::CampaignMember,
                    member.id.0,
                    json(member),
                    serde_json::Value::Null,
                ));
            }
            let removed = existing.len() as u64;
            if removed > 0 {
                changes.event(ctx.event(
                    EventKind::CampaignMembersChanged,
                    Entity::Campaign,
                    campaign.id.0,
                    serde_json::json!({ "added": 0, "removed": removed }),
                ));
            }
            Ok((
                changes,
                MembersChanged {
                    campaign_id: campaign.id,
                    added: 0,
                    removed,
                    unchanged: distinct.saturating_sub(removed),
                },
            ))
        })
    }

    /// A page of a campaign's members the actor reads, by ascending id.
    pub async fn list_campaign_members(
        &self,
        actor: Actor,
        filter: CampaignMemberFilter,
    ) -> CrmResult<Page<CampaignMember>> {
        let ctx = self.ctx(actor).await?;
        let campaign = self
            .campaign_for(&ctx, filter.campaign_id, Action::Read)
            .await?;
        let limit = page_limit(filter.limit)?;
        let mut query = Query::new(Entity::CampaignMember, ctx.tenant.id)
            .scope(ScopeFilter::Predicate(ctx.subject_scope()?))
            .filter(Filter::eq("campaign_id", campaign.id.0))
            .order(Order::IdAsc)
            .after(filter.after)
            .limit(limit);
        if let Some(kind) = filter.kind {
            query = query.filter(Filter::eq("member_kind", kind.as_str()));
        }
        let rows: Vec<CampaignMember> = self.store().load_all(&query).await?;
        Ok(Page::of(rows, limit, |m| m))
    }
}
