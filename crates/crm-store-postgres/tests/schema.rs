//! The migrated schema matches the contract's table specs exactly: every entity has its
//! table with `tenant_id`, `id`, `version`, the spec's columns with the mapped types,
//! nullability and (for text) the "C" collation, and a JSONB `body`; its unique indexes are
//! the primary key `(tenant_id, id)` and the spec's unique keys (partial where declared);
//! there is no table the specs do not declare besides the logs.

mod common;

use crm_core::store::{ColumnType, Entity};
use crm_store_postgres::PostgresStore;
use sqlx::Row;
use std::collections::BTreeMap;

fn sql_type(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::Int => "bigint",
        ColumnType::Text => "text",
        ColumnType::Time => "timestamp with time zone",
        ColumnType::Bool => "boolean",
    }
}

/// `name → (type, nullable, collation)` of a table's columns.
type Columns = BTreeMap<String, (String, bool, Option<String>)>;

async fn columns(store: &PostgresStore, table: &str) -> Columns {
    let rows = sqlx::query(
        "SELECT column_name::text AS name, data_type::text AS ty, \
         is_nullable::text = 'YES' AS nullable, collation_name::text AS collation \
         FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2",
    )
    .bind(store.schema())
    .bind(table)
    .fetch_all(store.pool())
    .await
    .expect("columns");
    rows.iter()
        .map(|r| {
            (
                r.get::<String, _>("name"),
                (
                    r.get::<String, _>("ty"),
                    r.get::<bool, _>("nullable"),
                    r.get::<Option<String>, _>("collation"),
                ),
            )
        })
        .collect()
}

/// `(columns, partial)` of every unique index of a table.
async fn unique_indexes(store: &PostgresStore, table: &str) -> Vec<(Vec<String>, bool)> {
    let rows = sqlx::query(
        "SELECT ix.indpred IS NOT NULL AS partial, \
         ARRAY(SELECT a.attname::text FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
               JOIN pg_attribute AS a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum \
               ORDER BY k.ord) AS columns \
         FROM pg_index AS ix \
         JOIN pg_class AS t ON t.oid = ix.indrelid \
         JOIN pg_namespace AS n ON n.oid = t.relnamespace \
         WHERE n.nspname = $1 AND t.relname = $2 AND ix.indisunique",
    )
    .bind(store.schema())
    .bind(table)
    .fetch_all(store.pool())
    .await
    .expect("indexes");
    let mut out: Vec<(Vec<String>, bool)> = rows
        .iter()
        .map(|r| {
            (
                r.get::<Vec<String>, _>("columns"),
                r.get::<bool, _>("partial"),
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn every_table_matches_its_spec() {
    let store = common::fresh_store().await;
    for entity in Entity::ALL {
        let spec = entity.spec();
        let mut expected = Columns::new();
        for fixed in ["tenant_id", "id", "version"] {
            expected.insert(fixed.into(), ("bigint".into(), false, None));
        }
        expected.insert("body".into(), ("jsonb".into(), false, None));
        for column in spec.columns {
            let collation = (column.ty == ColumnType::Text).then(|| "C".to_owned());
            expected.insert(
                column.name.into(),
                (sql_type(column.ty).into(), true, collation),
            );
        }
        assert_eq!(
            columns(&store, spec.table).await,
            expected,
            "columns of {}",
            spec.table
        );

        let mut keys: Vec<(Vec<String>, bool)> =
            vec![(vec!["tenant_id".into(), "id".into()], false)];
        for key in spec.unique {
            let mut columns = vec!["tenant_id".to_owned()];
            columns.extend(key.columns.iter().map(|c| (*c).to_owned()));
            keys.push((columns, key.partial));
        }
        keys.sort();
        assert_eq!(
            unique_indexes(&store, spec.table).await,
            keys,
            "unique indexes of {}",
            spec.table
        );
    }
    common::drop_store(store).await;
}

#[tokio::test]
async fn no_undeclared_tables() {
    let store = common::fresh_store().await;
    let mut tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1",
    )
    .bind(store.schema())
    .fetch_all(store.pool())
    .await
    .expect("tables");
    tables.sort();
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
    common::drop_store(store).await;
}
