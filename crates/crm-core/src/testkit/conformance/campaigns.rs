//! Campaigns on every store (ADR 0032): the hierarchy (cycles, other tenants' parents and
//! the depth limit refused, on both sides of the limit), status moves, owner scope, the
//! tree and list filters; cost entries exact per currency with refusals that write nothing.

use super::campaign_support::*;
use crate::campaign::{CampaignChannel, CampaignInput, CampaignPatch, CampaignStatus, MAX_DEPTH};
use crate::ids::CampaignId;
use crate::op::{
    AddCampaignCost, CampaignCostFilter, CampaignFilter, CampaignTreeRequest, GetCampaign,
};
use crate::store::{Entity, Store};
use crate::testkit::fixture::*;
use crate::Actor;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::sync::Arc;

fn patch(id: CampaignId) -> CampaignPatch {
    CampaignPatch {
        id,
        ..Default::default()
    }
}

/// Create, update, the hierarchy's rules and who reads which campaign.
pub async fn campaigns_form_a_checked_hierarchy<S: Store>(store: Arc<S>) {
    let f = campaign_fixture(store).await;
    let c = f.crm.campaigns();
    let mut budget = BTreeMap::new();
    budget.insert("CNY".to_owned(), dec("5000"));
    budget.insert("JPY".to_owned(), dec("300000"));
    let spring = c
        .create(
            user(REP),
            CampaignInput {
                budget,
                start_on: NaiveDate::from_ymd_opt(2026, 3, 1),
                end_on: NaiveDate::from_ymd_opt(2026, 3, 1),
                description: Some("春季促销".into()),
                ..campaign("Spring 2026", CampaignChannel::Wechat)
            },
        )
        .await
        .expect("spring");
    assert_eq!(spring.status, CampaignStatus::Planned);
    assert_eq!(spring.owner_id, Some(REP));
    assert_eq!(
        spring.budget.get("CNY").map(|a| a.to_string()),
        Some("5000.00".into())
    );
    assert_eq!(
        spring.budget.get("JPY").map(|a| a.to_string()),
        Some("300000".into())
    );
    // A period ending the day before it starts is refused and nothing is written.
    let before = rows(&f, Entity::Campaign).await;
    let backwards = CampaignInput {
        start_on: NaiveDate::from_ymd_opt(2026, 3, 1),
        end_on: NaiveDate::from_ymd_opt(2026, 2, 28),
        ..campaign("Backwards", CampaignChannel::Sms)
    };
    assert_eq!(
        refusal(c.create(user(REP), backwards).await),
        "end_on period_order"
    );
    let mut bad_budget = BTreeMap::new();
    bad_budget.insert("JPY".to_owned(), dec("1.5"));
    let fractional_yen = CampaignInput {
        budget: bad_budget,
        ..campaign("Yen", CampaignChannel::Ads)
    };
    assert_eq!(
        refusal(c.create(user(REP), fractional_yen).await),
        "budget.JPY amount_scale"
    );
    assert_eq!(rows(&f, Entity::Campaign).await, before);

    // A chain of MAX_DEPTH levels is fine; one more level is refused.
    let mut chain = vec![spring.clone()];
    for level in 2..=MAX_DEPTH {
        let parent = chain.last().map(|p| p.id);
        chain.push(new_campaign(&f, REP, &format!("level {level}"), parent).await);
    }
    let deepest = chain.last().map(|c| c.id);
    assert_eq!(
        refusal(
            c.create(
                user(REP),
                CampaignInput {
                    parent_id: deepest,
                    ..campaign("too deep", CampaignChannel::Email)
                }
            )
            .await
        ),
        "campaign_depth"
    );
    // A cycle: the root under its own grandchild; itself as its parent.
    let root = spring.id;
    let grandchild = chain[2].id;
    assert_eq!(
        refusal(
            c.update(
                user(REP),
                CampaignPatch {
                    parent_id: Some(grandchild),
                    ..patch(root)
                }
            )
            .await
        ),
        "campaign_cycle"
    );
    assert_eq!(
        refusal(
            c.update(
                user(REP),
                CampaignPatch {
                    parent_id: Some(root),
                    ..patch(root)
                }
            )
            .await
        ),
        "campaign_cycle"
    );
    // Moving a two-level subtree under a chain of three makes five levels; under four, six.
    let side = new_campaign(&f, REP, "side", None).await;
    let side_child = new_campaign(&f, REP, "side child", Some(side.id)).await;
    assert_eq!(
        refusal(
            c.update(
                user(REP),
                CampaignPatch {
                    parent_id: Some(chain[3].id),
                    ..patch(side.id)
                }
            )
            .await
        ),
        "campaign_depth"
    );
    let moved = c
        .update(
            user(REP),
            CampaignPatch {
                parent_id: Some(chain[2].id),
                ..patch(side.id)
            },
        )
        .await
        .expect("five levels");
    assert_eq!(moved.parent_id, Some(chain[2].id));
    // Another tenant's campaign is no parent.
    let foreign = f
        .crm
        .campaigns()
        .create(Actor::system(T2), campaign("T2", CampaignChannel::Email))
        .await
        .expect("t2 campaign");
    assert_eq!(
        refusal(
            c.create(
                user(REP),
                CampaignInput {
                    parent_id: Some(foreign.id),
                    ..campaign("cross", CampaignChannel::Email)
                }
            )
            .await
        ),
        "field parent_id"
    );
    let root_again = c
        .update(
            user(REP),
            CampaignPatch {
                make_root: true,
                ..patch(side.id)
            },
        )
        .await
        .expect("root");
    assert_eq!(root_again.parent_id, None);

    // Status moves.
    let active = c
        .update(
            user(REP),
            CampaignPatch {
                status: Some(CampaignStatus::Active),
                ..patch(root)
            },
        )
        .await
        .expect("active");
    assert_eq!(active.status, CampaignStatus::Active);
    let done = c
        .update(
            user(REP),
            CampaignPatch {
                status: Some(CampaignStatus::Completed),
                ..patch(root)
            },
        )
        .await
        .expect("completed");
    assert_eq!(done.status, CampaignStatus::Completed);
    assert_eq!(
        refusal(
            c.update(
                user(REP),
                CampaignPatch {
                    status: Some(CampaignStatus::Active),
                    ..patch(root)
                }
            )
            .await
        ),
        "campaign_status_move"
    );
    // Unchanged update writes nothing.
    let same = c.update(user(REP), patch(root)).await.expect("same");
    assert_eq!(same.version, done.version);

    // The tree, level by level.
    let tree = c
        .tree(user(REP), CampaignTreeRequest { id: root })
        .await
        .expect("tree");
    let depths: Vec<(u32, i64)> = tree
        .descendants
        .iter()
        .map(|n| (n.depth, n.campaign.id.0))
        .collect();
    let expected: Vec<(u32, i64)> = chain[1..]
        .iter()
        .enumerate()
        .map(|(i, c)| (i as u32 + 1, c.id.0))
        .collect();
    assert_eq!(depths, expected);

    // Owner scope: the other rep (marketing over their own) neither gets nor lists them.
    assert_eq!(
        refusal(c.get(user(REP2), GetCampaign { id: root }).await),
        "not_found"
    );
    let own = new_campaign(&f, REP2, "rep2's", None).await;
    let listed = c
        .list(user(REP2), CampaignFilter::default())
        .await
        .expect("list");
    assert_eq!(
        listed.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![own.id]
    );
    assert_eq!(
        refusal(c.list(user(NOBODY), CampaignFilter::default()).await),
        "permission_denied"
    );
    // Filters: roots, children, channel, status.
    let roots = c
        .list(
            user(MARKETER),
            CampaignFilter {
                roots_only: true,
                ..Default::default()
            },
        )
        .await
        .expect("roots");
    assert_eq!(
        roots.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![root, side.id, own.id]
    );
    let children = c
        .list(
            user(MARKETER),
            CampaignFilter {
                parent_id: Some(side.id),
                ..Default::default()
            },
        )
        .await
        .expect("children");
    assert_eq!(
        children.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![side_child.id]
    );
    let wechat = c
        .list(
            user(MARKETER),
            CampaignFilter {
                channel: Some(CampaignChannel::Wechat),
                status: Some(CampaignStatus::Completed),
                ..Default::default()
            },
        )
        .await
        .expect("wechat");
    assert_eq!(wechat.items.len(), 1);
    // The other tenant sees only its own.
    let t2 = f
        .crm
        .campaigns()
        .list(Actor::system(T2), CampaignFilter::default())
        .await
        .expect("t2 list");
    assert_eq!(
        t2.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![foreign.id]
    );
    assert_eq!(
        refusal(c.get(Actor::system(T2), GetCampaign { id: root }).await),
        "not_found"
    );
    // Audit and events for every write.
    let audit = f
        .crm
        .record_audit(Actor::system(T1), "campaign", root.0)
        .await
        .expect("audit");
    let ops: Vec<&str> = audit.iter().map(|a| a.operation.as_str()).collect();
    assert_eq!(
        ops,
        ["campaign.create", "campaign.update", "campaign.update"]
    );
    let changed = events(&f, "CampaignChanged").await;
    assert!(changed.iter().any(|e| e.record_id == root.0));
}

