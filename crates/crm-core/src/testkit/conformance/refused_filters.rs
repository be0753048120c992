//! Mistyped and out-of-range filters: core refuses them before any store builds SQL, so
//! every store answers with the identical error (kind, field, rule); values just inside
//! each bound pass and return the right rows.

use crate::error::CrmError;
use crate::store::check::{rule_of, MAX_FILTER_VALUES, MAX_LIMIT, MAX_TEXT_BYTES, MIN_TIME_MICROS};
use crate::store::{Entity, Filter, Op, Query, SqlValue, Store};
use crate::testkit::fixture::{start, T1};
use crate::testkit::samples;
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;

/// Customers 1..=4 owned by 11 and 12 in turn, created one hour apart from `start()`.
async fn seed<S: Store>(store: &S) {
    let now = start();
    let rows: Vec<_> = (1..=4i64)
        .map(|i| {
            let mut c = samples::customer(T1, i, Some(10 + 2 - i % 2), &format!("C{i}"), now);
            c.created_at = now + Duration::hours(i);
            c
        })
        .collect();
    store
        .apply(samples::inserting(T1, &rows))
        .await
        .expect("seed");
}

fn q(filters: Vec<Filter>) -> Query {
    let mut q = Query::new(Entity::Customer, T1);
    q.filters = filters;
    q
}

async fn ids<S: Store>(store: &S, query: &Query) -> Vec<i64> {
    let rows = store.query(query).await.expect("query passes");
    let count = store.count(query).await.expect("count passes");
    if query.limit.is_none() {
        assert_eq!(count, rows.len() as u64, "count of {query:?}");
    }
    rows.into_iter().map(|r| r.id).collect()
}

/// `query` and `count` both refuse `query` with exactly core's error, naming `field` and
/// `rule`.
async fn refused<S: Store>(store: &S, query: &Query, field: &str, rule: &str) {
    let expected = query.validate().expect_err("core refuses it");
    for err in [
        store.query(query).await.expect_err("query refused"),
        store.count(query).await.expect_err("count refused"),
    ] {
        assert_eq!(err, expected, "the store's error is core's");
        assert!(
            matches!(&err, CrmError::Validation { field: f, .. } if f == field),
            "{err:?} names {field}"
        );
        assert_eq!(rule_of(&err), Some(rule), "{err:?}");
    }
}

