//! Campaign members, the touch log and reach figures on every store (ADR 0032): members in
//! and out of the actor's scope; a touch at now + 5 min accepted and at now + 5 min + 1 s
//! refused; the host reference makes recording idempotent; batches are all or nothing; a
//! rep never sees a touch on a customer outside their scope; reach rates name their
//! denominators, are exact at 2 decimals and `None` at a zero denominator.

use super::campaign_support::*;
use crate::campaign::{MemberKind, TouchInput, TouchKind};
use crate::ids::{CampaignId, ContactId, CustomerId, LeadId};
use crate::op::{
    AddCampaignMembers, CampaignMemberFilter, MemberIds, ReachRequest, RecordTouches,
    RemoveCampaignMembers, TouchFilter,
};
use crate::service::CampaignReach;
use crate::store::{Entity, Store};
use crate::testkit::fixture::*;
use chrono::Duration;
use std::sync::Arc;

fn ids(campaign: CampaignId) -> MemberIds {
    MemberIds {
        campaign_id: campaign,
        ..Default::default()
    }
}

fn members_filter(campaign: CampaignId) -> CampaignMemberFilter {
    CampaignMemberFilter {
        campaign_id: campaign,
        kind: None,
        after: None,
        limit: None,
    }
}

fn on_customer(t: TouchInput, c: CustomerId) -> TouchInput {
    TouchInput {
        customer_id: Some(c),
        ..t
    }
}

fn on_lead(t: TouchInput, l: LeadId) -> TouchInput {
    TouchInput {
        lead_id: Some(l),
        ..t
    }
}

fn on_contact(t: TouchInput, c: ContactId) -> TouchInput {
    TouchInput {
        contact_id: Some(c),
        ..t
    }
}

