//! Lead conversion and merge on every store: one atomic unit of work that creates or links
//! the customer (filling only empty fields), a contact and an opportunity; idempotent,
//! also under concurrent calls; refused before any write at the held limit or for an
//! unqualified lead not said to be converted anyway; and the merge winner rule.

use crate::customer::NewCustomer;
use crate::error::CrmError;
use crate::ids::{CustomerId, LeadId};
use crate::lead::{LeadInput, LeadStatus};
use crate::pool::HeldLimits;
use crate::service::{ConvertLead, ConvertOpportunity};
use crate::store::{Entity, Query, Store};
use crate::testkit::fixture::*;
use crate::Actor;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::sync::Arc;

fn input(name: &str, company: &str, phone: &str) -> LeadInput {
    LeadInput {
        name: name.into(),
        company: Some(company.into()),
        phone: Some(phone.into()),
        email: Some(format!("{phone}@example.com")),
        industry: Some("制造".into()),
        estimated_amount: Some(Decimal::new(880_000, 2)),
        currency: Some("CNY".into()),
        ..LeadInput::default()
    }
}

fn convert(id: LeadId) -> ConvertLead {
    ConvertLead {
        id,
        customer_id: None,
        contact: true,
        opportunity: Some(ConvertOpportunity {
            name: None,
            amount: None,
            currency: None,
            pipeline: None,
            stage: "lead".into(),
            expected_close: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap_or_default(),
        }),
        convert_unqualified: false,
    }
}

fn id_of(v: &crate::view::VisibleJson) -> LeadId {
    LeadId(v.record["id"].as_i64().unwrap_or_default())
}

async fn counts<S: Store>(store: &S) -> [u64; 3] {
    let mut out = [0; 3];
    for (i, e) in [Entity::Customer, Entity::Contact, Entity::Opportunity]
        .into_iter()
        .enumerate()
    {
        out[i] = store.count(&Query::new(e, T1)).await.unwrap_or(u64::MAX);
    }
    out
}

