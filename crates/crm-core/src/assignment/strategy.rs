//! The strategies' picks and the per-entry state they carry between decisions.

use super::eligibility::{ineligible, Availability, Load, SkipReason};
use super::rules::EntryMember;
use crate::ids::UserId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// Where round robin stopped: the member assigned last and their position in the list at
/// that time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Cursor {
    /// The member assigned last.
    pub user: UserId,
    /// Their position (0-based) in the entry's list then.
    pub position: u32,
}

/// What one entry remembers between decisions (stored as a versioned row).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default)]
pub struct EntryState {
    /// Round robin's cursor.
    pub last: Option<Cursor>,
    /// Smooth weighted round robin's current weights.
    pub current: BTreeMap<UserId, i64>,
}

/// The members' availability and counts, looked up by user; a user missing here is not
/// an active user.
pub(super) struct Roster<'a> {
    pub people: &'a BTreeMap<UserId, (Availability, Load)>,
    pub today: NaiveDate,
}

impl Roster<'_> {
    pub fn skip_reason(&self, user: UserId) -> Option<SkipReason> {
        match self.people.get(&user) {
            Some((a, load)) => ineligible(a, load, self.today),
            None => Some(SkipReason::Inactive),
        }
    }

    fn load(&self, user: UserId) -> Load {
        self.people.get(&user).map(|(_, l)| *l).unwrap_or_default()
    }

    fn capacity(&self, user: UserId) -> Option<u32> {
        self.people.get(&user).and_then(|(a, _)| a.capacity)
    }
}

/// A pick: the member chosen (if any) and the candidates passed over with why.
pub(super) type Pick = (Option<UserId>, Vec<(UserId, SkipReason)>);

/// Round robin from the cursor; updates it when a member is chosen.
pub(super) fn round_robin(
    members: &[EntryMember],
    state: &mut EntryState,
    roster: &Roster,
) -> Pick {
    let n = members.len();
    let mut skipped = Vec::new();
    if n == 0 {
        return (None, skipped);
    }
    let start = match state.last {
        None => 0,
        Some(c) => match members.iter().position(|m| m.user == c.user) {
            Some(i) => i + 1,
            // Removed since: the member now at their old position comes next.
            None => usize::try_from(c.position).unwrap_or(0),
        },
    };
    for k in 0..n {
        let i = (start + k) % n;
        let user = members[i].user;
        match roster.skip_reason(user) {
            Some(reason) => skipped.push((user, reason)),
            None => {
                state.last = Some(Cursor {
                    user,
                    position: u32::try_from(i).unwrap_or(u32::MAX),
                });
                return (Some(user), skipped);
            }
        }
    }
    (None, skipped)
}

/// Smooth weighted round robin over the eligible members: each gains its weight, the
/// highest current weight wins (ties in list order) and gives back the eligible total.
pub(super) fn weighted(members: &[EntryMember], state: &mut EntryState, roster: &Roster) -> Pick {
    state
        .current
        .retain(|u, _| members.iter().any(|m| m.user == *u));
    let mut skipped = Vec::new();
    let mut total = 0i64;
    let mut best: Option<(UserId, i64)> = None;
    for m in members {
        if let Some(reason) = roster.skip_reason(m.user) {
            skipped.push((m.user, reason));
            continue;
        }
        let w = i64::from(m.weight);
        total += w;
        let cw = state.current.entry(m.user).or_insert(0);
        *cw += w;
        if best.is_none_or(|(_, b)| *cw > b) {
            best = Some((m.user, *cw));
        }
    }
    let chosen = best.map(|(u, _)| u);
    if let Some(u) = chosen {
        if let Some(cw) = state.current.get_mut(&u) {
            *cw -= total;
        }
    }
    (chosen, skipped)
}

/// The eligible member with the fewest open leads relative to capacity (or weight); ties
/// to the least recently assigned (never assigned first), then list order.
pub(super) fn load_balancing(members: &[EntryMember], roster: &Roster) -> Pick {
    let mut skipped = Vec::new();
    let mut best: Option<(usize, &EntryMember)> = None;
    for (i, m) in members.iter().enumerate() {
        if let Some(reason) = roster.skip_reason(m.user) {
            skipped.push((m.user, reason));
            continue;
        }
        best = match best {
            Some((j, b)) if lighter(roster, b, m) != Ordering::Greater => Some((j, b)),
            _ => Some((i, m)),
        };
    }
    (best.map(|(_, m)| m.user), skipped)
}

/// Compares `a` with `b`: `Less` when `a` should be picked before `b`.
fn lighter(roster: &Roster, a: &EntryMember, b: &EntryMember) -> Ordering {
    let (la, lb) = (roster.load(a.user), roster.load(b.user));
    let ca = u64::from(roster.capacity(a.user).unwrap_or(a.weight).max(1));
    let cb = u64::from(roster.capacity(b.user).unwrap_or(b.weight).max(1));
    // open_a / ca against open_b / cb, without division.
    let ratio = (u64::from(la.open_leads) * cb).cmp(&(u64::from(lb.open_leads) * ca));
    ratio.then_with(|| match (la.last_assigned_at, lb.last_assigned_at) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => x.cmp(&y),
    })
}

/// One named member, if eligible.
pub(super) fn single(user: UserId, roster: &Roster) -> Pick {
    match roster.skip_reason(user) {
        Some(reason) => (None, vec![(user, reason)]),
        None => (Some(user), Vec::new()),
    }
}
