//! Scopes stated as hand-built [`Predicate`] trees ([`ScopeFilter::Predicate`]): nested
//! `And`/`Or`, constants, sub-selects (nested, of nullable columns, several on one column),
//! empty `IN` lists and NULL columns select the same ids on every store, with counts and
//! keyset pages that agree; bad trees are refused by core alike.

use crate::error::CrmError;
use crate::ids::TenantId;
use crate::store::check::{rule, rule_of, MAX_PREDICATE_DEPTH};
use crate::store::predicate::ID;
use crate::store::{
    Changes, Entity, Filter, Op, Order, Predicate, Query, ScopeFilter, SqlValue, Store, StoredRow,
    Write,
};
use crate::testkit::fixture::{start, T1, T2};
use chrono::Duration;
use std::sync::Arc;

/// A row of `entity` with every indexed column NULL except `set`, and an empty body.
pub(super) fn raw_row(
    entity: Entity,
    tenant: TenantId,
    id: i64,
    set: &[(&str, SqlValue)],
) -> StoredRow {
    let columns = entity
        .spec()
        .columns
        .iter()
        .map(|c| {
            set.iter()
                .find(|(name, _)| *name == c.name)
                .map_or(SqlValue::Null, |(_, v)| v.clone())
        })
        .collect();
    StoredRow {
        entity,
        tenant,
        id,
        version: 1,
        columns,
        body: "{}".into(),
    }
}

fn int(v: i64) -> SqlValue {
    SqlValue::Int(v)
}

fn text(v: &str) -> SqlValue {
    SqlValue::Text(v.into())
}

fn cmp(column: &'static str, op: Op) -> Predicate {
    Predicate::Compare(Filter { column, op })
}

/// Customers 1–6 (owners 12, 13, none, none, 12, 20; pools 7 and 8 on 3 and 5; customer 4
/// has no name), team members (6↔12 cascading and open-ended, 2↔12 expired, 3↔13 with
/// cascade unset), contacts 101–106; tenant 2 reuses the ids with other values.
async fn seed<S: Store>(store: &S) {
    let now = start();
    let mut t1 = Changes::new(T1);
    let customers = [
        (1, Some(12_i64), None::<i64>, Some("Acme"), None::<bool>),
        (2, Some(13), None, Some("beta"), Some(false)),
        (3, None, Some(7), Some("Acme Ltd"), None),
        (4, None, None, None, Some(true)),
        (5, Some(12), Some(8), Some("客户甲"), Some(true)),
        (6, Some(20), None, Some("gamma"), Some(false)),
    ];
    for (id, owner, pool, name, locked) in customers {
        t1.writes.push(Write::Insert(raw_row(
            Entity::Customer,
            T1,
            id,
            &[
                ("owner_id", owner.into()),
                ("pool_id", pool.into()),
                ("name", name.into()),
                ("locked", locked.into()),
            ],
        )));
    }
    let members = [
        (1, 6, 12, Some(true), None),
        (2, 2, 12, Some(false), Some(now - Duration::seconds(10))),
        (3, 3, 13, None, Some(now + Duration::seconds(10))),
    ];
    for (id, customer, user, cascade, expires) in members {
        t1.writes.push(Write::Insert(raw_row(
            Entity::TeamMember,
            T1,
            id,
            &[
                ("customer_id", int(customer)),
                ("user_id", int(user)),
                ("cascade", cascade.into()),
                ("expires_at", expires.into()),
            ],
        )));
    }
    let contacts = [
        (101, 1, Some("a")),
        (102, 2, Some("b")),
        (103, 3, None),
        (104, 4, Some("d")),
        (105, 6, Some("e")),
        (106, 6, None),
    ];
    for (id, customer, name) in contacts {
        t1.writes.push(Write::Insert(raw_row(
            Entity::Contact,
            T1,
            id,
            &[("customer_id", int(customer)), ("name", name.into())],
        )));
    }
    store.apply(t1).await.expect("tenant 1");
    // Tenant 2 would match most trees below if sub-selects crossed tenants.
    let mut t2 = Changes::new(T2);
    for id in 1..=6 {
        t2.writes.push(Write::Insert(raw_row(
            Entity::Customer,
            T2,
            id,
            &[("owner_id", int(13)), ("pool_id", int(8))],
        )));
    }
    t2.writes.push(Write::Insert(raw_row(
        Entity::TeamMember,
        T2,
        1,
        &[("customer_id", int(4)), ("user_id", int(12))],
    )));
    t2.writes.push(Write::Insert(raw_row(
        Entity::Contact,
        T2,
        101,
        &[("customer_id", int(4)), ("name", text("d"))],
    )));
    store.apply(t2).await.expect("tenant 2");
}

