//! Buckets in the owner's time zone (TK1, TK2) and the list order with its pages.

use super::*;
use crate::ids::TaskId;
use crate::service::TaskFilter;
use crate::task::{TaskBucket, TaskCursor};
use std::sync::Arc;

/// TK1/TK2: an all-day task due 2024-05-10 for an owner in Asia/Shanghai is today from
/// 2024-05-09T16:00Z, planned a minute before, overdue once the local day is over; for an
/// owner in Europe/London the same instants are planned; the tenant's zone applies to an
/// owner without one.
pub async fn tasks_bucket_in_the_owners_zone<S: Store>(store: Arc<S>) {
    let f = setup(store).await;
    f.clock.set(utc(2024, 5, 1, 0, 0));
    let due = on(day(2024, 5, 10));
    let shanghai = task(&f, REP, input("拜访准备", due, 1)).await;
    let london = task(&f, REP2, input("prepare", due, 1)).await;
    let tenant_zone = task(&f, MANAGER, input("review", due, 1)).await;
    let bucket = |id: TaskId, now| {
        let f = &f;
        async move {
            f.clock.set(now);
            f.crm
                .get_task(Actor::system(T1), id)
                .await
                .expect("get")
                .bucket
        }
    };
    // TK1 and TK2.
    assert_eq!(
        bucket(shanghai, utc(2024, 5, 9, 17, 0)).await,
        Some(TaskBucket::Today)
    );
    assert_eq!(
        bucket(shanghai, utc(2024, 5, 9, 15, 59)).await,
        Some(TaskBucket::Planned)
    );
    assert_eq!(
        bucket(shanghai, utc(2024, 5, 9, 16, 0)).await,
        Some(TaskBucket::Today)
    );
    assert_eq!(
        bucket(shanghai, utc(2024, 5, 10, 15, 59)).await,
        Some(TaskBucket::Today)
    );
    assert_eq!(
        bucket(shanghai, utc(2024, 5, 10, 16, 0)).await,
        Some(TaskBucket::Overdue)
    );
    // The owner's own zone (London, UTC+1 in May) and the tenant's for an owner without one.
    assert_eq!(
        bucket(london, utc(2024, 5, 9, 17, 0)).await,
        Some(TaskBucket::Planned)
    );
    assert_eq!(
        bucket(london, utc(2024, 5, 9, 23, 0)).await,
        Some(TaskBucket::Today)
    );
    assert_eq!(
        bucket(london, utc(2024, 5, 10, 22, 59)).await,
        Some(TaskBucket::Today)
    );
    assert_eq!(
        bucket(london, utc(2024, 5, 10, 23, 0)).await,
        Some(TaskBucket::Overdue)
    );
    assert_eq!(
        bucket(tenant_zone, utc(2024, 5, 9, 17, 0)).await,
        Some(TaskBucket::Today)
    );
    let stored: crate::task::Task = f
        .crm
        .store()
        .load(T1, shanghai)
        .await
        .expect("load")
        .expect("task");
    assert_eq!(stored.time_zone, "Asia/Shanghai");
    assert_eq!(stored.due_at, utc(2024, 5, 10, 16, 0));
    // A closed task has no bucket.
    f.crm
        .complete_task(user(REP), shanghai)
        .await
        .expect("complete");
    assert_eq!(bucket(shanghai, utc(2024, 5, 11, 0, 0)).await, None);
}

