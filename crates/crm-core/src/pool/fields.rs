//! Pool masking: the field rules a pool lays on the members who do not administer it (a
//! hidden field is withheld, a masked one shown masked everywhere and read-only), so a
//! customer's numbers are not read out of the pool (ADR 0011).

use super::model::{Pool, PoolFieldMode};
use crate::access::{catalog_field, FieldAccess, FieldPolicy, MaskMode, Module};
use crate::ids::UserId;
use crate::org::Org;

impl Pool {
    /// The field rules the pool lays on `user` reading a record of `module` belonging to a
    /// customer in it, limited to the fields `module` has (customers: every rule; contacts:
    /// the fields they share with customers); `None` for the pool's admins.
    pub fn field_restriction(
        &self,
        org: &Org,
        user: UserId,
        module: Module,
    ) -> Option<FieldPolicy> {
        if self.is_admin(org, user) {
            return None;
        }
        let rules = self
            .field_rules
            .iter()
            .filter(|r| module == Module::Customers || catalog_field(module, &r.field).is_some())
            .map(|r| match r.mode {
                PoolFieldMode::Hidden => (r.field.clone(), FieldAccess::Hidden, MaskMode::None),
                PoolFieldMode::Masked => {
                    (r.field.clone(), FieldAccess::ReadOnly, MaskMode::Everywhere)
                }
            });
        Some(FieldPolicy::from_rules(rules))
    }
}
