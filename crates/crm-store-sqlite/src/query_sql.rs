//! Translation of a [`Query`] into one parameterized statement, with the data scope pushed
//! into SQL in a shape SQLite runs fast.
//!
//! The result of every shape is the same (the conformance and differential tests hold all
//! of them to the in-memory store); only the plan differs:
//!
//! - **Customers, narrow scope** (few owners and pools): one branch per owner, per pool and
//!   for the actor's team memberships, each reading its first `limit` ids from an index
//!   ordered by `(tenant_id, owner_id|pool_id, id)`; the page is the first `limit` of their
//!   union. Cost grows with the number of branches, not the size of the table.
//! - **Customers, broad scope** (many owners): one scan in id order with the scope as a
//!   predicate; matches are dense, so a page is found after few rows.
//! - **Children of customers, narrow scope** (a few owners, no pools): driven by the list
//!   of the scope's customers through the `(tenant_id, customer_id)` index.
//! - **Children of customers, otherwise**: a per-row lookup of the parent customer
//!   (primary key) and of a cascading team membership.
//!
//! Identifiers come only from the static table specs; every value is a bound parameter.

use crate::sql::{ident, placeholders, table_sql, TableSql};
use chrono::{DateTime, Utc};
use crm_core::store::{
    Entity, Filter, Op, Order, Query, ScopeFilter, ScopeVia, SqlValue, TableSpec, ValidQuery,
};
use crm_core::{CrmError, CrmResult};

/// Most owner and pool branches for which a customer page is read branch by branch.
pub(crate) const MAX_CUSTOMER_BRANCHES: usize = 64;

/// Most owners (with the actor) for which a child table is read through the list of the
/// scope's customers.
pub(crate) const MAX_NARROW_CHILD_OWNERS: usize = 16;

/// A statement with its parameters in order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Statement {
    /// SQL text.
    pub sql: String,
    /// Bound values.
    pub binds: Vec<SqlValue>,
}

/// Whether a query selects rows or counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Rows, ordered, after the cursor, limited.
    Rows,
    /// `COUNT(*)` of the matching rows (cursor and limit ignored).
    Count,
}

/// SQL text with its bound values, built left to right.
#[derive(Debug, Default)]
struct Builder {
    sql: String,
    binds: Vec<SqlValue>,
}

impl Builder {
    fn push(&mut self, text: &str) {
        self.sql.push_str(text);
    }

    /// Appends one placeholder bound to `value`.
    fn bind(&mut self, value: SqlValue) {
        self.sql.push('?');
        self.binds.push(value);
    }

    /// `expr IN (?, …)` over integers, or `0` (false) for an empty list.
    fn int_in(&mut self, expr: &str, values: &[i64]) {
        if values.is_empty() {
            self.sql.push('0');
        } else {
            self.push(&format!("{expr} IN ({})", placeholders(values.len())));
            self.binds.extend(values.iter().map(|v| SqlValue::Int(*v)));
        }
    }
}

/// A restricted scope, normalized (sorted, deduplicated lists).
#[derive(Debug)]
struct Scope {
    tenant: i64,
    owners: Vec<i64>,
    actor: i64,
    pools: Vec<i64>,
    now: DateTime<Utc>,
}

impl Scope {
    fn from_query(query: &Query) -> Option<Scope> {
        match &query.scope {
            None | Some(ScopeFilter::All) => None,
            Some(ScopeFilter::Restricted {
                owners,
                actor,
                pools,
                now,
            }) => {
                let mut owners: Vec<i64> = owners.iter().map(|u| u.0).collect();
                owners.sort_unstable();
                owners.dedup();
                let mut pools = pools.clone();
                pools.sort_unstable();
                pools.dedup();
                Some(Scope {
                    tenant: query.tenant.0,
                    owners,
                    actor: actor.0,
                    pools,
                    now: *now,
                })
            }
        }
    }

    /// The owners plus the actor (who always sees what hangs off their own customers).
    fn owners_and_actor(&self) -> Vec<i64> {
        let mut all = self.owners.clone();
        if let Err(pos) = all.binary_search(&self.actor) {
            all.insert(pos, self.actor);
        }
        all
    }

    /// Appends `SELECT tm.customer_id FROM team_members … ` for the actor's live
    /// memberships (only cascading ones when `cascade_only`).
    fn team_customers(&self, b: &mut Builder, cascade_only: bool) {
        b.push("SELECT tm.\"customer_id\" FROM \"team_members\" AS tm WHERE tm.\"tenant_id\" = ");
        b.bind(SqlValue::Int(self.tenant));
        b.push(" AND tm.\"user_id\" = ");
        b.bind(SqlValue::Int(self.actor));
        if cascade_only {
            b.push(" AND tm.\"cascade\" = 1");
        }
        b.push(" AND (tm.\"expires_at\" IS NULL OR tm.\"expires_at\" > ");
        b.bind(SqlValue::Time(self.now));
        b.push(")");
    }
}

