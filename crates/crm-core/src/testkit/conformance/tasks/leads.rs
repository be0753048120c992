//! Tasks follow their lead: conversion links the open ones to the new customer (a closed
//! one keeps its links), a merge moves the loser's to the winner.

use super::*;
use crate::ids::LeadId;
use crate::lead::{Lead, LeadInput};
use crate::service::ConvertLead;
use crate::task::Task;
use std::sync::Arc;

async fn lead<S: Store>(f: &Fixture<S>, name: &str) -> LeadId {
    let shown = f
        .crm
        .create_lead(
            user(REP),
            LeadInput {
                name: name.into(),
                ..LeadInput::default()
            },
            None,
        )
        .await
        .expect("lead");
    LeadId(shown.record["id"].as_i64().unwrap_or_default())
}

async fn on_lead<S: Store>(f: &Fixture<S>, lead: LeadId, title: &str) -> TaskId {
    let mut t = input(title, on(day(2026, 3, 5)), 1);
    t.links.lead_id = Some(lead);
    task(f, REP, t).await
}

async fn stored<S: Store>(f: &Fixture<S>, id: TaskId) -> Task {
    f.crm
        .store()
        .load(T1, id)
        .await
        .expect("load")
        .expect("task")
}

/// Conversion links the open tasks to the new customer; a done one keeps its links.
pub async fn tasks_follow_converted_leads<S: Store>(store: Arc<S>) {
    let f = setup(store).await;
    let sys = Actor::system(T1);
    let converted = lead(&f, "转化线索").await;
    let open = on_lead(&f, converted, "open").await;
    let closed = on_lead(&f, converted, "closed").await;
    f.crm.complete_task(user(REP), closed).await.expect("done");
    f.crm
        .convert_lead(
            sys,
            ConvertLead {
                id: converted,
                customer_id: None,
                contact: false,
                opportunity: None,
                convert_unqualified: false,
            },
        )
        .await
        .expect("convert");
    let lead_row: Lead = f
        .crm
        .store()
        .load(T1, converted)
        .await
        .expect("load")
        .expect("lead");
    let customer = lead_row.conversion.map(|c| c.customer_id);
    assert!(customer.is_some());
    let moved = stored(&f, open).await;
    assert_eq!(moved.links.customer_id, customer);
    assert_eq!(moved.links.lead_id, Some(converted));
    assert_eq!(stored(&f, closed).await.links.customer_id, None);
}

/// A merge moves the losers' tasks (open or not) to the winner; none is left on a loser.
pub async fn tasks_follow_merged_leads<S: Store>(store: Arc<S>) {
    let f = setup(store).await;
    let sys = Actor::system(T1);
    let a = lead(&f, "合并甲").await;
    let b = lead(&f, "合并乙").await;
    let on_a = on_lead(&f, a, "on a").await;
    let on_b = on_lead(&f, b, "on b").await;
    f.crm.complete_task(user(REP), on_b).await.expect("done");
    let merge = f.crm.merge_leads(sys, vec![a, b]).await.expect("merge");
    let winner = LeadId(merge.winner.record["id"].as_i64().unwrap_or_default());
    let loser = merge.merged[0];
    assert_ne!(winner, loser);
    for id in [on_a, on_b] {
        assert_eq!(stored(&f, id).await.links.lead_id, Some(winner));
    }
    let mut by_loser = crate::service::TaskFilter::default();
    by_loser.linked.lead_id = Some(loser);
    let left = f.crm.list_tasks(sys, by_loser).await.expect("list");
    assert!(left.items.is_empty());
}
