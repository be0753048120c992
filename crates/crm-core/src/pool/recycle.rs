//! Recycle clocks (回收): when each automatic rule fires for a customer, the reminder
//! before it, the countdown, and the state change of a recycle.
//!
//! The due rule has one home, [`DueWindow`]: the cut-offs on a rule's clock at which it
//! fires and its reminder is due. The per-customer decisions ([`due_recycle`],
//! [`due_reminders`]) compare a customer's clock with them, and the scheduled sweep queries
//! the store with the same cut-offs ([`DueWindow::recycle_filters`],
//! [`DueWindow::remind_filters`], narrowed by [`candidate_filters`]), so the two cannot
//! disagree.

use super::model::{Pool, RecycleKind, RecycleRule};
use crate::customer::{Customer, CustomerLevel, DealStatus};
use crate::ids::PoolId;
use crate::store::Filter;
use chrono::{DateTime, Duration, Utc};

/// Where one rule stands for one customer.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct RuleStatus {
    /// The rule.
    pub kind: RecycleKind,
    /// Its limit for the customer's level.
    pub limit_days: u32,
    /// The clock it measures from.
    pub clock: DateTime<Utc>,
    /// Whole days since the clock.
    pub elapsed_days: i64,
    /// Days until the rule fires (it fires when elapsed > limit): limit + 1 − elapsed.
    pub days_left: i64,
    /// The instant it fires.
    pub fires_at: DateTime<Utc>,
}

/// The clock a rule measures for an owned customer; `None` while the rule cannot fire.
pub fn rule_clock(kind: RecycleKind, c: &Customer) -> Option<DateTime<Utc>> {
    let since = c.owned_since?;
    c.owner_id?;
    match kind {
        RecycleKind::NoFollowUp => super::pooled::followup_clock(c),
        RecycleKind::NoDeal => (c.deal_status == DealStatus::NotDealt).then_some(since),
        RecycleKind::NoOpenOpportunity => (c.open_opportunities == 0)
            .then(|| c.opportunity_changed_at.map_or(since, |t| t.max(since))),
    }
}

/// True when the pool's rules leave the customer alone (locked; dealt when exempt; an
/// exempt tier).
pub fn exempt(pool: &Pool, c: &Customer) -> bool {
    c.locked
        || (pool.rules.dealt_exempt && c.deal_status == DealStatus::Dealt)
        || c.tier
            .as_ref()
            .is_some_and(|t| pool.rules.exempt_tiers.contains(t))
}

/// The due rule of one automatic rule at one limit, at one instant: a rule fires once its
/// clock has run more whole days than the limit (elapsed > limit, so on day limit + 1), and
/// its reminder is due in the `remind_days_before` days before that.
///
/// Both sides read the same two cut-offs: [`DueWindow::fires`] and [`DueWindow::reminds`]
/// decide for one customer's clock, [`DueWindow::recycle_filters`] and
/// [`DueWindow::remind_filters`] select the same clocks in a store query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueWindow {
    kind: RecycleKind,
    /// Clocks at or before this fire; `None` when no storable clock is that old.
    fire: Option<DateTime<Utc>>,
    /// Clocks after `fire` and at or before this are due a reminder; `None` when no
    /// reminder is asked for or no storable clock is that old.
    remind: Option<DateTime<Utc>>,
}

impl DueWindow {
    /// The window of a rule of `kind` with `limit_days` for the customer's level and a
    /// reminder `remind_days_before` days ahead (0 = none), at `now`.
    pub fn new(
        kind: RecycleKind,
        limit_days: u32,
        remind_days_before: u32,
        now: DateTime<Utc>,
    ) -> Self {
        let fire_after = i64::from(limit_days) + 1;
        Self {
            kind,
            fire: days_before(now, fire_after),
            remind: if remind_days_before == 0 {
                None
            } else {
                days_before(now, fire_after - i64::from(remind_days_before))
            },
        }
    }

    /// The window of `rule` at `limit_days`, at `now`.
    pub fn of(rule: &RecycleRule, limit_days: u32, now: DateTime<Utc>) -> Self {
        Self::new(rule.kind, limit_days, rule.remind_days_before, now)
    }

    /// The latest clock at which the rule fires (`None`: no storable clock is that old).
    pub fn fire_cutoff(&self) -> Option<DateTime<Utc>> {
        self.fire
    }

