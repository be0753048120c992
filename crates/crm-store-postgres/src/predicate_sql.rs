//! Rendering of core's [`Predicate`] trees (the data scope) and of filters into
//! PostgreSQL SQL, generically: nothing here knows customers, owners or team memberships.
//!
//! - A comparison with a value of the column's type binds it typed; `IN` binds one array
//!   (`= ANY($n)`); a substring test is `strpos(…) > 0`.
//! - `column IN (SELECT …)` stays an uncorrelated `IN` sub-select confined to the query's
//!   tenant (`$1`), which PostgreSQL runs once as a hashed sub-plan over the sub-table's
//!   index.
//!
//! Identifiers come only from the static table specs; every value is a bind parameter.

use crate::bind::{column_param, Param, PgTime};
use crate::sql::{ident, Sql};
use crm_core::store::predicate::column_of;
use crm_core::store::{ColumnSpec, ColumnType, Filter, Op, Predicate, SqlValue, TableSpec};
use crm_core::{CrmError, CrmResult};

/// `alias."column"`.
pub(crate) fn column(alias: &str, name: &str) -> String {
    format!("{alias}.{}", ident(name))
}

/// Where a tree is rendered: its table, the alias of the row it tests, the placeholder of
/// the query's tenant and the sub-select nesting level (aliases `s1`, `s2`, … below it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Place<'a> {
    /// The table the tree is on.
    pub spec: &'a TableSpec,
    /// Its alias.
    pub alias: &'a str,
    /// Placeholder of the tenant (every sub-select is confined to it).
    pub tenant: &'a str,
    /// Nesting level.
    pub level: usize,
}

/// The SQL of a (simplified) tree.
pub(crate) fn render(sql: &mut Sql, predicate: &Predicate, at: Place<'_>) -> CrmResult<String> {
    match predicate {
        Predicate::True => Ok("TRUE".to_owned()),
        Predicate::False => Ok("FALSE".to_owned()),
        Predicate::Compare(filter) => compare(sql, at.spec, at.alias, filter),
        Predicate::And(parts) => join(sql, parts, " AND ", at),
        Predicate::Or(parts) => join(sql, parts, " OR ", at),
        Predicate::InSelect {
            column: outer,
            select,
        } => {
            known(at.spec, outer)?;
            let spec = select.entity.spec();
            known(spec, select.column)?;
            let inner = format!("s{}", at.level + 1);
            let mut text = format!(
                "{} IN (SELECT {} FROM {} AS {inner} WHERE {} = {}",
                column(at.alias, outer),
                column(&inner, select.column),
                ident(spec.table),
                column(&inner, "tenant_id"),
                at.tenant
            );
            if select.predicate != Predicate::True {
                let part = render(
                    sql,
                    &select.predicate,
                    Place {
                        spec,
                        alias: &inner,
                        tenant: at.tenant,
                        level: at.level + 1,
                    },
                )?;
                text.push_str(" AND ");
                text.push_str(&part);
            }
            text.push(')');
            Ok(text)
        }
    }
}

fn join(sql: &mut Sql, parts: &[Predicate], op: &str, at: Place<'_>) -> CrmResult<String> {
    let parts = parts
        .iter()
        .map(|p| render(sql, p, at))
        .collect::<CrmResult<Vec<_>>>()?;
    Ok(format!("({})", parts.join(op)))
}

/// A column of the table (its id included); core validated the name, so a miss is an
/// engine mistake.
fn known(spec: &TableSpec, name: &str) -> CrmResult<ColumnSpec> {
    column_of(spec, name)
        .ok_or_else(|| CrmError::Storage(format!("{} has no column {name}", spec.table)))
}

/// The SQL for one comparison core validated (the column exists; operands have its type
/// or are NULL). Comparisons with NULL match nothing.
pub(crate) fn compare(
    sql: &mut Sql,
    spec: &TableSpec,
    alias: &str,
    filter: &Filter,
) -> CrmResult<String> {
    let column_spec = known(spec, filter.column)?;
    let name = column(alias, column_spec.name);
    let mut comparison = |op: &str, value: &SqlValue| -> CrmResult<String> {
        if matches!(value, SqlValue::Null) {
            return Ok("FALSE".to_owned());
        }
        let placeholder = sql.param(column_param(spec.table, &column_spec, value)?);
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
        Op::In(values) => match array(column_spec.ty, values) {
            None => Ok("FALSE".to_owned()),
            Some(array) => {
                let placeholder = sql.param(array);
                Ok(format!("{name} = ANY({placeholder})"))
            }
        },
    }
}

/// The non-NULL values of an `IN` list as one typed array, or `None` when there are none.
fn array(ty: ColumnType, values: &[SqlValue]) -> Option<Param> {
    // NULL elements never match; the others have the column's type.
    let set = values.iter().filter(|v| !matches!(v, SqlValue::Null));
    let array = match ty {
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
    (!empty).then_some(array)
}
