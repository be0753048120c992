//! Mistyped and out-of-range rows, bodies, audit entries and events: core refuses the whole
//! unit of work before any store writes, with the identical error (kind, field, rule) on
//! every store, and nothing of it is written; values just inside each bound are stored and
//! read back exactly.

use crate::error::CrmError;
use crate::store::check::{rule_of, MAX_TEXT_BYTES, MIN_TIME_MICROS};
use crate::store::{Changes, Entity, Record, SqlValue, Store, StoredRow, Write};
use crate::testkit::fixture::{start, T1};
use crate::testkit::samples;
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;

/// A customer row with one indexed column replaced.
fn row_with(id: i64, column: &str, value: SqlValue) -> StoredRow {
    let mut row = samples::customer(T1, id, Some(11), &format!("R{id}"), start())
        .to_row()
        .expect("row");
    let idx = Entity::Customer
        .spec()
        .column_index(column)
        .expect("a customer column");
    if let Some(slot) = row.columns.get_mut(idx) {
        *slot = value;
    }
    row
}

/// A unit inserting a valid customer, then `row`, with an audit entry and an event.
fn unit(row: StoredRow) -> Changes {
    let mut changes =
        samples::inserting(T1, &[samples::customer(T1, 100, Some(11), "fine", start())]);
    changes.writes.push(Write::Insert(row));
    changes.audit(samples::audit(T1, Some(11), Entity::Customer, 100, start()));
    changes.event(samples::event(100, start()));
    changes
}

