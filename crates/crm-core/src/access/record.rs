//! Access to records that hang off a customer (contacts, follow-ups, tickets, contracts,
//! opportunities): the action is checked on the customer's owner, pool and team, and on the
//! record's own owner where it has one. The service loads the customer and its team and asks
//! these checks; nothing else decides it.

use super::{AccessContext, Action, Module, Reach, TeamMember};
use crate::customer::Customer;
use crate::error::{CrmError, CrmResult};
use crate::ids::UserId;
use chrono::{DateTime, Utc};

/// The refusal of `action` on `module`.
pub(crate) fn denied(module: Module, action: Action) -> CrmError {
    CrmError::PermissionDenied {
        module: module.as_str().into(),
        action: action.as_str().into(),
        field: None,
    }
}

impl AccessContext {
    /// Checks `action` on a record of `module` hanging off `customer` (with its `team`):
    /// reached through the customer's owner, pool or a cascading team membership.
    pub(crate) fn check_child(
        &self,
        module: Module,
        action: Action,
        customer: &Customer,
        team: &[TeamMember],
        now: DateTime<Utc>,
    ) -> CrmResult<()> {
        if self.reaches_child(
            module,
            action,
            customer.owner_id,
            customer.pool_id.map(|p| p.0),
            team,
            now,
        ) {
            Ok(())
        } else {
            Err(denied(module, action))
        }
    }

    /// Whether the record's own `owner` settles `action` on a record of `module`: `true`
    /// when the actor reaches every record or that owner; `false` when it is left to the
    /// customer the record hangs off ([`AccessContext::check_child`]). Refused outright
    /// when no role grants the action on the module.
    pub(crate) fn reaches_record_owner(
        &self,
        module: Module,
        action: Action,
        owner: Option<UserId>,
    ) -> CrmResult<bool> {
        Ok(match (self.require(module, action)?, owner) {
            (Reach::All, _) => true,
            (Reach::Owners(set), Some(o)) => set.contains(&o),
            _ => false,
        })
    }
}
