//! SQL text generated from the contract's [`TableSpec`]s: the fixed per-table statements.
//!
//! Identifiers come only from the static table specs (never from host input) and are
//! quoted; every value is a bound parameter.

use crm_core::store::{Entity, TableSpec};
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

/// The statements of an entity's table, generated from its declaration once per process.
pub(crate) fn table_sql(entity: Entity) -> &'static TableSql {
    static CELLS: [OnceLock<TableSql>; Entity::ALL.len()] =
        [const { OnceLock::new() }; Entity::ALL.len()];
    CELLS[entity.index()].get_or_init(|| TableSql::new(entity.spec()))
}

/// The tables whose `customer_col` references `customers (tenant_id, id)` (those scoped as
/// children of a customer), with that column. The migration declares exactly these keys.
pub(crate) fn customer_children() -> impl Iterator<Item = (Entity, &'static str)> {
    Entity::ALL
        .into_iter()
        .filter_map(|e| e.spec().scope.customer_col().map(|c| (e, c)))
}

/// `?, ?, …` with `n` placeholders.
pub(crate) fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn children_of_customers_name_one_of_their_columns() {
        let children: Vec<(Entity, &str)> = customer_children().collect();
        assert!(children.iter().any(|(e, _)| *e == Entity::Contact));
        for (entity, column) in children {
            assert!(entity.spec().column_index(column).is_ok(), "{entity:?}");
        }
    }
}
