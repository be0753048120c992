//! An import that a storage failure stops part-way (DESIGN §8 "long operations report what
//! they committed"). Each SQL store arms a real fault — a trigger that refuses to insert a
//! customer named [`POISON`] — runs [`import_stops_then_resumes`], and disarms it when asked.

use crate::customer::Customer;
use crate::error::CrmError;
use crate::service::ImportOptions;
use crate::store::{Entity, Query, Store, StoreExt};
use crate::testkit::fixture::*;
use std::future::Future;
use std::sync::Arc;

/// Name of the row the armed store refuses to insert.
pub const POISON: &str = "Poison Trading";
/// Data rows in the file.
pub const ROWS: usize = 1000;
/// Rows per batch.
pub const BATCH: u32 = 100;
/// Index (0-based, among data rows) of the poisoned row: in the seventh batch.
pub const POISON_ROW: usize = 650;

fn row_name(i: usize) -> String {
    if i == POISON_ROW {
        POISON.to_owned()
    } else {
        format!("Importer {i:04} Ltd")
    }
}

/// A CSV of the data rows `from..ROWS`: line `k + 2` of the full file is data row `k`.
fn csv_from(from: usize) -> String {
    let mut csv = String::from("name,phone\n");
    for i in from..ROWS {
        csv.push_str(&format!("{},139{:08}\n", row_name(i), i));
    }
    csv
}

/// The import stops at the poisoned batch with [`CrmError::Incomplete`]: the six earlier
/// batches (lines 2–601) are committed and named, nothing of the seventh is; after
/// `disarm`, importing the lines after `through_line` completes the file with no duplicate.
pub async fn import_stops_then_resumes<S: Store>(store: Arc<S>, disarm: impl Future<Output = ()>) {
    let f = Fixture::new(store.clone()).await;
    let options = ImportOptions { batch_size: BATCH };
    let err = f
        .crm
        .import_customers_csv(user(REP), &csv_from(0), options)
        .await
        .expect_err("the poisoned batch fails");
    let CrmError::Incomplete {
        operation,
        through_line,
        committed,
        cause,
    } = err
    else {
        panic!("expected Incomplete, got {err:?}");
    };
    assert_eq!(operation, "customer.import_csv");
    assert_eq!(cause.kind(), "storage", "{cause}");
    let full_batches = POISON_ROW / BATCH as usize;
    assert_eq!(through_line, (full_batches * BATCH as usize + 1) as u64);
    assert_eq!(
        committed.iter().map(|c| c.line).collect::<Vec<_>>(),
        (2..=through_line).collect::<Vec<_>>()
    );
    let stored: Vec<Customer> = store
        .load_all(&Query::new(Entity::Customer, T1))
        .await
        .expect("customers");
    let mut stored_ids: Vec<i64> = stored.iter().map(|c| c.id.0).collect();
    stored_ids.sort_unstable();
    let mut committed_ids: Vec<i64> = committed.iter().map(|c| c.id).collect();
    committed_ids.sort_unstable();
    assert_eq!(
        stored_ids, committed_ids,
        "exactly the named rows are stored"
    );

    disarm.await;
    let resumed = f
        .crm
        .import_customers_csv(user(REP), &csv_from(through_line as usize - 1), options)
        .await
        .expect("resume");
    assert!(resumed.errors.is_empty() && resumed.duplicates.is_empty());
    assert_eq!(resumed.imported.len(), ROWS - committed.len());
    let stored: Vec<Customer> = store
        .load_all(&Query::new(Entity::Customer, T1))
        .await
        .expect("customers");
    let mut names: Vec<&str> = stored.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), ROWS, "every row once");
}

/// When the first batch already fails, nothing was written and the error is the plain
/// cause (a storage error), not [`CrmError::Incomplete`].
pub async fn first_batch_failure_is_plain<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store.clone()).await;
    let options = ImportOptions { batch_size: BATCH };
    let from = POISON_ROW - 10;
    let err = f
        .crm
        .import_customers_csv(user(REP), &csv_from(from), options)
        .await
        .expect_err("the poisoned first batch fails");
    assert!(matches!(err, CrmError::Storage(_)), "{err:?}");
    let stored = store
        .count(&Query::new(Entity::Customer, T1))
        .await
        .expect("count");
    assert_eq!(stored, 0);
}
