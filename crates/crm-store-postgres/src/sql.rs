//! SQL generation from [`TableSpec`]s. Identifiers come only from the static schema and are
//! always quoted (`cascade` is a reserved word); every value is a bind parameter.

use crate::bind::{column_param, Param, PgTime};
use crm_core::store::{
    ColumnType, Entity, Filter, Op, Order, Query, ScopeFilter, ScopeVia, SqlValue, StoredRow,
    TableSpec, ValidQuery,
};
use crm_core::{ids::TenantId, CrmError, CrmResult};
use std::fmt::Write as _;

/// A statement and its parameters, numbered `$1…` in push order.
#[derive(Debug, Clone)]
pub(crate) struct Sql {
    /// Statement text.
    pub text: String,
    /// Parameters in order.
    pub params: Vec<Param>,
}

impl Sql {
    fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            params: Vec::new(),
        }
    }

    /// Adds a parameter and returns its placeholder.
    fn param(&mut self, param: Param) -> String {
        self.params.push(param);
        format!("${}", self.params.len())
    }
}

/// A quoted identifier.
pub(crate) fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `"id", "version", <columns…>, "body"::text` — the layout `bind::decode_row` reads.
fn select_list(spec: &TableSpec) -> String {
    let mut out = String::from("\"id\", \"version\"");
    for column in spec.columns {
        let _ = write!(out, ", {}", ident(column.name));
    }
    out.push_str(", \"body\"::text");
    out
}

/// `INSERT` of a new row (core validated its tenant and column values).
pub(crate) fn insert(row: &StoredRow) -> CrmResult<Sql> {
    let spec = row.entity.spec();
    let mut sql = Sql::new(String::new());
    let mut names = String::from("\"tenant_id\", \"id\", \"version\"");
    let mut values = String::new();
    let _ = write!(
        values,
        "{}, {}, {}",
        sql.param(Param::Int(Some(row.tenant.0))),
        sql.param(Param::Int(Some(row.id))),
        sql.param(Param::Int(Some(row.version)))
    );
    for (column, value) in spec.columns.iter().zip(&row.columns) {
        let _ = write!(names, ", {}", ident(column.name));
        let placeholder = sql.param(column_param(spec.table, column, value)?);
        let _ = write!(values, ", {placeholder}");
    }
    names.push_str(", \"body\"");
    let body = sql.param(Param::Text(Some(row.body.clone())));
    let _ = write!(values, ", {body}::jsonb");
    sql.text = format!(
        "INSERT INTO {} ({names}) VALUES ({values})",
        ident(spec.table)
    );
    Ok(sql)
}

/// `UPDATE` of a row iff its stored version is `expected_version`.
pub(crate) fn update(row: &StoredRow, expected_version: i64) -> CrmResult<Sql> {
    let spec = row.entity.spec();
    let mut sql = Sql::new(String::new());
    let mut sets = format!("\"version\" = {}", sql.param(Param::Int(Some(row.version))));
    for (column, value) in spec.columns.iter().zip(&row.columns) {
        let placeholder = sql.param(column_param(spec.table, column, value)?);
        let _ = write!(sets, ", {} = {placeholder}", ident(column.name));
    }
    let body = sql.param(Param::Text(Some(row.body.clone())));
    let _ = write!(sets, ", \"body\" = {body}::jsonb");
    let tenant = sql.param(Param::Int(Some(row.tenant.0)));
    let id = sql.param(Param::Int(Some(row.id)));
    let version = sql.param(Param::Int(Some(expected_version)));
    sql.text = format!(
        "UPDATE {} SET {sets} WHERE \"tenant_id\" = {tenant} AND \"id\" = {id} AND \"version\" = {version}",
        ident(spec.table)
    );
    Ok(sql)
}

/// `DELETE` of a row iff its stored version is `expected_version`.
pub(crate) fn delete(entity: Entity, tenant: TenantId, id: i64, expected_version: i64) -> Sql {
    let mut sql = Sql::new(String::new());
    let tenant = sql.param(Param::Int(Some(tenant.0)));
    let id = sql.param(Param::Int(Some(id)));
    let version = sql.param(Param::Int(Some(expected_version)));
    sql.text = format!(
        "DELETE FROM {} WHERE \"tenant_id\" = {tenant} AND \"id\" = {id} AND \"version\" = {version}",
        ident(entity.spec().table)
    );
    sql
}

/// Raises the tenant row's version without checking it (users, departments, roles or
/// pools changed: `Changes::touches_access_config`).
pub(crate) fn bump_tenant_version(tenant: TenantId) -> Sql {
    let mut sql = Sql::new(String::new());
    let t = sql.param(Param::Int(Some(tenant.0)));
    let id = sql.param(Param::Int(Some(tenant.0)));
    sql.text = format!(
        "UPDATE {} SET \"version\" = \"version\" + 1 WHERE \"tenant_id\" = {t} AND \"id\" = {id}",
        ident(Entity::Tenant.spec().table)
    );
    sql
}

