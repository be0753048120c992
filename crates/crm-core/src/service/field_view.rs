//! Field permissions on every read path: the policies that govern a record (role rules, plus
//! a pool's rules for members who do not administer it), records, audit entries and events
//! redacted by them, and the refusal of filters and reports over fields the actor cannot
//! read. See `docs/adr/0011-field-rules-on-every-read-path.md`.

use super::{Crm, Ctx};
use crate::access::{modules_of, Action, FieldAccess, FieldPolicy, MaskMode, Module, ViewContext};
use crate::contact::Contact;
use crate::customer::Customer;
use crate::error::{CrmError, CrmResult};
use crate::ids::{CustomerId, PoolId};
use crate::store::{AuditEntry, Entity, Event, Store, StoreExt};
use crate::view::{redact, redact_audit, redact_event, Policies, Visible};
use std::collections::BTreeMap;

/// A refusal to read `field` of `module` (filters, sorts and reports over it).
pub(crate) fn unreadable(module: Module, field: &str) -> CrmError {
    CrmError::PermissionDenied {
        module: module.as_str().into(),
        action: Action::Read.as_str().into(),
        field: Some(field.to_owned()),
    }
}

impl Ctx {
    /// The actor's customer field policy for a customer in `pool`: role rules, plus the
    /// pool's field rules when the actor is not that pool's admin.
    pub(crate) fn customer_policy(&self, pool: Option<PoolId>) -> FieldPolicy {
        let mut policy = self.access.field_policy(Module::Customers);
        // A customer's credit is made of over-payments: withheld with the amounts it
        // comes from.
        let amounts_hidden = [
            (Module::Contracts, "total"),
            (Module::Receivables, "amount"),
        ]
        .iter()
        .any(|(m, f)| {
            self.access.reach(*m, Action::Read).is_some()
                && self.access.field_policy(*m).access(f) == FieldAccess::Hidden
        });
        if amounts_hidden {
            policy = policy.restricted_by(&FieldPolicy::from_rules([(
                "credit".to_owned(),
                FieldAccess::Hidden,
                MaskMode::None,
            )]));
        }
        match self.pool_restriction(pool, Module::Customers) {
            Some(pool_rules) => policy.restricted_by(&pool_rules),
            None => policy,
        }
    }

    /// The actor's contact field policy for a contact of a customer in `pool`: role rules,
    /// plus the pool's rules on fields contacts share with customers (`name`, `phone`,
    /// `email`) when the actor is not that pool's admin, so a pooled customer's numbers
    /// are not read through its contacts (ADR 0011).
    pub(crate) fn contact_policy(&self, pool: Option<PoolId>) -> FieldPolicy {
        let policy = self.access.field_policy(Module::Contacts);
        match self.pool_restriction(pool, Module::Contacts) {
            Some(pool_rules) => policy.restricted_by(&pool_rules),
            None => policy,
        }
    }

    /// The actor's lead field policy for a lead in `pool` (none: owned): role rules, plus
    /// the pool's rules on the fields leads have when the actor does not administer it.
    pub(crate) fn lead_policy(&self, pool: Option<PoolId>) -> FieldPolicy {
        let policy = self.access.field_policy(Module::Leads);
        match self.pool_restriction(pool, Module::Leads) {
            Some(pool_rules) => policy.restricted_by(&pool_rules),
            None => policy,
        }
    }

    /// The field rules `pool` lays on a member who does not administer it, limited to the
    /// fields `module` has; `None` outside a pool, for admins and for the system.
    fn pool_restriction(&self, pool: Option<PoolId>, module: Module) -> Option<FieldPolicy> {
        let (Some(pool_id), Some(user)) = (pool, self.access.user()) else {
            return None;
        };
        let pool = self.pools.iter().find(|p| p.id == pool_id)?;
        pool.field_restriction(self.access.org(), user.id, module)
    }

    /// The policies governing a record of `entity` (`pool`: the customer's pool, for
    /// customers). A further module (receivables on a contract) counts only when a role of
    /// the actor grants it, so a contract reader without receivable grants sees the plan.
    /// In audit entries and events (`logs`), the record's own module is closed to a user
    /// none of whose roles grants it: every field of it is withheld (ADR 0011).
    pub(crate) fn policies(&self, entity: Entity, pool: Option<PoolId>, logs: bool) -> Policies {
        modules_of(entity)
            .iter()
            .enumerate()
            .filter_map(|(i, &m)| {
                if !self.access.grants_module(m) {
                    return (i == 0 && logs).then(|| (m, FieldPolicy::closed()));
                }
                let policy = match m {
                    Module::Customers => self.customer_policy(pool),
                    Module::Contacts => self.contact_policy(pool),
                    Module::Leads => self.lead_policy(pool),
                    _ => self.access.field_policy(m),
                };
                Some((m, policy))
            })
            .collect()
    }

    /// A record of `entity` as the actor may see it: serialized, hidden fields absent,
    /// masked ones masked, both listed.
    pub(crate) fn show<T: serde::Serialize>(
        &self,
        entity: Entity,
        record: &T,
        view: ViewContext,
    ) -> Visible<serde_json::Value> {
        self.show_in_pool(entity, record, None, view)
    }

