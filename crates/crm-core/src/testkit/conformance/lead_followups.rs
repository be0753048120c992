//! Follow-ups on leads on every store: recorded, listed and refused through the lead's
//! scope; notes under the follow-up field rules; never shown on the customer side while on
//! the lead; moved to a customer by setting it on the same row, the lead keeping it.

use crate::access::{Action, DataScope, FieldAccess, FieldRule, Grant, MaskMode, Module};
use crate::error::CrmError;
use crate::followup::{FollowUp, FollowUpKind, NewFollowUp, NewLeadFollowUp};
use crate::ids::{FollowUpId, LeadId, UserId};
use crate::lead::{Lead, LeadInput, LeadStatus};
use crate::service::{RoleInput, UserInput};
use crate::store::{Changes, Entity, Filter, Query, ScopeFilter, Store, StoreExt};
use crate::testkit::fixture::*;
use crate::Actor;
use chrono::Duration;
use std::sync::Arc;

/// A reviewer reading every lead, with the follow-up notes masked everywhere.
const REVIEWER: UserId = UserId(20);

fn note(lead: LeadId, content: &str) -> NewLeadFollowUp {
    NewLeadFollowUp {
        lead_id: lead,
        kind: FollowUpKind::Call,
        content: content.into(),
        at: None,
        location: None,
        next_followup_at: None,
    }
}

fn ids(items: &[crate::view::Visible<FollowUp>]) -> Vec<FollowUpId> {
    items.iter().map(|f| f.record.id).collect()
}

async fn add_reviewer<S: Store>(f: &Fixture<S>) {
    let sys = Actor::system(T1);
    let role = f
        .crm
        .create_role(
            sys,
            RoleInput {
                name: "lead reviewer".into(),
                grants: vec![
                    Grant {
                        module: Module::Leads,
                        action: Action::Read,
                        scope: DataScope::All,
                    },
                    Grant {
                        module: Module::FollowUps,
                        action: Action::Read,
                        scope: DataScope::All,
                    },
                ],
                fields: vec![FieldRule {
                    module: Module::FollowUps,
                    field: "content".into(),
                    access: FieldAccess::ReadOnly,
                    mask: MaskMode::Everywhere,
                }],
            },
        )
        .await
        .expect("role");
    f.crm
        .upsert_user(
            sys,
            UserInput {
                id: REVIEWER,
                name: "Reviewer".into(),
                department_id: Some(SERVICE_DEPT),
                supervisor_id: None,
                role_ids: vec![role.id],
                tenant_admin: false,
                active: true,
                time_zone: None,
                joined_on: None,
            },
        )
        .await
        .expect("reviewer");
}

