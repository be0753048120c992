//! Campaigns (DESIGN §4.11, ADR 0032): create, change, read, list and the tree of a
//! campaign with its descendants. The rules live in [`crate::campaign`]; access in
//! [`campaign_scope`](super::campaign_scope).

use super::campaign_scope::marketing_denied;
use super::{json, transact, Crm, Ctx, Page};
use crate::access::{Action, Module};
use crate::actor::Actor;
use crate::campaign::{
    check_parent, Campaign, CampaignChannel, CampaignInput, CampaignPatch, CampaignStatus,
    MAX_DEPTH,
};
use crate::error::{CrmError, CrmResult};
use crate::ids::{CampaignId, TenantId, UserId};
use crate::store::{Changes, Entity, EventKind, Filter, Order, Query, SqlValue, Store, StoreExt};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which campaigns to list (`campaign.list`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignFilter {
    /// Only the children of this campaign.
    #[serde(default)]
    pub parent_id: Option<CampaignId>,
    /// Only root campaigns (without a parent).
    #[serde(default)]
    pub roots_only: bool,
    /// Only this channel.
    #[serde(default)]
    pub channel: Option<CampaignChannel>,
    /// Only in this status.
    #[serde(default)]
    pub status: Option<CampaignStatus>,
    /// Only this owner's.
    #[serde(default)]
    pub owner_id: Option<UserId>,
    /// Keyset cursor (the previous page's `next_after`).
    #[serde(default)]
    pub after: Option<i64>,
    /// Page size, 1..=500 (default 50).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// One descendant in a campaign tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CampaignNode {
    /// Levels below the tree's campaign (1: a child).
    pub depth: u32,
    /// The campaign.
    pub campaign: Campaign,
}

/// A campaign with its descendants (`campaign.tree`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CampaignTree {
    /// The campaign asked for.
    pub campaign: Campaign,
    /// Its descendants the actor reads, level by level, by ascending id within a level.
    pub descendants: Vec<CampaignNode>,
}

impl Ctx {
    /// Refuses an owner who is not an active user of the tenant.
    fn check_campaign_owner(&self, owner: UserId) -> CrmResult<()> {
        if self
            .access
            .org()
            .users
            .get(&owner)
            .is_some_and(|u| u.active)
        {
            Ok(())
        } else {
            Err(CrmError::validation(
                "owner_id",
                format!("no active user {owner}"),
            ))
        }
    }
}

/// The event payload of a campaign change.
fn campaign_payload(change: &str, campaign: &Campaign) -> serde_json::Value {
    serde_json::json!({
        "change": change,
        "name": campaign.name,
        "parent_id": campaign.parent_id,
        "channel": campaign.channel,
        "status": campaign.status,
        "owner_id": campaign.owner_id,
    })
}

impl<S: Store> Crm<S> {
    /// The ancestor chain of `parent` (itself first, up to a root): it must be a campaign of
    /// the tenant the actor reads (`parent_id: no campaign 7` otherwise). The walk stops
    /// after `MAX_DEPTH + 1` steps: anything longer breaks the depth rule anyway.
    async fn campaign_chain(&self, ctx: &Ctx, parent: CampaignId) -> CrmResult<Vec<CampaignId>> {
        let first = self
            .store()
            .load::<Campaign>(ctx.tenant.id, parent)
            .await?
            .filter(|c| ctx.reaches_campaign(Action::Read, c.owner_id))
            .ok_or_else(|| CrmError::validation("parent_id", format!("no campaign {parent}")))?;
        let mut chain = vec![first.id];
        let mut next = first.parent_id;
        while let Some(id) = next {
            if chain.len() > MAX_DEPTH || chain.contains(&id) {
                chain.push(id);
                break;
            }
            chain.push(id);
            next = self
                .store()
                .load::<Campaign>(ctx.tenant.id, id)
                .await?
                .and_then(|c| c.parent_id);
        }
        Ok(chain)
    }