/// Cost entries: too many decimals, negative and absurd amounts refused by name with
/// nothing written; actual cost per currency is their sum.
pub async fn campaign_costs_are_exact_per_currency<S: Store>(store: Arc<S>) {
    let f = campaign_fixture(store).await;
    let c = f.crm.campaigns();
    let camp = new_campaign(&f, REP, "Expo", None).await;
    let day = NaiveDate::from_ymd_opt(2026, 2, 28).expect("day");
    let cost = |amount: &str, currency: &str| AddCampaignCost {
        campaign_id: camp.id,
        spent_on: day,
        amount: dec(amount),
        currency: currency.into(),
        note: None,
    };
    let before_rows = rows(&f, Entity::CampaignCost).await;
    let before_events = events(&f, "CampaignChanged").await.len();
    for (amount, currency, rule) in [
        ("1.5", "JPY", "amount amount_scale"),
        ("1.005", "CNY", "amount amount_scale"),
        ("-0.01", "CNY", "amount amount_negative"),
        ("1000000000000000.01", "CNY", "amount amount_too_large"),
        ("1", "XXX", "field currency"),
    ] {
        assert_eq!(
            refusal(c.add_cost(user(REP), cost(amount, currency)).await),
            rule,
            "{amount} {currency}"
        );
    }
    assert_eq!(rows(&f, Entity::CampaignCost).await, before_rows);
    assert_eq!(events(&f, "CampaignChanged").await.len(), before_events);
    let unchanged = c
        .get(user(REP), GetCampaign { id: camp.id })
        .await
        .expect("get");
    assert!(unchanged.actual_cost.is_empty());

    c.add_cost(user(REP), cost("2", "JPY")).await.expect("yen");
    c.add_cost(user(REP), cost("1.01", "CNY"))
        .await
        .expect("cny 1");
    let added = c
        .add_cost(
            user(REP),
            AddCampaignCost {
                note: Some("展位费".into()),
                ..cost("1000000000000000", "CNY")
            },
        )
        .await
        .expect("cny max");
    assert_eq!(
        added.actual_cost.get("CNY").map(|a| a.to_string()),
        Some("1000000000000001.01".into())
    );
    let read = c
        .get(user(MARKETER), GetCampaign { id: camp.id })
        .await
        .expect("get");
    assert_eq!(
        read.actual_cost.get("JPY").map(|a| a.to_string()),
        Some("2".into())
    );
    assert_eq!(read.actual_cost.len(), 2);
    let page = c
        .costs(
            user(REP),
            CampaignCostFilter {
                campaign_id: camp.id,
                after: None,
                limit: Some(2),
            },
        )
        .await
        .expect("costs");
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.items[1].amount.to_string(), "1.01");
    let rest = c
        .costs(
            user(REP),
            CampaignCostFilter {
                campaign_id: camp.id,
                after: page.next_after,
                limit: Some(2),
            },
        )
        .await
        .expect("costs 2");
    assert_eq!(rest.items.len(), 1);
    assert_eq!(rest.next_after, None);
    // The other rep cannot cost (nor see) the rep's campaign.
    assert_eq!(
        refusal(c.add_cost(user(REP2), cost("1", "CNY")).await),
        "not_found"
    );
}
