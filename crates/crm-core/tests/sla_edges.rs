//! Edge cases of business calendars: DST in America/Los_Angeles and Europe/Berlin, 24/7
//! calendars, overnight shifts, holidays as local dates, overrides, boundaries, validation.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use crm_core::sla::{Calendar, CompiledCalendar, WorkInterval};
use crm_core::CrmError;

const HOUR: i64 = 3600;

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

/// A local wall-clock time that exists exactly once in `zone`, as UTC.
fn local(zone: &str, s: &str) -> DateTime<Utc> {
    let tz: Tz = zone.parse().expect("zone");
    let naive = at(s).naive_utc();
    tz.from_local_datetime(&naive)
        .single()
        .expect("unambiguous local time")
        .with_timezone(&Utc)
}

const ALL_DAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

fn every_day(zone: &str, intervals: &[(&str, &str)]) -> CompiledCalendar {
    Calendar::new(zone)
        .with_days(&ALL_DAYS, intervals)
        .compile()
        .expect("calendar")
}

fn sundays(zone: &str, intervals: &[(&str, &str)]) -> CompiledCalendar {
    Calendar::new(zone)
        .with_days(&[Weekday::Sun], intervals)
        .compile()
        .expect("calendar")
}

// ---- DST ----

#[test]
fn los_angeles_24_7_days_have_their_real_length() {
    let cal = every_day("America/Los_Angeles", &[("00:00", "24:00")]);
    let day = |d: &str, next: &str| {
        cal.business_between(
            local("America/Los_Angeles", &format!("{d} 00:00")),
            local("America/Los_Angeles", &format!("{next} 00:00")),
        )
    };
    assert_eq!(day("2024-03-09", "2024-03-10"), 24 * HOUR);
    assert_eq!(day("2024-03-10", "2024-03-11"), 23 * HOUR, "spring forward");
    assert_eq!(day("2024-11-03", "2024-11-04"), 25 * HOUR, "fall back");
    // Every second counts: a week across the change is its real elapsed length.
    let (a, b) = (at("2024-03-07 05:00"), at("2024-03-14 04:00"));
    assert_eq!(cal.business_between(a, b), (b - a).num_seconds());
    assert_eq!(cal.add_business(a, (b - a).num_seconds()), b);
}

#[test]
fn berlin_24_7_days_have_their_real_length() {
    let cal = every_day("Europe/Berlin", &[("00:00", "24:00")]);
    let day = |d: &str, next: &str| {
        cal.business_between(
            local("Europe/Berlin", &format!("{d} 00:00")),
            local("Europe/Berlin", &format!("{next} 00:00")),
        )
    };
    assert_eq!(day("2024-03-31", "2024-04-01"), 23 * HOUR);
    assert_eq!(day("2024-10-27", "2024-10-28"), 25 * HOUR);
    assert_eq!(day("2024-10-28", "2024-10-29"), 24 * HOUR);
}

#[test]
fn los_angeles_interval_spanning_the_transition() {
    // Sunday 01:00-05:00: 3 real hours on 2024-03-10, 5 on 2024-11-03.
    let cal = sundays("America/Los_Angeles", &[("01:00", "05:00")]);
    let spring = (at("2024-03-10 00:00"), at("2024-03-11 00:00"));
    assert_eq!(cal.business_between(spring.0, spring.1), 3 * HOUR);
    assert_eq!(cal.clock_start(spring.0), at("2024-03-10 09:00")); // 01:00 PST
    assert_eq!(cal.add_business(spring.0, 3 * HOUR), at("2024-03-10 12:00")); // 05:00 PDT
    let fall = (at("2024-11-03 00:00"), at("2024-11-04 00:00"));
    assert_eq!(cal.business_between(fall.0, fall.1), 5 * HOUR);
    assert_eq!(cal.clock_start(fall.0), at("2024-11-03 08:00")); // first 01:00 (PDT)
    assert_eq!(cal.add_business(fall.0, 5 * HOUR), at("2024-11-03 13:00")); // 05:00 PST
                                                                            // An ordinary Sunday: 4 hours.
    let normal = (at("2024-03-17 00:00"), at("2024-03-18 00:00"));
    assert_eq!(cal.business_between(normal.0, normal.1), 4 * HOUR);
}

