//! Rendering of core's [`Predicate`] trees (the data scope) into SQLite SQL, generically:
//! nothing here knows customers, owners or team memberships.
//!
//! - A comparison renders as in a filter (`instr()` for substrings; booleans as 0/1).
//! - `column IN (SELECT …)` reads the sub-select first (`IN`, each sub-select confined to the
//!   query's tenant by a bound parameter) when its rows are found by one short index lookup
//!   (one equality, or `IN` with at most [`MAX_NARROW_LOOKUP`] values); a sub-select of
//!   ids otherwise renders as a correlated `EXISTS` that looks the row up by primary key.
//! - The `IN` sub-selects of one `OR` on the same column share one `IN (… UNION ALL …)`, so
//!   SQLite drives the outer table's index from one list.
//!
//! Identifiers come only from the static table specs; every value is a bound parameter.

use crate::sql::{ident, placeholders};
use crm_core::store::predicate::ID;
use crm_core::store::{Filter, Op, Predicate, SqlValue, SubSelect};

/// Most values of the single `IN` a sub-select is read by before it is rendered as a
/// correlated `EXISTS` instead (when it selects ids).
pub(crate) const MAX_NARROW_LOOKUP: usize = 16;

/// Most operands of one flat `AND`/`OR` chain, and most sub-selects sharing one
/// `UNION ALL`: SQLite parses a chain as a nested expression (at most 1,000 deep) and allows
/// at most 500 terms in a compound select, so longer ones are split into groups.
pub(crate) const MAX_CHAIN: usize = 64;

/// SQL text with its bound values, built left to right.
#[derive(Debug, Default)]
pub(crate) struct Builder {
    /// SQL text.
    pub sql: String,
    /// Bound values, one per `?`.
    pub binds: Vec<SqlValue>,
}

impl Builder {
    /// Appends text.
    pub fn push(&mut self, text: &str) {
        self.sql.push_str(text);
    }

    /// Appends one placeholder bound to `value`.
    pub fn bind(&mut self, value: SqlValue) {
        self.sql.push('?');
        self.binds.push(value);
    }

    /// `<expr> <comparison>` for one filter operator (no leading `AND`).
    pub fn compare(&mut self, expr: &str, op: &Op) {
        let binary = |b: &mut Self, sign: &str, value: &SqlValue| {
            b.push(&format!("{expr} {sign} "));
            b.bind(value.clone());
        };
        match op {
            Op::Eq(v) => binary(self, "=", v),
            Op::Ne(v) => binary(self, "<>", v),
            Op::Lt(v) => binary(self, "<", v),
            Op::Le(v) => binary(self, "<=", v),
            Op::Gt(v) => binary(self, ">", v),
            Op::Ge(v) => binary(self, ">=", v),
            Op::In(values) if values.is_empty() => self.push("0"),
            Op::In(values) => {
                self.push(&format!("{expr} IN ({})", placeholders(values.len())));
                self.binds.extend(values.iter().cloned());
            }
            Op::IsNull => self.push(&format!("{expr} IS NULL")),
            Op::NotNull => self.push(&format!("{expr} IS NOT NULL")),
            Op::Contains(needle) => {
                // instr() is case-sensitive, unlike LIKE; a NULL column gives NULL (no match).
                self.push(&format!("instr({expr}, "));
                self.bind(SqlValue::Text(needle.clone()));
                self.push(") > 0");
            }
        }
    }
}

/// `alias."column"`.
pub(crate) fn column(alias: &str, name: &str) -> String {
    format!("{alias}.{}", ident(name))
}

/// Where a tree is rendered: the tenant of the query and the alias of the row it tests.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Place<'a> {
    /// The query's tenant (every sub-select is confined to it).
    pub tenant: i64,
    /// Alias of the table the tree is on.
    pub alias: &'a str,
    /// Sub-select nesting level (aliases `s1`, `s2`, … below it).
    pub level: usize,
}

impl Place<'_> {
    fn inner(&self) -> String {
        format!("s{}", self.level + 1)
    }
}

/// Whether a sub-select is read by one short index lookup.
fn narrow(predicate: &Predicate) -> bool {
    match predicate {
        Predicate::Compare(Filter { op: Op::Eq(_), .. }) => true,
        Predicate::Compare(Filter {
            op: Op::In(values), ..
        }) => values.len() <= MAX_NARROW_LOOKUP,
        _ => false,
    }
}

/// Whether `column IN (select)` renders as a correlated `EXISTS`.
fn as_exists(select: &SubSelect) -> bool {
    select.column == ID && !narrow(&select.predicate)
}

