//! Property tests of business-calendar arithmetic on random calendars (random intervals,
//! overnight shifts, holidays, overrides, zones with and without DST) and random instants:
//! exact consistency of `add_business` and `business_between`, monotonicity, additivity,
//! pauses, and agreement with a naive day-by-day oracle built directly on chrono-tz.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::{GapInfo, Tz};
use crm_core::sla::{deadline, elapsed_business, Calendar, CompiledCalendar, WorkInterval};
use proptest::prelude::*;

const DAY: i64 = 86_400;

const ZONES: [&str; 18] = [
    "UTC",
    "America/Los_Angeles",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "America/Sao_Paulo",
    "America/Havana",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Europe/Dublin",
    "Africa/Casablanca",
    "America/St_Johns",
    "Pacific/Apia",
    "Europe/Moscow",
    "Asia/Shanghai",
    "Asia/Tehran",
    "Pacific/Chatham",
];

/// A random calendar in plain terms (seconds of the day; `end < start` = overnight).
#[derive(Debug, Clone)]
struct Spec {
    zone: &'static str,
    week: [Vec<(i64, i64)>; 7],
    holidays: BTreeSet<NaiveDate>,
    overrides: BTreeMap<NaiveDate, Vec<(i64, i64)>>,
}

fn hms(t: i64) -> String {
    format!("{:02}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
}

impl Spec {
    fn calendar(&self) -> Calendar {
        let list = |v: &[(i64, i64)]| {
            v.iter()
                .map(|&(a, b)| WorkInterval::new(hms(a), hms(b)))
                .collect()
        };
        let mut cal = Calendar::new(self.zone);
        for (day, v) in self.week.iter().enumerate() {
            let wd = chrono::Weekday::try_from(day as u8).expect("weekday");
            *cal.weekday_mut(wd) = list(v);
        }
        cal.holidays = self.holidays.iter().copied().collect();
        for (&date, v) in &self.overrides {
            cal.overrides.push(crm_core::sla::DateOverride {
                date,
                intervals: list(v),
            });
        }
        cal
    }
}

/// A time of day: often on a quarter hour, sometimes any second, sometimes 24:00.
fn time_point() -> impl Strategy<Value = i64> {
    prop_oneof![
        3 => (0i64..=96).prop_map(|q| q * 900),
        1 => 0i64..=DAY,
        1 => (0i64..=16).prop_map(|q| 3600 + q * 450),
    ]
}

/// Non-overlapping same-day intervals from sorted distinct points.
fn day_intervals() -> impl Strategy<Value = Vec<(i64, i64)>> {
    prop::collection::vec(time_point(), 0..7).prop_map(|mut pts| {
        pts.sort_unstable();
        pts.dedup();
        pts.chunks_exact(2).map(|c| (c[0], c[1])).collect()
    })
}

fn spec() -> impl Strategy<Value = Spec> {
    let zone = prop::sample::select(ZONES.to_vec());
    let week = prop::array::uniform7(day_intervals());
    let overnight = prop::array::uniform7(prop::option::weighted(0.2, (0.0f64..1.0, 0.0f64..1.0)));
    let holidays = prop::collection::vec(0i64..(8 * 366), 0..25);
    let overrides = prop::collection::vec((0i64..(8 * 366), day_intervals(), any::<bool>()), 0..12);
    (zone, week, overnight, holidays, overrides).prop_map(
        |(zone, mut week, overnight, hol, ovr)| {
            // Overnight shifts in the free time after a day's last interval and before the next
            // day's first.
            for d in 0..7 {
                if let Some((fa, fb)) = overnight[d] {
                    let after = week[d].last().map_or(0, |iv| iv.1);
                    let before = week[(d + 1) % 7].first().map_or(DAY, |iv| iv.0);
                    let a = after + 1 + ((DAY - 1 - after) as f64 * fa) as i64;
                    let b = (before as f64 * fb) as i64;
                    if a < DAY && b < a && b > 0 {
                        week[d].push((a, b));
                    }
                }
            }
            let plain = |w: &[Vec<(i64, i64)>; 7]| Spec {
                zone,
                week: w.clone(),
                holidays: BTreeSet::new(),
                overrides: BTreeMap::new(),
            };
            if plain(&week).calendar().compile().is_err() {
                // Overnight shifts running into each other: keep same-day intervals only.
                for v in &mut week {
                    v.retain(|iv| iv.1 > iv.0);
                }
            }
            if week.iter().all(|v| v.is_empty()) {
                week[0].push((9 * 3600, 17 * 3600));
            }
            let base = NaiveDate::from_ymd_opt(2018, 1, 1).expect("date");
            let holidays: BTreeSet<NaiveDate> =
                hol.iter().map(|&n| base + TimeDelta::days(n)).collect();
            let mut overrides = BTreeMap::new();
            for (n, mut v, night) in ovr {
                let date = base + TimeDelta::days(n);
                if night {
                    if let Some(&(_, last)) = v.last() {
                        if last < DAY - 60 {
                            v.push((DAY - 60, 1800));
                        }
                    }
                }
                if !holidays.contains(&date) {
                    overrides.insert(date, v);
                }
            }
            Spec {
                zone,
                week,
                holidays,
                overrides,
            }
        },
    )
}

/// Seconds from 2018-01-01 to 2026-01-01.
const RECENT: std::ops::Range<i64> = 1_514_764_800..1_767_225_600;
/// Seconds from 1900-01-01 to 2110-01-01.
const WIDE: std::ops::Range<i64> = -2_208_988_800..4_417_977_600;

fn t(u: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(u, 0).expect("instant")
}

// ---- the oracle: day by day, straight from chrono-tz ----

/// The instant of wall-clock time `secs` after midnight of `date` in `tz`, as java.time maps
/// it: a time in a gap shifts forward by the gap's length, an ambiguous one takes its first
/// occurrence. Also the local end of the gap when the time is in one.
fn wall_clock(tz: Tz, date: NaiveDate, secs: i64) -> (i64, Option<NaiveDateTime>) {
    let naive = date.and_hms_opt(0, 0, 0).expect("midnight") + TimeDelta::seconds(secs);
    match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(x) => (x.timestamp(), None),
        chrono::LocalResult::Ambiguous(first, _) => (first.timestamp(), None),
        chrono::LocalResult::None => {
            let gap = GapInfo::new(&naive, &tz).expect("gap");
            let (begin, _) = gap.begin.expect("gap begin");
            let end = gap.end.expect("gap end");
            let shift = (naive - begin).num_seconds();
            (end.timestamp() + shift, Some(end.naive_local()))
        }
    }
}

