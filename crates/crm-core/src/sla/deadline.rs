//! SLA deadlines with pauses, in business time: [`deadline`] and its inverse
//! [`elapsed_business`].

use chrono::{DateTime, Utc};

use super::calendar::CompiledCalendar;

/// The pauses as sorted, disjoint UTC-second intervals, clipped to begin at `from`.
fn merged_pauses(from: i64, paused: &[(DateTime<Utc>, DateTime<Utc>)]) -> Vec<(i64, i64)> {
    let mut v: Vec<(i64, i64)> = paused
        .iter()
        .map(|(a, b)| (a.timestamp().max(from), b.timestamp()))
        .filter(|(a, b)| b > a)
        .collect();
    v.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(v.len());
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if last.1 >= a => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// The SLA due instant for `target_seconds` of business time from `start` on `calendar`,
/// with the clock stopped during `paused`.
///
/// The clock runs from `start` during working time except while paused. The deadline is the
/// **earliest** instant `t >= start` at which the clock has run `target_seconds`: the working
/// seconds in `[start, t)` that lie in no pause add up to the target. Equivalently,
/// `t = calendar.add_business(start, target + P)` where `P` is the business time in the union
/// of the pauses between `start` and `t`:
///
/// - overlapping or repeated pauses count once (their union is taken), in any order;
/// - pauses, or parts of them, before `start` or after the deadline change nothing, so an
///   open pause can be passed with any end past the deadline;
/// - a pause entirely outside working hours changes nothing (pauses are subtracted in
///   business time, never wall-clock);
/// - adding a pause never makes the deadline earlier;
/// - a budget that runs out exactly when a pause or a working period begins is due at that
///   instant, as with [`CompiledCalendar::add_business`].
///
/// Instants are taken at whole seconds; a zero or negative target is due at `start`. Without
/// pauses this is `calendar.add_business(start, target_seconds)`.
pub fn deadline(
    start: DateTime<Utc>,
    target_seconds: i64,
    calendar: &CompiledCalendar,
    paused: &[(DateTime<Utc>, DateTime<Utc>)],
) -> DateTime<Utc> {
    if target_seconds <= 0 {
        return start;
    }
    let mut cur = start.timestamp();
    let mut remaining = target_seconds;
    for (from, to) in merged_pauses(cur, paused) {
        let available = calendar.cum(from) - calendar.cum(cur);
        if available >= remaining {
            break;
        }
        remaining -= available;
        cur = to;
    }
    calendar
        .cum(cur)
        .checked_add(remaining)
        .and_then(|c| calendar.first_reaching(c))
        .map_or(DateTime::<Utc>::MAX_UTC, crate::sla::calendar::instant)
}

/// Business seconds the clock ran from `start` to `until` with `paused` excluded: the
/// working seconds in `[start, until)` outside every pause (0 if `until <= start`). For a
/// positive target, `elapsed_business(start, deadline(start, t, ..), ..) == t`.
pub fn elapsed_business(
    start: DateTime<Utc>,
    until: DateTime<Utc>,
    calendar: &CompiledCalendar,
    paused: &[(DateTime<Utc>, DateTime<Utc>)],
) -> i64 {
    let (from, to) = (start.timestamp(), until.timestamp());
    if to <= from {
        return 0;
    }
    let stopped: i64 = merged_pauses(from, paused)
        .into_iter()
        .filter(|&(a, _)| a < to)
        .map(|(a, b)| calendar.cum(b.min(to)) - calendar.cum(a))
        .sum();
    calendar.cum(to) - calendar.cum(from) - stopped
}
