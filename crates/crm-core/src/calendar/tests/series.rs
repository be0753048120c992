//! Series: BYDAY, COUNT and UNTIL, deleted and moved occurrences, splits, patches.

use super::*;

#[test]
fn weekly_byday_count_and_until() {
    let e = event(
        timed("2024-01-01T10:00:00", "2024-01-01T11:00:00"),
        "Asia/Shanghai",
        Some(("FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=5", MonthEnd::Rfc)),
    );
    assert_eq!(
        local_days(&e, "2023-12-01T00:00:00Z", "2024-03-01T00:00:00Z"),
        [
            "2024-01-01",
            "2024-01-03",
            "2024-01-05",
            "2024-01-08",
            "2024-01-10"
        ]
    );
    // UNTIL is inclusive: an occurrence exactly at UNTIL is kept, the next is not.
    let until = event(
        timed("2024-01-01T10:00:00", "2024-01-01T11:00:00"),
        "Asia/Shanghai",
        Some(("FREQ=WEEKLY;BYDAY=TU;UNTIL=20240116T020000Z", MonthEnd::Rfc)),
    );
    assert_eq!(
        local_days(&until, "2023-12-01T00:00:00Z", "2024-03-01T00:00:00Z"),
        ["2024-01-02", "2024-01-09", "2024-01-16"]
    );
    let before = event(
        timed("2024-01-01T10:00:00", "2024-01-01T11:00:00"),
        "Asia/Shanghai",
        Some(("FREQ=WEEKLY;BYDAY=TU;UNTIL=20240116T015959Z", MonthEnd::Rfc)),
    );
    assert_eq!(
        local_days(&before, "2023-12-01T00:00:00Z", "2024-03-01T00:00:00Z"),
        ["2024-01-02", "2024-01-09"]
    );
    // All-day series take a date as UNTIL (the day included).
    let days = event(
        all_day("2024-01-01", "2024-01-01"),
        "Asia/Shanghai",
        Some(("FREQ=DAILY;INTERVAL=2;UNTIL=20240105", MonthEnd::Rfc)),
    );
    assert_eq!(
        local_days(&days, "2023-12-01T00:00:00Z", "2024-03-01T00:00:00Z"),
        ["2024-01-01", "2024-01-03", "2024-01-05"]
    );
}

#[test]
fn deleted_and_moved_occurrences() {
    let mut e = event(
        timed("2024-01-01T10:00:00", "2024-01-01T11:00:00"),
        "Asia/Shanghai",
        Some(("FREQ=DAILY;COUNT=5", MonthEnd::Rfc)),
    );
    e.set_exception(Exception {
        original_start: at("2024-01-02T10:00:00"),
        change: ExceptionChange::Deleted,
    });
    // The 4th moves to the 10th, beyond the series' end, under its own title.
    e.set_exception(Exception {
        original_start: at("2024-01-04T10:00:00"),
        change: ExceptionChange::Moved {
            time: timed("2024-01-10T15:00:00", "2024-01-10T16:30:00"),
            title: Some("moved standup".into()),
        },
    });
    let got = expand(&e, "2023-12-31T00:00:00Z", "2024-01-31T00:00:00Z");
    let seen: Vec<(String, bool, String)> = got
        .iter()
        .map(|o| (o.local_start.to_string(), o.moved, o.title.clone()))
        .collect();
    assert_eq!(
        seen,
        [
            (
                "2024-01-01 10:00:00".to_string(),
                false,
                "standup".to_string()
            ),
            ("2024-01-03 10:00:00".into(), false, "standup".into()),
            ("2024-01-05 10:00:00".into(), false, "standup".into()),
            ("2024-01-10 15:00:00".into(), true, "moved standup".into()),
        ]
    );
    assert!(got
        .iter()
        .any(|o| o.original_start == at("2024-01-04T10:00:00") && o.moved));
    // The moved one is found by its new time only.
    assert!(expand(&e, "2024-01-04T00:00:00Z", "2024-01-05T00:00:00Z").is_empty());
    // The series' span reaches the moved occurrence's end.
    let (_, last) = e.span().unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(
        last.map(|l| l.to_rfc3339()).as_deref(),
        Some("2024-01-10T08:30:00+00:00")
    );
    assert!(is_occurrence(&e, at("2024-01-03T10:00:00")).unwrap_or(false));
    assert!(!is_occurrence(&e, at("2024-01-03T10:30:00")).unwrap_or(true));
    assert!(!is_occurrence(&e, at("2024-01-06T10:00:00")).unwrap_or(true));
}

