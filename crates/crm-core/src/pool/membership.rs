//! Who a pool is for (pool matching): its members claim from it, its admins distribute and
//! see it unmasked, a user sees the enabled pools they belong to, and an owner's customers
//! go back to the first enabled pool that has the owner as a member.

use super::model::{Pool, PoolHolds};
use crate::ids::UserId;
use crate::org::Org;

impl Pool {
    /// True when `user` administers the pool (directly or through a department).
    pub fn is_admin(&self, org: &Org, user: UserId) -> bool {
        self.admins.contains(org, user)
    }

    /// True when `user` is a member or an admin of the pool: may claim from it, and sees it
    /// while it is enabled.
    pub fn admits(&self, org: &Org, user: UserId) -> bool {
        self.members.contains(org, user) || self.is_admin(org, user)
    }
}

/// The ids of the enabled pools `user` is a member or an admin of, in configured order.
pub fn visible_pools(pools: &[Pool], org: &Org, user: UserId) -> Vec<i64> {
    pools
        .iter()
        .filter(|p| p.enabled && p.admits(org, user))
        .map(|p| p.id.0)
        .collect()
}

/// The pool `owner`'s customers belong back in: the first enabled customer pool (in
/// configured order) whose members include them.
pub fn pool_for_owner<'a>(pools: &'a [Pool], org: &Org, owner: UserId) -> Option<&'a Pool> {
    pool_of_kind_for_owner(pools, org, owner, PoolHolds::Customers)
}

/// The first enabled pool holding `holds` (in configured order) whose members include
/// `owner`: where their customers, or their leads, go back to.
pub fn pool_of_kind_for_owner<'a>(
    pools: &'a [Pool],
    org: &Org,
    owner: UserId,
    holds: PoolHolds,
) -> Option<&'a Pool> {
    pools
        .iter()
        .find(|p| p.enabled && p.rules.holds == holds && p.members.contains(org, owner))
}
