//! Zones and ranges: nine o'clock local across both changes in two zones, skipped local
//! times, overlap at the range's edges, bounds, and no panic on odd input.

use super::*;

#[test]
fn new_york_keeps_nine_local_across_both_changes() {
    let e = event(
        timed("2024-03-04T09:00:00", "2024-03-04T10:00:00"),
        "America/New_York",
        Some(("FREQ=WEEKLY", MonthEnd::Rfc)),
    );
    // Spring forward on 2024-03-10: 14:00Z (EST) then 13:00Z (EDT).
    assert_eq!(
        starts(&e, "2024-03-01T00:00:00Z", "2024-03-12T00:00:00Z"),
        ["2024-03-04T14:00:00+00:00", "2024-03-11T13:00:00+00:00"]
    );
    // Fall back on 2024-11-03: 13:00Z (EDT) then 14:00Z (EST).
    assert_eq!(
        starts(&e, "2024-10-28T00:00:00Z", "2024-11-05T00:00:00Z"),
        ["2024-10-28T13:00:00+00:00", "2024-11-04T14:00:00+00:00"]
    );
    for o in expand(&e, "2024-03-01T00:00:00Z", "2024-12-01T00:00:00Z") {
        assert_eq!(o.local_start.time().to_string(), "09:00:00");
        assert_eq!(o.local_end.time().to_string(), "10:00:00");
        assert_eq!(o.end - o.start, chrono::Duration::hours(1));
    }
}

#[test]
fn berlin_keeps_nine_local_across_both_changes() {
    let e = event(
        timed("2024-03-25T09:00:00", "2024-03-25T09:30:00"),
        "Europe/Berlin",
        Some(("FREQ=WEEKLY;BYDAY=MO", MonthEnd::Rfc)),
    );
    // Summer time from 2024-03-31: 08:00Z (CET) then 07:00Z (CEST).
    assert_eq!(
        starts(&e, "2024-03-20T00:00:00Z", "2024-04-02T00:00:00Z"),
        ["2024-03-25T08:00:00+00:00", "2024-04-01T07:00:00+00:00"]
    );
    // Winter time from 2024-10-27: 07:00Z then 08:00Z.
    assert_eq!(
        starts(&e, "2024-10-20T00:00:00Z", "2024-10-29T00:00:00Z"),
        ["2024-10-21T07:00:00+00:00", "2024-10-28T08:00:00+00:00"]
    );
}

#[test]
fn a_time_the_change_skips_moves_forward_for_that_day_only() {
    let e = event(
        timed("2024-03-09T02:30:00", "2024-03-09T03:00:00"),
        "America/New_York",
        Some(("FREQ=DAILY;COUNT=3", MonthEnd::Rfc)),
    );
    let got = expand(&e, "2024-03-08T00:00:00Z", "2024-03-13T00:00:00Z");
    let local: Vec<String> = got.iter().map(|o| o.local_start.to_string()).collect();
    assert_eq!(
        local,
        [
            "2024-03-09 02:30:00",
            "2024-03-10 03:30:00",
            "2024-03-11 02:30:00"
        ]
    );
    assert!(got.iter().all(|o| o.end > o.start));
}

#[test]
fn the_range_selects_by_overlap_on_both_sides() {
    let e = event(
        timed("2024-01-01T10:00:00", "2024-01-01T11:00:00"),
        "UTC",
        Some(("FREQ=DAILY", MonthEnd::Rfc)),
    );
    // Ending exactly at `from` is out; ending a second after is in.
    assert!(expand(&e, "2024-01-02T11:00:00Z", "2024-01-03T10:00:00Z").is_empty());
    assert_eq!(
        expand(&e, "2024-01-02T10:59:59Z", "2024-01-03T10:00:00Z").len(),
        1
    );
    // Starting exactly at `to` is out.
    assert_eq!(
        expand(&e, "2024-01-02T10:59:59Z", "2024-01-03T10:00:01Z").len(),
        2
    );
    // An all-day event covers its days in its zone: Shanghai's 2024-01-02 is
    // 2024-01-01T16:00Z..2024-01-02T16:00Z.
    let d = event(all_day("2024-01-02", "2024-01-02"), "Asia/Shanghai", None);
    assert!(expand(&d, "2024-01-02T16:00:00Z", "2024-01-03T00:00:00Z").is_empty());
    let got = expand(&d, "2024-01-02T15:59:59Z", "2024-01-03T00:00:00Z");
    assert_eq!(got.len(), 1);
    assert!(got
        .iter()
        .all(|o| o.all_day && o.start.to_rfc3339() == "2024-01-01T16:00:00+00:00"));
}

