//! Typed identifiers.
//!
//! Tenants, users and departments carry the host's own ids (hosts sync their org in);
//! every record the engine creates gets an id assigned by the store
//! (see `docs/adr/0002-ids.md`). The default id, 0, names no record: it is what an input
//! built with `..Default::default()` carries until the caller sets it, and the engine refuses
//! it as not found (or, where an input says so, reads it as "new").

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl From<i64> for $name {
            fn from(raw: i64) -> Self {
                Self(raw)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        impl From<$name> for crate::store::SqlValue {
            fn from(id: $name) -> Self {
                crate::store::SqlValue::Int(id.0)
            }
        }
    };
}

id_type!(
    /// A tenant (one customer organisation of the host). Chosen by the host.
    TenantId
);
id_type!(
    /// A user of the host, synced in. Chosen by the host.
    UserId
);
id_type!(
    /// A department of the host's org tree, synced in. Chosen by the host.
    DepartmentId
);
id_type!(
    /// A role (bundle of grants). Assigned by the store.
    RoleId
);
id_type!(
    /// A customer (客户). Assigned by the store.
    CustomerId
);
id_type!(
    /// A contact person of a customer (联系人). Assigned by the store.
    ContactId
);
id_type!(
    /// A follow-up record (跟进记录). Assigned by the store.
    FollowUpId
);
id_type!(
    /// A team-membership row sharing a customer with a user. Assigned by the store.
    TeamMemberId
);
id_type!(
    /// A customer pool (公海). Assigned by the store.
    PoolId
);
id_type!(
    /// An opportunity (商机). Assigned by the store.
    OpportunityId
);
id_type!(
    /// A contract (合同). Assigned by the store.
    ContractId
);
id_type!(
    /// A service ticket (工单). Assigned by the store.
    TicketId
);
id_type!(
    /// A message on a ticket. Assigned by the store.
    TicketMessageId
);
id_type!(
    /// An SLA policy. Assigned by the store (0 in a save request: a new policy).
    SlaPolicyId
);
id_type!(
    /// A business calendar (工作日历). Assigned by the store.
    BusinessCalendarId
);
id_type!(
    /// A recorded purchase (for tiers). Assigned by the store.
    PurchaseId
);
id_type!(
    /// A lead (线索). Assigned by the store.
    LeadId
);
id_type!(
    /// A task (任务). Assigned by the store.
    TaskId
);
id_type!(
    /// A calendar event (日程), one-off or a recurring series. Assigned by the store.
    CalendarEventId
);
id_type!(
    /// A field visit (外勤拜访). Assigned by the store.
    VisitId
);
id_type!(
    /// A sales target (销售目标), one version of one subject's target for a metric and fiscal
    /// year. Assigned by the store.
    TargetId
);
id_type!(
    /// A credit record (业绩记录): one user's share of an event that earns a metric.
    /// Assigned by the store.
    CreditId
);
id_type!(
    /// A commission plan (提成方案), one version. Assigned by the store.
    CommissionPlanId
);
id_type!(
    /// A commission statement (提成结算单) for one user and period. Assigned by the store.
    StatementId
);
id_type!(
    /// A tag (标签): a manual tag or a rule tag. Assigned by the store.
    TagId
);
id_type!(
    /// One tag on one customer (its state, source and sticky manual removal). Assigned by the store.
    CustomerTagId
);
id_type!(
    /// A customer segment (客户分群). Assigned by the store.
    SegmentId
);
id_type!(
    /// One stint of a customer in a segment's materialized membership. Assigned by the store.
    SegmentMemberId
);
id_type!(
    /// A manual include or exclude of a customer in a segment. Assigned by the store.
    SegmentOverrideId
);
id_type!(
    /// A marketing campaign (营销活动). Assigned by the store.
    CampaignId
);
id_type!(
    /// A campaign member (a customer, lead or contact). Assigned by the store.
    CampaignMemberId
);
id_type!(
    /// A cost entry of a campaign. Assigned by the store.
    CampaignCostId
);
id_type!(
    /// A marketing touch recorded by the host. Assigned by the store.
    TouchId
);
id_type!(
    /// The attribution of one won deal to campaign touches. Assigned by the store.
    AttributionId
);
