//! REFERENCE-CASES "Business calendars and SLA deadlines": E1–E5, F1–F29, H1–H8 and the two
//! time-zone cases, on calendar S (Monday–Friday 10:00–18:00).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use crm_core::sla::{deadline, Calendar, CompiledCalendar};

fn at(s: &str) -> DateTime<Utc> {
    let fmt = if s.len() > 16 {
        "%Y-%m-%d %H:%M:%S"
    } else {
        "%Y-%m-%d %H:%M"
    };
    NaiveDateTime::parse_from_str(s, fmt)
        .expect("test instant")
        .and_utc()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

/// Calendar S: Monday–Friday 10:00–18:00 in UTC, with `holidays`.
fn calendar_s(holidays: &[&str]) -> CompiledCalendar {
    let mut cal = Calendar::new("UTC").with_weekdays(&[("10:00", "18:00")]);
    cal.holidays = holidays.iter().map(|d| date(d)).collect();
    cal.compile().expect("calendar S")
}

const HOURS: i64 = 3600;

/// (response, resolution) deadlines for targets in seconds.
fn due(
    cal: &CompiledCalendar,
    created: &str,
    targets: (i64, i64),
) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = at(created);
    (
        cal.add_business(start, targets.0),
        cal.add_business(start, targets.1),
    )
}

// ---- E: policy deadlines, holidays 2019-02-11, 2019-03-05, 2019-03-07 ----

fn s_2019() -> CompiledCalendar {
    calendar_s(&["2019-02-11", "2019-03-05", "2019-03-07"])
}

const POLICY_D: (i64, i64) = (4 * HOURS, 6 * HOURS);

#[test]
fn e1_two_and_three_hours_from_noon() {
    let got = due(&s_2019(), "2019-03-04 12:00", (2 * HOURS, 3 * HOURS));
    assert_eq!(got, (at("2019-03-04 14:00"), at("2019-03-04 15:00")));
}

#[test]
fn e2_budget_ending_at_close_is_due_at_close() {
    let got = due(&s_2019(), "2019-03-04 12:00", POLICY_D);
    assert_eq!(got, (at("2019-03-04 16:00"), at("2019-03-04 18:00")));
}

#[test]
fn e3_created_before_opening_counts_from_opening() {
    let cal = s_2019();
    let got = due(&cal, "2019-03-04 07:00", POLICY_D);
    assert_eq!(got, (at("2019-03-04 14:00"), at("2019-03-04 16:00")));
    assert_eq!(
        cal.clock_start(at("2019-03-04 07:00")),
        at("2019-03-04 10:00")
    );
}

#[test]
fn e4_created_after_close_before_a_holiday() {
    let got = due(&s_2019(), "2019-03-04 20:00", POLICY_D);
    assert_eq!(got, (at("2019-03-06 14:00"), at("2019-03-06 16:00")));
}

#[test]
fn e5_resolution_spans_a_holiday_and_is_achieved() {
    let cal = s_2019();
    let (response, resolution) = due(&cal, "2019-03-04 14:00", POLICY_D);
    assert_eq!(response, at("2019-03-04 18:00"));
    assert_eq!(resolution, at("2019-03-06 12:00"));
    let resolved = at("2019-03-04 15:00");
    assert!(resolved <= resolution, "resolution achieved");
}

#[test]
fn pause_outside_hours_moves_nothing() {
    // The peer moved a 16:00 deadline to 16:45 for a hold from 04:15 to 05:00; we do not.
    let cal = s_2019();
    let start = at("2019-03-04 04:00");
    let hold = [(at("2019-03-04 04:15"), at("2019-03-04 05:00"))];
    assert_eq!(
        deadline(start, 6 * HOURS, &cal, &hold),
        at("2019-03-04 16:00")
    );
    assert_eq!(
        deadline(start, 6 * HOURS, &cal, &[]),
        at("2019-03-04 16:00")
    );
}

// ---- F: business seconds between two instants, holidays ignored ----