    /// Every descendant of `root` (depth 1 = children), level by level, at most
    /// `MAX_DEPTH` levels (a longer chain cannot be stored).
    pub(super) async fn campaign_descendants(
        &self,
        tenant: TenantId,
        root: CampaignId,
    ) -> CrmResult<Vec<(u32, Campaign)>> {
        let mut out = Vec::new();
        let mut level = vec![root.0];
        let mut seen = std::collections::BTreeSet::from([root.0]);
        for depth in 1..=MAX_DEPTH as u32 {
            let mut next = Vec::new();
            for chunk in level.chunks(1_000) {
                let children: Vec<Campaign> = self
                    .store()
                    .load_all(&Query::new(Entity::Campaign, tenant).filter(Filter::is_in(
                        "parent_id",
                        chunk.iter().copied().map(SqlValue::Int).collect(),
                    )))
                    .await?;
                for child in children {
                    if seen.insert(child.id.0) {
                        next.push(child);
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            next.sort_by_key(|c| c.id);
            level = next.iter().map(|c| c.id.0).collect();
            out.extend(next.into_iter().map(|c| (depth, c)));
        }
        Ok(out)
    }

    /// Creates a campaign (planned or active), owned by `owner_id` or the acting user.
    pub async fn create_campaign(&self, actor: Actor, input: CampaignInput) -> CrmResult<Campaign> {
        crate::validate::texts(&input, "")?;
        let checked = input.check()?;
        let id = CampaignId(self.new_id(Entity::Campaign).await?);
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            ctx.access.require(Module::Marketing, Action::Create)?;
            let owner = input.owner_id.or(ctx.acting_user());
            if let Some(owner) = owner {
                ctx.check_campaign_owner(owner)?;
            }
            if !ctx.reaches_campaign(Action::Create, owner) {
                return Err(marketing_denied(Action::Create));
            }
            if let Some(parent) = input.parent_id {
                let chain = self.campaign_chain(&ctx, parent).await?;
                check_parent(id, &chain, 1)?;
            }
            let campaign = Campaign {
                tenant: ctx.tenant.id,
                id,
                version: 1,
                name: checked.name.clone(),
                parent_id: input.parent_id,
                channel: input.channel,
                status: checked.status,
                start_on: checked.period.start_on,
                end_on: checked.period.end_on,
                budget: checked.budget.clone(),
                actual_cost: BTreeMap::new(),
                owner_id: owner,
                description: checked.description.clone(),
                created_by: ctx.acting_user(),
                created_at: ctx.now,
            };
            let mut changes = Changes::new(ctx.tenant.id);
            changes.insert(&campaign)?;
            changes.audit(ctx.audit(
                "campaign.create",
                Entity::Campaign,
                id.0,
                serde_json::Value::Null,
                json(&campaign),
            ));
            changes.event(ctx.event(
                EventKind::CampaignChanged,
                Entity::Campaign,
                id.0,
                campaign_payload("created", &campaign),
            ));
            Ok((changes, campaign))
        })
    }

    /// Changes the given fields of a campaign (Marketing update reaching its owner).
    pub async fn update_campaign(&self, actor: Actor, patch: CampaignPatch) -> CrmResult<Campaign> {
        crate::validate::texts(&patch, "")?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let before = self.campaign_for(&ctx, patch.id, Action::Update).await?;
            let mut next = before.clone();
            patch.apply(&mut next)?;
            if patch.make_root {
                next.parent_id = None;
            }
            if let Some(parent) = patch.parent_id {
                if before.parent_id != Some(parent) {
                    let chain = self.campaign_chain(&ctx, parent).await?;
                    let below = self.campaign_descendants(ctx.tenant.id, before.id).await?;
                    let height = below.iter().map(|(d, _)| *d as usize).max().unwrap_or(0) + 1;
                    check_parent(before.id, &chain, height)?;
                }
                next.parent_id = Some(parent);
            }
            if let Some(owner) = patch.owner_id {
                ctx.check_campaign_owner(owner)?;
                if !ctx.reaches_campaign(Action::Update, Some(owner)) {
                    return Err(marketing_denied(Action::Update));
                }
                next.owner_id = Some(owner);
            }
            let mut changes = Changes::new(ctx.tenant.id);
            if next == before {
                return Ok((changes, before));
            }
            changes.update(&next)?;
            let stored = Campaign {
                version: next.version + 1,
                ..next
            };
            changes.audit(ctx.audit(
                "campaign.update",
                Entity::Campaign,
                stored.id.0,
                json(&before),
                json(&stored),
            ));
            changes.event(ctx.event(
                EventKind::CampaignChanged,
                Entity::Campaign,
                stored.id.0,
                campaign_payload("updated", &stored),
            ));
            Ok((changes, stored))
        })
    }

    /// One campaign the actor reads (others are not found).
    pub async fn get_campaign(&self, actor: Actor, id: CampaignId) -> CrmResult<Campaign> {
        let ctx = self.ctx(actor).await?;
        self.campaign_for(&ctx, id, Action::Read).await
    }

    /// A page of the campaigns the actor reads, by ascending id, filtered.
    pub async fn list_campaigns(
        &self,
        actor: Actor,
        filter: CampaignFilter,
    ) -> CrmResult<Page<Campaign>> {
        let ctx = self.ctx(actor).await?;
        let (mut query, limit) = ctx.scoped_page(
            Module::Marketing,
            Entity::Campaign,
            Order::IdAsc,
            filter.after,
            filter.limit,
        )?;
        if filter.roots_only && filter.parent_id.is_some() {
            return Err(CrmError::validation(
                "roots_only",
                "parent_conflict: give parent_id or roots_only, not both",
            ));
        }
        if let Some(parent) = filter.parent_id {
            query = query.filter(Filter::eq("parent_id", parent.0));
        }
        if filter.roots_only {
            query = query.filter(Filter::is_null("parent_id"));
        }
        if let Some(channel) = filter.channel {
            query = query.filter(Filter::eq("channel", channel.as_str()));
        }
        if let Some(status) = filter.status {
            query = query.filter(Filter::eq("status", status.as_str()));
        }
        if let Some(owner) = filter.owner_id {
            query = query.filter(Filter::eq("owner_id", owner.0));
        }
        let rows: Vec<Campaign> = self.store().load_all(&query).await?;
        Ok(Page::of(rows, limit, |c| c))
    }

    /// A campaign with the descendants the actor reads.
    pub async fn campaign_tree(&self, actor: Actor, id: CampaignId) -> CrmResult<CampaignTree> {
        let ctx = self.ctx(actor).await?;
        let campaign = self.campaign_for(&ctx, id, Action::Read).await?;
        let descendants = self
            .campaign_descendants(ctx.tenant.id, id)
            .await?
            .into_iter()
            .filter(|(_, c)| ctx.reaches_campaign(Action::Read, c.owner_id))
            .map(|(depth, campaign)| CampaignNode { depth, campaign })
            .collect();
        Ok(CampaignTree {
            campaign,
            descendants,
        })
    }
}
