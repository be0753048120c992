//! Smoke tests of the SQLite store against real database files.

mod common;

use common::*;
use crm_core::ids::{TenantId, UserId};
use crm_core::store::{
    AuditEntry, Changes, Entity, EventKind, FieldChange, Filter, NewEvent, Order, Query,
    ScopeFilter, SqlValue, Store, StoredRow, Write,
};
use crm_core::CrmError;
use crm_store_sqlite::SqliteStore;
use std::collections::HashSet;

const T1: TenantId = TenantId(1);
const T2: TenantId = TenantId(2);

fn inserts(tenant: TenantId, rows: Vec<StoredRow>) -> Changes {
    let mut changes = Changes::new(tenant);
    changes.writes = rows.into_iter().map(Write::Insert).collect();
    changes
}

fn audit_entry(tenant: TenantId, actor: Option<i64>, record_id: i64, op: &str) -> AuditEntry {
    AuditEntry {
        id: 0,
        tenant,
        at: at(record_id),
        actor: actor.map(UserId),
        operation: op.to_owned(),
        entity: "customer".to_owned(),
        record_id,
        changes: vec![FieldChange {
            field: "name".to_owned(),
            before: serde_json::Value::Null,
            after: serde_json::json!("Acme"),
        }],
    }
}

fn event(record_id: i64) -> NewEvent {
    NewEvent {
        kind: EventKind::CustomerCreated,
        at: at(record_id),
        entity: "customer".to_owned(),
        record_id,
        payload: serde_json::json!({ "id": record_id, "name": "客户" }),
    }
}

#[tokio::test]
async fn every_column_type_round_trips_through_a_file() {
    let (store, path) = file_store("roundtrip").await;
    let full = customer(
        1,
        1,
        Cust {
            owner: Some(10),
            pool: Some(3),
            name: Some("Acme 有限公司"),
            external_ref: Some("ERP-1"),
            next_followup_at: Some(at(3600)),
            escalation_pending: Some(true),
        },
    );
    let empty = StoredRow {
        columns: vec![SqlValue::Null; Entity::Customer.spec().columns.len()],
        ..customer(1, 2, Cust::default())
    };
    let falsy = customer(
        1,
        3,
        Cust {
            escalation_pending: Some(false),
            next_followup_at: Some(at(-1_800_000_000)),
            ..Cust::default()
        },
    );
    let member = team_member(1, 1, 1, 10, true, Some(at(60)));
    let usr = user(1, 10, Some(5), None, false);
    let tenant_row = StoredRow {
        entity: Entity::Tenant,
        tenant: T1,
        id: 1,
        version: 1,
        columns: vec![],
        body: "{\"name\":\"t\"}".to_owned(),
    };
    store
        .apply(inserts(
            T1,
            vec![
                full.clone(),
                empty.clone(),
                falsy.clone(),
                member.clone(),
                usr.clone(),
                tenant_row.clone(),
            ],
        ))
        .await
        .expect("apply");
    // The user row in the same unit of work raised the tenant's version (the stamp of the
    // engine's cached access snapshot).
    let stamped_tenant = StoredRow {
        version: 2,
        ..tenant_row.clone()
    };
    for row in [&full, &empty, &falsy, &member, &usr, &stamped_tenant] {
        let got = store
            .get(row.entity, row.tenant, row.id)
            .await
            .expect("get");
        assert_eq!(got.as_ref(), Some(row));
    }
    // Reopen: the data is in the file.
    store.close().await;
    let reopened = SqliteStore::open(path.to_str().expect("utf-8"))
        .await
        .expect("reopen");
    assert_eq!(
        reopened.get(Entity::Customer, T1, 1).await.expect("get"),
        Some(full)
    );
    reopened.close().await;
    remove_db(&path);
}