fn at(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

/// The store refuses `changes` with exactly core's error naming `field` and `rule`, and
/// writes nothing of it.
async fn refused<S: Store>(store: &S, changes: Changes, field: &str, rule: &str) {
    let expected = changes.validate().expect_err("core refuses it");
    let err = store.apply(changes).await.expect_err("refused");
    assert_eq!(err, expected, "the store's error is core's");
    assert!(
        matches!(&err, CrmError::Validation { field: f, .. } if f == field),
        "{err:?} names {field}"
    );
    assert_eq!(rule_of(&err), Some(rule), "{err:?}");
    assert!(
        store
            .get(Entity::Customer, T1, 100)
            .await
            .expect("get")
            .is_none(),
        "the valid row of the unit is not written"
    );
    assert!(
        store
            .events_after(T1, 0, 10)
            .await
            .expect("events")
            .is_empty(),
        "no event of a refused unit"
    );
    assert!(
        store
            .audit_for_record(T1, "customer", 100)
            .await
            .expect("audit")
            .is_empty(),
        "no audit entry of a refused unit"
    );
}

/// The row is stored and its columns read back exactly.
async fn stored<S: Store>(store: &S, row: StoredRow) {
    let id = row.id;
    let mut changes = Changes::new(T1);
    changes.writes.push(Write::Insert(row.clone()));
    store.apply(changes).await.expect("just inside the bound");
    let got = store
        .get(Entity::Customer, T1, id)
        .await
        .expect("get")
        .expect("present");
    assert_eq!(got.columns, row.columns, "row {id} reads back exactly");
}

/// Row values of another type, NUL, over-long text, instants out of range or finer than a
/// microsecond, and bodies that are not JSON or hold NUL are refused alike.
pub async fn mistyped_and_out_of_range_rows_are_refused_alike<S: Store>(store: Arc<S>) {
    let cases = [
        (
            row_with(1, "owner_id", "11".into()),
            "owner_id",
            "type_mismatch",
        ),
        (
            row_with(1, "name", SqlValue::Int(1)),
            "name",
            "type_mismatch",
        ),
        (
            row_with(1, "created_at", SqlValue::Bool(true)),
            "created_at",
            "type_mismatch",
        ),
        (row_with(1, "name", "a\0b".into()), "name", "nul_in_text"),
        (
            row_with(1, "name_norm", "n".repeat(MAX_TEXT_BYTES + 1).into()),
            "name_norm",
            "text_too_long",
        ),
        (
            row_with(1, "created_at", SqlValue::Time(at(MIN_TIME_MICROS - 1))),
            "created_at",
            "time_out_of_range",
        ),
        (
            row_with(1, "owned_since", SqlValue::Time(DateTime::<Utc>::MIN_UTC)),
            "owned_since",
            "time_out_of_range",
        ),
        (
            row_with(
                1,
                "next_followup_at",
                SqlValue::Time(start() + Duration::nanoseconds(1)),
            ),
            "next_followup_at",
            "time_precision",
        ),
    ];
    for (row, field, rule) in cases {
        refused(&*store, unit(row), field, rule).await;
    }
    let mut not_json = row_with(1, "name", "R1".into());
    not_json.body = "{not json".into();
    refused(&*store, unit(not_json), "body", "invalid_json").await;
    let mut nul_body = row_with(1, "name", "R1".into());
    nul_body.body = r#"{"name":"a\u0000b"}"#.into();
    refused(&*store, unit(nul_body), "body", "nul_in_text").await;

    // Just inside every bound: stored and read back exactly.
    stored(
        &*store,
        row_with(2, "name_norm", "n".repeat(MAX_TEXT_BYTES).into()),
    )
    .await;
    stored(
        &*store,
        row_with(3, "created_at", SqlValue::Time(at(MIN_TIME_MICROS))),
    )
    .await;
    let latest = at(DateTime::<Utc>::MAX_UTC.timestamp_micros());
    stored(&*store, row_with(4, "owned_since", SqlValue::Time(latest))).await;
    stored(
        &*store,
        row_with(
            5,
            "next_followup_at",
            SqlValue::Time(start() + Duration::microseconds(1)),
        ),
    )
    .await;
    let mut escaped = row_with(6, "name", "R6".into());
    escaped.body = serde_json::json!({ "note": "a\\u0000b is six characters" }).to_string();
    stored(&*store, escaped).await;
}

/// Audit entries and events carrying NUL or instants out of range are refused alike, and
/// the unit's rows with them.
pub async fn bad_audit_entries_and_events_are_refused_alike<S: Store>(store: Arc<S>) {
    let fine = || row_with(1, "name", "R1".into());
    let mut c = unit(fine());
    if let Some(entry) = c.audit.first_mut() {
        entry.operation = "customer.\0create".into();
    }
    refused(&*store, c, "audit.operation", "nul_in_text").await;
    let mut c = unit(fine());
    if let Some(entry) = c.audit.first_mut() {
        entry.at = at(MIN_TIME_MICROS - 1);
    }
    refused(&*store, c, "audit.at", "time_out_of_range").await;
    let mut c = unit(fine());
    if let Some(change) = c.audit.first_mut().and_then(|e| e.changes.first_mut()) {
        change.after = serde_json::json!({ "list": ["ok", "bad\0"] });
    }
    refused(&*store, c, "audit.changes", "nul_in_text").await;
    let mut c = unit(fine());
    if let Some(event) = c.events.first_mut() {
        event.payload = serde_json::json!({ "k\0": 1 });
    }
    refused(&*store, c, "event.payload", "nul_in_text").await;
    let mut c = unit(fine());
    if let Some(event) = c.events.first_mut() {
        event.at = start() + Duration::nanoseconds(500);
    }
    refused(&*store, c, "event.at", "time_precision").await;

    // Just inside: the earliest instant in the logs is kept.
    let mut c = unit(fine());
    if let Some(entry) = c.audit.first_mut() {
        entry.at = at(MIN_TIME_MICROS);
    }
    if let Some(event) = c.events.first_mut() {
        event.at = at(MIN_TIME_MICROS);
    }
    store.apply(c).await.expect("earliest instants are kept");
    let events = store.events_after(T1, 0, 10).await.expect("events");
    assert_eq!(
        events.iter().map(|e| e.at).collect::<Vec<_>>(),
        vec![at(MIN_TIME_MICROS)]
    );
    let audit = store
        .audit_for_record(T1, "customer", 100)
        .await
        .expect("audit");
    assert_eq!(
        audit.iter().map(|a| a.at).collect::<Vec<_>>(),
        vec![at(MIN_TIME_MICROS)]
    );
}
