//! Leads on every store: the owner-based scope in get and list, field rules on every read
//! path, the status flow, and refusals that write nothing.

use crate::error::CrmError;
use crate::ids::LeadId;
use crate::lead::{LeadInput, LeadPatch, LeadStatus};
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
    // It may update what its rules leave editable; a read-only or hidden field is refused
    // when given, whatever the value: the true phone and a wrong guess fail alike, so a
    // refusal tells nothing. Nothing is written.
    let version = |store: Arc<S>| async move {
        let l: Option<crate::lead::Lead> = store.load(T1, id).await.expect("load");
        l.map(|l| l.version)
    };
    let before = version(store.clone()).await;
    for (field, patch) in [
        (
            "phone",
            LeadPatch {
                phone: Some("13812345678".into()),
                ..LeadPatch::default()
            },
        ),
        (
            "phone",
            LeadPatch {
                phone: Some("13800000000".into()),
                ..LeadPatch::default()
            },
        ),
        (
            "estimated_amount",
            LeadPatch {
                estimated_amount: Some(Decimal::new(1_250_050, 2)),
                ..LeadPatch::default()
            },
        ),
    ] {
        let refused = crm.update_lead(user(SERVICE), id, patch).await;
        assert!(
            matches!(&refused, Err(CrmError::PermissionDenied { field: Some(f), .. }) if f == field),
            "{field}: {refused:?}"
        );
    }
    assert_eq!(version(store.clone()).await, before);
    let edited = crm
        .update_lead(
            user(SERVICE),
            id,
            LeadPatch {
                industry: Some("IT".into()),
                ..LeadPatch::default()
            },
        )
        .await
        .expect("service edits an editable field");
    assert_eq!(edited.record["industry"], "IT");
    assert_eq!(edited.record["phone"], "138****5678");
    // …and cannot create.
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
            LeadPatch {
                industry: Some("制造".into()),
                ..LeadPatch::default()
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

/// Intake's duplicate check: a lead sharing a phone (any format), an e-mail (any case) or a
/// company (legal suffix aside) with an open lead is folded into the oldest such lead; a
/// match with a customer is recorded for conversion; closed leads capture nothing.
pub async fn lead_duplicates_fold_into_the_open_original<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store.clone()).await;
    let crm = &f.crm;
    let sys = Actor::system(T1);
    let bare = |name: &str| LeadInput {
        name: name.into(),
        ..LeadInput::default()
    };
    let original = id_of(
        &crm.create_lead(
            user(REP),
            LeadInput {
                phone: Some("13812345678".into()),
                email: Some("li@example.com".into()),
                company: Some("星辰科技有限公司".into()),
                ..bare("原始")
            },
            None,
        )
        .await
        .expect("original"),
    );
    for (label, input) in [
        (
            "phone written differently",
            LeadInput {
                phone: Some("+86 138-1234-5678".into()),
                ..bare("a")
            },
        ),
        (
            "e-mail in another case",
            LeadInput {
                email: Some("LI@Example.COM".into()),
                ..bare("b")
            },
        ),
        (
            "company without its legal suffix",
            LeadInput {
                company: Some("星辰科技".into()),
                ..bare("c")
            },
        ),
    ] {
        // A peer's intake folds into the rep's lead too (a duplicate is one whoever owns
        // it), but the peer is not told which lead: it is outside their scope. The system
        // actor sees the link.
        let dup = crm
            .create_lead(user(REP2), input, None)
            .await
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(dup.record["status"], "merged", "{label}");
        assert!(dup.record["merged_into"].is_null(), "{label}: {dup:?}");
        assert_eq!(dup.record["owner_id"], serde_json::json!(REP2.0), "{label}");
        let seen = crm.get_lead(sys, id_of(&dup)).await.expect("system reads");
        assert_eq!(
            seen.record["merged_into"],
            serde_json::json!(original.0),
            "{label}"
        );
    }
    // Nothing shared: a lead of its own.
    let other = crm
        .create_lead(
            user(REP),
            LeadInput {
                phone: Some("13900000000".into()),
                ..bare("d")
            },
            None,
        )
        .await
        .expect("other");
    assert_eq!(other.record["status"], "new");
    assert!(other.record["merged_into"].is_null());
    // The owner's own duplicate names the lead it joined.
    let own = crm
        .create_lead(
            user(REP),
            LeadInput {
                phone: Some("138 1234 5678".into()),
                ..bare("g")
            },
            None,
        )
        .await
        .expect("own duplicate");
    assert_eq!(own.record["merged_into"], serde_json::json!(original.0));
    // Lists show the links the same way, a page at a time.
    let links = |actor| async move {
        crm.list_leads(actor, LeadFilter::default())
            .await
            .expect("list")
            .items
            .iter()
            .filter(|l| l.record["status"] == "merged")
            .map(|l| l.record["merged_into"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(links(user(REP)).await, vec![serde_json::json!(original.0)]);
    assert_eq!(links(user(REP2)).await, vec![serde_json::Value::Null; 3]);

    // A customer with the phone: recorded on the lead, which stays open.
    let customer = crm
        .create_customer(
            sys,
            crate::customer::NewCustomer {
                name: "客户甲".into(),
                phone: Some("13700001111".into()),
                ..Default::default()
            },
        )
        .await
        .expect("customer")
        .record
        .id;
    let known = crm
        .create_lead(
            user(REP),
            LeadInput {
                phone: Some("137 0000 1111".into()),
                ..bare("e")
            },
            None,
        )
        .await
        .expect("lead of a customer");
    assert_eq!(known.record["status"], "new");
    // The rep does not reach that customer (no owner, no pool): the link is not shown to
    // them; the system actor sees it.
    assert!(known.record["matched_customer_id"].is_null(), "{known:?}");
    let seen = crm
        .get_lead(sys, id_of(&known))
        .await
        .expect("system reads");
    assert_eq!(
        seen.record["matched_customer_id"],
        serde_json::json!(customer.0)
    );

    // Only open leads capture: once the original is merged away, a new lead with the
    // shared e-mail is an original of its own (the merged duplicates do not capture either).
    let _ = crm
        .set_lead_status(user(REP), original, LeadStatus::Working, None)
        .await
        .expect("working");
    let mut stored: crate::lead::Lead = store
        .load(T1, original)
        .await
        .expect("load")
        .expect("stored");
    stored.status = LeadStatus::Converted;
    let mut changes = crate::store::Changes::new(T1);
    changes.update(&stored).expect("update");
    store.apply(changes).await.expect("apply");
    let fresh = crm
        .create_lead(
            user(REP),
            LeadInput {
                email: Some("li@example.com".into()),
                ..bare("f")
            },
            None,
        )
        .await
        .expect("fresh");
    assert_eq!(fresh.record["status"], "new");
    assert!(fresh.record["merged_into"].is_null());
}
