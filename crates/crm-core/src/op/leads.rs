//! `lead.*`: leads (线索) — create, read, list, edit, the status flow, follow-ups, import,
//! assignment, conversion, merge, pools and the report.

use super::{facet, operation, ClaimLeads, ReleaseLead};
use crate::followup::FollowUp;
pub use crate::followup::NewLeadFollowUp;
use crate::ids::{FollowUpId, LeadId, UserId};
use crate::lead::import::LeadImportReport;
use crate::lead::LeadStatus;
pub use crate::lead::{LeadInput, LeadPatch};
pub use crate::service::ImportLeads;
pub use crate::service::LeadFilter;
pub use crate::service::{ConvertLead, ConvertOpportunity, LeadReportRequest};
use crate::service::{LeadAssignment, LeadConversion, LeadMerge, LeadReport, Page};
use crate::view::{Visible, VisibleJson};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

facet!(
    /// Leads (线索): capture, read, edit and qualify prospects before they are customers.
    leads -> LeadOps {
        create: NewLead,
        get: GetLead,
        list: LeadFilter,
        update: UpdateLead,
        set_status: SetLeadStatus,
        assign: AssignLead,
        convert: ConvertLead,
        merge: MergeLeads,
        report: LeadReportRequest,
        add_followup: NewLeadFollowUp,
        followups: ListLeadFollowUps,
        claim: ClaimLeads,
        release: ReleaseLead,
        import: ImportLeads,
    }
);

/// Creates a lead.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLead {
    /// The lead's fields.
    pub lead: LeadInput,
    /// Its owner (default: the acting user; none for the system actor).
    #[serde(default)]
    pub owner_id: Option<UserId>,
    /// Let the tenant's assignment rules pick the owner (no `owner_id` then); for actors
    /// reaching every lead and the system actor.
    #[serde(default)]
    pub by_rules: bool,
}

impl NewLead {
    async fn run<S: crate::store::Store>(
        self,
        crm: &crate::Crm<S>,
        actor: crate::Actor,
    ) -> crate::CrmResult<VisibleJson> {
        match (self.by_rules, self.owner_id) {
            (true, Some(_)) => Err(crate::CrmError::validation(
                "owner_id",
                "give an owner or let the rules pick one (by_rules), not both",
            )),
            (true, None) => crm.create_lead_by_rules(actor, self.lead).await,
            (false, owner) => crm.create_lead(actor, self.lead, owner).await,
        }
    }
}

operation!(NewLead, "lead.create", Leads, Create, VisibleJson,
    "Creates a lead in status new, owned by the given user or the actor within the actor's lead scope, or by the tenant's assignment rules (by_rules) in the same unit of work; an intake duplicate of an open lead is folded into it and never assigned; fields the actor may not write are refused. Answers the lead as the actor sees it.",
    |crm, actor, r| r.run(crm, actor));

/// Reads one lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetLead {
    /// The lead.
    pub id: LeadId,
}

operation!(
    GetLead,
    "lead.get",
    Leads,
    Read,
    VisibleJson,
    "One lead as the actor may see it (a lead outside the actor's scope is not found).",
    |crm, actor, r| crm.get_lead(actor, r.id)
);

operation!(
    LeadFilter,
    "lead.list",
    Leads,
    Read,
    Page<VisibleJson>,
    "Leads in the actor's scope, oldest first, by owner and status, a page at a time.",
    |crm, actor, r| crm.list_leads(actor, r)
);

/// Changes the given fields of a lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateLead {
    /// The lead (open).
    pub id: LeadId,
    /// The fields to write; absent ones are kept.
    pub patch: LeadPatch,
}

operation!(
    UpdateLead,
    "lead.update",
    Leads,
    Update,
    VisibleJson,
    "Writes the given fields of an open lead (a blank text clears one); a field the actor may not write is refused when given, whatever its value.",
    |crm, actor, r| crm.update_lead(actor, r.id, r.patch)
);

/// Moves a lead along its status flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetLeadStatus {
    /// The lead (open).
    pub id: LeadId,
    /// `new`, `working`, `qualified` or `unqualified` (never back to `new` once worked).
    pub status: LeadStatus,
    /// Required with `unqualified`, refused otherwise.
    #[serde(default)]
    pub reason: Option<String>,
}

