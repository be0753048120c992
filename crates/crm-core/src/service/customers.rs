//! Customer operations: create (with the duplicate check), update, read, list, transfer.

use super::{json, transact, Crm, Ctx, Page};
use crate::access::{Action, Module, Reach, TeamMember, ViewContext};
use crate::actor::Actor;
use crate::customer::{Customer, CustomerLevel, CustomerPatch, DealStatus, NewCustomer};
use crate::error::{CrmError, CrmResult};
use crate::ids::{CustomerId, TenantId, UserId};
use crate::pool::OwnerChange;
use crate::store::{Changes, Entity, EventKind, Filter, Order, Query, Store, StoreExt};
use crate::view::Visible;
use serde::{Deserialize, Serialize};

/// Filters for listing customers; all optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default)]
pub struct CustomerFilter {
    /// Only this owner's customers.
    pub owner_id: Option<UserId>,
    /// Only this level.
    pub level: Option<CustomerLevel>,
    /// Only this deal status.
    pub deal_status: Option<DealStatus>,
    /// Name contains this text (case-sensitive).
    pub name_contains: Option<String>,
    /// Newest first instead of oldest first.
    pub newest_first: bool,
    /// Keyset cursor from the previous page.
    pub after: Option<i64>,
    /// Page size (default 50, at most 500).
    pub limit: Option<u32>,
}

impl<S: Store> Crm<S> {
    pub(crate) async fn load_customer(
        &self,
        tenant: TenantId,
        id: CustomerId,
    ) -> CrmResult<Customer> {
        self.store()
            .load::<Customer>(tenant, id.0)
            .await?
            .ok_or_else(|| CrmError::not_found("customer", id))
    }

    pub(crate) async fn load_team(
        &self,
        tenant: TenantId,
        customer: CustomerId,
    ) -> CrmResult<Vec<TeamMember>> {
        self.store()
            .load_all(
                &Query::new(Entity::TeamMember, tenant)
                    .filter(Filter::eq("customer_id", customer.0)),
            )
            .await
    }

    /// Loads a customer the actor may `action` on `module` (customer-level check).
    pub(crate) async fn customer_for(
        &self,
        ctx: &Ctx,
        id: CustomerId,
        action: Action,
    ) -> CrmResult<(Customer, Vec<TeamMember>)> {
        let customer = self.load_customer(ctx.tenant.id, id).await?;
        let team = self.load_team(ctx.tenant.id, id).await?;
        if !ctx.access.reaches_customer(
            Module::Customers,
            action,
            customer.owner_id,
            customer.pool_id.map(|p| p.0),
            &team,
            ctx.now,
        ) {
            return Err(CrmError::PermissionDenied {
                module: Module::Customers.as_str().into(),
                action: action.as_str().into(),
                field: None,
            });
        }
        Ok((customer, team))
    }

    /// Loads the customer a record of `module` hangs off and checks `action` through it
    /// (the rule: [`AccessContext::check_child`](crate::access::AccessContext)).
    pub(crate) async fn check_child(
        &self,
        ctx: &Ctx,
        module: Module,
        action: Action,
        customer: CustomerId,
    ) -> CrmResult<Customer> {
        let c = self.load_customer(ctx.tenant.id, customer).await?;
        let team = self.load_team(ctx.tenant.id, customer).await?;
        ctx.access.check_child(module, action, &c, &team, ctx.now)?;
        Ok(c)
    }

    /// Checks `action` on a record of `module` with its own `owner` that hangs off
    /// `customer`: the owner in reach, or reachable as a child of the customer (whose team
    /// is loaded only then).
    pub(crate) async fn check_owned_child(
        &self,
        ctx: &Ctx,
        module: Module,
        action: Action,
        owner: Option<UserId>,
        customer: &Customer,
    ) -> CrmResult<()> {
        if ctx.access.reaches_record_owner(module, action, owner)? {
            return Ok(());
        }
        let team = self.load_team(ctx.tenant.id, customer.id).await?;
        ctx.access
            .check_child(module, action, customer, &team, ctx.now)
    }