/// Overdue first, then by due, then by priority (higher first), then by id; pages follow
/// that order exactly; the bucket, status, owner, link and due filters narrow it.
pub async fn task_lists_sort_overdue_first_then_due_then_priority<S: Store>(store: Arc<S>) {
    let f = setup(store).await;
    f.clock.set(utc(2026, 3, 2, 2, 0));
    let c = customer(&f, REP, "任务客户").await;
    let late_low = task(&f, REP, input("late low", at(utc(2026, 3, 3, 1, 0)), 0)).await;
    let late_high = task(&f, REP, input("late high", at(utc(2026, 3, 3, 5, 0)), 3)).await;
    let soon_low = task(&f, REP, input("soon low", at(utc(2026, 3, 4, 1, 0)), 0)).await;
    let soon_high = task(&f, REP, input("soon high", at(utc(2026, 3, 4, 1, 0)), 3)).await;
    let soon_high2 = task(&f, REP, input("soon high 2", at(utc(2026, 3, 4, 1, 0)), 3)).await;
    let mut linked = input("linked", on(day(2026, 3, 10)), 2);
    linked.links.customer_id = Some(c);
    let linked = task(&f, REP, linked).await;
    let done = task(&f, REP, input("done", at(utc(2026, 3, 3, 0, 0)), 1)).await;
    f.crm.complete_task(user(REP), done).await.expect("done");
    // Now 2026-03-03T12:00Z: the two "late" tasks are overdue; "done" is not (it is done),
    // although its due is the earliest.
    f.clock.set(utc(2026, 3, 3, 12, 0));
    let ids = |page: &[TaskView]| page.iter().map(|t| t.task.id).collect::<Vec<_>>();
    let all = f
        .crm
        .list_tasks(user(REP), TaskFilter::default())
        .await
        .expect("list");
    assert_eq!(
        ids(&all.items),
        vec![late_low, late_high, done, soon_high, soon_high2, soon_low, linked]
    );
    assert_eq!(all.next_after, None);
    // Pages of two follow the same order, the cursor naming the last item's key.
    let mut paged = Vec::new();
    let mut after: Option<TaskCursor> = None;
    loop {
        let page = f
            .crm
            .list_tasks(
                user(REP),
                TaskFilter {
                    after,
                    limit: Some(2),
                    ..TaskFilter::default()
                },
            )
            .await
            .expect("page");
        assert!(page.items.len() <= 2);
        paged.extend(ids(&page.items));
        match page.next_after {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(paged, ids(&all.items));
    let list = |filter: TaskFilter| {
        let f = &f;
        async move {
            f.crm
                .list_tasks(user(REP), filter)
                .await
                .expect("list")
                .items
                .iter()
                .map(|t| t.task.id)
                .collect::<Vec<_>>()
        }
    };
    let by_bucket = |bucket| TaskFilter {
        bucket: Some(bucket),
        ..TaskFilter::default()
    };
    assert_eq!(
        list(by_bucket(TaskBucket::Overdue)).await,
        vec![late_low, late_high]
    );
    assert_eq!(
        list(by_bucket(TaskBucket::Today)).await,
        Vec::<TaskId>::new()
    );
    assert_eq!(
        list(by_bucket(TaskBucket::Planned)).await,
        vec![soon_high, soon_high2, soon_low, linked]
    );
    let mut by_link = TaskFilter::default();
    by_link.linked.customer_id = Some(c);
    assert_eq!(list(by_link).await, vec![linked]);
    let due_range = TaskFilter {
        due_from: Some(utc(2026, 3, 3, 5, 0)),
        due_before: Some(utc(2026, 3, 4, 1, 0)),
        ..TaskFilter::default()
    };
    assert_eq!(list(due_range).await, vec![late_high]);
    let finished = TaskFilter {
        status: Some(crate::task::TaskStatus::Done),
        ..TaskFilter::default()
    };
    assert_eq!(list(finished).await, vec![done]);
    let others = TaskFilter {
        owner_id: Some(REP2),
        ..TaskFilter::default()
    };
    assert_eq!(list(others).await, Vec::<TaskId>::new());
    // Bad page sizes and ranges are refused by name.
    for (bad, field) in [
        (
            TaskFilter {
                limit: Some(0),
                ..TaskFilter::default()
            },
            "limit",
        ),
        (
            TaskFilter {
                due_from: Some(utc(2026, 3, 4, 0, 0)),
                due_before: Some(utc(2026, 3, 4, 0, 0)),
                ..TaskFilter::default()
            },
            "due_before",
        ),
    ] {
        let refused = f.crm.list_tasks(user(REP), bad).await;
        assert!(
            matches!(&refused, Err(crate::error::CrmError::Validation { field: got, .. }) if got == field),
            "{refused:?}"
        );
    }
}