#[test]
fn los_angeles_interval_starting_in_the_gap_shifts_forward_by_the_gap() {
    // 02:30 does not exist on 2024-03-10: as in java.time, it is 03:30 PDT (10:30 UTC).
    let cal = sundays("America/Los_Angeles", &[("02:30", "06:00")]);
    assert!(!cal.is_open(at("2024-03-10 10:29:59")));
    assert!(cal.is_open(at("2024-03-10 10:30")));
    assert_eq!(
        cal.clock_start(at("2024-03-10 08:00")),
        at("2024-03-10 10:30")
    );
    assert_eq!(
        cal.business_between(at("2024-03-10 00:00"), at("2024-03-11 00:00")),
        2 * HOUR + HOUR / 2
    );
    // Ending in the gap: 00:00-02:30 closes at 03:30 PDT, two and a half real hours.
    let cal = sundays("America/Los_Angeles", &[("00:00", "02:30")]);
    assert_eq!(
        cal.business_between(at("2024-03-10 00:00"), at("2024-03-11 00:00")),
        2 * HOUR + HOUR / 2
    );
    assert_eq!(
        cal.add_business(at("2024-03-10 00:00"), 2 * HOUR + HOUR / 2),
        at("2024-03-10 10:30")
    );
}

/// One slot `start`–06:00 every day; on `date` (local) it opens at `opens` and closes at
/// `closes` (UTC), and `add_business`/`business_between` agree on it.
fn assert_slot(zone: &str, start: &str, date: &str, opens: &str, closes: &str) {
    let cal = every_day(zone, &[(start, "06:00")]);
    let tz: Tz = zone.parse().expect("zone");
    let midnight = tz
        .from_local_datetime(&date_time(date))
        .earliest()
        .expect("midnight exists")
        .with_timezone(&Utc);
    let (opens, closes) = (at(opens), at(closes));
    let case = format!("{zone} {start} on {date}");
    assert_eq!(cal.clock_start(midnight), opens, "{case}");
    let len = (closes - opens).num_seconds();
    assert_eq!(cal.business_between(midnight, closes), len, "{case}");
    assert_eq!(cal.add_business(midnight, len), closes, "{case}");
    assert!(!cal.is_open(opens - TimeDelta::seconds(1)), "{case}");
    assert!(!cal.is_open(closes), "{case}");
}

fn date_time(d: &str) -> NaiveDateTime {
    date(d).and_hms_opt(0, 0, 0).expect("midnight")
}

#[test]
fn slots_at_the_edges_of_the_gap_in_los_angeles() {
    // 2014-03-09: 02:00 PST jumps to 03:00 PDT at 10:00 UTC.
    let z = "America/Los_Angeles";
    assert_slot(
        z,
        "01:59",
        "2014-03-09",
        "2014-03-09 09:59",
        "2014-03-09 13:00",
    );
    assert_slot(
        z,
        "02:00",
        "2014-03-09",
        "2014-03-09 10:00",
        "2014-03-09 13:00",
    );
    assert_slot(
        z,
        "02:30",
        "2014-03-09",
        "2014-03-09 10:30",
        "2014-03-09 13:00",
    );
    assert_slot(
        z,
        "03:00",
        "2014-03-09",
        "2014-03-09 10:00",
        "2014-03-09 13:00",
    );
    // The day after, all PDT.
    assert_slot(
        z,
        "01:59",
        "2014-03-10",
        "2014-03-10 08:59",
        "2014-03-10 13:00",
    );
    assert_slot(
        z,
        "02:00",
        "2014-03-10",
        "2014-03-10 09:00",
        "2014-03-10 13:00",
    );
    assert_slot(
        z,
        "02:30",
        "2014-03-10",
        "2014-03-10 09:30",
        "2014-03-10 13:00",
    );
    assert_slot(
        z,
        "03:00",
        "2014-03-10",
        "2014-03-10 10:00",
        "2014-03-10 13:00",
    );
    // The day before, all PST.
    assert_slot(
        z,
        "02:30",
        "2014-03-08",
        "2014-03-08 10:30",
        "2014-03-08 14:00",
    );
}

