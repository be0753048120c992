//! Tags on every store (issue 17, ADR 0030): TAG1 and TAG3 (a dormant tag by calendar months,
//! taken off at the next evaluation after an order), sticky manual removal, manual apply and
//! remove with their events, retiring, the scope of a tag's customers, and bad input refused
//! by name with nothing written.

use super::tag_support::*;
use crate::error::CrmError;
use crate::ids::CustomerId;
use crate::op::{ApplyTag, EvaluateTags, RemoveTag, RetireTag, TagCustomers};
use crate::store::{Entity, Store};
use crate::tag::{CreateTag, TagKind};
use crate::testkit::fixture::*;
use crate::Actor;
use serde_json::json;
use std::sync::Arc;

fn refusal<T: std::fmt::Debug>(r: crate::error::CrmResult<T>) -> String {
    match r {
        Err(CrmError::RuleViolation { rule, .. }) => rule,
        Err(CrmError::Validation { field, reason }) => {
            format!("{field}: {}", reason.split(':').next().unwrap_or_default())
        }
        Err(CrmError::NotFound { .. }) => "not_found".into(),
        Err(CrmError::PermissionDenied { .. }) => "permission_denied".into(),
        Err(CrmError::Duplicate { .. }) => "duplicate".into(),
        other => format!("unexpected {other:?}"),
    }
}

fn as_of(at: chrono::DateTime<chrono::Utc>) -> EvaluateTags {
    EvaluateTags {
        tag_id: None,
        as_of: Some(at),
    }
}

/// TAG1: "no order for more than 3 calendar months", last order 2024-01-15: not tagged on
/// 2024-04-15, tagged on 2024-04-16. TAG3: after an order, the next evaluation takes it off
/// with reason `rule_no_longer_matches`.
pub async fn tags_follow_calendar_months_and_orders<S: Store>(store: Arc<S>) {
    let f = tag_fixture(store).await;
    let sys = Actor::system(T1);
    let c = customer_at(&f, REP, "Dormant Co", noon(2023, 12, 1)).await;
    let fresh = customer_at(&f, REP, "Fresh Co", noon(2024, 1, 10)).await;
    order_at(&f, c, noon(2024, 1, 15)).await;
    order_at(&f, fresh, noon(2024, 4, 1)).await;
    let tag = rule_tag(
        &f,
        "休眠",
        json!({"type":"since_last_order","unit":"month","more_than":3}),
    )
    .await;
    f.clock.set(noon(2024, 4, 15));
    let seq = last_seq(&f).await;
    let t = f.crm.tags();
    let r = t
        .evaluate(sys, as_of(noon(2024, 4, 15)))
        .await
        .expect("eval");
    assert_eq!((r.tags, r.applied, r.removed), (1, 0, 0));
    assert!(
        !carries(&f, c, tag).await,
        "exactly 3 months is not more than 3"
    );
    // Local midnight in Shanghai starts 2024-04-16.
    let midnight = chrono::DateTime::parse_from_rfc3339("2024-04-15T16:00:00Z")
        .expect("instant")
        .with_timezone(&chrono::Utc);
    let r = t
        .evaluate(sys, as_of(midnight - chrono::Duration::seconds(1)))
        .await
        .expect("eval");
    assert_eq!(r.applied, 0);
    let r = t.evaluate(sys, as_of(midnight)).await.expect("eval");
    assert_eq!((r.applied, r.removed), (1, 0));
    assert!(carries(&f, c, tag).await);
    assert!(!carries(&f, fresh, tag).await);
    assert_eq!(
        tag_events(&f, seq).await,
        [("TagApplied".into(), c.0, "rule_matches".into())]
    );
    // A second evaluation as of the same day changes nothing and emits nothing.
    let seq = last_seq(&f).await;
    let r = t
        .evaluate(sys, as_of(noon(2024, 4, 16)))
        .await
        .expect("again");
    assert_eq!((r.applied, r.removed), (0, 0));
    assert!(tag_events(&f, seq).await.is_empty());
    // TAG3: the dormant customer orders; the next evaluation takes the tag off.
    order_at(&f, c, noon(2024, 4, 20)).await;
    assert!(
        carries(&f, c, tag).await,
        "only evaluation changes rule tags"
    );
    let r = t
        .evaluate(sys, as_of(noon(2024, 4, 21)))
        .await
        .expect("eval");
    assert_eq!((r.applied, r.removed), (0, 1));
    assert!(!carries(&f, c, tag).await);
    assert_eq!(
        tag_events(&f, seq).await,
        [("TagRemoved".into(), c.0, "rule_no_longer_matches".into())]
    );
    // Scheduled work evaluates once per local day as of its `now`.
    let report = f
        .crm
        .run_due_work(T1, noon(2024, 8, 1))
        .await
        .expect("due work");
    assert_eq!(report.tag_changes, 2, "both customers dormant by August");
    let again = f
        .crm
        .run_due_work(T1, noon(2024, 8, 1) + chrono::Duration::hours(3))
        .await
        .expect("due work");
    assert_eq!(again.tag_changes, 0, "once per local day");
}

