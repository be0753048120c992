//! Access to records that hang off a customer (contacts, follow-ups, tickets, contracts,
//! opportunities): the action is checked on the customer's owner, pool and team, and on the
//! record's own owner where it has one.

use super::{Crm, Ctx};
use crate::access::{Action, Module};
use crate::customer::Customer;
use crate::error::{CrmError, CrmResult};
use crate::ids::CustomerId;
use crate::store::Store;

impl<S: Store> Crm<S> {
    /// Checks `action` on a record of `module` hanging off `customer`.
    pub(crate) async fn check_child(
        &self,
        ctx: &Ctx,
        module: Module,
        action: Action,
        customer: CustomerId,
    ) -> CrmResult<Customer> {
        let c = self.load_customer(ctx.tenant.id, customer).await?;
        let team = self.load_team(ctx.tenant.id, customer).await?;
        if ctx.access.reaches_child(
            module,
            action,
            c.owner_id,
            c.pool_id.map(|p| p.0),
            &team,
            ctx.now,
        ) {
            Ok(c)
        } else {
            Err(CrmError::PermissionDenied {
                module: module.as_str().into(),
                action: action.as_str().into(),
                field: None,
            })
        }
    }

    /// Checks `action` on a record of `module` with its own `owner` that hangs off
    /// `customer`: the owner in reach, or reachable as a child of the customer.
    pub(crate) async fn check_owned_child(
        &self,
        ctx: &Ctx,
        module: Module,
        action: Action,
        owner: Option<crate::ids::UserId>,
        customer: &crate::customer::Customer,
    ) -> CrmResult<()> {
        let ok = match (ctx.access.require(module, action)?, owner) {
            (crate::access::Reach::All, _) => true,
            (crate::access::Reach::Owners(set), Some(o)) if set.contains(&o) => true,
            _ => {
                let team = self.load_team(ctx.tenant.id, customer.id).await?;
                ctx.access.reaches_child(
                    module,
                    action,
                    customer.owner_id,
                    customer.pool_id.map(|p| p.0),
                    &team,
                    ctx.now,
                )
            }
        };
        if ok {
            Ok(())
        } else {
            Err(CrmError::PermissionDenied {
                module: module.as_str().into(),
                action: action.as_str().into(),
                field: None,
            })
        }
    }
}