/// A slot `[a, b)` of `date` in UTC: ends as [`wall_clock`], but a slot starting in a gap and
/// ending inside it (or at its end) moves forward whole.
fn slot(tz: Tz, date: NaiveDate, a: i64, b: i64) -> (i64, i64) {
    let (s, gap_end) = wall_clock(tz, date, a);
    let b_naive = date.and_hms_opt(0, 0, 0).expect("midnight") + TimeDelta::seconds(b);
    match gap_end {
        Some(g) if b_naive <= g => (s, s + (b - a)),
        _ => (s, wall_clock(tz, date, b).0),
    }
}

/// Working intervals as `(start, end)` seconds.
type Spans = Vec<(i64, i64)>;

/// Same-day parts and parts after midnight.
fn split(list: &[(i64, i64)]) -> (Spans, Spans) {
    let (mut own, mut spill) = (Vec::new(), Vec::new());
    for &(a, b) in list {
        if b > a {
            own.push((a, b));
        } else {
            own.push((a, DAY));
            if b > 0 {
                spill.push((0, b));
            }
        }
    }
    (own, spill)
}

fn plan_of(spec: &Spec, date: NaiveDate) -> Option<Vec<(i64, i64)>> {
    if spec.holidays.contains(&date) {
        None
    } else if let Some(v) = spec.overrides.get(&date) {
        Some(v.clone())
    } else {
        Some(spec.week[date.weekday().num_days_from_monday() as usize].clone())
    }
}

