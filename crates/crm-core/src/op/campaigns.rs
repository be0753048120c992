//! `campaign.*`: marketing campaigns (营销活动) — the hierarchy, costs, members, the touch
//! log (触达) and reach figures (ADR 0032).

use super::{facet, operation};
use crate::campaign::{Campaign, CampaignCost, CampaignMember, Touch};
pub use crate::campaign::{CampaignInput, CampaignPatch, TouchInput};
use crate::ids::CampaignId;
pub use crate::service::{
    AddCampaignCost, AddCampaignMembers, AddSegmentMembers, CampaignCostFilter, CampaignFilter,
    CampaignMemberFilter, MemberIds, ReachRequest, RecordTouches, RemoveCampaignMembers,
    TouchFilter,
};
use crate::service::{
    CampaignCostAdded, CampaignReach, CampaignTree, MembersChanged, Page, TouchesRecorded,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

facet!(
    /// Marketing campaigns (营销活动): a hierarchy of campaigns with channel, status, period,
    /// budget and actual cost per currency; their members (customers, leads, contacts); the
    /// touches the host records; and reach figures that name their denominators.
    campaigns -> CampaignOps {
        create: CampaignInput,
        update: CampaignPatch,
        get: GetCampaign,
        list: CampaignFilter,
        tree: CampaignTreeRequest,
        add_cost: AddCampaignCost,
        costs: CampaignCostFilter,
        add_members: AddCampaignMembers,
        remove_members: RemoveCampaignMembers,
        members: CampaignMemberFilter,
        record_touch: TouchInput,
        record_touches: RecordTouches,
        touches: TouchFilter,
        reach: ReachRequest,
        add_segment_members: AddSegmentMembers,
    }
);

operation!(CampaignInput, "campaign.create", Marketing, Create, Campaign,
    "Creates a campaign: a name, a channel (email, sms, wechat, phone, event, webinar, ads, social, search, referral, direct_mail, other), status planned (default) or active, an optional period (end_on not before start_on, rule period_order), a budget per currency (exact at the currency's scale: amount_scale; amount_negative; amount_too_large), an owner (default the acting user; Marketing create reaching the owner) and an optional parent of the same tenant the actor reads (at most 5 levels: campaign_depth).",
    |crm, actor, r| crm.create_campaign(actor, r));

operation!(CampaignPatch, "campaign.update", Marketing, Update, Campaign,
    "Changes the given fields of a campaign (Marketing update reaching its owner, and the new owner). Status moves planned → active | cancelled and active → completed | cancelled (campaign_status_move); a new parent must not make a cycle (campaign_cycle) nor a tree deeper than 5 levels (campaign_depth); make_root detaches it.",
    |crm, actor, r| crm.update_campaign(actor, r));

/// Reads one campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetCampaign {
    /// The campaign.
    pub id: CampaignId,
}

operation!(GetCampaign, "campaign.get", Marketing, Read, Campaign,
    "One campaign with its budget and actual cost per currency, when Marketing read reaches its owner (others are not found).",
    |crm, actor, r| crm.get_campaign(actor, r.id));

operation!(CampaignFilter, "campaign.list", Marketing, Read, Page<Campaign>,
    "Campaigns whose owner Marketing read reaches, by ascending id, by parent (or roots only), channel, status and owner, a page at a time.",
    |crm, actor, r| crm.list_campaigns(actor, r));

/// Reads a campaign with its descendants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignTreeRequest {
    /// The campaign.
    pub id: CampaignId,
}

operation!(CampaignTreeRequest, "campaign.tree", Marketing, Read, CampaignTree,
    "A campaign the actor reads with its descendants the actor reads, level by level (depth 1 = children), by ascending id within a level.",
    |crm, actor, r| crm.campaign_tree(actor, r.id));

operation!(AddCampaignCost, "campaign.add_cost", Marketing, Update, CampaignCostAdded,
    "Adds an actual cost entry (day, amount, currency, note) to a campaign the actor may update, and raises its actual cost in that currency (checked sum). The amount is exact at the currency's scale (amount_scale: JPY 1.5, CNY 1.005), not negative (amount_negative), at most 10^15 (amount_too_large); nothing is written on a refusal.",
    |crm, actor, r| crm.add_campaign_cost(actor, r));

operation!(
    CampaignCostFilter,
    "campaign.costs",
    Marketing,
    Read,
    Page<CampaignCost>,
    "The cost entries of a campaign the actor reads, by ascending id, a page at a time.",
    |crm, actor, r| crm.campaign_costs(actor, r)
);

operation!(AddCampaignMembers, "campaign.add_members", Marketing, Update, MembersChanged,
    "Adds up to 1,000 customers, leads and contacts to a campaign the actor may update. Each must be in the actor's read scope of its own module (customers, leads, contacts); one that is not refuses the call as if it did not exist and nothing is written. Members already in stay as they are (idempotent).",
    |crm, actor, r| crm.add_campaign_members(actor, r.0));

operation!(RemoveCampaignMembers, "campaign.remove_members", Marketing, Update, MembersChanged,
    "Removes up to 1,000 customers, leads and contacts the actor reads from a campaign it may update; ids that are not members are left as they are.",
    |crm, actor, r| crm.remove_campaign_members(actor, r.0));

operation!(CampaignMemberFilter, "campaign.members", Marketing, Read, Page<CampaignMember>,
    "The members of a campaign the actor reads whose record the actor reads too, by ascending id and optionally by kind, a page at a time.",
    |crm, actor, r| crm.list_campaign_members(actor, r));

operation!(TouchInput, "campaign.record_touch", Marketing, Create, Touch,
    "Records one touch of a campaign: kind (sent, delivered, opened, clicked, replied, form, attended), channel (default the campaign's), instant (more than 5 minutes in the future: in_future), exactly one of customer_id, lead_id, contact_id in the actor's read scope (a contact's touch records its customer too). The same host_ref answers the touch recorded before and writes nothing (host_ref_reused when the facts differ).",
    |crm, actor, r| crm.record_touch(actor, r));

operation!(RecordTouches, "campaign.record_touches", Marketing, Create, TouchesRecorded,
    "Records 1 to 1,000 touches in one unit of work, all or nothing, each as campaign.record_touch; one TouchRecorded event carries the count.",
    |crm, actor, r| crm.record_touches(actor, r));

operation!(TouchFilter, "campaign.touches", Marketing, Read, Page<Touch>,
    "Touches by ascending id, by campaign, customer (its contacts' included), lead, contact, kind and period [from, to); only touches of campaigns the actor reads on records the actor reads.",
    |crm, actor, r| crm.list_touches(actor, r));

operation!(ReachRequest, "campaign.reach", Marketing, Read, CampaignReach,
    "Reach figures of a campaign (and its descendants when asked): per touch kind the distinct recipients and total touches, members, and rates in percent at 2 decimals half-up that name their numerator and denominator, null when the denominator is zero; counted over the members and touches the actor reads.",
    |crm, actor, r| crm.campaign_reach(actor, r));

operation!(AddSegmentMembers, "campaign.add_segment_members", Marketing, Update, MembersChanged,
    "Adds a segment's current members in the actor's marketing scope that it also reads as customers to a campaign the actor may update, a page at a time (each page its own unit of work); customers already in are counted as unchanged, so the call can be repeated after the segment is re-evaluated.",
    |crm, actor, r| crm.add_segment_members(actor, r));