#[test]
fn ranges_are_bounded_and_counts_capped() {
    let e = event(
        all_day("2024-01-01", "2024-01-01"),
        "UTC",
        Some(("FREQ=DAILY", MonthEnd::Rfc)),
    );
    let ok = occurrences(&e, utc("2024-01-01T00:00:00Z"), utc("2025-01-01T00:00:00Z"));
    assert!(ok.is_ok());
    let long = occurrences(&e, utc("2024-01-01T00:00:00Z"), utc("2025-01-01T00:00:01Z"));
    assert!(matches!(long, Err(CrmError::Validation { field, .. }) if field == "to"));
    let backwards = occurrences(&e, utc("2024-01-02T00:00:00Z"), utc("2024-01-01T00:00:00Z"));
    assert!(matches!(backwards, Err(CrmError::Validation { field, .. }) if field == "to"));
    // 366 days of a daily series fit under the cap; an event six times a day would not.
    let daily = ok.unwrap_or_default();
    assert_eq!(daily.occurrences.len(), 366);
    assert!(!daily.truncated);
    // Moved occurrences come on top of the series': past the cap, the result is cut.
    let mut busy = event(
        timed("2022-01-01T10:00:00", "2022-01-01T11:00:00"),
        "UTC",
        Some(("FREQ=DAILY", MonthEnd::Rfc)),
    );
    for d in 0..700 {
        let original = at("2022-01-01T10:00:00") + chrono::Duration::days(d);
        busy.set_exception(Exception {
            original_start: original,
            change: ExceptionChange::Moved {
                time: timed("2024-06-01T10:00:00", "2024-06-01T11:00:00"),
                title: None,
            },
        });
    }
    let many = occurrences(
        &busy,
        utc("2024-01-01T00:00:00Z"),
        utc("2024-12-31T00:00:00Z"),
    )
    .unwrap_or_default();
    assert_eq!(many.occurrences.len(), MAX_OCCURRENCES);
    assert!(many.truncated);
    let fewer = occurrences(
        &busy,
        utc("2024-01-01T00:00:00Z"),
        utc("2024-06-01T00:00:00Z"),
    )
    .unwrap_or_default();
    assert_eq!(fewer.occurrences.len(), 152);
    assert!(!fewer.truncated);
}

#[test]
fn garbage_never_panics() {
    let zones = ["UTC", "Not/AZone", "America/New_York", "Pacific/Chatham"];
    let rules = [
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=DAILY;INTERVAL=65535",
        "FREQ=MONTHLY;BYDAY=-5FR",
        "FREQ=WEEKLY;WKST=SU;BYDAY=SU,SA",
        "FREQ=YEARLY;INTERVAL=400;BYMONTH=2;BYMONTHDAY=29",
    ];
    for zone in zones {
        for rule in rules {
            for mode in [MonthEnd::Rfc, MonthEnd::Clamp] {
                let e = event(
                    timed("2199-12-31T23:00:00", "2199-12-31T23:30:00"),
                    zone,
                    Some((rule, mode)),
                );
                let _ = occurrences(&e, utc("2199-06-01T00:00:00Z"), utc("2200-06-01T00:00:00Z"));
                let _ = e.span();
                let _ = check_schedule(&e);
            }
        }
    }
}

#[test]
fn ranges_and_keys_stay_within_the_event_years() {
    // An open-ended daily series: a range in year 9000 or near chrono's end would walk
    // millions of occurrences or overflow; both ends are refused by name instead.
    let e = event(
        timed("2024-01-01T09:00:00", "2024-01-01T10:00:00"),
        "Asia/Shanghai",
        Some(("FREQ=DAILY", MonthEnd::Rfc)),
    );
    assert!(occurrences(&e, utc("2199-12-01T00:00:00Z"), utc("2199-12-31T23:59:59Z")).is_ok());
    let late = occurrences(&e, utc("2199-12-31T00:00:00Z"), utc("2200-01-01T00:00:00Z"));
    assert!(matches!(late, Err(CrmError::Validation { field, .. }) if field == "to"));
    let early = occurrences(&e, utc("1899-12-31T23:59:59Z"), utc("1900-01-02T00:00:00Z"));
    assert!(matches!(early, Err(CrmError::Validation { field, .. }) if field == "from"));
    assert!(occurrences(&e, utc("1900-01-01T00:00:00Z"), utc("1900-01-02T00:00:00Z")).is_ok());
    let far = chrono::DateTime::<chrono::Utc>::MAX_UTC;
    let end = occurrences(&e, far - chrono::Duration::days(1), far);
    assert!(matches!(end, Err(CrmError::Validation { field, .. }) if field == "from"));
    for key in [at("9000-01-01T09:00:00"), at("1800-01-01T09:00:00")] {
        let refused = is_occurrence(&e, key);
        assert!(
            matches!(refused, Err(CrmError::Validation { field, .. }) if field == "original_start")
        );
        let refused = count_before(&e, key);
        assert!(
            matches!(refused, Err(CrmError::Validation { field, .. }) if field == "original_start")
        );
    }
}