/// The ids `tree` selects on `entity` in tenant 1; the count agrees, and reading it in
/// pages of two (both orders) gives the same ids.
pub(super) async fn ids<S: Store>(store: &S, entity: Entity, tree: Predicate) -> Vec<i64> {
    let query = Query::new(entity, T1).scope(ScopeFilter::Predicate(tree));
    let all: Vec<i64> = store
        .query(&query)
        .await
        .unwrap_or_else(|e| panic!("{query:?}: {e}"))
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(
        store.count(&query).await.expect("count"),
        all.len() as u64,
        "count of {query:?}"
    );
    for order in [Order::IdAsc, Order::IdDesc] {
        let mut paged = Vec::new();
        let mut after = None;
        loop {
            let page = query.clone().order(order).after(after).limit(2);
            let rows = store.query(&page).await.expect("page");
            let Some(last) = rows.last() else { break };
            after = Some(last.id);
            paged.extend(rows.iter().map(|r| r.id));
        }
        if order == Order::IdDesc {
            paged.reverse();
        }
        assert_eq!(paged, all, "pages ({order:?}) of {query:?}");
    }
    all
}

/// Nested `And`/`Or`, constants, empty `IN` lists and NULL columns.
pub async fn predicate_trees_follow_sql_semantics<S: Store>(store: Arc<S>) {
    seed(&*store).await;
    let s = &*store;
    let c = Entity::Customer;
    let nested = Predicate::Or(vec![
        Predicate::And(vec![
            cmp("owner_id", Op::Eq(int(12))),
            cmp("locked", Op::Eq(true.into())),
        ]),
        Predicate::And(vec![
            cmp("pool_id", Op::NotNull),
            cmp("name", Op::Contains("Acme".into())),
        ]),
    ]);
    assert_eq!(ids(s, c, nested).await, vec![3, 5]);
    assert_eq!(
        ids(s, c, Predicate::And(vec![])).await,
        (1..=6).collect::<Vec<_>>()
    );
    assert_eq!(ids(s, c, Predicate::Or(vec![])).await, Vec::<i64>::new());
    assert_eq!(ids(s, c, Predicate::False).await, Vec::<i64>::new());
    assert_eq!(
        ids(s, c, cmp("owner_id", Op::In(vec![]))).await,
        Vec::<i64>::new()
    );
    let empty_or_pool = Predicate::Or(vec![
        cmp("owner_id", Op::In(vec![])),
        cmp("pool_id", Op::Eq(int(8))),
    ]);
    assert_eq!(ids(s, c, empty_or_pool).await, vec![5]);
    let empty_and = Predicate::And(vec![cmp("owner_id", Op::In(vec![])), Predicate::True]);
    assert_eq!(ids(s, c, empty_and).await, Vec::<i64>::new());
    // NULL columns and NULL operands.
    assert_eq!(ids(s, c, cmp("owner_id", Op::IsNull)).await, vec![3, 4]);
    assert_eq!(
        ids(s, c, cmp("owner_id", Op::Eq(SqlValue::Null))).await,
        Vec::<i64>::new()
    );
    assert_eq!(
        ids(s, c, cmp("owner_id", Op::Ne(int(12)))).await,
        vec![2, 6]
    );
    assert_eq!(
        ids(s, c, cmp("owner_id", Op::In(vec![SqlValue::Null, int(13)]))).await,
        vec![2]
    );
    assert_eq!(
        ids(s, c, cmp("locked", Op::Ne(true.into()))).await,
        vec![2, 6]
    );
    // The id is a column of every table.
    assert_eq!(
        ids(s, c, cmp(ID, Op::In(vec![int(2), int(4), int(9)]))).await,
        vec![2, 4]
    );
    assert_eq!(ids(s, c, cmp(ID, Op::Gt(int(4)))).await, vec![5, 6]);
    // Any table takes a tree, including one the grants do not scope.
    let live = Predicate::Or(vec![
        cmp("cascade", Op::Eq(true.into())),
        cmp("expires_at", Op::Gt(start().into())),
    ]);
    assert_eq!(ids(s, Entity::TeamMember, live).await, vec![1, 3]);
    assert_eq!(
        ids(s, Entity::User, cmp("active", Op::IsNull)).await,
        Vec::<i64>::new()
    );
    // Deep trees just inside the bound, and sub-selects nested fifteen levels.
    let mut deep = cmp("owner_id", Op::IsNull);
    for _ in 1..MAX_PREDICATE_DEPTH {
        deep = Predicate::And(vec![deep]);
    }
    assert_eq!(ids(s, c, deep).await, vec![3, 4]);
    let mut chain = (Entity::Customer, cmp("owner_id", Op::IsNull));
    for _ in 0..15 {
        chain = match chain {
            (Entity::Customer, p) => (
                Entity::Contact,
                Predicate::in_select("customer_id", Entity::Customer, ID, p),
            ),
            (_, p) => (
                Entity::Customer,
                Predicate::in_select(ID, Entity::Contact, "customer_id", p),
            ),
        };
    }
    assert_eq!(ids(s, chain.0, chain.1).await, vec![103, 104]);
    // Wide trees: thousands of operands in one AND / OR, hundreds of sub-selects on one
    // column (SQLite bounds expression depth and compound selects).
    let wide_or = Predicate::Or((0..3_000).map(|i| cmp(ID, Op::Eq(int(i)))).collect());
    assert_eq!(ids(s, c, wide_or).await, (1..=6).collect::<Vec<_>>());
    let wide_and = Predicate::And((0..3_000).map(|i| cmp(ID, Op::Ne(int(i + 6)))).collect());
    assert_eq!(ids(s, c, wide_and).await, (1..=5).collect::<Vec<_>>());
    let many_selects = Predicate::Or(
        (0..600)
            .map(|i| {
                Predicate::in_select(
                    "customer_id",
                    Entity::Customer,
                    ID,
                    cmp(ID, Op::Eq(int(i % 7))),
                )
            })
            .collect(),
    );
    assert_eq!(
        ids(s, Entity::Contact, many_selects).await,
        (101..=106).collect::<Vec<_>>()
    );
}

