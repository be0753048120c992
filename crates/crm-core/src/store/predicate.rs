//! The data scope as one predicate tree (see `docs/adr/0016-scope-predicate-tree.md`).
//!
//! Core turns the actor's grants ([`ScopeFilter`]) and the table's declared scope shape
//! ([`ScopeVia`]) into a [`Predicate`] once, in [`ScopeFilter::predicate`]; the memory store
//! evaluates it and each SQL store renders it, without knowing what a customer, an owner
//! or a team membership is. The tree is positive (no negation), so SQL's three-valued logic
//! and the memory store's two-valued reading agree: a comparison with NULL is false.

use super::query::{Filter, Op, ScopeFilter};
use super::row::{ColumnSpec, ColumnType, Entity, ScopeVia, SqlValue, TableSpec};
use crate::error::{CrmError, CrmResult};
use crate::ids::UserId;
use chrono::{DateTime, Utc};

/// The row id, usable as a column of every table in a predicate (never NULL, `Int`).
pub const ID: &str = "id";

/// The id as a column: every table has it.
pub const ID_COLUMN: ColumnSpec = ColumnSpec {
    name: ID,
    ty: ColumnType::Int,
};

/// A condition on the rows of one table, within the query's tenant.
#[derive(Debug, Clone, PartialEq)]
pub enum Predicate {
    /// Every row.
    True,
    /// No row.
    False,
    /// All of these hold (`True` when empty).
    And(Vec<Predicate>),
    /// One of these holds (`False` when empty).
    Or(Vec<Predicate>),
    /// A comparison on a column of the row (or its [`ID`]), with [`Filter`] semantics.
    Compare(Filter),
    /// `column IN (SELECT select.column FROM select.entity WHERE <same tenant> AND
    /// select.predicate)`. A NULL in `column` matches nothing.
    InSelect {
        /// The column of this row (or [`ID`]).
        column: &'static str,
        /// What it must be found in.
        select: Box<SubSelect>,
    },
}

/// The values of one column over the rows of a table (in the query's tenant) that match a
/// predicate.
#[derive(Debug, Clone, PartialEq)]
pub struct SubSelect {
    /// The table read.
    pub entity: Entity,
    /// The column whose values are taken (or [`ID`]); NULLs are never found.
    pub column: &'static str,
    /// Which of its rows count.
    pub predicate: Predicate,
}

impl Predicate {
    /// `column IN (SELECT select_column FROM entity WHERE predicate)`.
    pub fn in_select(
        column: &'static str,
        entity: Entity,
        select_column: &'static str,
        predicate: Predicate,
    ) -> Self {
        Predicate::InSelect {
            column,
            select: Box::new(SubSelect {
                entity,
                column: select_column,
                predicate,
            }),
        }
    }

    /// Nesting depth: 1 for a leaf.
    pub fn depth(&self) -> usize {
        match self {
            Predicate::True | Predicate::False | Predicate::Compare(_) => 1,
            Predicate::And(parts) | Predicate::Or(parts) => {
                1 + parts.iter().map(Predicate::depth).max().unwrap_or(0)
            }
            Predicate::InSelect { select, .. } => 1 + select.predicate.depth(),
        }
    }

    /// The same condition in normal form: comparisons with NULL and empty `IN` lists become
    /// `False`, `IN` lists lose NULLs and are sorted without duplicates, nested `And`/`Or`
    /// are flattened, `True`/`False` absorbed, one-element `And`/`Or` unwrapped and a
    /// sub-select that matches nothing becomes `False`. Stores render and evaluate this
    /// form; it selects exactly the rows the original selects.
    pub fn simplified(&self) -> Predicate {
        match self {
            Predicate::True => Predicate::True,
            Predicate::False => Predicate::False,
            Predicate::Compare(filter) => simplify_compare(filter),
            Predicate::And(parts) => {
                let mut out = Vec::with_capacity(parts.len());
                for part in parts {
                    match part.simplified() {
                        Predicate::True => {}
                        Predicate::False => return Predicate::False,
                        Predicate::And(inner) => out.extend(inner),
                        other => out.push(other),
                    }
                }
                collapse(out, Predicate::True, Predicate::And)
            }
            Predicate::Or(parts) => {
                let mut out = Vec::with_capacity(parts.len());
                for part in parts {
                    match part.simplified() {
                        Predicate::False => {}
                        Predicate::True => return Predicate::True,
                        Predicate::Or(inner) => out.extend(inner),
                        other => out.push(other),
                    }
                }
                collapse(out, Predicate::False, Predicate::Or)
            }
            Predicate::InSelect { column, select } => match select.predicate.simplified() {
                Predicate::False => Predicate::False,
                predicate => Predicate::InSelect {
                    column,
                    select: Box::new(SubSelect {
                        entity: select.entity,
                        column: select.column,
                        predicate,
                    }),
                },
            },
        }
    }
}

