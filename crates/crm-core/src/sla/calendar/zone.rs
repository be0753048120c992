//! UTC offsets of an IANA zone as a sorted list of transitions, and the local → UTC mapping
//! of the calendar: day boundaries map to the first instant the wall clock reads them or later
//! ([`Zone::to_utc`]); working times in a gap shift forward by the gap's length, as java.time
//! and Python's zoneinfo do ([`Zone::shifted`]); ambiguous times take the first occurrence.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Offset, TimeZone};
use chrono_tz::Tz;

/// Start of the scanned range: 1800-01-01T00:00:00Z.
const SCAN_FROM: i64 = -5_364_662_400;
/// End of the scanned range: 2200-01-01T00:00:00Z.
const SCAN_TO: i64 = 7_258_118_400;
/// Sampling step; the closest two offset changes of one zone in the tz database are about
/// 7 days apart, so a step of 4 days brackets each change alone.
const STEP: i64 = 4 * 86_400;

/// The offsets of one zone: `first` before the first transition, then `(instant, offset)`
/// pairs, offsets in seconds east of UTC.
#[derive(Debug)]
pub(super) struct Zone {
    first: i64,
    transitions: Vec<(i64, i64)>,
    /// Local (wall-clock) instant at which each transition happens, read in the offset
    /// before it: the end of the preceding span in local time.
    local_ends: Vec<i64>,
}

/// Offset of `tz` at UTC second `u`.
fn offset_of(tz: Tz, u: i64) -> i64 {
    match DateTime::from_timestamp(u, 0) {
        Some(t) => i64::from(
            tz.offset_from_utc_datetime(&t.naive_utc())
                .fix()
                .local_minus_utc(),
        ),
        None => 0,
    }
}