/// One row by id within a tenant.
pub(crate) fn select_by_id(entity: Entity, tenant: TenantId, id: i64) -> Sql {
    let spec = entity.spec();
    let mut sql = Sql::new(String::new());
    let tenant = sql.param(Param::Int(Some(tenant.0)));
    let id = sql.param(Param::Int(Some(id)));
    sql.text = format!(
        "SELECT {} FROM {} WHERE \"tenant_id\" = {tenant} AND \"id\" = {id}",
        select_list(spec),
        ident(spec.table)
    );
    sql
}

/// The rows of a query core validated: filters, scope, keyset cursor, order and limit.
pub(crate) fn select(query: ValidQuery<'_>) -> CrmResult<Sql> {
    let query = query.get();
    let spec = query.entity.spec();
    let mut sql = Sql::new(String::new());
    let mut predicate = where_clause(&mut sql, query)?;
    if let Some(after) = query.after {
        let cursor = sql.param(Param::Int(Some(after)));
        let cmp = match query.order {
            Order::IdAsc => ">",
            Order::IdDesc => "<",
        };
        let _ = write!(predicate, " AND \"id\" {cmp} {cursor}");
    }
    let direction = match query.order {
        Order::IdAsc => "ASC",
        Order::IdDesc => "DESC",
    };
    let mut text = format!(
        "SELECT {} FROM {} WHERE {predicate} ORDER BY \"id\" {direction}",
        select_list(spec),
        ident(spec.table)
    );
    if let Some(limit) = query.limit {
        let limit = sql.param(Param::Int(Some(i64::from(limit))));
        let _ = write!(text, " LIMIT {limit}");
    }
    sql.text = text;
    Ok(sql)
}

/// `COUNT(*)` of a validated query's rows (cursor and limit ignored).
pub(crate) fn count(query: ValidQuery<'_>) -> CrmResult<Sql> {
    let query = query.get();
    let spec = query.entity.spec();
    let mut sql = Sql::new(String::new());
    let predicate = where_clause(&mut sql, query)?;
    sql.text = format!(
        "SELECT COUNT(*) FROM {} WHERE {predicate}",
        ident(spec.table)
    );
    Ok(sql)
}

/// Tenant, filters and scope, joined by `AND`. The tenant is always `$1`.
fn where_clause(sql: &mut Sql, query: &Query) -> CrmResult<String> {
    let spec = query.entity.spec();
    let tenant = sql.param(Param::Int(Some(query.tenant.0)));
    let mut predicate = format!("\"tenant_id\" = {tenant}");
    for filter in &query.filters {
        let part = filter_sql(sql, spec, filter)?;
        let _ = write!(predicate, " AND {part}");
    }
    if let Some(scope) = &query.scope {
        if let Some(part) = scope_sql(sql, spec, &tenant, scope)? {
            let _ = write!(predicate, " AND {part}");
        }
    }
    Ok(predicate)
}

/// The SQL for one filter core validated (the column exists; operands have its type or
/// are NULL). Comparisons with NULL match nothing.
fn filter_sql(sql: &mut Sql, spec: &TableSpec, filter: &Filter) -> CrmResult<String> {
    let index = spec.column_index(filter.column)?;
    let column = spec
        .columns
        .get(index)
        .ok_or_else(|| CrmError::validation(filter.column, "not a column"))?;
    let name = ident(column.name);
    let mut comparison = |op: &str, value: &SqlValue| -> CrmResult<String> {
        if matches!(value, SqlValue::Null) {
            return Ok("FALSE".to_owned());
        }
        let placeholder = sql.param(column_param(spec.table, column, value)?);
        Ok(format!("{name} {op} {placeholder}"))
    };
    match &filter.op {
        Op::Eq(v) => comparison("=", v),
        Op::Ne(v) => comparison("<>", v),
        Op::Lt(v) => comparison("<", v),
        Op::Le(v) => comparison("<=", v),
        Op::Gt(v) => comparison(">", v),
        Op::Ge(v) => comparison(">=", v),
        Op::IsNull => Ok(format!("{name} IS NULL")),
        Op::NotNull => Ok(format!("{name} IS NOT NULL")),
        Op::Contains(needle) => {
            let placeholder = sql.param(Param::Text(Some(needle.clone())));
            Ok(format!("strpos({name}, {placeholder}) > 0"))
        }
        Op::In(values) => {
            // NULL elements never match; the others have the column's type.
            let set = values.iter().filter(|v| !matches!(v, SqlValue::Null));
            let array = match column.ty {
                ColumnType::Int => Param::Ints(
                    set.filter_map(|v| match v {
                        SqlValue::Int(i) => Some(*i),
                        _ => None,
                    })
                    .collect(),
                ),
                ColumnType::Text => Param::Texts(
                    set.filter_map(|v| match v {
                        SqlValue::Text(t) => Some(t.clone()),
                        _ => None,
                    })
                    .collect(),
                ),
                ColumnType::Time => Param::Times(
                    set.filter_map(|v| match v {
                        SqlValue::Time(t) => Some(PgTime(*t)),
                        _ => None,
                    })
                    .collect(),
                ),
                ColumnType::Bool => Param::Bools(
                    set.filter_map(|v| match v {
                        SqlValue::Bool(b) => Some(*b),
                        _ => None,
                    })
                    .collect(),
                ),
            };
            let empty = match &array {
                Param::Ints(v) => v.is_empty(),
                Param::Texts(v) => v.is_empty(),
                Param::Times(v) => v.is_empty(),
                Param::Bools(v) => v.is_empty(),
                _ => false,
            };
            if empty {
                return Ok("FALSE".to_owned());
            }
            let placeholder = sql.param(array);
            Ok(format!("{name} = ANY({placeholder})"))
        }
    }
}

