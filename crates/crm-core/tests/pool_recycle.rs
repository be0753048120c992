//! Recycling on both sides of its boundaries: N vs N+1 whole days, follow-ups restarting the
//! clock, per-level limits and exempt levels, locked and dealt customers, 0 = off, reminders
//! once per clock period, manual release, and pool administration guards.

use chrono::Duration;
use crm_core::customer::{CustomerLevel, CustomerPatch, DealStatus};
use crm_core::followup::{FollowUpKind, NewFollowUp};
use crm_core::ids::{CustomerId, PoolId};
use crm_core::pool::{HeldLimits, LevelLimits, PoolInput, PoolRules, RecycleKind, RecycleRule};
use crm_core::testkit::fixture::*;
use crm_core::testkit::MemoryStore;
use crm_core::{Actor, CrmError};

fn rules(kind: RecycleKind, limits: LevelLimits, remind: u32) -> PoolRules {
    PoolRules {
        recycle: vec![RecycleRule {
            kind,
            limits,
            remind_days_before: remind,
        }],
        ..PoolRules::default()
    }
}

/// A pool with one rule; REP claims `n` customers at the start time.
async fn claimed(r: PoolRules, n: usize) -> (Fixture<MemoryStore>, PoolId, Vec<CustomerId>) {
    let f = Fixture::new(MemoryStore::new()).await;
    let pool = f.pool(r, HeldLimits::default()).await;
    let ids = f.fill(pool, n).await;
    f.crm
        .claim(user(REP), pool, ids.clone())
        .await
        .expect("claim");
    (f, pool, ids)
}

async fn owner(f: &Fixture<MemoryStore>, id: CustomerId) -> Option<crm_core::ids::UserId> {
    f.crm
        .get_customer(Actor::system(T1), id)
        .await
        .expect("get")
        .record
        .owner_id
}

async fn kinds(f: &Fixture<MemoryStore>, kind: &str) -> Vec<i64> {
    let events = f
        .crm
        .events_after(Actor::system(T1), 0, 1000)
        .await
        .expect("events");
    events
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.record_id)
        .collect()
}

#[tokio::test]
async fn no_followup_recycles_strictly_after_the_limit() {
    let (f, pool, ids) = claimed(rules(RecycleKind::NoFollowUp, LevelLimits::all(30), 0), 1).await;
    let t = start();
    let report = f
        .crm
        .run_due_work(T1, t + Duration::days(31) - Duration::seconds(1))
        .await
        .expect("due");
    assert_eq!(report.recycled, 0, "30 whole days: stays");
    assert_eq!(owner(&f, ids[0]).await, Some(REP));
    let report = f
        .crm
        .run_due_work(T1, t + Duration::days(31))
        .await
        .expect("due");
    assert_eq!(report.recycled, 1, "31 whole days: recycled");
    let c = f
        .crm
        .get_customer(Actor::system(T1), ids[0])
        .await
        .expect("get")
        .record;
    assert_eq!(
        (c.owner_id, c.pool_id, c.previous_owner_id),
        (None, Some(pool), Some(REP))
    );
    assert_eq!(c.entered_pool_at, Some(t + Duration::days(31)));
    assert_eq!(
        c.last_recycle_reason.as_deref(),
        Some("no follow-up for 30 days")
    );
    assert_eq!(kinds(&f, "CustomerRecycled").await, vec![ids[0].0]);
    // The rep holds nothing any more: a limit of 1 lets them claim again.
    let again = f
        .crm
        .run_due_work(T1, t + Duration::days(31))
        .await
        .expect("due");
    assert_eq!(again.recycled, 0);
}