/// Sub-selects: plain, nested, of a nullable column, several on one column, as lookups of
/// customers' ids; never across tenants.
pub async fn predicate_sub_selects_stay_in_the_tenant<S: Store>(store: Arc<S>) {
    seed(&*store).await;
    let s = &*store;
    let customers_where = |p| Predicate::in_select("customer_id", Entity::Customer, ID, p);
    assert_eq!(
        ids(
            s,
            Entity::Contact,
            customers_where(cmp("owner_id", Op::IsNull))
        )
        .await,
        vec![103, 104]
    );
    // Broad: a primary-key lookup per row on SQLite.
    let broad = Predicate::Or(vec![
        cmp("owner_id", Op::Eq(int(12))),
        cmp("pool_id", Op::Eq(int(7))),
    ]);
    assert_eq!(
        ids(s, Entity::Contact, customers_where(broad)).await,
        vec![101, 103]
    );
    // Nested two levels: contacts of customers 12 is a live team member of.
    let live_of_12 = Predicate::And(vec![
        cmp("user_id", Op::Eq(int(12))),
        Predicate::Or(vec![
            cmp("expires_at", Op::IsNull),
            cmp("expires_at", Op::Gt(start().into())),
        ]),
    ]);
    let nested = customers_where(Predicate::in_select(
        ID,
        Entity::TeamMember,
        "customer_id",
        live_of_12,
    ));
    assert_eq!(ids(s, Entity::Contact, nested).await, vec![105, 106]);
    // A sub-select of a nullable column: NULLs are never found.
    let unset_cascade = Predicate::in_select(
        "owner_id",
        Entity::TeamMember,
        "user_id",
        cmp("cascade", Op::IsNull),
    );
    assert_eq!(ids(s, Entity::Customer, unset_cascade).await, vec![2]);
    let null_pools = Predicate::in_select(
        "pool_id",
        Entity::Customer,
        "pool_id",
        cmp("name", Op::IsNull),
    );
    assert_eq!(
        ids(s, Entity::Customer, null_pools).await,
        Vec::<i64>::new()
    );
    // Two sub-selects on one column and a comparison.
    let two = Predicate::Or(vec![
        customers_where(cmp("owner_id", Op::Eq(int(13)))),
        Predicate::in_select(
            "customer_id",
            Entity::TeamMember,
            "customer_id",
            cmp("user_id", Op::Eq(int(12))),
        ),
        cmp("name", Op::Eq(text("d"))),
    ]);
    assert_eq!(ids(s, Entity::Contact, two).await, vec![102, 104, 105, 106]);
    // A union of lookups (per owner, per pool, ids from a sub-select), the shape SQLite
    // reads branch by branch.
    let lookups = Predicate::Or(vec![
        cmp("owner_id", Op::In(vec![int(12), int(20)])),
        cmp("pool_id", Op::Eq(int(7))),
        Predicate::in_select(
            ID,
            Entity::TeamMember,
            "customer_id",
            cmp("user_id", Op::Eq(int(13))),
        ),
    ]);
    assert_eq!(ids(s, Entity::Customer, lookups).await, vec![1, 3, 5, 6]);
    // A sub-select matching nothing, and one matching every row of its table.
    assert_eq!(
        ids(s, Entity::Contact, customers_where(Predicate::False)).await,
        Vec::<i64>::new()
    );
    assert_eq!(
        ids(
            s,
            Entity::Customer,
            Predicate::in_select(ID, Entity::Contact, "customer_id", Predicate::True)
        )
        .await,
        vec![1, 2, 3, 4, 6]
    );
}

