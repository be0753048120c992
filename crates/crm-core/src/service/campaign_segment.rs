//! `campaign.add_segment_members`: a segment's current members (those in the actor's
//! marketing scope whom it also reads as customers) become campaign members, a page at a time, each page in its own unit of
//! work; members already in are left as they are, so the call can be repeated.

use super::campaign_members::NewMember;
use super::{transact, Crm, MembersChanged};
use crate::access::{Action, Module};
use crate::actor::Actor;
use crate::campaign::MemberKind;
use crate::error::CrmResult;
use crate::ids::{CampaignId, SegmentId};
use crate::store::{Entity, Store};
use serde::{Deserialize, Serialize};

/// Segment members read per page.
const PAGE: u32 = 500;

/// `campaign.add_segment_members`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddSegmentMembers {
    /// The campaign (the actor must be able to update it).
    pub campaign_id: CampaignId,
    /// The segment whose current members join.
    pub segment_id: SegmentId,
}

impl<S: Store> Crm<S> {
    /// Adds the segment's current members in the actor's scope to the campaign.
    pub async fn add_segment_members(
        &self,
        actor: Actor,
        request: AddSegmentMembers,
    ) -> CrmResult<MembersChanged> {
        let mut report = MembersChanged {
            campaign_id: request.campaign_id,
            added: 0,
            removed: 0,
            unchanged: 0,
        };
        let mut after = None;
        let mut touched = false;
        loop {
            let page = self
                .segment_members(actor, request.segment_id, after, Some(PAGE))
                .await?;
            if page.items.is_empty() {
                break;
            }
            let ids: Vec<i64> = page.items.iter().map(|m| m.customer_id.0).collect();
            let (added, offered) = transact!(self, async {
                let ctx = self.ctx(actor).await?;
                let campaign = self
                    .campaign_for(&ctx, request.campaign_id, Action::Update)
                    .await?;
                // Only customers the actor reads join, as with `campaign.add_members`.
                let members: Vec<NewMember> = self
                    .readable_rows(&ctx, Module::Customers, Entity::Customer, &ids)
                    .await?
                    .iter()
                    .map(|r| (MemberKind::Customer, r.id, None))
                    .collect();
                let (changes, added) = self
                    .campaign_member_changes(&ctx, &campaign, &members)
                    .await?;
                Ok((changes, (added, members.len() as u64)))
            })?;
            report.added += added;
            report.unchanged += offered.saturating_sub(added);
            touched = true;
            after = page.next_after;
            if after.is_none() {
                break;
            }
        }
        if !touched {
            // An empty segment still needs an updatable campaign.
            let ctx = self.ctx(actor).await?;
            self.campaign_for(&ctx, request.campaign_id, Action::Update)
                .await?;
        }
        Ok(report)
    }
}