/// Members added by id lists in the actor's scope only, idempotently; listed in scope.
pub async fn campaign_members_follow_the_read_scope<S: Store>(store: Arc<S>) {
    let f = campaign_fixture(store).await;
    let c = f.crm.campaigns();
    let camp = new_campaign(&f, REP, "Webinar", None).await;
    let mine = customer_of(&f, REP, "自己的客户有限公司").await;
    let theirs = customer_of(&f, REP2, "别人的客户有限公司").await;
    let contact = contact_of(&f, REP, mine, "王经理").await;
    let lead = lead_of(&f, REP, "李雷").await;
    let their_lead = lead_of(&f, REP2, "韩梅梅").await;

    let added = c
        .add_members(
            user(REP),
            AddCampaignMembers(MemberIds {
                customer_ids: vec![mine, mine],
                lead_ids: vec![lead],
                contact_ids: vec![contact],
                ..ids(camp.id)
            }),
        )
        .await
        .expect("add");
    assert_eq!((added.added, added.unchanged), (3, 0));
    // One id out of scope refuses the whole call and writes nothing.
    let before = rows(&f, Entity::CampaignMember).await;
    let events_before = events(&f, "CampaignMembersChanged").await.len();
    assert_eq!(
        refusal(
            c.add_members(
                user(REP),
                AddCampaignMembers(MemberIds {
                    customer_ids: vec![mine, theirs],
                    ..ids(camp.id)
                })
            )
            .await
        ),
        "field customer_ids[1]"
    );
    assert_eq!(
        refusal(
            c.add_members(
                user(REP),
                AddCampaignMembers(MemberIds {
                    lead_ids: vec![LeadId(987_654)],
                    ..ids(camp.id)
                })
            )
            .await
        ),
        "field lead_ids[0]"
    );
    assert_eq!(rows(&f, Entity::CampaignMember).await, before);
    assert_eq!(
        events(&f, "CampaignMembersChanged").await.len(),
        events_before
    );
    // Adding again changes nothing.
    let again = c
        .add_members(
            user(REP),
            AddCampaignMembers(MemberIds {
                customer_ids: vec![mine],
                ..ids(camp.id)
            }),
        )
        .await
        .expect("again");
    assert_eq!((again.added, again.unchanged), (0, 1));
    assert_eq!(rows(&f, Entity::CampaignMember).await, before);
    // The marketer reads everyone and adds the other rep's records.
    let more = c
        .add_members(
            user(MARKETER),
            AddCampaignMembers(MemberIds {
                customer_ids: vec![theirs],
                lead_ids: vec![their_lead],
                ..ids(camp.id)
            }),
        )
        .await
        .expect("marketer adds");
    assert_eq!(more.added, 2);
    // Listing shows only the members the actor reads.
    let kinds = |page: &crate::service::Page<crate::campaign::CampaignMember>| {
        page.items
            .iter()
            .map(|m| (m.kind, m.member_id()))
            .collect::<Vec<_>>()
    };
    let rep_sees = c
        .members(user(REP), members_filter(camp.id))
        .await
        .expect("rep members");
    let mut seen = kinds(&rep_sees);
    seen.sort();
    let mut expected = vec![
        (MemberKind::Customer, mine.0),
        (MemberKind::Lead, lead.0),
        (MemberKind::Contact, contact.0),
    ];
    expected.sort();
    assert_eq!(seen, expected);
    let contact_row = rep_sees
        .items
        .iter()
        .find(|m| m.kind == MemberKind::Contact)
        .expect("contact member");
    assert_eq!(contact_row.customer_id, Some(mine));
    let all = c
        .members(user(MARKETER), members_filter(camp.id))
        .await
        .expect("all members");
    assert_eq!(all.items.len(), 5);
    let leads_only = c
        .members(
            user(MARKETER),
            CampaignMemberFilter {
                kind: Some(MemberKind::Lead),
                ..members_filter(camp.id)
            },
        )
        .await
        .expect("leads");
    assert_eq!(leads_only.items.len(), 2);
    let page = c
        .members(
            user(MARKETER),
            CampaignMemberFilter {
                limit: Some(4),
                ..members_filter(camp.id)
            },
        )
        .await
        .expect("page");
    assert_eq!(page.items.len(), 4);
    let next = c
        .members(
            user(MARKETER),
            CampaignMemberFilter {
                limit: Some(4),
                after: page.next_after,
                ..members_filter(camp.id)
            },
        )
        .await
        .expect("page 2");
    assert_eq!(next.items.len(), 1);
    assert_eq!(next.next_after, None);
    // Removing: out of scope refused; a member removed once; a non-member left alone.
    assert_eq!(
        refusal(
            c.remove_members(
                user(REP),
                RemoveCampaignMembers(MemberIds {
                    customer_ids: vec![theirs],
                    ..ids(camp.id)
                })
            )
            .await
        ),
        "field customer_ids[0]"
    );
    let removed = c
        .remove_members(
            user(REP),
            RemoveCampaignMembers(MemberIds {
                customer_ids: vec![mine],
                ..ids(camp.id)
            }),
        )
        .await
        .expect("remove");
    assert_eq!((removed.removed, removed.unchanged), (1, 0));
    let none = c
        .remove_members(
            user(REP),
            RemoveCampaignMembers(MemberIds {
                customer_ids: vec![mine],
                ..ids(camp.id)
            }),
        )
        .await
        .expect("remove again");
    assert_eq!((none.removed, none.unchanged), (0, 1));
    assert_eq!(events(&f, "CampaignMembersChanged").await.len(), 3);
    // The other rep (marketing over their own campaigns) cannot touch this one.
    assert_eq!(
        refusal(
            c.add_members(
                user(REP2),
                AddCampaignMembers(MemberIds {
                    customer_ids: vec![theirs],
                    ..ids(camp.id)
                })
            )
            .await
        ),
        "not_found"
    );
}

