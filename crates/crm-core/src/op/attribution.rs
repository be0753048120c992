//! `campaign.attribution`, `campaign.reattribute` and `campaign.roi`: won deals attributed to
//! campaign touches, and campaign economics from those attributions.

use super::{facet, operation};
pub use crate::service::{
    DealAttribution, DealAttributionRequest, ReattributeReport, ReattributeRequest, RoiGrouping,
    RoiReport, RoiRequest, RoiRow,
};

facet!(
    /// Attribution (归因) and ROI: which campaigns earned a won deal, under which model, and
    /// what each campaign or channel returned on its cost.
    attribution -> AttributionOps {
        attribution: DealAttributionRequest,
        reattribute: ReattributeRequest,
        roi: RoiRequest,
    }
);

operation!(DealAttributionRequest, "campaign.attribution", Marketing, Read, DealAttribution,
    "A won deal's attributions as stored when it was won (one per model of settings.attribution.models), and optionally another model computed on the fly from the same touches, amount and close. Touches of the customer and its contacts from lookback_days before the close up to the close (both included) count, earliest first; credits split the amount exactly in minor units by largest remainder, ties to the earliest touch; a campaign touched twice gets the sum. Refused (not_found) unless the deal's customer is in the actor's marketing read scope.",
    |crm, actor, r| crm.deal_attribution(actor, r));

operation!(ReattributeRequest, "campaign.reattribute", Marketing, Update, ReattributeReport,
    "Recomputes stored attributions (one deal, or every deal closed in a range) in the actor's marketing scope with today's touches and the tenant's current models, keeping each deal's close; writes only what changed, with audit and an AttributionComputed event per deal.",
    |crm, actor, r| crm.reattribute(actor, r));

operation!(RoiRequest, "campaign.roi", Marketing, Read, RoiReport,
    "Per campaign (rolled up over its visible sub-campaigns) or per channel, per currency: actual cost spent and attributed revenue of deals won in the period under one stored model, deals and customers won, ROI = (revenue − cost) / cost in percent (2 decimals, null at zero cost), CAC = cost / customers won (null without customers) and LTV = revenue per customer × gross margin / annual churn (null without customers or churn). Only deals in the actor's marketing read scope and campaigns it reads count.",
    |crm, actor, r| crm.campaign_roi(actor, r));
