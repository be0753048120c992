//! Queries: every comparison, NULL semantics, ordering, keyset paging, counting.

use crate::customer::{Customer, CustomerLevel};
use crate::error::CrmError;
use crate::store::{Entity, Filter, Op, Order, Query, SqlValue, Store, StoreExt};
use crate::testkit::fixture::{start, T1, T2};
use crate::testkit::samples;
use chrono::Duration;
use std::sync::Arc;

async fn seed<S: Store>(store: &S) -> Vec<Customer> {
    let now = start();
    let mut rows = Vec::new();
    for i in 1..=9i64 {
        let mut c = samples::customer(
            T1,
            i,
            if i % 3 == 0 { None } else { Some(10 + i % 3) },
            &format!("Acme {i} Trading"),
            now,
        );
        c.level = match i % 3 {
            0 => None,
            1 => Some(CustomerLevel::A),
            _ => Some(CustomerLevel::B),
        };
        c.next_followup_at = (i % 2 == 0).then(|| now + Duration::hours(i));
        if i == 5 {
            c.name = "acme lowercase".into();
        }
        rows.push(c);
    }
    store
        .apply(samples::inserting(T1, &rows))
        .await
        .expect("seed");
    // Same shapes in tenant 2 must never show up.
    let other: Vec<Customer> = (100..=103)
        .map(|i| samples::customer(T2, i, Some(11), "Acme other", now))
        .collect();
    store
        .apply(samples::inserting(T2, &other))
        .await
        .expect("seed t2");
    rows
}

async fn ids<S: Store>(store: &S, q: Query) -> Vec<i64> {
    store
        .query(&q)
        .await
        .expect("query")
        .into_iter()
        .map(|r| r.id)
        .collect()
}

fn q(filters: Vec<Filter>) -> Query {
    let mut q = Query::new(Entity::Customer, T1);
    q.filters = filters;
    q
}

/// Each operator matches exactly the rows SQL would, NULLs included.
pub async fn filters_follow_sql_semantics<S: Store>(store: Arc<S>) {
    seed(&*store).await;
    let now = start();
    let f = |column, op| Filter { column, op };
    let cases: Vec<(Vec<Filter>, Vec<i64>)> = vec![
        (
            vec![f("owner_id", Op::Eq(SqlValue::Int(11)))],
            vec![1, 4, 7],
        ),
        (
            vec![f("owner_id", Op::Ne(SqlValue::Int(11)))],
            vec![2, 5, 8],
        ),
        (vec![f("owner_id", Op::IsNull)], vec![3, 6, 9]),
        (vec![f("owner_id", Op::NotNull)], vec![1, 2, 4, 5, 7, 8]),
        (
            vec![f(
                "owner_id",
                Op::In(vec![SqlValue::Int(12), SqlValue::Int(99)]),
            )],
            vec![2, 5, 8],
        ),
        (vec![f("owner_id", Op::In(vec![]))], vec![]),
        (vec![f("owner_id", Op::Eq(SqlValue::Null))], vec![]),
        (
            vec![f("level", Op::Eq(SqlValue::Text("A".into())))],
            vec![1, 4, 7],
        ),
        (
            vec![f(
                "next_followup_at",
                Op::Lt(SqlValue::Time(now + Duration::hours(4))),
            )],
            vec![2],
        ),
        (
            vec![f(
                "next_followup_at",
                Op::Le(SqlValue::Time(now + Duration::hours(4))),
            )],
            vec![2, 4],
        ),
        (
            vec![f(
                "next_followup_at",
                Op::Gt(SqlValue::Time(now + Duration::hours(6))),
            )],
            vec![8],
        ),
        (
            vec![f(
                "next_followup_at",
                Op::Ge(SqlValue::Time(now + Duration::hours(6))),
            )],
            vec![6, 8],
        ),
        (
            vec![f("escalation_pending", Op::Eq(SqlValue::Bool(true)))],
            vec![1, 2, 4, 5, 7, 8],
        ),
        (
            vec![f("escalation_pending", Op::Eq(SqlValue::Bool(false)))],
            vec![3, 6, 9],
        ),
        (
            vec![f("name", Op::Contains("Acme".into()))],
            vec![1, 2, 3, 4, 6, 7, 8, 9],
        ),
        (vec![f("name", Op::Contains("acme".into()))], vec![5]),
        (vec![f("name", Op::Contains("%".into()))], vec![]),
        (vec![f("name", Op::Contains("e 1 T".into()))], vec![1]),
        (
            vec![
                f("owner_id", Op::Eq(SqlValue::Int(11))),
                f("level", Op::Eq(SqlValue::Text("A".into()))),
            ],
            vec![1, 4, 7],
        ),
        (
            vec![
                f("owner_id", Op::Eq(SqlValue::Int(11))),
                f("owner_id", Op::Eq(SqlValue::Int(12))),
            ],
            vec![],
        ),
    ];
    for (filters, expected) in cases {
        let desc = format!("{filters:?}");
        assert_eq!(ids(&*store, q(filters.clone())).await, expected, "{desc}");
        assert_eq!(
            store.count(&q(filters)).await.expect("count"),
            expected.len() as u64,
            "count of {desc}"
        );
    }
}

/// Unknown columns are refused with a validation error naming the column.
pub async fn unknown_columns_are_refused<S: Store>(store: Arc<S>) {
    let err = store
        .query(&q(vec![Filter::eq("no_such_column", 1)]))
        .await
        .expect_err("must fail");
    assert!(
        matches!(&err, CrmError::Validation { field, .. } if field == "no_such_column"),
        "{err:?}"
    );
    let err = store
        .count(&q(vec![Filter::eq("body", 1)]))
        .await
        .expect_err("must fail");
    assert!(matches!(err, CrmError::Validation { .. }));
}

/// Ordering by id both ways; keyset paging visits every row once in order.
pub async fn keyset_paging_is_exact<S: Store>(store: Arc<S>) {
    seed(&*store).await;
    assert_eq!(
        ids(&*store, q(vec![]).order(Order::IdDesc)).await,
        vec![9, 8, 7, 6, 5, 4, 3, 2, 1]
    );
    assert_eq!(
        ids(
            &*store,
            q(vec![]).order(Order::IdDesc).after(Some(4)).limit(2)
        )
        .await,
        vec![3, 2]
    );
    for order in [Order::IdAsc, Order::IdDesc] {
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = ids(
                &*store,
                q(vec![Filter::not_null("owner_id")])
                    .order(order)
                    .after(after)
                    .limit(4),
            )
            .await;
            if page.is_empty() {
                break;
            }
            after = page.last().copied();
            seen.extend(page);
        }
        let mut expected = vec![1, 2, 4, 5, 7, 8];
        if order == Order::IdDesc {
            expected.reverse();
        }
        assert_eq!(seen, expected, "{order:?}");
    }
    let all: Vec<Customer> = store.load_all(&q(vec![]).limit(100)).await.expect("load");
    assert_eq!(all.len(), 9, "tenant 2 rows never appear");
    assert_eq!(
        store
            .count(&q(vec![]).limit(1).after(Some(8)))
            .await
            .expect("count"),
        9,
        "count ignores paging"
    );
}
