//! Every data scope with records on both sides of its boundary: own, subordinate's,
//! grand-subordinate's, peer's, other department's, child department's, other tenant's.
//! Field hiding, masking (lists vs detail) and field-level write denial.

use crm_core::access::{Action, DataScope, FieldAccess, FieldRule, Grant, MaskMode, Module};
use crm_core::customer::{CustomerPatch, NewCustomer};
use crm_core::ids::{CustomerId, UserId};
use crm_core::service::{CustomerFilter, RoleInput, UserInput};
use crm_core::testkit::fixture::*;
use crm_core::testkit::MemoryStore;
use crm_core::{Actor, CrmError};
use std::collections::BTreeMap;

/// Customers owned by each of these users; returns owner → customer id.
async fn seed(f: &Fixture<MemoryStore>) -> BTreeMap<UserId, CustomerId> {
    let mut out = BTreeMap::new();
    for (i, owner) in [
        BOSS,
        MANAGER,
        REP,
        REP2,
        SERVICE,
        DEPT_VIEWER,
        TREE_VIEWER,
        FINANCE,
    ]
    .into_iter()
    .enumerate()
    {
        let input = NewCustomer {
            name: format!("customer of {owner}"),
            phone: Some(format!("1380000{:04}", i)),
            owner_id: Some(owner),
            ..Default::default()
        };
        let c = f
            .crm
            .create_customer(Actor::system(T1), input)
            .await
            .expect("seed");
        out.insert(owner, c.record.id);
    }
    f.crm
        .create_customer(
            Actor::user(T2, BOSS),
            NewCustomer {
                name: "tenant two".into(),
                ..Default::default()
            },
        )
        .await
        .expect("t2");
    out
}

async fn visible(f: &Fixture<MemoryStore>, who: UserId) -> Vec<UserId> {
    let page = f
        .crm
        .list_customers(
            user(who),
            CustomerFilter {
                limit: Some(500),
                ..Default::default()
            },
        )
        .await
        .expect("list");
    let mut owners: Vec<UserId> = page
        .items
        .iter()
        .filter_map(|c| c.record.owner_id)
        .collect();
    owners.sort();
    owners
}

async fn assert_reach(
    f: &Fixture<MemoryStore>,
    ids: &BTreeMap<UserId, CustomerId>,
    who: UserId,
    expected: &[UserId],
) {
    assert_eq!(visible(f, who).await, expected, "list of {who}");
    for (owner, id) in ids {
        let got = f.crm.get_customer(user(who), *id).await;
        if expected.contains(owner) {
            assert!(got.is_ok(), "{who} should read {owner}'s customer");
        } else {
            assert!(
                matches!(got, Err(CrmError::PermissionDenied { .. })),
                "{who} must not read {owner}'s: {got:?}"
            );
        }
    }
}

#[tokio::test]
async fn self_scope_is_own_records_only() {
    let f = Fixture::new(MemoryStore::new()).await;
    let ids = seed(&f).await;
    // A rep: own yes; the peer in the same department, the manager above: no.
    assert_reach(&f, &ids, REP, &[REP]).await;
}

#[tokio::test]
async fn self_and_subordinates_is_recursive_and_stops_at_the_boundary() {
    let f = Fixture::new(MemoryStore::new()).await;
    let ids = seed(&f).await;
    // The east manager: own and both reps; not the boss above, not other departments.
    assert_reach(&f, &ids, MANAGER, &[MANAGER, REP, REP2]).await;
    // The boss: the manager and the reps below the manager (grand-subordinates).
    assert_reach(&f, &ids, BOSS, &[BOSS, MANAGER, REP, REP2]).await;
}

#[tokio::test]
async fn department_scope_excludes_child_departments() {
    let f = Fixture::new(MemoryStore::new()).await;
    let ids = seed(&f).await;
    // Sales (1): boss, dept viewer, tree viewer (and nobody, who owns none). Sales East
    // (child) and Service are outside.
    assert_reach(&f, &ids, DEPT_VIEWER, &[BOSS, DEPT_VIEWER, TREE_VIEWER]).await;
}

#[tokio::test]
async fn department_tree_scope_includes_child_departments_only() {
    let f = Fixture::new(MemoryStore::new()).await;
    let ids = seed(&f).await;
    assert_reach(
        &f,
        &ids,
        TREE_VIEWER,
        &[BOSS, MANAGER, REP, REP2, DEPT_VIEWER, TREE_VIEWER],
    )
    .await;
}

#[tokio::test]
async fn all_scope_is_the_whole_tenant_and_nothing_more() {
    let f = Fixture::new(MemoryStore::new()).await;
    let ids = seed(&f).await;
    let everyone: Vec<UserId> = ids.keys().copied().collect();
    assert_reach(&f, &ids, SERVICE, &everyone).await;
    // Tenant 2's all-scope user sees only tenant 2.
    let t2 = f
        .crm
        .list_customers(Actor::user(T2, BOSS), CustomerFilter::default())
        .await
        .expect("t2");
    assert_eq!(t2.items.len(), 1);
    for id in ids.values() {
        assert!(matches!(
            f.crm.get_customer(Actor::user(T2, BOSS), *id).await,
            Err(CrmError::NotFound { .. })
        ));
    }
}

