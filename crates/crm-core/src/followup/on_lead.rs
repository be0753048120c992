//! A follow-up recorded on a lead (`lead.add_followup`).

use super::{CheckIn, Details, FollowUp, FollowUpKind};
use crate::error::{CrmError, CrmResult};
use crate::ids::{FollowUpId, LeadId, UserId};
use crate::lead::Lead;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A new follow-up on a lead: the first one stops the lead's first-contact clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLeadFollowUp {
    /// The lead (open: not converted or merged).
    pub lead_id: LeadId,
    /// Kind.
    pub kind: FollowUpKind,
    /// Notes (required).
    pub content: String,
    /// When it happened; defaults to now. At most 5 minutes in the future, not before the
    /// lead was created.
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
    /// Check-in (visits).
    #[serde(default)]
    pub location: Option<CheckIn>,
    /// Planned next follow-up; must be after `at`.
    #[serde(default)]
    pub next_followup_at: Option<DateTime<Utc>>,
}

impl NewLeadFollowUp {
    /// Validates into a record on `lead` (errors name the field).
    pub fn into_followup(
        self,
        lead: &Lead,
        id: FollowUpId,
        author: Option<UserId>,
        now: DateTime<Utc>,
    ) -> CrmResult<FollowUp> {
        let details = Details {
            kind: self.kind,
            content: self.content,
            at: self.at,
            location: self.location,
            next_followup_at: self.next_followup_at,
        };
        let mut f = details.into_followup(lead.tenant, id, author, now)?;
        if f.at < lead.created_at {
            return Err(CrmError::validation("at", "is before the lead was created"));
        }
        f.lead_id = Some(lead.id);
        Ok(f)
    }
}
