//! Segments on every store (DESIGN §4.11, REFERENCE-CASES SG2, SG3): manual includes and
//! excludes survive evaluation and exclusion wins; a segment naming another is evaluated
//! after it; cycles (self, two and three hops) and bad input are refused by name with
//! nothing written; members, counts, history and previews obey the actor's scope.

use super::segment_support::*;
use crate::ids::SegmentId;
use crate::op::{
    ClearSegmentOverride, CountSegment, CreateSegment, EvaluateSegments, ExcludeFromSegment,
    IncludeInSegment, PreviewSegment, RetireSegment, SegmentHistory, SegmentMembers, UpdateSegment,
};
use crate::segment::{JoinReason, SegmentExpr, SegmentStatus, MAX_DEPTH};
use crate::store::{Entity, Store};
use crate::testkit::fixture::*;
use crate::Actor;
use chrono::Duration;
use std::sync::Arc;

async fn evaluate<S: Store>(f: &Fixture<S>, segment: Option<SegmentId>) {
    f.crm
        .segments()
        .evaluate(
            user(MARKETER),
            EvaluateSegments {
                segment,
                as_of: None,
            },
        )
        .await
        .expect("evaluate");
}

/// SG3 (include {A, B, C}, exclude {B} → {A, C}) and SG2 (a matching customer excluded
/// stays out after re-evaluation until the exclusion is lifted).
pub async fn segment_overrides_survive_evaluation_and_exclusion_wins<S: Store>(store: Arc<S>) {
    let f = segment_fixture(store).await;
    let s = f.crm.segments();
    let a = customer(&f, REP, "A").await;
    let b = customer(&f, REP, "B").await;
    let c = customer(&f, REP2, "C").await;
    let d = customer(&f, REP2, "D").await;
    // SG3: an expression matching nobody; the overrides alone make the membership.
    let picks = create(&f, "picks", nobody()).await;
    let include = s
        .include(
            user(MARKETER),
            IncludeInSegment {
                segment: picks.id,
                customers: vec![a, b, c, b],
            },
        )
        .await
        .expect("include");
    assert_eq!((include.overrides, include.joined, include.left), (3, 3, 0));
    let exclude = s
        .exclude(
            user(MARKETER),
            ExcludeFromSegment {
                segment: picks.id,
                customers: vec![b],
            },
        )
        .await
        .expect("exclude");
    assert_eq!((exclude.overrides, exclude.joined, exclude.left), (1, 0, 1));
    assert_eq!(members(&f, MARKETER, picks.id).await, set(&[a, c]));
    f.clock.advance(Duration::hours(1));
    evaluate(&f, Some(picks.id)).await;
    assert_eq!(members(&f, MARKETER, picks.id).await, set(&[a, c]));
    // SG2: everyone matches; the excluded one stays out until the exclusion is lifted.
    let all = create(&f, "everyone", everyone()).await;
    evaluate(&f, Some(all.id)).await;
    assert_eq!(members(&f, MARKETER, all.id).await, set(&[a, b, c, d]));
    s.exclude(
        user(MARKETER),
        ExcludeFromSegment {
            segment: all.id,
            customers: vec![b],
        },
    )
    .await
    .expect("exclude");
    assert_eq!(members(&f, MARKETER, all.id).await, set(&[a, c, d]));
    for _ in 0..2 {
        f.clock.advance(Duration::days(1));
        evaluate(&f, None).await;
        assert_eq!(members(&f, MARKETER, all.id).await, set(&[a, c, d]));
    }
    let cleared = s
        .clear_override(
            user(MARKETER),
            ClearSegmentOverride {
                segment: all.id,
                customers: vec![b],
            },
        )
        .await
        .expect("clear");
    assert_eq!((cleared.overrides, cleared.joined, cleared.left), (1, 1, 0));
    assert_eq!(members(&f, MARKETER, all.id).await, set(&[a, b, c, d]));
    // B's stints: joined by rule, left by exclusion, back after the clear.
    let history = s
        .history(
            user(MARKETER),
            SegmentHistory {
                segment: Some(all.id),
                customer: Some(b),
                after: None,
                limit: None,
            },
        )
        .await
        .expect("history");
    let stints: Vec<_> = history
        .items
        .iter()
        .map(|m| (m.joined_by, m.left_by, m.left_at.is_some()))
        .collect();
    assert_eq!(
        stints,
        [
            (JoinReason::Rule, Some(JoinReason::Exclude), true),
            (JoinReason::Cleared, None, false),
        ]
    );
    // An include replaces an exclude and the other way round (one override row each).
    s.exclude(
        user(MARKETER),
        ExcludeFromSegment {
            segment: picks.id,
            customers: vec![a],
        },
    )
    .await
    .expect("exclude a");
    s.include(
        user(MARKETER),
        IncludeInSegment {
            segment: picks.id,
            customers: vec![b],
        },
    )
    .await
    .expect("include b");
    assert_eq!(members(&f, MARKETER, picks.id).await, set(&[b, c]));
    assert_eq!(rows(&f, Entity::SegmentOverride).await, 3);
    // Evaluating twice at one instant changes nothing the second time.
    let now = f.crm.clock().now();
    let again = s
        .evaluate(
            user(MARKETER),
            EvaluateSegments {
                segment: None,
                as_of: Some(now),
            },
        )
        .await
        .expect("evaluate");
    assert_eq!(again.changes(), 0);
    let joined = f
        .crm
        .events_after(Actor::system(T1), 0, 1000)
        .await
        .expect("events")
        .iter()
        .filter(|e| e.kind == "SegmentJoined" && e.record_id == all.id.0)
        .count();
    assert_eq!(joined, 5, "four by rule, one after the clear");
}