/// The future limit on both sides, exactly one subject, idempotent host references,
/// all-or-nothing batches and one event per batch.
pub async fn campaign_touches_are_checked_and_idempotent<S: Store>(store: Arc<S>) {
    let f = campaign_fixture(store).await;
    let c = f.crm.campaigns();
    let camp = new_campaign(&f, REP, "Mailing", None).await;
    let mine = customer_of(&f, REP, "触达客户有限公司").await;
    let theirs = customer_of(&f, REP2, "别人的客户有限公司").await;
    let contact = contact_of(&f, REP, mine, "张经理").await;
    let lead = lead_of(&f, REP, "线索甲").await;
    let now = start();
    let limit = now + Duration::minutes(5);

    let late = on_customer(
        touch(camp.id, TouchKind::Sent, limit + Duration::seconds(1)),
        mine,
    );
    assert_eq!(
        refusal(c.record_touch(user(REP), late).await),
        "at in_future"
    );
    assert_eq!(rows(&f, Entity::Touch).await, 0);
    let edge = c
        .record_touch(
            user(REP),
            on_customer(touch(camp.id, TouchKind::Sent, limit), mine),
        )
        .await
        .expect("now + 5 min");
    assert_eq!(edge.at, limit);
    assert_eq!(edge.channel, camp.channel);
    assert_eq!(edge.customer_id, Some(mine));
    // Exactly one subject.
    let both = TouchInput {
        lead_id: Some(lead),
        ..on_customer(touch(camp.id, TouchKind::Sent, now), mine)
    };
    assert_eq!(
        refusal(c.record_touch(user(REP), both).await),
        "customer_id exactly_one_subject"
    );
    // A contact's touch records its customer; the channel can differ from the campaign's.
    let via_contact = c
        .record_touch(
            user(REP),
            TouchInput {
                channel: Some(crate::campaign::CampaignChannel::Sms),
                ..on_contact(touch(camp.id, TouchKind::Delivered, now), contact)
            },
        )
        .await
        .expect("contact touch");
    assert_eq!(via_contact.customer_id, Some(mine));
    assert_eq!(via_contact.contact_id, Some(contact));
    assert_eq!(via_contact.channel, crate::campaign::CampaignChannel::Sms);
    // Idempotent by host reference: the same touch again answers the first.
    let with_ref = TouchInput {
        host_ref: Some("esp-msg-1".into()),
        ..on_lead(touch(camp.id, TouchKind::Opened, now), lead)
    };
    let first = c
        .record_touch(user(REP), with_ref.clone())
        .await
        .expect("first");
    let rows_after_first = rows(&f, Entity::Touch).await;
    let events_after_first = events(&f, "TouchRecorded").await.len();
    let second = c
        .record_touch(user(REP), with_ref.clone())
        .await
        .expect("second");
    assert_eq!(second.id, first.id);
    assert_eq!(rows(&f, Entity::Touch).await, rows_after_first);
    assert_eq!(events(&f, "TouchRecorded").await.len(), events_after_first);
    let reused = TouchInput {
        kind: TouchKind::Clicked,
        ..with_ref.clone()
    };
    assert_eq!(
        refusal(c.record_touch(user(REP), reused).await),
        "host_ref host_ref_reused"
    );

    // A batch with one record out of scope writes nothing.
    let batch = |last: CustomerId| RecordTouches {
        touches: vec![
            on_customer(touch(camp.id, TouchKind::Sent, now), mine),
            TouchInput {
                host_ref: Some("esp-msg-2".into()),
                ..on_lead(touch(camp.id, TouchKind::Sent, now), lead)
            },
            on_customer(touch(camp.id, TouchKind::Clicked, now), last),
        ],
    };
    assert_eq!(
        refusal(c.record_touches(user(REP), batch(theirs)).await),
        "field touches[2].customer_id"
    );
    assert_eq!(rows(&f, Entity::Touch).await, rows_after_first);
    let done = c
        .record_touches(user(REP), batch(mine))
        .await
        .expect("batch");
    assert_eq!((done.recorded, done.already_recorded), (3, 0));
    assert_eq!(done.touches.len(), 3);
    let recorded = events(&f, "TouchRecorded").await;
    assert_eq!(recorded.len(), events_after_first + 1);
    assert_eq!(
        recorded.last().map(|e| e.payload["count"].clone()),
        Some(serde_json::json!(3))
    );
    // Again, with a known reference and a new one: one written, one already there.
    let mixed = RecordTouches {
        touches: vec![
            with_ref.clone(),
            TouchInput {
                host_ref: Some("esp-msg-3".into()),
                ..on_customer(touch(camp.id, TouchKind::Replied, now), mine)
            },
        ],
    };
    let mixed = c.record_touches(user(REP), mixed).await.expect("mixed");
    assert_eq!((mixed.recorded, mixed.already_recorded), (1, 1));
    assert_eq!(mixed.touches[0].id, first.id);
    // Batch size limits on both sides.
    assert_eq!(
        refusal(
            c.record_touches(user(REP), RecordTouches { touches: vec![] })
                .await
        ),
        "field touches"
    );
    let many = |n: usize| RecordTouches {
        touches: (0..n)
            .map(|_| on_customer(touch(camp.id, TouchKind::Sent, now), mine))
            .collect(),
    };
    let before = rows(&f, Entity::Touch).await;
    assert_eq!(
        refusal(c.record_touches(user(REP), many(1_001)).await),
        "touches too_many_touches"
    );
    assert_eq!(rows(&f, Entity::Touch).await, before);
    let full = c
        .record_touches(user(REP), many(1_000))
        .await
        .expect("1,000");
    assert_eq!(full.recorded, 1_000);

    // Reading back: a customer's touches include its contacts'; a period is [from, to).
    let of_customer = c
        .touches(
            user(REP),
            TouchFilter {
                customer_id: Some(mine),
                kind: Some(TouchKind::Delivered),
                ..Default::default()
            },
        )
        .await
        .expect("customer touches");
    assert_eq!(
        of_customer.items.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![via_contact.id]
    );
    let window = |from, to| TouchFilter {
        customer_id: Some(mine),
        kind: Some(TouchKind::Sent),
        from: Some(from),
        to: Some(to),
        limit: Some(500),
        ..Default::default()
    };
    let at_edge = c
        .touches(user(REP), window(limit, limit + Duration::microseconds(1)))
        .await
        .expect("edge window");
    assert_eq!(
        at_edge.items.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![edge.id]
    );
    let before_edge = c
        .touches(user(REP), window(now + Duration::seconds(1), limit))
        .await
        .expect("before edge");
    assert!(before_edge.items.is_empty());
}