/// Appends the SQL of a (simplified) tree.
pub(crate) fn render(b: &mut Builder, predicate: &Predicate, at: Place<'_>) {
    match predicate {
        Predicate::True => b.push("1"),
        Predicate::False => b.push("0"),
        Predicate::Compare(filter) => b.compare(&column(at.alias, filter.column), &filter.op),
        Predicate::And(parts) => {
            let parts: Vec<Part<'_>> = parts.iter().map(Part::One).collect();
            join(b, &parts, " AND ", at);
        }
        Predicate::Or(parts) => join(b, &or_parts(parts), " OR ", at),
        Predicate::InSelect { column, select } => {
            if as_exists(select) {
                exists(b, column, select, at);
            } else {
                in_selects(b, column, &[select], at);
            }
        }
    }
}

/// One operand of an `AND`/`OR`.
enum Part<'p> {
    /// A tree rendered on its own.
    One(&'p Predicate),
    /// `column IN (sub-select UNION ALL …)`.
    InSelects(&'static str, Vec<&'p SubSelect>),
}

/// The operands of an `OR`, its `IN` sub-selects grouped by column (at the place of the
/// first of each column; at most [`MAX_CHAIN`] in a group).
fn or_parts(parts: &[Predicate]) -> Vec<Part<'_>> {
    let mut out: Vec<Part<'_>> = Vec::with_capacity(parts.len());
    for part in parts {
        match part {
            Predicate::InSelect { column, select } if !as_exists(select) => {
                let same = out.iter_mut().find_map(|p| match p {
                    Part::InSelects(c, selects) if c == column && selects.len() < MAX_CHAIN => {
                        Some(selects)
                    }
                    _ => None,
                });
                match same {
                    Some(selects) => selects.push(select),
                    None => out.push(Part::InSelects(column, vec![select])),
                }
            }
            other => out.push(Part::One(other)),
        }
    }
    out
}

/// `(p1 op p2 op …)`; more than [`MAX_CHAIN`] operands are joined in at most that many
/// parenthesized groups (recursively), so the expression stays shallow.
fn join(b: &mut Builder, parts: &[Part<'_>], op: &str, at: Place<'_>) {
    b.push("(");
    if parts.len() > MAX_CHAIN {
        for (i, group) in parts.chunks(parts.len().div_ceil(MAX_CHAIN)).enumerate() {
            if i > 0 {
                b.push(op);
            }
            join(b, group, op, at);
        }
    } else {
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                b.push(op);
            }
            match part {
                Part::One(p) => render(b, p, at),
                Part::InSelects(column, selects) => in_selects(b, column, selects, at),
            }
        }
    }
    b.push(")");
}

/// `alias.column IN (SELECT … UNION ALL SELECT …)`.
fn in_selects(b: &mut Builder, outer: &str, selects: &[&SubSelect], at: Place<'_>) {
    let inner = at.inner();
    b.push(&format!("{} IN (", column(at.alias, outer)));
    for (i, select) in selects.iter().enumerate() {
        if i > 0 {
            b.push(" UNION ALL ");
        }
        b.push(&format!(
            "SELECT {} FROM {} AS {inner} WHERE {} = ",
            column(&inner, select.column),
            ident(select.entity.spec().table),
            column(&inner, "tenant_id"),
        ));
        b.bind(SqlValue::Int(at.tenant));
        sub_predicate(b, &select.predicate, &inner, at);
    }
    b.push(")");
}

/// `EXISTS (SELECT 1 FROM table AS s WHERE s.tenant_id = alias.tenant_id AND s.id =
/// alias.column AND …)`.
fn exists(b: &mut Builder, outer: &str, select: &SubSelect, at: Place<'_>) {
    let inner = at.inner();
    b.push(&format!(
        "EXISTS (SELECT 1 FROM {} AS {inner} WHERE {} = {} AND {} = {}",
        ident(select.entity.spec().table),
        column(&inner, "tenant_id"),
        column(at.alias, "tenant_id"),
        column(&inner, select.column),
        column(at.alias, outer),
    ));
    sub_predicate(b, &select.predicate, &inner, at);
    b.push(")");
}

/// ` AND <predicate>` on the sub-select's alias (nothing for `True`).
fn sub_predicate(b: &mut Builder, predicate: &Predicate, inner: &str, at: Place<'_>) {
    if *predicate != Predicate::True {
        b.push(" AND ");
        render(
            b,
            predicate,
            Place {
                tenant: at.tenant,
                alias: inner,
                level: at.level + 1,
            },
        );
    }
}
