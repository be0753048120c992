//! Owner history (归属记录): one row per ownership change of a customer, written in the
//! change's own unit of work.

use crate::customer::Customer;
use crate::error::CrmResult;
use crate::ids::UserId;
use crate::store::Changes;

impl super::Ctx {
    /// Adds an owner-history row (`id` reserved by the caller) for `after`'s new state.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push_history(
        &self,
        changes: &mut Changes,
        id: i64,
        after: &Customer,
        from_owner: Option<UserId>,
        change: crate::pool::OwnerChange,
        pool: Option<crate::ids::PoolId>,
        reason: Option<String>,
    ) -> CrmResult<()> {
        changes.insert(&crate::pool::OwnerHistory {
            tenant: self.tenant.id,
            id,
            version: 1,
            customer_id: after.id,
            change,
            from_owner,
            to_owner: after.owner_id,
            pool_id: pool,
            by: self.access.user().map(|u| u.id),
            reason,
            at: self.now,
        })
    }
}