/// Working UTC intervals of local dates `from..=to`, merged.
fn oracle_intervals(spec: &Spec, from: NaiveDate, to: NaiveDate) -> Vec<(i64, i64)> {
    let tz: Tz = spec.zone.parse().expect("zone");
    let mut out = Vec::new();
    let mut date = from;
    while date <= to {
        let mut parts = Vec::new();
        if let Some(list) = plan_of(spec, date) {
            parts.extend(split(&list).0);
            let owns_date = spec.overrides.contains_key(&date);
            if !owns_date {
                if let Some(prev) = plan_of(spec, date - TimeDelta::days(1)) {
                    parts.extend(split(&prev).1);
                }
            }
        }
        for (a, b) in parts {
            let (s, e) = slot(tz, date, a, b);
            if e > s {
                out.push((s, e));
            }
        }
        date += TimeDelta::days(1);
    }
    out.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::new();
    for (a, b) in out {
        match merged.last_mut() {
            Some(last) if last.1 >= a => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged
}

fn oracle_between(spec: &Spec, a: i64, b: i64) -> i64 {
    if b <= a {
        return 0;
    }
    let from = (t(a) - TimeDelta::days(2)).date_naive();
    let to = (t(b) + TimeDelta::days(2)).date_naive();
    oracle_intervals(spec, from, to)
        .into_iter()
        .map(|(s, e)| (e.min(b) - s.max(a)).max(0))
        .sum()
}

fn compiled(spec: &Spec) -> CompiledCalendar {
    spec.calendar()
        .compile()
        .expect("generated calendars are valid")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn agrees_with_the_day_by_day_oracle(
        spec in spec(),
        recent in any::<bool>(),
        s in WIDE,
        s_recent in RECENT,
        weeks in 0.0f64..6.0,
        span in 0i64..(40 * DAY),
    ) {
        let cal = compiled(&spec);
        let s = if recent { s_recent } else { s };
        let d = (cal.weekly_seconds() as f64 * weeks) as i64;
        let due = cal.add_business(t(s), d).timestamp();
        prop_assert_eq!(oracle_between(&spec, s, due), d);
        if d > 0 {
            prop_assert_eq!(oracle_between(&spec, s, due - 1), d - 1, "earliest instant");
        }
        prop_assert_eq!(cal.business_between(t(s), t(s + span)), oracle_between(&spec, s, s + span));
    }

    #[test]
    fn add_then_between_is_exact_and_monotonic(
        spec in spec(),
        s in WIDE,
        d1 in 0i64..(400 * DAY),
        d2 in 0i64..(400 * DAY),
    ) {
        let cal = compiled(&spec);
        let start = t(s);
        let (a, b) = (cal.add_business(start, d1), cal.add_business(start, d2));
        prop_assert_eq!(cal.business_between(start, a), d1);
        prop_assert_eq!(cal.business_between(start, b), d2);
        prop_assert_eq!(d1 <= d2, a <= b);
        prop_assert!(a >= start);
        if d1 > 0 {
            // Earliest: one second earlier is one business second short.
            prop_assert_eq!(cal.business_between(start, a - TimeDelta::seconds(1)), d1 - 1);
            prop_assert!(cal.is_open(a - TimeDelta::seconds(1)));
        }
        prop_assert_eq!(deadline(start, d1, &cal, &[]), a);
    }

    #[test]
    fn between_is_additive(spec in spec(), mut x in prop::array::uniform3(WIDE)) {
        let cal = compiled(&spec);
        x.sort_unstable();
        let [a, b, c] = x.map(t);
        prop_assert_eq!(
            cal.business_between(a, b) + cal.business_between(b, c),
            cal.business_between(a, c)
        );
        prop_assert!(cal.business_between(a, c) <= (c - a).num_seconds());
        prop_assert_eq!(cal.business_between(c, a), 0);
    }

    #[test]
    fn pauses_extend_deadlines_in_business_time(
        spec in spec(),
        s in RECENT,
        target in 1i64..(30 * DAY),
        pauses in prop::collection::vec((-(5 * DAY)..(60 * DAY), 0i64..(10 * DAY)), 0..5),
        extra in (-(5 * DAY)..(60 * DAY), 0i64..(10 * DAY)),
        closed_at in 0i64..(60 * DAY),
    ) {
        let cal = compiled(&spec);
        let start = t(s);
        let to_pause = |&(off, len): &(i64, i64)| (t(s + off), t(s + off + len));
        let paused: Vec<_> = pauses.iter().map(to_pause).collect();
        let due = deadline(start, target, &cal, &paused);
        // The clock ran exactly `target` business seconds, and not before `due`.
        prop_assert_eq!(elapsed_business(start, due, &cal, &paused), target);
        prop_assert_eq!(elapsed_business(start, due - TimeDelta::seconds(1), &cal, &paused), target - 1);
        prop_assert!(due >= cal.add_business(start, target));
        // Same as adding the paused business time before the deadline.
        let before_due = elapsed_business(start, due, &cal, &[]) - target;
        prop_assert_eq!(cal.add_business(start, target + before_due), due);
        // One more pause never makes it earlier.
        let mut more = paused.clone();
        more.push(to_pause(&extra));
        prop_assert!(deadline(start, target, &cal, &more) >= due);
        // A pause entirely outside working hours changes nothing.
        let x = t(s + closed_at);
        let reopen = cal.clock_start(x);
        let mut closed = paused.clone();
        closed.push((x, reopen));
        prop_assert_eq!(cal.business_between(x, reopen), 0);
        prop_assert_eq!(deadline(start, target, &cal, &closed), due);
        // Pause order does not matter.
        let mut reversed = paused.clone();
        reversed.reverse();
        prop_assert_eq!(deadline(start, target, &cal, &reversed), due);
    }
}

/// Instants in the weeks around the usual DST changes (March–April, September–November) of
/// a year between 1970 and 2110.
fn near_dst_change() -> impl Strategy<Value = i64> {
    (1970i32..2110, prop_oneof![55i64..110, 245i64..320], 0..DAY).prop_map(|(year, day, sec)| {
        let jan1 = NaiveDate::from_ymd_opt(year, 1, 1).expect("date");
        let midnight = jan1.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
        midnight.timestamp() + day * DAY + sec
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn agrees_with_the_oracle_around_dst_changes(
        spec in spec(),
        s in near_dst_change(),
        d in 0i64..(3 * DAY),
        span in 0i64..(12 * DAY),
    ) {
        let cal = compiled(&spec);
        let d = d.min(cal.weekly_seconds() * 2);
        let due = cal.add_business(t(s), d).timestamp();
        prop_assert_eq!(oracle_between(&spec, s, due), d);
        if d > 0 {
            prop_assert_eq!(oracle_between(&spec, s, due - 1), d - 1, "earliest instant");
        }
        prop_assert_eq!(cal.business_between(t(s), t(s + span)), oracle_between(&spec, s, s + span));
    }
}