    /// The latest clock due a reminder (`None`: no reminder).
    pub fn remind_cutoff(&self) -> Option<DateTime<Utc>> {
        self.remind
    }

    /// True when the rule fires for a customer whose clock is `clock`.
    pub fn fires(&self, clock: DateTime<Utc>) -> bool {
        self.fire.is_some_and(|f| clock <= f)
    }

    /// True when a customer whose clock is `clock` is due the reminder (the rule has not
    /// fired yet).
    pub fn reminds(&self, clock: DateTime<Utc>) -> bool {
        self.remind.is_some_and(|r| clock <= r) && !self.fires(clock)
    }

    /// Store filters selecting the customers for whom the rule fires (on the customer
    /// column holding the rule's clock); `None` when it fires for nobody.
    pub fn recycle_filters(&self) -> Option<Vec<Filter>> {
        let fire = self.fire?;
        Some(vec![Filter::le(clock_column(self.kind), fire)])
    }

    /// Store filters selecting the customers due the reminder; `None` when nobody is.
    pub fn remind_filters(&self) -> Option<Vec<Filter>> {
        let remind = self.remind?;
        let column = clock_column(self.kind);
        let mut filters = Vec::with_capacity(2);
        if let Some(fire) = self.fire {
            filters.push(Filter::gt(column, fire));
        }
        filters.push(Filter::le(column, remind));
        Some(filters)
    }
}

/// `now` less `days` whole days; `None` when that is before the earliest instant a store
/// holds (no stored clock is that old).
fn days_before(now: DateTime<Utc>, days: i64) -> Option<DateTime<Utc>> {
    if days <= 0 {
        return Some(crate::clock::plus(
            now,
            Duration::try_days(-days).unwrap_or(Duration::MAX),
        ));
    }
    let t = now.checked_sub_signed(Duration::try_days(days)?)?;
    (t >= crate::clock::earliest()).then_some(t)
}

/// The customer column holding a rule's clock ([`rule_clock`], kept by the customer row).
pub fn clock_column(kind: RecycleKind) -> &'static str {
    match kind {
        RecycleKind::NoFollowUp => "followup_clock_at",
        RecycleKind::NoDeal => "owned_since",
        RecycleKind::NoOpenOpportunity => "opportunity_clock_at",
    }
}

/// Store filters narrowing owned customers at `level` to those a rule of `kind` in `pool`
/// may apply to, as far as columns tell ([`exempt`] and [`rule_clock`]): not locked, and
/// not dealt where dealt customers are exempt or the rule measures deals. Exempt tiers are
/// left to the per-customer decision.
pub fn candidate_filters(
    pool: &Pool,
    kind: RecycleKind,
    level: Option<CustomerLevel>,
) -> Vec<Filter> {
    let mut filters = vec![Filter::eq("locked", false)];
    filters.push(match level {
        Some(l) => Filter::eq("level", l.as_str()),
        None => Filter::is_null("level"),
    });
    if pool.rules.dealt_exempt || kind == RecycleKind::NoDeal {
        filters.push(Filter::eq("deal_status", "not_dealt"));
    }
    filters
}

/// Every rule of the pool that applies to the customer, with where it stands and its due
/// window.
fn statuses(pool: &Pool, c: &Customer, now: DateTime<Utc>) -> Vec<(RuleStatus, DueWindow)> {
    if exempt(pool, c) {
        return Vec::new();
    }
    pool.rules
        .recycle
        .iter()
        .filter_map(|rule| {
            let limit = rule.limits.for_level(c.level)?;
            let clock = rule_clock(rule.kind, c)?;
            Some(rule_status(rule, limit, clock, now))
        })
        .collect()
}

/// Where `rule` at `limit` days stands for a clock at `now`, with its due window.
pub(crate) fn rule_status(
    rule: &RecycleRule,
    limit: u32,
    clock: DateTime<Utc>,
    now: DateTime<Utc>,
) -> (RuleStatus, DueWindow) {
    let elapsed = super::claim::whole_days(clock, now);
    let status = RuleStatus {
        kind: rule.kind,
        limit_days: limit,
        clock,
        elapsed_days: elapsed,
        days_left: i64::from(limit) + 1 - elapsed,
        fires_at: crate::clock::plus(clock, Duration::days(i64::from(limit) + 1)),
    };
    (status, DueWindow::of(rule, limit, now))
}

