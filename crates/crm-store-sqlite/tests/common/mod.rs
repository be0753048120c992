//! Helpers shared by the SQLite store's integration tests.

#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use crm_core::ids::TenantId;
use crm_core::store::{Entity, SqlValue, StoredRow};
use crm_store_sqlite::SqliteStore;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh database path in the temp dir (nothing is created yet).
pub fn temp_db_path(name: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    std::env::temp_dir().join(format!(
        "crm-sqlite-{name}-{}-{nanos}-{n}.db",
        std::process::id()
    ))
}

/// A store on a fresh file.
pub async fn file_store(name: &str) -> (SqliteStore, PathBuf) {
    let path = temp_db_path(name);
    let store = SqliteStore::open(path.to_str().expect("utf-8 temp path"))
        .await
        .expect("open file store");
    (store, path)
}

/// Removes a database file and its WAL side files.
pub fn remove_db(path: &PathBuf) {
    let _ = std::fs::remove_file(path);
    for suffix in ["-wal", "-shm"] {
        let mut side = path.clone().into_os_string();
        side.push(suffix);
        let _ = std::fs::remove_file(side);
    }
}

/// An instant with whole microseconds.
pub fn at(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000 + secs, 123_456_000)
        .single()
        .expect("valid instant")
}

/// Body JSON for a row.
pub fn body(entity: Entity, tenant: i64, id: i64) -> String {
    format!(
        "{{\"entity\":\"{}\",\"tenant\":{tenant},\"id\":{id}}}",
        entity.name()
    )
}

/// Builder-ish knobs for a customer row.
#[derive(Clone, Default)]
pub struct Cust {
    pub owner: Option<i64>,
    pub pool: Option<i64>,
    pub name: Option<&'static str>,
    pub external_ref: Option<&'static str>,
    pub next_followup_at: Option<DateTime<Utc>>,
    pub escalation_pending: Option<bool>,
}

/// A row of `entity` with the named column values; every other column is NULL.
pub fn row_of(entity: Entity, tenant: i64, id: i64, values: Vec<(&str, SqlValue)>) -> StoredRow {
    let spec = entity.spec();
    let mut columns = vec![SqlValue::Null; spec.columns.len()];
    for (name, value) in values {
        let idx = spec.column_index(name).expect("known column");
        columns[idx] = value;
    }
    StoredRow {
        entity,
        tenant: TenantId(tenant),
        id,
        version: 1,
        columns,
        body: body(entity, tenant, id),
    }
}

/// A customer row.
pub fn customer(tenant: i64, id: i64, c: Cust) -> StoredRow {
    row_of(
        Entity::Customer,
        tenant,
        id,
        vec![
            ("owner_id", c.owner.into()),
            ("pool_id", c.pool.into()),
            ("name", c.name.into()),
            ("name_norm", c.name.map(|n| n.to_lowercase()).into()),
            ("external_ref", c.external_ref.into()),
            ("level", "B".into()),
            ("deal_status", "open".into()),
            ("owned_since", c.owner.map(|_| at(0)).into()),
            ("next_followup_at", c.next_followup_at.into()),
            ("escalation_pending", c.escalation_pending.into()),
            ("created_at", at(-100).into()),
        ],
    )
}

/// A contact row.
pub fn contact(tenant: i64, id: i64, customer_id: i64, name: &str) -> StoredRow {
    StoredRow {
        entity: Entity::Contact,
        tenant: TenantId(tenant),
        id,
        version: 1,
        columns: vec![customer_id.into(), name.into(), SqlValue::Null],
        body: body(Entity::Contact, tenant, id),
    }
}

/// A follow-up row on a customer (no lead).
pub fn followup(
    tenant: i64,
    id: i64,
    customer_id: i64,
    author: i64,
    due: Option<DateTime<Utc>>,
) -> StoredRow {
    StoredRow {
        entity: Entity::FollowUp,
        tenant: TenantId(tenant),
        id,
        version: 1,
        columns: vec![
            customer_id.into(),
            author.into(),
            at(id).into(),
            due.into(),
            SqlValue::Null,
        ],
        body: body(Entity::FollowUp, tenant, id),
    }
}

/// A team-member row.
pub fn team_member(
    tenant: i64,
    id: i64,
    customer_id: i64,
    user: i64,
    cascade: bool,
    expires_at: Option<DateTime<Utc>>,
) -> StoredRow {
    StoredRow {
        entity: Entity::TeamMember,
        tenant: TenantId(tenant),
        id,
        version: 1,
        columns: vec![
            customer_id.into(),
            user.into(),
            "read".into(),
            cascade.into(),
            expires_at.into(),
        ],
        body: body(Entity::TeamMember, tenant, id),
    }
}

/// A role row.
pub fn role(tenant: i64, id: i64, name: &str) -> StoredRow {
    StoredRow {
        entity: Entity::Role,
        tenant: TenantId(tenant),
        id,
        version: 1,
        columns: vec![name.into()],
        body: body(Entity::Role, tenant, id),
    }
}

/// A user row.
pub fn user(
    tenant: i64,
    id: i64,
    department: Option<i64>,
    supervisor: Option<i64>,
    active: bool,
) -> StoredRow {
    StoredRow {
        entity: Entity::User,
        tenant: TenantId(tenant),
        id,
        version: 1,
        columns: vec![department.into(), supervisor.into(), active.into()],
        body: body(Entity::User, tenant, id),
    }
}

/// The next version of a row, with a new body marker.
pub fn bumped(row: &StoredRow, marker: &str) -> StoredRow {
    let mut next = row.clone();
    next.version += 1;
    next.body = format!("{{\"marker\":\"{marker}\",\"id\":{}}}", row.id);
    next
}