#[tokio::test]
async fn in_memory_store_keeps_its_data_and_urls_work() {
    let store = SqliteStore::open_in_memory().await.expect("open");
    store
        .apply(inserts(T1, vec![customer(1, 1, Cust::default())]))
        .await
        .expect("apply");
    for _ in 0..3 {
        assert!(store
            .get(Entity::Customer, T1, 1)
            .await
            .expect("get")
            .is_some());
    }
    let other = SqliteStore::open(":memory:").await.expect("open");
    assert!(other
        .get(Entity::Customer, T1, 1)
        .await
        .expect("get")
        .is_none());

    let path = temp_db_path("url");
    let url = format!("sqlite://{}", path.display());
    let by_url = SqliteStore::open(&url).await.expect("open url");
    by_url
        .apply(inserts(T1, vec![customer(1, 1, Cust::default())]))
        .await
        .expect("apply");
    by_url.close().await;
    assert!(path.exists());
    remove_db(&path);

    assert!(matches!(
        SqliteStore::open("  ").await,
        Err(CrmError::Validation { .. })
    ));
}

#[tokio::test]
async fn tenants_are_isolated() {
    let (store, path) = file_store("tenants").await;
    store
        .apply(inserts(
            T1,
            vec![customer(
                1,
                1,
                Cust {
                    owner: Some(7),
                    ..Cust::default()
                },
            )],
        ))
        .await
        .expect("t1");
    store
        .apply(inserts(
            T2,
            vec![
                customer(
                    2,
                    1,
                    Cust {
                        owner: Some(7),
                        ..Cust::default()
                    },
                ),
                customer(
                    2,
                    2,
                    Cust {
                        owner: Some(7),
                        ..Cust::default()
                    },
                ),
            ],
        ))
        .await
        .expect("t2");
    assert_eq!(
        store
            .get(Entity::Customer, T1, 1)
            .await
            .expect("get")
            .map(|r| r.tenant),
        Some(T1)
    );
    assert!(store
        .get(Entity::Customer, T1, 2)
        .await
        .expect("get")
        .is_none());
    let q = Query::new(Entity::Customer, T1).filter(Filter::eq("owner_id", 7));
    let rows = store.query(&q).await.expect("query");
    assert_eq!(
        rows.iter().map(|r| (r.tenant, r.id)).collect::<Vec<_>>(),
        vec![(T1, 1)]
    );
    assert_eq!(
        store
            .count(&Query::new(Entity::Customer, T2))
            .await
            .expect("count"),
        2
    );

    // A write in tenant 1's changes may not touch tenant 2's rows.
    let mut changes = Changes::new(T1);
    changes.writes.push(Write::Delete {
        entity: Entity::Customer,
        tenant: T2,
        id: 1,
        expected_version: 1,
    });
    assert!(matches!(
        store.apply(changes).await,
        Err(CrmError::Storage(_))
    ));
    // Updating "customer 2" through tenant 1 finds nothing to update.
    let mut changes = Changes::new(T1);
    let stranger = customer(1, 2, Cust::default());
    changes.writes.push(Write::Update {
        row: bumped(&stranger, "x"),
        expected_version: 1,
    });
    assert!(matches!(
        store.apply(changes).await,
        Err(CrmError::Conflict { .. })
    ));
    assert_eq!(
        store
            .get(Entity::Customer, T2, 2)
            .await
            .expect("get")
            .map(|r| r.version),
        Some(1)
    );
    store.close().await;
    remove_db(&path);
}