#[tokio::test]
async fn a_followup_by_the_owner_restarts_the_clock_and_others_do_not() {
    let (f, _pool, ids) = claimed(rules(RecycleKind::NoFollowUp, LevelLimits::all(30), 0), 2).await;
    let t = start();
    let fu = |c| NewFollowUp {
        customer_id: c,
        kind: FollowUpKind::Call,
        content: "跟进".into(),
        at: None,
        location: None,
        next_followup_at: None,
    };
    f.clock.set(t + Duration::days(10));
    f.crm
        .record_followup(user(REP), fu(ids[0]))
        .await
        .expect("owner follow-up");
    f.crm
        .record_followup(user(MANAGER), fu(ids[1]))
        .await
        .expect("manager follow-up");
    let report = f
        .crm
        .run_due_work(T1, t + Duration::days(31))
        .await
        .expect("due");
    assert_eq!(
        report.recycled, 1,
        "only the customer without an owner follow-up"
    );
    assert_eq!(owner(&f, ids[0]).await, Some(REP));
    assert_eq!(owner(&f, ids[1]).await, None);
    f.crm
        .run_due_work(T1, t + Duration::days(41) - Duration::seconds(1))
        .await
        .expect("due");
    assert_eq!(owner(&f, ids[0]).await, Some(REP));
    f.crm
        .run_due_work(T1, t + Duration::days(41))
        .await
        .expect("due");
    assert_eq!(owner(&f, ids[0]).await, None);
}

#[tokio::test]
async fn per_level_limits_exempt_levels_without_one() {
    let limits = LevelLimits {
        a: None,
        b: Some(10),
        c: Some(5),
        unleveled: Some(0),
    };
    let (f, _pool, ids) = claimed(rules(RecycleKind::NoDeal, limits, 0), 4).await;
    for (id, level) in ids.iter().zip([
        Some(CustomerLevel::A),
        Some(CustomerLevel::B),
        Some(CustomerLevel::C),
        None,
    ]) {
        if let Some(level) = level {
            f.crm
                .update_customer(
                    user(REP),
                    *id,
                    CustomerPatch {
                        level: Some(level),
                        ..Default::default()
                    },
                )
                .await
                .expect("level");
        }
    }
    let t = start();
    f.crm
        .run_due_work(T1, t + Duration::days(6) - Duration::seconds(1))
        .await
        .expect("due");
    assert_eq!(
        owner(&f, ids[2]).await,
        Some(REP),
        "C at 5 whole days stays"
    );
    f.crm
        .run_due_work(T1, t + Duration::days(6))
        .await
        .expect("due");
    assert_eq!(owner(&f, ids[2]).await, None, "C after 6 days");
    assert_eq!(owner(&f, ids[1]).await, Some(REP), "B not yet");
    f.crm
        .run_due_work(T1, t + Duration::days(11))
        .await
        .expect("due");
    assert_eq!(owner(&f, ids[1]).await, None, "B after 11 days");
    f.crm
        .run_due_work(T1, t + Duration::days(3650))
        .await
        .expect("due");
    assert_eq!(owner(&f, ids[0]).await, Some(REP), "A has no limit: exempt");
    assert_eq!(owner(&f, ids[3]).await, Some(REP), "0 = rule off");
}

#[tokio::test]
async fn locked_and_dealt_customers_are_exempt() {
    let (f, _pool, ids) = claimed(rules(RecycleKind::NoFollowUp, LevelLimits::all(3), 0), 3).await;
    f.crm
        .set_locked(user(REP), ids[0], true)
        .await
        .expect("lock");
    f.crm
        .set_deal_status(user(REP), ids[1], DealStatus::Dealt)
        .await
        .expect("won");
    let report = f
        .crm
        .run_due_work(T1, start() + Duration::days(30))
        .await
        .expect("due");
    assert_eq!(report.recycled, 1);
    assert_eq!(owner(&f, ids[0]).await, Some(REP));
    assert_eq!(owner(&f, ids[1]).await, Some(REP));
    assert_eq!(owner(&f, ids[2]).await, None);
    // Unlocked, the clock that kept running fires at the next run.
    f.crm
        .set_locked(user(REP), ids[0], false)
        .await
        .expect("unlock");
    f.crm
        .run_due_work(T1, start() + Duration::days(30))
        .await
        .expect("due");
    assert_eq!(owner(&f, ids[0]).await, None);
}

#[tokio::test]
async fn dealt_customers_recycle_when_the_pool_says_so_except_by_no_deal() {
    let mut r = rules(RecycleKind::NoFollowUp, LevelLimits::all(3), 0);
    r.dealt_exempt = false;
    r.recycle.push(RecycleRule {
        kind: RecycleKind::NoDeal,
        limits: LevelLimits::all(1),
        remind_days_before: 0,
    });
    let (f, _pool, ids) = claimed(r, 1).await;
    f.crm
        .set_deal_status(user(REP), ids[0], DealStatus::Dealt)
        .await
        .expect("won");
    f.crm
        .run_due_work(T1, start() + Duration::days(3))
        .await
        .expect("due");
    assert_eq!(
        owner(&f, ids[0]).await,
        Some(REP),
        "no-deal never fires for a dealt customer"
    );
    f.crm
        .run_due_work(T1, start() + Duration::days(4))
        .await
        .expect("due");
    assert_eq!(
        owner(&f, ids[0]).await,
        None,
        "no-follow-up fires: dealt is not exempt here"
    );
}