const F: [(&str, &str, &str, i64); 29] = [
    ("F1", "2021-06-28 11:00", "2021-06-28 12:00", 3600),
    ("F2", "2021-06-28 12:00", "2021-06-28 20:00", 21600),
    ("F3", "2021-06-28 06:00", "2021-06-28 12:00", 7200),
    ("F4", "2021-06-28 19:00", "2021-06-28 20:00", 0),
    ("F5", "2021-06-27 10:00", "2021-06-27 11:00", 0),
    ("F6", "2021-06-28 06:00", "2021-06-29 06:00", 28800),
    ("F7", "2021-06-28 06:00", "2021-06-29 11:00", 32400),
    ("F8", "2021-06-28 06:00", "2021-06-29 20:00", 57600),
    ("F9", "2021-06-25 06:00", "2021-06-26 11:00", 28800),
    ("F10", "2021-06-28 12:00", "2021-06-29 06:00", 21600),
    ("F11", "2021-06-28 12:00", "2021-06-29 11:00", 25200),
    ("F12", "2021-06-28 12:00", "2021-06-29 20:00", 50400),
    ("F13", "2021-06-25 12:00", "2021-06-26 11:00", 21600),
    ("F14", "2021-06-28 20:00", "2021-06-29 06:00", 0),
    ("F15", "2021-06-28 20:00", "2021-06-29 11:00", 3600),
    ("F16", "2021-06-28 20:00", "2021-06-29 20:00", 28800),
    ("F17", "2021-06-25 20:00", "2021-06-26 11:00", 0),
    ("F18", "2021-06-28 06:00", "2021-07-01 06:00", 86400),
    ("F19", "2021-06-28 06:00", "2021-07-01 11:00", 90000),
    ("F20", "2021-06-28 06:00", "2021-07-01 20:00", 115200),
    ("F21", "2021-06-25 06:00", "2021-06-27 11:00", 28800),
    ("F22", "2021-06-28 12:00", "2021-07-01 06:00", 79200),
    ("F23", "2021-06-28 12:00", "2021-07-01 11:00", 82800),
    ("F24", "2021-06-28 12:00", "2021-07-01 20:00", 108000),
    ("F25", "2021-06-25 12:00", "2021-06-27 11:00", 21600),
    ("F26", "2021-06-28 20:00", "2021-07-01 06:00", 57600),
    ("F27", "2021-06-28 20:00", "2021-07-01 11:00", 61200),
    ("F28", "2021-06-28 20:00", "2021-07-01 20:00", 86400),
    ("F29", "2021-06-25 20:00", "2021-06-27 11:00", 0),
];

#[test]
fn f1_to_f29_business_seconds_between() {
    let cal = calendar_s(&[]);
    for (case, from, to, want) in F {
        let (a, b) = (at(from), at(to));
        assert_eq!(cal.business_between(a, b), want, "{case}");
        // Reversed order counts nothing; adding the count back lands no later than `to`.
        assert_eq!(cal.business_between(b, a), 0, "{case} reversed");
        let back = cal.add_business(a, want);
        assert!(back <= b, "{case}: {back} after {b}");
        assert_eq!(cal.business_between(a, back), want, "{case} round trip");
    }
}

// ---- H: per-priority targets, M = Monday 2025-01-06 ----

const LOW: (i64, i64) = (24 * HOURS, 72 * HOURS);
const HIGH: (i64, i64) = (HOURS, 4 * HOURS);
const URGENT: (i64, i64) = (HOURS / 2, 2 * HOURS);

#[test]
fn normal_priority_targets() {
    // normal 8 h / 24 h: one and three full days.
    let got = due(
        &calendar_s(&[]),
        "2025-01-06 10:00",
        (8 * HOURS, 24 * HOURS),
    );
    assert_eq!(got, (at("2025-01-06 18:00"), at("2025-01-08 18:00")));
}

#[test]
fn h1_high_within_hours() {
    let got = due(&calendar_s(&[]), "2025-01-06 11:00", HIGH);
    assert_eq!(got, (at("2025-01-06 12:00"), at("2025-01-06 15:00")));
}