#[tokio::test]
async fn updates_and_deletes_check_versions_and_a_conflict_writes_nothing() {
    let (store, path) = file_store("conflict").await;
    let c1 = customer(1, 1, Cust::default());
    let mut first = inserts(T1, vec![c1.clone()]);
    first
        .audit
        .push(audit_entry(T1, Some(5), 1, "customer.create"));
    first.events.push(event(1));
    assert_eq!(store.apply(first).await.expect("apply"), vec![1]);

    // A good update.
    let v2 = bumped(&c1, "v2");
    let mut ok = Changes::new(T1);
    ok.writes.push(Write::Update {
        row: v2.clone(),
        expected_version: 1,
    });
    ok.events.push(event(1));
    assert_eq!(store.apply(ok).await.expect("update"), vec![2]);
    assert_eq!(
        store.get(Entity::Customer, T1, 1).await.expect("get"),
        Some(v2.clone())
    );

    // A stale update after an insert, with audit and events: nothing may be written.
    let mut stale = Changes::new(T1);
    stale
        .writes
        .push(Write::Insert(customer(1, 2, Cust::default())));
    stale.writes.push(Write::Update {
        row: bumped(&c1, "stale"),
        expected_version: 1,
    });
    stale
        .audit
        .push(audit_entry(T1, Some(5), 1, "customer.update"));
    stale.events.push(event(2));
    match store.apply(stale).await {
        Err(CrmError::Conflict { detail }) => assert!(detail.contains("customers 1"), "{detail}"),
        other => panic!("expected conflict, got {other:?}"),
    }
    assert_eq!(
        store.get(Entity::Customer, T1, 1).await.expect("get"),
        Some(v2.clone())
    );
    assert!(store
        .get(Entity::Customer, T1, 2)
        .await
        .expect("get")
        .is_none());
    assert_eq!(
        store.events_after(T1, 0, 100).await.expect("events").len(),
        2
    );
    assert_eq!(
        store
            .audit_for_record(T1, "customer", 1)
            .await
            .expect("audit")
            .len(),
        1
    );

    // Stale and missing deletes.
    for (id, version) in [(1, 1), (99, 1)] {
        let mut del = Changes::new(T1);
        del.writes.push(Write::Delete {
            entity: Entity::Customer,
            tenant: T1,
            id,
            expected_version: version,
        });
        assert!(matches!(
            store.apply(del).await,
            Err(CrmError::Conflict { .. })
        ));
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

    // The next event continues the sequence: the failed apply consumed no number.
    let mut next = Changes::new(T1);
    next.events.push(event(3));
    assert_eq!(store.apply(next).await.expect("event"), vec![3]);
    store.close().await;
    remove_db(&path);
}

#[tokio::test]
async fn unique_keys_clash_as_conflicts() {
    let (store, path) = file_store("unique").await;
    store
        .apply(inserts(
            T1,
            vec![
                role(1, 1, "sales"),
                customer(
                    1,
                    1,
                    Cust {
                        external_ref: Some("E1"),
                        ..Cust::default()
                    },
                ),
                customer(1, 2, Cust::default()),
                customer(1, 3, Cust::default()), // two NULL external refs are fine
                team_member(1, 1, 1, 9, false, None),
            ],
        ))
        .await
        .expect("seed");
    // Same keys in another tenant are fine.
    store
        .apply(inserts(
            T2,
            vec![
                role(2, 1, "sales"),
                customer(
                    2,
                    1,
                    Cust {
                        external_ref: Some("E1"),
                        ..Cust::default()
                    },
                ),
            ],
        ))
        .await
        .expect("other tenant");

    let clashes = vec![
        vec![role(1, 2, "sales")],
        vec![customer(
            1,
            4,
            Cust {
                external_ref: Some("E1"),
                ..Cust::default()
            },
        )],
        vec![customer(1, 1, Cust::default())],
        vec![team_member(1, 2, 1, 9, true, None)],
        // Clash inside one batch.
        vec![role(1, 3, "x"), role(1, 4, "x")],
    ];
    for rows in clashes {
        let mut changes = inserts(T1, rows);
        changes.events.push(event(1));
        let err = store.apply(changes).await.expect_err("clash");
        assert!(matches!(err, CrmError::Conflict { .. }), "{err:?}");
    }
    // An update into a taken key clashes too.
    let c2 = customer(
        1,
        2,
        Cust {
            external_ref: Some("E1"),
            ..Cust::default()
        },
    );
    let mut changes = Changes::new(T1);
    changes.writes.push(Write::Update {
        row: StoredRow { version: 2, ..c2 },
        expected_version: 1,
    });
    assert!(matches!(
        store.apply(changes).await,
        Err(CrmError::Conflict { .. })
    ));

    assert!(store
        .events_after(T1, 0, 10)
        .await
        .expect("events")
        .is_empty());
    assert_eq!(
        store
            .count(&Query::new(Entity::Role, T1))
            .await
            .expect("count"),
        1
    );
    store.close().await;
    remove_db(&path);
}

#[tokio::test]
async fn missing_references_are_not_found() {
    let (store, path) = file_store("fk").await;
    store
        .apply(inserts(T1, vec![customer(1, 1, Cust::default())]))
        .await
        .expect("seed");
    store
        .apply(inserts(T2, vec![customer(2, 5, Cust::default())]))
        .await
        .expect("seed t2");

    // Missing customer; another tenant's customer; second row of a batch.
    let cases = vec![
        (vec![contact(1, 1, 42, "a")], "customer 42"),
        (vec![followup(1, 1, 5, 3, None)], "customer 5"),
        (
            vec![contact(1, 1, 1, "a"), contact(1, 2, 43, "b")],
            "customer 43",
        ),
        (vec![team_member(1, 1, 44, 3, false, None)], "customer 44"),
    ];
    for (rows, expected) in cases {
        match store.apply(inserts(T1, rows)).await {
            Err(CrmError::NotFound { entity, id }) => {
                assert_eq!(entity, "referenced record");
                assert_eq!(id, expected);
            }
            other => panic!("expected NotFound, got {other:?}"),
        }
    }
    assert_eq!(
        store
            .count(&Query::new(Entity::Contact, T1))
            .await
            .expect("count"),
        0
    );

    // A customer that still has contacts cannot be deleted.
    store
        .apply(inserts(T1, vec![contact(1, 1, 1, "a")]))
        .await
        .expect("contact");
    let mut del = Changes::new(T1);
    del.writes.push(Write::Delete {
        entity: Entity::Customer,
        tenant: T1,
        id: 1,
        expected_version: 1,
    });
    match store.apply(del).await {
        Err(CrmError::NotFound { id, .. }) => assert!(id.contains("contacts"), "{id}"),
        other => panic!("expected NotFound, got {other:?}"),
    }
    // Moving a contact to a missing customer fails the same way.
    let mut mv = Changes::new(T1);
    let mut moved = bumped(&contact(1, 1, 1, "a"), "moved");
    moved.columns[0] = SqlValue::Int(77);
    mv.writes.push(Write::Update {
        row: moved,
        expected_version: 1,
    });
    assert!(matches!(
        store.apply(mv).await,
        Err(CrmError::NotFound { .. })
    ));
    store.close().await;
    remove_db(&path);
}

#[tokio::test]
async fn malformed_rows_are_rejected_before_writing() {
    let store = SqliteStore::open_in_memory().await.expect("open");
    let mut short = customer(1, 1, Cust::default());
    short.columns.pop();
    let mut mistyped = customer(1, 2, Cust::default());
    mistyped.columns[0] = SqlValue::Text("seven".into());
    let wrong_tenant = customer(2, 3, Cust::default());
    // Core refuses them before the adapter sees them: structural mistakes are `Storage`,
    // a value of the wrong type is `Validation` naming the column and the rule.
    for row in [short, wrong_tenant] {
        assert!(matches!(
            store.apply(inserts(T1, vec![row])).await,
            Err(CrmError::Storage(_))
        ));
    }
    let err = store
        .apply(inserts(T1, vec![mistyped]))
        .await
        .expect_err("mistyped");
    assert!(
        matches!(&err, CrmError::Validation { field, reason }
            if field == "owner_id" && reason.starts_with("type_mismatch: ")),
        "{err:?}"
    );
    assert_eq!(
        store
            .count(&Query::new(Entity::Customer, T1))
            .await
            .expect("count"),
        0
    );
}

#[tokio::test]
async fn ids_are_unique_across_stores_on_one_file() {
    let path = temp_db_path("ids");
    let a = SqliteStore::open(path.to_str().expect("utf-8"))
        .await
        .expect("a");
    let b = SqliteStore::open(path.to_str().expect("utf-8"))
        .await
        .expect("b");
    assert_eq!(a.allocate_ids(Entity::Customer, 3).await.expect("ids"), 1);
    assert_eq!(b.allocate_ids(Entity::Customer, 1).await.expect("ids"), 4);
    assert_eq!(b.allocate_ids(Entity::Contact, 1).await.expect("ids"), 1);
    assert_eq!(a.allocate_ids(Entity::Customer, 0).await.expect("ids"), 5);

    let mut tasks = Vec::new();
    for (i, store) in [a.clone(), b.clone(), a.clone(), b.clone()]
        .into_iter()
        .enumerate()
    {
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for _ in 0..25 {
                let n = 1 + (i as u32 % 3);
                let first = store.allocate_ids(Entity::Customer, n).await.expect("ids");
                got.extend(first..first + i64::from(n));
            }
            got
        }));
    }
    let mut seen = HashSet::new();
    for task in tasks {
        for id in task.await.expect("join") {
            assert!(seen.insert(id), "id {id} handed out twice");
        }
    }
    assert!(seen.iter().all(|id| *id >= 5));
    a.close().await;
    b.close().await;
    remove_db(&path);
}

