//! `followup.*`: follow-up records and the agenda.

use super::{facet, operation};
use crate::followup::FollowUp;
pub use crate::followup::NewFollowUp;
use crate::ids::{CustomerId, FollowUpId, UserId};
use crate::service::{Agenda, Page};
use crate::view::Visible;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

facet!(
    /// Follow-ups (跟进记录) and the follow-up agenda.
    followups -> FollowUpOps {
        record: NewFollowUp,
        list: ListFollowUps,
        agenda: FollowUpAgenda,
    }
);

operation!(
    NewFollowUp,
    "followup.record",
    FollowUps,
    Create,
    Visible<FollowUp>,
    "Records a follow-up and moves the customer's follow-up clocks.",
    |crm, actor, r| crm.record_followup(actor, r)
);

/// A page of the follow-ups of one customer.
#[derive(Debug, Clone, Default, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListFollowUps {
    /// The customer.
    pub customer_id: CustomerId,
    /// Keyset cursor from the previous page.
    #[serde(default)]
    pub after: Option<FollowUpId>,
    /// Page size (default 50, at most 500).
    #[serde(default)]
    pub limit: Option<u32>,
}

operation!(
    ListFollowUps,
    "followup.list",
    FollowUps,
    Read,
    Page<Visible<FollowUp>>,
    "Follow-ups of a customer, newest first: {items, next_after}.",
    |crm, actor, r| crm.list_followups(actor, r.customer_id, r.after.map(|f| f.0), r.limit)
);

/// A user's follow-up agenda.
#[derive(Debug, Clone, Default, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpAgenda {
    /// The user (default: the acting user; required for the system actor).
    #[serde(default)]
    pub user_id: Option<UserId>,
}

operation!(
    FollowUpAgenda,
    "followup.agenda",
    Customers,
    Read,
    Agenda,
    "A user's overdue and due-today follow-ups (default: the acting user).",
    |crm, actor, r| crm.agenda(actor, r.user_id)
);