#[tokio::test]
async fn no_role_means_nothing_and_denials_write_nothing() {
    let f = Fixture::new(MemoryStore::new()).await;
    let ids = seed(&f).await;
    let before = f
        .crm
        .events_after(Actor::system(T1), 0, 1000)
        .await
        .expect("events")
        .len();
    assert!(matches!(
        f.crm
            .list_customers(user(NOBODY), CustomerFilter::default())
            .await,
        Err(CrmError::PermissionDenied { .. })
    ));
    assert!(matches!(
        f.crm.get_customer(user(NOBODY), ids[&BOSS]).await,
        Err(CrmError::PermissionDenied { .. })
    ));
    let create = f
        .crm
        .create_customer(
            user(NOBODY),
            NewCustomer {
                name: "x".into(),
                ..Default::default()
            },
        )
        .await;
    assert!(matches!(create, Err(CrmError::PermissionDenied { .. })));
    // A rep creating for someone outside their reach is refused by field.
    let for_peer = NewCustomer {
        name: "for peer".into(),
        owner_id: Some(REP2),
        ..Default::default()
    };
    assert!(
        matches!(f.crm.create_customer(user(REP), for_peer).await, Err(CrmError::PermissionDenied { field: Some(f), .. }) if f == "owner_id")
    );
    // A manager may create for a subordinate.
    let for_sub = NewCustomer {
        name: "for sub".into(),
        owner_id: Some(REP2),
        ..Default::default()
    };
    assert!(f.crm.create_customer(user(MANAGER), for_sub).await.is_ok());
    let after = f
        .crm
        .events_after(Actor::system(T1), 0, 1000)
        .await
        .expect("events")
        .len();
    assert_eq!(
        after,
        before + 1,
        "only the permitted create wrote an event"
    );
    // A settings operation by a non-admin.
    let role = RoleInput {
        name: "x".into(),
        grants: vec![],
        fields: vec![],
    };
    assert!(matches!(
        f.crm.create_role(user(REP), role.clone()).await,
        Err(CrmError::PermissionDenied { .. })
    ));
    assert!(f.crm.create_role(user(ADMIN), role).await.is_ok());
}

#[tokio::test]
async fn the_broadest_of_several_roles_wins() {
    let f = Fixture::new(MemoryStore::new()).await;
    let ids = seed(&f).await;
    let both = vec![f.roles["sales"], f.roles["tree"]];
    f.crm
        .upsert_user(
            Actor::system(T1),
            UserInput {
                id: REP,
                name: "Rep Li".into(),
                department_id: Some(SALES_EAST),
                supervisor_id: Some(MANAGER),
                role_ids: both,
                tenant_admin: false,
                active: true,
                time_zone: None,
                joined_on: None,
            },
        )
        .await
        .expect("regrant");
    // department_tree of Sales East: the east manager and both reps.
    assert_reach(&f, &ids, REP, &[MANAGER, REP, REP2]).await;
}

#[tokio::test]
async fn fields_are_hidden_masked_and_write_protected_per_role() {
    let f = Fixture::new(MemoryStore::new()).await;
    let ids = seed(&f).await;
    let rep_customer = ids[&REP];
    // Service: phone masked everywhere, e-mail hidden.
    f.crm
        .update_customer(
            user(REP),
            rep_customer,
            CustomerPatch {
                email: Some("li@example.com".into()),
                ..Default::default()
            },
        )
        .await
        .expect("email");
    let list = f
        .crm
        .list_customers(user(SERVICE), CustomerFilter::default())
        .await
        .expect("list");
    let row = list
        .items
        .iter()
        .find(|c| c.record.id == rep_customer)
        .expect("row");
    assert_eq!(row.record.phone.as_deref(), Some("138****0002"));
    assert_eq!(row.record.email, None);
    assert_eq!(row.hidden_fields, vec!["email".to_owned()]);
    assert_eq!(row.masked_fields, vec!["phone".to_owned()]);
    // The owner sees everything.
    let own = f
        .crm
        .get_customer(user(REP), rep_customer)
        .await
        .expect("own");
    assert_eq!(own.record.phone.as_deref(), Some("13800000002"));
    assert!(own.hidden_fields.is_empty() && own.masked_fields.is_empty());

    // A role masking phone in lists only: masked in the list, clear in the detail.
    let rules = vec![FieldRule {
        module: Module::Customers,
        field: "phone".into(),
        access: FieldAccess::ReadOnly,
        mask: MaskMode::InLists,
    }];
    let role = f
        .crm
        .create_role(
            Actor::system(T1),
            RoleInput {
                name: "lists".into(),
                grants: vec![
                    Grant {
                        module: Module::Customers,
                        action: Action::Update,
                        scope: DataScope::All,
                    },
                    Grant {
                        module: Module::Customers,
                        action: Action::Read,
                        scope: DataScope::All,
                    },
                ],
                fields: rules,
            },
        )
        .await
        .expect("role");
    f.crm
        .upsert_user(
            Actor::system(T1),
            UserInput {
                id: NOBODY,
                name: "Nobody".into(),
                department_id: Some(SALES),
                supervisor_id: None,
                role_ids: vec![role.id],
                tenant_admin: false,
                active: true,
                time_zone: None,
                joined_on: None,
            },
        )
        .await
        .expect("grant");
    let list = f
        .crm
        .list_customers(user(NOBODY), CustomerFilter::default())
        .await
        .expect("list");
    assert!(list.items.iter().all(|c| c
        .record
        .phone
        .as_deref()
        .is_some_and(|p| p.contains("****"))));
    let detail = f
        .crm
        .get_customer(user(NOBODY), rep_customer)
        .await
        .expect("detail");
    assert_eq!(detail.record.phone.as_deref(), Some("13800000002"));
    // Read-only: writing the phone is refused naming the field, writing another field works.
    let denied = f
        .crm
        .update_customer(
            user(NOBODY),
            rep_customer,
            CustomerPatch {
                phone: Some("13900000000".into()),
                ..Default::default()
            },
        )
        .await;
    assert!(
        matches!(denied, Err(CrmError::PermissionDenied { field: Some(f), .. }) if f == "phone")
    );
    assert!(f
        .crm
        .update_customer(
            user(NOBODY),
            rep_customer,
            CustomerPatch {
                industry: Some("制造".into()),
                ..Default::default()
            }
        )
        .await
        .is_ok());
}