#[tokio::test]
async fn filters_order_and_paging() {
    let (store, path) = file_store("filters").await;
    let names = ["Alpha", "alphabet", "Beta", "GAMMA", "delta_x"];
    let rows: Vec<StoredRow> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let id = i as i64 + 1;
            customer(
                1,
                id,
                Cust {
                    owner: (id % 2 == 1).then_some(id),
                    name: Some(name),
                    next_followup_at: (id <= 3).then(|| at(id * 10)),
                    ..Cust::default()
                },
            )
        })
        .collect();
    store.apply(inserts(T1, rows)).await.expect("seed");
    let ids = |rows: Vec<StoredRow>| rows.into_iter().map(|r| r.id).collect::<Vec<_>>();
    let q = |f: Filter| Query::new(Entity::Customer, T1).filter(f);

    assert_eq!(
        ids(store
            .query(&q(Filter::contains("name", "lpha")))
            .await
            .expect("q")),
        vec![1, 2]
    );
    assert_eq!(
        ids(store
            .query(&q(Filter::contains("name", "Alpha")))
            .await
            .expect("q")),
        vec![1]
    );
    assert_eq!(
        ids(store
            .query(&q(Filter::contains("name", "_")))
            .await
            .expect("q")),
        vec![5]
    );
    assert_eq!(
        ids(store
            .query(&q(Filter::contains("name", "%")))
            .await
            .expect("q")),
        Vec::<i64>::new()
    );
    assert_eq!(
        ids(store
            .query(&q(Filter::is_in("owner_id", vec![])))
            .await
            .expect("q")),
        Vec::<i64>::new()
    );
    assert_eq!(
        ids(store
            .query(&q(Filter::is_in(
                "owner_id",
                vec![1.into(), 5.into(), SqlValue::Null]
            )))
            .await
            .expect("q")),
        vec![1, 5]
    );
    let ne = Filter {
        column: "owner_id",
        op: crm_core::store::Op::Ne(SqlValue::Int(1)),
    };
    assert_eq!(ids(store.query(&q(ne)).await.expect("q")), vec![3, 5]);
    assert_eq!(
        ids(store
            .query(&q(Filter::eq("owner_id", SqlValue::Null)))
            .await
            .expect("q")),
        Vec::<i64>::new()
    );
    assert_eq!(
        ids(store
            .query(&q(Filter::is_null("owner_id")))
            .await
            .expect("q")),
        vec![2, 4]
    );
    assert_eq!(
        ids(store
            .query(&q(Filter::le("next_followup_at", at(20))))
            .await
            .expect("q")),
        vec![1, 2]
    );
    assert_eq!(
        ids(store
            .query(&q(Filter::not_null("next_followup_at")))
            .await
            .expect("q")),
        vec![1, 2, 3]
    );

    let page = Query::new(Entity::Customer, T1)
        .order(Order::IdDesc)
        .after(Some(4))
        .limit(2);
    assert_eq!(ids(store.query(&page).await.expect("q")), vec![3, 2]);
    assert_eq!(store.count(&page).await.expect("count"), 5);
    let asc = Query::new(Entity::Customer, T1).after(Some(3));
    assert_eq!(ids(store.query(&asc).await.expect("q")), vec![4, 5]);

    assert!(matches!(
        store.query(&q(Filter::eq("no_such_column", 1))).await,
        Err(CrmError::Validation { .. })
    ));
    assert!(matches!(
        store.count(&q(Filter::eq("owner_id", "text"))).await,
        Err(CrmError::Validation { .. })
    ));
    store.close().await;
    remove_db(&path);
}