/// A rep reading the touch log sees no touch on a record outside their scope.
pub async fn campaign_touches_follow_the_read_scope<S: Store>(store: Arc<S>) {
    let f = campaign_fixture(store).await;
    let c = f.crm.campaigns();
    let camp = new_campaign(&f, MARKETER, "Trade show", None).await;
    let mine = customer_of(&f, REP, "自己的客户有限公司").await;
    let theirs = customer_of(&f, REP2, "别人的客户有限公司").await;
    let their_contact = contact_of(&f, REP2, theirs, "赵经理").await;
    let their_lead = lead_of(&f, REP2, "别人的线索").await;
    let now = start();
    let recorded = c
        .record_touches(
            user(MARKETER),
            RecordTouches {
                touches: vec![
                    on_customer(touch(camp.id, TouchKind::Attended, now), mine),
                    on_customer(touch(camp.id, TouchKind::Attended, now), theirs),
                    on_contact(touch(camp.id, TouchKind::Attended, now), their_contact),
                    on_lead(touch(camp.id, TouchKind::Attended, now), their_lead),
                ],
            },
        )
        .await
        .expect("marketer records");
    assert_eq!(recorded.recorded, 4);
    let all = TouchFilter {
        campaign_id: Some(camp.id),
        ..Default::default()
    };
    let rep = c.touches(user(REP), all.clone()).await.expect("rep");
    assert_eq!(
        rep.items.iter().map(|t| t.customer_id).collect::<Vec<_>>(),
        vec![Some(mine)]
    );
    // Asking for the other rep's customer directly shows nothing (absent, not refused).
    let direct = c
        .touches(
            user(REP),
            TouchFilter {
                customer_id: Some(theirs),
                ..Default::default()
            },
        )
        .await
        .expect("direct");
    assert!(direct.items.is_empty());
    let marketer = c
        .touches(user(MARKETER), all.clone())
        .await
        .expect("marketer");
    assert_eq!(marketer.items.len(), 4);
    // The other rep reads their own records' touches only through a campaign they read:
    // marketing over their own campaigns does not reach the marketer's.
    assert_eq!(
        refusal(c.touches(user(REP2), all.clone()).await),
        "not_found"
    );
    let rep2_any = c
        .touches(user(REP2), TouchFilter::default())
        .await
        .expect("rep2 all");
    assert!(rep2_any.items.is_empty());
    // The other tenant sees nothing of it.
    assert_eq!(
        refusal(c.touches(crate::Actor::system(T2), all).await),
        "not_found"
    );
    // Recording on a record outside the actor's scope is refused like a missing one.
    assert_eq!(
        refusal(
            c.record_touch(
                user(REP),
                on_customer(touch(camp.id, TouchKind::Sent, now), theirs)
            )
            .await
        ),
        "field customer_id"
    );
    assert_eq!(
        refusal(
            c.record_touch(
                user(NOBODY),
                on_customer(touch(camp.id, TouchKind::Sent, now), mine)
            )
            .await
        ),
        "permission_denied"
    );
}

fn rate(reach: &CampaignReach, name: &str) -> (String, Option<String>) {
    let r = reach
        .rates
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("rate {name}"));
    (r.denominator.clone(), r.value.map(|v| v.to_string()))
}

