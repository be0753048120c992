//! Segments over audience conditions on every store (REFERENCE-CASES SG1; DESIGN §4.11
//! relative windows): a member whose last order falls out of "within 90 days" leaves at the
//! next evaluation with `left_at` recorded, on the boundary day and not before; "created
//! last week" in Asia/Shanghai turns at the local Monday 00:00, tested one second either
//! side.

use super::segment_support::*;
use crate::audience::{Condition, RelativeWindow, SinceLast, TimeUnit};
use crate::op::{EvaluateSegments, SegmentHistory};
use crate::segment::{JoinReason, SegmentExpr};
use crate::store::Store;
use crate::testkit::fixture::*;
use crate::tier::PurchaseInput;
use crate::Actor;
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::sync::Arc;

fn condition(condition: Condition) -> SegmentExpr {
    SegmentExpr::Condition { condition }
}

async fn evaluate_at<S: Store>(f: &Fixture<S>, at: DateTime<Utc>) {
    f.crm
        .segments()
        .evaluate(
            user(MARKETER),
            EvaluateSegments {
                segment: None,
                as_of: Some(at),
            },
        )
        .await
        .expect("evaluate");
}

/// SG1: "last order within 90 days"; a member stops matching and is removed at the next
/// evaluation, its `left_at` recorded.
pub async fn segment_members_leave_when_they_stop_matching<S: Store>(store: Arc<S>) {
    let f = segment_fixture(store).await;
    let now = f.crm.clock().now();
    let recent = customer(&f, REP, "recent").await;
    let fading = customer(&f, REP, "fading").await;
    let never = customer(&f, REP2, "never").await;
    for (c, days) in [(recent, 10), (fading, 89)] {
        f.crm
            .record_purchase(
                Actor::system(T1),
                PurchaseInput {
                    customer_id: c,
                    kind: crate::tier::PurchaseKind::Order,
                    at: now - Duration::days(days),
                    amount: "100".parse().expect("amount"),
                    currency: "CNY".into(),
                    reference: None,
                },
            )
            .await
            .expect("purchase");
    }
    let seg = create(
        &f,
        "bought within 90 days",
        condition(Condition::SinceLastOrder(SinceLast {
            unit: TimeUnit::Day,
            more_than: None,
            within: Some(90),
        })),
    )
    .await;
    evaluate_at(&f, now).await;
    assert_eq!(members(&f, MARKETER, seg.id).await, set(&[recent, fading]));
    // One day later the fading customer's order is 90 local days back: still within.
    let day1 = now + Duration::days(1);
    f.clock.set(day1);
    evaluate_at(&f, day1).await;
    assert_eq!(members(&f, MARKETER, seg.id).await, set(&[recent, fading]));
    // Two days later it is 91: removed, and the stint keeps its end.
    let day2 = now + Duration::days(2);
    f.clock.set(day2);
    evaluate_at(&f, day2).await;
    assert_eq!(members(&f, MARKETER, seg.id).await, set(&[recent]));
    let history = f
        .crm
        .segments()
        .history(
            user(MARKETER),
            SegmentHistory {
                segment: Some(seg.id),
                customer: Some(fading),
                after: None,
                limit: None,
            },
        )
        .await
        .expect("history");
    let stints: Vec<_> = history
        .items
        .iter()
        .map(|m| (m.joined_at, m.left_at, m.left_by))
        .collect();
    assert_eq!(stints, [(now, Some(day2), Some(JoinReason::Rule))]);
    assert!(!members(&f, MARKETER, seg.id).await.contains(&never));
    let left = f
        .crm
        .events_after(Actor::system(T1), 0, 1000)
        .await
        .expect("events")
        .into_iter()
        .filter(|e| e.kind == "SegmentLeft" && e.record_id == seg.id.0)
        .count();
    assert_eq!(left, 1);
}

/// "Created last week" is Monday 00:00 to Monday 00:00 in the tenant's zone: evaluated one
/// second before, at, and one second after the local Monday midnight.
pub async fn segment_windows_turn_at_the_local_monday_midnight<S: Store>(store: Arc<S>) {
    let f = segment_fixture(store).await;
    // Monday 2026-03-02 00:00 in Shanghai is 2026-03-01 16:00 UTC.
    let monday = Utc
        .with_ymd_and_hms(2026, 3, 1, 16, 0, 0)
        .single()
        .expect("monday");
    let second = Duration::seconds(1);
    let week = Duration::days(7);
    let mut made = Vec::new();
    for (name, at) in [
        ("before last week", monday - week - second),
        ("first of last week", monday - week),
        ("last of last week", monday - second),
        ("first of this week", monday),
    ] {
        f.clock.set(at);
        made.push(customer(&f, REP, name).await);
    }
    f.clock.set(start());
    let seg = create(
        &f,
        "created last week",
        condition(Condition::Created {
            window: RelativeWindow::LastWeek,
        }),
    )
    .await;
    evaluate_at(&f, monday - second).await;
    assert_eq!(members(&f, MARKETER, seg.id).await, set(&[made[0]]));
    evaluate_at(&f, monday).await;
    assert_eq!(
        members(&f, MARKETER, seg.id).await,
        set(&[made[1], made[2]])
    );
    evaluate_at(&f, monday + second).await;
    assert_eq!(
        members(&f, MARKETER, seg.id).await,
        set(&[made[1], made[2]])
    );
    // The preview agrees without writing.
    let p = f
        .crm
        .segments()
        .preview(
            user(MARKETER),
            crate::op::PreviewSegment {
                expr: condition(Condition::Created {
                    window: RelativeWindow::LastWeek,
                }),
                as_of: Some(monday - second),
                limit: None,
            },
        )
        .await
        .expect("preview");
    assert_eq!((p.count, p.customers), (1, vec![made[0]]));
}

/// A segment over a tag and another segment: the facts loader reads tags for the batch.
pub async fn segments_read_tags_through_the_audience_facts<S: Store>(store: Arc<S>) {
    let f = segment_fixture(store).await;
    let sys = Actor::system(T1);
    let vip = customer(&f, REP, "vip").await;
    let plain = customer(&f, REP, "plain").await;
    let tag = f
        .crm
        .tags()
        .create(
            sys,
            crate::tag::CreateTag {
                name: "VIP".into(),
                kind: crate::tag::TagKind::Manual,
                rule: None,
                description: None,
                color: None,
            },
        )
        .await
        .expect("tag");
    f.crm
        .tags()
        .apply(
            sys,
            crate::op::ApplyTag {
                tag_id: tag.id,
                customer_id: vip,
            },
        )
        .await
        .expect("apply");
    let tagged = create(
        &f,
        "tagged",
        condition(Condition::Tag { name: "VIP".into() }),
    )
    .await;
    let untagged = create(
        &f,
        "untagged",
        SegmentExpr::Not {
            expr: Box::new(SegmentExpr::Segment { id: tagged.id }),
        },
    )
    .await;
    evaluate_at(&f, f.crm.clock().now()).await;
    assert_eq!(members(&f, MARKETER, tagged.id).await, set(&[vip]));
    assert_eq!(members(&f, MARKETER, untagged.id).await, set(&[plain]));
}
