//! Seeded pseudo-random predicate trees over a fixed small dataset: the store under test
//! selects, counts and pages exactly as the memory store (the reference semantics) does.

use super::predicates::raw_row;
use crate::ids::TenantId;
use crate::store::predicate::ID;
use crate::store::{
    Changes, ColumnType, Entity, Filter, Op, Order, Predicate, Query, ScopeFilter, SqlValue, Store,
    Write,
};
use crate::testkit::fixture::{start, T1, T2};
use crate::testkit::memory::MemoryStore;
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;

/// xorshift64: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<T: Copy>(&mut self, items: &[T], fallback: T) -> T {
        items
            .get(self.below(items.len()))
            .copied()
            .unwrap_or(fallback)
    }
}

const TEXTS: [&str; 5] = ["Acme", "acme", "beta", "客户甲", "b_x%"];
const CUSTOMERS: i64 = 24;
const ROWS: i64 = 30;
/// The tables the trees are on.
const TABLES: [Entity; 3] = [Entity::Customer, Entity::Contact, Entity::TeamMember];

fn at(seconds: i64) -> DateTime<Utc> {
    start() + Duration::seconds(seconds)
}

fn value(rng: &mut Rng, ty: ColumnType) -> SqlValue {
    if rng.chance(15) {
        return SqlValue::Null;
    }
    match ty {
        ColumnType::Int => SqlValue::Int(rng.below(6) as i64),
        ColumnType::Text => SqlValue::Text(rng.pick(&TEXTS, "").to_owned()),
        ColumnType::Time => SqlValue::Time(at(rng.below(5) as i64 * 100)),
        ColumnType::Bool => SqlValue::Bool(rng.chance(50)),
    }
}

/// Tenants 1 and 2 alike in shape, different in values: customers 1–24, contacts and team
/// members 1–30, every column random (NULL one time in seven) except references.
fn dataset(rng: &mut Rng, tenant: TenantId) -> Changes {
    let mut changes = Changes::new(tenant);
    for entity in TABLES {
        let rows = if entity == Entity::Customer {
            CUSTOMERS
        } else {
            ROWS
        };
        for id in 1..=rows {
            let set: Vec<(&str, SqlValue)> = entity
                .spec()
                .columns
                .iter()
                .map(|c| {
                    let v = match c.name {
                        "customer_id" => SqlValue::Int(1 + rng.below(CUSTOMERS as usize) as i64),
                        // Unique keys: external_ref stays NULL; (customer_id, user_id) of
                        // team members is distinct through the user.
                        "external_ref" => SqlValue::Null,
                        "user_id" => SqlValue::Int(id),
                        _ => value(rng, c.ty),
                    };
                    (c.name, v)
                })
                .collect();
            changes
                .writes
                .push(Write::Insert(raw_row(entity, tenant, id, &set)));
        }
    }
    changes
}

fn compare(rng: &mut Rng, entity: Entity) -> Predicate {
    let spec = entity.spec();
    let mut columns: Vec<(&'static str, ColumnType)> =
        spec.columns.iter().map(|c| (c.name, c.ty)).collect();
    columns.push((ID, ColumnType::Int));
    let (column, ty) = rng.pick(&columns, (ID, ColumnType::Int));
    let op = match rng.below(10) {
        0 => Op::Eq(value(rng, ty)),
        1 => Op::Ne(value(rng, ty)),
        2 => Op::Lt(value(rng, ty)),
        3 => Op::Le(value(rng, ty)),
        4 => Op::Gt(value(rng, ty)),
        5 => Op::Ge(value(rng, ty)),
        6 => Op::In((0..rng.below(4)).map(|_| value(rng, ty)).collect()),
        7 => Op::IsNull,
        8 => Op::NotNull,
        _ if ty == ColumnType::Text => {
            Op::Contains(rng.pick(&["cm", "Acme", "", "_", "客"], "").into())
        }
        _ => Op::NotNull,
    };
    Predicate::Compare(Filter { column, op })
}

/// `(outer column, inner table, inner column)` pairs of one type.
fn links(entity: Entity) -> &'static [(&'static str, Entity, &'static str)] {
    match entity {
        Entity::Customer => &[
            (ID, Entity::TeamMember, "customer_id"),
            (ID, Entity::Contact, "customer_id"),
            ("owner_id", Entity::TeamMember, "user_id"),
            ("pool_id", Entity::Customer, "pool_id"),
        ],
        Entity::Contact => &[
            ("customer_id", Entity::Customer, ID),
            ("customer_id", Entity::TeamMember, "customer_id"),
        ],
        _ => &[
            ("customer_id", Entity::Customer, ID),
            ("user_id", Entity::Customer, "owner_id"),
        ],
    }
}