fn collapse(
    mut parts: Vec<Predicate>,
    empty: Predicate,
    join: fn(Vec<Predicate>) -> Predicate,
) -> Predicate {
    match parts.len() {
        0 => empty,
        1 => parts.pop().unwrap_or(empty),
        _ => join(parts),
    }
}

fn simplify_compare(filter: &Filter) -> Predicate {
    let column = filter.column;
    match &filter.op {
        Op::Eq(SqlValue::Null)
        | Op::Ne(SqlValue::Null)
        | Op::Lt(SqlValue::Null)
        | Op::Le(SqlValue::Null)
        | Op::Gt(SqlValue::Null)
        | Op::Ge(SqlValue::Null) => Predicate::False,
        Op::In(values) => {
            let mut values: Vec<SqlValue> = values
                .iter()
                .filter(|v| !matches!(v, SqlValue::Null))
                .cloned()
                .collect();
            values.sort();
            values.dedup();
            if values.is_empty() {
                Predicate::False
            } else {
                Predicate::Compare(Filter::is_in(column, values))
            }
        }
        _ => Predicate::Compare(filter.clone()),
    }
}

/// A column of `spec` by name, [`ID`] included.
pub fn column_of(spec: &TableSpec, name: &str) -> Option<ColumnSpec> {
    if name == ID {
        return Some(ID_COLUMN);
    }
    spec.columns.iter().find(|c| c.name == name).copied()
}

/// `column IN (ids)`, sorted and without duplicates.
fn ids_in(column: &'static str, mut ids: Vec<i64>) -> Predicate {
    ids.sort_unstable();
    ids.dedup();
    Predicate::Compare(Filter::is_in(
        column,
        ids.into_iter().map(SqlValue::Int).collect(),
    ))
}

/// The grants of a restricted scope, in the form the tree is built from.
struct Grants<'a> {
    owners: Vec<i64>,
    actor: UserId,
    pools: &'a [i64],
    now: DateTime<Utc>,
}

impl Grants<'_> {
    /// The customers the actor is a live team member of (only cascading memberships when
    /// `cascade_only`): `expires_at` unset or after `now`.
    fn team_customers(&self, column: &'static str, cascade_only: bool) -> Predicate {
        let mut member = vec![Predicate::Compare(Filter::eq("user_id", self.actor.0))];
        if cascade_only {
            member.push(Predicate::Compare(Filter::eq("cascade", true)));
        }
        member.push(Predicate::Or(vec![
            Predicate::Compare(Filter::is_null("expires_at")),
            Predicate::Compare(Filter::gt("expires_at", self.now)),
        ]));
        Predicate::in_select(
            column,
            Entity::TeamMember,
            "customer_id",
            Predicate::And(member),
        )
    }

    /// A row hanging off the customer in `customer_col`: that customer's owner in the
    /// owners or the actor, the customer in a visible pool, or a live cascading membership.
    fn child_of_customer(&self, customer_col: &'static str) -> CrmResult<Predicate> {
        let (owner_col, pool_col) = customer_columns()?;
        let mut owners = self.owners.clone();
        owners.push(self.actor.0);
        Ok(Predicate::Or(vec![
            Predicate::in_select(
                customer_col,
                Entity::Customer,
                ID,
                Predicate::Or(vec![
                    ids_in(owner_col, owners),
                    ids_in(pool_col, self.pools.to_vec()),
                ]),
            ),
            self.team_customers(customer_col, true),
        ]))
    }
}

/// The owner and pool columns of the customers table, from its declared scope shape.
fn customer_columns() -> CrmResult<(&'static str, &'static str)> {
    let spec = Entity::Customer.spec();
    match spec.scope {
        ScopeVia::Customer {
            owner_col,
            pool_col,
        } => Ok((owner_col, pool_col)),
        ScopeVia::None
        | ScopeVia::ChildOfCustomer { .. }
        | ScopeVia::OwnedChildOfCustomer { .. }
        | ScopeVia::Owned { .. } => Err(CrmError::Storage(format!(
            "{} is not scoped as customers",
            spec.table
        ))),
    }
}

