//! The read model stores implement: filters on indexed columns, a data-scope filter pushed
//! into the query itself, and keyset paging by id.

use super::predicate::Predicate;
use super::row::{Entity, SqlValue};
use crate::ids::{TenantId, UserId};
use chrono::{DateTime, Utc};

/// A comparison on one indexed column. `column` is a fixed identifier from the table's
/// [`TableSpec`](super::row::TableSpec); stores reject unknown columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    /// Column name.
    pub column: &'static str,
    /// Comparison.
    pub op: Op,
}

/// Comparisons. NULL never compares equal, less or greater (SQL semantics).
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// `= value`.
    Eq(SqlValue),
    /// `<> value` (NULL rows excluded).
    Ne(SqlValue),
    /// `< value`.
    Lt(SqlValue),
    /// `<= value`.
    Le(SqlValue),
    /// `> value`.
    Gt(SqlValue),
    /// `>= value`.
    Ge(SqlValue),
    /// `IN (values)`; an empty list matches nothing.
    In(Vec<SqlValue>),
    /// `IS NULL`.
    IsNull,
    /// `IS NOT NULL`.
    NotNull,
    /// Case-sensitive, byte-wise substring test on a text column (no wildcards: `%` and `_`
    /// are ordinary characters; SQLite `instr`, PostgreSQL `strpos`).
    Contains(String),
}

impl Filter {
    /// `column = value`.
    pub fn eq(column: &'static str, value: impl Into<SqlValue>) -> Self {
        Self {
            column,
            op: Op::Eq(value.into()),
        }
    }
    /// `column IS NULL`.
    pub fn is_null(column: &'static str) -> Self {
        Self {
            column,
            op: Op::IsNull,
        }
    }
    /// `column IS NOT NULL`.
    pub fn not_null(column: &'static str) -> Self {
        Self {
            column,
            op: Op::NotNull,
        }
    }
    /// `column <= value`.
    pub fn le(column: &'static str, value: impl Into<SqlValue>) -> Self {
        Self {
            column,
            op: Op::Le(value.into()),
        }
    }
    /// `column < value`.
    pub fn lt(column: &'static str, value: impl Into<SqlValue>) -> Self {
        Self {
            column,
            op: Op::Lt(value.into()),
        }
    }
    /// `column > value`.
    pub fn gt(column: &'static str, value: impl Into<SqlValue>) -> Self {
        Self {
            column,
            op: Op::Gt(value.into()),
        }
    }
    /// `column >= value`.
    pub fn ge(column: &'static str, value: impl Into<SqlValue>) -> Self {
        Self {
            column,
            op: Op::Ge(value.into()),
        }
    }
    /// `column IN (values)`.
    pub fn is_in(column: &'static str, values: Vec<SqlValue>) -> Self {
        Self {
            column,
            op: Op::In(values),
        }
    }
    /// Substring match.
    pub fn contains(column: &'static str, needle: impl Into<String>) -> Self {
        Self {
            column,
            op: Op::Contains(needle.into()),
        }
    }
}

/// The rows an actor may see. Core turns it into one
/// [`Predicate`] tree per table
/// ([`ScopeFilter::predicate`], following the table's
/// [`ScopeVia`](super::row::ScopeVia)), which stores evaluate or render.
#[derive(Debug, Clone, PartialEq)]
pub enum ScopeFilter {
    /// No restriction inside the tenant.
    All,
    /// Only rows reachable from these owners, the actor's live team memberships, or these
    /// pools.
    Restricted {
        /// Users whose records are in scope (the actor, subordinates, department …).
        owners: Vec<UserId>,
        /// The actor (for team memberships and "owner of the parent customer").
        actor: UserId,
        /// Pools whose customers are visible (pool membership).
        pools: Vec<i64>,
        /// Team memberships with `expires_at <= now` no longer count.
        now: DateTime<Utc>,
    },
    /// Only rows matching this tree, stated directly on the queried table (any table,
    /// scoped or not); validated like filters.
    Predicate(Predicate),
}

/// Order of results: always by id, so paging by `after` is exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// Ascending ids (oldest first).
    #[default]
    IdAsc,
    /// Descending ids (newest first).
    IdDesc,
}

/// A read of one table.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// Table.
    pub entity: Entity,
    /// Tenant (always applied).
    pub tenant: TenantId,
    /// Column filters (all must hold).
    pub filters: Vec<Filter>,
    /// Data scope; `None` means unrestricted (the service already decided so).
    pub scope: Option<ScopeFilter>,
    /// Order.
    pub order: Order,
    /// Keyset cursor: only ids after this one in `order`.
    pub after: Option<i64>,
    /// Maximum rows.
    pub limit: Option<u32>,
}

impl Query {
    /// All rows of a table in a tenant, ascending ids.
    pub fn new(entity: Entity, tenant: TenantId) -> Self {
        Self {
            entity,
            tenant,
            filters: Vec::new(),
            scope: None,
            order: Order::IdAsc,
            after: None,
            limit: None,
        }
    }

    /// Adds a filter.
    pub fn filter(mut self, filter: Filter) -> Self {
        self.filters.push(filter);
        self
    }

    /// Sets the scope.
    pub fn scope(mut self, scope: ScopeFilter) -> Self {
        self.scope = Some(scope);
        self
    }

    /// Sets the order.
    pub fn order(mut self, order: Order) -> Self {
        self.order = order;
        self
    }

    /// Sets the keyset cursor.
    pub fn after(mut self, after: Option<i64>) -> Self {
        self.after = after;
        self
    }

    /// Sets the limit.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }
}