#[tokio::test]
async fn scopes_restrict_customers_and_their_children() {
    let (store, path) = file_store("scope").await;
    let now = at(1000);
    let mut seed = inserts(
        T1,
        vec![
            customer(
                1,
                1,
                Cust {
                    owner: Some(10),
                    ..Cust::default()
                },
            ),
            customer(
                1,
                2,
                Cust {
                    owner: Some(11),
                    ..Cust::default()
                },
            ),
            customer(
                1,
                3,
                Cust {
                    pool: Some(7),
                    ..Cust::default()
                },
            ),
            customer(
                1,
                4,
                Cust {
                    owner: Some(99),
                    ..Cust::default()
                },
            ),
            customer(
                1,
                5,
                Cust {
                    owner: Some(99),
                    ..Cust::default()
                },
            ),
            customer(
                1,
                6,
                Cust {
                    owner: Some(99),
                    ..Cust::default()
                },
            ),
            customer(
                1,
                7,
                Cust {
                    owner: Some(99),
                    ..Cust::default()
                },
            ),
        ],
    );
    seed.writes.extend(
        vec![
            team_member(1, 1, 4, 10, false, None), // live, not cascading
            team_member(1, 2, 5, 10, true, Some(at(2000))), // live, cascading
            team_member(1, 3, 6, 10, true, Some(now)), // expired exactly now
            team_member(1, 4, 7, 12, true, None),  // someone else's
        ]
        .into_iter()
        .map(Write::Insert),
    );
    seed.writes
        .extend((1..=7).map(|c| contact(1, c, c, "x")).map(Write::Insert));
    store.apply(seed).await.expect("seed");
    // Tenant 2 has an identical team membership that must not leak.
    let mut t2 = inserts(
        T2,
        vec![customer(
            2,
            2,
            Cust {
                owner: Some(99),
                ..Cust::default()
            },
        )],
    );
    t2.writes
        .push(Write::Insert(team_member(2, 1, 2, 10, true, None)));
    store.apply(t2).await.expect("t2");

    let ids = |rows: Vec<StoredRow>| rows.into_iter().map(|r| r.id).collect::<Vec<_>>();
    let scope = |owners: Vec<i64>, pools: Vec<i64>| ScopeFilter::Restricted {
        owners: owners.into_iter().map(UserId).collect(),
        actor: UserId(10),
        pools,
        now,
    };
    let customers = |s| Query::new(Entity::Customer, T1).scope(s);
    let contacts = |s| Query::new(Entity::Contact, T1).scope(s);

    assert_eq!(
        ids(store
            .query(&customers(scope(vec![10], vec![])))
            .await
            .expect("q")),
        vec![1, 4, 5]
    );
    assert_eq!(
        ids(store
            .query(&customers(scope(vec![10, 11], vec![7])))
            .await
            .expect("q")),
        vec![1, 2, 3, 4, 5]
    );
    assert_eq!(
        ids(store
            .query(&customers(scope(vec![], vec![])))
            .await
            .expect("q")),
        vec![4, 5]
    );
    assert_eq!(
        store
            .count(&customers(scope(vec![10], vec![])))
            .await
            .expect("count"),
        3
    );
    assert_eq!(
        store
            .count(&customers(ScopeFilter::All))
            .await
            .expect("count"),
        7
    );

    // Children: owners in scope, the actor as owner, pools, cascading live memberships.
    assert_eq!(
        ids(store
            .query(&contacts(scope(vec![], vec![])))
            .await
            .expect("q")),
        vec![1, 5]
    );
    assert_eq!(
        ids(store
            .query(&contacts(scope(vec![11], vec![7])))
            .await
            .expect("q")),
        vec![1, 2, 3, 5]
    );
    let tm = Query::new(Entity::TeamMember, T1).scope(scope(vec![], vec![]));
    assert_eq!(ids(store.query(&tm).await.expect("q")), vec![2]);

    let users = Query::new(Entity::User, T1).scope(scope(vec![10], vec![]));
    match store.query(&users).await {
        Err(CrmError::Storage(msg)) => {
            assert!(msg.contains("scope does not apply to users"), "{msg}")
        }
        other => panic!("expected storage error, got {other:?}"),
    }
    assert!(store
        .query(&Query::new(Entity::User, T1).scope(ScopeFilter::All))
        .await
        .is_ok());
    store.close().await;
    remove_db(&path);
}