fn tree(rng: &mut Rng, entity: Entity, depth: usize) -> Predicate {
    let leaf = depth >= 3 || rng.chance(35);
    if leaf {
        return match rng.below(12) {
            0 => Predicate::True,
            1 => Predicate::False,
            _ => compare(rng, entity),
        };
    }
    match rng.below(4) {
        0 => Predicate::And(
            (0..rng.below(4))
                .map(|_| tree(rng, entity, depth + 1))
                .collect(),
        ),
        1 => Predicate::Or(
            (0..rng.below(4))
                .map(|_| tree(rng, entity, depth + 1))
                .collect(),
        ),
        _ => {
            let (column, inner, select) = rng.pick(links(entity), (ID, entity, ID));
            Predicate::in_select(column, inner, select, tree(rng, inner, depth + 1))
        }
    }
}

/// An `OR` of equalities, short `IN` lists and id sub-selects: the union of lookups that
/// SQLite reads branch by branch.
fn lookups(rng: &mut Rng, entity: Entity) -> Predicate {
    let parts = (0..1 + rng.below(4))
        .map(|_| {
            let of_ids: Vec<_> = links(entity)
                .iter()
                .copied()
                .filter(|(column, _, _)| *column == ID)
                .collect();
            if !of_ids.is_empty() && rng.chance(30) {
                let (column, inner, select) = rng.pick(&of_ids, (ID, entity, ID));
                return Predicate::in_select(column, inner, select, tree(rng, inner, 2));
            }
            let column = rng.pick(&["owner_id", "pool_id", "customer_id", "user_id"], ID);
            let Some(spec) = entity.spec().columns.iter().find(|c| c.name == column) else {
                return Predicate::Compare(Filter::eq(ID, rng.below(8) as i64));
            };
            let values = (0..1 + rng.below(3)).map(|_| value(rng, spec.ty)).collect();
            Predicate::Compare(Filter::is_in(spec.name, values))
        })
        .collect();
    Predicate::Or(parts)
}

async fn read<S: Store>(store: &S, query: &Query) -> (Vec<i64>, u64) {
    let rows = store
        .query(query)
        .await
        .unwrap_or_else(|e| panic!("{query:?}: {e}"));
    let count = store.count(query).await.expect("count");
    (rows.into_iter().map(|r| r.id).collect(), count)
}

/// 400 seeded trees (nested `And`/`Or`, constants, sub-selects up to three levels, NULL
/// operands, empty `IN` lists, unions of lookups) with random order, cursor and limit: the
/// store's ids and counts equal the memory store's.
pub async fn random_predicate_trees_match_the_memory_store<S: Store>(store: Arc<S>) {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let reference = MemoryStore::new();
    for tenant in [T1, T2] {
        let changes = dataset(&mut rng, tenant);
        reference.apply(changes.clone()).await.expect("memory seed");
        store.apply(changes).await.expect("seed");
    }
    let mut nonempty = 0;
    for case in 0..400 {
        let entity = rng.pick(&TABLES, Entity::Customer);
        let predicate = if case % 4 == 0 {
            lookups(&mut rng, entity)
        } else {
            tree(&mut rng, entity, 0)
        };
        let mut query = Query::new(entity, T1).scope(ScopeFilter::Predicate(predicate));
        if rng.chance(30) {
            query = query.order(Order::IdDesc);
        }
        if rng.chance(30) {
            query = query.after(Some(rng.below(30) as i64));
        }
        if rng.chance(40) {
            query = query.limit(1 + rng.below(5) as u32);
        }
        let expected = read(&reference, &query).await;
        nonempty += usize::from(!expected.0.is_empty());
        assert_eq!(
            read(&*store, &query).await,
            expected,
            "case {case}: {query:?}"
        );
    }
    assert!(
        nonempty > 100,
        "the trees select something ({nonempty} of 400)"
    );
}
