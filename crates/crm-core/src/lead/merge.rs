//! Merging leads (DESIGN §4.8): the winner is the most advanced status, then the earliest
//! created, then the lowest id; the winner's empty fields are filled from the others in
//! that same order.

use super::status::LeadStatus;
use crate::error::{CrmError, CrmResult};
use chrono::{DateTime, Utc};

/// What the winner rule reads of a lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergeRank {
    /// The lead's id.
    pub id: i64,
    /// Its status.
    pub status: LeadStatus,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// Most leads one merge takes.
pub const MAX_MERGE: usize = 50;

/// Orders `leads` winner first (the merge order): most advanced status, earliest created,
/// lowest id. Refuses fewer than two leads, the same lead twice, more than [`MAX_MERGE`],
/// and converted or merged leads.
pub fn merge_order(leads: &[MergeRank]) -> CrmResult<Vec<MergeRank>> {
    if leads.len() < 2 {
        return Err(CrmError::validation(
            "ids",
            "a merge takes at least two leads",
        ));
    }
    if leads.len() > MAX_MERGE {
        return Err(CrmError::validation(
            "ids",
            format!("a merge takes at most {MAX_MERGE} leads"),
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for l in leads {
        if !seen.insert(l.id) {
            return Err(CrmError::validation(
                "ids",
                format!("lead {} is listed twice", l.id),
            ));
        }
        if l.status.advancement().is_none() {
            return Err(CrmError::rule(
                "lead_closed",
                format!("lead {} is {} and cannot be merged", l.id, l.status),
            ));
        }
    }
    let mut order = leads.to_vec();
    order.sort_by(|a, b| {
        b.status
            .advancement()
            .cmp(&a.status.advancement())
            .then(a.created_at.cmp(&b.created_at))
            .then(a.id.cmp(&b.id))
    });
    Ok(order)
}

/// Fills an empty `winner` value from the first non-empty one of `others` (in merge
/// order). An empty text counts as empty.
pub fn fill<T: Clone>(winner: &mut Option<T>, others: &[Option<T>], empty: impl Fn(&T) -> bool) {
    if winner.as_ref().is_none_or(&empty) {
        if let Some(v) = others.iter().flatten().find(|v| !empty(v)) {
            *winner = Some(v.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn rank(id: i64, status: LeadStatus, day: u32) -> MergeRank {
        MergeRank {
            id,
            status,
            created_at: Utc
                .with_ymd_and_hms(2026, 5, day, 8, 0, 0)
                .single()
                .unwrap_or_default(),
        }
    }

    #[test]
    fn the_most_advanced_then_earliest_then_lowest_id_wins() {
        let ids = |v: Vec<MergeRank>| v.iter().map(|r| r.id).collect::<Vec<_>>();
        let leads = [
            rank(5, LeadStatus::New, 1),
            rank(9, LeadStatus::Qualified, 9),
            rank(7, LeadStatus::Working, 3),
            rank(3, LeadStatus::Working, 3),
        ];
        assert_eq!(ids(merge_order(&leads).unwrap_or_default()), [9, 3, 7, 5]);
        let same = [rank(8, LeadStatus::New, 2), rank(4, LeadStatus::New, 2)];
        assert_eq!(ids(merge_order(&same).unwrap_or_default()), [4, 8]);
        let earlier = [rank(4, LeadStatus::New, 3), rank(8, LeadStatus::New, 2)];
        assert_eq!(ids(merge_order(&earlier).unwrap_or_default()), [8, 4]);
    }

    #[test]
    fn bad_merges_are_refused() {
        assert!(merge_order(&[rank(1, LeadStatus::New, 1)]).is_err());
        assert!(merge_order(&[rank(1, LeadStatus::New, 1), rank(1, LeadStatus::New, 1)]).is_err());
        let closed = merge_order(&[
            rank(1, LeadStatus::New, 1),
            rank(2, LeadStatus::Converted, 1),
        ]);
        assert!(
            matches!(closed, Err(CrmError::RuleViolation { rule, .. }) if rule == "lead_closed")
        );
        let many: Vec<MergeRank> = (0..=MAX_MERGE as i64)
            .map(|i| rank(i, LeadStatus::New, 1))
            .collect();
        assert!(merge_order(&many).is_err());
        assert!(merge_order(&many[..MAX_MERGE]).is_ok());
    }

    #[test]
    fn fill_takes_the_first_non_empty_value_in_merge_order() {
        let empty = |s: &String| s.trim().is_empty();
        let mut winner: Option<String> = None;
        fill(
            &mut winner,
            &[None, Some(" ".into()), Some("b".into()), Some("c".into())],
            empty,
        );
        assert_eq!(winner.as_deref(), Some("b"));
        let mut kept = Some("a".to_string());
        fill(&mut kept, &[Some("b".into())], empty);
        assert_eq!(kept.as_deref(), Some("a"));
    }
}
