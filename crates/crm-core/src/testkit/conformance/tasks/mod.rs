//! Tasks on every store (DESIGN §4.9): buckets in the owner's zone (TK1, TK2), list order
//! and pages, reminders fired once from persisted state, stage templates (TK5), scope with
//! collaborators, refusals, the report, and tasks following converted and merged leads.

mod buckets;
mod leads;
mod reminders;
mod report;
mod scope;
mod templates;

pub use buckets::*;
pub use leads::*;
pub use reminders::*;
pub use report::*;
pub use scope::*;
pub use templates::*;

use crate::access::{Action, DataScope, Grant, Module};
use crate::customer::NewCustomer;
use crate::ids::{CustomerId, TaskId, UserId};
use crate::service::{RoleInput, TaskView, UserInput};
use crate::store::{Entity, Query, Store, StoreExt};
use crate::task::{Due, TaskInput, TaskLinks};
use crate::testkit::fixture::*;
use crate::Actor;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

/// A reader of every task with the reports grant.
pub(super) const ANALYST: UserId = UserId(50);

/// An instant, UTC.
pub(super) fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .unwrap_or_default()
}

/// A date.
pub(super) fn day(y: i32, mo: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, mo, d).unwrap_or_default()
}

fn grants(modules: &[Module], actions: &[Action], scope: DataScope) -> Vec<Grant> {
    modules
        .iter()
        .flat_map(|&module| {
            actions.iter().map(move |&action| Grant {
                module,
                action,
                scope,
            })
        })
        .collect()
}

async fn make_role<S: Store>(f: &Fixture<S>, name: &str, grants: Vec<Grant>) -> crate::ids::RoleId {
    f.crm
        .create_role(
            Actor::system(T1),
            RoleInput {
                name: name.into(),
                grants,
                fields: vec![],
            },
        )
        .await
        .expect("role")
        .id
}

/// The fixture with task grants: the reps (REP in Asia/Shanghai by their own setting, REP2
/// in Europe/London) reach their own tasks, the east manager their subordinates', the
/// analyst reads every task and reports. The tenant's zone is Asia/Shanghai.
pub(super) async fn setup<S: Store>(store: S) -> Fixture<S> {
    let f = Fixture::new(store).await;
    let sys = Actor::system(T1);
    let crud = [Action::Create, Action::Read, Action::Update];
    let own = make_role(
        &f,
        "tasks own",
        grants(&[Module::Tasks], &crud, DataScope::SelfOnly),
    )
    .await;
    let team = make_role(
        &f,
        "tasks team",
        grants(&[Module::Tasks], &crud, DataScope::SelfAndSubordinates),
    )
    .await;
    let analyst = make_role(
        &f,
        "tasks analyst",
        grants(
            &[Module::Tasks, Module::Reports],
            &[Action::Read],
            DataScope::All,
        ),
    )
    .await;
    let sales = f.roles["sales"];
    let manager = f.roles["manager"];
    for (id, name, dept, sup, roles, zone) in [
        (
            REP,
            "Rep Li",
            Some(SALES_EAST),
            Some(MANAGER),
            vec![sales, own],
            Some("Asia/Shanghai"),
        ),
        (
            REP2,
            "Rep Wang",
            Some(SALES_EAST),
            Some(MANAGER),
            vec![sales, own],
            Some("Europe/London"),
        ),
        (
            MANAGER,
            "East Manager",
            Some(SALES_EAST),
            Some(BOSS),
            vec![manager, team],
            None,
        ),
        (
            ANALYST,
            "Task Analyst",
            Some(SALES),
            None,
            vec![analyst],
            None,
        ),
    ] {
        f.crm
            .upsert_user(
                sys,
                UserInput {
                    id,
                    name: name.into(),
                    department_id: dept,
                    supervisor_id: sup,
                    role_ids: roles,
                    tenant_admin: false,
                    active: true,
                    time_zone: zone.map(str::to_owned),
                    joined_on: None,
                },
            )
            .await
            .expect("user");
    }
    f
}

/// A task input due at `due` with a priority.
pub(super) fn input(title: &str, due: Due, priority: i64) -> TaskInput {
    TaskInput {
        title: title.into(),
        kind: None,
        priority,
        due,
        collaborators: vec![],
        links: TaskLinks::default(),
        reminders: vec![],
        notes: None,
    }
}

/// An all-day due.
pub(super) fn on(date: NaiveDate) -> Due {
    Due::AllDay { date }
}

/// A due instant.
pub(super) fn at(at: DateTime<Utc>) -> Due {
    Due::At { at }
}

/// Creates a task for `owner` by `actor`.
pub(super) async fn create<S: Store>(
    f: &Fixture<S>,
    actor: Actor,
    owner: UserId,
    task: TaskInput,
) -> TaskView {
    f.crm
        .create_task(actor, task, Some(owner))
        .await
        .expect("task")
}

/// Creates a task owned by and created by `owner`; answers its id.
pub(super) async fn task<S: Store>(f: &Fixture<S>, owner: UserId, task: TaskInput) -> TaskId {
    create(f, user(owner), owner, task).await.task.id
}

/// A customer owned by `owner`.
pub(super) async fn customer<S: Store>(f: &Fixture<S>, owner: UserId, name: &str) -> CustomerId {
    f.crm
        .create_customer(
            user(owner),
            NewCustomer {
                name: name.into(),
                ..Default::default()
            },
        )
        .await
        .expect("customer")
        .record
        .id
}

/// Stored tasks in tenant 1.
pub(super) async fn count<S: Store>(f: &Fixture<S>) -> u64 {
    f.crm
        .store()
        .count(&Query::new(Entity::Task, T1))
        .await
        .expect("count")
}

/// The events of `kind` (record id and payload), in order.
pub(super) async fn events<S: Store>(f: &Fixture<S>, kind: &str) -> Vec<(i64, serde_json::Value)> {
    f.crm
        .events_after(Actor::system(T1), 0, 1000)
        .await
        .expect("events")
        .into_iter()
        .filter(|e| e.kind == kind)
        .map(|e| (e.record_id, e.payload))
        .collect()
}
