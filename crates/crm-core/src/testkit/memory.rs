//! The in-memory store: the reference semantics of the [`Store`] contract, used by unit
//! tests and by hosts that want a throwaway engine.

use crate::error::{CrmError, CrmResult};
use crate::ids::{TenantId, UserId};
use crate::store::predicate::ID;
use crate::store::{
    AuditEntry, Changes, Entity, Event, Filter, Op, Order, Predicate, SqlValue, Store, StoredRow,
    ValidChanges, ValidQuery, Write,
};
use async_trait::async_trait;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;

#[derive(Debug, Default, Clone)]
struct State {
    tables: HashMap<Entity, BTreeMap<(TenantId, i64), StoredRow>>,
    next_ids: HashMap<Entity, i64>,
    audit: Vec<AuditEntry>,
    events: Vec<Event>,
    last_seq: HashMap<TenantId, i64>,
}

/// A store that keeps everything in process memory behind one mutex.
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn column<'a>(row: &'a StoredRow, name: &str) -> CrmResult<&'a SqlValue> {
    let idx = row.entity.spec().column_index(name)?;
    row.columns.get(idx).ok_or_else(|| {
        CrmError::Storage(format!(
            "row of {} lacks column {name}",
            row.entity.spec().table
        ))
    })
}

fn matches_op(value: &SqlValue, op: &Op) -> bool {
    let comparable =
        |other: &SqlValue| !matches!(value, SqlValue::Null) && !matches!(other, SqlValue::Null);
    match op {
        Op::Eq(v) => comparable(v) && value == v,
        Op::Ne(v) => comparable(v) && value != v,
        Op::Lt(v) => comparable(v) && value < v,
        Op::Le(v) => comparable(v) && value <= v,
        Op::Gt(v) => comparable(v) && value > v,
        Op::Ge(v) => comparable(v) && value >= v,
        Op::In(vs) => vs.iter().any(|v| comparable(v) && value == v),
        Op::IsNull => matches!(value, SqlValue::Null),
        Op::NotNull => !matches!(value, SqlValue::Null),
        Op::Contains(needle) => matches!(value, SqlValue::Text(t) if t.contains(needle.as_str())),
    }
}

fn matches_filter(row: &StoredRow, filter: &Filter) -> CrmResult<bool> {
    Ok(matches_op(column(row, filter.column)?, &filter.op))
}

fn int_in(value: &SqlValue, set: &[i64]) -> bool {
    matches!(value, SqlValue::Int(v) if set.contains(v))
}

/// A column's value in a row, the [`ID`] included.
fn value_of(row: &StoredRow, name: &str) -> CrmResult<SqlValue> {
    if name == ID {
        return Ok(SqlValue::Int(row.id));
    }
    column(row, name).cloned()
}