/// Every rule of the pool that applies to the customer, with where it stands.
pub fn rule_statuses(pool: &Pool, c: &Customer, now: DateTime<Utc>) -> Vec<RuleStatus> {
    statuses(pool, c, now).into_iter().map(|(s, _)| s).collect()
}

/// The rule that recycles the customer now, if any (its [`DueWindow`] fires: elapsed days
/// > limit; the longest overdue first).
pub fn due_recycle(pool: &Pool, c: &Customer, now: DateTime<Utc>) -> Option<RuleStatus> {
    statuses(pool, c, now)
        .into_iter()
        .filter(|(s, window)| window.fires(s.clock))
        .map(|(s, _)| s)
        .max_by_key(|s| s.elapsed_days - i64::from(s.limit_days))
}

/// Reminders due now: rules within their reminder window ([`DueWindow::reminds`]) that
/// were not yet reminded for this clock period.
pub fn due_reminders(pool: &Pool, c: &Customer, now: DateTime<Utc>) -> Vec<RuleStatus> {
    statuses(pool, c, now)
        .into_iter()
        .filter(|(s, window)| {
            window.reminds(s.clock) && c.recycle_reminders.get(s.kind.as_str()) != Some(&s.clock)
        })
        .map(|(s, _)| s)
        .collect()
}

/// The countdown shown for a customer: the rule closest to firing.
pub fn countdown(pool: &Pool, c: &Customer, now: DateTime<Utc>) -> Option<RuleStatus> {
    rule_statuses(pool, c, now)
        .into_iter()
        .min_by_key(|s| (s.days_left, s.fires_at))
}