/// A segment naming another is evaluated after it, whatever their ids.
pub async fn segments_of_segments_follow_dependency_order<S: Store>(store: Arc<S>) {
    let f = segment_fixture(store).await;
    let s = f.crm.segments();
    let a = customer(&f, REP, "A").await;
    let b = customer(&f, REP2, "B").await;
    let outer = create(&f, "outer", nobody()).await;
    let inner = create(&f, "inner", everyone()).await;
    let outside = create(
        &f,
        "outside",
        SegmentExpr::Not {
            expr: Box::new(member_of(inner.id)),
        },
    )
    .await;
    s.update(
        user(MARKETER),
        UpdateSegment {
            id: outer.id,
            segment: input("outer", member_of(inner.id)),
        },
    )
    .await
    .expect("update");
    s.exclude(
        user(MARKETER),
        ExcludeFromSegment {
            segment: inner.id,
            customers: vec![b],
        },
    )
    .await
    .expect("exclude");
    let run = s
        .evaluate(user(MARKETER), EvaluateSegments::default())
        .await
        .expect("evaluate");
    let order: Vec<SegmentId> = run.runs.iter().map(|r| r.segment).collect();
    assert_eq!(order, [inner.id, outer.id, outside.id]);
    assert_eq!(members(&f, MARKETER, inner.id).await, set(&[a]));
    assert_eq!(members(&f, MARKETER, outer.id).await, set(&[a]));
    assert_eq!(members(&f, MARKETER, outside.id).await, set(&[b]));
    // Retiring a segment others name is refused; the last user first, then it.
    let retire = |id| async move { s.retire(user(MARKETER), RetireSegment { id }).await };
    assert_eq!(refusal(retire(inner.id).await), "segment_in_use");
    retire(outer.id).await.expect("retire outer");
    retire(outside.id).await.expect("retire outside");
    let retired = retire(inner.id).await.expect("retire inner");
    assert_eq!(retired.status, SegmentStatus::Retired);
    assert_eq!(refusal(retire(inner.id).await), "segment_retired");
    // Retired segments are not evaluated and keep their members.
    let run = s
        .evaluate(user(MARKETER), EvaluateSegments::default())
        .await
        .expect("evaluate");
    assert!(run.runs.is_empty());
    assert_eq!(members(&f, MARKETER, outer.id).await, set(&[a]));
}

