//! Plain sample records for store-level tests.

use crate::access::{TeamAccess, TeamMember};
use crate::contact::Contact;
use crate::customer::{Customer, CustomerKind, DealStatus};
use crate::ids::{ContactId, CustomerId, PoolId, TeamMemberId, TenantId, UserId};
use crate::store::{AuditEntry, Changes, Entity, EventKind, FieldChange, NewEvent};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// A customer with only the given fields set.
pub fn customer(
    tenant: TenantId,
    id: i64,
    owner: Option<i64>,
    name: &str,
    now: DateTime<Utc>,
) -> Customer {
    Customer {
        tenant,
        id: CustomerId(id),
        version: 1,
        name: name.to_owned(),
        kind: CustomerKind::Company,
        industry: None,
        source: None,
        phone: None,
        email: None,
        address: None,
        tags: vec![],
        level: None,
        tier: None,
        owner_id: owner.map(UserId),
        pool_id: None,
        deal_status: DealStatus::NotDealt,
        locked: false,
        custom: BTreeMap::new(),
        external_ref: None,
        last_followup_at: None,
        last_owner_followup_at: None,
        next_followup_at: None,
        owned_since: owner.map(|_| now),
        previous_owner_id: None,
        entered_pool_at: None,
        escalated_for: None,
        last_pool_id: None,
        last_recycle_reason: None,
        recycle_reminders: BTreeMap::new(),
        open_opportunities: 0,
        last_purchase_at: None,
        credit: BTreeMap::new(),
        opportunity_changed_at: None,
        location: None,
        created_by: None,
        created_at: now,
        updated_at: now,
    }
}

/// A customer sitting in a pool (no owner).
pub fn pooled(tenant: TenantId, id: i64, pool: i64, name: &str, now: DateTime<Utc>) -> Customer {
    Customer {
        pool_id: Some(PoolId(pool)),
        ..customer(tenant, id, None, name, now)
    }
}

/// A contact of a customer.
pub fn contact(
    tenant: TenantId,
    id: i64,
    customer: i64,
    name: &str,
    now: DateTime<Utc>,
) -> Contact {
    Contact {
        tenant,
        id: ContactId(id),
        version: 1,
        customer_id: CustomerId(customer),
        name: name.to_owned(),
        title: None,
        phone: None,
        email: None,
        primary: false,
        created_by: None,
        created_at: now,
    }
}

/// A team membership.
pub fn member(
    tenant: TenantId,
    id: i64,
    customer: i64,
    user: i64,
    cascade: bool,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> TeamMember {
    TeamMember {
        tenant,
        id: TeamMemberId(id),
        version: 1,
        customer_id: CustomerId(customer),
        user_id: UserId(user),
        access: TeamAccess::Read,
        cascade,
        expires_at,
        added_by: None,
        added_at: now,
    }
}

/// An audit entry.
pub fn audit(
    tenant: TenantId,
    actor: Option<i64>,
    entity: Entity,
    record: i64,
    now: DateTime<Utc>,
) -> AuditEntry {
    AuditEntry {
        id: 0,
        tenant,
        at: now,
        actor: actor.map(UserId),
        operation: "test.op".into(),
        entity: entity.name().into(),
        record_id: record,
        changes: vec![FieldChange {
            field: "name".into(),
            before: serde_json::Value::Null,
            after: serde_json::json!("x"),
        }],
    }
}

/// An event.
pub fn event(record: i64, now: DateTime<Utc>) -> NewEvent {
    NewEvent {
        kind: EventKind::CustomerCreated,
        at: now,
        entity: Entity::Customer.name().into(),
        record_id: record,
        payload: serde_json::json!({ "n": record, "text": "客户 ✓" }),
    }
}

/// A unit of work inserting `records`.
pub fn inserting<R: crate::store::Record>(tenant: TenantId, records: &[R]) -> Changes {
    let mut c = Changes::new(tenant);
    for r in records {
        c.insert(r).unwrap_or_else(|e| panic!("encode: {e}"));
    }
    c
}
