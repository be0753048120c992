//! The migrated schema matches the contract's table specs exactly: every entity has its
//! table with `tenant_id`, `id`, `version`, the spec's columns with the mapped types and
//! nullability and `body`; its unique indexes are the primary key `(tenant_id, id)` and the
//! spec's unique keys (partial where declared); children of customers reference them;
//! nothing else does, and there is no table the specs do not declare besides the logs.

use crm_core::store::{ColumnType, Entity};
use crm_store_sqlite::SqliteStore as Store;
use sqlx::Row;
use std::collections::BTreeMap;

fn sql_type(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::Int | ColumnType::Time | ColumnType::Bool => "INTEGER",
        ColumnType::Text => "TEXT",
    }
}

#[tokio::test]
async fn every_table_matches_its_spec() {
    let store = Store::open_in_memory().await.expect("open");
    for entity in Entity::ALL {
        let spec = entity.spec();
        let rows = sqlx::query(&format!("PRAGMA table_info(\"{}\")", spec.table))
            .fetch_all(store.pool())
            .await
            .expect("table_info");
        let actual: BTreeMap<String, (String, bool)> = rows
            .iter()
            .map(|r| {
                (
                    r.get::<String, _>("name"),
                    (r.get::<String, _>("type"), r.get::<i64, _>("notnull") == 1),
                )
            })
            .collect();
        let mut expected: BTreeMap<String, (String, bool)> = BTreeMap::new();
        for fixed in ["tenant_id", "id", "version"] {
            expected.insert(fixed.into(), ("INTEGER".into(), true));
        }
        expected.insert("body".into(), ("TEXT".into(), true));
        for column in spec.columns {
            expected.insert(column.name.into(), (sql_type(column.ty).into(), false));
        }
        assert_eq!(actual, expected, "table {}", spec.table);

        let keys = sqlx::query(&format!("PRAGMA foreign_key_list(\"{}\")", spec.table))
            .fetch_all(store.pool())
            .await
            .expect("foreign_key_list");
        let mut references: Vec<(String, String, String)> = keys
            .iter()
            .map(|r| {
                (
                    r.get::<String, _>("table"),
                    r.get::<String, _>("from"),
                    r.get::<String, _>("to"),
                )
            })
            .collect();
        references.sort();
        let expected_refs = match spec.scope.customer_col() {
            Some(customer_col) => {
                let mut refs = vec![
                    (
                        "customers".to_owned(),
                        customer_col.to_owned(),
                        "id".to_owned(),
                    ),
                    (
                        "customers".to_owned(),
                        "tenant_id".to_owned(),
                        "tenant_id".to_owned(),
                    ),
                ];
                refs.sort();
                refs
            }
            None => Vec::new(),
        };
        assert_eq!(references, expected_refs, "foreign keys of {}", spec.table);
    }
}

/// `(columns, partial)` of every unique index of a table.
async fn unique_indexes(store: &Store, table: &str) -> Vec<(Vec<String>, bool)> {
    let indexes = sqlx::query(&format!("PRAGMA index_list(\"{table}\")"))
        .fetch_all(store.pool())
        .await
        .expect("index_list");
    let mut out = Vec::new();
    for index in indexes.iter().filter(|r| r.get::<i64, _>("unique") == 1) {
        let name: String = index.get("name");
        let columns = sqlx::query(&format!("PRAGMA index_info(\"{name}\")"))
            .fetch_all(store.pool())
            .await
            .expect("index_info");
        let mut columns: Vec<(i64, String)> = columns
            .iter()
            .map(|c| (c.get::<i64, _>("seqno"), c.get::<String, _>("name")))
            .collect();
        columns.sort();
        out.push((
            columns.into_iter().map(|(_, name)| name).collect(),
            index.get::<i64, _>("partial") == 1,
        ));
    }
    out.sort();
    out
}

#[tokio::test]
async fn unique_indexes_match_the_declared_keys() {
    let store = Store::open_in_memory().await.expect("open");
    for entity in Entity::ALL {
        let spec = entity.spec();
        let mut expected: Vec<(Vec<String>, bool)> =
            vec![(vec!["tenant_id".into(), "id".into()], false)];
        for key in spec.unique {
            let mut columns = vec!["tenant_id".to_owned()];
            columns.extend(key.columns.iter().map(|c| (*c).to_owned()));
            expected.push((columns, key.partial));
        }
        expected.sort();
        assert_eq!(
            unique_indexes(&store, spec.table).await,
            expected,
            "unique indexes of {}",
            spec.table
        );
    }
}

#[tokio::test]
async fn no_undeclared_tables() {
    let store = Store::open_in_memory().await.expect("open");
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         ORDER BY name",
    )
    .fetch_all(store.pool())
    .await
    .expect("tables");
    let mut expected: Vec<String> = Entity::ALL
        .iter()
        .map(|e| e.spec().table.to_owned())
        .chain(
            [
                "_sqlx_migrations",
                "audit_log",
                "event_seqs",
                "events",
                "id_sequences",
            ]
            .map(String::from),
        )
        .collect();
    expected.sort();
    assert_eq!(tables, expected);
}