/// Self, two-hop and three-hop cycles, unknown and retired references, names, limits and
/// other bad input: refused by name, nothing written.
pub async fn segment_cycles_and_bad_input_are_refused<S: Store>(store: Arc<S>) {
    let f = segment_fixture(store).await;
    let s = f.crm.segments();
    let c1 = customer(&f, REP, "C1").await;
    let a = create(&f, "A", everyone()).await;
    let b = create(&f, "B", member_of(a.id)).await;
    let c = create(&f, "C", member_of(b.id)).await;
    let before = (
        rows(&f, Entity::Segment).await,
        f.crm
            .events_after(Actor::system(T1), 0, 1000)
            .await
            .expect("events")
            .len(),
    );
    let update = |id, expr| async move {
        s.update(
            user(MARKETER),
            UpdateSegment {
                id,
                segment: input("A", expr),
            },
        )
        .await
    };
    // Self, A → B → A, A → C → B → A.
    assert_eq!(
        refusal(update(a.id, member_of(a.id)).await),
        "segment_cycle"
    );
    assert_eq!(
        refusal(update(a.id, member_of(b.id)).await),
        "segment_cycle"
    );
    let err = update(
        a.id,
        SegmentExpr::Any {
            of: vec![
                everyone(),
                SegmentExpr::Not {
                    expr: Box::new(member_of(c.id)),
                },
            ],
        },
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string().contains(&format!(
            "segment {} → segment {} → segment {} → segment {}",
            a.id, c.id, b.id, a.id
        )),
        "{err}"
    );
    let create_bad =
        |segment| async move { s.create(user(MARKETER), CreateSegment { segment }).await };
    assert_eq!(
        refusal(create_bad(input("X", member_of(SegmentId(9_999)))).await),
        "field expr unknown_segment"
    );
    assert_eq!(
        refusal(create_bad(input("  ", everyone())).await),
        "field name"
    );
    assert_eq!(
        refusal(create_bad(input(" B ", everyone())).await),
        "field name name_taken"
    );
    assert_eq!(
        refusal(create_bad(input("a\0b", everyone())).await),
        "field name"
    );
    let mut deep = everyone();
    for _ in 0..MAX_DEPTH {
        deep = SegmentExpr::Not {
            expr: Box::new(deep),
        };
    }
    assert_eq!(
        refusal(create_bad(input("deep", deep)).await),
        "field expr expr_too_deep"
    );
    let wide = SegmentExpr::Any {
        of: vec![everyone(); crate::segment::MAX_NODES],
    };
    assert_eq!(
        refusal(create_bad(input("wide", wide)).await),
        "field expr expr_too_large"
    );
    // A rep may not define segments.
    assert_eq!(
        refusal(
            s.create(
                user(REP),
                CreateSegment {
                    segment: input("mine", everyone())
                }
            )
            .await
        ),
        "permission_denied"
    );
    // Overrides: empty, too many, unknown customer, unknown segment.
    let include = |segment, customers| async move {
        s.include(user(MARKETER), IncludeInSegment { segment, customers })
            .await
    };
    assert_eq!(refusal(include(a.id, vec![]).await), "field customers");
    assert_eq!(
        refusal(include(a.id, vec![c1; crate::service::MAX_OVERRIDE_CUSTOMERS + 1]).await),
        "field customers too_many"
    );
    assert_eq!(
        refusal(include(a.id, vec![c1, crate::ids::CustomerId(9_999)]).await),
        "not_found"
    );
    assert_eq!(
        refusal(include(SegmentId(9_999), vec![c1]).await),
        "not_found"
    );
    // Evaluation in the future, page sizes, history without a subject.
    let future = f.crm.clock().now() + Duration::seconds(1);
    assert_eq!(
        refusal(
            s.evaluate(
                user(MARKETER),
                EvaluateSegments {
                    segment: None,
                    as_of: Some(future)
                }
            )
            .await
        ),
        "field as_of as_of_in_future"
    );
    assert_eq!(
        refusal(
            s.members(
                user(MARKETER),
                SegmentMembers {
                    id: a.id,
                    after: None,
                    limit: Some(0)
                }
            )
            .await
        ),
        "field limit"
    );
    assert_eq!(
        refusal(
            s.history(
                user(MARKETER),
                SegmentHistory {
                    segment: None,
                    customer: None,
                    after: None,
                    limit: None
                }
            )
            .await
        ),
        "field segment history_subject"
    );
    let after = (
        rows(&f, Entity::Segment).await,
        f.crm
            .events_after(Actor::system(T1), 0, 1000)
            .await
            .expect("events")
            .len(),
    );
    assert_eq!(before, after, "nothing written");
    assert_eq!(rows(&f, Entity::SegmentOverride).await, 0);
    assert_eq!(rows(&f, Entity::SegmentMember).await, 0);
    // The stored definitions are unchanged.
    assert_eq!(
        s.get(user(MARKETER), crate::op::GetSegment { id: a.id })
            .await
            .expect("a")
            .expr,
        everyone()
    );
    // Evaluating before the last evaluation is refused.
    let now = f.crm.clock().now();
    evaluate(&f, Some(a.id)).await;
    assert_eq!(
        refusal(
            s.evaluate(
                user(MARKETER),
                EvaluateSegments {
                    segment: Some(a.id),
                    as_of: Some(now - Duration::seconds(1))
                }
            )
            .await
        ),
        "field as_of as_of_before_last_evaluation"
    );
}

