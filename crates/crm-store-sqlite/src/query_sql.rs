//! Translation of a [`ValidQuery`] into one parameterized statement, with the data scope
//! (core's [`Predicate`] tree, rendered by [`crate::predicate_sql`]) pushed into SQL in a
//! shape SQLite runs fast.
//!
//! The result of every shape is the same (the conformance and differential tests hold all
//! of them to the in-memory store); only the plan differs:
//!
//! - **A scope that is a union of lookups** (each operand of its top `OR` an equality or an
//!   `IN` list on a column, or the id in a sub-select; at most [`MAX_LOOKUP_BRANCHES`]
//!   values and a few sub-selects in all — the customers of a narrow scope: per owner, per
//!   pool, the actor's team memberships): one branch per value and per sub-select, each
//!   reading its first `limit` ids from an index ordered by `(tenant_id, column, id)`; the
//!   page is the first `limit` of their union. Cost grows with the number of branches, not
//!   the size of the table.
//! - **Otherwise** (broad scopes, children of customers): one scan in id order with the
//!   scope as a predicate; see [`crate::predicate_sql`] for how sub-selects render (read
//!   first through the `(tenant_id, customer_id)` index when narrow, a primary-key
//!   `EXISTS` per row when broad).
//!
//! Identifiers come only from the static table specs; every value is a bound parameter.

use crate::predicate_sql::{column, render, Builder, Place};
use crate::sql::{ident, table_sql, TableSql};
use crm_core::store::predicate::ID;
use crm_core::store::{Filter, Op, Order, Predicate, Query, SqlValue, TableSpec, ValidQuery};
use crm_core::CrmResult;

/// Most values of a scope's lookups for which a page is read branch by branch.
pub(crate) const MAX_LOOKUP_BRANCHES: usize = 64;

/// Most sub-select branches of a page read branch by branch.
const MAX_LOOKUP_SELECTS: usize = 8;

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

/// The scope as branches whose union it is, when each is an index lookup: an equality on a
/// column (an `IN` list gives one per value) or the id in a sub-select.
fn lookup_branches(scope: &Predicate) -> Option<Vec<Predicate>> {
    let parts = match scope {
        Predicate::Or(parts) => parts.as_slice(),
        Predicate::True | Predicate::False | Predicate::And(_) => return None,
        one => std::slice::from_ref(one),
    };
    let mut branches = Vec::new();
    let mut values = 0usize;
    let mut selects = 0usize;
    for part in parts {
        match part {
            Predicate::Compare(Filter {
                column,
                op: Op::Eq(v),
            }) => {
                values += 1;
                branches.push(Predicate::Compare(Filter::eq(column, v.clone())));
            }
            Predicate::Compare(Filter {
                column,
                op: Op::In(vs),
            }) => {
                values += vs.len();
                branches.extend(
                    vs.iter()
                        .map(|v| Predicate::Compare(Filter::eq(column, v.clone()))),
                );
            }
            Predicate::InSelect { column: ID, .. } => {
                selects += 1;
                branches.push(part.clone());
            }
            _ => return None,
        }
        if values > MAX_LOOKUP_BRANCHES || selects > MAX_LOOKUP_SELECTS {
            return None;
        }
    }
    Some(branches)
}

/// Translates a query core validated (columns, operand types and bounds, scope tree)
/// into one statement.
pub(crate) fn build_query(query: &ValidQuery<'_>, shape: Shape) -> CrmResult<Statement> {
    let table = table_sql(query.entity);
    let scope = query.predicate();
    let mut b = Builder::default();
    match lookup_branches(scope) {
        Some(branches) => match shape {
            Shape::Rows => rows_by_branch(&mut b, table, query, &branches),
            Shape::Count => count_by_branch(&mut b, table, query, &branches),
        },
        None => plain(&mut b, table, query, scope, shape),
    }
    Ok(Statement {
        sql: b.sql,
        binds: b.binds,
    })
}

/// `SELECT … FROM table AS t WHERE tenant AND filters AND scope [keyset, order, limit]`.
fn plain(b: &mut Builder, table: &TableSql, query: &Query, scope: &Predicate, shape: Shape) {
    match shape {
        Shape::Rows => b.push(&format!("SELECT {} FROM ", table.select_list)),
        Shape::Count => b.push("SELECT COUNT(*) FROM "),
    }
    b.push(&format!(
        "{} AS t WHERE t.\"tenant_id\" = ",
        ident(table.spec.table)
    ));
    b.bind(SqlValue::Int(query.tenant.0));
    push_filters(b, "t", &query.filters);
    push_scope(b, query, scope, "t");
    if shape == Shape::Rows {
        push_page(b, query, "t");
    }
}