fn at(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

/// Unknown columns, values of another type and substring tests on non-text columns are
/// `Validation` errors naming the column and the rule, on every store alike.
pub async fn mistyped_filters_are_refused_alike<S: Store>(store: Arc<S>) {
    seed(&*store).await;
    let f = |column, op| Filter { column, op };
    let cases = [
        (f("no_such", Op::Eq(SqlValue::Int(1))), "unknown_column"),
        (f("owner_id", Op::Eq("11".into())), "type_mismatch"),
        (f("owner_id", Op::Lt(SqlValue::Bool(true))), "type_mismatch"),
        (f("name", Op::Eq(SqlValue::Int(1))), "type_mismatch"),
        (
            f("created_at", Op::Ge("2026-03-02".into())),
            "type_mismatch",
        ),
        (f("locked", Op::Eq(SqlValue::Int(0))), "type_mismatch"),
        (
            f("owner_id", Op::In(vec![SqlValue::Int(11), "12".into()])),
            "type_mismatch",
        ),
        (f("owner_id", Op::Contains("1".into())), "not_text"),
        (f("created_at", Op::Contains("2026".into())), "not_text"),
    ];
    for (filter, rule) in cases {
        let column = filter.column;
        refused(&*store, &q(vec![filter]), column, rule).await;
    }
    // The same filters with values of the column's type (or NULL) pass.
    assert_eq!(
        ids(&*store, &q(vec![Filter::eq("owner_id", 11)])).await,
        vec![1, 3]
    );
    assert_eq!(
        ids(
            &*store,
            &q(vec![f(
                "owner_id",
                Op::In(vec![SqlValue::Int(12), SqlValue::Null])
            )])
        )
        .await,
        vec![2, 4]
    );
    assert_eq!(
        ids(&*store, &q(vec![Filter::contains("name", "3")])).await,
        vec![3]
    );
    assert_eq!(
        ids(&*store, &q(vec![Filter::eq("locked", false)])).await,
        vec![1, 2, 3, 4]
    );
}

/// Limits, `In` lists, instants and texts at and past their bounds: just inside passes
/// with the right rows, just outside is the same `Validation` error on every store.
pub async fn out_of_range_filters_are_refused_alike<S: Store>(store: Arc<S>) {
    seed(&*store).await;
    // limit: 1 ..= MAX_LIMIT.
    refused(&*store, &q(vec![]).limit(0), "limit", "limit_out_of_range").await;
    refused(
        &*store,
        &q(vec![]).limit(MAX_LIMIT + 1),
        "limit",
        "limit_out_of_range",
    )
    .await;
    assert_eq!(ids(&*store, &q(vec![]).limit(1)).await, vec![1]);
    assert_eq!(
        ids(&*store, &q(vec![]).limit(MAX_LIMIT)).await,
        vec![1, 2, 3, 4]
    );

    // At most MAX_FILTER_VALUES values in all filters.
    let owners =
        |n: usize| -> Vec<SqlValue> { (0..n as i64).map(|i| SqlValue::Int(12 + i * 7)).collect() };
    let full = Filter::is_in("owner_id", owners(MAX_FILTER_VALUES));
    assert_eq!(ids(&*store, &q(vec![full.clone()])).await, vec![2, 4]);
    refused(
        &*store,
        &q(vec![Filter::is_in(
            "owner_id",
            owners(MAX_FILTER_VALUES + 1),
        )]),
        "owner_id",
        "too_many_values",
    )
    .await;
    refused(
        &*store,
        &q(vec![full, Filter::contains("name", "C")]),
        "name",
        "too_many_values",
    )
    .await;

    // Instants: from PostgreSQL's earliest, at whole microseconds.
    let earliest = at(MIN_TIME_MICROS);
    assert_eq!(
        ids(&*store, &q(vec![Filter::ge("created_at", earliest)])).await,
        vec![1, 2, 3, 4]
    );
    assert_eq!(
        ids(&*store, &q(vec![Filter::le("created_at", earliest)])).await,
        Vec::<i64>::new()
    );
    for too_early in [at(MIN_TIME_MICROS - 1), DateTime::<Utc>::MIN_UTC] {
        refused(
            &*store,
            &q(vec![Filter::ge("created_at", too_early)]),
            "created_at",
            "time_out_of_range",
        )
        .await;
    }
    let second = start() + Duration::hours(2);
    assert_eq!(
        ids(
            &*store,
            &q(vec![Filter::lt(
                "created_at",
                second + Duration::microseconds(1)
            )])
        )
        .await,
        vec![1, 2]
    );
    refused(
        &*store,
        &q(vec![Filter::lt(
            "created_at",
            second + Duration::nanoseconds(1),
        )]),
        "created_at",
        "time_precision",
    )
    .await;

    // Texts: no NUL, at most MAX_TEXT_BYTES bytes.
    let longest = "C".repeat(MAX_TEXT_BYTES);
    assert_eq!(
        ids(&*store, &q(vec![Filter::eq("name", longest.as_str())])).await,
        Vec::<i64>::new()
    );
    assert_eq!(
        ids(&*store, &q(vec![Filter::lt("name", longest.as_str())])).await,
        vec![1, 2, 3, 4]
    );
    for filter in [
        Filter::eq("name", format!("{longest}C")),
        Filter::contains("name", format!("{longest}C")),
    ] {
        refused(&*store, &q(vec![filter]), "name", "text_too_long").await;
    }
    for filter in [
        Filter::eq("name", "C1\0"),
        Filter::contains("name", "\0"),
        Filter::is_in("name", vec!["C1".into(), "C\u{0}2".into()]),
    ] {
        refused(&*store, &q(vec![filter]), "name", "nul_in_text").await;
    }
}