fn kind(reach: &CampaignReach, kind: TouchKind) -> (u64, u64) {
    reach
        .kinds
        .iter()
        .find(|k| k.kind == kind)
        .map(|k| (k.recipients, k.total))
        .unwrap_or_default()
}

/// Reach figures: distinct recipients and totals, exact rates, `None` at zero
/// denominators, roll-up over descendants, and counts in the actor's scope.
pub async fn campaign_reach_names_its_denominators<S: Store>(store: Arc<S>) {
    let f = campaign_fixture(store).await;
    let c = f.crm.campaigns();
    let camp = new_campaign(&f, MARKETER, "Newsletter", None).await;
    let now = start();
    // An empty campaign: every rate is None.
    let empty = c
        .reach(
            user(MARKETER),
            ReachRequest {
                campaign_id: camp.id,
                include_descendants: false,
            },
        )
        .await
        .expect("empty");
    assert_eq!(empty.members, 0);
    assert!(empty.rates.iter().all(|r| r.value.is_none()));
    assert_eq!(rate(&empty, "sent_rate").0, "members");
    assert_eq!(rate(&empty, "open_rate").0, "delivered");

    let a = customer_of(&f, REP, "甲公司").await;
    let b = customer_of(&f, REP2, "乙公司").await;
    let cc = customer_of(&f, REP2, "丙公司").await;
    let contact = contact_of(&f, REP, a, "甲联系人").await;
    c.add_members(
        user(MARKETER),
        AddCampaignMembers(MemberIds {
            customer_ids: vec![a, b, cc],
            contact_ids: vec![contact],
            ..ids(camp.id)
        }),
    )
    .await
    .expect("members");
    let mut touches = Vec::new();
    for who in [a, b, cc] {
        touches.push(on_customer(touch(camp.id, TouchKind::Sent, now), who));
    }
    touches.push(on_customer(touch(camp.id, TouchKind::Sent, now), a));
    touches.push(on_contact(touch(camp.id, TouchKind::Sent, now), contact));
    for who in [a, b, cc] {
        touches.push(on_customer(touch(camp.id, TouchKind::Delivered, now), who));
    }
    touches.push(on_customer(touch(camp.id, TouchKind::Opened, now), a));
    touches.push(on_customer(touch(camp.id, TouchKind::Opened, now), a));
    c.record_touches(user(MARKETER), RecordTouches { touches })
        .await
        .expect("touches");
    let reach = c
        .reach(
            user(MARKETER),
            ReachRequest {
                campaign_id: camp.id,
                include_descendants: false,
            },
        )
        .await
        .expect("reach");
    assert_eq!(reach.members, 4);
    assert_eq!(kind(&reach, TouchKind::Sent), (4, 5));
    assert_eq!(kind(&reach, TouchKind::Opened), (1, 2));
    assert_eq!(kind(&reach, TouchKind::Clicked), (0, 0));
    assert_eq!(
        rate(&reach, "sent_rate"),
        ("members".into(), Some("100.00".into()))
    );
    assert_eq!(
        rate(&reach, "delivery_rate"),
        ("sent".into(), Some("75.00".into()))
    );
    assert_eq!(
        rate(&reach, "open_rate"),
        ("delivered".into(), Some("33.33".into()))
    );
    assert_eq!(
        rate(&reach, "click_rate"),
        ("delivered".into(), Some("0.00".into()))
    );
    assert_eq!(rate(&reach, "click_to_open_rate").1, Some("0.00".into()));
    assert_eq!(rate(&reach, "form_rate"), ("clicked".into(), None));
    assert_eq!(rate(&reach, "attendance_rate").1, Some("0.00".into()));
    let json = serde_json::to_value(&reach).expect("json");
    let open = json["rates"]
        .as_array()
        .and_then(|rates| rates.iter().find(|r| r["name"] == "open_rate"))
        .cloned()
        .expect("open_rate");
    assert_eq!(
        open,
        serde_json::json!({"name": "open_rate", "numerator": "opened", "denominator": "delivered", "value": "33.33"})
    );

    // Rolled up: a child campaign's member and touch count once more.
    let child = new_campaign(&f, MARKETER, "Newsletter B", Some(camp.id)).await;
    let d = customer_of(&f, REP, "丁公司").await;
    c.add_members(
        user(MARKETER),
        AddCampaignMembers(MemberIds {
            customer_ids: vec![d, a],
            ..ids(child.id)
        }),
    )
    .await
    .expect("child members");
    c.record_touch(
        user(MARKETER),
        on_customer(touch(child.id, TouchKind::Sent, now), d),
    )
    .await
    .expect("child touch");
    let rolled = c
        .reach(
            user(MARKETER),
            ReachRequest {
                campaign_id: camp.id,
                include_descendants: true,
            },
        )
        .await
        .expect("rolled");
    assert_eq!(rolled.campaign_ids, vec![camp.id, child.id]);
    assert_eq!(rolled.members, 5);
    assert_eq!(kind(&rolled, TouchKind::Sent), (5, 6));
    assert_eq!(rate(&rolled, "sent_rate").1, Some("100.00".into()));
    let alone = c
        .reach(
            user(MARKETER),
            ReachRequest {
                campaign_id: camp.id,
                include_descendants: false,
            },
        )
        .await
        .expect("alone");
    assert_eq!(alone.members, 4);

    // In the rep's scope: a and its contact only (b and c are the other rep's).
    let rep = c
        .reach(
            user(REP),
            ReachRequest {
                campaign_id: camp.id,
                include_descendants: false,
            },
        )
        .await
        .expect("rep reach");
    assert_eq!(rep.members, 2);
    assert_eq!(kind(&rep, TouchKind::Sent), (2, 3));
    assert_eq!(kind(&rep, TouchKind::Delivered), (1, 1));
    assert_eq!(rate(&rep, "open_rate").1, Some("100.00".into()));
    assert_eq!(rate(&rep, "delivery_rate").1, Some("50.00".into()));
}