/// A predicate ready to test rows: each sub-select already read into the set of values it
/// gives (sub-selects only depend on the tenant, never on the outer row).
enum Compiled<'p> {
    True,
    False,
    And(Vec<Compiled<'p>>),
    Or(Vec<Compiled<'p>>),
    Compare(&'p Filter),
    InSet {
        column: &'static str,
        values: BTreeSet<SqlValue>,
    },
}

impl Compiled<'_> {
    fn matches(&self, row: &StoredRow) -> CrmResult<bool> {
        Ok(match self {
            Compiled::True => true,
            Compiled::False => false,
            Compiled::And(parts) => {
                for part in parts {
                    if !part.matches(row)? {
                        return Ok(false);
                    }
                }
                true
            }
            Compiled::Or(parts) => {
                for part in parts {
                    if part.matches(row)? {
                        return Ok(true);
                    }
                }
                false
            }
            Compiled::Compare(filter) => matches_op(&value_of(row, filter.column)?, &filter.op),
            Compiled::InSet { column, values } => {
                let value = value_of(row, column)?;
                !matches!(value, SqlValue::Null) && values.contains(&value)
            }
        })
    }
}

impl State {
    /// Reads every sub-select of a tree over the tenant's rows.
    fn compile<'p>(&self, tenant: TenantId, predicate: &'p Predicate) -> CrmResult<Compiled<'p>> {
        Ok(match predicate {
            Predicate::True => Compiled::True,
            Predicate::False => Compiled::False,
            Predicate::And(parts) => Compiled::And(
                parts
                    .iter()
                    .map(|p| self.compile(tenant, p))
                    .collect::<CrmResult<_>>()?,
            ),
            Predicate::Or(parts) => Compiled::Or(
                parts
                    .iter()
                    .map(|p| self.compile(tenant, p))
                    .collect::<CrmResult<_>>()?,
            ),
            Predicate::Compare(filter) => Compiled::Compare(filter),
            Predicate::InSelect { column, select } => {
                let inner = self.compile(tenant, &select.predicate)?;
                let mut values = BTreeSet::new();
                for row in self.rows_of(select.entity, tenant) {
                    if inner.matches(row)? {
                        let value = value_of(row, select.column)?;
                        if !matches!(value, SqlValue::Null) {
                            values.insert(value);
                        }
                    }
                }
                Compiled::InSet { column, values }
            }
        })
    }

    /// The rows of a table in a tenant, ascending ids.
    fn rows_of(&self, entity: Entity, tenant: TenantId) -> impl Iterator<Item = &StoredRow> {
        self.tables
            .get(&entity)
            .into_iter()
            .flat_map(move |rows| rows.range((tenant, i64::MIN)..=(tenant, i64::MAX)))
            .map(|(_, r)| r)
    }

    /// The rows of a query core validated (columns exist, operands have their types, the
    /// scope is one tree).
    fn matching(&self, query: &ValidQuery<'_>) -> CrmResult<Vec<StoredRow>> {
        let scope = self.compile(query.tenant, query.predicate())?;
        let mut out = Vec::new();
        for row in self.rows_of(query.entity, query.tenant) {
            let mut ok = true;
            for f in &query.filters {
                if !matches_filter(row, f)? {
                    ok = false;
                    break;
                }
            }
            if ok && scope.matches(row)? {
                out.push(row.clone());
            }
        }
        Ok(out)
    }

    /// The table's declared unique keys ([`crate::store::TableSpec::unique`]) hold.
    fn check_unique(&self, row: &StoredRow) -> CrmResult<()> {
        let Some(rows) = self.tables.get(&row.entity) else {
            return Ok(());
        };
        for key in row.entity.spec().unique {
            let key = key.columns;
            let mine: Vec<&SqlValue> = key
                .iter()
                .map(|c| column(row, c))
                .collect::<CrmResult<_>>()?;
            if mine.iter().any(|v| matches!(v, SqlValue::Null)) {
                continue;
            }
            for other in rows
                .values()
                .filter(|o| o.tenant == row.tenant && o.id != row.id)
            {
                let theirs: Vec<&SqlValue> = key
                    .iter()
                    .map(|c| column(other, c))
                    .collect::<CrmResult<_>>()?;
                if mine == theirs {
                    return Err(CrmError::Conflict {
                        detail: format!(
                            "unique key ({}) of {} already taken",
                            key.join(", "),
                            row.entity.spec().table
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    fn check_references(&self, row: &StoredRow) -> CrmResult<()> {
        if let Some(customer_col) = row.entity.spec().scope.customer_col() {
            if let SqlValue::Int(customer) = column(row, customer_col)? {
                let exists = self
                    .tables
                    .get(&Entity::Customer)
                    .is_some_and(|t| t.contains_key(&(row.tenant, *customer)));
                if !exists {
                    return Err(CrmError::NotFound {
                        entity: "referenced record".into(),
                        id: format!("customer {customer}"),
                    });
                }
            }
        }
        Ok(())
    }

    /// Raises the tenant row's version (see [`Changes::touches_access_config`]).
    fn bump_tenant_version(&mut self, tenant: TenantId) {
        if let Some(row) = self
            .tables
            .get_mut(&Entity::Tenant)
            .and_then(|t| t.get_mut(&(tenant, tenant.0)))
        {
            row.version += 1;
        }
    }

    fn apply_write(&mut self, write: Write) -> CrmResult<()> {
        match write {
            Write::Insert(row) => {
                self.check_references(&row)?;
                self.check_unique(&row)?;
                let table = self.tables.entry(row.entity).or_default();
                if table.contains_key(&(row.tenant, row.id)) {
                    return Err(CrmError::Conflict {
                        detail: format!("{} {} already exists", row.entity.spec().table, row.id),
                    });
                }
                table.insert((row.tenant, row.id), row);
            }
            Write::Update {
                row,
                expected_version,
            } => {
                let current = self
                    .tables
                    .get(&row.entity)
                    .and_then(|t| t.get(&(row.tenant, row.id)));
                if current.map(|c| c.version) != Some(expected_version) {
                    return Err(CrmError::Conflict {
                        detail: format!(
                            "{} {} changed since it was read",
                            row.entity.spec().table,
                            row.id
                        ),
                    });
                }
                self.check_references(&row)?;
                self.check_unique(&row)?;
                self.tables
                    .entry(row.entity)
                    .or_default()
                    .insert((row.tenant, row.id), row);
            }
            Write::Delete {
                entity,
                tenant: row_tenant,
                id,
                expected_version,
            } => {
                let table = self.tables.entry(entity).or_default();
                if table.get(&(row_tenant, id)).map(|c| c.version) != Some(expected_version) {
                    return Err(CrmError::Conflict {
                        detail: format!("{} {id} changed since it was read", entity.spec().table),
                    });
                }
                table.remove(&(row_tenant, id));
                if entity == Entity::Customer {
                    self.check_no_children(row_tenant, id)?;
                }
            }
        }
        Ok(())
    }

    fn check_no_children(&self, tenant: TenantId, customer: i64) -> CrmResult<()> {
        for child in Entity::ALL {
            let Some(customer_col) = child.spec().scope.customer_col() else {
                continue;
            };
            if let Some(rows) = self.tables.get(&child) {
                for row in rows.values().filter(|r| r.tenant == tenant) {
                    if int_in(column(row, customer_col)?, &[customer]) {
                        return Err(CrmError::NotFound {
                            entity: "referenced record".into(),
                            id: format!(
                                "customer {customer} still referenced by {}",
                                child.spec().table
                            ),
                        });
                    }
                }
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn allocate_ids(&self, entity: Entity, count: u32) -> CrmResult<i64> {
        let mut state = self.lock();
        let next = state.next_ids.entry(entity).or_insert(1);
        let first = *next;
        *next += i64::from(count);
        Ok(first)
    }

    async fn get(&self, entity: Entity, tenant: TenantId, id: i64) -> CrmResult<Option<StoredRow>> {
        Ok(self
            .lock()
            .tables
            .get(&entity)
            .and_then(|t| t.get(&(tenant, id)))
            .cloned())
    }

    async fn query_valid(&self, query: ValidQuery<'_>) -> CrmResult<Vec<StoredRow>> {
        let mut rows = self.lock().matching(&query)?;
        if query.order == Order::IdDesc {
            rows.reverse();
        }
        if let Some(after) = query.after {
            rows.retain(|r| match query.order {
                Order::IdAsc => r.id > after,
                Order::IdDesc => r.id < after,
            });
        }
        if let Some(limit) = query.limit {
            rows.truncate(limit as usize);
        }
        Ok(rows)
    }

    async fn count_valid(&self, query: ValidQuery<'_>) -> CrmResult<u64> {
        Ok(self.lock().matching(&query)?.len() as u64)
    }

    async fn apply_valid(&self, changes: ValidChanges) -> CrmResult<Vec<i64>> {
        let changes = changes.into_inner();
        let mut guard = self.lock();
        let mut next = guard.clone();
        let touches_access = changes.touches_access_config();
        let Changes {
            tenant,
            writes,
            audit,
            events,
        } = changes;
        for write in writes {
            next.apply_write(write)?;
        }
        if touches_access {
            next.bump_tenant_version(tenant);
        }
        for mut entry in audit {
            entry.id = next.audit.len() as i64 + 1;
            next.audit.push(entry);
        }
        let mut seqs = Vec::with_capacity(events.len());
        for event in events {
            let seq = next.last_seq.entry(tenant).or_insert(0);
            *seq += 1;
            seqs.push(*seq);
            next.events.push(Event {
                tenant,
                seq: *seq,
                kind: event.kind.as_str().to_owned(),
                at: event.at,
                entity: event.entity,
                record_id: event.record_id,
                payload: event.payload,
            });
        }
        *guard = next;
        Ok(seqs)
    }

    async fn events_after(
        &self,
        tenant: TenantId,
        cursor: i64,
        limit: u32,
    ) -> CrmResult<Vec<Event>> {
        Ok(self
            .lock()
            .events
            .iter()
            .filter(|e| e.tenant == tenant && e.seq > cursor)
            .take(limit as usize)
            .cloned()
            .collect())
    }

    async fn audit_for_record(
        &self,
        tenant: TenantId,
        entity: &str,
        record_id: i64,
    ) -> CrmResult<Vec<AuditEntry>> {
        Ok(self
            .lock()
            .audit
            .iter()
            .filter(|a| a.tenant == tenant && a.entity == entity && a.record_id == record_id)
            .cloned()
            .collect())
    }

    async fn audit_by_user(
        &self,
        tenant: TenantId,
        user: UserId,
        after: i64,
        limit: u32,
    ) -> CrmResult<Vec<AuditEntry>> {
        Ok(self
            .lock()
            .audit
            .iter()
            .filter(|a| a.tenant == tenant && a.actor == Some(user) && a.id > after)
            .take(limit as usize)
            .cloned()
            .collect())
    }

    async fn pause(&self, duration: std::time::Duration) {
        tokio::time::sleep(duration).await;
    }
}
