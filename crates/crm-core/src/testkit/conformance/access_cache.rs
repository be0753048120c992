//! Engines keep each tenant's users, departments, roles and pools between calls, stamped
//! with the tenant row's version. The store raises that version with every write to them,
//! so a change made by another engine over the same database (another process) reaches a
//! caching engine on its very next call.

use crate::actor::Actor;
use crate::customer::NewCustomer;
use crate::error::CrmError;
use crate::ids::{CustomerId, RoleId};
use crate::service::{DepartmentInput, UserInput};
use crate::store::{Changes, Store};
use crate::testkit::fixture::*;
use crate::testkit::samples;
use crate::Crm;
use std::sync::Arc;

fn rep(role_ids: Vec<RoleId>, active: bool) -> UserInput {
    UserInput {
        id: REP,
        name: "Rep Li".into(),
        department_id: Some(SALES_EAST),
        supervisor_id: Some(MANAGER),
        role_ids,
        tenant_admin: false,
        active,
        time_zone: None,
        joined_on: None,
    }
}

async fn tenant_version<S: Store>(crm: &Crm<S>) -> i64 {
    crm.get_tenant(Actor::system(T1))
        .await
        .expect("tenant")
        .version
}

async fn rep_reads<S: Store>(crm: &Crm<S>, id: CustomerId) -> Result<(), CrmError> {
    crm.get_customer(user(REP), id).await.map(|_| ())
}

async fn tree_sees<S: Store>(crm: &Crm<S>, id: CustomerId) -> bool {
    crm.get_customer(user(TREE_VIEWER), id).await.is_ok()
}

/// Deactivating a user, taking their roles away and moving a department through a second
/// engine are seen by the first engine's next call; customer writes leave the stamp alone.
pub async fn access_changes_reach_other_engines<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store.clone()).await;
    let other = Crm::new(store.clone(), f.clock.clone());
    let sys = Actor::system(T1);
    let id = f
        .crm
        .create_customer(
            user(REP),
            NewCustomer {
                name: "缓存测试有限公司".into(),
                ..NewCustomer::default()
            },
        )
        .await
        .expect("create")
        .record
        .id;
    rep_reads(&f.crm, id).await.expect("the owner reads");
    let before = tenant_version(&f.crm).await;

    // Customer rows are not access configuration: the stamp stays.
    let mut changes = Changes::new(T1);
    changes
        .insert(&samples::customer(
            T1,
            9_001,
            Some(REP2.0),
            "旁路写入",
            start(),
        ))
        .expect("row");
    store.apply(changes).await.expect("apply");
    assert_eq!(tenant_version(&f.crm).await, before);

    // Another engine deactivates the rep: the stamp moves, the first engine refuses.
    let sales = f
        .roles
        .get("sales")
        .copied()
        .into_iter()
        .collect::<Vec<_>>();
    other
        .upsert_user(sys, rep(sales.clone(), false))
        .await
        .expect("deactivate");
    assert!(tenant_version(&f.crm).await > before);
    match rep_reads(&f.crm, id).await {
        Err(CrmError::PermissionDenied { field, .. }) => {
            assert_eq!(field.as_deref(), Some("user.active"))
        }
        other => panic!("an inactive user must be refused, got {other:?}"),
    }

    // Active again but without roles: nothing is reachable.
    other
        .upsert_user(sys, rep(vec![], true))
        .await
        .expect("no roles");
    assert!(matches!(
        rep_reads(&f.crm, id).await,
        Err(CrmError::PermissionDenied { .. })
    ));

    // Roles back: readable again.
    other
        .upsert_user(sys, rep(sales, true))
        .await
        .expect("roles back");
    rep_reads(&f.crm, id).await.expect("readable again");

    // A department moved by the other engine changes the tree the first engine resolves:
    // the east manager's customers leave the tree viewer's reach when Sales East leaves
    // the Sales tree, and come back with it.
    assert!(tree_sees(&f.crm, id).await, "Sales East is under Sales");
    let move_east = |parent| DepartmentInput {
        id: SALES_EAST,
        name: "Sales East".into(),
        parent_id: parent,
    };
    other
        .upsert_department(sys, move_east(None))
        .await
        .expect("move out");
    assert!(
        !tree_sees(&f.crm, id).await,
        "Sales East left the Sales tree"
    );
    other
        .upsert_department(sys, move_east(Some(SALES)))
        .await
        .expect("move back");
    assert!(
        tree_sees(&f.crm, id).await,
        "Sales East is back under Sales"
    );
}