    /// [`show`](Self::show) for a record sitting in `pool` (a pooled lead): the pool's
    /// field rules apply too.
    pub(crate) fn show_in_pool<T: serde::Serialize>(
        &self,
        entity: Entity,
        record: &T,
        pool: Option<PoolId>,
        view: ViewContext,
    ) -> Visible<serde_json::Value> {
        let mut value = super::json(record);
        let (hidden_fields, masked_fields) =
            redact(&mut value, &self.policies(entity, pool, false), view);
        Visible {
            record: value,
            hidden_fields,
            masked_fields,
        }
    }

    /// Refuses a filter, sort or report over a field of `module` the actor cannot read in
    /// clear in a list (hidden, or masked in lists).
    pub(crate) fn require_readable(
        &self,
        module: Module,
        policy: &FieldPolicy,
        field: &str,
    ) -> CrmResult<()> {
        if policy.access(field) == FieldAccess::Hidden || policy.masked(field, ViewContext::List) {
            return Err(unreadable(module, field));
        }
        Ok(())
    }

    /// Refuses a customer filter or sort over `field` when the actor cannot read it on
    /// some customer the list reaches: by their roles, or in a pool they see as a member.
    pub(crate) fn require_customer_field_readable(&self, field: &str) -> CrmResult<()> {
        self.require_readable(Module::Customers, &self.customer_policy(None), field)?;
        for &pool in self.access.visible_pools() {
            let policy = self.customer_policy(Some(PoolId(pool)));
            self.require_readable(Module::Customers, &policy, field)?;
        }
        Ok(())
    }

    /// `err` from a rule over a contract's amounts, as the actor may hear it: when they
    /// cannot read the contract total or receivable amounts, the detail (which quotes
    /// totals, outstanding or paid figures) is replaced by one naming no figure; the rule
    /// or field stays.
    pub(crate) fn conceal_contract_amounts(&self, err: CrmError) -> CrmError {
        const AMOUNTS: &[(Module, &str)] = &[
            (Module::Contracts, "total"),
            (Module::Receivables, "amount"),
        ];
        if self.require_amounts(Entity::Contract, AMOUNTS).is_ok() {
            return err;
        }
        match err {
            CrmError::RuleViolation { rule, .. } => CrmError::rule(
                rule,
                "refused by the contract's amounts (withheld from you)",
            ),
            CrmError::Validation { field, .. } => CrmError::validation(
                field,
                "does not fit the contract's amounts (withheld from you)",
            ),
            other => other,
        }
    }

    /// Refuses a report that sums or groups amounts of `entity` the actor cannot read.
    pub(crate) fn require_amounts(
        &self,
        entity: Entity,
        fields: &[(Module, &str)],
    ) -> CrmResult<()> {
        let policies = self.policies(entity, None, false);
        for (module, field) in fields {
            if let Some((_, policy)) = policies.iter().find(|(m, _)| m == module) {
                self.require_readable(*module, policy, field)?;
            }
        }
        Ok(())
    }
}

impl<S: Store> Crm<S> {
    /// The pools behind the customers and contacts among `records` (their policies depend
    /// on the customer's pool), keyed by entity name and id.
    async fn record_pools(
        &self,
        ctx: &Ctx,
        records: impl Iterator<Item = (&str, i64)>,
    ) -> CrmResult<BTreeMap<(String, i64), Option<PoolId>>> {
        let mut pools = BTreeMap::new();
        for (entity, id) in records {
            let key = (entity.to_owned(), id);
            if pools.contains_key(&key) {
                continue;
            }
            let customer = if entity == Entity::Customer.name() {
                Some(CustomerId(id))
            } else if entity == Entity::Contact.name() {
                self.store()
                    .load::<Contact>(ctx.tenant.id, id)
                    .await?
                    .map(|c| c.customer_id)
            } else {
                continue;
            };
            let pool = match customer {
                Some(c) => self
                    .store()
                    .load::<Customer>(ctx.tenant.id, c.0)
                    .await?
                    .and_then(|c| c.pool_id),
                None => None,
            };
            pools.insert(key, pool);
        }
        Ok(pools)
    }

    fn policies_for(
        ctx: &Ctx,
        entity: &str,
        id: i64,
        pools: &BTreeMap<(String, i64), Option<PoolId>>,
    ) -> Policies {
        match Entity::from_name(entity) {
            Some(e) => ctx.policies(
                e,
                pools.get(&(entity.to_owned(), id)).copied().flatten(),
                true,
            ),
            None => Vec::new(),
        }
    }

    /// Audit entries as the actor may see them.
    pub(crate) async fn visible_audit(
        &self,
        ctx: &Ctx,
        mut entries: Vec<AuditEntry>,
    ) -> CrmResult<Vec<AuditEntry>> {
        if ctx.access.is_system() {
            return Ok(entries);
        }
        let pools = self
            .record_pools(
                ctx,
                entries.iter().map(|e| (e.entity.as_str(), e.record_id)),
            )
            .await?;
        for entry in &mut entries {
            let policies = Self::policies_for(ctx, &entry.entity, entry.record_id, &pools);
            redact_audit(entry, &policies);
        }
        Ok(entries)
    }

    /// Events as the actor may see them.
    pub(crate) async fn visible_events(
        &self,
        ctx: &Ctx,
        mut events: Vec<Event>,
    ) -> CrmResult<Vec<Event>> {
        if ctx.access.is_system() {
            return Ok(events);
        }
        let pools = self
            .record_pools(ctx, events.iter().map(|e| (e.entity.as_str(), e.record_id)))
            .await?;
        for event in &mut events {
            let policies = Self::policies_for(ctx, &event.entity, event.record_id, &pools);
            redact_event(event, &policies);
        }
        Ok(events)
    }
}