/// ` AND <scope>` on the table aliased `alias` (nothing when unrestricted).
fn push_scope(b: &mut Builder, query: &Query, scope: &Predicate, alias: &str) {
    if *scope != Predicate::True {
        b.push(" AND ");
        render(
            b,
            scope,
            Place {
                tenant: query.tenant.0,
                alias,
                level: 0,
            },
        );
    }
}

/// `SELECT c.id FROM table AS c WHERE tenant AND <branch> AND filters [AND keyset]`.
fn branch_ids(b: &mut Builder, spec: &TableSpec, query: &Query, branch: &Predicate, keyset: bool) {
    b.push(&format!(
        "SELECT {} AS id FROM {} AS c WHERE c.\"tenant_id\" = ",
        column("c", ID),
        ident(spec.table)
    ));
    b.bind(SqlValue::Int(query.tenant.0));
    push_scope(b, query, branch, "c");
    push_filters(b, "c", &query.filters);
    if keyset {
        push_after(b, query, "c");
    }
}

/// The page as the first `limit` ids of the union of each branch's first `limit` ids.
fn rows_by_branch(b: &mut Builder, table: &TableSql, query: &Query, branches: &[Predicate]) {
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
                branch_ids(b, spec, query, branch, true);
                b.push(&format!(
                    " ORDER BY c.\"id\" {} LIMIT ",
                    direction(query.order)
                ));
                b.bind(SqlValue::Int(i64::from(limit)));
                b.push(")");
            }
            None => branch_ids(b, spec, query, branch, true),
        }
    }
    b.push(")");
    b.push(&format!(" ORDER BY t.\"id\" {}", direction(query.order)));
    if let Some(limit) = query.limit {
        b.push(" LIMIT ");
        b.bind(SqlValue::Int(i64::from(limit)));
    }
}

/// The number of distinct ids over all branches.
fn count_by_branch(b: &mut Builder, table: &TableSql, query: &Query, branches: &[Predicate]) {
    b.push("SELECT COUNT(*) FROM (");
    for (i, branch) in branches.iter().enumerate() {
        if i > 0 {
            b.push(" UNION ");
        }
        branch_ids(b, table.spec, query, branch, false);
    }
    b.push(")");
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
        b.push(" AND ");
        b.compare(&column(alias, filter.column), &filter.op);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::predicate_sql::MAX_NARROW_LOOKUP;
    use chrono::DateTime;
    use crm_core::ids::{TenantId, UserId};
    use crm_core::store::{Entity, ScopeFilter};

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
                            build_query(&query.checked().unwrap_or_else(|e| panic!("{e}")), shape)
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
            &query.checked().unwrap_or_else(|e| panic!("{e}")),
            Shape::Rows,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(stmt.sql.matches("UNION ALL").count(), 3);
        let broad = Query::new(Entity::Customer, TenantId(1))
            .scope(restricted(MAX_LOOKUP_BRANCHES + 1, 0))
            .limit(50);
        let stmt = build_query(
            &broad.checked().unwrap_or_else(|e| panic!("{e}")),
            Shape::Rows,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(!stmt.sql.contains("UNION"));
    }

    fn sql(entity: Entity, scope: ScopeFilter) -> String {
        let query = Query::new(entity, TenantId(1)).scope(scope).limit(50);
        build_query(
            &query.checked().unwrap_or_else(|e| panic!("{e}")),
            Shape::Rows,
        )
        .unwrap_or_else(|e| panic!("{e}"))
        .sql
    }

    #[test]
    fn child_scopes_read_narrow_lists_first_and_broad_ones_by_primary_key() {
        for entity in [Entity::Contact, Entity::Ticket] {
            let narrow = sql(entity, restricted(2, 0));
            assert!(narrow.contains("UNION ALL"), "{narrow}");
            assert!(!narrow.contains("EXISTS"), "{narrow}");
            let with_pools = sql(entity, restricted(2, 1));
            assert!(
                with_pools.contains("EXISTS (SELECT 1 FROM \"customers\""),
                "{with_pools}"
            );
            let broad = sql(entity, restricted(MAX_NARROW_LOOKUP + 1, 0));
            assert!(broad.contains("EXISTS"), "{broad}");
        }
    }

    #[test]
    fn unrestricted_and_empty_scopes_add_no_sub_select() {
        let all = sql(Entity::Contact, ScopeFilter::All);
        assert!(!all.contains("SELECT 1") && !all.contains(" IN ("), "{all}");
        let nothing = sql(
            Entity::Contact,
            ScopeFilter::Predicate(Predicate::Or(vec![])),
        );
        assert!(nothing.contains(" AND 0"), "{nothing}");
    }
}