#[tokio::test]
async fn reminders_fire_once_per_clock_period_on_their_day() {
    let (f, _pool, ids) = claimed(rules(RecycleKind::NoFollowUp, LevelLimits::all(30), 3), 1).await;
    let t = start();
    // Fires at 31 days; reminder 3 days before: at 28 days.
    let r = f
        .crm
        .run_due_work(T1, t + Duration::days(28) - Duration::seconds(1))
        .await
        .expect("due");
    assert_eq!(r.recycle_reminders, 0);
    let r = f
        .crm
        .run_due_work(T1, t + Duration::days(28))
        .await
        .expect("due");
    assert_eq!(r.recycle_reminders, 1);
    let events = f
        .crm
        .events_after(Actor::system(T1), 0, 1000)
        .await
        .expect("events");
    let due = events
        .iter()
        .find(|e| e.kind == "RecycleDueSoon")
        .expect("event");
    assert_eq!(due.payload["days_left"], serde_json::json!(3));
    f.clock.set(t + Duration::days(28));
    let countdown = f
        .crm
        .recycle_countdown(user(REP), ids[0])
        .await
        .expect("countdown")
        .expect("a rule applies");
    assert_eq!(
        (countdown.days_left, countdown.kind),
        (3, RecycleKind::NoFollowUp)
    );
    let r = f
        .crm
        .run_due_work(T1, t + Duration::days(29))
        .await
        .expect("due");
    assert_eq!(r.recycle_reminders, 0, "once per period");
    // A follow-up starts a new period, which gets its own reminder.
    f.clock.set(t + Duration::days(29));
    let fu = NewFollowUp {
        customer_id: ids[0],
        kind: FollowUpKind::Call,
        content: "again".into(),
        at: None,
        location: None,
        next_followup_at: None,
    };
    f.crm
        .record_followup(user(REP), fu)
        .await
        .expect("follow-up");
    let r = f
        .crm
        .run_due_work(T1, t + Duration::days(29 + 28))
        .await
        .expect("due");
    assert_eq!(r.recycle_reminders, 1);
    assert_eq!(kinds(&f, "RecycleDueSoon").await.len(), 2);
}

#[tokio::test]
async fn countdown_is_the_smallest_over_all_rules() {
    let mut r = rules(RecycleKind::NoFollowUp, LevelLimits::all(30), 0);
    r.recycle.push(RecycleRule {
        kind: RecycleKind::NoDeal,
        limits: LevelLimits::all(10),
        remind_days_before: 0,
    });
    let (f, _pool, ids) = claimed(r, 1).await;
    f.clock.set(start() + Duration::days(4));
    let c = f
        .crm
        .recycle_countdown(user(REP), ids[0])
        .await
        .expect("countdown")
        .expect("rule");
    assert_eq!((c.kind, c.days_left), (RecycleKind::NoDeal, 7));
}

#[tokio::test]
async fn manual_release_needs_a_listed_reason_rights_and_no_lock() {
    let (f, pool, ids) = claimed(PoolRules::default(), 2).await;
    let reason = f
        .crm
        .get_tenant(Actor::system(T1))
        .await
        .expect("t")
        .settings
        .recycle_reasons[1]
        .clone();
    assert!(
        matches!(f.crm.release_customer(user(REP), ids[0], "bored").await, Err(CrmError::Validation { field, .. }) if field == "reason")
    );
    assert!(matches!(
        f.crm.release_customer(user(REP2), ids[0], &reason).await,
        Err(CrmError::PermissionDenied { .. })
    ));
    f.crm
        .set_locked(user(REP), ids[0], true)
        .await
        .expect("lock");
    let err = f
        .crm
        .release_customer(user(REP), ids[0], &reason)
        .await
        .expect_err("locked");
    assert!(matches!(err, CrmError::RuleViolation { ref rule, .. } if rule == "customer_locked"));
    let released = f
        .crm
        .release_customer(user(MANAGER), ids[1], &reason)
        .await
        .expect("manager may");
    assert_eq!(
        (released.record.owner_id, released.record.pool_id),
        (None, Some(pool))
    );
    assert_eq!(
        released.record.last_recycle_reason.as_deref(),
        Some(reason.as_str())
    );
    assert!(matches!(
        f.crm.release_customer(user(REP), ids[1], &reason).await,
        Err(CrmError::RuleViolation { .. })
    ));
}

