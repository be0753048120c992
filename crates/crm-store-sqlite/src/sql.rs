//! SQL text generated from the contract's [`TableSpec`]s, and the translation of a [`Query`]
//! into one parameterized statement.
//!
//! Identifiers come only from the static table specs (never from host input) and are
//! quoted; every value is a bound parameter.

use crate::bind::{fits, type_name};
use crm_core::store::{
    ColumnSpec, ColumnType, Entity, Filter, Op, Order, Query, ScopeFilter, ScopeVia, SqlValue,
    TableSpec,
};
use crm_core::{CrmError, CrmResult};
use std::fmt::Write as _;
use std::sync::OnceLock;

/// SQLite's default limit on bound parameters per statement is 32766; stay well below.
pub(crate) const MAX_PARAMS: usize = 30_000;

/// Upper bound on rows per multi-row `INSERT`.
pub(crate) const MAX_ROWS_PER_INSERT: usize = 500;

/// The fixed statements of one table.
#[derive(Debug)]
pub(crate) struct TableSql {
    /// The table description.
    pub spec: &'static TableSpec,
    /// `"tenant_id", "id", "version", <columns>, "body"` qualified with `t.`.
    pub select_list: String,
    /// Select one row by tenant and id.
    pub get: String,
    /// `INSERT INTO "table" (...) VALUES` without any row tuple.
    pub insert_head: String,
    /// One `(?, ?, …)` tuple for the insert.
    pub insert_tuple: String,
    /// Parameters per inserted row.
    pub params_per_row: usize,
    /// Versioned update: binds version, columns, body, tenant, id, expected version.
    pub update: String,
    /// Versioned delete: binds tenant, id, expected version.
    pub delete: String,
}

/// A double-quoted identifier. Only ever called with names from the static specs.
pub(crate) fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl TableSql {
    fn new(spec: &'static TableSpec) -> Self {
        let table = ident(spec.table);
        let mut names: Vec<String> = vec![ident("tenant_id"), ident("id"), ident("version")];
        names.extend(spec.columns.iter().map(|c| ident(c.name)));
        names.push(ident("body"));

        let select_list = names
            .iter()
            .map(|n| format!("t.{n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let get = format!(
            "SELECT {select_list} FROM {table} AS t WHERE t.\"tenant_id\" = ? AND t.\"id\" = ?"
        );
        let insert_head = format!("INSERT INTO {table} ({}) VALUES ", names.join(", "));
        let params_per_row = names.len();
        let insert_tuple = format!("({})", vec!["?"; params_per_row].join(", "));

        let mut sets = vec![format!("{} = ?", ident("version"))];
        sets.extend(
            spec.columns
                .iter()
                .map(|c| format!("{} = ?", ident(c.name))),
        );
        sets.push(format!("{} = ?", ident("body")));
        let update = format!(
            "UPDATE {table} SET {} WHERE \"tenant_id\" = ? AND \"id\" = ? AND \"version\" = ?",
            sets.join(", ")
        );
        let delete = format!(
            "DELETE FROM {table} WHERE \"tenant_id\" = ? AND \"id\" = ? AND \"version\" = ?"
        );
        Self {
            spec,
            select_list,
            get,
            insert_head,
            insert_tuple,
            params_per_row,
            update,
            delete,
        }
    }

    /// Rows per multi-row insert statement for this table.
    pub fn rows_per_insert(&self) -> usize {
        (MAX_PARAMS / self.params_per_row).clamp(1, MAX_ROWS_PER_INSERT)
    }

    /// An `INSERT` of `rows` rows.
    pub fn insert(&self, rows: usize) -> String {
        let mut sql =
            String::with_capacity(self.insert_head.len() + rows * (self.insert_tuple.len() + 2));
        sql.push_str(&self.insert_head);
        for i in 0..rows {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&self.insert_tuple);
        }
        sql
    }
}

/// The statements of an entity's table (generated once per process). The match is
/// exhaustive so a new entity fails to compile here until the migration has its table.
pub(crate) fn table_sql(entity: Entity) -> &'static TableSql {
    static TENANT: OnceLock<TableSql> = OnceLock::new();
    static USER: OnceLock<TableSql> = OnceLock::new();
    static DEPARTMENT: OnceLock<TableSql> = OnceLock::new();
    static ROLE: OnceLock<TableSql> = OnceLock::new();
    static TEAM_MEMBER: OnceLock<TableSql> = OnceLock::new();
    static CUSTOMER: OnceLock<TableSql> = OnceLock::new();
    static CONTACT: OnceLock<TableSql> = OnceLock::new();
    static FOLLOW_UP: OnceLock<TableSql> = OnceLock::new();
    let cell = match entity {
        Entity::Tenant => &TENANT,
        Entity::User => &USER,
        Entity::Department => &DEPARTMENT,
        Entity::Role => &ROLE,
        Entity::TeamMember => &TEAM_MEMBER,
        Entity::Customer => &CUSTOMER,
        Entity::Contact => &CONTACT,
        Entity::FollowUp => &FOLLOW_UP,
    };
    cell.get_or_init(|| TableSql::new(entity.spec()))
}