#[test]
fn slots_at_the_edges_of_the_gap_in_berlin() {
    // 2014-03-30: 02:00 CET jumps to 03:00 CEST at 01:00 UTC.
    let z = "Europe/Berlin";
    assert_slot(
        z,
        "01:59",
        "2014-03-30",
        "2014-03-30 00:59",
        "2014-03-30 04:00",
    );
    assert_slot(
        z,
        "02:00",
        "2014-03-30",
        "2014-03-30 01:00",
        "2014-03-30 04:00",
    );
    assert_slot(
        z,
        "02:30",
        "2014-03-30",
        "2014-03-30 01:30",
        "2014-03-30 04:00",
    );
    assert_slot(
        z,
        "03:00",
        "2014-03-30",
        "2014-03-30 01:00",
        "2014-03-30 04:00",
    );
    assert_slot(
        z,
        "01:59",
        "2014-03-31",
        "2014-03-30 23:59",
        "2014-03-31 04:00",
    );
    assert_slot(
        z,
        "02:00",
        "2014-03-31",
        "2014-03-31 00:00",
        "2014-03-31 04:00",
    );
    assert_slot(
        z,
        "02:30",
        "2014-03-31",
        "2014-03-31 00:30",
        "2014-03-31 04:00",
    );
    assert_slot(
        z,
        "03:00",
        "2014-03-31",
        "2014-03-31 01:00",
        "2014-03-31 04:00",
    );
}

#[test]
fn slots_inside_the_gap_move_forward_whole() {
    // 02:10-02:50 and 02:30-03:00 do not exist on 2014-03-09 in Los Angeles: they run at
    // 03:10-03:50 and 03:30-04:00 PDT, not dropped.
    let day = (at("2014-03-09 08:00"), at("2014-03-10 08:00"));
    for (slot, opens, closes) in [
        (("02:10", "02:50"), "2014-03-09 10:10", "2014-03-09 10:50"),
        (("02:30", "03:00"), "2014-03-09 10:30", "2014-03-09 11:00"),
        (("02:00", "03:00"), "2014-03-09 10:00", "2014-03-09 11:00"),
    ] {
        let cal = sundays("America/Los_Angeles", &[slot]);
        assert_eq!(cal.clock_start(day.0), at(opens), "{slot:?}");
        let len = (at(closes) - at(opens)).num_seconds();
        assert_eq!(cal.business_between(day.0, day.1), len, "{slot:?}");
        assert_eq!(cal.add_business(day.0, len), at(closes), "{slot:?}");
    }
    // Berlin, 2014-03-30: 02:15-02:45 runs at 03:15-03:45 CEST.
    let cal = sundays("Europe/Berlin", &[("02:15", "02:45")]);
    let a = at("2014-03-29 12:00");
    assert_eq!(cal.clock_start(a), at("2014-03-30 01:15"));
    assert_eq!(cal.add_business(a, HOUR / 2), at("2014-03-30 01:45"));
}

#[test]
fn los_angeles_ambiguous_times_take_the_first_occurrence() {
    // 01:30-03:00 on 2024-11-03: from 01:30 PDT (08:30 UTC) to 03:00 PST (11:00 UTC).
    let cal = sundays("America/Los_Angeles", &[("01:30", "03:00")]);
    assert_eq!(
        cal.clock_start(at("2024-11-03 00:00")),
        at("2024-11-03 08:30")
    );
    assert_eq!(
        cal.add_business(at("2024-11-03 00:00"), 1),
        at("2024-11-03 08:30:01")
    );
    assert_eq!(
        cal.business_between(at("2024-11-03 00:00"), at("2024-11-04 00:00")),
        2 * HOUR + HOUR / 2
    );
    // 00:00-01:30 ends at the first 01:30.
    let cal = sundays("America/Los_Angeles", &[("00:00", "01:30")]);
    assert_eq!(
        cal.add_business(at("2024-11-03 00:00"), 90 * 60),
        at("2024-11-03 08:30")
    );
}