/// A conversion creates the customer, contact and opportunity from the lead and marks it
/// converted; a second call answers `already_converted` with the same links and writes
/// nothing; a lead matching a customer links it, filling only its empty fields.
pub async fn lead_conversion_creates_or_links_once<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store.clone()).await;
    let crm = &f.crm;
    let lead = crm
        .create_lead(
            user(REP),
            input("李雷", "星河电子有限公司", "13900001111"),
            None,
        )
        .await
        .expect("lead");
    let before = counts(&*store).await;
    // The sales role has no opportunity rights: the system actor converts (the customer
    // and the deal still go to the lead's owner).
    let done = crm
        .convert_lead(Actor::system(T1), convert(id_of(&lead)))
        .await
        .expect("convert");
    assert!(!done.already_converted);
    assert!(done.conversion.customer_created);
    assert_eq!(done.lead.record["status"], "converted");
    assert_eq!(
        counts(&*store).await,
        [before[0] + 1, before[1] + 1, before[2] + 1]
    );
    let customer = crm
        .get_customer(
            user(REP),
            done.conversion.customer_id.expect("customer shown"),
        )
        .await
        .expect("customer")
        .record;
    assert_eq!(customer.name, "星河电子有限公司");
    assert_eq!(customer.owner_id, Some(REP));
    assert_eq!(customer.open_opportunities, 1);
    let opp = crm
        .get_opportunity(
            Actor::system(T1),
            done.conversion.opportunity_id.expect("opportunity"),
        )
        .await
        .expect("opportunity");
    assert_eq!(opp.record["amount"], "8800.00");
    assert_eq!(opp.record["currency"], "CNY");
    assert_eq!(opp.record["owner_id"], serde_json::json!(REP.0));

    let again = crm
        .convert_lead(user(REP), convert(id_of(&lead)))
        .await
        .expect("again");
    assert!(again.already_converted);
    // The owner reads the customer and its contact, but the sales role reads no
    // opportunities: that link is not shown to them.
    assert_eq!(
        again.conversion,
        crate::service::ConversionLinks {
            opportunity_id: None,
            ..done.conversion.clone()
        }
    );
    let by_system = crm
        .convert_lead(Actor::system(T1), convert(id_of(&lead)))
        .await
        .expect("again, by the system");
    assert_eq!(by_system.conversion, done.conversion);
    // A reader of leads who may not read customers nor opportunities sees that the lead was
    // converted, not what it links to — in lead.get and in an already_converted answer.
    let role = crm
        .create_role(
            Actor::system(T1),
            crate::service::RoleInput {
                name: "lead desk".into(),
                grants: [crate::access::Action::Read, crate::access::Action::Update]
                    .into_iter()
                    .map(|action| crate::access::Grant {
                        module: crate::access::Module::Leads,
                        action,
                        scope: crate::access::DataScope::All,
                    })
                    .collect(),
                fields: vec![],
            },
        )
        .await
        .expect("role");
    let desk = crate::ids::UserId(44);
    crm.upsert_user(
        Actor::system(T1),
        crate::service::UserInput {
            id: desk,
            name: "lead desk".into(),
            department_id: None,
            supervisor_id: None,
            role_ids: vec![role.id],
            tenant_admin: false,
            active: true,
            time_zone: None,
            joined_on: None,
        },
    )
    .await
    .expect("user");
    let seen = crm.get_lead(user(desk), id_of(&lead)).await.expect("get");
    assert_eq!(seen.record["status"], "converted");
    let links = &seen.record["conversion"];
    assert!(
        links.get("customer_id").is_none() && links.get("opportunity_id").is_none(),
        "{links}"
    );
    let answer = crm
        .convert_lead(user(desk), convert(id_of(&lead)))
        .await
        .expect("already");
    assert!(answer.already_converted);
    assert_eq!(
        (
            answer.conversion.customer_id,
            answer.conversion.contact_id,
            answer.conversion.opportunity_id
        ),
        (None, None, None)
    );
    assert_eq!(
        counts(&*store).await,
        [before[0] + 1, before[1] + 1, before[2] + 1]
    );
    // A converted lead is no longer edited, assigned or merged.
    let other = crm
        .create_lead(user(REP), input("韩梅梅", "远山物流", "13900002222"), None)
        .await
        .expect("other");
    let merged = crm
        .merge_leads(user(REP), vec![id_of(&lead), id_of(&other)])
        .await;
    assert!(
        matches!(&merged, Err(CrmError::RuleViolation { rule, .. }) if rule == "lead_closed"),
        "{merged:?}"
    );

    // A customer with the lead's phone exists and has no e-mail: conversion links it and
    // fills the e-mail, keeping its own name.
    let existing = crm
        .create_customer(
            user(REP),
            NewCustomer {
                name: "远山物流集团".into(),
                phone: Some("13900003333".into()),
                ..NewCustomer::default()
            },
        )
        .await
        .expect("customer")
        .record;
    let lead = crm
        .create_lead(user(REP), input("王五", "青松贸易", "13900003333"), None)
        .await
        .expect("lead");
    let before = counts(&*store).await;
    let linked = crm
        .convert_lead(
            user(REP),
            ConvertLead {
                contact: false,
                opportunity: None,
                ..convert(id_of(&lead))
            },
        )
        .await
        .expect("link");
    assert!(!linked.conversion.customer_created);
    assert_eq!(linked.conversion.customer_id, Some(existing.id));
    assert_eq!(
        counts(&*store).await,
        before,
        "nothing new besides the links"
    );
    let after = crm
        .get_customer(user(REP), existing.id)
        .await
        .expect("customer")
        .record;
    assert_eq!(after.name, "远山物流集团", "never overwritten");
    assert_eq!(after.email.as_deref(), Some("13900003333@example.com"));
    assert_eq!(after.industry.as_deref(), Some("制造"));
}

/// Refusals come before any write: the new owner at their held limit (and one below it
/// converts), an unqualified lead without `convert_unqualified`, a merged lead.
pub async fn lead_conversion_refusals_write_nothing<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store.clone()).await;
    let crm = &f.crm;
    for i in 0..2 {
        crm.create_customer(
            user(REP),
            NewCustomer {
                name: format!("held {i}"),
                ..NewCustomer::default()
            },
        )
        .await
        .expect("customer");
    }
    // Held limit 3, REP holds 2: one conversion fits, the next is refused.
    let sys = Actor::system(T1);
    let tenant = crm.get_tenant(sys).await.expect("tenant");
    let mut settings = tenant.settings.clone();
    settings.held_limits = HeldLimits {
        default: Some(3),
        ..HeldLimits::default()
    };
    crm.setup_tenant(sys, &tenant.name, settings)
        .await
        .expect("limits");
    let a = crm
        .create_lead(user(REP), input("甲", "甲公司", "13700000001"), None)
        .await
        .expect("a");
    let b = crm
        .create_lead(user(REP), input("乙", "乙公司", "13700000002"), None)
        .await
        .expect("b");
    let sys = Actor::system(T1);
    crm.convert_lead(sys, convert(id_of(&a)))
        .await
        .expect("the third customer fits the limit");
    let before = counts(&*store).await;
    let refused = crm.convert_lead(sys, convert(id_of(&b))).await;
    assert!(
        matches!(&refused, Err(CrmError::RuleViolation { rule, .. }) if rule == "held_limit"),
        "{refused:?}"
    );
    assert_eq!(counts(&*store).await, before);
    let still = crm.get_lead(user(REP), id_of(&b)).await.expect("lead");
    assert_eq!(still.record["status"], "new");

    // Unqualified: refused unless said; then converted.
    let c = crm
        .create_lead(user(REP2), input("丙", "丙公司", "13700000003"), None)
        .await
        .expect("c");
    crm.set_lead_status(
        user(REP2),
        id_of(&c),
        LeadStatus::Unqualified,
        Some("budget".into()),
    )
    .await
    .expect("unqualified");
    let before = counts(&*store).await;
    let refused = crm.convert_lead(user(REP2), convert(id_of(&c))).await;
    assert!(
        matches!(&refused, Err(CrmError::RuleViolation { rule, .. }) if rule == "lead_unqualified"),
        "{refused:?}"
    );
    assert_eq!(counts(&*store).await, before);
    // Said so, but the sales role may not open opportunities: refused, nothing written.
    let said = ConvertLead {
        convert_unqualified: true,
        ..convert(id_of(&c))
    };
    let denied = crm.convert_lead(user(REP2), said.clone()).await;
    assert!(
        matches!(&denied, Err(CrmError::PermissionDenied { module, .. }) if module == "opportunities"),
        "{denied:?}"
    );
    assert_eq!(counts(&*store).await, before);
    let done = crm
        .convert_lead(
            user(REP2),
            ConvertLead {
                opportunity: None,
                ..said
            },
        )
        .await
        .expect("said so");
    assert!(done.conversion.customer_created);
    // A peer cannot convert what they cannot see.
    let d = crm
        .create_lead(user(REP2), input("丁", "丁公司", "13700000004"), None)
        .await
        .expect("d");
    let hidden = crm.convert_lead(user(REP), convert(id_of(&d))).await;
    assert!(
        matches!(hidden, Err(CrmError::NotFound { .. })),
        "{hidden:?}"
    );
}