/// Who records and reads a lead's follow-ups, what they see of them, and that the customer
/// side never shows them while they are on the lead.
pub async fn lead_followups_follow_the_lead_scope<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store.clone()).await;
    add_reviewer(&f).await;
    let crm = &f.crm;
    let sys = Actor::system(T1);
    let lead = crm
        .create_lead(
            user(REP),
            LeadInput {
                name: "李雷".into(),
                ..LeadInput::default()
            },
            None,
        )
        .await
        .expect("lead");
    let lead = LeadId(lead.record["id"].as_i64().unwrap_or_default());
    let first = crm
        .add_lead_followup(user(REP), note(lead, "聊了预算"))
        .await
        .expect("owner records");
    assert_eq!(first.record.lead_id, Some(lead));
    assert_eq!(first.record.customer_id, None);
    assert_eq!(first.record.content, "聊了预算");
    let stored: Lead = store.load(T1, lead).await.expect("load").expect("lead");
    assert_eq!(stored.first_contacted_at, Some(first.record.at));

    // A peer outside the lead's scope neither adds, nor lists, and learns nothing; nothing
    // is written. Another tenant's actor does not find it either.
    let count = |store: Arc<S>| async move {
        store
            .count(&Query::new(Entity::FollowUp, T1))
            .await
            .expect("count")
    };
    let before = count(store.clone()).await;
    let added = crm.add_lead_followup(user(REP2), note(lead, "x")).await;
    assert!(matches!(added, Err(CrmError::NotFound { .. })), "{added:?}");
    let listed = crm.list_lead_followups(user(REP2), lead, None, None).await;
    assert!(
        matches!(listed, Err(CrmError::NotFound { .. })),
        "{listed:?}"
    );
    let other = crm
        .list_lead_followups(Actor::user(T2, BOSS), lead, None, None)
        .await;
    assert!(matches!(other, Err(CrmError::NotFound { .. })), "{other:?}");
    // Finance reads follow-ups of customers but no leads.
    let finance = crm
        .list_lead_followups(user(FINANCE), lead, None, None)
        .await;
    assert!(
        matches!(finance, Err(CrmError::NotFound { .. })),
        "{finance:?}"
    );
    // The reviewer reads the lead but may not update it.
    let reviewer = crm.add_lead_followup(user(REVIEWER), note(lead, "x")).await;
    assert!(
        matches!(reviewer, Err(CrmError::PermissionDenied { .. })),
        "{reviewer:?}"
    );
    // Bad input names its field and writes nothing.
    let blank = crm.add_lead_followup(user(REP), note(lead, "  ")).await;
    assert!(
        matches!(&blank, Err(CrmError::Validation { field, .. }) if field == "content"),
        "{blank:?}"
    );
    let early = crm
        .add_lead_followup(
            user(REP),
            NewLeadFollowUp {
                at: Some(start() - Duration::seconds(1)),
                ..note(lead, "before the lead existed")
            },
        )
        .await;
    assert!(
        matches!(&early, Err(CrmError::Validation { field, .. }) if field == "at"),
        "{early:?}"
    );
    assert_eq!(count(store.clone()).await, before);
    let unchanged: Lead = store.load(T1, lead).await.expect("load").expect("lead");
    assert_eq!(unchanged.version, stored.version);

    // The manager reads them; a page at a time, newest first.
    let second = crm
        .add_lead_followup(user(MANAGER), note(lead, "回访"))
        .await
        .expect("manager records");
    let third = crm
        .add_lead_followup(user(REP), note(lead, "发了报价"))
        .await
        .expect("third");
    let page = crm
        .list_lead_followups(user(MANAGER), lead, None, Some(2))
        .await
        .expect("manager lists");
    assert_eq!(ids(&page.items), [third.record.id, second.record.id]);
    let rest = crm
        .list_lead_followups(user(MANAGER), lead, page.next_after, Some(2))
        .await
        .expect("next page");
    assert_eq!(ids(&rest.items), [first.record.id]);
    assert_eq!(rest.next_after, None);
    // The first contact stays the earliest follow-up.
    let stored: Lead = store.load(T1, lead).await.expect("load").expect("lead");
    assert_eq!(stored.first_contacted_at, Some(first.record.at));

    // Field rules of follow-ups: the reviewer sees the notes masked; the service role,
    // which reads leads but no follow-ups, sees no notes and no check-ins at all.
    let masked = crm
        .list_lead_followups(user(REVIEWER), lead, None, None)
        .await
        .expect("reviewer lists");
    assert!(masked
        .items
        .iter()
        .all(|f| f.record.content.ends_with("***") && f.masked_fields == ["content"]));
    let closed = crm
        .list_lead_followups(user(SERVICE), lead, None, None)
        .await
        .expect("service lists");
    assert_eq!(closed.items.len(), 3);
    assert!(closed.items.iter().all(|f| f.record.content.is_empty()
        && f.hidden_fields.contains(&"content".to_string())
        && f.hidden_fields.contains(&"location".to_string())));

    // Audit and events: the follow-up's own entry, the lead's first contact.
    let audit = crm
        .record_audit(sys, "followup", first.record.id.0)
        .await
        .expect("audit");
    assert_eq!(
        audit
            .iter()
            .map(|a| a.operation.as_str())
            .collect::<Vec<_>>(),
        ["lead.add_followup"]
    );
    let events = crm.events_after(sys, 0, 1000).await.expect("events");
    let recorded: Vec<_> = events
        .iter()
        .filter(|e| e.kind == "FollowUpRecorded" && e.entity == "lead")
        .collect();
    assert_eq!(recorded.len(), 3);
    assert!(recorded.iter().all(|e| e.record_id == lead.0));
    assert_eq!(
        recorded
            .iter()
            .filter(|e| !e.payload["first_contacted_at"].is_null())
            .count(),
        1
    );

    // The customer side shows none of them: not the owner's customer list, not a scoped
    // read of follow-ups reaching every owner.
    let customer = crm
        .create_customer(
            user(REP),
            crate::customer::NewCustomer {
                name: "李雷的公司".into(),
                ..Default::default()
            },
        )
        .await
        .expect("customer")
        .record
        .id;
    let own = crm
        .record_followup(
            user(REP),
            NewFollowUp {
                customer_id: customer,
                kind: FollowUpKind::Visit,
                content: "拜访".into(),
                at: None,
                location: None,
                next_followup_at: None,
            },
        )
        .await
        .expect("customer follow-up");
    let on_customer = crm
        .list_followups(user(REP), customer, None, None)
        .await
        .expect("customer list");
    assert_eq!(ids(&on_customer.items), [own.record.id]);
    let everyone = ScopeFilter::Restricted {
        owners: vec![BOSS, MANAGER, REP, REP2, SERVICE],
        actor: REP,
        pools: vec![],
        now: start(),
    };
    let scoped: Vec<FollowUp> = store
        .load_all(&Query::new(Entity::FollowUp, T1).scope(everyone.clone()))
        .await
        .expect("scoped");
    assert_eq!(
        scoped.iter().map(|f| f.id).collect::<Vec<_>>(),
        [own.record.id]
    );

    // Conversion moves them: the customer is set on the same rows, which keep the lead.
    let mut moved: Vec<FollowUp> = store
        .load_all(&Query::new(Entity::FollowUp, T1).filter(Filter::eq("lead_id", lead)))
        .await
        .expect("by lead");
    assert_eq!(moved.len(), 3);
    let mut changes = Changes::new(T1);
    for fu in &mut moved {
        fu.move_to_customer(customer).expect("movable");
        changes.update(&*fu).expect("update");
    }
    store.apply(changes).await.expect("apply");
    let on_customer = crm
        .list_followups(user(REP), customer, None, None)
        .await
        .expect("customer list");
    assert_eq!(on_customer.items.len(), 4);
    let on_lead = crm
        .list_lead_followups(user(REP), lead, None, None)
        .await
        .expect("lead list");
    assert_eq!(
        ids(&on_lead.items),
        [third.record.id, second.record.id, first.record.id]
    );
    let scoped: Vec<FollowUp> = store
        .load_all(&Query::new(Entity::FollowUp, T1).scope(everyone))
        .await
        .expect("scoped");
    assert_eq!(scoped.len(), 4);
    let mut again = moved.first().cloned().expect("one");
    assert!(again.move_to_customer(customer).is_ok());
    let elsewhere = again.move_to_customer(crate::ids::CustomerId(customer.0 + 1000));
    assert!(
        matches!(&elsewhere, Err(CrmError::RuleViolation { rule, .. }) if rule == "followup_not_movable"),
        "{elsewhere:?}"
    );

    // A converted lead takes no follow-ups: they go on its customer.
    let mut closed: Lead = store.load(T1, lead).await.expect("load").expect("lead");
    closed.status = LeadStatus::Converted;
    let mut changes = Changes::new(T1);
    changes.update(&closed).expect("update");
    store.apply(changes).await.expect("apply");
    let refused = crm.add_lead_followup(user(REP), note(lead, "late")).await;
    assert!(
        matches!(&refused, Err(CrmError::RuleViolation { rule, .. }) if rule == "lead_closed"),
        "{refused:?}"
    );
}