#[test]
fn berlin_interval_spanning_and_starting_in_the_gap_shifts_forward() {
    // 2024-03-31: 02:00 CET jumps to 03:00 CEST at 01:00 UTC.
    let cal = sundays("Europe/Berlin", &[("01:00", "05:00")]);
    let (a, b) = (at("2024-03-30 12:00"), at("2024-03-31 12:00"));
    assert_eq!(cal.business_between(a, b), 3 * HOUR);
    assert_eq!(cal.add_business(a, 3 * HOUR), at("2024-03-31 03:00")); // 05:00 CEST
    let cal = sundays("Europe/Berlin", &[("02:15", "04:00")]);
    assert_eq!(cal.clock_start(a), at("2024-03-31 01:15")); // 03:15 CEST
    assert_eq!(cal.business_between(a, b), 3 * HOUR / 4);
    // 2024-10-27: 03:00 CEST falls back to 02:00 CET at 01:00 UTC.
    let cal = sundays("Europe/Berlin", &[("01:00", "05:00")]);
    let (a, b) = (at("2024-10-26 12:00"), at("2024-10-27 12:00"));
    assert_eq!(cal.business_between(a, b), 5 * HOUR);
    let cal = sundays("Europe/Berlin", &[("02:30", "04:00")]);
    assert_eq!(cal.clock_start(a), at("2024-10-27 00:30")); // first 02:30 (CEST)
    assert_eq!(cal.business_between(a, b), 2 * HOUR + HOUR / 2);
}

#[test]
fn weekday_deadline_across_spring_forward() {
    let cal = Calendar::new("America/Los_Angeles")
        .with_weekdays(&[("09:00", "17:00")])
        .compile()
        .expect("calendar");
    // Friday 16:00 PST + 2 h = Monday 10:00 PDT.
    let start = local("America/Los_Angeles", "2024-03-08 16:00");
    let due = cal.add_business(start, 2 * HOUR);
    assert_eq!(due, local("America/Los_Angeles", "2024-03-11 10:00"));
    assert_eq!(due, at("2024-03-11 17:00"));
    assert_eq!(cal.business_between(start, due), 2 * HOUR);
}

// ---- 24/7, overnight shifts ----

#[test]
fn all_day_is_not_closed_one_minute_a_day() {
    let full = every_day("UTC", &[("00:00", "24:00")]);
    let short = every_day("UTC", &[("00:00", "23:59")]);
    let (a, b) = (at("2024-01-01 00:00"), at("2024-01-08 00:00"));
    assert_eq!(full.business_between(a, b), 7 * 24 * HOUR);
    assert_eq!(short.business_between(a, b), 7 * 24 * HOUR - 7 * 60);
    assert_eq!(full.add_business(a, 7 * 24 * HOUR), b);
    assert!(full.is_open(at("2024-01-01 23:59:30")));
    assert!(!short.is_open(at("2024-01-01 23:59:30")));
    // Thirty days of budget on a 24/7 calendar is thirty wall-clock days.
    assert_eq!(full.add_business(a, 30 * 24 * HOUR), at("2024-01-31 00:00"));
}

#[test]
fn overnight_shift_continues_into_the_next_weekday() {
    let cal = Calendar::new("UTC")
        .with_weekdays(&[("22:00", "06:00")])
        .compile()
        .expect("calendar");
    // 2024-01-01 is a Monday. Monday 00:00-06:00 belongs to Sunday's (absent) shift.
    assert!(!cal.is_open(at("2024-01-01 03:00")));
    assert!(cal.is_open(at("2024-01-01 23:00")));
    assert!(cal.is_open(at("2024-01-02 05:59:59")));
    assert!(!cal.is_open(at("2024-01-02 06:00")));
    assert_eq!(
        cal.add_business(at("2024-01-01 23:00"), 3 * HOUR),
        at("2024-01-02 02:00")
    );
    assert_eq!(
        cal.add_business(at("2024-01-02 05:00"), 2 * HOUR),
        at("2024-01-02 23:00")
    );
    // Friday's shift runs into Saturday morning; then nothing until Monday 22:00.
    assert_eq!(
        cal.add_business(at("2024-01-06 05:00"), 2 * HOUR),
        at("2024-01-08 23:00")
    );
    assert_eq!(
        cal.business_between(at("2024-01-01 00:00"), at("2024-01-08 00:00")),
        5 * 8 * HOUR
    );
    assert_eq!(cal.weekly_seconds(), 5 * 8 * HOUR);
}