/// Eight concurrent conversions of one lead make one customer, one contact and one
/// opportunity; every call answers the same links, exactly one of them as the converter.
pub async fn concurrent_conversions_make_one_customer<S: Store>(store: Arc<S>) {
    let f = Arc::new(Fixture::new(store.clone()).await);
    let lead = f
        .crm
        .create_lead(user(REP), input("赵六", "并发科技", "13600000009"), None)
        .await
        .expect("lead");
    let id = id_of(&lead);
    let before = counts(&*store).await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let f = f.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                match f.crm.convert_lead(Actor::system(T1), convert(id)).await {
                    Err(CrmError::Conflict { .. }) => continue,
                    other => return other,
                }
            }
        }));
    }
    let mut customers: Vec<CustomerId> = Vec::new();
    let mut converters = 0;
    for t in tasks {
        let done = t.await.expect("task").expect("conversion");
        customers.push(done.conversion.customer_id.expect("customer shown"));
        converters += usize::from(!done.already_converted);
    }
    customers.dedup();
    assert_eq!(customers.len(), 1, "one customer for all: {customers:?}");
    assert_eq!(converters, 1);
    assert_eq!(
        counts(&*store).await,
        [before[0] + 1, before[1] + 1, before[2] + 1]
    );
}

/// The merge winner is the most advanced status, then the earliest created, then the
/// lowest id; its empty fields are filled from the others in that order; the others are
/// merged into it and no longer count as open.
pub async fn lead_merge_follows_the_winner_rule<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store).await;
    let crm = &f.crm;
    let bare = |name: &str| LeadInput {
        name: name.into(),
        ..LeadInput::default()
    };
    let oldest = crm
        .create_lead(
            user(REP),
            LeadInput {
                region: Some("华南".into()),
                ..bare("oldest")
            },
            None,
        )
        .await
        .expect("oldest");
    f.clock.advance(chrono::Duration::minutes(1));
    let qualified = crm
        .create_lead(user(REP), bare("qualified"), None)
        .await
        .expect("qualified");
    crm.set_lead_status(user(REP), id_of(&qualified), LeadStatus::Qualified, None)
        .await
        .expect("qualify");
    f.clock.advance(chrono::Duration::minutes(1));
    let youngest = crm
        .create_lead(
            user(REP),
            LeadInput {
                region: Some("华北".into()),
                source: Some("展会".into()),
                ..bare("youngest")
            },
            None,
        )
        .await
        .expect("youngest");
    let merged = crm
        .merge_leads(
            user(REP),
            vec![id_of(&youngest), id_of(&oldest), id_of(&qualified)],
        )
        .await
        .expect("merge");
    assert_eq!(
        id_of(&merged.winner),
        id_of(&qualified),
        "most advanced wins"
    );
    assert_eq!(merged.merged, vec![id_of(&oldest), id_of(&youngest)]);
    assert_eq!(
        merged.winner.record["region"], "华南",
        "from the earliest first"
    );
    assert_eq!(merged.winner.record["source"], "展会");
    for loser in [&oldest, &youngest] {
        let l = crm.get_lead(user(REP), id_of(loser)).await.expect("loser");
        assert_eq!(l.record["status"], "merged");
        assert_eq!(
            l.record["merged_into"],
            serde_json::json!(id_of(&qualified).0)
        );
    }
    let audit = crm
        .record_audit(Actor::system(T1), "lead", id_of(&oldest).0)
        .await
        .expect("audit");
    assert!(audit.iter().any(|e| e.operation == "lead.merge"));
    // Bad input: one lead, the same lead twice; a lead the actor cannot see.
    for ids in [
        vec![id_of(&qualified)],
        vec![id_of(&qualified), id_of(&qualified)],
    ] {
        let r = crm.merge_leads(user(REP), ids).await;
        assert!(
            matches!(&r, Err(CrmError::Validation { field, .. }) if field == "ids"),
            "{r:?}"
        );
    }
    let peer = crm
        .create_lead(user(REP2), bare("peer"), None)
        .await
        .expect("peer");
    let hidden = crm
        .merge_leads(user(REP), vec![id_of(&qualified), id_of(&peer)])
        .await;
    assert!(
        matches!(hidden, Err(CrmError::NotFound { .. })),
        "{hidden:?}"
    );
}

