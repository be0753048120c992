//! Reach figures of a campaign (`campaign.reach`), optionally rolled up over its
//! descendants: members and touches counted in the actor's scope (the same scope as
//! `campaign.members` and `campaign.touches`), the figures from
//! [`crate::campaign::reach_figures`].

use super::{Crm, Ctx};
use crate::access::Action;
use crate::actor::Actor;
use crate::campaign::{
    reach_figures, CampaignMember, KindCount, MemberKind, Rate, ReachCounts, Touch, TouchKind,
};
use crate::error::CrmResult;
use crate::ids::CampaignId;
use crate::store::{Entity, Filter, Order, Query, Record, ScopeFilter, SqlValue, Store, StoreExt};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Rows read per batch while counting.
const COUNT_BATCH: u32 = 5_000;

/// Asks for a campaign's reach figures (`campaign.reach`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReachRequest {
    /// The campaign.
    pub campaign_id: CampaignId,
    /// Count its descendants' members and touches too (distinct recipients across them).
    #[serde(default)]
    pub include_descendants: bool,
}

/// A campaign's reach figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CampaignReach {
    /// The campaign asked for.
    pub campaign_id: CampaignId,
    /// The campaigns counted (it, and its readable descendants when rolled up).
    pub campaign_ids: Vec<CampaignId>,
    /// Distinct members the actor reads.
    pub members: u64,
    /// Per touch kind, in kind order: distinct recipients and total touches.
    pub kinds: Vec<KindCount>,
    /// The rates, each naming its numerator and denominator; `None` at a zero denominator.
    pub rates: Vec<Rate>,
}

impl<S: Store> Crm<S> {
    /// Every row of `entity` for `campaigns` in the actor's subject scope, batch by batch.
    async fn scan_scoped<R: Record + 'static>(
        &self,
        ctx: &Ctx,
        entity: Entity,
        campaigns: &[CampaignId],
        mut each: impl FnMut(R),
    ) -> CrmResult<()> {
        let scope = ctx.subject_scope()?;
        let ids: Vec<SqlValue> = campaigns.iter().map(|c| SqlValue::Int(c.0)).collect();
        let mut after = None;
        loop {
            let rows: Vec<R> = self
                .store()
                .load_all(
                    &Query::new(entity, ctx.tenant.id)
                        .scope(ScopeFilter::Predicate(scope.clone()))
                        .filter(Filter::is_in("campaign_id", ids.clone()))
                        .order(Order::IdAsc)
                        .after(after)
                        .limit(COUNT_BATCH),
                )
                .await?;
            let full = rows.len() == COUNT_BATCH as usize;
            for row in rows {
                after = Some(row.raw_id());
                each(row);
            }
            if !full {
                return Ok(());
            }
        }
    }

    /// The reach figures of a campaign the actor reads.
    pub async fn campaign_reach(
        &self,
        actor: Actor,
        request: ReachRequest,
    ) -> CrmResult<CampaignReach> {
        let ctx = self.ctx(actor).await?;
        let campaign = self
            .campaign_for(&ctx, request.campaign_id, Action::Read)
            .await?;
        let mut campaigns = vec![campaign.id];
        if request.include_descendants {
            campaigns.extend(
                self.campaign_descendants(ctx.tenant.id, campaign.id)
                    .await?
                    .into_iter()
                    .filter(|(_, c)| ctx.reaches_campaign(Action::Read, c.owner_id))
                    .map(|(_, c)| c.id),
            );
        }
        let mut members: BTreeSet<(MemberKind, i64)> = BTreeSet::new();
        self.scan_scoped(
            &ctx,
            Entity::CampaignMember,
            &campaigns,
            |m: CampaignMember| {
                members.insert((m.kind, m.member_id()));
            },
        )
        .await?;
        let mut reached: BTreeMap<TouchKind, (BTreeSet<(MemberKind, i64)>, u64)> = BTreeMap::new();
        self.scan_scoped(&ctx, Entity::Touch, &campaigns, |t: Touch| {
            let entry = reached.entry(t.kind).or_default();
            entry.0.insert(t.recipient());
            entry.1 += 1;
        })
        .await?;
        let counts = ReachCounts {
            members: members.len() as u64,
            kinds: reached
                .into_iter()
                .map(|(k, (who, total))| (k, (who.len() as u64, total)))
                .collect(),
        };
        let (kinds, rates) = reach_figures(&counts)?;
        Ok(CampaignReach {
            campaign_id: campaign.id,
            campaign_ids: campaigns,
            members: counts.members,
            kinds,
            rates,
        })
    }
}