#[test]
fn h2_high_before_opening() {
    let got = due(&calendar_s(&[]), "2025-01-06 08:00", HIGH);
    assert_eq!(got, (at("2025-01-06 11:00"), at("2025-01-06 14:00")));
}

#[test]
fn h3_urgent_after_close() {
    let got = due(&calendar_s(&[]), "2025-01-06 20:00", URGENT);
    assert_eq!(got, (at("2025-01-07 10:30"), at("2025-01-07 12:00")));
}

#[test]
fn h4_low_created_on_saturday() {
    let got = due(&calendar_s(&[]), "2025-01-11 15:00", LOW);
    assert_eq!(got, (at("2025-01-15 18:00"), at("2025-01-23 18:00")));
}

#[test]
fn h5_urgent_friday_late_afternoon() {
    let got = due(&calendar_s(&[]), "2025-01-10 17:00", URGENT);
    assert_eq!(got, (at("2025-01-10 17:30"), at("2025-01-13 11:00")));
}

#[test]
fn h6_high_friday_evening() {
    let got = due(&calendar_s(&[]), "2025-01-10 19:00", HIGH);
    assert_eq!(got, (at("2025-01-13 11:00"), at("2025-01-13 14:00")));
}

#[test]
fn h7_urgent_on_thursday_with_thursday_and_friday_holidays() {
    let cal = calendar_s(&["2025-01-09", "2025-01-10"]);
    let got = due(&cal, "2025-01-09 15:00", URGENT);
    assert_eq!(got, (at("2025-01-13 10:30"), at("2025-01-13 12:00")));
}

#[test]
fn h8_pause_of_3600_versus_3601_business_seconds() {
    let cal = calendar_s(&[]);
    let start = at("2025-01-09 15:00");
    assert_eq!(deadline(start, URGENT.1, &cal, &[]), at("2025-01-09 17:00"));
    let hour = [(at("2025-01-09 15:30"), at("2025-01-09 16:30"))];
    assert_eq!(
        deadline(start, URGENT.1, &cal, &hour),
        at("2025-01-09 18:00")
    );
    let hour_and_a_second = [(at("2025-01-09 15:30"), at("2025-01-09 16:30:01"))];
    assert_eq!(
        deadline(start, URGENT.1, &cal, &hour_and_a_second),
        at("2025-01-10 10:00:01")
    );
    // The same 3600 business seconds as two pauses, one of them spanning the evening.
    let split = [
        (at("2025-01-09 15:00"), at("2025-01-09 15:30")),
        (at("2025-01-08 17:00"), at("2025-01-08 20:00")),
        (at("2025-01-09 16:00"), at("2025-01-09 16:30")),
    ];
    assert_eq!(
        deadline(start, URGENT.1, &cal, &split),
        at("2025-01-09 18:00")
    );
}

// ---- time zones: 120 business minutes, Monday–Friday 09:00–18:00 ----

fn nine_to_six(zone: &str) -> CompiledCalendar {
    Calendar::new(zone)
        .with_weekdays(&[("09:00", "18:00")])
        .compile()
        .expect("calendar")
}

#[test]
fn new_york_clock_starts_at_creation() {
    let cal = nine_to_six("America/New_York");
    let created = at("2007-01-01 22:00");
    assert_eq!(cal.clock_start(created), at("2007-01-01 22:00"));
    assert_eq!(cal.add_business(created, 120 * 60), at("2007-01-02 15:00"));
}

#[test]
fn moscow_clock_starts_at_next_opening() {
    let cal = nine_to_six("Europe/Moscow");
    let created = at("2007-01-01 22:00");
    assert_eq!(cal.clock_start(created), at("2007-01-02 06:00"));
    assert_eq!(cal.add_business(created, 120 * 60), at("2007-01-02 08:00"));
    // Not breached at once: no business time has passed at creation.
    assert_eq!(cal.business_between(created, created), 0);
}
