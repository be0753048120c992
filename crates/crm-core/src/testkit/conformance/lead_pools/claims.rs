//! Claiming and releasing leads: every rule on both sides of its boundary, refusals that
//! write nothing, and the overflow lead of the assignment rules.

use super::{fired, lead_pool, lead_pool_for, load, open_leads, pooled_leads, refused_by};
use crate::actor::Actor;
use crate::assignment::{
    AssignmentRules, Availability, Condition, Entry, EntryMember, Leave, OverflowTarget, Strategy,
};
use crate::ids::LeadId;
use crate::lead::LeadInput;
use crate::pool::{HeldLimits, Members, PoolRules};
use crate::service::LeadFilter;
use crate::store::Store;
use crate::testkit::fixture::*;
use chrono::{Duration, NaiveDate};
use std::sync::Arc;

/// A non-member is refused; new-in-pool protection refuses one second before its hours and
/// admits at them; the held limit (open leads) admits the claim reaching it and refuses the
/// one passing it; the daily cap refuses a batch passing it whole and admits again the next
/// local day; a released lead records its previous owner, who is refused on cooldown day N
/// and admitted on day N + 1. Refused claims write nothing.
pub async fn lead_claims_follow_the_pool_rules<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store).await;
    let rules = PoolRules {
        daily_claim_cap: Some(3),
        previous_owner_cooldown_days: 2,
        new_in_pool_protection_hours: 4,
        ..PoolRules::default()
    };
    let limits = HeldLimits {
        default: Some(2),
        users: [(REP2, 10)].into_iter().collect(),
        ..HeldLimits::default()
    };
    let pool = lead_pool(&f, rules, limits, &[]).await;
    let t0 = start();
    let leads = pooled_leads(&f, pool, 7).await;

    // Not a member: refused, nothing written.
    f.clock.set(t0 + Duration::hours(5));
    let r = f.crm.claim_leads(user(SERVICE), pool, vec![leads[0]]).await;
    assert_eq!(refused_by(r), "permission_denied");
    assert_eq!(load(&f, leads[0]).await.pool_id, Some(pool));

    // Protection: 4 hours after entering, not a second before.
    f.clock.set(t0 + Duration::hours(4) - Duration::seconds(1));
    let r = f.crm.claim_leads(user(REP), pool, vec![leads[0]]).await;
    assert_eq!(refused_by(r), "new_in_pool_protection");
    f.clock.set(t0 + Duration::hours(4));
    let claimed = f
        .crm
        .claim_leads(user(REP), pool, vec![leads[0]])
        .await
        .expect("claim at the protection's end");
    assert_eq!(claimed[0].record["owner_id"].as_i64(), Some(REP.0));
    let stored = load(&f, leads[0]).await;
    assert_eq!((stored.owner_id, stored.pool_id), (Some(REP), None));
    assert_eq!(stored.owned_since, Some(t0 + Duration::hours(4)));
    assert_eq!(open_leads(&f, REP).await, 1);

    // Held limit 2 on open leads: the second is admitted (at the limit), the third refused.
    f.crm
        .claim_leads(user(REP), pool, vec![leads[1]])
        .await
        .expect("claim up to the limit");
    let r = f.crm.claim_leads(user(REP), pool, vec![leads[2]]).await;
    assert_eq!(refused_by(r), "held_limit");
    assert_eq!(load(&f, leads[2]).await.pool_id, Some(pool));
    assert_eq!(open_leads(&f, REP).await, 2);

    // Daily cap 3: REP2 takes 2, a batch of 2 more is refused whole, 1 more is admitted,
    // then the cap refuses; the next local day admits again.
    f.crm
        .claim_leads(user(REP2), pool, vec![leads[2], leads[3]])
        .await
        .expect("two");
    let r = f
        .crm
        .claim_leads(user(REP2), pool, vec![leads[4], leads[5]])
        .await;
    assert_eq!(refused_by(r), "daily_claim_cap");
    assert_eq!(load(&f, leads[4]).await.pool_id, Some(pool));
    f.crm
        .claim_leads(user(REP2), pool, vec![leads[4]])
        .await
        .expect("the third today");
    let r = f.crm.claim_leads(user(REP2), pool, vec![leads[5]]).await;
    assert_eq!(refused_by(r), "daily_claim_cap");
    f.clock.set(t0 + Duration::days(1));
    f.crm
        .claim_leads(user(REP2), pool, vec![leads[5]])
        .await
        .expect("a new local day");
    assert_eq!(open_leads(&f, REP2).await, 4);

    // Release: back in the pool with the reason, REP recorded as previous owner.
    let released_at = t0 + Duration::days(1);
    let r = f.crm.release_lead(user(REP), leads[0], None, "  ").await;
    assert!(r.is_err(), "a blank reason is refused");
    assert_eq!(load(&f, leads[0]).await.owner_id, Some(REP));
    f.crm
        .release_lead(user(REP), leads[0], None, "不是目标客户")
        .await
        .expect("release");
    let stored = load(&f, leads[0]).await;
    assert_eq!(stored.owner_id, None);
    assert_eq!(stored.pool_id, Some(pool));
    assert_eq!(stored.previous_owner_id, Some(REP));
    assert_eq!(stored.entered_pool_at, Some(released_at));
    assert_eq!(stored.pool_reason.as_deref(), Some("不是目标客户"));
    assert_eq!(open_leads(&f, REP).await, 1);
    let r = f.crm.release_lead(user(REP), leads[0], None, "again").await;
    assert!(r.is_err(), "an unowned lead is not released");

    // Cooldown 2 days: REP is refused 2 whole days after, admitted after 3.
    f.clock
        .set(released_at + Duration::days(3) - Duration::seconds(1));
    let r = f.crm.claim_leads(user(REP), pool, vec![leads[0]]).await;
    assert_eq!(refused_by(r), "previous_owner_cooldown");
    f.clock.set(released_at + Duration::days(3));
    f.crm
        .claim_leads(user(REP), pool, vec![leads[0]])
        .await
        .expect("after the cooldown");

    assert_eq!(fired(&f, "LeadClaimed").await.len(), 7);
    assert_eq!(fired(&f, "LeadReleased").await, vec![leads[0].0]);
    let audit = f
        .crm
        .record_audit(Actor::system(T1), "lead", leads[0].0)
        .await
        .expect("audit");
    let ops: Vec<&str> = audit.iter().map(|a| a.operation.as_str()).collect();
    assert!(
        ops.contains(&"lead.claim") && ops.contains(&"lead.release"),
        "{ops:?}"
    );
}

