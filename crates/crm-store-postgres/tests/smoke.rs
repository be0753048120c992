//! The adapter's own checks, on raw rows (independent of the domain types): column types,
//! tenants, optimistic versions, key and reference errors, ids and events across stores
//! sharing one schema, scopes, filters, and racing writers.

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{drop_store, fresh_schema_name, fresh_store, store_in};
use crm_core::ids::{TenantId, UserId};
use crm_core::store::{
    AuditEntry, Changes, Entity, EventKind, FieldChange, Filter, NewEvent, Op, Order, Query,
    ScopeFilter, SqlValue, Store, StoredRow, Write,
};
use crm_core::CrmError;
use crm_store_postgres::{validate_schema_name, PostgresConfig, PostgresStore};
use serde_json::json;
use std::sync::Arc;

const T1: TenantId = TenantId(1);
const T2: TenantId = TenantId(2);

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0)
        .single()
        .unwrap_or_default()
}

fn text(s: &str) -> SqlValue {
    SqlValue::Text(s.to_owned())
}

fn row(entity: Entity, tenant: TenantId, id: i64, columns: Vec<SqlValue>) -> StoredRow {
    StoredRow {
        entity,
        tenant,
        id,
        version: 1,
        columns,
        body: json!({ "id": id, "tenant": tenant.0, "entity": entity.name() }).to_string(),
    }
}

/// A customer row: owner, pool, name; everything else NULL but `created_at`.
fn customer(
    tenant: TenantId,
    id: i64,
    owner: Option<i64>,
    pool: Option<i64>,
    name: &str,
) -> StoredRow {
    row(
        Entity::Customer,
        tenant,
        id,
        vec![
            owner.into(),
            pool.into(),
            text(name),
            text(&name.to_lowercase()),
            SqlValue::Null,
            SqlValue::Null,
            SqlValue::Null,
            text("not_dealt"),
            SqlValue::Null,
            SqlValue::Null,
            SqlValue::Bool(false),
            SqlValue::Time(t0()),
            // locked, followup_clock_at, opportunity_clock_at, tier
            SqlValue::Bool(false),
            SqlValue::Null,
            SqlValue::Null,
            SqlValue::Null,
        ],
    )
}

fn contact(tenant: TenantId, id: i64, customer: i64) -> StoredRow {
    row(
        Entity::Contact,
        tenant,
        id,
        vec![SqlValue::Int(customer), text("contact"), SqlValue::Null],
    )
}

fn member(
    id: i64,
    customer: i64,
    user: i64,
    cascade: bool,
    expires: Option<DateTime<Utc>>,
) -> StoredRow {
    row(
        Entity::TeamMember,
        T1,
        id,
        vec![
            SqlValue::Int(customer),
            SqlValue::Int(user),
            text("read"),
            SqlValue::Bool(cascade),
            expires.into(),
        ],
    )
}

fn role(tenant: TenantId, id: i64, name: &str) -> StoredRow {
    row(Entity::Role, tenant, id, vec![text(name)])
}

fn inserting(tenant: TenantId, rows: Vec<StoredRow>) -> Changes {
    let mut changes = Changes::new(tenant);
    changes.writes = rows.into_iter().map(Write::Insert).collect();
    changes
}

fn updating(mut row: StoredRow, expected_version: i64) -> Changes {
    let tenant = row.tenant;
    row.version = expected_version + 1;
    let mut changes = Changes::new(tenant);
    changes.writes.push(Write::Update {
        row,
        expected_version,
    });
    changes
}

fn event(record: i64) -> NewEvent {
    NewEvent {
        kind: EventKind::CustomerUpdated,
        at: t0(),
        entity: "customer".into(),
        record_id: record,
        payload: json!({ "record": record, "note": "客户 ✓" }),
    }
}

fn audit(tenant: TenantId, actor: Option<i64>, record: i64) -> AuditEntry {
    AuditEntry {
        id: 0,
        tenant,
        at: t0(),
        actor: actor.map(UserId),
        operation: "test.op".into(),
        entity: "customer".into(),
        record_id: record,
        changes: vec![FieldChange {
            field: "name".into(),
            before: json!(null),
            after: json!({ "b": 1, "a": [1.5, "x"] }),
        }],
    }
}

