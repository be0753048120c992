//! Outbox events, appended in the same transaction as the change they report.

use crate::ids::TenantId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Kinds of domain events. The string form (`as_str`) is what stores keep and hosts read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub enum EventKind {
    /// A tenant was set up or its settings changed.
    TenantConfigured,
    /// A user or department was synced in or changed.
    OrgChanged,
    /// A role was created or changed.
    RoleChanged,
    /// A customer was created.
    CustomerCreated,
    /// A customer was updated.
    CustomerUpdated,
    /// A customer changed owner by transfer.
    CustomerTransferred,
    /// A team member was added to or removed from a customer.
    TeamChanged,
    /// A contact was created or updated.
    ContactChanged,
    /// A follow-up was recorded.
    FollowUpRecorded,
    /// An owner did not follow up within the configured hours after assignment; the
    /// supervisor should act.
    FollowUpOverdueEscalated,
    /// A team membership expired.
    TeamMembershipExpired,
    /// A pool was created, changed or deleted.
    PoolChanged,
    /// A member claimed a customer from a pool (领取).
    CustomerClaimed,
    /// A pool admin distributed a customer (分配).
    CustomerDistributed,
    /// A customer went back into a pool, by rule or by hand (回收 / 放入公海).
    CustomerRecycled,
    /// A recycle rule will fire soon (sent once per clock period).
    RecycleDueSoon,
    /// A customer was locked or unlocked.
    CustomerLockChanged,
    /// A customer's deal status changed.
    DealStatusChanged,
    /// A purchase was recorded.
    PurchaseRecorded,
    /// A customer's tier changed.
    TierChanged,
    /// A ticket was created (and routed).
    TicketCreated,
    /// A ticket's status, assignment or priority changed.
    TicketUpdated,
    /// A message was added to a ticket.
    TicketMessageAdded,
    /// A satisfaction rating was recorded.
    TicketRated,
    /// An SLA metric reached a warning level.
    SlaWarning,
    /// An SLA metric breached.
    SlaBreached,
    /// An escalation level fired after a breach.
    SlaEscalated,
    /// A calendar or SLA policy changed.
    SlaConfigChanged,
    /// An opportunity was created.
    OpportunityCreated,
    /// An opportunity moved stage (won, lost, reopened included).
    OpportunityStageChanged,
    /// A contract was created or edited.
    ContractChanged,
    /// A contract (or amendment) was submitted for approval.
    ContractSubmitted,
    /// An approver approved a level.
    ContractLevelApproved,
    /// A contract (or amendment) was approved.
    ContractApproved,
    /// A contract (or amendment) was rejected.
    ContractRejected,
    /// A contract was completed, terminated or expired.
    ContractClosed,
    /// A receivable plan was set or re-flowed.
    PlanChanged,
    /// A payment was received.
    PaymentReceived,
    /// A refund or write-off was recorded.
    LedgerAdjusted,
    /// An installment falls due soon.
    InstallmentDueSoon,
    /// An installment is overdue.
    InstallmentOverdue,
    /// A lead was created.
    LeadCreated,
    /// A lead's fields or status changed.
    LeadChanged,
    /// A lead got an owner or went to a pool, by the rules (with the explanation) or by
    /// hand.
    LeadAssigned,
    /// The tenant's assignment rules were replaced.
    AssignmentRulesChanged,
    /// A lead was converted into a customer (with a contact and an opportunity if asked).
    LeadConverted,
    /// Leads were merged into one.
    LeadMerged,
    /// A lead's first contact is due soon (its first-contact clock's warning moment).
    LeadFirstContactDueSoon,
    /// A lead was not contacted within the tenant's first-contact hours.
    LeadFirstContactBreached,
    /// A pool member claimed a lead from a lead pool.
    LeadClaimed,
    /// An owner gave a lead back to a lead pool (with the reason).
    LeadReleased,
    /// A lead went back to a lead pool by rule (no follow-up for N days).
    LeadRecycled,
    /// A task was created (by hand or by a stage template).
    TaskCreated,
    /// A task's title, priority, reminders, collaborators, links or notes changed.
    TaskUpdated,
    /// A task's due moved (its reminders re-armed).
    TaskDueChanged,
    /// A task was completed.
    TaskCompleted,
    /// A task was cancelled.
    TaskCancelled,
    /// A done or cancelled task was reopened.
    TaskReopened,
    /// A task reminder fired (once per reminder and due).
    TaskReminder,
    /// A calendar event (one-off or a series) was created.
    CalendarEventCreated,
    /// A calendar event's fields, time or recurrence changed.
    CalendarEventUpdated,
    /// A calendar event (a whole series) was deleted.
    CalendarEventDeleted,
    /// One occurrence of a series was deleted.
    CalendarOccurrenceDeleted,
    /// One occurrence of a series was moved (or retitled).
    CalendarOccurrenceMoved,
    /// A series was split: it ends before an occurrence, a new series starts there.
    CalendarSeriesSplit,
    /// A field visit was planned.
    VisitPlanned,
    /// A rep checked in at a customer (planned or ad hoc); the payload lists the flags.
    VisitCheckedIn,
    /// A rep checked out of a visit; the payload has the time on site and the flags.
    VisitCheckedOut,
    /// A planned visit was cancelled.
    VisitCancelled,
    /// A target revision was declared (created or edited as a draft).
    TargetDeclared,
    /// A target revision was submitted for approval.
    TargetSubmitted,
    /// A target revision was approved (superseding the previous approved one, if any).
    TargetApproved,
    /// A target revision was returned to its declarer with a comment.
    TargetReturned,
    /// Credit was recorded for an event that earns a metric (one event per crediting event,
    /// listing each credited user's share and amount).
    CreditRecorded,
    /// Who shares a contract's or an opportunity's credit was set (before it is earned).
    CreditSplitChanged,
    /// A commission plan revision was written.
    CommissionPlanChanged,
    /// A commission statement was computed (or recomputed while not approved).
    CommissionStatementComputed,
    /// A commission statement was approved; it is immutable from now on.
    CommissionStatementApproved,
    /// A tag definition (manual or rule) was created, changed or retired.
    TagChanged,
    /// A tag was applied to a customer (manually, or because its rule matches), with the
    /// reason.
    TagApplied,
    /// A tag was removed from a customer (manually, or because its rule no longer matches),
    /// with the reason.
    TagRemoved,
    /// A segment definition was created, changed or retired.
    SegmentChanged,
    /// A customer joined a segment's materialized membership.
    SegmentJoined,
    /// A customer left a segment's materialized membership.
    SegmentLeft,
    /// A campaign was created or changed (including its cost).
    CampaignChanged,
    /// Members were added to or removed from a campaign.
    CampaignMembersChanged,
    /// The host recorded a marketing touch (sent, delivered, opened, clicked, replied, form,
    /// attended).
    TouchRecorded,
    /// The attribution of a won deal to campaigns was computed (or recomputed).
    AttributionComputed,
}