#[tokio::test]
async fn inactive_users_cannot_act() {
    let f = Fixture::new(MemoryStore::new()).await;
    f.crm
        .upsert_user(
            Actor::system(T1),
            UserInput {
                id: REP,
                name: "Rep Li".into(),
                department_id: Some(SALES_EAST),
                supervisor_id: Some(MANAGER),
                role_ids: vec![f.roles["sales"]],
                tenant_admin: false,
                active: false,
                time_zone: None,
                joined_on: None,
            },
        )
        .await
        .expect("deactivate");
    assert!(matches!(
        f.crm
            .list_customers(user(REP), CustomerFilter::default())
            .await,
        Err(CrmError::PermissionDenied { .. })
    ));
    assert!(matches!(
        f.crm
            .list_customers(user(UserId(4242)), CustomerFilter::default())
            .await,
        Err(CrmError::NotFound { .. })
    ));
}

#[tokio::test]
async fn org_loops_are_refused() {
    let f = Fixture::new(MemoryStore::new()).await;
    let loop_input = UserInput {
        id: BOSS,
        name: "Boss".into(),
        department_id: Some(SALES),
        supervisor_id: Some(REP),
        role_ids: vec![],
        tenant_admin: false,
        active: true,
        time_zone: None,
        joined_on: None,
    };
    assert!(
        matches!(f.crm.upsert_user(Actor::system(T1), loop_input).await, Err(CrmError::Validation { field, .. }) if field == "user.supervisor_id")
    );
    let dept = crm_core::service::DepartmentInput {
        id: SALES,
        name: "Sales".into(),
        parent_id: Some(SALES_EAST),
    };
    assert!(
        matches!(f.crm.upsert_department(Actor::system(T1), dept).await, Err(CrmError::Validation { field, .. }) if field == "department.parent_id")
    );
}

#[tokio::test]
async fn pages_carry_a_cursor_only_when_full() {
    let f = Fixture::new(MemoryStore::new()).await;
    let mut ids = Vec::new();
    for i in 0..4 {
        let c = f
            .crm
            .create_customer(
                user(REP),
                NewCustomer {
                    name: format!("page {i}"),
                    ..Default::default()
                },
            )
            .await
            .expect("c");
        ids.push(c.record.id.0);
    }
    let page = |after, limit| CustomerFilter {
        after,
        limit: Some(limit),
        ..Default::default()
    };
    let first = f
        .crm
        .list_customers(user(REP), page(None, 3))
        .await
        .expect("p1");
    assert_eq!(
        (first.items.len(), first.next_after),
        (3, Some(ids[2])),
        "full page: cursor at its last row"
    );
    let second = f
        .crm
        .list_customers(user(REP), page(first.next_after, 3))
        .await
        .expect("p2");
    assert_eq!(
        (second.items.len(), second.next_after),
        (1, None),
        "short page: no cursor"
    );
    let exact = f
        .crm
        .list_customers(user(REP), page(None, 4))
        .await
        .expect("exact");
    assert_eq!(
        exact.next_after,
        Some(ids[3]),
        "a page exactly full still offers a cursor"
    );
    let empty = f
        .crm
        .list_customers(user(REP), page(exact.next_after, 4))
        .await
        .expect("empty");
    assert_eq!((empty.items.len(), empty.next_after), (0, None));
    assert!(
        matches!(f.crm.list_customers(user(REP), page(None, 0)).await, Err(CrmError::Validation { field, .. }) if field == "limit")
    );
    assert!(f
        .crm
        .list_customers(user(REP), page(None, 500))
        .await
        .is_ok());
    assert!(matches!(
        f.crm.list_customers(user(REP), page(None, 501)).await,
        Err(CrmError::Validation { .. })
    ));
}