/// A live team membership of the actor: `expires_at` unset or after `now`.
fn live_membership(tenant: &str, actor: &str, now: &str, cascade_only: bool) -> String {
    let team = Entity::TeamMember.spec().table;
    let cascade = if cascade_only {
        " AND \"cascade\" IS TRUE"
    } else {
        ""
    };
    format!(
        "SELECT \"customer_id\" FROM {} WHERE \"tenant_id\" = {tenant} AND \"user_id\" = {actor}{cascade} \
         AND (\"expires_at\" IS NULL OR \"expires_at\" > {now})",
        ident(team)
    )
}

/// The data-scope predicate, or `None` when the scope does not restrict.
fn scope_sql(
    sql: &mut Sql,
    spec: &TableSpec,
    tenant: &str,
    scope: &ScopeFilter,
) -> CrmResult<Option<String>> {
    let ScopeFilter::Restricted {
        owners,
        actor,
        pools,
        now,
    } = scope
    else {
        return Ok(None);
    };
    let owners = Param::Ints(owners.iter().map(|u| u.0).collect());
    let pools = Param::Ints(pools.clone());
    match spec.scope {
        ScopeVia::None => Err(CrmError::Storage(format!(
            "scope does not apply to {}",
            spec.table
        ))),
        ScopeVia::Customer {
            owner_col,
            pool_col,
        } => {
            spec.column_index(owner_col)?;
            spec.column_index(pool_col)?;
            let owners = sql.param(owners);
            let pools = sql.param(pools);
            let actor = sql.param(Param::Int(Some(actor.0)));
            let now = sql.param(Param::Time(Some(PgTime(*now))));
            Ok(Some(format!(
                "({} = ANY({owners}) OR {} = ANY({pools}) OR \"id\" IN ({}))",
                ident(owner_col),
                ident(pool_col),
                live_membership(tenant, &actor, &now, false)
            )))
        }
        ScopeVia::ChildOfCustomer { customer_col } => {
            spec.column_index(customer_col)?;
            let owners = sql.param(owners);
            let pools = sql.param(pools);
            let actor = sql.param(Param::Int(Some(actor.0)));
            let now = sql.param(Param::Time(Some(PgTime(*now))));
            let customer = ident(customer_col);
            Ok(Some(format!(
                "({customer} IN (SELECT \"id\" FROM {} WHERE \"tenant_id\" = {tenant} \
                 AND (\"owner_id\" = ANY({owners}) OR \"owner_id\" = {actor} OR \"pool_id\" = ANY({pools}))) \
                 OR {customer} IN ({}))",
                ident(Entity::Customer.spec().table),
                live_membership(tenant, &actor, &now, true)
            )))
        }
        ScopeVia::OwnedChildOfCustomer {
            owner_col,
            customer_col,
        } => {
            spec.column_index(owner_col)?;
            spec.column_index(customer_col)?;
            let own = sql.param(owners.clone());
            let owners = sql.param(owners);
            let pools = sql.param(pools);
            let actor = sql.param(Param::Int(Some(actor.0)));
            let now = sql.param(Param::Time(Some(PgTime(*now))));
            let customer = ident(customer_col);
            Ok(Some(format!(
                "({} = ANY({own}) OR {customer} IN (SELECT \"id\" FROM {} WHERE \"tenant_id\" = {tenant} \
                 AND (\"owner_id\" = ANY({owners}) OR \"owner_id\" = {actor} OR \"pool_id\" = ANY({pools}))) \
                 OR {customer} IN ({}))",
                ident(owner_col),
                ident(Entity::Customer.spec().table),
                live_membership(tenant, &actor, &now, true)
            )))
        }
    }
}