/// The tables whose `customer_col` references `customers (tenant_id, id)` (those scoped as
/// children of a customer), with that column. The migration declares exactly these keys.
pub(crate) fn customer_children() -> impl Iterator<Item = (Entity, &'static str)> {
    Entity::ALL
        .into_iter()
        .filter_map(|e| match e.spec().scope {
            ScopeVia::ChildOfCustomer { customer_col } => Some((e, customer_col)),
            ScopeVia::None | ScopeVia::Customer { .. } => None,
        })
}

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

/// Translates a query into one statement over the table aliased `t`.
pub(crate) fn build_query(query: &Query, shape: Shape) -> CrmResult<Statement> {
    let table_sql = table_sql(query.entity);
    let spec = table_sql.spec;
    let mut sql = String::with_capacity(256);
    let mut binds = Vec::new();
    match shape {
        Shape::Rows => {
            let _ = write!(
                sql,
                "SELECT {} FROM {} AS t",
                table_sql.select_list,
                ident(spec.table)
            );
        }
        Shape::Count => {
            let _ = write!(sql, "SELECT COUNT(*) FROM {} AS t", ident(spec.table));
        }
    }
    sql.push_str(" WHERE t.\"tenant_id\" = ?");
    binds.push(SqlValue::Int(query.tenant.0));

    for filter in &query.filters {
        sql.push_str(" AND ");
        push_filter(&mut sql, &mut binds, spec, filter)?;
    }

    if let Some(scope) = &query.scope {
        push_scope(&mut sql, &mut binds, spec, query, scope)?;
    }

    if shape == Shape::Rows {
        let (cmp, dir) = match query.order {
            Order::IdAsc => (">", "ASC"),
            Order::IdDesc => ("<", "DESC"),
        };
        if let Some(after) = query.after {
            let _ = write!(sql, " AND t.\"id\" {cmp} ?");
            binds.push(SqlValue::Int(after));
        }
        let _ = write!(sql, " ORDER BY t.\"id\" {dir}");
        if let Some(limit) = query.limit {
            sql.push_str(" LIMIT ?");
            binds.push(SqlValue::Int(i64::from(limit)));
        }
    }
    Ok(Statement { sql, binds })
}

/// The spec of a filtered column, or a validation error naming it.
fn column_spec(spec: &TableSpec, name: &str) -> CrmResult<&'static ColumnSpec> {
    let idx = spec.column_index(name)?;
    spec.columns
        .get(idx)
        .ok_or_else(|| CrmError::validation(name, format!("not a column of {}", spec.table)))
}

fn check_operand(spec: &TableSpec, column: &ColumnSpec, value: &SqlValue) -> CrmResult<()> {
    if fits(column.ty, value) {
        Ok(())
    } else {
        Err(CrmError::validation(
            column.name,
            format!(
                "{}.{} is {}, compared with {value:?}",
                spec.table,
                column.name,
                type_name(column.ty)
            ),
        ))
    }
}

fn push_filter(
    sql: &mut String,
    binds: &mut Vec<SqlValue>,
    spec: &TableSpec,
    filter: &Filter,
) -> CrmResult<()> {
    let column = column_spec(spec, filter.column)?;
    let col = format!("t.{}", ident(column.name));
    let mut compare = |op: &str, value: &SqlValue| -> CrmResult<()> {
        check_operand(spec, column, value)?;
        let _ = write!(sql, "{col} {op} ?");
        binds.push(value.clone());
        Ok(())
    };
    match &filter.op {
        Op::Eq(v) => compare("=", v)?,
        Op::Ne(v) => compare("<>", v)?,
        Op::Lt(v) => compare("<", v)?,
        Op::Le(v) => compare("<=", v)?,
        Op::Gt(v) => compare(">", v)?,
        Op::Ge(v) => compare(">=", v)?,
        Op::In(values) => {
            if values.is_empty() {
                sql.push('0');
            } else {
                for v in values {
                    check_operand(spec, column, v)?;
                }
                let _ = write!(sql, "{col} IN ({})", placeholders(values.len()));
                binds.extend(values.iter().cloned());
            }
        }
        Op::IsNull => {
            let _ = write!(sql, "{col} IS NULL");
        }
        Op::NotNull => {
            let _ = write!(sql, "{col} IS NOT NULL");
        }
        Op::Contains(needle) => {
            if column.ty != ColumnType::Text {
                return Err(CrmError::validation(
                    column.name,
                    format!(
                        "substring match needs a Text column; {}.{} is {}",
                        spec.table,
                        column.name,
                        type_name(column.ty)
                    ),
                ));
            }
            // instr() is case-sensitive, unlike LIKE; NULL columns give NULL (no match).
            let _ = write!(sql, "instr({col}, ?) > 0");
            binds.push(SqlValue::Text(needle.clone()));
        }
    }
    Ok(())
}