impl ScopeFilter {
    /// The rows of `spec`'s table this scope admits, as a tree (not yet
    /// [simplified](Predicate::simplified)):
    ///
    /// - [`ScopeFilter::All`] gives `True`;
    /// - [`ScopeFilter::Predicate`] gives the tree itself;
    /// - [`ScopeFilter::Restricted`] gives, by the table's [`ScopeVia`],
    ///   - `Customer`: owner in the owners, or pool in the pools, or the id among the
    ///     customers the actor is a live team member of;
    ///   - `ChildOfCustomer`: the customer column among the customers whose owner is in the
    ///     owners or is the actor or whose pool is in the pools, or among the customers the
    ///     actor is a live *cascading* team member of;
    ///   - `OwnedChildOfCustomer`: own owner in the owners, or as `ChildOfCustomer`;
    ///   - `Owned`: owner in the owners;
    ///   - `None`: an engine mistake (`Storage`): the table is not scoped.
    ///
    /// `now` is taken at microsecond precision (stores keep microseconds, so an expiry is
    /// after `now` exactly when it is after `now` truncated).
    pub fn predicate(&self, spec: &TableSpec) -> CrmResult<Predicate> {
        let (owners, actor, pools, now) = match self {
            ScopeFilter::All => return Ok(Predicate::True),
            ScopeFilter::Predicate(tree) => return Ok(tree.clone()),
            ScopeFilter::Restricted {
                owners,
                actor,
                pools,
                now,
            } => (owners, *actor, pools, *now),
        };
        let grants = Grants {
            owners: owners.iter().map(|u| u.0).collect(),
            actor,
            pools,
            now: DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now),
        };
        match spec.scope {
            ScopeVia::None => Err(CrmError::Storage(format!(
                "scope does not apply to {}",
                spec.table
            ))),
            ScopeVia::Customer {
                owner_col,
                pool_col,
            } => Ok(Predicate::Or(vec![
                ids_in(owner_col, grants.owners.clone()),
                ids_in(pool_col, grants.pools.to_vec()),
                grants.team_customers(ID, false),
            ])),
            ScopeVia::ChildOfCustomer { customer_col } => grants.child_of_customer(customer_col),
            ScopeVia::OwnedChildOfCustomer {
                owner_col,
                customer_col,
            } => Ok(Predicate::Or(vec![
                ids_in(owner_col, grants.owners.clone()),
                grants.child_of_customer(customer_col)?,
            ])),
            ScopeVia::Owned { owner_col } => Ok(ids_in(owner_col, grants.owners.clone())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn restricted(owners: &[i64], pools: &[i64]) -> ScopeFilter {
        ScopeFilter::Restricted {
            owners: owners.iter().copied().map(UserId).collect(),
            actor: UserId(5),
            pools: pools.to_vec(),
            now: DateTime::from_timestamp_micros(1_000_000).unwrap_or_default(),
        }
    }

    #[test]
    fn a_narrow_customer_scope_simplifies_to_owners_and_team() {
        let tree = restricted(&[3, 1, 3], &[])
            .predicate(Entity::Customer.spec())
            .unwrap_or_else(|e| panic!("{e}"))
            .simplified();
        let Predicate::Or(parts) = tree else {
            panic!("an Or: {tree:?}")
        };
        assert_eq!(
            parts.first(),
            Some(&Predicate::Compare(Filter::is_in(
                "owner_id",
                vec![SqlValue::Int(1), SqlValue::Int(3)]
            )))
        );
        assert!(matches!(
            parts.get(1),
            Some(Predicate::InSelect { column: ID, select }) if select.entity == Entity::TeamMember
        ));
        assert_eq!(parts.len(), 2);
    }

    #[test]
    fn unscoped_tables_refuse_a_restricted_scope_but_take_a_tree() {
        let users = Entity::User.spec();
        assert!(matches!(
            restricted(&[1], &[]).predicate(users),
            Err(CrmError::Storage(_))
        ));
        assert_eq!(
            ScopeFilter::All.predicate(users).ok(),
            Some(Predicate::True)
        );
        let tree = Predicate::Compare(Filter::eq("active", true));
        assert_eq!(
            ScopeFilter::Predicate(tree.clone()).predicate(users).ok(),
            Some(tree)
        );
    }

    #[test]
    fn simplification_absorbs_constants_and_nulls() {
        let p = Predicate::And(vec![
            Predicate::True,
            Predicate::Or(vec![
                Predicate::False,
                Predicate::Compare(Filter::eq("owner_id", SqlValue::Null)),
                Predicate::Compare(Filter::is_in("owner_id", vec![SqlValue::Null])),
                Predicate::in_select(ID, Entity::TeamMember, "customer_id", Predicate::False),
            ]),
        ]);
        assert_eq!(p.simplified(), Predicate::False);
        let q = Predicate::Or(vec![
            Predicate::Or(vec![Predicate::Compare(Filter::is_null("pool_id"))]),
            Predicate::And(vec![]),
        ]);
        assert_eq!(q.simplified(), Predicate::True);
        assert_eq!(q.depth(), 3);
    }
}
