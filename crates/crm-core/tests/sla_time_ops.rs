//! `sla.add_business` and `sla.business_between` as operations on a stored calendar: the
//! same answers as the SLA clocks (reference cases E2, E4, F2, F16), bounds on the budget,
//! and calendars confined to their tenant.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use crm_core::ids::BusinessCalendarId;
use crm_core::service::MAX_BUSINESS_SECS;
use crm_core::sla::Calendar;
use crm_core::testkit::fixture::*;
use crm_core::testkit::MemoryStore;
use crm_core::{Actor, CrmError};

fn at(s: &str) -> DateTime<Utc> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
        .expect("test instant")
        .and_utc()
}

const H: i64 = 3600;

/// Calendar S (Mon–Fri 10:00–18:00 UTC) with holiday 2019-03-05, saved in tenant 1.
async fn setup() -> (Fixture<MemoryStore>, BusinessCalendarId) {
    let f = Fixture::new(MemoryStore::new()).await;
    let cal = Calendar::new("UTC")
        .with_weekdays(&[("10:00", "18:00")])
        .with_holiday(NaiveDate::from_ymd_opt(2019, 3, 5).expect("date"));
    let saved = f
        .crm
        .save_calendar(Actor::system(T1), None, "S", cal)
        .await
        .expect("calendar");
    (f, saved.id)
}

#[tokio::test]
async fn add_business_matches_the_reference_deadlines() {
    let (f, cal) = setup().await;
    // E2: 12:00 + 4 h = 16:00; + 6 h ends exactly at close: 18:00 the same day.
    let due = |start: &str, secs: i64| {
        let crm = &f.crm;
        let start = at(start);
        async move {
            crm.add_business(user(REP), cal, start, secs)
                .await
                .expect("add")
        }
    };
    assert_eq!(
        due("2019-03-04 12:00", 4 * H).await.due_at,
        at("2019-03-04 16:00")
    );
    assert_eq!(
        due("2019-03-04 12:00", 6 * H).await.due_at,
        at("2019-03-04 18:00")
    );
    // One second more runs into the next working day (03-05 is a holiday): 03-06 10:00:01.
    assert_eq!(
        due("2019-03-04 12:00", 6 * H + 1).await.due_at,
        at("2019-03-06 10:00") + chrono::Duration::seconds(1)
    );
    // E4: created after close before the holiday: the clock starts 03-06 10:00.
    let e4 = due("2019-03-04 20:00", 4 * H).await;
    assert_eq!(e4.clock_starts_at, at("2019-03-06 10:00"));
    assert_eq!(e4.due_at, at("2019-03-06 14:00"));
    // A zero budget is due at the start itself.
    assert_eq!(
        due("2019-03-04 20:00", 0).await.due_at,
        at("2019-03-04 20:00")
    );
}

#[tokio::test]
async fn business_between_matches_the_reference_counts() {
    let (f, cal) = setup().await;
    let between = |a: &str, b: &str| {
        let crm = &f.crm;
        let (a, b) = (at(a), at(b));
        async move {
            crm.business_between(user(REP), cal, a, b)
                .await
                .expect("between")
                .seconds
        }
    };
    // F2 and F16 (no holidays on those dates).
    assert_eq!(
        between("2021-06-28 12:00", "2021-06-28 20:00").await,
        21_600
    );
    assert_eq!(
        between("2021-06-28 20:00", "2021-06-29 20:00").await,
        28_800
    );
    // Across the holiday 2019-03-05: only Monday's and Wednesday's hours count.
    assert_eq!(
        between("2019-03-04 00:00", "2019-03-07 00:00").await,
        16 * H
    );
    assert_eq!(between("2019-03-07 00:00", "2019-03-04 00:00").await, 0);
}

#[tokio::test]
async fn budgets_out_of_range_and_foreign_calendars_are_refused() {
    let (f, cal) = setup().await;
    let start = at("2019-03-04 12:00");
    let refused = |r: Result<_, CrmError>| matches!(r, Err(CrmError::Validation { field, .. }) if field == "seconds");
    assert!(refused(f.crm.add_business(user(REP), cal, start, -1).await));
    assert!(refused(
        f.crm
            .add_business(user(REP), cal, start, MAX_BUSINESS_SECS + 1)
            .await
    ));
    let far = f
        .crm
        .add_business(user(REP), cal, start, MAX_BUSINESS_SECS)
        .await
        .expect("the maximum is accepted");
    assert!(far.due_at > start);
    assert!(matches!(
        f.crm
            .add_business(user(REP), BusinessCalendarId(cal.0 + 100), start, H)
            .await,
        Err(CrmError::NotFound { .. })
    ));
    // Tenant 2 cannot use tenant 1's calendar.
    assert!(matches!(
        f.crm
            .business_between(Actor::user(T2, BOSS), cal, start, start)
            .await,
        Err(CrmError::NotFound { .. })
    ));
}
