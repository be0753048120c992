//! Property: segment evaluation is state-based. Two engines see the same days — customers
//! created, manual includes, excludes and clears — one evaluating every active segment every
//! day, the other only on some days (gaps of k days); on each day the second evaluates, every
//! segment's membership equals the first's. The segments mix relative windows in the tenant's
//! zone (created in the last n days, this week, last week), negation and segments of segments.

use chrono::{DateTime, Duration, Utc};
use crm_core::audience::{Condition, RelativeWindow};
use crm_core::ids::{CustomerId, SegmentId};
use crm_core::op::{
    ClearSegmentOverride, CreateSegment, EvaluateSegments, ExcludeFromSegment, IncludeInSegment,
    SegmentMembers,
};
use crm_core::segment::{SegmentExpr, SegmentInput};
use crm_core::testkit::fixture::{start, Fixture, T1};
use crm_core::testkit::MemoryStore;
use crm_core::Actor;
use proptest::prelude::*;
use std::collections::BTreeSet;

#[derive(Debug, Clone)]
enum Act {
    /// Create a customer at `hour` of the day.
    Create { hour: i64 },
    /// Include customer `c` (modulo those created) in segment `s` (modulo the segments).
    Include { s: usize, c: usize },
    /// Exclude likewise.
    Exclude { s: usize, c: usize },
    /// Clear the override likewise.
    Clear { s: usize, c: usize },
}

#[derive(Debug, Clone)]
struct Day {
    acts: Vec<Act>,
    /// Whether the gapped engine evaluates on this day.
    evaluate: bool,
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        4 => (0i64..24).prop_map(|hour| Act::Create { hour }),
        1 => (0usize..4, 0usize..32).prop_map(|(s, c)| Act::Include { s, c }),
        1 => (0usize..4, 0usize..32).prop_map(|(s, c)| Act::Exclude { s, c }),
        1 => (0usize..4, 0usize..32).prop_map(|(s, c)| Act::Clear { s, c }),
    ]
}

fn day() -> impl Strategy<Value = Day> {
    (
        prop::collection::vec(act(), 0..4),
        prop::bool::weighted(0.3),
    )
        .prop_map(|(acts, evaluate)| Day { acts, evaluate })
}

fn created(window: RelativeWindow) -> SegmentExpr {
    SegmentExpr::Condition {
        condition: Condition::Created { window },
    }
}

/// The segments, in creation order; later ones name earlier ones.
fn definitions(ids: &[SegmentId]) -> Option<SegmentExpr> {
    Some(match ids.len() {
        0 => created(RelativeWindow::LastNDays { n: 3 }),
        1 => SegmentExpr::Any {
            of: vec![
                created(RelativeWindow::LastWeek),
                created(RelativeWindow::ThisWeek),
            ],
        },
        2 => SegmentExpr::All {
            of: vec![
                SegmentExpr::Segment { id: ids[1] },
                SegmentExpr::Not {
                    expr: Box::new(SegmentExpr::Segment { id: ids[0] }),
                },
            ],
        },
        3 => SegmentExpr::Not {
            expr: Box::new(SegmentExpr::Segment { id: ids[2] }),
        },
        _ => return None,
    })
}

struct Side {
    f: Fixture<MemoryStore>,
    segments: Vec<SegmentId>,
    customers: Vec<CustomerId>,
}

impl Side {
    async fn new() -> Side {
        let f = Fixture::new(MemoryStore::new()).await;
        let sys = Actor::system(T1);
        let mut segments = Vec::new();
        while let Some(expr) = definitions(&segments) {
            let s = f
                .crm
                .segments()
                .create(
                    sys,
                    CreateSegment {
                        segment: SegmentInput {
                            name: format!("s{}", segments.len()),
                            description: None,
                            expr,
                        },
                    },
                )
                .await
                .expect("segment");
            segments.push(s.id);
        }
        Side {
            f,
            segments,
            customers: Vec::new(),
        }
    }

    async fn act(&mut self, act: &Act, day_start: DateTime<Utc>) {
        let sys = Actor::system(T1);
        let s = self.f.crm.segments();
        let pick = |i: usize, n: usize| (n > 0).then(|| i % n);
        match *act {
            Act::Create { hour } => {
                self.f.clock.set(day_start + Duration::hours(hour));
                let c = self
                    .f
                    .crm
                    .create_customer(
                        sys,
                        crm_core::customer::NewCustomer {
                            name: format!("c{}", self.customers.len()),
                            ..Default::default()
                        },
                    )
                    .await
                    .expect("customer");
                self.customers.push(c.record.id);
            }
            Act::Include { s: si, c } | Act::Exclude { s: si, c } | Act::Clear { s: si, c } => {
                let Some(c) = pick(c, self.customers.len()) else {
                    return;
                };
                let segment = self.segments[si % self.segments.len()];
                let customers = vec![self.customers[c]];
                match act {
                    Act::Include { .. } => {
                        s.include(sys, IncludeInSegment { segment, customers })
                            .await
                            .expect("include");
                    }
                    Act::Exclude { .. } => {
                        s.exclude(sys, ExcludeFromSegment { segment, customers })
                            .await
                            .expect("exclude");
                    }
                    _ => {
                        s.clear_override(sys, ClearSegmentOverride { segment, customers })
                            .await
                            .expect("clear");
                    }
                }
            }
        }
    }

    async fn evaluate(&self, at: DateTime<Utc>) {
        self.f.clock.set(at);
        self.f
            .crm
            .segments()
            .evaluate(
                Actor::system(T1),
                EvaluateSegments {
                    segment: None,
                    as_of: Some(at),
                },
            )
            .await
            .expect("evaluate");
    }

    /// Each segment's members, as indexes of the customers in creation order.
    async fn memberships(&self) -> Vec<BTreeSet<usize>> {
        let mut out = Vec::new();
        for id in &self.segments {
            let page = self
                .f
                .crm
                .segments()
                .members(
                    Actor::system(T1),
                    SegmentMembers {
                        id: *id,
                        after: None,
                        limit: Some(500),
                    },
                )
                .await
                .expect("members");
            out.push(
                page.items
                    .iter()
                    .filter_map(|m| self.customers.iter().position(|c| *c == m.customer_id))
                    .collect(),
            );
        }
        out
    }
}

async fn check(days: Vec<Day>) {
    let mut daily = Side::new().await;
    let mut gapped = Side::new().await;
    let last = days.len().saturating_sub(1);
    for (d, day) in days.iter().enumerate() {
        // Local midnight in Shanghai of the fixture's start day plus d days, as UTC.
        let day_start = start() - Duration::hours(10) + Duration::days(d as i64);
        for a in &day.acts {
            daily.act(a, day_start).await;
            gapped.act(a, day_start).await;
        }
        let at = day_start + Duration::hours(23) + Duration::minutes(59);
        daily.evaluate(at).await;
        if day.evaluate || d == last {
            gapped.evaluate(at).await;
            let (a, b) = (daily.memberships().await, gapped.memberships().await);
            assert_eq!(a, b, "day {d}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn gaps_give_the_same_membership_as_daily_evaluation(
        days in prop::collection::vec(day(), 1..15)
    ) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(check(days));
    }
}