/// The owner and pool columns of the customers table.
fn customer_columns() -> CrmResult<(&'static str, &'static str)> {
    let spec = Entity::Customer.spec();
    match spec.scope {
        ScopeVia::Customer {
            owner_col,
            pool_col,
        } => Ok((owner_col, pool_col)),
        ScopeVia::None
        | ScopeVia::ChildOfCustomer { .. }
        | ScopeVia::OwnedChildOfCustomer { .. } => Err(CrmError::Storage(format!(
            "{} is not scoped as customers",
            spec.table
        ))),
    }
}

/// Translates a query core validated (columns, operand types and bounds, scope shape)
/// into one statement.
pub(crate) fn build_query(query: ValidQuery<'_>, shape: Shape) -> CrmResult<Statement> {
    let query = query.get();
    let table = table_sql(query.entity);
    let spec = table.spec;
    let scope = Scope::from_query(query);
    let mut b = Builder::default();
    match (spec.scope, &scope) {
        (ScopeVia::None, Some(_)) => {
            return Err(CrmError::Storage(format!(
                "scope does not apply to {}",
                spec.table
            )))
        }
        (
            ScopeVia::Customer {
                owner_col,
                pool_col,
            },
            Some(scope),
        ) if scope.owners.len() + scope.pools.len() <= MAX_CUSTOMER_BRANCHES => {
            let branches = customer_branches(scope, owner_col, pool_col);
            match shape {
                Shape::Rows => customer_rows_by_branch(&mut b, table, query, scope, &branches)?,
                Shape::Count => customer_count_by_branch(&mut b, table, query, scope, &branches)?,
            }
        }
        _ => plain(&mut b, table, query, scope.as_ref(), shape)?,
    }
    Ok(Statement {
        sql: b.sql,
        binds: b.binds,
    })
}

/// `SELECT … FROM table AS t WHERE tenant AND filters AND scope [keyset, order, limit]`.
fn plain(
    b: &mut Builder,
    table: &TableSql,
    query: &Query,
    scope: Option<&Scope>,
    shape: Shape,
) -> CrmResult<()> {
    let spec = table.spec;
    match shape {
        Shape::Rows => b.push(&format!("SELECT {} FROM ", table.select_list)),
        Shape::Count => b.push("SELECT COUNT(*) FROM "),
    }
    b.push(&format!(
        "{} AS t WHERE t.\"tenant_id\" = ",
        ident(spec.table)
    ));
    b.bind(SqlValue::Int(query.tenant.0));
    push_filters(b, "t", &query.filters);
    if let Some(scope) = scope {
        match spec.scope {
            ScopeVia::None => {
                return Err(CrmError::Storage(format!(
                    "scope does not apply to {}",
                    spec.table
                )))
            }
            ScopeVia::Customer {
                owner_col,
                pool_col,
            } => {
                b.push(" AND (");
                b.int_in(&format!("t.{}", ident(owner_col)), &scope.owners);
                b.push(" OR ");
                b.int_in(&format!("t.{}", ident(pool_col)), &scope.pools);
                b.push(" OR t.\"id\" IN (");
                scope.team_customers(b, false);
                b.push("))");
            }
            ScopeVia::ChildOfCustomer { customer_col } => {
                child_scope(b, scope, &format!("t.{}", ident(customer_col)))?;
            }
            ScopeVia::OwnedChildOfCustomer {
                owner_col,
                customer_col,
            } => {
                // Own owner in reach, or reachable as a child of its customer.
                b.push(" AND (");
                b.int_in(&format!("t.{}", ident(owner_col)), &scope.owners);
                b.push(" OR (1 = 1");
                child_scope(b, scope, &format!("t.{}", ident(customer_col)))?;
                b.push("))");
            }
        }
    }
    if shape == Shape::Rows {
        push_page(b, query, "t");
    }
    Ok(())
}

