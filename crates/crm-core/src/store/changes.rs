//! The unit of work: everything one operation writes, applied atomically or not at all.

use super::audit::AuditEntry;
use super::event::NewEvent;
use super::row::{Entity, Record, StoredRow};
use crate::error::CrmResult;
use crate::ids::TenantId;

/// One row write.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// A new row (`row.version` is 1). A unique-key clash makes the whole apply a `Conflict`.
    Insert(StoredRow),
    /// Replace a row iff its stored version is still `expected_version`; `row.version` is
    /// `expected_version + 1`.
    Update {
        /// The new row.
        row: StoredRow,
        /// The version read before deciding.
        expected_version: i64,
    },
    /// Delete a row iff its stored version is still `expected_version`.
    Delete {
        /// Table.
        entity: Entity,
        /// Tenant.
        tenant: TenantId,
        /// Row id.
        id: i64,
        /// The version read before deciding.
        expected_version: i64,
    },
}

/// Everything one operation writes, in order. Stores apply it in one transaction iff every
/// expected version holds; otherwise nothing is written and they return `Conflict`.
#[derive(Debug, Clone, PartialEq)]
pub struct Changes {
    /// Tenant of every row, audit entry and event in it.
    pub tenant: TenantId,
    /// Row writes, applied in order.
    pub writes: Vec<Write>,
    /// Audit entries to append.
    pub audit: Vec<AuditEntry>,
    /// Events to append (sequence assigned by the store, in this order).
    pub events: Vec<NewEvent>,
}

impl Changes {
    /// An empty unit of work for a tenant.
    pub fn new(tenant: TenantId) -> Self {
        Self {
            tenant,
            writes: Vec::new(),
            audit: Vec::new(),
            events: Vec::new(),
        }
    }

    /// True when there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.writes.is_empty() && self.audit.is_empty() && self.events.is_empty()
    }

    /// True when a write goes to a user, department, role or pool
    /// ([`Entity::is_access_config`]). Every store then also raises the version of the
    /// tenant row (`tenants`, id = tenant id) by one in the same transaction, without
    /// checking it: the tenant version is the stamp by which the engine's cached access
    /// context is known to be current.
    pub fn touches_access_config(&self) -> bool {
        self.writes.iter().any(|w| {
            let entity = match w {
                Write::Insert(row) | Write::Update { row, .. } => row.entity,
                Write::Delete { entity, .. } => *entity,
            };
            entity.is_access_config()
        })
    }

    /// Adds an insert of a new record (version must be 1).
    pub fn insert<R: Record>(&mut self, record: &R) -> CrmResult<()> {
        self.writes.push(Write::Insert(record.to_row()?));
        Ok(())
    }

    /// Adds an update: `record` carries the version that was read; the stored row gets
    /// that version + 1.
    pub fn update<R: Record>(&mut self, record: &R) -> CrmResult<()> {
        let expected_version = record.version();
        let mut next = record.clone();
        next.set_version(expected_version + 1);
        self.writes.push(Write::Update {
            row: next.to_row()?,
            expected_version,
        });
        Ok(())
    }

    /// Adds a delete of a record at the version that was read.
    pub fn delete<R: Record>(&mut self, record: &R) {
        self.writes.push(Write::Delete {
            entity: R::ENTITY,
            tenant: record.tenant(),
            id: record.raw_id(),
            expected_version: record.version(),
        });
    }

    /// Appends an audit entry.
    pub fn audit(&mut self, entry: AuditEntry) {
        self.audit.push(entry);
    }

    /// Appends an event.
    pub fn event(&mut self, event: NewEvent) {
        self.events.push(event);
    }

    /// Moves everything of `other` (same tenant) after this one's.
    pub fn extend(&mut self, other: Changes) {
        let Changes {
            tenant: _,
            writes,
            audit,
            events,
        } = other;
        self.writes.extend(writes);
        self.audit.extend(audit);
        self.events.extend(events);
    }
}