/// `?, ?, …` with `n` placeholders.
pub(crate) fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// `<expr> IN (?, …)` over integers, or `0` (false) when the list is empty.
fn push_int_in(sql: &mut String, binds: &mut Vec<SqlValue>, expr: &str, values: &[i64]) {
    if values.is_empty() {
        sql.push('0');
    } else {
        let _ = write!(sql, "{expr} IN ({})", placeholders(values.len()));
        binds.extend(values.iter().map(|v| SqlValue::Int(*v)));
    }
}

fn push_scope(
    sql: &mut String,
    binds: &mut Vec<SqlValue>,
    spec: &TableSpec,
    query: &Query,
    scope: &ScopeFilter,
) -> CrmResult<()> {
    let (owners, actor, pools, now) = match scope {
        ScopeFilter::All => return Ok(()),
        ScopeFilter::Restricted {
            owners,
            actor,
            pools,
            now,
        } => (owners, *actor, pools, *now),
    };
    let owners: Vec<i64> = owners.iter().map(|u| u.0).collect();
    let tenant = SqlValue::Int(query.tenant.0);
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
            sql.push_str(" AND (");
            push_int_in(sql, binds, &format!("t.{}", ident(owner_col)), &owners);
            sql.push_str(" OR ");
            push_int_in(sql, binds, &format!("t.{}", ident(pool_col)), pools);
            sql.push_str(
                " OR t.\"id\" IN (SELECT tm.\"customer_id\" FROM \"team_members\" AS tm \
                 WHERE tm.\"tenant_id\" = ? AND tm.\"user_id\" = ? \
                 AND (tm.\"expires_at\" IS NULL OR tm.\"expires_at\" > ?)))",
            );
            binds.push(tenant);
            binds.push(SqlValue::Int(actor.0));
            binds.push(SqlValue::Time(now));
        }
        ScopeVia::ChildOfCustomer { customer_col } => {
            let col = format!("t.{}", ident(customer_col));
            let _ = write!(
                sql,
                " AND ({col} IN (SELECT c.\"id\" FROM \"customers\" AS c WHERE c.\"tenant_id\" = ? AND ("
            );
            binds.push(tenant.clone());
            push_int_in(sql, binds, "c.\"owner_id\"", &owners);
            sql.push_str(" OR c.\"owner_id\" = ? OR ");
            binds.push(SqlValue::Int(actor.0));
            push_int_in(sql, binds, "c.\"pool_id\"", pools);
            let _ = write!(
                sql,
                ")) OR {col} IN (SELECT tm.\"customer_id\" FROM \"team_members\" AS tm \
                 WHERE tm.\"tenant_id\" = ? AND tm.\"user_id\" = ? AND tm.\"cascade\" = 1 \
                 AND (tm.\"expires_at\" IS NULL OR tm.\"expires_at\" > ?)))"
            );
            binds.push(tenant);
            binds.push(SqlValue::Int(actor.0));
            binds.push(SqlValue::Time(now));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crm_core::ids::{TenantId, UserId};

    #[test]
    fn every_table_has_statements() {
        for entity in Entity::ALL {
            let sql = table_sql(entity);
            assert_eq!(sql.spec.entity, entity);
            assert_eq!(sql.params_per_row, sql.spec.columns.len() + 4);
            assert_eq!(sql.insert(2).matches('?').count(), 2 * sql.params_per_row);
            assert_eq!(sql.update.matches('?').count(), sql.spec.columns.len() + 5);
        }
    }

    #[test]
    fn binds_match_placeholders() {
        let now = chrono::DateTime::from_timestamp_micros(1_000_000).unwrap_or_default();
        let query = Query::new(Entity::Contact, TenantId(3))
            .filter(Filter::is_in("customer_id", vec![1.into(), 2.into()]))
            .filter(Filter::contains("name", "x"))
            .scope(ScopeFilter::Restricted {
                owners: vec![UserId(1), UserId(2)],
                actor: UserId(1),
                pools: vec![],
                now,
            })
            .after(Some(5))
            .limit(10);
        let stmt = build_query(&query, Shape::Rows).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(stmt.sql.matches('?').count(), stmt.binds.len());
        let count = build_query(&query, Shape::Count).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(count.sql.matches('?').count(), count.binds.len());
        assert!(!count.sql.contains("LIMIT"));
    }

    #[test]
    fn unknown_column_is_a_validation_error() {
        let query = Query::new(Entity::Customer, TenantId(1)).filter(Filter::eq("nope", 1));
        assert!(matches!(
            build_query(&query, Shape::Rows),
            Err(CrmError::Validation { .. })
        ));
    }
}