async fn ids(store: &PostgresStore, query: &Query) -> Vec<i64> {
    let rows = store.query(query).await.expect("query");
    let count = store.count(query).await.expect("count");
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    if query.after.is_none() && query.limit.is_none() {
        assert_eq!(count, ids.len() as u64, "count agrees with query {query:?}");
    }
    ids
}

async fn log_sizes(store: &PostgresStore, tenant: TenantId) -> (usize, usize, usize) {
    (
        store
            .events_after(tenant, 0, 1000)
            .await
            .expect("events")
            .len(),
        store
            .audit_by_user(tenant, UserId(12), 0, 1000)
            .await
            .expect("audit")
            .len(),
        store
            .count(&Query::new(Entity::Customer, tenant))
            .await
            .expect("count") as usize,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_column_type_round_trips() {
    let store = fresh_store().await;
    let at = t0() + Duration::microseconds(123_456);
    let body = json!({ "z": 1, "a": { "nested": ["客户", "'quoted' \"x\""] }, "n": 1.25 });
    let full = StoredRow {
        entity: Entity::Customer,
        tenant: T1,
        id: 7,
        version: 1,
        columns: vec![
            SqlValue::Int(i64::MAX),
            SqlValue::Int(-3),
            text("北京星辰科技有限公司 'q' \"x\" %_\\"),
            text(""),
            text("8613812345678"),
            text("ERP-7"),
            text("A"),
            text("dealt"),
            SqlValue::Time(at),
            SqlValue::Time(
                Utc.with_ymd_and_hms(1969, 7, 20, 20, 17, 40)
                    .single()
                    .unwrap_or_default(),
            ),
            SqlValue::Bool(true),
            SqlValue::Time(t0()),
            SqlValue::Bool(true),
            SqlValue::Time(at),
            SqlValue::Time(t0()),
            text("重要价值"),
        ],
        body: body.to_string(),
    };
    let nulls = StoredRow {
        id: 8,
        columns: vec![SqlValue::Null; Entity::Customer.spec().columns.len()],
        ..full.clone()
    };
    let user = row(
        Entity::User,
        T1,
        3,
        vec![SqlValue::Int(1), SqlValue::Null, SqlValue::Bool(false)],
    );
    let tenant = row(Entity::Tenant, T1, 1, vec![]);
    let mut changes = inserting(T1, vec![full.clone(), nulls.clone(), tenant.clone()]);
    changes.writes.push(Write::Insert(user.clone()));
    store.apply(changes).await.expect("insert");
    for expected in [&full, &nulls, &user, &tenant] {
        let got = store
            .get(expected.entity, T1, expected.id)
            .await
            .expect("get")
            .expect("present");
        assert_eq!(
            got.columns, expected.columns,
            "{:?} {}",
            expected.entity, expected.id
        );
        // The user row in the same unit of work raised the tenant's version (the stamp of
        // the engine's cached access snapshot).
        let version = if expected.entity == Entity::Tenant {
            2
        } else {
            1
        };
        assert_eq!(got.version, version, "{:?}", expected.entity);
        let a: serde_json::Value = serde_json::from_str(&got.body).expect("json body");
        let b: serde_json::Value = serde_json::from_str(&expected.body).expect("json body");
        assert_eq!(a, b, "body survives JSONB");
    }
    // Sub-microsecond digits are refused by core (every store keeps microseconds).
    let mut fine = full.clone();
    fine.id = 9;
    fine.columns[5] = text("ERP-9");
    fine.columns[8] = SqlValue::Time(at + Duration::nanoseconds(789));
    let err = store
        .apply(inserting(T1, vec![fine]))
        .await
        .expect_err("finer than a microsecond");
    assert!(
        matches!(&err, CrmError::Validation { reason, .. } if reason.starts_with("time_precision: ")),
        "{err:?}"
    );
    assert!(store
        .get(Entity::Customer, T1, 9)
        .await
        .expect("get")
        .is_none());
    drop_store(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenants_never_see_each_other() {
    let store = fresh_store().await;
    store
        .apply(inserting(T1, vec![customer(T1, 1, Some(12), None, "one")]))
        .await
        .expect("t1");
    store
        .apply(inserting(T2, vec![customer(T2, 2, Some(12), None, "two")]))
        .await
        .expect("t2");
    assert!(store
        .get(Entity::Customer, T1, 2)
        .await
        .expect("get")
        .is_none());
    assert!(store
        .get(Entity::Customer, T2, 1)
        .await
        .expect("get")
        .is_none());
    assert_eq!(
        ids(&store, &Query::new(Entity::Customer, T1)).await,
        vec![1]
    );
    assert_eq!(
        ids(
            &store,
            &Query::new(Entity::Customer, T2).filter(Filter::eq("owner_id", 12))
        )
        .await,
        vec![2]
    );
    // The same id in two tenants is two rows.
    store
        .apply(inserting(T2, vec![customer(T2, 1, None, None, "t2 one")]))
        .await
        .expect("same id, other tenant");
    // Updating another tenant's row through a unit of this tenant is refused.
    let err = store
        .apply(Changes {
            tenant: T1,
            writes: vec![Write::Update {
                row: customer(T2, 2, None, None, "stolen"),
                expected_version: 1,
            }],
            audit: vec![],
            events: vec![],
        })
        .await
        .expect_err("foreign tenant");
    assert!(matches!(err, CrmError::Storage(_)), "{err:?}");
    drop_store(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn version_conflict_writes_nothing() {
    let store = fresh_store().await;
    let mut setup = inserting(T1, vec![customer(T1, 1, Some(12), None, "one")]);
    setup.audit.push(audit(T1, Some(12), 1));
    setup.events.push(event(1));
    store.apply(setup).await.expect("setup");
    store
        .apply(updating(customer(T1, 1, Some(12), None, "renamed"), 1))
        .await
        .expect("update at version 1");
    let before = log_sizes(&store, T1).await;
    assert_eq!(before, (1, 1, 1));

    // A unit whose last write is stale: the insert, audit entry and event before it vanish.
    let mut stale = inserting(T1, vec![customer(T1, 2, Some(12), None, "two")]);
    stale.writes.push(Write::Update {
        row: StoredRow {
            version: 2,
            ..customer(T1, 1, Some(12), None, "stale")
        },
        expected_version: 1,
    });
    stale.audit.push(audit(T1, Some(12), 2));
    stale.events.push(event(2));
    let err = store.apply(stale).await.expect_err("stale");
    assert!(matches!(err, CrmError::Conflict { .. }), "{err:?}");
    assert_eq!(log_sizes(&store, T1).await, before);
    let stored = store
        .get(Entity::Customer, T1, 1)
        .await
        .expect("get")
        .expect("row");
    assert_eq!(
        (stored.version, stored.columns[2].clone()),
        (2, text("renamed"))
    );

    // Stale and missing deletes conflict; a current one works.
    for (id, version) in [(1, 1), (5, 1)] {
        let mut del = Changes::new(T1);
        del.writes.push(Write::Delete {
            entity: Entity::Customer,
            tenant: T1,
            id,
            expected_version: version,
        });
        let err = store.apply(del).await.expect_err("stale delete");
        assert!(matches!(err, CrmError::Conflict { .. }), "{err:?}");
    }
    let mut del = Changes::new(T1);
    del.writes.push(Write::Delete {
        entity: Entity::Customer,
        tenant: T1,
        id: 1,
        expected_version: 2,
    });
    store.apply(del).await.expect("delete");
    assert!(store
        .get(Entity::Customer, T1, 1)
        .await
        .expect("get")
        .is_none());

    // A body that is not JSON is refused by core, and again nothing is written.
    let mut bad = customer(T1, 3, None, None, "bad");
    bad.body = "{not json".into();
    let mut unit = inserting(T1, vec![customer(T1, 4, None, None, "fine"), bad]);
    unit.events.push(event(4));
    let err = store.apply(unit).await.expect_err("bad body");
    assert!(
        matches!(&err, CrmError::Validation { field, .. } if field == "body"),
        "{err:?}"
    );
    assert!(store
        .get(Entity::Customer, T1, 4)
        .await
        .expect("get")
        .is_none());
    assert_eq!(
        store.events_after(T1, 0, 100).await.expect("events").len(),
        1
    );

    // A row with the wrong number or type of columns is refused before reaching SQL.
    let mut short = customer(T1, 6, None, None, "short");
    short.columns.pop();
    assert!(matches!(
        store.apply(inserting(T1, vec![short])).await,
        Err(CrmError::Storage(_))
    ));
    let mut typed = customer(T1, 6, None, None, "typed");
    typed.columns[0] = text("12");
    assert!(matches!(
        store.apply(inserting(T1, vec![typed])).await,
        Err(CrmError::Validation { field, .. }) if field == "owner_id"
    ));
    drop_store(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unique_keys_are_conflicts() {
    let store = fresh_store().await;
    store
        .apply(inserting(T1, vec![role(T1, 1, "sales")]))
        .await
        .expect("role");
    let err = store
        .apply(inserting(T1, vec![role(T1, 2, "sales")]))
        .await
        .expect_err("same name");
    assert!(matches!(err, CrmError::Conflict { .. }), "{err:?}");
    store
        .apply(inserting(T2, vec![role(T2, 2, "sales")]))
        .await
        .expect("other tenant");
    // The primary key too.
    let err = store
        .apply(inserting(T1, vec![role(T1, 1, "other")]))
        .await
        .expect_err("same id");
    assert!(matches!(err, CrmError::Conflict { .. }), "{err:?}");
    // external_ref: unique when set, NULLs never clash.
    let mut a = customer(T1, 1, None, None, "a");
    a.columns[5] = text("ERP-1");
    let mut b = customer(T1, 2, None, None, "b");
    b.columns[5] = text("ERP-1");
    store
        .apply(inserting(
            T1,
            vec![
                a,
                customer(T1, 3, None, None, "c"),
                customer(T1, 4, None, None, "d"),
            ],
        ))
        .await
        .expect("nulls");
    let err = store
        .apply(inserting(T1, vec![b]))
        .await
        .expect_err("dup ref");
    assert!(matches!(err, CrmError::Conflict { .. }), "{err:?}");
    // One membership per (customer, user).
    store
        .apply(inserting(T1, vec![member(1, 3, 12, false, None)]))
        .await
        .expect("member");
    let err = store
        .apply(inserting(T1, vec![member(2, 3, 12, true, None)]))
        .await
        .expect_err("dup member");
    assert!(matches!(err, CrmError::Conflict { .. }), "{err:?}");
    drop_store(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_references_are_not_found() {
    let store = fresh_store().await;
    store
        .apply(inserting(T1, vec![customer(T1, 1, None, None, "one")]))
        .await
        .expect("customer");
    store
        .apply(inserting(T2, vec![customer(T2, 2, None, None, "t2")]))
        .await
        .expect("t2 customer");
    for missing in [99, 2] {
        let err = store
            .apply(inserting(
                T1,
                vec![contact(T1, 10, 1), contact(T1, 11, missing)],
            ))
            .await
            .expect_err("dangling");
        assert!(
            matches!(&err, CrmError::NotFound { entity, id } if entity == "referenced record" && id == "contacts_customer_fkey"),
            "{err:?}"
        );
        assert!(store
            .get(Entity::Contact, T1, 10)
            .await
            .expect("get")
            .is_none());
    }
    // Deleting a customer that still has children is refused the same way.
    store
        .apply(inserting(T1, vec![contact(T1, 10, 1)]))
        .await
        .expect("contact");
    let mut del = Changes::new(T1);
    del.writes.push(Write::Delete {
        entity: Entity::Customer,
        tenant: T1,
        id: 1,
        expected_version: 1,
    });
    let err = store.apply(del).await.expect_err("children");
    assert!(matches!(err, CrmError::NotFound { .. }), "{err:?}");
    assert!(store
        .get(Entity::Customer, T1, 1)
        .await
        .expect("get")
        .is_some());
    drop_store(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_and_events_are_unique_across_stores_sharing_a_schema() {
    let schema = fresh_schema_name();
    let (a, b) = tokio::join!(store_in(&schema), store_in(&schema));
    assert_eq!(a.allocate_ids(Entity::Customer, 0).await.expect("alloc"), 1);
    assert_eq!(a.allocate_ids(Entity::Customer, 2).await.expect("alloc"), 1);
    assert_eq!(b.allocate_ids(Entity::Customer, 1).await.expect("alloc"), 3);
    assert_eq!(b.allocate_ids(Entity::Role, 1).await.expect("alloc"), 1);
    let (a, b) = (Arc::new(a), Arc::new(b));
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for _ in 0..20 {
                let first = store.allocate_ids(Entity::Contact, 5).await.expect("alloc");
                got.extend(first..first + 5);
                let mut ch = Changes::new(T1);
                ch.events.push(event(first));
                ch.events.push(event(first + 1));
                let seqs = store.apply(ch).await.expect("events");
                assert_eq!(seqs.len(), 2);
                assert_eq!(seqs[1], seqs[0] + 1, "one unit's events are consecutive");
            }
            got
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("task"));
    }
    all.sort_unstable();
    assert_eq!(all, (1..=800).collect::<Vec<_>>(), "every id once, no gaps");
    let events = a.events_after(T1, 0, 1000).await.expect("events");
    assert_eq!(
        events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=320).collect::<Vec<_>>()
    );
    assert_eq!(events[0].payload["note"], json!("客户 ✓"));
    assert_eq!(events[0].kind, "CustomerUpdated");
    // Reconnecting to a migrated schema is fine.
    let c = store_in(&schema).await;
    assert_eq!(
        c.allocate_ids(Entity::Contact, 1).await.expect("alloc"),
        801
    );
    drop(a);
    drop(b);
    drop_store(c).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scopes_are_pushed_into_the_query() {
    let store = fresh_store().await;
    let now = t0();
    let customers = vec![
        customer(T1, 1, Some(12), None, "own"),
        customer(T1, 2, Some(13), None, "colleague"),
        customer(T1, 3, None, Some(7), "pooled"),
        customer(T1, 4, Some(20), None, "shared"),
        customer(T1, 5, Some(20), None, "shared cascade"),
        customer(T1, 6, Some(20), None, "expired"),
        customer(T1, 7, Some(20), None, "other"),
    ];
    store
        .apply(inserting(T1, customers))
        .await
        .expect("customers");
    store
        .apply(inserting(
            T1,
            vec![
                member(1, 4, 12, false, None),
                member(2, 5, 12, true, Some(now + Duration::seconds(1))),
                member(3, 6, 12, true, Some(now)),
            ],
        ))
        .await
        .expect("team");
    store
        .apply(inserting(
            T1,
            (1..=7).map(|c| contact(T1, 100 + c, c)).collect(),
        ))
        .await
        .expect("contacts");
    store
        .apply(inserting(
            T2,
            vec![customer(T2, 50, Some(12), Some(7), "t2")],
        ))
        .await
        .expect("t2");
    let scope = |owners: &[i64], actor: i64, pools: &[i64]| ScopeFilter::Restricted {
        owners: owners.iter().copied().map(UserId).collect(),
        actor: UserId(actor),
        pools: pools.to_vec(),
        now,
    };
    let q = |entity, s| Query::new(entity, T1).scope(s);
    assert_eq!(
        ids(&store, &q(Entity::Customer, ScopeFilter::All)).await,
        (1..=7).collect::<Vec<_>>()
    );
    assert_eq!(
        ids(&store, &q(Entity::Customer, scope(&[12], 12, &[]))).await,
        vec![1, 4, 5]
    );
    assert_eq!(
        ids(&store, &q(Entity::Customer, scope(&[12, 13], 12, &[7]))).await,
        vec![1, 2, 3, 4, 5]
    );
    assert_eq!(
        ids(&store, &q(Entity::Customer, scope(&[], 99, &[]))).await,
        Vec::<i64>::new()
    );
    // Children: the actor's own customers count even outside `owners`; only cascading
    // live memberships reach them.
    assert_eq!(
        ids(&store, &q(Entity::Contact, scope(&[], 12, &[]))).await,
        vec![101, 105]
    );
    assert_eq!(
        ids(&store, &q(Entity::Contact, scope(&[13], 12, &[7]))).await,
        vec![101, 102, 103, 105]
    );
    assert_eq!(
        ids(&store, &q(Entity::TeamMember, scope(&[20], 1, &[]))).await,
        vec![1, 2, 3]
    );
    // Scope, filters, order and paging combine.
    let page = Query::new(Entity::Customer, T1)
        .scope(scope(&[12, 13, 20], 1, &[7]))
        .filter(Filter::not_null("owner_id"))
        .order(Order::IdDesc)
        .after(Some(6))
        .limit(3);
    assert_eq!(ids(&store, &page).await, vec![5, 4, 2]);
    let err = store
        .query(&q(Entity::Role, scope(&[12], 12, &[])))
        .await
        .expect_err("unscoped table");
    assert!(
        matches!(&err, CrmError::Storage(m) if m.contains("roles")),
        "{err:?}"
    );
    drop_store(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_follow_sql_and_byte_semantics() {
    let store = fresh_store().await;
    let names = ["Acme 100% Co_1", "acme", "Beta", "b\u{e9}ta", "中文"];
    let rows = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let id = i as i64 + 1;
            let mut c = customer(T1, id, if id % 2 == 0 { None } else { Some(id) }, None, n);
            c.columns[9] = SqlValue::Time(t0() + Duration::hours(id));
            c
        })
        .collect();
    store.apply(inserting(T1, rows)).await.expect("seed");
    let q = |f: Filter| Query::new(Entity::Customer, T1).filter(f);
    let f = |column: &'static str, op: Op| Filter { column, op };
    let cases: Vec<(Filter, Vec<i64>)> = vec![
        (Filter::contains("name", "100%"), vec![1]),
        (Filter::contains("name", "%"), vec![1]),
        (Filter::contains("name", "_"), vec![1]),
        (Filter::contains("name", "cme"), vec![1, 2]),
        (Filter::contains("name", "ACME"), vec![]),
        (Filter::contains("name", ""), vec![1, 2, 3, 4, 5]),
        (Filter::contains("name", "文"), vec![5]),
        // Byte order ("B" < "a" < "b" < "中"), not a locale's.
        (Filter::lt("name", "a"), vec![1, 3]),
        (Filter::gt("name", "b"), vec![4, 5]),
        (Filter::is_in("owner_id", vec![]), vec![]),
        (
            Filter::is_in("owner_id", vec![SqlValue::Null, SqlValue::Int(3)]),
            vec![3],
        ),
        (f("owner_id", Op::Ne(SqlValue::Int(1))), vec![3, 5]),
        (f("owner_id", Op::Eq(SqlValue::Null)), vec![]),
        (f("owner_id", Op::Ne(SqlValue::Null)), vec![]),
        (Filter::is_null("owner_id"), vec![2, 4]),
        (
            Filter::ge("next_followup_at", t0() + Duration::hours(4)),
            vec![4, 5],
        ),
        (Filter::eq("escalation_pending", false), vec![1, 2, 3, 4, 5]),
    ];
    for (filter, expected) in cases {
        let desc = format!("{filter:?}");
        assert_eq!(ids(&store, &q(filter)).await, expected, "{desc}");
    }
    // Core refuses what the columns cannot hold, before any SQL: an unknown column, a value
    // of another type, a substring test on a number.
    for (filter, field, rule) in [
        (Filter::eq("body", 1), "body", "unknown_column"),
        (Filter::eq("owner_id", "1"), "owner_id", "type_mismatch"),
        (
            f("owner_id", Op::Ne(text("1"))),
            "owner_id",
            "type_mismatch",
        ),
        (Filter::contains("owner_id", "1"), "owner_id", "not_text"),
    ] {
        let err = store.query(&q(filter)).await.expect_err("refused");
        assert!(
            matches!(&err, CrmError::Validation { field: f, reason }
                if f == field && reason.starts_with(&format!("{rule}: "))),
            "{err:?}"
        );
    }
    drop_store(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_writers_one_winner_per_version() {
    let store = Arc::new(fresh_store().await);
    store
        .apply(inserting(T1, vec![customer(T1, 1, Some(12), None, "race")]))
        .await
        .expect("setup");
    for version in 1..=5i64 {
        let mut tasks = Vec::new();
        for w in 0..6 {
            let s = store.clone();
            tasks.push(tokio::spawn(async move {
                let mut ch = updating(
                    customer(T1, 1, Some(w), None, &format!("v{version} w{w}")),
                    version,
                );
                ch.events.push(event(w));
                ch.audit.push(audit(T1, Some(12), 1));
                s.apply(ch).await
            }));
        }
        let mut wins = 0;
        for t in tasks {
            match t.await.expect("task") {
                Ok(seqs) => {
                    wins += 1;
                    assert_eq!(seqs, vec![version]);
                }
                Err(CrmError::Conflict { .. }) => {}
                Err(e) => panic!("unexpected {e:?}"),
            }
        }
        assert_eq!(wins, 1, "version {version}");
        let stored = store
            .get(Entity::Customer, T1, 1)
            .await
            .expect("get")
            .expect("row");
        assert_eq!(stored.version, version + 1);
    }
    assert_eq!(
        log_sizes(&store, T1).await,
        (5, 5, 1),
        "only winners wrote events and audit"
    );
    let audit = store
        .audit_for_record(T1, "customer", 1)
        .await
        .expect("audit");
    assert_eq!(audit.len(), 5);
    assert!(audit.windows(2).all(|w| w[0].id < w[1].id), "oldest first");
    assert_eq!(
        audit[0].changes[0].after,
        json!({ "a": [1.5, "x"], "b": 1 })
    );
    assert_eq!(audit[0].at, t0());
    if let Ok(store) = Arc::try_unwrap(store) {
        drop_store(store).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_configuration_is_an_error_not_a_panic() {
    for bad in [
        "",
        "Upper",
        "1abc",
        "a-b",
        "a b",
        "x\"; drop",
        &"a".repeat(64),
    ] {
        assert!(validate_schema_name(bad).is_err(), "{bad:?}");
        let err = PostgresStore::connect_with_schema(&common::database_url(), bad)
            .await
            .expect_err("bad schema");
        assert!(matches!(err, CrmError::Validation { .. }), "{err:?}");
    }
    assert!(validate_schema_name(&"a".repeat(63)).is_ok());
    assert!(validate_schema_name("_crm_2").is_ok());
    let err = PostgresStore::connect("not a url")
        .await
        .expect_err("bad url");
    assert!(matches!(err, CrmError::Validation { .. }), "{err:?}");
    let config = PostgresConfig::new("postgres://postgres@127.0.0.1:1/postgres")
        .acquire_timeout(std::time::Duration::from_secs(2));
    let err = PostgresStore::open(config)
        .await
        .expect_err("nothing listens on port 1");
    assert!(matches!(err, CrmError::Storage(_)), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn log_cursors_never_skip_entries_under_concurrent_writers() {
    let store = Arc::new(fresh_store().await);
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (store, done) = (store.clone(), done.clone());
        tokio::spawn(async move {
            let (mut seqs, mut audit_ids) = (Vec::new(), Vec::new());
            let (mut cursor, mut after) = (0, 0);
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                let events = store.events_after(T1, cursor, 7).await.expect("events");
                let audit = store
                    .audit_by_user(T1, UserId(12), after, 7)
                    .await
                    .expect("audit");
                if let Some(last) = events.last() {
                    cursor = last.seq;
                }
                if let Some(last) = audit.last() {
                    after = last.id;
                }
                let idle = events.is_empty() && audit.is_empty();
                seqs.extend(events.iter().map(|e| e.seq));
                audit_ids.extend(audit.iter().map(|a| a.id));
                if finished && idle {
                    return (seqs, audit_ids);
                }
            }
        })
    };
    let mut writers = Vec::new();
    for w in 0..4 {
        let store = store.clone();
        writers.push(tokio::spawn(async move {
            for i in 0..25 {
                let mut ch = Changes::new(T1);
                ch.audit.push(audit(T1, Some(12), w * 100 + i));
                ch.events.push(event(w * 100 + i));
                store.apply(ch).await.expect("apply");
            }
        }));
    }
    for w in writers {
        w.await.expect("writer");
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let (seqs, audit_ids) = reader.await.expect("reader");
    assert_eq!(
        seqs,
        (1..=100).collect::<Vec<_>>(),
        "reader saw every event once, in order"
    );
    assert_eq!(audit_ids.len(), 100, "reader saw every audit entry once");
    assert!(audit_ids.windows(2).all(|w| w[0] < w[1]));
    if let Ok(store) = Arc::try_unwrap(store) {
        drop_store(store).await;
    }
}
