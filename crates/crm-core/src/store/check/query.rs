//! Validation of a [`Query`]: its columns, operand types and bounds, its limit and whether
//! its scope applies to the table.

use super::rule;
use super::value::{check_text, check_value, refuse, MAX_FILTER_VALUES, MAX_LIMIT};
use crate::error::{CrmError, CrmResult};
use crate::store::query::{Filter, Op, Query, ScopeFilter};
use crate::store::row::{ColumnType, ScopeVia, TableSpec};

/// A query core has validated; stores receive only these (see [`Query::checked`]).
#[derive(Debug, Clone, Copy)]
pub struct ValidQuery<'a> {
    query: &'a Query,
}

impl<'a> ValidQuery<'a> {
    /// The validated query.
    pub fn get(&self) -> &'a Query {
        self.query
    }
}

impl std::ops::Deref for ValidQuery<'_> {
    type Target = Query;
    fn deref(&self) -> &Query {
        self.query
    }
}

impl Query {
    /// Checks the query against its table's [`TableSpec`]: every filter names a column of
    /// the table and compares it with values of the column's type that a store can hold
    /// (no NUL, text within bounds, instants in range at microsecond precision); a
    /// substring test needs a `Text` column; at most [`MAX_FILTER_VALUES`] values in all;
    /// a `limit` between 1 and [`MAX_LIMIT`]. A restricted scope on a table that is not
    /// scoped is an engine mistake (`Storage`).
    pub fn validate(&self) -> CrmResult<()> {
        let spec = self.entity.spec();
        let mut values = 0usize;
        for filter in &self.filters {
            values = values.saturating_add(check_filter(spec, filter)?);
            if values > MAX_FILTER_VALUES {
                return Err(refuse(
                    filter.column,
                    rule::TOO_MANY_VALUES,
                    format!("the filters compare with more than {MAX_FILTER_VALUES} values"),
                ));
            }
        }
        if let Some(limit) = self.limit {
            if limit == 0 || limit > MAX_LIMIT {
                return Err(refuse(
                    "limit",
                    rule::LIMIT_OUT_OF_RANGE,
                    format!("limit {limit}, must be 1 to {MAX_LIMIT}"),
                ));
            }
        }
        if let (Some(ScopeFilter::Restricted { .. }), ScopeVia::None) = (&self.scope, spec.scope) {
            return Err(CrmError::Storage(format!(
                "scope does not apply to {}",
                spec.table
            )));
        }
        Ok(())
    }

    /// [`Query::validate`], giving the token stores take.
    pub fn checked(&self) -> CrmResult<ValidQuery<'_>> {
        self.validate()?;
        Ok(ValidQuery { query: self })
    }
}

/// Checks one filter; returns how many values it compares with.
fn check_filter(spec: &TableSpec, filter: &Filter) -> CrmResult<usize> {
    let column = spec
        .columns
        .iter()
        .find(|c| c.name == filter.column)
        .ok_or_else(|| {
            refuse(
                filter.column,
                rule::UNKNOWN_COLUMN,
                format!("{} has no column {}", spec.table, filter.column),
            )
        })?;
    let place = format!("{}.{}", spec.table, column.name);
    let operand = |v| check_value(column.name, &place, column.ty, v);
    match &filter.op {
        Op::Eq(v) | Op::Ne(v) | Op::Lt(v) | Op::Le(v) | Op::Gt(v) | Op::Ge(v) => {
            operand(v).map(|()| 1)
        }
        Op::In(values) => {
            if values.len() > MAX_FILTER_VALUES {
                return Err(refuse(
                    column.name,
                    rule::TOO_MANY_VALUES,
                    format!(
                        "{place} IN with {} values, at most {MAX_FILTER_VALUES}",
                        values.len()
                    ),
                ));
            }
            values.iter().try_for_each(operand)?;
            Ok(values.len())
        }
        Op::IsNull | Op::NotNull => Ok(0),
        Op::Contains(needle) if column.ty == ColumnType::Text => {
            check_text(column.name, &place, needle).map(|()| 1)
        }
        Op::Contains(_) => Err(refuse(
            column.name,
            rule::NOT_TEXT,
            format!("substring test on {place}, which is {}", column.ty.name()),
        )),
    }
}
