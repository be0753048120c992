//! SQL generation from [`TableSpec`]s. Identifiers come only from the static schema and are
//! always quoted (`cascade` is a reserved word); every value is a bind parameter.

use crate::bind::{column_param, Param};
use crate::predicate_sql::{compare, render, Place};
use crm_core::store::{Entity, Order, Predicate, StoredRow, TableSpec, ValidQuery};
use crm_core::{ids::TenantId, CrmResult};
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
    pub(crate) fn param(&mut self, param: Param) -> String {
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
pub(crate) fn select(query: &ValidQuery<'_>) -> CrmResult<Sql> {
    let spec = query.entity.spec();
    let mut sql = Sql::new(String::new());
    let mut predicate = where_clause(&mut sql, query)?;
    if let Some(after) = query.after {
        let cursor = sql.param(Param::Int(Some(after)));
        let cmp = match query.order {
            Order::IdAsc => ">",
            Order::IdDesc => "<",
        };
        let _ = write!(predicate, " AND t.\"id\" {cmp} {cursor}");
    }
    let direction = match query.order {
        Order::IdAsc => "ASC",
        Order::IdDesc => "DESC",
    };
    let mut text = format!(
        "SELECT {} FROM {} AS t WHERE {predicate} ORDER BY t.\"id\" {direction}",
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
pub(crate) fn count(query: &ValidQuery<'_>) -> CrmResult<Sql> {
    let spec = query.entity.spec();
    let mut sql = Sql::new(String::new());
    let predicate = where_clause(&mut sql, query)?;
    sql.text = format!(
        "SELECT COUNT(*) FROM {} AS t WHERE {predicate}",
        ident(spec.table)
    );
    Ok(sql)
}

/// Tenant, filters and the scope's tree, joined by `AND`, on the table aliased `t`. The
/// tenant is always `$1`.
fn where_clause(sql: &mut Sql, query: &ValidQuery<'_>) -> CrmResult<String> {
    let spec = query.entity.spec();
    let tenant = sql.param(Param::Int(Some(query.tenant.0)));
    let mut predicate = format!("t.\"tenant_id\" = {tenant}");
    for filter in &query.filters {
        let part = compare(sql, spec, "t", filter)?;
        let _ = write!(predicate, " AND {part}");
    }
    let scope = query.predicate();
    if *scope != Predicate::True {
        let at = Place {
            spec,
            alias: "t",
            tenant: &tenant,
            level: 0,
        };
        let part = render(sql, scope, at)?;
        let _ = write!(predicate, " AND {part}");
    }
    Ok(predicate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crm_core::ids::{TenantId, UserId};
    use crm_core::store::{Query, ScopeFilter};

    fn restricted(owners: i64, pools: i64) -> ScopeFilter {
        ScopeFilter::Restricted {
            owners: (10..10 + owners).map(UserId).collect(),
            actor: UserId(10),
            pools: (1..=pools).collect(),
            now: chrono::DateTime::from_timestamp_micros(1_000_000).unwrap_or_default(),
        }
    }

    /// Every placeholder has its parameter, and every sub-select is confined to the
    /// query's tenant (`$1`).
    #[test]
    fn scoped_statements_bind_every_placeholder_and_confine_sub_selects() {
        for entity in [
            Entity::Customer,
            Entity::Contact,
            Entity::Contract,
            Entity::Ticket,
        ] {
            for (owners, pools) in [(0, 0), (2, 0), (2, 1), (70, 3)] {
                let query = Query::new(entity, TenantId(1))
                    .scope(restricted(owners, pools))
                    .after(Some(3))
                    .limit(50);
                let valid = query.checked().unwrap_or_else(|e| panic!("{e}"));
                for sql in [select(&valid), count(&valid)] {
                    let sql = sql.unwrap_or_else(|e| panic!("{e}"));
                    let highest = (1..=sql.params.len())
                        .rev()
                        .find(|n| sql.text.contains(&format!("${n}")));
                    assert_eq!(highest, Some(sql.params.len()), "{}", sql.text);
                    assert_eq!(
                        sql.text.matches("SELECT s1.").count(),
                        sql.text.matches("s1.\"tenant_id\" = $1").count(),
                        "{}",
                        sql.text
                    );
                }
            }
        }
    }
}