/// ` AND <customer column> in scope`, in the shape that suits the scope's breadth.
fn child_scope(b: &mut Builder, scope: &Scope, customer: &str) -> CrmResult<()> {
    let (owner_col, pool_col) = customer_columns()?;
    let owners = scope.owners_and_actor();
    let customers = ident(Entity::Customer.spec().table);
    if scope.pools.is_empty() && owners.len() <= MAX_NARROW_CHILD_OWNERS {
        b.push(&format!(
            " AND {customer} IN (SELECT c.\"id\" FROM {customers} AS c WHERE c.\"tenant_id\" = "
        ));
        b.bind(SqlValue::Int(scope.tenant));
        b.push(" AND ");
        b.int_in(&format!("c.{}", ident(owner_col)), &owners);
        b.push(" UNION ALL ");
        scope.team_customers(b, true);
        b.push(")");
    } else {
        b.push(&format!(
            " AND (EXISTS (SELECT 1 FROM {customers} AS c WHERE c.\"tenant_id\" = t.\"tenant_id\" \
             AND c.\"id\" = {customer} AND ("
        ));
        b.int_in(&format!("c.{}", ident(owner_col)), &owners);
        b.push(" OR ");
        b.int_in(&format!("c.{}", ident(pool_col)), &scope.pools);
        b.push(&format!(")) OR {customer} IN ("));
        scope.team_customers(b, true);
        b.push("))");
    }
    Ok(())
}

