//! Property: over random task streams — creations with reminders, due changes (forward and
//! back), completions — and scheduled work run at irregular instants (long gaps
//! included), every reminder fires exactly once per due it was armed for, never before its
//! instant, and only while its task is open. The engine's `TaskReminder` events are
//! compared with a plain model of that rule, and the "never before" and "at most once"
//! halves are checked on the events themselves as well.

use chrono::{DateTime, Duration, TimeZone, Utc};
use crm_core::ids::TaskId;
use crm_core::service::TaskFilter;
use crm_core::task::{Due, TaskInput, TaskLinks, TaskPatch};
use crm_core::testkit::fixture::{Fixture, REP, T1};
use crm_core::testkit::MemoryStore;
use crm_core::Actor;
use proptest::prelude::*;
use std::collections::BTreeSet;

/// Reminder offsets a task may pick from, in minutes before the due.
const OFFSETS: [u32; 5] = [0, 15, 60, 240, 1440];

#[derive(Debug, Clone)]
enum Step {
    /// Create a task due `due` minutes after the start, with the offsets picked by `mask`.
    Create { due: i64, mask: u8 },
    /// Move the due of task `task` (modulo the tasks created) to `due` minutes after start.
    Move { task: usize, due: i64 },
    /// Complete task `task`.
    Complete { task: usize },
    /// Advance the clock by `minutes` and run scheduled work.
    Run { minutes: i64 },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0i64..6000, 0u8..32).prop_map(|(due, mask)| Step::Create { due, mask }),
        3 => (0usize..16, 0i64..6000).prop_map(|(task, due)| Step::Move { task, due }),
        1 => (0usize..16).prop_map(|task| Step::Complete { task }),
        4 => (0i64..900).prop_map(|minutes| Step::Run { minutes }),
    ]
}

/// One expected firing: task, minutes before, reminder instant, due, run instant.
type Firing = (i64, u32, DateTime<Utc>, DateTime<Utc>, DateTime<Utc>);

/// The model of one task: its due, whether it is open, and per offset whether it fired.
struct Model {
    id: TaskId,
    due: DateTime<Utc>,
    open: bool,
    reminders: Vec<(u32, bool)>,
}

impl Model {
    fn fire(&mut self, now: DateTime<Utc>, out: &mut Vec<Firing>) {
        if !self.open {
            return;
        }
        for (m, fired) in &mut self.reminders {
            let at = self.due - Duration::minutes(i64::from(*m));
            if !*fired && at <= now {
                *fired = true;
                out.push((self.id.0, *m, at, self.due, now));
            }
        }
    }
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

async fn check(steps: Vec<Step>) {
    let f = Fixture::new(MemoryStore::new()).await;
    let sys = Actor::system(T1);
    let mut now = start();
    f.clock.set(now);
    let mut models: Vec<Model> = Vec::new();
    let mut expected: Vec<Firing> = Vec::new();
    let last = Step::Run {
        minutes: 20 * 24 * 60,
    };
    for s in steps.iter().chain(std::iter::once(&last)) {
        match *s {
            Step::Create { due, mask } => {
                let due = start() + Duration::minutes(due);
                let offsets: Vec<u32> = OFFSETS
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| mask & (1 << i) != 0)
                    .map(|(_, m)| *m)
                    .collect();
                let input = TaskInput {
                    title: "follow up".into(),
                    kind: None,
                    priority: 1,
                    due: Due::At { at: due },
                    collaborators: vec![],
                    links: TaskLinks::default(),
                    reminders: offsets.iter().map(|m| i64::from(*m)).collect(),
                    notes: None,
                };
                let view = f
                    .crm
                    .create_task(sys, input, Some(REP))
                    .await
                    .expect("create");
                models.push(Model {
                    id: view.task.id,
                    due,
                    open: true,
                    reminders: offsets.into_iter().map(|m| (m, false)).collect(),
                });
            }
            Step::Move { task, due } => {
                let n = models.len();
                let Some(m) = (n > 0).then(|| &mut models[task % n]) else {
                    continue;
                };
                if !m.open {
                    continue;
                }
                let due = start() + Duration::minutes(due);
                f.crm
                    .update_task(
                        sys,
                        m.id,
                        TaskPatch {
                            due: Some(Due::At { at: due }),
                            ..TaskPatch::default()
                        },
                    )
                    .await
                    .expect("move");
                if due != m.due {
                    m.due = due;
                    for r in &mut m.reminders {
                        r.1 = false;
                    }
                }
            }
            Step::Complete { task } => {
                let n = models.len();
                let Some(m) = (n > 0).then(|| &mut models[task % n]) else {
                    continue;
                };
                if !m.open {
                    continue;
                }
                f.crm.complete_task(sys, m.id).await.expect("complete");
                m.open = false;
            }
            Step::Run { minutes } => {
                now += Duration::minutes(minutes);
                f.clock.set(now);
                f.crm.run_due_work(T1, now).await.expect("due work");
                for m in &mut models {
                    m.fire(now, &mut expected);
                }
            }
        }
    }
    let mut events = Vec::new();
    let mut cursor = 0;
    loop {
        let page = f.crm.events_after(sys, cursor, 1000).await.expect("events");
        let Some(last) = page.last().map(|e| e.seq) else {
            break;
        };
        cursor = last;
        events.extend(page);
    }
    let mut fired: Vec<Firing> = Vec::new();
    for e in events.iter().filter(|e| e.kind == "TaskReminder") {
        let instant = |k: &str| {
            e.payload[k]
                .as_str()
                .and_then(|s| s.parse::<DateTime<Utc>>().ok())
                .expect("instant")
        };
        let minutes = e.payload["minutes_before"].as_u64().expect("minutes");
        let fired_at = e.at;
        let remind_at = instant("remind_at");
        // Never before its instant.
        assert!(remind_at <= fired_at, "{e:?}");
        fired.push((
            e.record_id,
            u32::try_from(minutes).expect("offset"),
            remind_at,
            instant("due_at"),
            fired_at,
        ));
    }
    // At most once per (task, offset, due armed for, firing): no repeats at all.
    let distinct: BTreeSet<_> = fired.iter().collect();
    assert_eq!(distinct.len(), fired.len());
    fired.sort();
    expected.sort();
    assert_eq!(fired, expected);
    // After the last long run nothing an open task armed is left unfired.
    let open = f
        .crm
        .list_tasks(
            sys,
            TaskFilter {
                limit: Some(500),
                ..TaskFilter::default()
            },
        )
        .await
        .expect("list");
    for t in open.items {
        if t.task.status == crm_core::task::TaskStatus::Open {
            assert!(t.task.reminders.iter().all(|r| r.fired), "{:?}", t.task);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    #[test]
    fn reminders_fire_exactly_once_never_early(steps in prop::collection::vec(step(), 1..40)) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(check(steps));
    }
}