/// Calls at once in the race cases.
const RACERS: usize = 8;

/// Eight recordings of one host reference at once write one touch (every success answers
/// it); eight cost entries at once keep the actual cost the exact sum of those written.
pub async fn concurrent_touches_and_costs_stay_exact<S: Store>(store: Arc<S>) {
    let f = campaign_fixture(store.clone()).await;
    let crm = Arc::new(crate::service::Crm::new(store.clone(), f.clock.clone()));
    let camp = new_campaign(&f, REP, "Flash sale", None).await;
    let mine = customer_of(&f, REP, "抢购客户有限公司").await;
    let input = TouchInput {
        host_ref: Some("sms-42".into()),
        ..on_customer(touch(camp.id, TouchKind::Delivered, start()), mine)
    };
    let mut tasks = Vec::new();
    for _ in 0..RACERS {
        let crm = crm.clone();
        let input = input.clone();
        tasks.push(tokio::spawn(async move {
            crm.campaigns().record_touch(user(REP), input).await
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        match t.await.expect("task") {
            Ok(touch) => ids.push(touch.id),
            Err(crate::error::CrmError::Conflict { .. }) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert!(!ids.is_empty());
    ids.dedup();
    assert_eq!(ids.len(), 1, "one touch answered: {ids:?}");
    assert_eq!(rows(&f, Entity::Touch).await, 1);

    let mut tasks = Vec::new();
    for i in 0..RACERS {
        let crm = crm.clone();
        tasks.push(tokio::spawn(async move {
            crm.campaigns()
                .add_cost(
                    user(REP),
                    crate::op::AddCampaignCost {
                        campaign_id: camp.id,
                        spent_on: chrono::NaiveDate::from_ymd_opt(2026, 3, 2).expect("day"),
                        amount: dec(&format!("{}.01", i + 1)),
                        currency: "CNY".into(),
                        note: None,
                    },
                )
                .await
        }));
    }
    let mut expected = dec("0.00");
    for t in tasks {
        match t.await.expect("task") {
            Ok(added) => expected += added.cost.amount,
            Err(crate::error::CrmError::Conflict { .. }) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    let read = f
        .crm
        .campaigns()
        .get(user(REP), crate::op::GetCampaign { id: camp.id })
        .await
        .expect("campaign");
    assert_eq!(read.actual_cost.get("CNY"), Some(&expected));
    assert!(expected > dec("0"));
    assert_eq!(
        rows(&f, Entity::CampaignCost).await,
        f.crm
            .campaigns()
            .costs(
                user(REP),
                crate::op::CampaignCostFilter {
                    campaign_id: camp.id,
                    after: None,
                    limit: Some(500),
                },
            )
            .await
            .expect("costs")
            .items
            .len()
    );
}