    /// The stored customer that `candidate` duplicates, and the key that matched.
    pub(crate) async fn find_duplicate(
        &self,
        candidate: &Customer,
    ) -> CrmResult<Option<(Customer, &'static str)>> {
        let tenant = candidate.tenant;
        let keys: [(&'static str, &'static str, Option<String>); 3] = [
            (
                "external_ref",
                "external_ref",
                candidate.external_ref.clone(),
            ),
            ("phone_norm", "phone", candidate.phone_norm()),
            ("name_norm", "name", candidate.name_norm()),
        ];
        for (column, label, value) in keys {
            let Some(value) = value else { continue };
            let hits: Vec<Customer> = self
                .store()
                .load_all(
                    &Query::new(Entity::Customer, tenant)
                        .filter(Filter::eq(column, value))
                        .limit(2),
                )
                .await?;
            if let Some(hit) = hits.into_iter().find(|c| c.id != candidate.id) {
                return Ok(Some((hit, label)));
            }
        }
        Ok(None)
    }

    /// Checks that `owner` may be given a customer by the actor: an active user of the
    /// tenant, and (unless it is the actor) within the actor's reach for `action` on
    /// customers.
    pub(crate) fn check_owner(&self, ctx: &Ctx, owner: UserId, action: Action) -> CrmResult<()> {
        self.check_owner_in(ctx, Module::Customers, owner, action)
    }

    /// Checks that `owner` may be given a record of `module` by the actor: an active user
    /// of the tenant, and (unless it is the actor) within the actor's reach for `action` on
    /// `module`. Refused with `PermissionDenied` naming `owner_id`.
    pub(crate) fn check_owner_in(
        &self,
        ctx: &Ctx,
        module: Module,
        owner: UserId,
        action: Action,
    ) -> CrmResult<()> {
        let user = ctx
            .access
            .org()
            .users
            .get(&owner)
            .ok_or_else(|| CrmError::not_found("user", owner))?;
        if !user.active {
            return Err(CrmError::validation("owner_id", "user is inactive"));
        }
        if ctx.access.user().is_some_and(|u| u.id == owner) {
            return Ok(());
        }
        let denied = || CrmError::PermissionDenied {
            module: module.as_str().into(),
            action: action.as_str().into(),
            field: Some("owner_id".into()),
        };
        match ctx.access.reach(module, action).ok_or_else(denied)? {
            Reach::All => Ok(()),
            Reach::Owners(set) if set.contains(&owner) => Ok(()),
            Reach::Owners(_) => Err(denied()),
        }
    }

    /// Builds (validates, permission- and duplicate-checks) a new customer without writing.
    pub(crate) async fn prepare_customer(
        &self,
        ctx: &Ctx,
        input: NewCustomer,
        id: CustomerId,
        action: Action,
    ) -> CrmResult<Customer> {
        let force = input.force;
        let owner = input.owner_id.or(ctx.access.user().map(|u| u.id));
        if let Some(owner) = owner {
            self.check_owner(ctx, owner, action)?;
        }
        let creator = ctx.access.user().map(|u| u.id);
        let pool = match (owner, input.pool_id) {
            (Some(_), Some(_)) => {
                return Err(CrmError::validation(
                    "pool_id",
                    "only for customers without an owner",
                ))
            }
            (Some(_), None) => None,
            (None, Some(p)) => {
                let pool = ctx.pool(p)?;
                if pool.rules.holds != crate::pool::PoolHolds::Customers {
                    return Err(CrmError::validation(
                        "pool_id",
                        format!("pool {p} holds leads, not customers"),
                    ));
                }
                if !pool.enabled {
                    return Err(CrmError::rule(
                        "pool_disabled",
                        format!("pool {p} is disabled"),
                    ));
                }
                Some(p)
            }
            (None, None) => ctx.default_pool().map(|p| p.id),
        };
        let mut customer = input.into_customer(
            &ctx.tenant.settings,
            ctx.tenant.id,
            id,
            owner,
            creator,
            ctx.now,
        )?;
        if pool.is_some() {
            customer.pool_id = pool;
            customer.entered_pool_at = Some(ctx.now);
        }
        let mut written: Vec<String> = ["phone", "email", "address", "industry", "external_ref"]
            .into_iter()
            .zip([
                &customer.phone,
                &customer.email,
                &customer.address,
                &customer.industry,
                &customer.external_ref,
            ])
            .filter(|(_, v)| v.is_some())
            .map(|(f, _)| f.to_owned())
            .collect();
        written.extend(customer.custom.keys().map(|k| format!("custom.{k}")));
        let written: Vec<&str> = written.iter().map(String::as_str).collect();
        ctx.access.check_editable(Module::Customers, &written)?;
        if let Some((existing, matched_on)) = self.find_duplicate(&customer).await? {
            if !force || matched_on == "external_ref" {
                return Err(CrmError::Duplicate {
                    entity: "customer".into(),
                    existing: existing.id.0,
                    owner: existing.owner_id.map(|u| u.0),
                    matched_on: matched_on.into(),
                });
            }
        }
        Ok(customer)
    }

