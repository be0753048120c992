//! Helpers of the target cases: target roles granted to the fixture's users, a director
//! without a department, declarations, row counts and error names.

use crate::access::{Action, DataScope, Grant, Module};
use crate::error::{CrmError, CrmResult};
use crate::ids::{RoleId, UserId};
use crate::service::{RoleInput, UserInput};
use crate::store::{Entity, Query, Store};
use crate::target::{DeclareTarget, Metric, TargetSubject};
use crate::testkit::fixture::*;
use crate::Actor;
use rust_decimal::Decimal;

/// Declares, reads and approves every target (reach `all`); no department.
pub(super) const DIRECTOR: UserId = UserId(50);

fn target_grants(actions: &[Action], scope: DataScope) -> Vec<Grant> {
    actions
        .iter()
        .map(|&action| Grant {
            module: Module::Targets,
            action,
            scope,
        })
        .collect()
}

async fn role<S: Store>(f: &Fixture<S>, name: &str, grants: Vec<Grant>) -> RoleId {
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

/// Adds `role` to an existing user of tenant 1.
async fn add_role<S: Store>(f: &Fixture<S>, user: UserId, role: RoleId) {
    let sys = Actor::system(T1);
    let u = f
        .crm
        .list_users(sys)
        .await
        .expect("users")
        .into_iter()
        .find(|u| u.id == user)
        .expect("user");
    let mut role_ids = u.role_ids.clone();
    role_ids.push(role);
    f.crm
        .upsert_user(
            sys,
            UserInput {
                id: u.id,
                name: u.name,
                department_id: u.department_id,
                supervisor_id: u.supervisor_id,
                role_ids,
                tenant_admin: u.tenant_admin,
                active: u.active,
                time_zone: u.time_zone,
                joined_on: u.joined_on,
            },
        )
        .await
        .expect("user");
}

/// The fixture with target grants: reps (12, 13) create, read and update their own; the
/// east manager (11) and the boss (10) theirs and their subordinates' (no approve grant:
/// they approve as supervisors); the director (50, no department) everything with approve.
pub(super) async fn target_fixture<S: Store>(store: S) -> Fixture<S> {
    use Action::*;
    let f = Fixture::new(store).await;
    let rep = role(
        &f,
        "target rep",
        target_grants(&[Create, Read, Update], DataScope::SelfOnly),
    )
    .await;
    let manager = role(
        &f,
        "target manager",
        target_grants(&[Create, Read, Update], DataScope::SelfAndSubordinates),
    )
    .await;
    let director = role(
        &f,
        "target director",
        target_grants(&[Create, Read, Update, Approve], DataScope::All),
    )
    .await;
    for user in [REP, REP2] {
        add_role(&f, user, rep).await;
    }
    for user in [MANAGER, BOSS] {
        add_role(&f, user, manager).await;
    }
    f.crm
        .upsert_user(
            Actor::system(T1),
            UserInput {
                id: DIRECTOR,
                name: "Director".into(),
                department_id: None,
                supervisor_id: None,
                role_ids: vec![director],
                tenant_admin: false,
                active: true,
                time_zone: None,
                joined_on: None,
            },
        )
        .await
        .expect("director");
    f
}

/// A decimal.
pub(super) fn dec(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

/// A contract-amount target in CNY for fiscal year 2026 given by its annual amount.
pub(super) fn annual(subject: TargetSubject, amount: &str) -> DeclareTarget {
    DeclareTarget {
        subject,
        metric: Metric::ContractAmount,
        fiscal_year: 2026,
        currency: Some("CNY".into()),
        annual: Some(dec(amount)),
        months: None,
    }
}

/// A contract-amount target in CNY for fiscal year 2026 given by twelve equal months.
pub(super) fn monthly(subject: TargetSubject, month: &str) -> DeclareTarget {
    DeclareTarget {
        months: Some(vec![dec(month); 12]),
        annual: None,
        ..annual(subject, "0")
    }
}

/// A user's subject.
pub(super) fn of(user: UserId) -> TargetSubject {
    TargetSubject::User { id: user }
}

/// Rows of `entity` in tenant 1.
pub(super) async fn count<S: Store>(f: &Fixture<S>, entity: Entity) -> usize {
    f.crm
        .store()
        .query(&Query::new(entity, T1).limit(10_000))
        .await
        .expect("rows")
        .len()
}

/// Events of `kind` in tenant 1 about record `id`.
pub(super) async fn events_of<S: Store>(
    f: &Fixture<S>,
    kind: &str,
    id: i64,
) -> Vec<crate::store::Event> {
    f.crm
        .events_after(Actor::system(T1), 0, 1000)
        .await
        .expect("events")
        .into_iter()
        .filter(|e| e.kind == kind && e.record_id == id)
        .collect()
}

/// The audit operations on target `id`, oldest first.
pub(super) async fn audit_ops<S: Store>(f: &Fixture<S>, id: i64) -> Vec<String> {
    f.crm
        .record_audit(Actor::system(T1), "target", id)
        .await
        .expect("audit")
        .into_iter()
        .map(|a| a.operation)
        .collect()
}

/// The rule of a refusal, the field of a validation error, or the kind of another error.
pub(super) fn refusal<T: std::fmt::Debug>(r: CrmResult<T>) -> String {
    match r {
        Err(CrmError::RuleViolation { rule, .. }) => rule,
        Err(CrmError::Validation { field, .. }) => format!("field {field}"),
        Err(CrmError::NotFound { .. }) => "not_found".into(),
        Err(CrmError::PermissionDenied { .. }) => "permission_denied".into(),
        other => format!("unexpected {other:?}"),
    }
}
