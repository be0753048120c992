//! Validation of a [`Query`]: its columns, operand types and bounds, its limit and its
//! scope, turned into one [`Predicate`] tree and checked like the filters.

use super::rule;
use super::value::{
    check_text, check_value, refuse, MAX_FILTER_VALUES, MAX_LIMIT, MAX_PREDICATE_DEPTH,
};
use crate::error::CrmResult;
use crate::store::predicate::{column_of, Predicate};
use crate::store::query::{Filter, Op, Query, ScopeFilter};
use crate::store::row::{ColumnSpec, ColumnType, TableSpec};

/// A query core has validated, with its scope as a [simplified](Predicate::simplified)
/// predicate tree; stores receive only these (see [`Query::checked`]).
#[derive(Debug, Clone)]
pub struct ValidQuery<'a> {
    query: &'a Query,
    predicate: Predicate,
}

impl<'a> ValidQuery<'a> {
    /// The validated query.
    pub fn get(&self) -> &'a Query {
        self.query
    }

    /// The rows the query's scope admits, as one simplified tree on the queried table
    /// (`True` when unrestricted). Stores evaluate or render this, never the
    /// [`ScopeFilter`] itself.
    pub fn predicate(&self) -> &Predicate {
        &self.predicate
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
    /// a `limit` between 1 and [`MAX_LIMIT`]. The scope becomes a [`Predicate`]
    /// ([`ScopeFilter::predicate`]) checked the same way, each sub-select against its own
    /// table, with matching column types on both sides of `IN` and at most
    /// [`MAX_PREDICATE_DEPTH`] levels; a tree given as [`ScopeFilter::Predicate`] also
    /// counts its values and nodes towards [`MAX_FILTER_VALUES`]. A restricted scope on a
    /// table that is not scoped is an engine mistake (`Storage`).
    pub fn validate(&self) -> CrmResult<()> {
        self.checked_predicate().map(|_| ())
    }

    /// [`Query::validate`], giving the token stores take.
    pub fn checked(&self) -> CrmResult<ValidQuery<'_>> {
        let predicate = self.checked_predicate()?;
        Ok(ValidQuery {
            query: self,
            predicate: predicate.simplified(),
        })
    }

    /// Validates everything; returns the scope's tree (not yet simplified).
    fn checked_predicate(&self) -> CrmResult<Predicate> {
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
        let predicate = match &self.scope {
            None => Predicate::True,
            Some(scope) => scope.predicate(spec)?,
        };
        // A tree built from grants is the engine's own (an org may have more users than
        // a filter may name values); a tree the caller states is bounded like filters.
        let bounded = matches!(&self.scope, Some(ScopeFilter::Predicate(_)));
        let size = check_predicate(spec, &predicate, 1, bounded)?;
        if bounded && values.saturating_add(size) > MAX_FILTER_VALUES {
            return Err(too_many("scope"));
        }
        Ok(predicate)
    }
}

fn too_many(field: &str) -> crate::error::CrmError {
    refuse(
        field,
        rule::TOO_MANY_VALUES,
        format!(
            "the filters and the scope's tree compare with more than {MAX_FILTER_VALUES} values"
        ),
    )
}

/// Checks a tree on `spec`'s table at nesting level `depth`; returns its size (values
/// compared with, and one per node that compares with none). `bounded`: refuse sizes
/// above [`MAX_FILTER_VALUES`] on the way.
fn check_predicate(
    spec: &TableSpec,
    predicate: &Predicate,
    depth: usize,
    bounded: bool,
) -> CrmResult<usize> {
    if depth > MAX_PREDICATE_DEPTH {
        return Err(refuse(
            "scope",
            rule::PREDICATE_TOO_DEEP,
            format!("the scope nests deeper than {MAX_PREDICATE_DEPTH} levels"),
        ));
    }
    match predicate {
        Predicate::True | Predicate::False => Ok(1),
        Predicate::And(parts) | Predicate::Or(parts) => {
            let mut size = 1usize;
            for part in parts {
                size = size.saturating_add(check_predicate(spec, part, depth + 1, bounded)?);
                if bounded && size > MAX_FILTER_VALUES {
                    return Err(too_many("scope"));
                }
            }
            Ok(size)
        }
        Predicate::Compare(filter) => {
            let column = known_column(spec, filter.column, column_of(spec, filter.column))?;
            let max_in = if bounded {
                MAX_FILTER_VALUES
            } else {
                usize::MAX
            };
            check_op(spec, column, &filter.op, max_in).map(|n| n.max(1))
        }
        Predicate::InSelect { column, select } => {
            let outer = known_column(spec, column, column_of(spec, column))?;
            let inner_spec = select.entity.spec();
            let inner = known_column(
                inner_spec,
                select.column,
                column_of(inner_spec, select.column),
            )?;
            if outer.ty != inner.ty {
                return Err(refuse(
                    outer.name,
                    rule::TYPE_MISMATCH,
                    format!(
                        "{}.{} is {}, the sub-select gives {}.{} of type {}",
                        spec.table,
                        outer.name,
                        outer.ty.name(),
                        inner_spec.table,
                        inner.name,
                        inner.ty.name()
                    ),
                ));
            }
            check_predicate(inner_spec, &select.predicate, depth + 1, bounded)
                .map(|n| n.saturating_add(1))
        }
    }
}

fn known_column(spec: &TableSpec, name: &str, found: Option<ColumnSpec>) -> CrmResult<ColumnSpec> {
    found.ok_or_else(|| {
        refuse(
            name,
            rule::UNKNOWN_COLUMN,
            format!("{} has no column {name}", spec.table),
        )
    })
}

/// Checks one filter; returns how many values it compares with.
fn check_filter(spec: &TableSpec, filter: &Filter) -> CrmResult<usize> {
    let found = spec
        .columns
        .iter()
        .find(|c| c.name == filter.column)
        .copied();
    let column = known_column(spec, filter.column, found)?;
    check_op(spec, column, &filter.op, MAX_FILTER_VALUES)
}

/// Checks one comparison on `column` (an `IN` list holds at most `max_in` values); returns
/// how many values it compares with.
fn check_op(spec: &TableSpec, column: ColumnSpec, op: &Op, max_in: usize) -> CrmResult<usize> {
    let place = format!("{}.{}", spec.table, column.name);
    let operand = |v| check_value(column.name, &place, column.ty, v);
    match op {
        Op::Eq(v) | Op::Ne(v) | Op::Lt(v) | Op::Le(v) | Op::Gt(v) | Op::Ge(v) => {
            operand(v).map(|()| 1)
        }
        Op::In(values) => {
            if values.len() > max_in {
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