#[tokio::test]
async fn pools_cannot_be_deleted_or_disabled_while_needed() {
    let f = Fixture::new(MemoryStore::new()).await;
    let default = f.pool(PoolRules::default(), HeldLimits::default()).await;
    let sys = Actor::system(T1);
    let second = f
        .crm
        .create_pool(
            sys,
            PoolInput {
                name: "二号池".into(),
                position: 1,
                is_default: false,
                enabled: true,
                admins: Default::default(),
                members: Default::default(),
                rules: PoolRules::default(),
                field_rules: vec![],
            },
        )
        .await
        .expect("second");
    let rule = |r: Result<(), CrmError>| match r {
        Err(CrmError::RuleViolation { rule, .. }) => rule,
        other => format!("{other:?}"),
    };
    assert_eq!(rule(f.crm.delete_pool(sys, default).await), "default_pool");
    f.fill(second.id, 1).await;
    assert_eq!(
        rule(f.crm.delete_pool(sys, second.id).await),
        "pool_not_empty"
    );
    let mut disable = PoolInput {
        name: "二号池".into(),
        position: 1,
        is_default: false,
        enabled: false,
        admins: Default::default(),
        members: Default::default(),
        rules: PoolRules::default(),
        field_rules: vec![],
    };
    assert_eq!(
        rule(
            f.crm
                .update_pool(sys, second.id, disable.clone())
                .await
                .map(|_| ())
        ),
        "pool_not_empty"
    );
    // Make the second pool the default; the first is no longer default and may go once empty.
    disable.enabled = true;
    disable.is_default = true;
    f.crm
        .update_pool(sys, second.id, disable)
        .await
        .expect("new default");
    let pools = f.crm.list_pools(sys).await.expect("pools");
    assert_eq!(
        pools
            .iter()
            .filter(|p| p.is_default)
            .map(|p| p.id)
            .collect::<Vec<_>>(),
        vec![second.id]
    );
    f.crm
        .delete_pool(sys, default)
        .await
        .expect("empty non-default pool goes");
    assert!(matches!(
        f.crm.delete_pool(sys, PoolId(9999)).await,
        Err(CrmError::NotFound { .. })
    ));
    assert!(matches!(
        f.crm
            .create_pool(
                user(REP),
                PoolInput {
                    name: "x".into(),
                    position: 0,
                    is_default: false,
                    enabled: true,
                    admins: Default::default(),
                    members: Default::default(),
                    rules: PoolRules::default(),
                    field_rules: vec![]
                }
            )
            .await,
        Err(CrmError::PermissionDenied { .. })
    ));
}

#[tokio::test]
async fn exempt_tiers_are_not_recycled() {
    let mut r = rules(RecycleKind::NoFollowUp, LevelLimits::all(3), 0);
    r.exempt_tiers = vec!["重要价值".into()];
    let (f, _pool, ids) = claimed(r, 2).await;
    for i in 0..5 {
        let order = crm_core::tier::PurchaseInput {
            customer_id: ids[0],
            kind: crm_core::tier::PurchaseKind::Order,
            at: start() - Duration::days(i),
            amount: 60_000.into(),
            currency: "CNY".into(),
            reference: None,
        };
        f.crm
            .record_purchase(Actor::system(T1), order)
            .await
            .expect("order");
    }
    assert_eq!(
        f.crm
            .get_customer(Actor::system(T1), ids[0])
            .await
            .expect("c")
            .record
            .tier
            .as_deref(),
        Some("重要价值")
    );
    let report = f
        .crm
        .run_due_work(T1, start() + Duration::days(4))
        .await
        .expect("due");
    assert_eq!(report.recycled, 1);
    assert_eq!(owner(&f, ids[0]).await, Some(REP), "VIP tier exempt");
    assert_eq!(owner(&f, ids[1]).await, None, "the other is recycled");
}