#[test]
fn overnight_shift_and_holidays() {
    // A holiday on Tuesday closes Tuesday's early hours (Monday's shift tail) and starts no
    // shift on Tuesday night.
    let cal = Calendar::new("UTC")
        .with_weekdays(&[("22:00", "06:00")])
        .with_holiday(date("2024-01-02"))
        .compile()
        .expect("calendar");
    assert!(cal.is_open(at("2024-01-01 23:00")));
    assert!(!cal.is_open(at("2024-01-02 01:00")));
    assert!(!cal.is_open(at("2024-01-02 23:00")));
    assert!(!cal.is_open(at("2024-01-03 01:00")));
    assert!(cal.is_open(at("2024-01-03 23:00")));
}

// ---- holidays ----

#[test]
fn holiday_on_the_creation_day() {
    let cal = Calendar::new("UTC")
        .with_weekdays(&[("10:00", "18:00")])
        .with_holiday(date("2024-01-03"))
        .compile()
        .expect("calendar");
    let created = at("2024-01-03 11:00");
    assert!(!cal.is_open(created));
    assert_eq!(cal.clock_start(created), at("2024-01-04 10:00"));
    assert_eq!(cal.add_business(created, HOUR), at("2024-01-04 11:00"));
    assert_eq!(
        cal.business_between(at("2024-01-03 00:00"), at("2024-01-04 00:00")),
        0
    );
}

#[test]
fn holiday_closes_the_local_date_not_the_utc_date() {
    // Asia/Shanghai is UTC+8: local 2024-10-01 is 2024-09-30 16:00 .. 2024-10-01 16:00 UTC.
    let cal = Calendar::new("Asia/Shanghai")
        .with_weekdays(&[("09:00", "18:00")])
        .with_holiday(date("2024-10-01"))
        .compile()
        .expect("calendar");
    assert!(cal.is_open(at("2024-09-30 01:00")), "Monday 09:00 local");
    assert!(
        cal.is_open(at("2024-09-30 09:59:59")),
        "Monday 17:59:59 local"
    );
    assert!(!cal.is_open(at("2024-10-01 01:00")), "holiday 09:00 local");
    assert!(!cal.is_open(at("2024-10-01 09:59")), "holiday 17:59 local");
    assert!(cal.is_open(at("2024-10-02 01:00")), "Wednesday 09:00 local");
    assert_eq!(
        cal.add_business(at("2024-09-30 09:00"), 2 * HOUR),
        at("2024-10-02 02:00")
    );
    // UTC-4: local 2024-07-04 is 04:00 UTC .. next day 04:00 UTC.
    let cal = Calendar::new("America/New_York")
        .with_weekdays(&[("09:00", "18:00")])
        .with_holiday(date("2024-07-04"))
        .compile()
        .expect("calendar");
    assert!(cal.is_open(at("2024-07-03 21:00")), "Wednesday 17:00 local");
    assert!(!cal.is_open(at("2024-07-04 13:00")), "holiday 09:00 local");
    assert!(!cal.is_open(at("2024-07-04 21:00")), "holiday 17:00 local");
    assert!(cal.is_open(at("2024-07-05 13:00")), "Friday 09:00 local");
}

// ---- boundaries ----

#[test]
fn creation_exactly_at_opening_and_at_closing() {
    let cal = Calendar::new("UTC")
        .with_weekdays(&[("10:00", "18:00")])
        .compile()
        .expect("calendar");
    // 2024-01-01 is a Monday.
    assert_eq!(
        cal.add_business(at("2024-01-01 10:00"), HOUR),
        at("2024-01-01 11:00")
    );
    assert_eq!(
        cal.clock_start(at("2024-01-01 10:00")),
        at("2024-01-01 10:00")
    );
    assert_eq!(
        cal.add_business(at("2024-01-01 18:00"), HOUR),
        at("2024-01-02 11:00")
    );
    assert_eq!(
        cal.clock_start(at("2024-01-01 18:00")),
        at("2024-01-02 10:00")
    );
    assert!(cal.is_open(at("2024-01-01 17:59:59")));
    assert!(!cal.is_open(at("2024-01-01 18:00")));
    assert_eq!(
        cal.business_between(at("2024-01-01 17:00"), at("2024-01-01 18:00")),
        HOUR
    );
}