/// Members, counts, history and previews show only customers in the actor's scope.
pub async fn segment_reads_follow_the_scope<S: Store>(store: Arc<S>) {
    let f = segment_fixture(store).await;
    let s = f.crm.segments();
    let mine = customer(&f, REP, "mine").await;
    let peers = customer(&f, REP2, "peer's").await;
    let bosses = customer(&f, BOSS, "boss's").await;
    let seg = create(&f, "everyone", everyone()).await;
    evaluate(&f, Some(seg.id)).await;
    let count = |who| async move {
        s.count(user(who), CountSegment { id: seg.id })
            .await
            .expect("count")
    };
    assert_eq!(count(MARKETER).await, 3);
    assert_eq!(count(MANAGER).await, 2);
    assert_eq!(count(REP).await, 1);
    assert_eq!(members(&f, REP, seg.id).await, set(&[mine]));
    assert_eq!(members(&f, MANAGER, seg.id).await, set(&[mine, peers]));
    assert_eq!(
        members(&f, MARKETER, seg.id).await,
        set(&[mine, peers, bosses])
    );
    let history = |who, customer| async move {
        s.history(
            user(who),
            SegmentHistory {
                segment: None,
                customer: Some(customer),
                after: None,
                limit: None,
            },
        )
        .await
        .expect("history")
        .items
        .len()
    };
    assert_eq!(history(REP, peers).await, 0, "absent, not refused");
    assert_eq!(history(REP2, peers).await, 1);
    let preview = |who| async move {
        s.preview(
            user(who),
            PreviewSegment {
                expr: everyone(),
                as_of: None,
                limit: Some(1),
            },
        )
        .await
        .expect("preview")
    };
    let p = preview(REP).await;
    assert_eq!((p.count, p.customers.clone()), (1, vec![mine]));
    let p = preview(MARKETER).await;
    assert_eq!((p.count, p.customers.clone()), (3, vec![mine]));
    // Out-of-scope customers cannot be overridden; no Marketing grant reads nothing.
    assert_eq!(
        refusal(
            s.exclude(
                user(REP),
                ExcludeFromSegment {
                    segment: seg.id,
                    customers: vec![peers]
                }
            )
            .await
        ),
        "not_found"
    );
    assert_eq!(
        refusal(s.count(user(NOBODY), CountSegment { id: seg.id }).await),
        "permission_denied"
    );
    // The other tenant sees no segment of tenant 1.
    assert_eq!(
        refusal(
            s.count(Actor::system(T2), CountSegment { id: seg.id })
                .await
        ),
        "not_found"
    );
}

/// Scheduled work evaluates active segments once per local day of the tenant.
pub async fn segments_are_evaluated_once_a_day<S: Store>(store: Arc<S>) {
    let f = segment_fixture(store).await;
    let seg = create(&f, "everyone", everyone()).await;
    let a = customer(&f, REP, "A").await;
    let now = f.crm.clock().now();
    let first = f.crm.run_due_work(T1, now).await.expect("due");
    assert_eq!(first.segment_changes, 1);
    assert_eq!(members(&f, MARKETER, seg.id).await, set(&[a]));
    let b = customer(&f, REP, "B").await;
    // Same local day (fixtures start at 10:00 in Shanghai): nothing more.
    let later = f
        .crm
        .run_due_work(T1, now + Duration::hours(13))
        .await
        .expect("due");
    assert_eq!(later.segment_changes, 0);
    assert_eq!(members(&f, MARKETER, seg.id).await, set(&[a]));
    // 14 hours later is the next local day.
    f.clock.set(now + Duration::hours(14));
    let next = f
        .crm
        .run_due_work(T1, now + Duration::hours(14))
        .await
        .expect("due");
    assert_eq!(next.segment_changes, 1);
    assert_eq!(members(&f, MARKETER, seg.id).await, set(&[a, b]));
}
