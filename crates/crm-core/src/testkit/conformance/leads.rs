//! Leads on every store: the owner-based scope in get and list, field rules on every read
//! path, the status flow, and refusals that write nothing.

use crate::error::CrmError;
use crate::ids::LeadId;
use crate::lead::{LeadInput, LeadStatus};
use crate::service::LeadFilter;
use crate::store::{Entity, Query, Store, StoreExt};
use crate::testkit::fixture::*;
use crate::Actor;
use rust_decimal::Decimal;
use std::sync::Arc;

fn input(name: &str) -> LeadInput {
    LeadInput {
        name: name.into(),
        company: Some("星辰科技".into()),
        phone: Some("13812345678".into()),
        email: Some("Li@Example.com".into()),
        source: Some("web".into()),
        region: Some("华东".into()),
        estimated_amount: Some(Decimal::new(1_250_050, 2)),
        currency: Some("CNY".into()),
        ..LeadInput::default()
    }
}

fn id_of(v: &crate::view::VisibleJson) -> LeadId {
    LeadId(v.record["id"].as_i64().unwrap_or_default())
}

/// Who sees which lead, through get and list, and what they see of it.
pub async fn leads_follow_owner_scope_and_field_rules<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store.clone()).await;
    let crm = &f.crm;
    let mine = crm
        .create_lead(user(REP), input("李雷"), None)
        .await
        .expect("rep creates");
    let id = id_of(&mine);
    assert_eq!(mine.record["owner_id"], serde_json::json!(REP.0));
    assert_eq!(mine.record["status"], "new");
    assert_eq!(mine.record["email"], "Li@Example.com");
    assert_eq!(mine.record["estimated_amount"], "12500.50");
    let peers = crm
        .create_lead(user(REP2), input("韩梅梅"), None)
        .await
        .expect("peer creates");

    // The owner and their manager read it; a peer does not even learn it exists.
    assert!(crm.get_lead(user(REP), id).await.is_ok());
    assert!(crm.get_lead(user(MANAGER), id).await.is_ok());
    let hidden = crm.get_lead(user(REP2), id).await;
    assert!(
        matches!(hidden, Err(CrmError::NotFound { .. })),
        "{hidden:?}"
    );
    let listed = |actor| async move {
        crm.list_leads(actor, LeadFilter::default())
            .await
            .expect("list")
            .items
            .iter()
            .map(id_of)
            .collect::<Vec<_>>()
    };
    assert_eq!(listed(user(REP)).await, vec![id]);
    assert_eq!(listed(user(REP2)).await, vec![id_of(&peers)]);
    assert_eq!(listed(Actor::system(T1)).await, vec![id, id_of(&peers)]);
    // Another tenant sees none of them.
    assert!(listed(Actor::system(T2)).await.is_empty());

    // The service role reads every lead, phone masked, amount withheld.
    let seen = crm
        .get_lead(user(SERVICE), id)
        .await
        .expect("service reads");
    assert_eq!(seen.record["phone"], "138****5678");
    assert!(seen.record.get("estimated_amount").is_none(), "{seen:?}");
    assert!(seen.hidden_fields.contains(&"estimated_amount".to_string()));
    let page = crm
        .list_leads(user(SERVICE), LeadFilter::default())
        .await
        .expect("service lists");
    assert!(page
        .items
        .iter()
        .all(|l| l.record.get("estimated_amount").is_none() && l.record["phone"] == "138****5678"));
    // …and cannot write.
    let denied = crm.create_lead(user(SERVICE), input("x"), None).await;
    assert!(
        matches!(denied, Err(CrmError::PermissionDenied { .. })),
        "{denied:?}"
    );

    // A rep cannot place a lead with a peer they do not reach; nothing is written.
    let before = store
        .count(&Query::new(Entity::Lead, T1))
        .await
        .expect("count");
    let outside = crm.create_lead(user(REP), input("y"), Some(REP2)).await;
    assert!(
        matches!(outside, Err(CrmError::PermissionDenied { .. })),
        "{outside:?}"
    );
    let unknown = crm
        .create_lead(Actor::system(T1), input("z"), Some(crate::ids::UserId(999)))
        .await;
    assert!(
        matches!(unknown, Err(CrmError::Validation { .. })),
        "{unknown:?}"
    );
    let bad = crm
        .create_lead(
            user(REP),
            LeadInput {
                currency: None,
                ..input("no currency")
            },
            None,
        )
        .await;
    assert!(
        matches!(&bad, Err(CrmError::Validation { field, .. }) if field == "currency"),
        "{bad:?}"
    );
    let after = store
        .count(&Query::new(Entity::Lead, T1))
        .await
        .expect("count");
    assert_eq!(before, after);
}

/// The status flow through the store: forward moves, the unqualified reason, no way back
/// to new, and the version bumped once per real change.
pub async fn lead_status_flow_is_enforced<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store.clone()).await;
    let crm = &f.crm;
    let id = id_of(
        &crm.create_lead(user(REP), input("王芳"), None)
            .await
            .expect("create"),
    );
    let working = crm
        .set_lead_status(user(REP), id, LeadStatus::Working, None)
        .await
        .expect("working");
    assert_eq!(working.record["status"], "working");
    let back = crm
        .set_lead_status(user(REP), id, LeadStatus::New, None)
        .await;
    assert!(
        matches!(&back, Err(CrmError::RuleViolation { rule, .. }) if rule == "lead_status_backwards"),
        "{back:?}"
    );
    let no_reason = crm
        .set_lead_status(user(REP), id, LeadStatus::Unqualified, None)
        .await;
    assert!(matches!(&no_reason, Err(CrmError::Validation { field, .. }) if field == "reason"));
    let out = crm
        .set_lead_status(
            user(REP),
            id,
            LeadStatus::Unqualified,
            Some("no budget".into()),
        )
        .await
        .expect("unqualified");
    assert_eq!(out.record["unqualified_reason"], "no budget");
    // The same status again writes nothing.
    let stored: crate::lead::Lead = store.load(T1, id).await.expect("load").expect("stored");
    crm.set_lead_status(
        user(REP),
        id,
        LeadStatus::Unqualified,
        Some("no budget".into()),
    )
    .await
    .expect("same");
    let again: crate::lead::Lead = store.load(T1, id).await.expect("load").expect("stored");
    assert_eq!(stored.version, again.version);
    // A peer cannot move it (not found); an update edits the fields.
    let peer = crm
        .set_lead_status(user(REP2), id, LeadStatus::Working, None)
        .await;
    assert!(matches!(peer, Err(CrmError::NotFound { .. })), "{peer:?}");
    let edited = crm
        .update_lead(
            user(REP),
            id,
            LeadInput {
                industry: Some("制造".into()),
                ..input("王芳")
            },
        )
        .await
        .expect("update");
    assert_eq!(edited.record["industry"], "制造");
    let audit = crm
        .record_audit(Actor::system(T1), "lead", id.0)
        .await
        .expect("audit");
    let ops: Vec<&str> = audit.iter().map(|a| a.operation.as_str()).collect();
    assert_eq!(
        ops,
        [
            "lead.create",
            "lead.set_status",
            "lead.set_status",
            "lead.update"
        ]
    );
}