/// A user who removes a rule tag keeps it off until the rule first stops matching and then
/// matches again.
pub async fn rule_tag_removal_is_sticky<S: Store>(store: Arc<S>) {
    let f = tag_fixture(store).await;
    let sys = Actor::system(T1);
    let c = customer_at(&f, REP, "Active Co", noon(2024, 1, 1)).await;
    order_at(&f, c, noon(2024, 1, 2)).await;
    let tag = rule_tag(
        &f,
        "活跃",
        json!({"type":"since_last_order","unit":"day","within":30}),
    )
    .await;
    let t = f.crm.tags();
    t.evaluate(sys, as_of(noon(2024, 1, 3)))
        .await
        .expect("eval");
    assert!(carries(&f, c, tag).await);
    let seq = last_seq(&f).await;
    let removed = t
        .remove(
            user(REP),
            RemoveTag {
                tag_id: tag,
                customer_id: c,
            },
        )
        .await
        .expect("remove");
    assert!(removed.changed && !removed.active);
    assert_eq!(
        tag_events(&f, seq).await,
        [("TagRemoved".into(), c.0, "manual".into())]
    );
    // Still matching: stays off.
    t.evaluate(sys, as_of(noon(2024, 1, 10)))
        .await
        .expect("eval");
    assert!(
        !carries(&f, c, tag).await,
        "removal sticks while the rule matches"
    );
    // Day 30 still within; day 31 the rule stops matching: still off, suppression ends.
    t.evaluate(sys, as_of(noon(2024, 2, 1)))
        .await
        .expect("eval");
    assert!(!carries(&f, c, tag).await);
    t.evaluate(sys, as_of(noon(2024, 2, 2)))
        .await
        .expect("eval");
    assert!(!carries(&f, c, tag).await);
    // It matches again: back on.
    order_at(&f, c, noon(2024, 2, 10)).await;
    let seq = last_seq(&f).await;
    let r = t
        .evaluate(sys, as_of(noon(2024, 2, 10)))
        .await
        .expect("eval");
    assert_eq!(r.applied, 1);
    assert!(carries(&f, c, tag).await);
    assert_eq!(
        tag_events(&f, seq).await,
        [("TagApplied".into(), c.0, "rule_matches".into())]
    );
    // A removal without a gap in matching never comes back.
    let other = customer_at(&f, REP, "Other Co", noon(2024, 2, 10)).await;
    order_at(&f, other, noon(2024, 2, 10)).await;
    t.remove(
        user(REP),
        RemoveTag {
            tag_id: tag,
            customer_id: other,
        },
    )
    .await
    .expect("remove before evaluation");
    t.evaluate(sys, as_of(noon(2024, 2, 11)))
        .await
        .expect("eval");
    assert!(
        !carries(&f, other, tag).await,
        "removed before it was ever on"
    );
}