#[tokio::test]
async fn events_and_audit_logs() {
    let (store, path) = file_store("logs").await;
    for (tenant, n) in [(T1, 3), (T2, 2), (T1, 2)] {
        let mut changes = Changes::new(tenant);
        for i in 0..n {
            changes.events.push(event(i));
            changes.audit.push(audit_entry(
                tenant,
                if i == 0 { None } else { Some(5) },
                100 + i,
                "op",
            ));
        }
        store.apply(changes).await.expect("apply");
    }
    let seqs: Vec<i64> = store
        .events_after(T1, 0, 100)
        .await
        .expect("events")
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(seqs, vec![1, 2, 3, 4, 5]);
    let page = store.events_after(T1, 2, 2).await.expect("events");
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![3, 4]);
    assert_eq!(page[0].kind, "CustomerCreated");
    assert_eq!(page[0].payload["name"], "客户");
    assert_eq!(page[0].at, at(2));
    assert_eq!(
        store.events_after(T2, 0, 100).await.expect("events").len(),
        2
    );

    let record = store
        .audit_for_record(T1, "customer", 100)
        .await
        .expect("audit");
    assert_eq!(record.len(), 2);
    assert!(record[0].id < record[1].id);
    assert_eq!(record[0].actor, None);
    assert_eq!(record[0].changes[0].after, serde_json::json!("Acme"));
    let by_user = store
        .audit_by_user(T1, UserId(5), 0, 100)
        .await
        .expect("audit");
    assert_eq!(by_user.len(), 3);
    assert!(by_user
        .iter()
        .all(|a| a.actor == Some(UserId(5)) && a.tenant == T1));
    let after = store
        .audit_by_user(T1, UserId(5), by_user[0].id, 1)
        .await
        .expect("audit");
    assert_eq!(after, vec![by_user[1].clone()]);

    // An audit entry of another tenant is refused with the whole unit.
    let mut bad = Changes::new(T1);
    bad.events.push(event(9));
    bad.audit.push(audit_entry(T2, None, 1, "op"));
    assert!(matches!(store.apply(bad).await, Err(CrmError::Storage(_))));
    assert_eq!(
        store.events_after(T1, 0, 100).await.expect("events").len(),
        5
    );
    store.close().await;
    remove_db(&path);
}

