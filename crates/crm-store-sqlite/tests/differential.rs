//! Differential test: the SQLite store answers random filtered, scoped, paged queries
//! exactly like the in-memory reference store on the same data.

mod common;

use common::*;
use crm_core::ids::{TenantId, UserId};
use crm_core::store::{
    Changes, ColumnType, Entity, Filter, Op, Order, Query, ScopeFilter, ScopeVia, SqlValue, Store,
    StoredRow, Write,
};
use crm_core::testkit::MemoryStore;
use crm_store_sqlite::SqliteStore;

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize].clone()
    }
}

const TEXTS: [&str; 6] = ["Acme", "acme", "ACME Ltd", "beta", "客户甲", "b_x%"];

fn value(rng: &mut Rng, ty: ColumnType) -> SqlValue {
    if rng.chance(20) {
        return SqlValue::Null;
    }
    match ty {
        ColumnType::Int => SqlValue::Int(rng.below(6) as i64),
        ColumnType::Text => SqlValue::Text(rng.pick(&TEXTS).to_owned()),
        ColumnType::Time => SqlValue::Time(at(rng.below(5) as i64 * 100)),
        ColumnType::Bool => SqlValue::Bool(rng.chance(50)),
    }
}

fn random_row(rng: &mut Rng, entity: Entity, tenant: i64, id: i64, customers: i64) -> StoredRow {
    let spec = entity.spec();
    let columns = spec
        .columns
        .iter()
        .map(|c| match c.name {
            "customer_id" => SqlValue::Int(1 + rng.below(customers as u64) as i64),
            // Unique keys: keep them distinct.
            "external_ref" | "name" if entity != Entity::Customer || c.name == "external_ref" => {
                if rng.chance(50) {
                    SqlValue::Null
                } else {
                    SqlValue::Text(format!("k{id}"))
                }
            }
            "user_id" => SqlValue::Int(id),
            _ => value(rng, c.ty),
        })
        .collect();
    StoredRow {
        entity,
        tenant: TenantId(tenant),
        id,
        version: 1,
        columns,
        body: body(entity, tenant, id),
    }
}

fn random_filter(rng: &mut Rng, entity: Entity) -> Filter {
    let spec = entity.spec();
    let column = spec.columns[rng.below(spec.columns.len() as u64) as usize];
    let op = match rng.below(10) {
        0 => Op::Eq(value(rng, column.ty)),
        1 => Op::Ne(value(rng, column.ty)),
        2 => Op::Lt(value(rng, column.ty)),
        3 => Op::Le(value(rng, column.ty)),
        4 => Op::Gt(value(rng, column.ty)),
        5 => Op::Ge(value(rng, column.ty)),
        6 => Op::In((0..rng.below(4)).map(|_| value(rng, column.ty)).collect()),
        7 => Op::IsNull,
        8 => Op::NotNull,
        _ if column.ty == ColumnType::Text => Op::Contains(
            rng.pick(&["cm", "CM", "Acme", "", "_", "%", "客"])
                .to_owned(),
        ),
        _ => Op::IsNull,
    };
    Filter {
        column: column.name,
        op,
    }
}

#[tokio::test]
async fn sqlite_matches_the_memory_store_on_random_queries() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let memory = MemoryStore::new();
    let path = temp_db_path("differential");
    let sqlite = SqliteStore::open(path.to_str().expect("utf-8"))
        .await
        .expect("open");

    let customers = 40;
    for tenant in [1, 2] {
        let mut changes = Changes::new(TenantId(tenant));
        for id in 1..=customers {
            changes.writes.push(Write::Insert(random_row(
                &mut rng,
                Entity::Customer,
                tenant,
                id,
                customers,
            )));
        }
        for entity in [
            Entity::TeamMember,
            Entity::Contact,
            Entity::FollowUp,
            Entity::User,
        ] {
            for id in 1..=30 {
                changes.writes.push(Write::Insert(random_row(
                    &mut rng, entity, tenant, id, customers,
                )));
            }
        }
        memory.apply(changes.clone()).await.expect("memory seed");
        sqlite.apply(changes).await.expect("sqlite seed");
    }

    let mut nonempty = 0;
    let mut errors = 0;
    let scoped = [
        Entity::Customer,
        Entity::Contact,
        Entity::FollowUp,
        Entity::TeamMember,
        Entity::User,
    ];
    for round in 0..1500 {
        let entity = rng.pick(&scoped);
        let tenant = TenantId(1 + rng.below(2) as i64);
        let mut query = Query::new(entity, tenant);
        for _ in 0..rng.below(3) {
            query = query.filter(random_filter(&mut rng, entity));
        }
        let scopable = entity.spec().scope != ScopeVia::None;
        if rng.chance(if scopable { 60 } else { 5 }) {
            query = query.scope(ScopeFilter::Restricted {
                // Sizes on both sides of the store's narrow/broad plan thresholds.
                owners: (0..rng.pick(&[0, 1, 2, 3, 20, 70]))
                    .map(|i| UserId(if i < 6 { rng.below(6) as i64 } else { 100 + i }))
                    .collect(),
                actor: UserId(rng.below(31) as i64),
                pools: (0..rng.pick(&[0, 1, 2, 70]))
                    .map(|i| if i < 3 { rng.below(6) as i64 } else { 100 + i })
                    .collect(),
                now: at(rng.below(5) as i64 * 100),
            });
        } else if rng.chance(10) {
            query = query.scope(ScopeFilter::All);
        }
        if rng.chance(50) {
            query = query.order(Order::IdDesc);
        }
        if rng.chance(40) {
            query = query.after(Some(rng.below(35) as i64));
        }
        if rng.chance(40) {
            query = query.limit(rng.below(10) as u32);
        }
        let expected = memory.query(&query).await;
        let got = sqlite.query(&query).await;
        match (&expected, &got) {
            (Ok(e), Ok(g)) => {
                assert_eq!(e, g, "round {round}: {query:?}");
                nonempty += usize::from(!e.is_empty());
            }
            (Err(e), Err(g)) => {
                assert_eq!(e.kind(), g.kind(), "round {round}: {query:?}");
                errors += 1;
            }
            _ => panic!("round {round}: {query:?}\nmemory: {expected:?}\nsqlite: {got:?}"),
        }
        let expected = memory.count(&query).await.ok();
        assert_eq!(
            expected,
            sqlite.count(&query).await.ok(),
            "round {round}: count {query:?}"
        );
    }
    // The generator must exercise real matches, not only empty results.
    assert!(nonempty > 200, "only {nonempty} non-empty results");
    assert!(errors > 0, "no scope error exercised");
    sqlite.close().await;
    remove_db(&path);
}