/// One way a customer can be in scope.
#[derive(Debug, Clone, Copy)]
enum Branch {
    /// `owner_col = owner`.
    Owner(&'static str, i64),
    /// `pool_col = pool`.
    Pool(&'static str, i64),
    /// A live team membership of the actor.
    Team,
}

fn customer_branches(
    scope: &Scope,
    owner_col: &'static str,
    pool_col: &'static str,
) -> Vec<Branch> {
    let mut branches: Vec<Branch> = scope
        .owners
        .iter()
        .map(|o| Branch::Owner(owner_col, *o))
        .collect();
    branches.extend(scope.pools.iter().map(|p| Branch::Pool(pool_col, *p)));
    branches.push(Branch::Team);
    branches
}

/// `SELECT c.id FROM customers AS c WHERE tenant AND <branch> AND filters [AND keyset]`.
fn branch_ids(
    b: &mut Builder,
    spec: &TableSpec,
    query: &Query,
    scope: &Scope,
    branch: Branch,
    keyset: bool,
) -> CrmResult<()> {
    b.push(&format!(
        "SELECT c.\"id\" AS id FROM {} AS c WHERE c.\"tenant_id\" = ",
        ident(spec.table)
    ));
    b.bind(SqlValue::Int(query.tenant.0));
    b.push(" AND ");
    match branch {
        Branch::Owner(col, owner) => {
            b.push(&format!("c.{} = ", ident(col)));
            b.bind(SqlValue::Int(owner));
        }
        Branch::Pool(col, pool) => {
            b.push(&format!("c.{} = ", ident(col)));
            b.bind(SqlValue::Int(pool));
        }
        Branch::Team => {
            b.push("c.\"id\" IN (");
            scope.team_customers(b, false);
            b.push(")");
        }
    }
    push_filters(b, "c", &query.filters);
    if keyset {
        push_after(b, query, "c");
    }
    Ok(())
}

/// The page as the first `limit` ids of the union of each branch's first `limit` ids.
fn customer_rows_by_branch(
    b: &mut Builder,
    table: &TableSql,
    query: &Query,
    scope: &Scope,
    branches: &[Branch],
) -> CrmResult<()> {
    let spec = table.spec;
    b.push(&format!(
        "SELECT {} FROM {} AS t WHERE t.\"tenant_id\" = ",
        table.select_list,
        ident(spec.table)
    ));
    b.bind(SqlValue::Int(query.tenant.0));
    b.push(" AND t.\"id\" IN (");
    for (i, branch) in branches.iter().enumerate() {
        if i > 0 {
            b.push(" UNION ALL ");
        }
        match query.limit {
            Some(limit) => {
                b.push("SELECT id FROM (");
                branch_ids(b, spec, query, scope, *branch, true)?;
                b.push(&format!(
                    " ORDER BY c.\"id\" {} LIMIT ",
                    direction(query.order)
                ));
                b.bind(SqlValue::Int(i64::from(limit)));
                b.push(")");
            }
            None => branch_ids(b, spec, query, scope, *branch, true)?,
        }
    }
    b.push(")");
    b.push(&format!(" ORDER BY t.\"id\" {}", direction(query.order)));
    if let Some(limit) = query.limit {
        b.push(" LIMIT ");
        b.bind(SqlValue::Int(i64::from(limit)));
    }
    Ok(())
}

/// The number of distinct ids over all branches.
fn customer_count_by_branch(
    b: &mut Builder,
    table: &TableSql,
    query: &Query,
    scope: &Scope,
    branches: &[Branch],
) -> CrmResult<()> {
    b.push("SELECT COUNT(*) FROM (");
    for (i, branch) in branches.iter().enumerate() {
        if i > 0 {
            b.push(" UNION ");
        }
        branch_ids(b, table.spec, query, scope, *branch, false)?;
    }
    b.push(")");
    Ok(())
}

fn direction(order: Order) -> &'static str {
    match order {
        Order::IdAsc => "ASC",
        Order::IdDesc => "DESC",
    }
}

/// ` AND alias.id > ?` (ascending) or `< ?` (descending) when the query has a cursor.
fn push_after(b: &mut Builder, query: &Query, alias: &str) {
    if let Some(after) = query.after {
        let cmp = match query.order {
            Order::IdAsc => ">",
            Order::IdDesc => "<",
        };
        b.push(&format!(" AND {alias}.\"id\" {cmp} "));
        b.bind(SqlValue::Int(after));
    }
}

/// Keyset cursor, order and limit.
fn push_page(b: &mut Builder, query: &Query, alias: &str) {
    push_after(b, query, alias);
    b.push(&format!(
        " ORDER BY {alias}.\"id\" {}",
        direction(query.order)
    ));
    if let Some(limit) = query.limit {
        b.push(" LIMIT ");
        b.bind(SqlValue::Int(i64::from(limit)));
    }
}

/// ` AND <filter>` for each filter, on the table aliased `alias`.
fn push_filters(b: &mut Builder, alias: &str, filters: &[Filter]) {
    for filter in filters {
        let col = format!("{alias}.{}", ident(filter.column));
        let mut compare = |op: &str, value: &SqlValue| {
            b.push(&format!(" AND {col} {op} "));
            b.bind(value.clone());
        };
        match &filter.op {
            Op::Eq(v) => compare("=", v),
            Op::Ne(v) => compare("<>", v),
            Op::Lt(v) => compare("<", v),
            Op::Le(v) => compare("<=", v),
            Op::Gt(v) => compare(">", v),
            Op::Ge(v) => compare(">=", v),
            Op::In(values) => {
                b.push(" AND ");
                if values.is_empty() {
                    b.push("0");
                } else {
                    b.push(&format!("{col} IN ({})", placeholders(values.len())));
                    b.binds.extend(values.iter().cloned());
                }
            }
            Op::IsNull => b.push(&format!(" AND {col} IS NULL")),
            Op::NotNull => b.push(&format!(" AND {col} IS NOT NULL")),
            Op::Contains(needle) => {
                // instr() is case-sensitive, unlike LIKE; a NULL column gives NULL (no match).
                b.push(&format!(" AND instr({col}, "));
                b.bind(SqlValue::Text(needle.clone()));
                b.push(") > 0");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crm_core::ids::{TenantId, UserId};

    fn restricted(owners: usize, pools: usize) -> ScopeFilter {
        ScopeFilter::Restricted {
            owners: (0..owners as i64).map(UserId).collect(),
            actor: UserId(1),
            pools: (0..pools as i64).collect(),
            now: DateTime::from_timestamp_micros(1_000_000).unwrap_or_default(),
        }
    }

    #[test]
    fn binds_match_placeholders_in_every_shape() {
        for (entity, text_col) in [
            (Entity::Customer, "name"),
            (Entity::Contact, "name"),
            (Entity::TeamMember, "access"),
        ] {
            for (owners, pools) in [(0, 0), (1, 2), (20, 0), (70, 3)] {
                for limit in [None, Some(10)] {
                    let mut query = Query::new(entity, TenantId(3))
                        .filter(Filter::contains(text_col, "x"))
                        .scope(restricted(owners, pools))
                        .after(Some(5));
                    query.limit = limit;
                    for shape in [Shape::Rows, Shape::Count] {
                        let stmt =
                            build_query(query.checked().unwrap_or_else(|e| panic!("{e}")), shape)
                                .unwrap_or_else(|e| panic!("{e}"));
                        assert_eq!(
                            stmt.sql.matches('?').count(),
                            stmt.binds.len(),
                            "{}",
                            stmt.sql
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn narrow_customer_pages_read_branch_by_branch() {
        let query = Query::new(Entity::Customer, TenantId(1))
            .scope(restricted(2, 1))
            .limit(50);
        let stmt = build_query(
            query.checked().unwrap_or_else(|e| panic!("{e}")),
            Shape::Rows,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(stmt.sql.matches("UNION ALL").count(), 3);
        let broad = Query::new(Entity::Customer, TenantId(1))
            .scope(restricted(MAX_CUSTOMER_BRANCHES + 1, 0))
            .limit(50);
        let stmt = build_query(
            broad.checked().unwrap_or_else(|e| panic!("{e}")),
            Shape::Rows,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(!stmt.sql.contains("UNION"));
    }
}