/// The customer after being put into `pool` at `now` for `reason`.
pub fn into_pool(c: &Customer, pool: PoolId, reason: &str, now: DateTime<Utc>) -> Customer {
    let mut next = c.clone();
    next.previous_owner_id = c.owner_id;
    next.owner_id = None;
    next.pool_id = Some(pool);
    next.entered_pool_at = Some(now);
    next.owned_since = None;
    next.next_followup_at = None;
    next.escalated_for = None;
    next.recycle_reminders.clear();
    next.last_recycle_reason = Some(reason.to_owned());
    next.updated_at = now;
    next
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customer::custom_fields::CustomFieldDef;
    use crate::customer::{CustomerSettings, NewCustomer};
    use crate::ids::{CustomerId, TenantId, UserId};
    use crate::pool::{LevelLimits, Members, PoolRules};
    use chrono::TimeZone;

    struct Plain;

    impl CustomerSettings for Plain {
        fn customer_fields(&self) -> &[CustomFieldDef] {
            &[]
        }
        fn phone_region(&self) -> &str {
            "CN"
        }
    }

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap()
    }

    fn owned_at(since: DateTime<Utc>) -> Customer {
        let input = NewCustomer {
            name: "x".into(),
            ..NewCustomer::default()
        };
        input
            .into_customer(
                &Plain,
                TenantId(1),
                CustomerId(1),
                Some(UserId(7)),
                None,
                since,
            )
            .expect("valid")
    }

    fn pool(limit: u32, remind: u32) -> Pool {
        Pool {
            tenant: TenantId(1),
            id: PoolId(1),
            version: 1,
            name: "p".into(),
            position: 0,
            is_default: true,
            enabled: true,
            admins: Members::default(),
            members: Members::default(),
            rules: PoolRules {
                recycle: vec![RecycleRule {
                    kind: RecycleKind::NoDeal,
                    limits: LevelLimits::all(limit),
                    remind_days_before: remind,
                }],
                ..PoolRules::default()
            },
            field_rules: Vec::new(),
        }
    }

    /// What the store query selects with these filters for a row whose clock is `clock`.
    fn selects(filters: &[Filter], clock: DateTime<Utc>) -> bool {
        filters.iter().all(|f| match &f.op {
            crate::store::Op::Le(crate::store::SqlValue::Time(t)) => clock <= *t,
            crate::store::Op::Gt(crate::store::SqlValue::Time(t)) => clock > *t,
            other => panic!("unexpected filter {other:?}"),
        })
    }

    #[test]
    fn a_rule_fires_on_day_limit_plus_one_on_both_sides() {
        let c = owned_at(t0());
        let p = pool(3, 0);
        let day = Duration::days(1);
        // Day 3 (elapsed = limit): not yet, to the last second.
        let last_quiet = t0() + day * 4 - Duration::seconds(1);
        // Day 4 (elapsed = limit + 1): fires from its first second.
        let first_due = t0() + day * 4;
        assert_eq!(due_recycle(&p, &c, last_quiet), None);
        let due = due_recycle(&p, &c, first_due).expect("fires on day 4");
        assert_eq!((due.kind, due.elapsed_days), (RecycleKind::NoDeal, 4));
        for (now, fires) in [(last_quiet, false), (first_due, true)] {
            let window = DueWindow::new(RecycleKind::NoDeal, 3, 0, now);
            assert_eq!(window.fires(t0()), fires);
            let filters = window.recycle_filters().expect("some clocks fire");
            assert_eq!(filters[0].column, "owned_since");
            assert_eq!(selects(&filters, t0()), fires, "query and decision agree");
        }
        assert_eq!(
            DueWindow::new(RecycleKind::NoDeal, 3, 0, first_due).fire_cutoff(),
            Some(t0())
        );
    }

    #[test]
    fn reminders_are_due_in_the_days_before_firing_on_both_sides() {
        let c = owned_at(t0());
        let p = pool(5, 2);
        let day = Duration::days(1);
        // Fires on day 6; reminders on days 4 and 5 (days_left 2 and 1).
        for (elapsed_days, reminded) in [(3, false), (4, true), (5, true), (6, false)] {
            for now in [
                t0() + day * elapsed_days,
                t0() + day * (elapsed_days + 1) - Duration::seconds(1),
            ] {
                let by_customer = !due_reminders(&p, &c, now).is_empty();
                assert_eq!(by_customer, reminded, "day {elapsed_days} at {now}");
                let window = DueWindow::new(RecycleKind::NoDeal, 5, 2, now);
                let filters = window.remind_filters().expect("reminders asked for");
                assert_eq!(selects(&filters, t0()), reminded, "day {elapsed_days}");
            }
        }
        let now = t0() + day * 10;
        assert_eq!(
            DueWindow::new(RecycleKind::NoDeal, 5, 0, now).remind_filters(),
            None
        );
    }

    #[test]
    fn the_window_agrees_with_whole_days_everywhere() {
        let now = t0();
        for limit in [1u32, 2, 7, 30] {
            for remind in 0..=limit {
                let window = DueWindow::new(RecycleKind::NoFollowUp, limit, remind, now);
                for hours in (0..(24 * (i64::from(limit) + 3))).step_by(7) {
                    let clock = now - Duration::hours(hours);
                    let elapsed = super::super::claim::whole_days(clock, now);
                    let days_left = i64::from(limit) + 1 - elapsed;
                    assert_eq!(window.fires(clock), elapsed > i64::from(limit));
                    let reminded = remind > 0 && days_left >= 1 && days_left <= i64::from(remind);
                    assert_eq!(window.reminds(clock), reminded, "{limit} {remind} {hours}h");
                    let by_query = window.remind_filters().is_some_and(|f| selects(&f, clock));
                    assert_eq!(by_query, reminded);
                }
            }
        }
    }

    #[test]
    fn a_cut_off_before_every_storable_instant_selects_nothing() {
        let now = crate::clock::earliest() + Duration::days(2);
        let window = DueWindow::new(RecycleKind::NoDeal, 3650, 0, now);
        assert_eq!(window.fire_cutoff(), None);
        assert_eq!(window.recycle_filters(), None);
        assert!(!window.fires(crate::clock::earliest()));
    }

    #[test]
    fn candidates_mirror_the_exemptions() {
        let p = pool(3, 0);
        let f = candidate_filters(&p, RecycleKind::NoFollowUp, None);
        let columns: Vec<_> = f.iter().map(|f| f.column).collect();
        assert_eq!(columns, ["locked", "level", "deal_status"]);
        let mut open = pool(3, 0);
        open.rules.dealt_exempt = false;
        let f = candidate_filters(&open, RecycleKind::NoFollowUp, Some(CustomerLevel::A));
        assert_eq!(f.len(), 2);
        let f = candidate_filters(&open, RecycleKind::NoDeal, Some(CustomerLevel::A));
        assert_eq!(f.len(), 3);
    }
}
