//! Task reminders through scheduled work: never before their instant, once at it, re-armed
//! when the due moves, caught up once after a gap, disarmed by completing or cancelling.

use super::*;
use crate::task::TaskPatch;
use std::sync::Arc;

/// Runs scheduled work at `now` and answers how many task reminders it fired.
async fn run<S: Store>(f: &Fixture<S>, now: DateTime<Utc>) -> u64 {
    f.crm
        .run_due_work(T1, now)
        .await
        .expect("due work")
        .task_reminders
}

/// A reminder 60 minutes before a due at 10:00Z fires at 09:00Z, not at 08:59:59; once;
/// moving the due re-arms it for the new due; completing disarms it; reopening arms only
/// what is still ahead.
pub async fn task_reminders_fire_once_at_their_instant<S: Store>(store: Arc<S>) {
    let f = setup(store).await;
    f.clock.set(utc(2026, 3, 2, 0, 0));
    let mut with = input("call back", at(utc(2026, 3, 3, 10, 0)), 2);
    with.reminders = vec![60, 0];
    let id = task(&f, REP, with).await;
    let just_before = utc(2026, 3, 3, 9, 0) - chrono::Duration::seconds(1);
    assert_eq!(run(&f, just_before).await, 0);
    assert_eq!(run(&f, utc(2026, 3, 3, 9, 0)).await, 1);
    assert_eq!(run(&f, utc(2026, 3, 3, 9, 0)).await, 0);
    assert_eq!(run(&f, utc(2026, 3, 3, 9, 30)).await, 0);
    let fired = events(&f, "TaskReminder").await;
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].0, id.0);
    assert_eq!(fired[0].1["minutes_before"], 60);
    assert_eq!(fired[0].1["remind_at"], "2026-03-03T09:00:00Z");
    assert_eq!(fired[0].1["due_at"], "2026-03-03T10:00:00Z");

    // The due moves to the 5th: both reminders are armed again for it.
    f.clock.set(utc(2026, 3, 3, 9, 40));
    let moved = f
        .crm
        .update_task(
            user(REP),
            id,
            TaskPatch {
                due: Some(at(utc(2026, 3, 5, 10, 0))),
                ..TaskPatch::default()
            },
        )
        .await
        .expect("move");
    assert!(moved.task.reminders.iter().all(|r| !r.fired));
    assert_eq!(events(&f, "TaskDueChanged").await.len(), 1);
    assert_eq!(run(&f, utc(2026, 3, 3, 10, 0)).await, 0);
    assert_eq!(run(&f, utc(2026, 3, 5, 8, 59)).await, 0);
    assert_eq!(run(&f, utc(2026, 3, 5, 9, 0)).await, 1);
    let fired = events(&f, "TaskReminder").await;
    assert_eq!(fired[1].1["due_at"], "2026-03-05T10:00:00Z");
    // Completed before the 0-minute reminder: nothing more fires.
    f.clock.set(utc(2026, 3, 5, 9, 30));
    f.crm.complete_task(user(REP), id).await.expect("complete");
    assert_eq!(run(&f, utc(2026, 3, 5, 10, 0)).await, 0);
    assert_eq!(run(&f, utc(2026, 3, 6, 0, 0)).await, 0);
    // Reopened after its instant: the passed reminder is not sent late.
    f.clock.set(utc(2026, 3, 6, 1, 0));
    f.crm.reopen_task(user(REP), id).await.expect("reopen");
    assert_eq!(run(&f, utc(2026, 3, 6, 2, 0)).await, 0);
    assert_eq!(events(&f, "TaskReminder").await.len(), 2);
    // Cancelled with a reminder still ahead: disarmed.
    f.crm
        .update_task(
            user(REP),
            id,
            TaskPatch {
                due: Some(at(utc(2026, 3, 9, 10, 0))),
                ..TaskPatch::default()
            },
        )
        .await
        .expect("move again");
    f.crm.cancel_task(user(REP), id).await.expect("cancel");
    assert_eq!(run(&f, utc(2026, 3, 10, 0, 0)).await, 0);
    assert_eq!(events(&f, "TaskReminder").await.len(), 2);
}

/// Reminders whose instants passed while no work ran fire once each at the next run, and
/// an all-day task's reminders count back from the start of its local day.
pub async fn task_reminders_catch_up_once_after_a_gap<S: Store>(store: Arc<S>) {
    let f = setup(store).await;
    f.clock.set(utc(2026, 3, 2, 0, 0));
    let mut timed = input("timed", at(utc(2026, 3, 3, 10, 0)), 1);
    timed.reminders = vec![120, 60];
    let timed = task(&f, REP, timed).await;
    // All-day on the 4th in Shanghai: the day starts 2026-03-03T16:00Z; 30 minutes before.
    let mut all_day = input("all day", on(day(2026, 3, 4)), 1);
    all_day.reminders = vec![30];
    let all_day = task(&f, REP, all_day).await;
    assert_eq!(run(&f, utc(2026, 3, 3, 7, 59)).await, 0);
    // No work between 08:00 and 15:29: both timed reminders fire once at the next run.
    assert_eq!(run(&f, utc(2026, 3, 3, 15, 29)).await, 2);
    assert_eq!(run(&f, utc(2026, 3, 3, 15, 29)).await, 0);
    assert_eq!(run(&f, utc(2026, 3, 3, 15, 30)).await, 1);
    assert_eq!(run(&f, utc(2026, 3, 4, 0, 0)).await, 0);
    let fired: Vec<i64> = events(&f, "TaskReminder")
        .await
        .iter()
        .map(|(id, _)| *id)
        .collect();
    assert_eq!(fired, vec![timed.0, timed.0, all_day.0]);
}