/// A lead's follow-ups move with it: to the customer on conversion (the same rows, still
/// listed on the lead, the customer's follow-up clock moved), to the winner on a merge
/// (whose first contact becomes the earliest of them).
pub async fn lead_followups_move_on_conversion_and_merge<S: Store>(store: Arc<S>) {
    use crate::followup::{FollowUpKind, NewLeadFollowUp};
    let f = Fixture::new(store).await;
    let crm = &f.crm;
    let note = |lead: LeadId, content: &str| NewLeadFollowUp {
        lead_id: lead,
        kind: FollowUpKind::Call,
        content: content.into(),
        at: None,
        location: None,
        next_followup_at: None,
    };
    let lead = crm
        .create_lead(user(REP), input("孙七", "北辰制药", "13500000007"), None)
        .await
        .expect("lead");
    let id = id_of(&lead);
    let called = crm
        .add_lead_followup(user(REP), note(id, "首次电话"))
        .await
        .expect("follow-up")
        .record;
    let done = crm
        .convert_lead(
            Actor::system(T1),
            ConvertLead {
                contact: false,
                opportunity: None,
                ..convert(id)
            },
        )
        .await
        .expect("convert");
    let customer = done.conversion.customer_id.expect("customer shown");
    let on_customer = crm
        .list_followups(user(REP), customer, None, None)
        .await
        .expect("customer follow-ups");
    assert_eq!(on_customer.items.len(), 1);
    assert_eq!(on_customer.items[0].record.id, called.id);
    let on_lead = crm
        .list_lead_followups(user(REP), id, None, None)
        .await
        .expect("lead follow-ups");
    assert_eq!(on_lead.items.len(), 1, "the lead keeps its link");
    assert_eq!(on_lead.items[0].record.customer_id, Some(customer));
    let c = crm
        .get_customer(user(REP), customer)
        .await
        .expect("customer")
        .record;
    assert_eq!(c.last_followup_at, Some(called.at));

    // Merge: B's follow-up (the first contact of the two) moves to the winner C.
    let b = crm
        .create_lead(user(REP), input("周八", "南港航运", "13500000008"), None)
        .await
        .expect("b");
    f.clock.advance(chrono::Duration::minutes(5));
    let b_call = crm
        .add_lead_followup(user(REP), note(id_of(&b), "B 的电话"))
        .await
        .expect("b follow-up")
        .record;
    let c_lead = crm
        .create_lead(user(REP), input("吴九", "西岭矿业", "13500000009"), None)
        .await
        .expect("c");
    crm.set_lead_status(user(REP), id_of(&c_lead), LeadStatus::Qualified, None)
        .await
        .expect("qualify");
    f.clock.advance(chrono::Duration::minutes(5));
    crm.add_lead_followup(user(REP), note(id_of(&c_lead), "C 的电话"))
        .await
        .expect("c follow-up");
    let merged = crm
        .merge_leads(user(REP), vec![id_of(&b), id_of(&c_lead)])
        .await
        .expect("merge");
    assert_eq!(id_of(&merged.winner), id_of(&c_lead));
    assert_eq!(
        merged.winner.record["first_contacted_at"],
        serde_json::json!(b_call.at)
    );
    let winner_notes = crm
        .list_lead_followups(user(REP), id_of(&c_lead), None, None)
        .await
        .expect("winner follow-ups");
    assert_eq!(winner_notes.items.len(), 2);
    assert!(winner_notes.items.iter().any(|n| n.record.id == b_call.id));
    let loser_notes = crm
        .list_lead_followups(user(REP), id_of(&b), None, None)
        .await
        .expect("loser follow-ups");
    assert!(loser_notes.items.is_empty());
}