/// A lead the assignment rules overflow to a lead pool sits there unowned; pool members read
/// it (masked by the pool's field rules) and one claims it; a non-member with an own lead
/// scope neither reads, lists nor claims it.
pub async fn overflow_leads_are_claimed_from_the_lead_pool<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store).await;
    // Only REP is a member: REP2 (own lead scope) is not.
    let members = Members {
        users: vec![REP],
        departments: vec![],
    };
    let pool = lead_pool_for(&f, PoolRules::default(), HeldLimits::default(), members).await;
    let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap_or_default();
    f.crm
        .set_assignment_member(
            user(ADMIN),
            REP2,
            Availability {
                leave: vec![Leave {
                    from: day(2),
                    to: day(3),
                }],
                ..Availability::default()
            },
        )
        .await
        .expect("leave");
    let rules = AssignmentRules {
        entries: vec![Entry {
            name: "everyone".into(),
            condition: Condition::Always,
            members: vec![EntryMember {
                user: REP2,
                weight: 1,
            }],
            strategy: Strategy::RoundRobin,
            overflow: OverflowTarget::Pool(pool),
        }],
    };
    f.crm
        .set_assignment_rules(user(ADMIN), rules)
        .await
        .expect("rules");
    let shown = f
        .crm
        .create_lead_by_rules(
            Actor::system(T1),
            LeadInput {
                name: "溢出线索".into(),
                phone: Some("13812345678".into()),
                ..LeadInput::default()
            },
        )
        .await
        .expect("by rules");
    let id = LeadId(shown.record["id"].as_i64().unwrap_or_default());
    let stored = load(&f, id).await;
    assert_eq!((stored.owner_id, stored.pool_id), (None, Some(pool)));

    // A member reads it through the pool, phone masked; filtering by pool finds it.
    let page = f
        .crm
        .list_leads(
            user(REP),
            LeadFilter {
                pool_id: Some(pool),
                ..LeadFilter::default()
            },
        )
        .await
        .expect("list");
    let ids: Vec<i64> = page
        .items
        .iter()
        .filter_map(|l| l.record["id"].as_i64())
        .collect();
    assert_eq!(ids, vec![id.0]);
    assert!(page.items[0].masked_fields.iter().any(|m| m == "phone"));
    let one = f.crm.get_lead(user(REP), id).await.expect("member reads");
    assert!(one.masked_fields.iter().any(|m| m == "phone"));
    // Reading is not changing.
    assert!(f
        .crm
        .update_lead(user(REP), id, Default::default())
        .await
        .is_err());
    // Not a member (own lead scope): not found, not listed, not claimable.
    assert!(f.crm.get_lead(user(REP2), id).await.is_err());
    let others = f
        .crm
        .list_leads(user(REP2), LeadFilter::default())
        .await
        .expect("list");
    assert!(others.items.is_empty());
    let r = f.crm.claim_leads(user(REP2), pool, vec![id]).await;
    assert_eq!(refused_by(r), "permission_denied");

    let claimed = f
        .crm
        .claim_leads(user(REP), pool, vec![id])
        .await
        .expect("member claims");
    assert_eq!(claimed[0].record["owner_id"].as_i64(), Some(REP.0));
    assert_eq!(open_leads(&f, REP).await, 1);
    // A customer pool is not a lead pool.
    let customers = f.crm.list_pools(Actor::system(T1)).await.expect("pools");
    let customer_pool = customers
        .iter()
        .find(|p| p.id != pool)
        .map(|p| p.id)
        .unwrap_or(pool);
    let r = f.crm.claim_leads(user(REP), customer_pool, vec![id]).await;
    assert_eq!(refused_by(r), "pool_holds_customers");
}
