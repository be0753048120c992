//! Helpers of the segment cases: a marketer (Marketing everything, reach all, no
//! department), reps with Marketing read and update on their own customers, customers, and
//! expressions.

use crate::access::{Action, DataScope, Grant, Module};
use crate::error::{CrmError, CrmResult};
use crate::ids::{CustomerId, RoleId, SegmentId, UserId};
use crate::op::{CreateSegment, SegmentMembers};
use crate::segment::{Segment, SegmentExpr, SegmentInput};
use crate::service::{RoleInput, UserInput};
use crate::store::{Entity, Query, Store};
use crate::testkit::fixture::*;
use crate::Actor;
use std::collections::BTreeSet;

/// Marketing create, read and update with reach `all`; no department.
pub(super) const MARKETER: UserId = UserId(60);

fn marketing(actions: &[Action], scope: DataScope) -> Vec<Grant> {
    actions
        .iter()
        .map(|&action| Grant {
            module: Module::Marketing,
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

/// The fixture with Marketing grants: reps (12, 13) read and update on their own customers,
/// the east manager (11) on his team's, the marketer (60) on everyone's, and creates.
pub(super) async fn segment_fixture<S: Store>(store: S) -> Fixture<S> {
    use Action::*;
    let f = Fixture::new(store).await;
    let rep = role(
        &f,
        "marketing rep",
        marketing(&[Read, Update], DataScope::SelfOnly),
    )
    .await;
    let manager = role(
        &f,
        "marketing manager",
        marketing(&[Read, Update], DataScope::SelfAndSubordinates),
    )
    .await;
    let all = role(
        &f,
        "marketer",
        marketing(&[Create, Read, Update], DataScope::All),
    )
    .await;
    for u in [REP, REP2] {
        add_role(&f, u, rep).await;
    }
    add_role(&f, MANAGER, manager).await;
    f.crm
        .upsert_user(
            Actor::system(T1),
            UserInput {
                id: MARKETER,
                name: "Marketer".into(),
                department_id: None,
                supervisor_id: None,
                role_ids: vec![all],
                tenant_admin: false,
                active: true,
                time_zone: None,
                joined_on: None,
            },
        )
        .await
        .expect("marketer");
    f
}

/// A customer of tenant 1 owned by `owner`.
pub(super) async fn customer<S: Store>(f: &Fixture<S>, owner: UserId, name: &str) -> CustomerId {
    f.crm
        .create_customer(
            Actor::system(T1),
            crate::customer::NewCustomer {
                name: name.into(),
                owner_id: Some(owner),
                ..Default::default()
            },
        )
        .await
        .expect("customer")
        .record
        .id
}

/// Every customer.
pub(super) fn everyone() -> SegmentExpr {
    SegmentExpr::All { of: vec![] }
}

/// No customer.
pub(super) fn nobody() -> SegmentExpr {
    SegmentExpr::Any { of: vec![] }
}

/// Members of another segment.
pub(super) fn member_of(id: SegmentId) -> SegmentExpr {
    SegmentExpr::Segment { id }
}

/// A definition.
pub(super) fn input(name: &str, expr: SegmentExpr) -> SegmentInput {
    SegmentInput {
        name: name.into(),
        description: None,
        expr,
    }
}

/// Creates a segment as the marketer.
pub(super) async fn create<S: Store>(f: &Fixture<S>, name: &str, expr: SegmentExpr) -> Segment {
    f.crm
        .segments()
        .create(
            user(MARKETER),
            CreateSegment {
                segment: input(name, expr),
            },
        )
        .await
        .expect("segment")
}

/// The current members of a segment as `who` sees them (every page).
pub(super) async fn members<S: Store>(
    f: &Fixture<S>,
    who: UserId,
    id: SegmentId,
) -> BTreeSet<CustomerId> {
    let mut out = BTreeSet::new();
    let mut after = None;
    loop {
        let page = f
            .crm
            .segments()
            .members(
                user(who),
                SegmentMembers {
                    id,
                    after,
                    limit: Some(2),
                },
            )
            .await
            .expect("members");
        out.extend(page.items.iter().map(|m| m.customer_id));
        match page.next_after {
            Some(a) => after = Some(a),
            None => break,
        }
    }
    out
}

/// A set of customers.
pub(super) fn set(ids: &[CustomerId]) -> BTreeSet<CustomerId> {
    ids.iter().copied().collect()
}

/// Rows of `entity` in tenant 1.
pub(super) async fn rows<S: Store>(f: &Fixture<S>, entity: Entity) -> usize {
    f.crm
        .store()
        .query(&Query::new(entity, T1).limit(100_000))
        .await
        .expect("rows")
        .len()
}

/// The rule of a refusal, the field of a validation error, or the kind of another error.
pub(super) fn refusal<T: std::fmt::Debug>(r: CrmResult<T>) -> String {
    match r {
        Err(CrmError::RuleViolation { rule, .. }) => rule,
        Err(CrmError::Validation { field, reason }) => {
            // The rule name leads the reason when there is one (`name_taken: …`).
            match reason.split_once(':') {
                Some((rule, _)) if !rule.contains(' ') => format!("field {field} {rule}"),
                _ => format!("field {field}"),
            }
        }
        Err(CrmError::NotFound { .. }) => "not_found".into(),
        Err(CrmError::PermissionDenied { .. }) => "permission_denied".into(),
        other => format!("unexpected {other:?}"),
    }
}