/// Manual tags: apply and remove by hand with events; Update on the customer is needed; a
/// retired tag leaves every customer.
pub async fn manual_tags_apply_remove_and_retire<S: Store>(store: Arc<S>) {
    let f = tag_fixture(store).await;
    let mine = customer_at(&f, REP, "Mine Co", noon(2026, 3, 2)).await;
    let peer = customer_at(&f, REP2, "Peer Co", noon(2026, 3, 2)).await;
    let vip = manual_tag(&f, "VIP").await;
    let t = f.crm.tags();
    let seq = last_seq(&f).await;
    let apply = |who, c: CustomerId| {
        t.apply(
            user(who),
            ApplyTag {
                tag_id: vip,
                customer_id: c,
            },
        )
    };
    let done = apply(REP, mine).await.expect("apply");
    assert!(done.changed && done.active);
    assert!(
        !apply(REP, mine).await.expect("again").changed,
        "idempotent"
    );
    assert_eq!(refusal(apply(REP, peer).await), "permission_denied");
    assert_eq!(refusal(apply(NOBODY, mine).await), "permission_denied");
    assert!(apply(MANAGER, peer).await.expect("manager").changed);
    let mine_tags = t
        .of_customer(user(REP), crate::op::CustomerTags { customer_id: mine })
        .await
        .expect("of customer");
    assert_eq!(mine_tags.len(), 1);
    assert_eq!(mine_tags[0].name, "VIP");
    assert_eq!(
        refusal(
            t.of_customer(user(REP), crate::op::CustomerTags { customer_id: peer })
                .await
        ),
        "permission_denied"
    );
    let off = t
        .remove(
            user(REP),
            RemoveTag {
                tag_id: vip,
                customer_id: mine,
            },
        )
        .await
        .expect("remove");
    assert!(off.changed && !off.active);
    assert!(
        !t.remove(
            user(REP),
            RemoveTag {
                tag_id: vip,
                customer_id: mine
            }
        )
        .await
        .expect("again")
        .changed
    );
    assert_eq!(
        tag_events(&f, seq).await,
        [
            ("TagApplied".into(), mine.0, "manual".into()),
            ("TagApplied".into(), peer.0, "manual".into()),
            ("TagRemoved".into(), mine.0, "manual".into()),
        ]
    );
    // Retiring takes it off everyone, once.
    let seq = last_seq(&f).await;
    let retired = t
        .retire(Actor::system(T1), RetireTag { id: vip })
        .await
        .expect("retire");
    assert_eq!(retired.removed, 1);
    assert!(!carries(&f, peer, vip).await);
    assert_eq!(
        tag_events(&f, seq).await,
        [("TagRemoved".into(), peer.0, "tag_retired".into())]
    );
    assert_eq!(refusal(apply(REP, mine).await), "tag_retired");
    let again = t
        .retire(user(REP), RetireTag { id: vip })
        .await
        .expect("retire again");
    assert_eq!(again.removed, 0, "retiring again removes nothing more");
}

/// `tag.customers` lists and counts only customers in the actor's customer read scope.
pub async fn tag_customers_follow_the_read_scope<S: Store>(store: Arc<S>) {
    let f = tag_fixture(store).await;
    let mine = customer_at(&f, REP, "Mine Co", noon(2026, 3, 2)).await;
    let peer = customer_at(&f, REP2, "Peer Co", noon(2026, 3, 2)).await;
    let untagged = customer_at(&f, REP, "Plain Co", noon(2026, 3, 2)).await;
    let vip = manual_tag(&f, "VIP").await;
    let t = f.crm.tags();
    for c in [mine, peer] {
        t.apply(
            user(MANAGER),
            ApplyTag {
                tag_id: vip,
                customer_id: c,
            },
        )
        .await
        .expect("apply");
    }
    let list = |who| async move {
        t.customers(
            user(who),
            TagCustomers {
                tag_id: vip,
                after: None,
                limit: Some(1),
            },
        )
        .await
    };
    let rep = list(REP).await.expect("rep");
    assert_eq!(rep.total, 1, "the peer's customer is not counted");
    assert_eq!(
        rep.items.iter().map(|r| r.customer_id).collect::<Vec<_>>(),
        [mine]
    );
    let manager = list(MANAGER).await.expect("manager");
    assert_eq!(manager.total, 2);
    let next = t
        .customers(
            user(MANAGER),
            TagCustomers {
                tag_id: vip,
                after: manager.next_after,
                limit: Some(1),
            },
        )
        .await
        .expect("page 2");
    let seen: Vec<CustomerId> = manager
        .items
        .iter()
        .chain(&next.items)
        .map(|r| r.customer_id)
        .collect();
    assert_eq!(seen, [mine, peer]);
    assert!(!seen.contains(&untagged));
    assert_eq!(refusal(list(NOBODY).await), "permission_denied");
    // Tenant 2 sees nothing of tenant 1's tag.
    let other = f
        .crm
        .tags()
        .customers(
            Actor::system(T2),
            TagCustomers {
                tag_id: vip,
                after: None,
                limit: None,
            },
        )
        .await;
    assert_eq!(refusal(other), "not_found");
}

