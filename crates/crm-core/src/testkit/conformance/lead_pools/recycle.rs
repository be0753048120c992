//! Recycling leads without a follow-up for N days, through `run_due_work`.

use super::{fired, lead_pool, load, open_leads};
use crate::followup::{FollowUpKind, NewLeadFollowUp};
use crate::ids::LeadId;
use crate::lead::LeadInput;
use crate::pool::{HeldLimits, LevelLimits, PoolRules, RecycleKind, RecycleRule};
use crate::store::Store;
use crate::testkit::fixture::*;
use chrono::Duration;
use std::sync::Arc;

async fn owned_lead<S: Store>(f: &Fixture<S>, name: &str) -> LeadId {
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

/// A 3-day `no_followup` rule: a lead owned since t0 stays on day 3 (one second before 4
/// whole days) and goes back to the pool at 4 whole days, once, with its event and audit
/// entry, the owner recorded as previous owner and their open count moved; a second run at
/// the same instant does nothing. A follow-up restarts the clock: the lead followed up on
/// day 2 goes on day 6, not before.
pub async fn lead_recycle_fires_after_the_boundary_day<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store).await;
    let rules = PoolRules {
        recycle: vec![RecycleRule {
            kind: RecycleKind::NoFollowUp,
            limits: LevelLimits::all(3),
            remind_days_before: 0,
        }],
        ..PoolRules::default()
    };
    let pool = lead_pool(&f, rules, HeldLimits::default(), &[]).await;
    let t0 = start();
    let quiet = owned_lead(&f, "无人跟进").await;
    let worked = owned_lead(&f, "有跟进").await;
    f.clock.set(t0 + Duration::days(2));
    f.crm
        .add_lead_followup(
            user(REP),
            NewLeadFollowUp {
                lead_id: worked,
                kind: FollowUpKind::Call,
                content: "电话沟通".into(),
                at: None,
                location: None,
                next_followup_at: None,
            },
        )
        .await
        .expect("follow-up");
    assert_eq!(open_leads(&f, REP).await, 2);

    let day3 = f
        .crm
        .run_due_work(T1, t0 + Duration::days(4) - Duration::seconds(1))
        .await
        .expect("due work");
    assert_eq!(day3.leads_recycled, 0);
    assert_eq!(load(&f, quiet).await.owner_id, Some(REP));

    let day4 = f
        .crm
        .run_due_work(T1, t0 + Duration::days(4))
        .await
        .expect("due work");
    assert_eq!(day4.leads_recycled, 1);
    let again = f
        .crm
        .run_due_work(T1, t0 + Duration::days(4))
        .await
        .expect("due work again");
    assert_eq!(again.leads_recycled, 0);
    let stored = load(&f, quiet).await;
    assert_eq!(stored.owner_id, None);
    assert_eq!(stored.pool_id, Some(pool));
    assert_eq!(stored.previous_owner_id, Some(REP));
    assert_eq!(stored.entered_pool_at, Some(t0 + Duration::days(4)));
    assert_eq!(
        stored.pool_reason.as_deref(),
        Some("no follow-up for 3 days")
    );
    assert_eq!(load(&f, worked).await.owner_id, Some(REP));
    assert_eq!(open_leads(&f, REP).await, 1);
    assert_eq!(fired(&f, "LeadRecycled").await, vec![quiet.0]);
    let audit = f
        .crm
        .record_audit(crate::Actor::system(T1), "lead", quiet.0)
        .await
        .expect("audit");
    assert!(audit.iter().any(|a| a.operation == "due_work.lead_recycle"));

    // The follow-up on day 2 moved the clock: not on day 5 (3 whole days), on day 6.
    let day5 = f
        .crm
        .run_due_work(T1, t0 + Duration::days(6) - Duration::seconds(1))
        .await
        .expect("due work");
    assert_eq!(day5.leads_recycled, 0);
    let day6 = f
        .crm
        .run_due_work(T1, t0 + Duration::days(6))
        .await
        .expect("due work");
    assert_eq!(day6.leads_recycled, 1);
    assert_eq!(load(&f, worked).await.pool_id, Some(pool));
    assert_eq!(open_leads(&f, REP).await, 0);
    assert_eq!(fired(&f, "LeadRecycled").await, vec![quiet.0, worked.0]);
}
