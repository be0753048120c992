//! The task report: completion and overdue rates per owner over the tasks due in a period,
//! in the reader's scope, with the reports grant.

use super::*;
use crate::error::CrmError;
use crate::service::TaskReportRequest;
use rust_decimal::Decimal;
use std::sync::Arc;

fn rate(s: &str) -> Option<Decimal> {
    s.parse().ok()
}

/// Figures per owner on both sides of the period's edges; scope and grants.
pub async fn task_report_counts_completion_and_overdue<S: Store>(store: Arc<S>) {
    let f = setup(store).await;
    f.clock.set(utc(2026, 3, 2, 0, 0));
    // REP: four tasks due 3–5 March: one done in time, one done late, one still open past
    // its deadline, one cancelled (left out). One due 6 March, outside the period.
    let in_time = task(&f, REP, input("in time", on(day(2026, 3, 3)), 1)).await;
    let late = task(&f, REP, input("late", at(utc(2026, 3, 3, 4, 0)), 1)).await;
    task(&f, REP, input("open late", on(day(2026, 3, 4)), 1)).await;
    let cancelled = task(&f, REP, input("cancelled", on(day(2026, 3, 5)), 1)).await;
    task(&f, REP, input("outside", on(day(2026, 3, 6)), 1)).await;
    // REP2 (London): one task due the 5th local, still ahead at report time.
    task(&f, REP2, input("ahead", at(utc(2026, 3, 5, 20, 0)), 1)).await;
    f.clock.set(utc(2026, 3, 3, 3, 0));
    f.crm.complete_task(user(REP), in_time).await.expect("done");
    f.clock.set(utc(2026, 3, 3, 5, 0));
    f.crm
        .complete_task(user(REP), late)
        .await
        .expect("done late");
    f.crm
        .cancel_task(user(REP), cancelled)
        .await
        .expect("cancel");
    // Report at 2026-03-05T12:00Z: "open late" (deadline 4 March 16:00Z) is overdue.
    f.clock.set(utc(2026, 3, 5, 12, 0));
    let period = TaskReportRequest {
        from: day(2026, 3, 3),
        to: day(2026, 3, 5),
    };
    let report = f
        .crm
        .task_report(user(ANALYST), period)
        .await
        .expect("report");
    let rows: Vec<(UserId, u64, u64, u64)> = report
        .by_owner
        .iter()
        .map(|r| {
            (
                r.owner_id,
                r.figures.tasks,
                r.figures.done,
                r.figures.overdue,
            )
        })
        .collect();
    assert_eq!(rows, vec![(REP, 3, 2, 2), (REP2, 1, 0, 0)]);
    let rep = &report.by_owner[0].figures;
    assert_eq!(rep.completion_rate, rate("0.6667"));
    assert_eq!(rep.overdue_rate, rate("0.6667"));
    let rep2 = &report.by_owner[1].figures;
    assert_eq!(
        (rep2.completion_rate, rep2.overdue_rate),
        (rate("0"), rate("0"))
    );
    assert_eq!(
        (report.total.tasks, report.total.done, report.total.overdue),
        (4, 2, 2)
    );
    assert_eq!(report.total.completion_rate, rate("0.5"));
    // One day less: the 3rd only.
    let first_day = f
        .crm
        .task_report(
            user(ANALYST),
            TaskReportRequest {
                from: day(2026, 3, 3),
                to: day(2026, 3, 3),
            },
        )
        .await
        .expect("report");
    assert_eq!(first_day.total.tasks, 2);
    assert_eq!(first_day.total.overdue_rate, rate("0.5"));
    // An empty period has no rates.
    let empty = f
        .crm
        .task_report(
            user(ANALYST),
            TaskReportRequest {
                from: day(2026, 4, 1),
                to: day(2026, 4, 1),
            },
        )
        .await
        .expect("report");
    assert_eq!(empty.total.tasks, 0);
    assert_eq!(empty.total.completion_rate, None);
    assert!(empty.by_owner.is_empty());
    // The last days chrono can hold: an empty report, no overflow.
    let edge = f
        .crm
        .task_report(
            user(ANALYST),
            TaskReportRequest {
                from: chrono::NaiveDate::MAX - chrono::Duration::days(30),
                to: chrono::NaiveDate::MAX,
            },
        )
        .await
        .expect("report at the end of time");
    assert_eq!(edge.total.tasks, 0);
    // Without the reports grant: refused; bad periods name the field.
    let refused = f.crm.task_report(user(MANAGER), period).await;
    assert!(
        matches!(refused, Err(CrmError::PermissionDenied { .. })),
        "{refused:?}"
    );
    let refused = f
        .crm
        .task_report(
            user(ANALYST),
            TaskReportRequest {
                from: day(2026, 3, 5),
                to: day(2026, 3, 4),
            },
        )
        .await;
    assert!(
        matches!(&refused, Err(CrmError::Validation { field, .. }) if field == "to"),
        "{refused:?}"
    );
}