#[tokio::test]
async fn large_batches_span_several_statements() {
    let store = SqliteStore::open_in_memory().await.expect("open");
    let mut changes = inserts(
        T1,
        (1..=1200)
            .map(|id| customer(1, id, Cust::default()))
            .collect(),
    );
    changes
        .writes
        .extend((1..=1200).map(|id| Write::Insert(contact(1, id, id, "c"))));
    changes.events = (1..=5000).map(event).collect();
    changes.audit = (1..=5000)
        .map(|i| audit_entry(T1, Some(1), i, "import"))
        .collect();
    let seqs = store.apply(changes).await.expect("apply");
    assert_eq!(seqs, (1..=5000).collect::<Vec<_>>());
    assert_eq!(
        store
            .count(&Query::new(Entity::Contact, T1))
            .await
            .expect("count"),
        1200
    );
    assert_eq!(
        store
            .audit_by_user(T1, UserId(1), 0, 10_000)
            .await
            .expect("audit")
            .len(),
        5000
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_stores_can_open_a_fresh_file_at_once() {
    let path = temp_db_path("race");
    let url = path.to_str().expect("utf-8").to_owned();
    let opens: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move { SqliteStore::open(&url).await })
        })
        .collect();
    let mut stores = Vec::new();
    for open in opens {
        stores.push(open.await.expect("join").expect("open"));
    }
    for (i, store) in stores.iter().enumerate() {
        let id = i as i64 + 1;
        store
            .apply(inserts(T1, vec![customer(1, id, Cust::default())]))
            .await
            .expect("apply");
    }
    assert_eq!(
        stores[0]
            .count(&Query::new(Entity::Customer, T1))
            .await
            .expect("count"),
        4
    );
    for store in &stores {
        store.close().await;
    }
    remove_db(&path);
}

