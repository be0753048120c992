//! Helpers of the campaign cases: marketing roles on the fixture's users, a marketer who
//! reads everything, customers, contacts and leads owned by the reps, and requests.

use crate::access::{Action, DataScope, Grant, Module};
use crate::campaign::{Campaign, CampaignChannel, CampaignInput, TouchInput, TouchKind};
use crate::customer::NewCustomer;
use crate::error::{CrmError, CrmResult};
use crate::ids::{CampaignId, ContactId, CustomerId, LeadId, RoleId, UserId};
use crate::lead::LeadInput;
use crate::service::{RoleInput, UserInput};
use crate::store::{Entity, Query, Store};
use crate::testkit::fixture::*;
use crate::Actor;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

/// Marketing everywhere, and every customer, contact and lead readable; no department.
pub(super) const MARKETER: UserId = UserId(60);

fn marketing(scope: DataScope) -> Vec<Grant> {
    [Action::Create, Action::Read, Action::Update]
        .into_iter()
        .map(|action| Grant {
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

/// The fixture with marketing grants: the rep (12) works on every campaign (reach `all`)
/// but reads only their own customers and leads (the sales role); the other rep (13) has
/// marketing over their own campaigns only; the marketer (60) reads everything.
pub(super) async fn campaign_fixture<S: Store>(store: S) -> Fixture<S> {
    let f = Fixture::new(store).await;
    let all = role(&f, "marketing all", marketing(DataScope::All)).await;
    let own = role(&f, "marketing own", marketing(DataScope::SelfOnly)).await;
    add_role(&f, REP, all).await;
    add_role(&f, REP2, own).await;
    let everything = f.roles.get("all").copied().expect("all role");
    f.crm
        .upsert_user(
            Actor::system(T1),
            UserInput {
                id: MARKETER,
                name: "Marketer Sun".into(),
                department_id: None,
                supervisor_id: None,
                role_ids: vec![all, everything],
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

/// A campaign request on `channel`.
pub(super) fn campaign(name: &str, channel: CampaignChannel) -> CampaignInput {
    CampaignInput {
        name: name.into(),
        parent_id: None,
        channel,
        status: None,
        start_on: None,
        end_on: None,
        budget: Default::default(),
        owner_id: None,
        description: None,
    }
}

/// Creates a campaign as `who` under `parent`.
pub(super) async fn new_campaign<S: Store>(
    f: &Fixture<S>,
    who: UserId,
    name: &str,
    parent: Option<CampaignId>,
) -> Campaign {
    f.crm
        .campaigns()
        .create(
            user(who),
            CampaignInput {
                parent_id: parent,
                ..campaign(name, CampaignChannel::Email)
            },
        )
        .await
        .expect("campaign")
}

/// A customer owned by `who`.
pub(super) async fn customer_of<S: Store>(f: &Fixture<S>, who: UserId, name: &str) -> CustomerId {
    f.crm
        .create_customer(
            user(who),
            NewCustomer {
                name: name.into(),
                ..NewCustomer::default()
            },
        )
        .await
        .expect("customer")
        .record
        .id
}

/// A contact of `customer`, created by `who`.
pub(super) async fn contact_of<S: Store>(
    f: &Fixture<S>,
    who: UserId,
    customer: CustomerId,
    name: &str,
) -> ContactId {
    f.crm
        .create_contact(
            user(who),
            customer,
            crate::contact::ContactInput {
                name: name.into(),
                ..Default::default()
            },
        )
        .await
        .expect("contact")
        .record
        .id
}

/// A lead owned by `who`.
pub(super) async fn lead_of<S: Store>(f: &Fixture<S>, who: UserId, name: &str) -> LeadId {
    let lead = f
        .crm
        .create_lead(
            user(who),
            LeadInput {
                name: name.into(),
                ..Default::default()
            },
            None,
        )
        .await
        .expect("lead");
    LeadId(lead.record["id"].as_i64().unwrap_or_default())
}

/// A touch of `campaign` on `customer` at `at`.
pub(super) fn touch(campaign: CampaignId, kind: TouchKind, at: DateTime<Utc>) -> TouchInput {
    TouchInput {
        campaign_id: campaign,
        channel: None,
        kind,
        at,
        customer_id: None,
        lead_id: None,
        contact_id: None,
        host_ref: None,
    }
}

/// A decimal.
pub(super) fn dec(s: &str) -> Decimal {
    s.parse().expect("decimal")
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

/// Events of `kind` in tenant 1.
pub(super) async fn events<S: Store>(f: &Fixture<S>, kind: &str) -> Vec<crate::store::Event> {
    let mut out = Vec::new();
    let mut cursor = 0;
    loop {
        let page = f
            .crm
            .events_after(Actor::system(T1), cursor, 1_000)
            .await
            .expect("events");
        let Some(last) = page.last() else {
            return out;
        };
        cursor = last.seq;
        out.extend(page.into_iter().filter(|e| e.kind == kind));
    }
}

/// The rule of a refusal (a validation reason's `rule:` prefix, with its field), or the
/// kind of another error.
pub(super) fn refusal<T: std::fmt::Debug>(r: CrmResult<T>) -> String {
    match r {
        Err(CrmError::RuleViolation { rule, .. }) => rule,
        Err(CrmError::Validation { field, reason }) => match reason.split_once(':') {
            Some((rule, _)) if !rule.contains(' ') => format!("{field} {rule}"),
            _ => format!("field {field}"),
        },
        Err(CrmError::NotFound { .. }) => "not_found".into(),
        Err(CrmError::PermissionDenied { .. }) => "permission_denied".into(),
        other => format!("unexpected {other:?}"),
    }
}
