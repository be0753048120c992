//! Month ends: CL1 and CL2, the 29th and 30th in leap and common years, clamped splits.

use super::*;

#[test]
fn cl1_monthly_on_the_31st_skips_short_months_in_rfc_mode() {
    let e = monthly("2024-01-31", "FREQ=MONTHLY;COUNT=3", MonthEnd::Rfc);
    assert_eq!(
        local_days(&e, "2024-01-01T00:00:00Z", "2024-12-31T00:00:00Z"),
        ["2024-01-31", "2024-03-31", "2024-05-31"]
    );
}

#[test]
fn cl2_monthly_on_the_31st_takes_the_last_day_in_clamp_mode() {
    let e = monthly("2024-01-31", "FREQ=MONTHLY;COUNT=3", MonthEnd::Clamp);
    assert_eq!(
        local_days(&e, "2024-01-01T00:00:00Z", "2024-12-31T00:00:00Z"),
        ["2024-01-31", "2024-02-29", "2024-03-31"]
    );
    // Timed events clamp alike, and the month day may be explicit.
    let timed_clamp = event(
        timed("2024-01-31T09:00:00", "2024-01-31T10:00:00"),
        "Europe/Berlin",
        Some(("FREQ=MONTHLY;BYMONTHDAY=31;COUNT=4", MonthEnd::Clamp)),
    );
    assert_eq!(
        local_days(&timed_clamp, "2024-01-01T00:00:00Z", "2024-12-31T00:00:00Z"),
        ["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"]
    );
}

#[test]
fn the_29th_and_30th_in_leap_and_common_years() {
    // The 30th: February has none, in leap and common years.
    let rfc30 = monthly("2023-01-30", "FREQ=MONTHLY;COUNT=3", MonthEnd::Rfc);
    assert_eq!(
        local_days(&rfc30, "2023-01-01T00:00:00Z", "2023-12-31T00:00:00Z"),
        ["2023-01-30", "2023-03-30", "2023-04-30"]
    );
    let clamp30 = monthly("2024-01-30", "FREQ=MONTHLY;COUNT=3", MonthEnd::Clamp);
    assert_eq!(
        local_days(&clamp30, "2024-01-01T00:00:00Z", "2024-12-31T00:00:00Z"),
        ["2024-01-30", "2024-02-29", "2024-03-30"]
    );
    let clamp30_common = monthly("2023-01-30", "FREQ=MONTHLY;COUNT=3", MonthEnd::Clamp);
    assert_eq!(
        local_days(
            &clamp30_common,
            "2023-01-01T00:00:00Z",
            "2023-12-31T00:00:00Z"
        ),
        ["2023-01-30", "2023-02-28", "2023-03-30"]
    );
    // The 29th: February has it in a leap year only.
    let rfc29_leap = monthly("2024-01-29", "FREQ=MONTHLY;COUNT=3", MonthEnd::Rfc);
    assert_eq!(
        local_days(&rfc29_leap, "2024-01-01T00:00:00Z", "2024-12-31T00:00:00Z"),
        ["2024-01-29", "2024-02-29", "2024-03-29"]
    );
    let rfc29_common = monthly("2023-01-29", "FREQ=MONTHLY;COUNT=3", MonthEnd::Rfc);
    assert_eq!(
        local_days(
            &rfc29_common,
            "2023-01-01T00:00:00Z",
            "2023-12-31T00:00:00Z"
        ),
        ["2023-01-29", "2023-03-29", "2023-04-29"]
    );
    let clamp29_common = monthly("2023-01-29", "FREQ=MONTHLY;COUNT=3", MonthEnd::Clamp);
    assert_eq!(
        local_days(
            &clamp29_common,
            "2023-01-01T00:00:00Z",
            "2023-12-31T00:00:00Z"
        ),
        ["2023-01-29", "2023-02-28", "2023-03-29"]
    );
    // Yearly on February 29th: every fourth year by the RFC, every year clamped.
    let yearly_rfc = monthly("2024-02-29", "FREQ=YEARLY;COUNT=2", MonthEnd::Rfc);
    assert_eq!(
        local_days(&yearly_rfc, "2024-01-01T00:00:00Z", "2024-12-31T00:00:00Z"),
        ["2024-02-29"]
    );
    assert_eq!(
        local_days(&yearly_rfc, "2028-01-01T00:00:00Z", "2028-12-31T00:00:00Z"),
        ["2028-02-29"]
    );
    let yearly_clamp = monthly("2024-02-29", "FREQ=YEARLY;COUNT=2", MonthEnd::Clamp);
    assert_eq!(
        local_days(
            &yearly_clamp,
            "2025-01-01T00:00:00Z",
            "2025-12-31T00:00:00Z"
        ),
        ["2025-02-28"]
    );
    // A day every month has is left alone by clamp.
    let clamp28 = monthly("2023-01-28", "FREQ=MONTHLY;COUNT=2", MonthEnd::Clamp);
    assert_eq!(
        local_days(&clamp28, "2023-01-01T00:00:00Z", "2023-12-31T00:00:00Z"),
        ["2023-01-28", "2023-02-28"]
    );
}

#[test]
fn a_clamped_monthly_split_keeps_its_days() {
    let e = monthly("2024-01-31", "FREQ=MONTHLY", MonthEnd::Clamp);
    let s = split(
        &e,
        at("2024-04-30T00:00:00"),
        CalendarEventId(8),
        &EventPatch::default(),
        utc("2024-01-10T00:00:00Z"),
        None,
    )
    .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(
        local_days(&s.ended, "2024-01-01T00:00:00Z", "2024-12-01T00:00:00Z"),
        ["2024-01-31", "2024-02-29", "2024-03-31"]
    );
    assert_eq!(
        local_days(&s.started, "2024-04-01T00:00:00Z", "2024-08-01T00:00:00Z"),
        ["2024-04-30", "2024-05-31", "2024-06-30", "2024-07-31"]
    );
}