#[tokio::test]
async fn interleaved_inserts_keep_their_reference_semantics() {
    let store = SqliteStore::open_in_memory().await.expect("open");
    // Customer, its contact, next customer, its contact …: batched, all land.
    let mut rows = Vec::new();
    for id in 1..=50 {
        rows.push(customer(1, id, Cust::default()));
        rows.push(contact(1, id, id, "c"));
        rows.push(followup(1, id, id, 3, None));
    }
    store.apply(inserts(T1, rows)).await.expect("interleaved");
    assert_eq!(
        store
            .count(&Query::new(Entity::Contact, T1))
            .await
            .expect("count"),
        50
    );
    assert_eq!(
        store
            .count(&Query::new(Entity::FollowUp, T1))
            .await
            .expect("count"),
        50
    );

    // A contact before the customer it references fails, as it would row by row.
    let early = vec![
        customer(1, 60, Cust::default()),
        contact(1, 61, 61, "too early"),
        customer(1, 61, Cust::default()),
    ];
    match store.apply(inserts(T1, early)).await {
        Err(CrmError::NotFound { id, .. }) => assert_eq!(id, "customer 61"),
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert!(store
        .get(Entity::Customer, T1, 60)
        .await
        .expect("get")
        .is_none());

    // Inserts on both sides of an update stay on their side of it.
    let mut changes = inserts(T1, vec![customer(1, 70, Cust::default())]);
    changes.writes.push(Write::Update {
        row: bumped(&customer(1, 70, Cust::default()), "v2"),
        expected_version: 1,
    });
    changes
        .writes
        .push(Write::Insert(contact(1, 70, 70, "after")));
    store.apply(changes).await.expect("insert, update, insert");
    assert_eq!(
        store
            .get(Entity::Customer, T1, 70)
            .await
            .expect("get")
            .map(|r| r.version),
        Some(2)
    );
}
