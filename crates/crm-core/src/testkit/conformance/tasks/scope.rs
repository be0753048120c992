//! Who reads and writes tasks: a rep not another rep's, a collaborator reads (not writes)
//! the tasks they collaborate on, a manager their subordinates'; bad input is refused by
//! name with nothing written.

use super::*;
use crate::error::CrmError;
use crate::service::TaskFilter;
use crate::task::TaskPatch;
use std::sync::Arc;

async fn listed<S: Store>(f: &Fixture<S>, actor: UserId) -> Vec<TaskId> {
    f.crm
        .list_tasks(user(actor), TaskFilter::default())
        .await
        .expect("list")
        .items
        .iter()
        .map(|t| t.task.id)
        .collect()
}

/// Scope over owners plus collaborations, on get, list, update and complete.
pub async fn task_scope_covers_owners_and_collaborators<S: Store>(store: Arc<S>) {
    let f = setup(store).await;
    let mine = task(&f, REP, input("mine", on(day(2026, 3, 5)), 1)).await;
    let theirs = task(&f, REP2, input("theirs", on(day(2026, 3, 5)), 1)).await;
    let mut shared = input("shared", on(day(2026, 3, 6)), 1);
    shared.collaborators = vec![REP];
    let shared = task(&f, REP2, shared).await;
    // A rep does not see another rep's task: absent from the list, not found by id.
    assert_eq!(listed(&f, REP).await, vec![mine, shared]);
    assert_eq!(listed(&f, REP2).await, vec![theirs, shared]);
    let hidden = f.crm.get_task(user(REP), theirs).await;
    assert!(
        matches!(hidden, Err(CrmError::NotFound { .. })),
        "{hidden:?}"
    );
    // The collaborator reads it but does not change it.
    let seen = f
        .crm
        .get_task(user(REP), shared)
        .await
        .expect("collaborator reads");
    assert_eq!(seen.task.collaborators, vec![REP]);
    let edit = TaskPatch {
        title: Some("mine now".into()),
        ..TaskPatch::default()
    };
    let refused = f.crm.update_task(user(REP), shared, edit.clone()).await;
    assert!(
        matches!(refused, Err(CrmError::PermissionDenied { .. })),
        "{refused:?}"
    );
    let refused = f.crm.complete_task(user(REP), shared).await;
    assert!(
        matches!(refused, Err(CrmError::PermissionDenied { .. })),
        "{refused:?}"
    );
    // The owner changes it; the manager reaches both reps' tasks.
    f.crm
        .update_task(user(REP2), shared, edit)
        .await
        .expect("owner edits");
    assert_eq!(listed(&f, MANAGER).await, vec![mine, theirs, shared]);
    f.crm
        .complete_task(user(MANAGER), theirs)
        .await
        .expect("manager completes");
    // Creating for someone outside one's scope is refused; the manager may.
    let refused = f
        .crm
        .create_task(
            user(REP),
            input("for you", on(day(2026, 3, 7)), 1),
            Some(REP2),
        )
        .await;
    assert!(
        matches!(refused, Err(CrmError::PermissionDenied { .. })),
        "{refused:?}"
    );
    create(
        &f,
        user(MANAGER),
        REP2,
        input("from the manager", on(day(2026, 3, 7)), 1),
    )
    .await;
    // Dropped as a collaborator: no longer read.
    f.crm
        .update_task(
            user(REP2),
            shared,
            TaskPatch {
                collaborators: Some(vec![]),
                ..TaskPatch::default()
            },
        )
        .await
        .expect("drop collaborator");
    assert_eq!(listed(&f, REP).await, vec![mine]);
    // Without the tasks grant nothing is read.
    let refused = f.crm.list_tasks(user(NOBODY), TaskFilter::default()).await;
    assert!(
        matches!(refused, Err(CrmError::PermissionDenied { .. })),
        "{refused:?}"
    );
}

/// Bad input names the field and writes nothing; the boundary values are accepted.
pub async fn task_bad_input_is_refused_by_name<S: Store>(store: Arc<S>) {
    let f = setup(store).await;
    let good = || input("ok", on(day(2026, 3, 5)), 1);
    let mut cases: Vec<(TaskInput, &str)> = Vec::new();
    let mut t = good();
    t.title = "  ".into();
    cases.push((t, "title"));
    let mut t = good();
    t.priority = 4;
    cases.push((t, "priority"));
    let mut t = good();
    t.priority = -1;
    cases.push((t, "priority"));
    let mut t = good();
    t.reminders = vec![30, -1];
    cases.push((t, "reminders[1]"));
    let mut t = good();
    t.collaborators = vec![REP];
    cases.push((t, "collaborators[0]"));
    let mut t = good();
    t.collaborators = vec![UserId(999)];
    cases.push((t, "collaborators[0]"));
    let mut t = good();
    t.links.customer_id = Some(CustomerId(424_242));
    cases.push((t, "links.customer_id"));
    // A colleague's customer the rep does not read is refused like a missing one.
    let theirs = customer(&f, REP2, "同事的客户").await;
    let mut t = good();
    t.links.customer_id = Some(theirs);
    cases.push((t, "links.customer_id"));
    for (bad, field) in cases {
        let refused = f.crm.create_task(user(REP), bad, None).await;
        assert!(
            matches!(&refused, Err(CrmError::Validation { field: got, .. }) if got == field),
            "{field}: {refused:?}"
        );
    }
    let refused = f
        .crm
        .create_task(user(MANAGER), good(), Some(UserId(999)))
        .await;
    assert!(
        matches!(&refused, Err(CrmError::Validation { field, .. }) if field == "owner_id"),
        "{refused:?}"
    );
    assert_eq!(count(&f).await, 0);
    assert!(events(&f, "TaskCreated").await.is_empty());
    // Boundaries: priorities 0 and 3, a reminder at the due (0 minutes).
    let mut edge = good();
    edge.priority = 3;
    edge.reminders = vec![0];
    let id = task(&f, REP, edge).await;
    let mut low = good();
    low.priority = 0;
    task(&f, REP, low).await;
    // Updates are checked alike and change nothing when refused.
    let before = f.crm.get_task(user(REP), id).await.expect("get");
    for (patch, field) in [
        (
            TaskPatch {
                priority: Some(7),
                ..TaskPatch::default()
            },
            "priority",
        ),
        (
            TaskPatch {
                reminders: Some(vec![-10]),
                ..TaskPatch::default()
            },
            "reminders[0]",
        ),
        (
            TaskPatch {
                title: Some(String::new()),
                ..TaskPatch::default()
            },
            "title",
        ),
    ] {
        let refused = f.crm.update_task(user(REP), id, patch).await;
        assert!(
            matches!(&refused, Err(CrmError::Validation { field: got, .. }) if got == field),
            "{field}: {refused:?}"
        );
    }
    assert_eq!(f.crm.get_task(user(REP), id).await.expect("get"), before);
    // A user's time zone is a known IANA name.
    let refused = f
        .crm
        .upsert_user(
            Actor::system(T1),
            UserInput {
                id: REP,
                name: "Rep Li".into(),
                department_id: Some(SALES_EAST),
                supervisor_id: Some(MANAGER),
                role_ids: vec![],
                tenant_admin: false,
                active: true,
                time_zone: Some("Mars/Olympus".into()),
                joined_on: None,
            },
        )
        .await;
    assert!(
        matches!(&refused, Err(CrmError::Validation { field, .. }) if field == "user.time_zone"),
        "{refused:?}"
    );
}