impl Zone {
    /// The zone of `tz`, scanned once per process and shared.
    pub(super) fn of(tz: Tz) -> Arc<Zone> {
        static CACHE: OnceLock<Mutex<HashMap<Tz, Arc<Zone>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
        if let Some(z) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&tz) {
            return Arc::clone(z);
        }
        let zone = Arc::new(Zone::scan(tz));
        let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(map.entry(tz).or_insert(zone))
    }

    /// Finds every offset change of `tz` between 1800 and 2200 (exact to the second).
    fn scan(tz: Tz) -> Zone {
        let first = offset_of(tz, SCAN_FROM);
        let mut transitions = Vec::new();
        let (mut t, mut prev) = (SCAN_FROM, first);
        while t < SCAN_TO {
            let next = t + STEP;
            let o = offset_of(tz, next);
            if o != prev {
                // Offset is `prev` at `lo` and `o` at `hi`: find the first second of `o`.
                let (mut lo, mut hi) = (t, next);
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if offset_of(tz, mid) == prev {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                transitions.push((hi, o));
                prev = o;
            }
            t = next;
        }
        Zone::from_parts(first, transitions)
    }

    /// A zone from its first offset and transitions (sorted by instant).
    pub(super) fn from_parts(first: i64, transitions: Vec<(i64, i64)>) -> Zone {
        let mut before = first;
        let local_ends = transitions
            .iter()
            .map(|&(at, o)| {
                let end = at + before;
                before = o;
                end
            })
            .collect();
        Zone {
            first,
            transitions,
            local_ends,
        }
    }

    /// The transitions: `(instant, offset before, offset after)`.
    pub(super) fn transitions(&self) -> impl Iterator<Item = (i64, i64, i64)> + '_ {
        let befores = std::iter::once(self.first).chain(self.transitions.iter().map(|t| t.1));
        self.transitions
            .iter()
            .zip(befores)
            .map(|(&(at, after), before)| (at, before, after))
    }

    /// Offset in effect at UTC second `u`.
    pub(super) fn offset_at(&self, u: i64) -> i64 {
        match self.transitions.partition_point(|t| t.0 <= u) {
            0 => self.first,
            i => self.transitions[i - 1].1,
        }
    }

    /// The first UTC second at which the wall clock reads `local` or later: a local time in
    /// a gap maps to the end of the gap, an ambiguous one to its first occurrence.
    pub(super) fn to_utc(&self, local: i64) -> i64 {
        // The first span whose local range extends past `local`.
        let j = self.local_ends.partition_point(|&end| end <= local);
        let (from, offset) = match j {
            0 => (i64::MIN, self.first),
            _ => self.transitions[j - 1],
        };
        (local - offset).max(from)
    }

    /// The UTC second of wall-clock time `local` read in the offset in effect before it: a
    /// local time in a gap shifts forward by the gap's length (02:30 in a gap from 02:00 to
    /// 03:00 is 03:30 after it), an ambiguous one takes its first occurrence, any other time
    /// is its only instant. Unlike [`to_utc`](Self::to_utc) this is not monotonic across a
    /// gap's end (02:30 maps after 03:00), so callers merge what it produces.
    pub(super) fn shifted(&self, local: i64) -> i64 {
        let j = self.local_ends.partition_point(|&end| end <= local);
        if j == 0 {
            return local - self.first;
        }
        let (from, offset) = self.transitions[j - 1];
        if local - offset >= from {
            return local - offset;
        }
        let before = match j {
            1 => self.first,
            _ => self.transitions[j - 2].1,
        };
        local - before
    }

    /// The local time at which the gap containing `local` ends, if `local` does not exist.
    fn gap_end(&self, local: i64) -> Option<i64> {
        let j = self.local_ends.partition_point(|&end| end <= local);
        let (from, offset) = *self.transitions.get(j.checked_sub(1)?)?;
        (local - offset < from).then_some(from + offset)
    }

    /// A working slot `[a, b)` of local times (`a < b`) in UTC seconds. Both ends map by
    /// [`shifted`](Self::shifted), as java.time would map them, except that a slot starting in
    /// a gap and ending inside it or at its end moves forward whole, keeping its length: it
    /// lies entirely in local times that do not exist and is shifted, not dropped. A slot
    /// starting in a gap and ending after it can come out empty (02:30–03:15 in a 02:00–03:00
    /// gap is 03:30–03:15), as it does with java.time.
    pub(super) fn slot(&self, a: i64, b: i64) -> (i64, i64) {
        let start = self.shifted(a);
        match self.gap_end(a) {
            Some(end) if b <= end => (start, start + (b - a)),
            _ => (start, self.shifted(b)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scan finds exactly chrono-tz's offsets: checked at every transition found (the
    /// second before and at it) for every zone, and on a daily grid for zones with unusual
    /// histories.
    #[test]
    fn scan_matches_chrono_tz() {
        for &tz in chrono_tz::TZ_VARIANTS.iter() {
            let zone = Zone::scan(tz);
            for (at, before, after) in zone.transitions() {
                assert_ne!(before, after, "{tz:?}");
                assert_eq!(offset_of(tz, at - 1), before, "{tz:?} before {at}");
                assert_eq!(offset_of(tz, at), after, "{tz:?} at {at}");
                assert_eq!(zone.offset_at(at - 1), before);
                assert_eq!(zone.offset_at(at), after);
            }
        }
        for name in [
            "America/Sao_Paulo",
            "America/Boa_Vista",
            "Africa/Casablanca",
            "Pacific/Apia",
            "Europe/Moscow",
            "Australia/Lord_Howe",
            "America/Havana",
        ] {
            let tz: Tz = name.parse().expect("zone");
            let zone = Zone::scan(tz);
            let mut u = SCAN_FROM;
            while u < SCAN_TO {
                assert_eq!(zone.offset_at(u), offset_of(tz, u), "{name} at {u}");
                u += 86_400;
            }
        }
    }

    #[test]
    fn local_times_in_gaps_shift_forward_and_ambiguous_ones_take_the_first() {
        // A zone at +1 h that moves to +2 h at 1000 and back to +1 h at 10_000.
        let zone = Zone::from_parts(3600, vec![(1000, 7200), (10_000, 3600)]);
        assert_eq!(zone.to_utc(0), -3600);
        assert_eq!(zone.to_utc(4599), 999);
        // Local 4600..8200 does not exist: all of it maps to 1000.
        assert_eq!(zone.to_utc(4600), 1000);
        assert_eq!(zone.to_utc(8199), 1000);
        assert_eq!(zone.to_utc(8200), 1000);
        assert_eq!(zone.to_utc(8201), 1001);
        // Local 13_600..17_200 happens twice: the first time, at the +2 h offset.
        assert_eq!(zone.to_utc(13_600), 6400);
        assert_eq!(zone.to_utc(17_199), 9999);
        assert_eq!(zone.to_utc(17_200), 13_600);
        assert_eq!(zone.offset_at(999), 3600);
    }

    #[test]
    fn shifted_moves_gap_times_forward_by_the_gap_length() {
        let zone = Zone::from_parts(3600, vec![(1000, 7200), (10_000, 3600)]);
        assert_eq!(zone.shifted(4599), 999);
        // Local 4600..8200 does not exist: each second moves forward by the hour.
        assert_eq!(zone.shifted(4600), 1000);
        assert_eq!(zone.shifted(6400), 2800);
        assert_eq!(zone.shifted(8199), 4599);
        assert_eq!(zone.shifted(8200), 1000);
        assert_eq!(zone.shifted(8201), 1001);
        // Ambiguous local times: the first occurrence, as `to_utc`.
        assert_eq!(zone.shifted(13_600), 6400);
        assert_eq!(zone.shifted(17_200), 13_600);
        assert_eq!(zone.shifted(0), -3600);
        // Slots: inside the gap they move whole; across its end both ends map alone.
        assert_eq!(zone.slot(4600, 8200), (1000, 4600));
        assert_eq!(zone.slot(6400, 8200), (2800, 4600));
        assert_eq!(zone.slot(6400, 7000), (2800, 3400));
        assert_eq!(zone.slot(4000, 6400), (400, 2800));
        assert_eq!(zone.slot(6400, 9000), (2800, 1800));
        assert_eq!(zone.slot(8200, 9000), (1000, 1800));
        assert_eq!(zone.offset_at(1000), 7200);
        assert_eq!(zone.offset_at(10_000), 3600);
    }
}