    /// Creates a customer owned by `input.owner_id` (default: the acting user). A match of
    /// the normalized phone or company name is refused with `Duplicate` unless `force`.
    pub async fn create_customer(
        &self,
        actor: Actor,
        input: NewCustomer,
    ) -> CrmResult<Visible<Customer>> {
        crate::validate::texts(&input, "")?;
        let id = CustomerId(self.new_id(Entity::Customer).await?);
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            ctx.access.require(Module::Customers, Action::Create)?;
            let customer = self
                .prepare_customer(&ctx, input.clone(), id, Action::Create)
                .await?;
            let mut changes = Changes::new(ctx.tenant.id);
            self.write_new_customer(&ctx, &mut changes, &customer)
                .await?;
            let view = ctx.present(customer, ViewContext::Detail);
            Ok((changes, view))
        })
    }

    /// Adds a new customer's insert, held count, owner history, audit entry and event to
    /// `changes` (customer.create and lead conversion).
    pub(crate) async fn write_new_customer(
        &self,
        ctx: &Ctx,
        changes: &mut Changes,
        customer: &Customer,
    ) -> CrmResult<()> {
        changes.insert(customer)?;
        self.adjust_held(ctx.tenant.id, changes, [(None, customer)])
            .await?;
        let hid = self.new_id(Entity::OwnerHistory).await?;
        ctx.push_history(
            changes,
            hid,
            customer,
            None,
            OwnerChange::Created,
            None,
            None,
        )?;
        changes.audit(ctx.audit(
            "customer.create",
            Entity::Customer,
            customer.id.0,
            serde_json::Value::Null,
            json(customer),
        ));
        changes.event(ctx.event(
            EventKind::CustomerCreated,
            Entity::Customer,
            customer.id.0,
            serde_json::json!({ "owner_id": customer.owner_id, "name": customer.name }),
        ));
        Ok(())
    }

    /// Updates a customer's fields. Needs update rights on it (scope or a read-write team
    /// membership) and edit rights on every touched field.
    pub async fn update_customer(
        &self,
        actor: Actor,
        id: CustomerId,
        patch: CustomerPatch,
    ) -> CrmResult<Visible<Customer>> {
        crate::validate::texts(&patch, "")?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let (current, _) = self.customer_for(&ctx, id, Action::Update).await?;
            if let Some(v) = patch.expected_version {
                if v != current.version {
                    return Err(CrmError::Conflict {
                        detail: format!("customer {id} is at version {}, not {v}", current.version),
                    });
                }
            }
            let touched = patch.touched_fields();
            let touched: Vec<&str> = touched.iter().map(String::as_str).collect();
            ctx.access.check_editable(Module::Customers, &touched)?;
            let next = patch.apply_to(&current, &ctx.tenant.settings, ctx.now)?;
            let mut changes = Changes::new(ctx.tenant.id);
            if next
                == (Customer {
                    updated_at: next.updated_at,
                    ..current.clone()
                })
            {
                let view = ctx.present(current, ViewContext::Detail);
                return Ok((changes, view));
            }
            let keys_changed = next.phone_norm() != current.phone_norm()
                || next.name_norm() != current.name_norm()
                || next.external_ref != current.external_ref;
            if keys_changed {
                if let Some((existing, matched_on)) = self.find_duplicate(&next).await? {
                    return Err(CrmError::Duplicate {
                        entity: "customer".into(),
                        existing: existing.id.0,
                        owner: existing.owner_id.map(|u| u.0),
                        matched_on: matched_on.into(),
                    });
                }
            }
            changes.update(&next)?;
            changes.audit(ctx.audit(
                "customer.update",
                Entity::Customer,
                id.0,
                json(&current),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::CustomerUpdated,
                Entity::Customer,
                id.0,
                serde_json::json!({ "fields": touched }),
            ));
            let stored = Customer {
                version: next.version + 1,
                ..next
            };
            let view = ctx.present(stored, ViewContext::Detail);
            Ok((changes, view))
        })
    }

    /// One customer, masked for the actor.
    pub async fn get_customer(&self, actor: Actor, id: CustomerId) -> CrmResult<Visible<Customer>> {
        let ctx = self.ctx(actor).await?;
        let (customer, _) = self.customer_for(&ctx, id, Action::Read).await?;
        Ok(ctx.present(customer, ViewContext::Detail))
    }

    /// A page of the customers the actor may read, filtered; the scope is part of the query.
    pub async fn list_customers(
        &self,
        actor: Actor,
        filter: CustomerFilter,
    ) -> CrmResult<Page<Visible<Customer>>> {
        crate::validate::texts(&filter, "")?;
        let ctx = self.ctx(actor).await?;
        let order = if filter.newest_first {
            Order::IdDesc
        } else {
            Order::IdAsc
        };
        let (mut query, limit) = ctx.scoped_page(
            Module::Customers,
            Entity::Customer,
            order,
            filter.after,
            filter.limit,
        )?;
        if let Some(owner) = filter.owner_id {
            query = query.filter(Filter::eq("owner_id", owner.0));
        }
        let readable = |field: &str| ctx.require_customer_field_readable(field);
        if let Some(level) = filter.level {
            readable("level")?;
            query = query.filter(Filter::eq("level", level.as_str()));
        }
        if let Some(status) = filter.deal_status {
            query = query.filter(Filter::eq("deal_status", status.as_str()));
        }
        if let Some(text) = filter
            .name_contains
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            if text.chars().count() > 200 {
                return Err(CrmError::validation(
                    "name_contains",
                    "longer than 200 characters",
                ));
            }
            readable("name")?;
            query = query.filter(Filter::contains("name", text));
        }
        let customers: Vec<Customer> = self.store().load_all(&query).await?;
        Ok(Page::of(customers, limit, |c| {
            ctx.present(c, ViewContext::List)
        }))
    }

    /// Gives a customer to another owner (转移): needs transfer rights on the customer and
    /// the new owner within the actor's transfer reach. Restarts the owner's clocks.
    pub async fn transfer_customer(
        &self,
        actor: Actor,
        id: CustomerId,
        new_owner: UserId,
    ) -> CrmResult<Visible<Customer>> {
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let (current, _) = self.customer_for(&ctx, id, Action::Transfer).await?;
            if current.owner_id.is_none() {
                return Err(CrmError::rule(
                    "customer_in_pool",
                    "a pooled customer is claimed or distributed, not transferred",
                ));
            }
            if current.owner_id == Some(new_owner) {
                return Err(CrmError::validation("owner_id", "is already the owner"));
            }
            self.check_owner(&ctx, new_owner, Action::Transfer)?;
            let next = Customer {
                previous_owner_id: current.owner_id,
                owner_id: Some(new_owner),
                owned_since: Some(ctx.now),
                last_owner_followup_at: None,
                escalated_for: None,
                recycle_reminders: Default::default(),
                updated_at: ctx.now,
                ..current.clone()
            };
            let mut changes = Changes::new(ctx.tenant.id);
            changes.update(&next)?;
            self.adjust_held(ctx.tenant.id, &mut changes, [(Some(&current), &next)])
                .await?;
            let hid = self.new_id(Entity::OwnerHistory).await?;
            ctx.push_history(
                &mut changes,
                hid,
                &next,
                current.owner_id,
                OwnerChange::Transferred,
                None,
                None,
            )?;
            changes.audit(ctx.audit(
                "customer.transfer",
                Entity::Customer,
                id.0,
                json(&current),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::CustomerTransferred,
                Entity::Customer,
                id.0,
                serde_json::json!({ "from": current.owner_id, "to": new_owner }),
            ));
            let stored = Customer {
                version: next.version + 1,
                ..next
            };
            Ok((changes, ctx.present(stored, ViewContext::Detail)))
        })
    }
}
