//! Task reminders: offsets before the due, each fired exactly once per due, from persisted
//! state. A reminder keeps the instant it is armed for and whether it fired; the task's
//! indexed `next_reminder_at` is the earliest instant still to fire, so scheduled work
//! reads only the tasks with something due. Moving the due re-arms every reminder for the
//! new due; a closed task has nothing armed.

use crate::error::{CrmError, CrmResult};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Most reminders on one task.
pub const MAX_REMINDERS: usize = 10;

/// Longest offset before the due: 366 days, in minutes.
pub const MAX_OFFSET_MINUTES: i64 = 366 * 24 * 60;

/// One reminder of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Reminder {
    /// How long before the due it fires, in minutes (0: at the due).
    pub minutes_before: u32,
    /// The instant it fires, for the current due.
    pub at: DateTime<Utc>,
    /// Whether it fired for the current due.
    pub fired: bool,
}

/// Validates reminder offsets (minutes before the due): none negative (a reminder after
/// the due), none beyond [`MAX_OFFSET_MINUTES`], no repeats, at most [`MAX_REMINDERS`].
/// Errors name `field[i]`. Answers the offsets in descending order (earliest reminder
/// first).
pub fn offsets(raw: &[i64], field: &str) -> CrmResult<Vec<u32>> {
    if raw.len() > MAX_REMINDERS {
        return Err(CrmError::validation(
            field,
            format!("at most {MAX_REMINDERS} reminders"),
        ));
    }
    let mut out = Vec::with_capacity(raw.len());
    for (i, &m) in raw.iter().enumerate() {
        let name = format!("{field}[{i}]");
        if m < 0 {
            return Err(CrmError::validation(
                name,
                "is negative: a reminder fires before the due, not after it",
            ));
        }
        if m > MAX_OFFSET_MINUTES {
            return Err(CrmError::validation(
                name,
                format!("at most {MAX_OFFSET_MINUTES} minutes before the due"),
            ));
        }
        let m = u32::try_from(m).map_err(|_| CrmError::validation(name.clone(), "too large"))?;
        if out.contains(&m) {
            return Err(CrmError::validation(name, "repeats an offset"));
        }
        out.push(m);
    }
    out.sort_unstable_by(|a, b| b.cmp(a));
    Ok(out)
}

/// Reminders armed for a due anchored at `anchor`, none fired.
pub fn arm(offsets: &[u32], anchor: DateTime<Utc>) -> Vec<Reminder> {
    offsets
        .iter()
        .map(|&m| Reminder {
            minutes_before: m,
            at: crate::clock::minus(anchor, Duration::minutes(i64::from(m))),
            fired: false,
        })
        .collect()
}

/// Reminders for new `offsets` replacing `current` at the same anchor: an offset kept keeps
/// its fired state, a new one is armed.
pub fn rearm_offsets(
    current: &[Reminder],
    offsets: &[u32],
    anchor: DateTime<Utc>,
) -> Vec<Reminder> {
    arm(offsets, anchor)
        .into_iter()
        .map(|r| {
            current
                .iter()
                .find(|c| c.minutes_before == r.minutes_before)
                .copied()
                .unwrap_or(r)
        })
        .collect()
}

/// The earliest instant of a reminder not yet fired.
pub fn next_at(reminders: &[Reminder]) -> Option<DateTime<Utc>> {
    reminders.iter().filter(|r| !r.fired).map(|r| r.at).min()
}

/// Fires every reminder due at `now` (its instant reached, not fired yet): marks them fired
/// and answers them, earliest first.
pub fn fire_due(reminders: &mut [Reminder], now: DateTime<Utc>) -> Vec<Reminder> {
    let mut fired = Vec::new();
    for r in reminders.iter_mut().filter(|r| !r.fired && r.at <= now) {
        r.fired = true;
        fired.push(*r);
    }
    fired.sort_by_key(|r| r.at);
    fired
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, h, m, 0)
            .single()
            .expect("instant")
    }

    #[test]
    fn offsets_refuse_negative_huge_and_repeated() {
        assert_eq!(
            offsets(&[0, 60, 15], "reminders").expect("ok"),
            vec![60, 15, 0]
        );
        let field = |raw: &[i64]| match offsets(raw, "reminders") {
            Err(CrmError::Validation { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(&[10, -1]), "reminders[1]");
        assert_eq!(field(&[MAX_OFFSET_MINUTES + 1]), "reminders[0]");
        assert!(offsets(&[MAX_OFFSET_MINUTES], "reminders").is_ok());
        assert_eq!(field(&[5, 5]), "reminders[1]");
        assert_eq!(field(&[0; MAX_REMINDERS + 1]), "reminders");
    }

    #[test]
    fn fires_once_never_before_its_instant() {
        let mut rs = arm(&[60, 0], t(10, 0));
        assert_eq!(next_at(&rs), Some(t(9, 0)));
        assert!(fire_due(&mut rs, t(8, 59)).is_empty());
        assert_eq!(fire_due(&mut rs, t(9, 0)).len(), 1);
        assert!(fire_due(&mut rs, t(9, 30)).is_empty());
        assert_eq!(next_at(&rs), Some(t(10, 0)));
        assert_eq!(fire_due(&mut rs, t(11, 0)).len(), 1);
        assert_eq!(next_at(&rs), None);
    }

    #[test]
    fn rearming_offsets_keeps_fired_state_of_kept_offsets() {
        let mut rs = arm(&[60], t(10, 0));
        fire_due(&mut rs, t(9, 0));
        let next = rearm_offsets(&rs, &[60, 30], t(10, 0));
        assert!(next.iter().any(|r| r.minutes_before == 60 && r.fired));
        assert!(next.iter().any(|r| r.minutes_before == 30 && !r.fired));
    }
}