operation!(SetLeadStatus, "lead.set_status", Leads, Update, VisibleJson,
    "Moves an open lead between new, working, qualified and unqualified (with its reason); conversion and merge are their own operations.",
    |crm, actor, r| crm.set_lead_status(actor, r.id, r.status, r.reason));

/// Assigns a lead, by the tenant's rules or by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignLead {
    /// The lead (open).
    pub id: LeadId,
    /// The new owner; absent: the tenant's assignment rules decide (actors reaching every
    /// lead only).
    #[serde(default)]
    pub owner_id: Option<UserId>,
    /// Pass the new owner's reached daily or monthly cap or capacity (audited).
    #[serde(default)]
    pub override_caps: bool,
    /// Why, for the record (manual assignments).
    #[serde(default)]
    pub reason: Option<String>,
}

operation!(AssignLead, "lead.assign", Leads, Update, LeadAssignment,
    "Gives an open lead its owner: by hand to an active user in the actor's lead scope (refused at a reached cap or capacity unless override_caps, which is recorded), or by the tenant's rules when no owner is given (the first matching entry's strategy over eligible members, else its overflow target). Answers the lead and the assignment record with its explanation.",
    |crm, actor, r| crm.assign_lead(actor, r.id, r.owner_id, r.override_caps, r.reason));

operation!(ConvertLead, "lead.convert", Leads, Update, LeadConversion,
    "Converts a lead in one unit of work: links the customer named, else the duplicate check's match the actor may update (filling only its empty fields), else creates one owned by the lead's owner (refused before any write at their held limit); optionally a contact and an opportunity; marks the lead converted with the links. A second or concurrent call answers already_converted with the existing links. An unqualified lead needs convert_unqualified.",
    |crm, actor, r| crm.convert_lead(actor, r));

/// Merges leads into one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeLeads {
    /// Two to fifty open leads the actor may update.
    pub ids: Vec<LeadId>,
}

operation!(MergeLeads, "lead.merge", Leads, Update, LeadMerge,
    "Merges two or more open leads: the winner is the most advanced status, then the earliest created, then the lowest id; its empty fields are filled from the others in that order; the others are marked merged into it. Audited; one LeadMerged event.",
    |crm, actor, r| crm.merge_leads(actor, r.ids));
operation!(NewLeadFollowUp, "lead.add_followup", Leads, Update, Visible<FollowUp>,
    "Records a follow-up on an open lead the actor may update; the first one records the lead's first contact and stops its first-contact clock. Notes and check-in follow the follow-up field rules.",
    |crm, actor, r| crm.add_lead_followup(actor, r));

/// A page of the follow-ups recorded on one lead.
#[derive(Debug, Clone, Default, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListLeadFollowUps {
    /// The lead.
    pub lead_id: LeadId,
    /// Keyset cursor from the previous page.
    #[serde(default)]
    pub after: Option<FollowUpId>,
    /// Page size (default 50, at most 500).
    #[serde(default)]
    pub limit: Option<u32>,
}

operation!(ListLeadFollowUps, "lead.followups", Leads, Read, Page<Visible<FollowUp>>,
    "Follow-ups recorded on a lead the actor may read, newest first (those moved to a customer by conversion included): {items, next_after}.",
    |crm, actor, r| crm.list_lead_followups(actor, r.lead_id, r.after.map(|f| f.0), r.limit));

operation!(LeadReportRequest, "lead.report", Leads, Read, LeadReport,
    "The lead report over the leads the actor may read created in [from, to] (local days; reports read): counts by status; per source and per owner the leads, converted, contacted, conversion rate and the median business seconds to first contact and to conversion on the given calendar (default: the first-contact setting's). Merged leads count through the lead they were merged into; the source grouping is withheld from an actor who may not read the source.",
    |crm, actor, r| crm.lead_report(actor, r));

operation!(ImportLeads, "lead.import", Leads, Import, LeadImportReport,
    "Imports leads from a CSV (UTF-8, GBK/GB18030, detected or declared) or XLSX file (first sheet) given as base64: header names map to lead fields (English or the usual Chinese headers; unknown columns are reported); each row is imported, folded into an open lead as an intake duplicate (also of an earlier row), or refused with the field and reason, written nowhere. Rows are written in atomic batches; owners are the given user, the actor, or the tenant's assignment rules (by_rules). A column the actor may not write refuses every row that fills it.",
    |crm, actor, r| crm.import_leads(actor, r));