/// Bad tag definitions are refused by name and write nothing.
pub async fn tag_bad_input_writes_nothing<S: Store>(store: Arc<S>) {
    let f = tag_fixture(store).await;
    manual_tag(&f, "VIP").await;
    rule_tag(
        &f,
        "休眠",
        json!({"type":"since_last_order","unit":"month","more_than":3}),
    )
    .await;
    let tags = rows(&f, Entity::Tag).await;
    let seq = last_seq(&f).await;
    let tags_ops = f.crm.tags();
    let create = |name: &str, kind, rule: Option<serde_json::Value>| {
        let input = CreateTag {
            name: name.into(),
            kind,
            rule: rule.map(|r| serde_json::from_value(r).expect("parses")),
            description: None,
            color: None,
        };
        async move { tags_ops.create(user(REP), input).await }
    };
    assert_eq!(
        refusal(create("  ", TagKind::Manual, None).await),
        "name: empty"
    );
    assert_eq!(
        refusal(create(" VIP ", TagKind::Manual, None).await),
        "duplicate"
    );
    assert_eq!(
        refusal(
            create(
                "x",
                TagKind::Rule,
                Some(json!({"type":"field","field":"salary","op":"eq","value":1}))
            )
            .await
        ),
        "rule.field: unknown_field"
    );
    assert_eq!(
        refusal(
            create(
                "x",
                TagKind::Rule,
                Some(json!({"type":"all","of":[{"type":"tag","name":"休眠"}]}))
            )
            .await
        ),
        "rule: rule_tag_in_rule"
    );
    assert_eq!(
        refusal(
            create(
                "x",
                TagKind::Rule,
                Some(json!({"type":"since_last_order","unit":"month","more_than":0}))
            )
            .await
        ),
        "rule.more_than: out_of_range"
    );
    assert_eq!(
        refusal(
            create(
                "x",
                TagKind::Rule,
                Some(json!({"type":"tag","name":"nope"}))
            )
            .await
        ),
        "rule: unknown_tag"
    );
    assert_eq!(
        refusal(create("x", TagKind::Rule, None).await),
        "rule: rule_required"
    );
    assert_eq!(
        refusal(
            f.crm
                .tags()
                .create(
                    user(NOBODY),
                    CreateTag {
                        name: "y".into(),
                        kind: TagKind::Manual,
                        rule: None,
                        description: None,
                        color: None,
                    },
                )
                .await
        ),
        "permission_denied"
    );
    assert_eq!(rows(&f, Entity::Tag).await, tags, "nothing written");
    assert_eq!(last_seq(&f).await, seq, "no event");
    // A rule reading a manual tag is fine; the manual tag then keeps its name and stays.
    let reader = rule_tag(
        &f,
        "VIP 休眠",
        json!({"type":"all","of":[{"type":"tag","name":"VIP"}]}),
    )
    .await;
    let vip = f
        .crm
        .tags()
        .list(
            user(REP),
            crate::op::TagFilter {
                kind: Some(TagKind::Manual),
                ..Default::default()
            },
        )
        .await
        .expect("list")
        .items[0]
        .id;
    assert_eq!(
        refusal(
            f.crm
                .tags()
                .update(
                    user(REP),
                    crate::tag::UpdateTag {
                        id: vip,
                        name: Some("VVIP".into()),
                        rule: None,
                        description: None,
                        color: None,
                    },
                )
                .await
        ),
        "tag_in_use"
    );
    assert_eq!(
        refusal(f.crm.tags().retire(user(REP), RetireTag { id: vip }).await),
        "tag_in_use"
    );
    assert_eq!(
        refusal(
            f.crm
                .tags()
                .evaluate(
                    user(REP),
                    EvaluateTags {
                        tag_id: Some(reader),
                        as_of: None
                    }
                )
                .await
        ),
        "permission_denied",
        "evaluation needs marketing update reaching all"
    );
}