#[test]
fn budgets_ending_exactly_at_a_period_end() {
    let cal = Calendar::new("UTC")
        .with_weekdays(&[("09:00", "12:00"), ("13:00", "18:00")])
        .compile()
        .expect("calendar");
    assert_eq!(
        cal.add_business(at("2024-01-01 10:00"), 2 * HOUR),
        at("2024-01-01 12:00")
    );
    assert_eq!(
        cal.add_business(at("2024-01-01 10:00"), 2 * HOUR + 1),
        at("2024-01-01 13:00:01")
    );
    assert_eq!(
        cal.add_business(at("2024-01-01 10:00"), 7 * HOUR),
        at("2024-01-01 18:00")
    );
    // Friday close, a whole week of budget: due at the following Friday's close.
    assert_eq!(
        cal.add_business(at("2024-01-05 18:00"), 40 * HOUR),
        at("2024-01-12 18:00")
    );
    let convention = Calendar::new("UTC")
        .with_weekdays(&[("10:00", "18:00")])
        .compile()
        .expect("calendar");
    assert_eq!(
        convention.add_business(at("2024-01-01 14:00"), 4 * HOUR),
        at("2024-01-01 18:00")
    );
}

#[test]
fn zero_budget_is_due_at_the_start_and_the_clock_starts_at_opening() {
    let cal = Calendar::new("UTC")
        .with_weekdays(&[("10:00", "18:00")])
        .compile()
        .expect("calendar");
    let early = at("2024-01-01 07:00");
    assert_eq!(cal.add_business(early, 0), early);
    assert_eq!(cal.add_business(early, -5), early);
    assert_eq!(cal.clock_start(early), at("2024-01-01 10:00"));
    assert_eq!(cal.business_between(early, at("2024-01-01 10:00")), 0);
}

#[test]
fn sub_second_parts_are_dropped() {
    let cal = every_day("UTC", &[("00:00", "24:00")]);
    let start = at("2024-01-01 10:00") + TimeDelta::milliseconds(700);
    assert_eq!(cal.add_business(start, 10), at("2024-01-01 10:00:10"));
    assert_eq!(cal.business_between(start, at("2024-01-01 10:00:10")), 10);
    assert_eq!(cal.add_business(start, 0), start);
}

// ---- overrides ----

#[test]
fn overrides_open_a_weekend_day_and_close_a_weekday() {
    let cal = Calendar::new("Europe/Berlin")
        .with_weekdays(&[("09:00", "17:00")])
        .with_override(date("2024-01-06"), &[("10:00", "14:00")]) // Saturday
        .with_override(date("2024-01-08"), &[]) // Monday closed
        .with_override(date("2024-01-09"), &[("12:00", "13:00")]) // short Tuesday
        .compile()
        .expect("calendar");
    // Friday 16:00 CET (15:00 UTC) + 3 h: 1 h Friday, 2 h Saturday from 10:00 CET.
    assert_eq!(
        cal.add_business(at("2024-01-05 15:00"), 3 * HOUR),
        at("2024-01-06 11:00")
    );
    // Saturday 14:00 onwards: nothing Sunday or Monday; Tuesday 12:00-13:00; Wednesday.
    assert_eq!(
        cal.add_business(at("2024-01-06 13:00"), 2 * HOUR),
        at("2024-01-10 09:00")
    );
    assert_eq!(
        cal.business_between(at("2024-01-08 00:00"), at("2024-01-10 00:00")),
        HOUR
    );
}

#[test]
fn override_with_an_overnight_interval_and_a_holiday_next_day() {
    let cal = Calendar::new("UTC")
        .with_weekdays(&[("09:00", "17:00")])
        .with_override(date("2024-01-06"), &[("20:00", "04:00")]) // Saturday night
        .compile()
        .expect("calendar");
    assert!(
        cal.is_open(at("2024-01-07 03:00")),
        "Sunday morning from Saturday's shift"
    );
    assert_eq!(
        cal.business_between(at("2024-01-06 00:00"), at("2024-01-08 00:00")),
        8 * HOUR
    );
    let cal = Calendar::new("UTC")
        .with_weekdays(&[("09:00", "17:00")])
        .with_override(date("2024-01-06"), &[("20:00", "04:00")])
        .with_holiday(date("2024-01-07"))
        .compile()
        .expect("calendar");
    assert!(
        !cal.is_open(at("2024-01-07 03:00")),
        "a holiday owns its date"
    );
}

