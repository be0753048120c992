//! Property (issue 17, ADR 0030): rule tags are state-based. For random purchase and
//! follow-up histories and a random rule, evaluating the rule tags only every k days gives,
//! on each day it evaluates, exactly the tags that evaluating every day gives.

use chrono::{DateTime, Duration, TimeZone, Utc};
use crm_core::audience::{Compare, Condition, RelativeWindow, RfmMeasure, SinceLast, TimeUnit};
use crm_core::customer::NewCustomer;
use crm_core::followup::{FollowUpKind, NewFollowUp};
use crm_core::ids::{CustomerId, TagId};
use crm_core::tag::{CreateTag, TagKind};
use crm_core::testkit::fixture::{user, Fixture, REP, T1};
use crm_core::testkit::MemoryStore;
use crm_core::tier::{PurchaseInput, PurchaseKind};
use crm_core::Actor;
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::sync::Arc;

/// Days simulated.
const DAYS: u32 = 130;

#[derive(Debug, Clone, Copy)]
enum Fact {
    Order,
    FollowUp,
}

/// `(day, hour, customer, kind)` of one event.
type Event = (u32, u32, usize, Fact);

fn event() -> impl Strategy<Value = Event> {
    (
        0..DAYS,
        0u32..23,
        0usize..3,
        prop_oneof![Just(Fact::Order), Just(Fact::FollowUp)],
    )
}

fn span() -> impl Strategy<Value = SinceLast> {
    (any::<bool>(), any::<bool>(), 1u32..4, 1u32..40).prop_map(|(months, more, m, d)| {
        let (unit, n) = if months {
            (TimeUnit::Month, m)
        } else {
            (TimeUnit::Day, d)
        };
        SinceLast {
            unit,
            more_than: more.then_some(n),
            within: (!more).then_some(n),
        }
    })
}

fn leaf() -> impl Strategy<Value = Condition> {
    prop_oneof![
        span().prop_map(Condition::SinceLastOrder),
        span().prop_map(Condition::SinceLastFollowup),
        (1u32..30, 0u32..3).prop_map(|(n, count)| Condition::FollowupsInWindow {
            window: RelativeWindow::LastNDays { n },
            op: Compare::Ge,
            count,
        }),
        Just(Condition::FollowupsInWindow {
            window: RelativeWindow::LastWeek,
            op: Compare::Ge,
            count: 1,
        }),
        (0i64..4).prop_map(|v| Condition::Rfm {
            measure: RfmMeasure::Frequency,
            op: Compare::Ge,
            value: Decimal::from(v),
        }),
        (0i64..60).prop_map(|v| Condition::Rfm {
            measure: RfmMeasure::RecencyDays,
            op: Compare::Gt,
            value: Decimal::from(v),
        }),
    ]
}

fn rule() -> impl Strategy<Value = Condition> {
    prop_oneof![
        leaf(),
        (leaf(), leaf()).prop_map(|(a, b)| Condition::All { of: vec![a, b] }),
        (leaf(), leaf()).prop_map(|(a, b)| Condition::Any { of: vec![a, b] }),
        leaf().prop_map(|a| Condition::Not { of: Box::new(a) }),
    ]
}

/// Local (Shanghai) day `day` after 2024-01-01 at `hour`.
fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2023, 12, 31, 16, 0, 0)
        .single()
        .unwrap_or_default()
        + Duration::days(i64::from(day))
        + Duration::hours(i64::from(hour))
}

struct Engine {
    f: Fixture<Arc<MemoryStore>>,
    customers: Vec<CustomerId>,
    tag: TagId,
}

async fn engine(rule: &Condition, created: &[u32; 3]) -> Engine {
    let f = Fixture::new(Arc::new(MemoryStore::new())).await;
    let mut customers = Vec::new();
    for (i, day) in created.iter().enumerate() {
        f.clock.set(at(*day, 0));
        let c = f
            .crm
            .create_customer(
                user(REP),
                NewCustomer {
                    name: format!("C{i}"),
                    ..Default::default()
                },
            )
            .await
            .expect("customer");
        customers.push(c.record.id);
    }
    let tag = f
        .crm
        .create_tag(
            Actor::system(T1),
            CreateTag {
                name: "rule".into(),
                kind: TagKind::Rule,
                rule: Some(rule.clone()),
                description: None,
                color: None,
            },
        )
        .await
        .expect("tag")
        .id;
    Engine { f, customers, tag }
}

impl Engine {
    async fn record(&self, e: &Event) {
        let (day, hour, c, kind) = *e;
        let when = at(day, hour);
        self.f.clock.set(at(day, 23));
        let customer = self.customers[c];
        match kind {
            Fact::Order => {
                self.f
                    .crm
                    .record_purchase(
                        Actor::system(T1),
                        PurchaseInput {
                            customer_id: customer,
                            kind: PurchaseKind::Order,
                            at: when,
                            amount: Decimal::from(10),
                            currency: "CNY".into(),
                            reference: None,
                        },
                    )
                    .await
                    .expect("purchase");
            }
            Fact::FollowUp => {
                self.f
                    .crm
                    .record_followup(
                        user(REP),
                        NewFollowUp {
                            customer_id: customer,
                            kind: FollowUpKind::Call,
                            content: "call".into(),
                            at: Some(when),
                            location: None,
                            next_followup_at: None,
                        },
                    )
                    .await
                    .expect("follow-up");
            }
        }
    }

    /// Evaluates as of the end of `day` and answers which customers carry the tag.
    async fn evaluate(&self, day: u32) -> Vec<bool> {
        let now = at(day, 23);
        self.f.clock.set(now);
        self.f
            .crm
            .evaluate_tags(Actor::system(T1), None, Some(now))
            .await
            .expect("evaluate");
        let mut out = Vec::new();
        for c in &self.customers {
            let tags = self
                .f
                .crm
                .customer_tags(Actor::system(T1), *c)
                .await
                .expect("tags");
            out.push(tags.iter().any(|t| t.tag_id == self.tag));
        }
        out
    }
}

async fn check(rule: Condition, created: [u32; 3], mut events: Vec<Event>, k: u32) {
    events.sort_by_key(|e| (e.0, e.1));
    // Events of a customer before it exists are dropped.
    events.retain(|e| e.0 > created[e.2] || (e.0 == created[e.2] && e.1 > 0));
    let daily = engine(&rule, &created).await;
    let gaps = engine(&rule, &created).await;
    let first = created.iter().copied().max().unwrap_or(0);
    let mut next = 0;
    for day in first..DAYS {
        while next < events.len() && events[next].0 == day {
            daily.record(&events[next]).await;
            gaps.record(&events[next]).await;
            next += 1;
        }
        let every_day = daily.evaluate(day).await;
        if (day - first) % k == 0 {
            let after_gap = gaps.evaluate(day).await;
            assert_eq!(after_gap, every_day, "day {day}, k {k}, rule {rule:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn evaluating_after_gaps_equals_evaluating_daily(
        rule in rule(),
        created in prop::array::uniform3(0u32..20),
        events in prop::collection::vec(event(), 0..40),
        k in 2u32..30,
    ) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(check(rule, created, events, k));
    }
}
