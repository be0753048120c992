//! `lead.claim` and `lead.release`: leads in lead pools (§4.8 "lead pools reuse §4.3"),
//! registered in the leads facet.

use super::operation;
use crate::ids::{LeadId, PoolId};
use crate::view::VisibleJson;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The acting user claims leads from a lead pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimLeads {
    /// The lead pool.
    pub pool_id: PoolId,
    /// The leads to claim (all or nothing, at most 1000).
    pub lead_ids: Vec<LeadId>,
}

operation!(ClaimLeads, "lead.claim", Leads, Claim, Vec<VisibleJson>,
    "The acting user claims leads from a lead pool they are a member of (all or nothing) under the pool's new-in-pool protection, previous-owner cooldown and daily cap, and the tenant's held limit for them counted on their open leads; user actors only. Answers the leads as the claimant sees them.",
    |crm, actor, r| crm.claim_leads(actor, r.pool_id, r.lead_ids));

/// Gives an owned lead back to a lead pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseLead {
    /// The lead (owned, open).
    pub id: LeadId,
    /// The lead pool (default: the one it was claimed from, else the owner's first lead
    /// pool).
    #[serde(default)]
    pub pool_id: Option<PoolId>,
    /// Why (required).
    pub reason: String,
}

operation!(ReleaseLead, "lead.release", Leads, Update, VisibleJson,
    "Gives an owned, open lead back to a lead pool with a reason (its owner or anyone whose lead scope reaches it for update); the owner is recorded as previous owner for the pool's cooldown. Answers the lead as the actor then sees it.",
    |crm, actor, r| crm.release_lead(actor, r.id, r.pool_id, &r.reason));
