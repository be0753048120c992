//! Concurrent check-ins on every store: the same planned visit checked in by eight calls at
//! once, and eight ad hoc check-ins at one customer at once, each record one check-in and
//! one follow-up; every other call answers that check-in as a repeat (or gives up on
//! conflicts), none writes a second.

use super::visit_support::*;
use crate::error::CrmError;
use crate::ids::{CustomerId, VisitId};
use crate::service::{CheckInVisit, Crm};
use crate::store::{Entity, Store};
use crate::testkit::fixture::*;
use crate::visit::PlanVisit;
use chrono::Duration;
use std::sync::Arc;

/// Calls at once.
const RACERS: usize = 8;

/// Runs `RACERS` check-ins at once; answers the ids of the first check-ins and of the
/// repeats.
async fn race<S: Store>(
    crm: Arc<Crm<Arc<S>>>,
    visit: Option<VisitId>,
    customer: Option<CustomerId>,
) -> (Vec<VisitId>, Vec<VisitId>) {
    let mut tasks = Vec::new();
    for _ in 0..RACERS {
        let crm = crm.clone();
        tasks.push(tokio::spawn(async move {
            crm.check_in_visit(
                user(REP),
                CheckInVisit {
                    visit_id: visit,
                    customer_id: customer,
                    purpose: None,
                    note: None,
                    evidence: evidence(SHOP),
                },
            )
            .await
        }));
    }
    let (mut first, mut repeats) = (Vec::new(), Vec::new());
    for t in tasks {
        match t.await.expect("task") {
            Ok(c) if c.repeated => repeats.push(c.visit.id),
            Ok(c) => first.push(c.visit.id),
            Err(CrmError::Conflict { .. }) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    (first, repeats)
}

/// Planned and ad hoc check-ins racing: one check-in, one follow-up each.
pub async fn concurrent_check_ins_record_one<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store.clone()).await;
    let crm = Arc::new(Crm::new(store.clone(), f.clock.clone()));
    let shop = customer(&f, REP, "人民广场店", Some(SHOP)).await;
    let planned = f
        .crm
        .plan_visit(
            user(REP),
            PlanVisit {
                customer_id: shop,
                owner_id: None,
                start: start(),
                end: start() + Duration::hours(1),
                purpose: None,
            },
        )
        .await
        .expect("plan");
    let followups = rows(&f, Entity::FollowUp).await;

    let (first, repeats) = race(crm.clone(), Some(planned.id), None).await;
    assert_eq!(first, vec![planned.id]);
    assert!(repeats.iter().all(|id| *id == planned.id));
    assert_eq!(rows(&f, Entity::FollowUp).await, followups + 1);

    f.clock.advance(Duration::minutes(10));
    let other = customer(&f, REP, "南京路店", Some(SHOP)).await;
    let visits = rows(&f, Entity::Visit).await;
    let (first, repeats) = race(crm, None, Some(other)).await;
    assert_eq!(first.len(), 1, "one ad hoc visit");
    assert!(repeats.iter().all(|id| *id == first[0]));
    assert_eq!(rows(&f, Entity::Visit).await, visits + 1);
    assert_eq!(rows(&f, Entity::FollowUp).await, followups + 2);
}