#[test]
fn a_split_keeps_the_earlier_occurrences_and_changes_the_later() {
    let mut e = event(
        timed("2024-01-01T10:00:00", "2024-01-01T11:00:00"),
        "Europe/Berlin",
        Some(("FREQ=WEEKLY;COUNT=6", MonthEnd::Rfc)),
    );
    e.set_exception(Exception {
        original_start: at("2024-01-08T10:00:00"),
        change: ExceptionChange::Deleted,
    });
    e.set_exception(Exception {
        original_start: at("2024-01-29T10:00:00"),
        change: ExceptionChange::Deleted,
    });
    let patch = EventPatch {
        title: Some("new standup".into()),
        ..EventPatch::default()
    };
    let now = utc("2024-01-10T00:00:00Z");
    let s = split(
        &e,
        at("2024-01-22T10:00:00"),
        CalendarEventId(8),
        &patch,
        now,
        None,
    )
    .unwrap_or_else(|err| panic!("{err}"));
    let range = ("2023-12-01T00:00:00Z", "2024-06-01T00:00:00Z");
    assert_eq!(
        local_days(&s.ended, range.0, range.1),
        ["2024-01-01", "2024-01-15"]
    );
    let later = expand(&s.started, range.0, range.1);
    let later: Vec<(String, String)> = later
        .iter()
        .map(|o| (o.local_start.date().to_string(), o.title.clone()))
        .collect();
    assert_eq!(
        later,
        [
            ("2024-01-22".to_string(), "new standup".to_string()),
            ("2024-02-05".into(), "new standup".into()),
        ]
    );
    assert_eq!(s.ended.exceptions.len(), 1);
    assert_eq!(s.started.exceptions.len(), 1);
    assert_eq!(s.started.split_from, Some(e.id));
    assert_eq!(s.started.id, CalendarEventId(8));
    // COUNT 6 less the 3 the first part keeps (one of them deleted).
    assert!(s
        .started
        .recurrence
        .as_ref()
        .is_some_and(|r| r.rule.contains("COUNT=3")));
    assert!(s
        .ended
        .recurrence
        .as_ref()
        .is_some_and(|r| r.rule.contains("UNTIL=") && !r.rule.contains("COUNT")));
    // Not at the first occurrence, not at a time that is no occurrence, not a one-off.
    let first = split(
        &e,
        at("2024-01-01T10:00:00"),
        CalendarEventId(8),
        &patch,
        now,
        None,
    );
    assert!(matches!(first, Err(CrmError::Validation { field, .. }) if field == "original_start"));
    let off = split(
        &e,
        at("2024-01-22T11:00:00"),
        CalendarEventId(8),
        &patch,
        now,
        None,
    );
    assert!(matches!(off, Err(CrmError::Validation { field, .. }) if field == "original_start"));
    let once = event(
        timed("2024-01-01T10:00:00", "2024-01-01T11:00:00"),
        "UTC",
        None,
    );
    let refused = split(
        &once,
        at("2024-01-01T10:00:00"),
        CalendarEventId(8),
        &patch,
        now,
        None,
    );
    assert!(
        matches!(refused, Err(CrmError::RuleViolation { rule, .. }) if rule == "not_recurring")
    );
}

#[test]
fn patches_drop_exceptions_only_when_starts_change() {
    let mut e = event(
        timed("2024-01-01T10:00:00", "2024-01-01T11:00:00"),
        "UTC",
        Some(("FREQ=DAILY", MonthEnd::Rfc)),
    );
    e.set_exception(Exception {
        original_start: at("2024-01-02T10:00:00"),
        change: ExceptionChange::Deleted,
    });
    let longer = EventPatch {
        time: Some(timed("2024-01-01T10:00:00", "2024-01-01T12:00:00")),
        title: Some("longer".into()),
        ..EventPatch::default()
    };
    let mut kept = e.clone();
    longer
        .apply(&mut kept)
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(kept.exceptions.len(), 1);
    let later = EventPatch {
        time: Some(timed("2024-01-01T11:00:00", "2024-01-01T12:00:00")),
        ..EventPatch::default()
    };
    let mut dropped = e.clone();
    later
        .apply(&mut dropped)
        .unwrap_or_else(|err| panic!("{err}"));
    assert!(dropped.exceptions.is_empty());
    // A bad rule in a patch is refused by name.
    let bad = EventPatch {
        recurrence: Some(Recurrence {
            rule: "FREQ=DAILY;BYDAY=XX".into(),
            month_end: MonthEnd::Rfc,
        }),
        ..EventPatch::default()
    };
    let mut refused = e.clone();
    assert!(
        matches!(bad.apply(&mut refused), Err(CrmError::Validation { field, .. }) if field == "recurrence")
    );
    // A blank rule makes it one-off.
    let once = EventPatch {
        recurrence: Some(Recurrence {
            rule: " ".into(),
            month_end: MonthEnd::Rfc,
        }),
        ..EventPatch::default()
    };
    let mut one = e.clone();
    once.apply(&mut one).unwrap_or_else(|err| panic!("{err}"));
    assert!(one.recurrence.is_none());
}