// ---- validation ----

fn field_of(cal: &Calendar) -> String {
    match cal.compile() {
        Err(CrmError::Validation { field, .. }) => field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn validation_names_the_field() {
    let base = || Calendar::new("UTC").with_weekdays(&[("09:00", "12:00"), ("13:00", "18:00")]);
    let mut bad_zone = base();
    bad_zone.time_zone = "Mars/Olympus".into();
    assert_eq!(field_of(&bad_zone), "calendar.time_zone");

    let mut bad_end = base();
    bad_end.monday[1].end = "25:00".into();
    assert_eq!(field_of(&bad_end), "calendar.monday[1].end");

    let mut bad_start = base();
    bad_start.friday[0].start = "9h".into();
    assert_eq!(field_of(&bad_start), "calendar.friday[0].start");

    let mut start_24 = base();
    start_24.sunday = vec![WorkInterval::new("24:00", "24:00")];
    assert_eq!(field_of(&start_24), "calendar.sunday[0].start");

    let mut empty = base();
    empty.tuesday[0].end = "09:00".into();
    assert_eq!(field_of(&empty), "calendar.tuesday[0].end");

    let mut overlap = base();
    overlap.wednesday[1].start = "11:00".into();
    assert_eq!(field_of(&overlap), "calendar.wednesday[1]");

    let mut overnight_overlap = base();
    overnight_overlap
        .monday
        .push(WorkInterval::new("22:00", "10:00"));
    assert_eq!(field_of(&overnight_overlap), "calendar.tuesday[0]");

    let nothing = Calendar::new("UTC");
    assert_eq!(field_of(&nothing), "calendar");

    let only_override =
        Calendar::new("UTC").with_override(date("2024-01-01"), &[("09:00", "10:00")]);
    assert_eq!(field_of(&only_override), "calendar");

    let bad_override = base().with_override(date("2024-01-06"), &[("10:00", "x")]);
    assert_eq!(
        field_of(&bad_override),
        "calendar.overrides[0].intervals[0].end"
    );

    let twice = base()
        .with_override(date("2024-01-06"), &[])
        .with_override(date("2024-01-06"), &[("10:00", "11:00")]);
    assert_eq!(field_of(&twice), "calendar.overrides[1].date");

    let clash = base()
        .with_holiday(date("2024-01-06"))
        .with_override(date("2024-01-06"), &[]);
    assert_eq!(field_of(&clash), "calendar.overrides[0].date");

    assert!(base().validate().is_ok());
    let seconds = Calendar::new("UTC").with_weekdays(&[("09:00:30", "17:59:59")]);
    assert_eq!(
        seconds.compile().expect("seconds allowed").weekly_seconds(),
        5 * (8 * HOUR + 59 * 60 + 29)
    );
}

#[test]
fn serde_round_trip() {
    let json = r#"{
        "time_zone": "Asia/Shanghai",
        "monday": [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "18:00"}],
        "saturday": [{"start": "22:00", "end": "06:00"}],
        "holidays": ["2024-10-01"],
        "overrides": [{"date": "2024-10-12", "intervals": [{"start": "09:00", "end": "18:00"}]}]
    }"#;
    let cal: Calendar = serde_json::from_str(json).expect("parse");
    assert_eq!(cal.monday.len(), 2);
    assert_eq!(cal.holidays, vec![date("2024-10-01")]);
    let again: Calendar =
        serde_json::from_str(&serde_json::to_string(&cal).expect("serialize")).expect("parse");
    assert_eq!(again, cal);
    let compiled = cal.compile().expect("valid");
    assert_eq!(compiled.time_zone(), chrono_tz::Asia::Shanghai);
    assert!(serde_json::from_str::<Calendar>(r#"{"time_zone": "UTC", "monady": []}"#).is_err());
}
