//! Helpers of the tag cases: a marketing role for the reps and managers, customers created
//! at a date, purchases, tag events and row counts.

use crate::access::{Action, DataScope, Grant, Module};
use crate::audience::Condition;
use crate::customer::NewCustomer;
use crate::ids::{CustomerId, TagId, UserId};
use crate::service::{RoleInput, UserInput};
use crate::store::{Entity, Query, Store};
use crate::tag::{CreateTag, TagKind};
use crate::testkit::fixture::*;
use crate::tier::PurchaseInput;
use crate::Actor;
use chrono::{DateTime, TimeZone, Utc};

/// Noon in Shanghai (the fixture tenant's zone) on a date.
pub(super) fn noon(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 4, 0, 0)
        .single()
        .unwrap_or_default()
}

/// The fixture with marketing create, read and update (self scope) for the reps, the east
/// manager and the boss.
pub(super) async fn tag_fixture<S: Store>(store: S) -> Fixture<S> {
    let f = Fixture::new(store).await;
    let sys = Actor::system(T1);
    let grants = [Action::Create, Action::Read, Action::Update]
        .into_iter()
        .map(|action| Grant {
            module: Module::Marketing,
            action,
            scope: DataScope::SelfOnly,
        })
        .collect();
    let role = f
        .crm
        .create_role(
            sys,
            RoleInput {
                name: "marketing".into(),
                grants,
                fields: vec![],
            },
        )
        .await
        .expect("role")
        .id;
    let users = f.crm.list_users(sys).await.expect("users");
    for id in [REP, REP2, MANAGER, BOSS] {
        let u = users.iter().find(|u| u.id == id).expect("user").clone();
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
    f
}

/// A customer of `owner` created at `at` (the clock is left there).
pub(super) async fn customer_at<S: Store>(
    f: &Fixture<S>,
    owner: UserId,
    name: &str,
    at: DateTime<Utc>,
) -> CustomerId {
    f.clock.set(at);
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

/// Records an order of 100 CNY at `at` (the clock moves there).
pub(super) async fn order_at<S: Store>(f: &Fixture<S>, customer: CustomerId, at: DateTime<Utc>) {
    f.clock.set(at);
    f.crm
        .record_purchase(
            Actor::system(T1),
            PurchaseInput {
                customer_id: customer,
                kind: crate::tier::PurchaseKind::Order,
                at,
                amount: rust_decimal::Decimal::from(100),
                currency: "CNY".into(),
                reference: None,
            },
        )
        .await
        .expect("purchase");
}

/// Creates a rule tag as the system actor.
pub(super) async fn rule_tag<S: Store>(
    f: &Fixture<S>,
    name: &str,
    rule: serde_json::Value,
) -> TagId {
    let rule: Condition = serde_json::from_value(rule).expect("rule");
    f.crm
        .create_tag(
            Actor::system(T1),
            CreateTag {
                name: name.into(),
                kind: TagKind::Rule,
                rule: Some(rule),
                description: None,
                color: None,
            },
        )
        .await
        .expect("rule tag")
        .id
}

/// Creates a manual tag as the system actor.
pub(super) async fn manual_tag<S: Store>(f: &Fixture<S>, name: &str) -> TagId {
    f.crm
        .create_tag(
            Actor::system(T1),
            CreateTag {
                name: name.into(),
                kind: TagKind::Manual,
                rule: None,
                description: None,
                color: None,
            },
        )
        .await
        .expect("manual tag")
        .id
}

/// Whether `customer` carries `tag` now.
pub(super) async fn carries<S: Store>(f: &Fixture<S>, customer: CustomerId, tag: TagId) -> bool {
    f.crm
        .customer_tags(Actor::system(T1), customer)
        .await
        .expect("tags")
        .iter()
        .any(|t| t.tag_id == tag)
}

/// `(kind, customer_id, reason)` of every tag event of tenant 1 after `seq`.
pub(super) async fn tag_events<S: Store>(f: &Fixture<S>, after: i64) -> Vec<(String, i64, String)> {
    f.crm
        .store()
        .events_after(T1, after, 10_000)
        .await
        .expect("events")
        .into_iter()
        .filter(|e| e.kind == "TagApplied" || e.kind == "TagRemoved")
        .map(|e| {
            (
                e.kind.clone(),
                e.payload["customer_id"].as_i64().unwrap_or_default(),
                e.payload["reason"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The last event sequence of tenant 1.
pub(super) async fn last_seq<S: Store>(f: &Fixture<S>) -> i64 {
    f.crm
        .store()
        .events_after(T1, 0, 100_000)
        .await
        .expect("events")
        .last()
        .map_or(0, |e| e.seq)
}

/// Rows of `entity` in tenant 1.
pub(super) async fn rows<S: Store>(f: &Fixture<S>, entity: Entity) -> u64 {
    f.crm
        .store()
        .count(&Query::new(entity, T1))
        .await
        .expect("count")
}