/// Bad trees are refused by core with the same error on every store: unknown columns
/// (also inside sub-selects), mistyped operands, `IN` across column types, too deep.
pub async fn bad_predicate_trees_are_refused_alike<S: Store>(store: Arc<S>) {
    let mut deep = cmp("owner_id", Op::IsNull);
    for _ in 0..MAX_PREDICATE_DEPTH {
        deep = Predicate::And(vec![deep]);
    }
    let cases = [
        (
            Entity::Customer,
            cmp("nope", Op::IsNull),
            "nope",
            rule::UNKNOWN_COLUMN,
        ),
        (
            Entity::Contact,
            Predicate::in_select(
                "customer_id",
                Entity::Customer,
                ID,
                cmp("assignee_id", Op::IsNull),
            ),
            "assignee_id",
            rule::UNKNOWN_COLUMN,
        ),
        (
            Entity::Customer,
            cmp("owner_id", Op::Eq(text("12"))),
            "owner_id",
            rule::TYPE_MISMATCH,
        ),
        (
            Entity::Customer,
            Predicate::in_select("owner_id", Entity::Contact, "name", Predicate::True),
            "owner_id",
            rule::TYPE_MISMATCH,
        ),
        (
            Entity::Customer,
            cmp("pool_id", Op::Contains("7".into())),
            "pool_id",
            rule::NOT_TEXT,
        ),
        (
            Entity::Customer,
            cmp("name", Op::Eq(text("a\0b"))),
            "name",
            rule::NUL_IN_TEXT,
        ),
        (Entity::Customer, deep, "scope", rule::PREDICATE_TOO_DEEP),
    ];
    for (entity, tree, field, expected) in cases {
        let query = Query::new(entity, T1).scope(ScopeFilter::Predicate(tree));
        let core = query.validate().expect_err("core refuses it");
        for err in [
            store.query(&query).await.expect_err("query refused"),
            store.count(&query).await.expect_err("count refused"),
        ] {
            assert_eq!(err, core, "the store's error is core's");
            assert!(
                matches!(&err, CrmError::Validation { field: f, .. } if f == field),
                "{err:?} names {field}"
            );
            assert_eq!(rule_of(&err), Some(expected), "{err:?}");
        }
    }
}
