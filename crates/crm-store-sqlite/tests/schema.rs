//! The migrated schema matches the contract's table specs exactly: every entity has its
//! table with `tenant_id`, `id`, `version`, the spec's columns with the mapped types and
//! `body`; children of customers reference them; nothing else does.

use crm_core::store::{ColumnType, Entity, ScopeVia};
use crm_store_sqlite::SqliteStore;
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
    let store = SqliteStore::open_in_memory().await.expect("open");
    for entity in Entity::ALL {
        let spec = entity.spec();
        let rows = sqlx::query(&format!("PRAGMA table_info(\"{}\")", spec.table))
            .fetch_all(store.pool())
            .await
            .expect("table_info");
        let actual: BTreeMap<String, String> = rows
            .iter()
            .map(|r| (r.get::<String, _>("name"), r.get::<String, _>("type")))
            .collect();
        let mut expected: BTreeMap<String, String> = BTreeMap::new();
        for fixed in ["tenant_id", "id", "version"] {
            expected.insert(fixed.into(), "INTEGER".into());
        }
        expected.insert("body".into(), "TEXT".into());
        for column in spec.columns {
            expected.insert(column.name.into(), sql_type(column.ty).into());
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
        let expected_refs = match spec.scope {
            ScopeVia::ChildOfCustomer { customer_col }
            | ScopeVia::OwnedChildOfCustomer { customer_col, .. } => {
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
            ScopeVia::None | ScopeVia::Customer { .. } => Vec::new(),
        };
        assert_eq!(references, expected_refs, "foreign keys of {}", spec.table);
    }
}