impl EventKind {
    /// Stable string form.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::TenantConfigured => "TenantConfigured",
            EventKind::OrgChanged => "OrgChanged",
            EventKind::RoleChanged => "RoleChanged",
            EventKind::CustomerCreated => "CustomerCreated",
            EventKind::CustomerUpdated => "CustomerUpdated",
            EventKind::CustomerTransferred => "CustomerTransferred",
            EventKind::TeamChanged => "TeamChanged",
            EventKind::ContactChanged => "ContactChanged",
            EventKind::FollowUpRecorded => "FollowUpRecorded",
            EventKind::FollowUpOverdueEscalated => "FollowUpOverdueEscalated",
            EventKind::TeamMembershipExpired => "TeamMembershipExpired",
            EventKind::PoolChanged => "PoolChanged",
            EventKind::CustomerClaimed => "CustomerClaimed",
            EventKind::CustomerDistributed => "CustomerDistributed",
            EventKind::CustomerRecycled => "CustomerRecycled",
            EventKind::RecycleDueSoon => "RecycleDueSoon",
            EventKind::CustomerLockChanged => "CustomerLockChanged",
            EventKind::DealStatusChanged => "DealStatusChanged",
            EventKind::PurchaseRecorded => "PurchaseRecorded",
            EventKind::TierChanged => "TierChanged",
            EventKind::TicketCreated => "TicketCreated",
            EventKind::TicketUpdated => "TicketUpdated",
            EventKind::TicketMessageAdded => "TicketMessageAdded",
            EventKind::TicketRated => "TicketRated",
            EventKind::SlaWarning => "SlaWarning",
            EventKind::SlaBreached => "SlaBreached",
            EventKind::SlaEscalated => "SlaEscalated",
            EventKind::SlaConfigChanged => "SlaConfigChanged",
            EventKind::OpportunityCreated => "OpportunityCreated",
            EventKind::OpportunityStageChanged => "OpportunityStageChanged",
            EventKind::LeadCreated => "LeadCreated",
            EventKind::LeadChanged => "LeadChanged",
            EventKind::LeadAssigned => "LeadAssigned",
            EventKind::AssignmentRulesChanged => "AssignmentRulesChanged",
            EventKind::LeadConverted => "LeadConverted",
            EventKind::LeadMerged => "LeadMerged",
            EventKind::LeadFirstContactDueSoon => "LeadFirstContactDueSoon",
            EventKind::LeadFirstContactBreached => "LeadFirstContactBreached",
            EventKind::LeadClaimed => "LeadClaimed",
            EventKind::LeadReleased => "LeadReleased",
            EventKind::LeadRecycled => "LeadRecycled",
            EventKind::TaskCreated => "TaskCreated",
            EventKind::TaskUpdated => "TaskUpdated",
            EventKind::TaskDueChanged => "TaskDueChanged",
            EventKind::TaskCompleted => "TaskCompleted",
            EventKind::TaskCancelled => "TaskCancelled",
            EventKind::TaskReopened => "TaskReopened",
            EventKind::TaskReminder => "TaskReminder",
            EventKind::CalendarEventCreated => "CalendarEventCreated",
            EventKind::CalendarEventUpdated => "CalendarEventUpdated",
            EventKind::CalendarEventDeleted => "CalendarEventDeleted",
            EventKind::CalendarOccurrenceDeleted => "CalendarOccurrenceDeleted",
            EventKind::CalendarOccurrenceMoved => "CalendarOccurrenceMoved",
            EventKind::CalendarSeriesSplit => "CalendarSeriesSplit",
            EventKind::ContractChanged => "ContractChanged",
            EventKind::ContractSubmitted => "ContractSubmitted",
            EventKind::ContractLevelApproved => "ContractLevelApproved",
            EventKind::ContractApproved => "ContractApproved",
            EventKind::ContractRejected => "ContractRejected",
            EventKind::ContractClosed => "ContractClosed",
            EventKind::PlanChanged => "PlanChanged",
            EventKind::PaymentReceived => "PaymentReceived",
            EventKind::LedgerAdjusted => "LedgerAdjusted",
            EventKind::InstallmentDueSoon => "InstallmentDueSoon",
            EventKind::InstallmentOverdue => "InstallmentOverdue",
            EventKind::VisitPlanned => "VisitPlanned",
            EventKind::VisitCheckedIn => "VisitCheckedIn",
            EventKind::VisitCheckedOut => "VisitCheckedOut",
            EventKind::VisitCancelled => "VisitCancelled",
            EventKind::TargetDeclared => "TargetDeclared",
            EventKind::TargetSubmitted => "TargetSubmitted",
            EventKind::TargetApproved => "TargetApproved",
            EventKind::TargetReturned => "TargetReturned",
            EventKind::CreditRecorded => "CreditRecorded",
            EventKind::CreditSplitChanged => "CreditSplitChanged",
            EventKind::CommissionPlanChanged => "CommissionPlanChanged",
            EventKind::CommissionStatementComputed => "CommissionStatementComputed",
            EventKind::CommissionStatementApproved => "CommissionStatementApproved",
            EventKind::TagChanged => "TagChanged",
            EventKind::TagApplied => "TagApplied",
            EventKind::TagRemoved => "TagRemoved",
            EventKind::SegmentChanged => "SegmentChanged",
            EventKind::SegmentJoined => "SegmentJoined",
            EventKind::SegmentLeft => "SegmentLeft",
            EventKind::CampaignChanged => "CampaignChanged",
            EventKind::CampaignMembersChanged => "CampaignMembersChanged",
            EventKind::TouchRecorded => "TouchRecorded",
            EventKind::AttributionComputed => "AttributionComputed",
        }
    }
}

/// An event to append; the store assigns its sequence number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NewEvent {
    /// What happened.
    pub kind: EventKind,
    /// When.
    pub at: DateTime<Utc>,
    /// Record kind it concerns (`customer`).
    pub entity: String,
    /// Record id it concerns.
    pub record_id: i64,
    /// Details for the host.
    pub payload: serde_json::Value,
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Event {
    /// Tenant.
    pub tenant: TenantId,
    /// Per-tenant increasing sequence (the cursor for `events_after`).
    pub seq: i64,
    /// What happened (`CustomerCreated`, …).
    pub kind: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Record kind.
    pub entity: String,
    /// Record id.
    pub record_id: i64,
    /// Details.
    pub payload: serde_json::Value,
}
