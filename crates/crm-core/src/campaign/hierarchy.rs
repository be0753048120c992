//! The campaign hierarchy: a campaign's parent is another campaign of the same tenant; no
//! campaign is its own ancestor (rule `campaign_cycle`) and no chain is deeper than
//! [`MAX_DEPTH`] levels (rule `campaign_depth`).

use crate::error::{CrmError, CrmResult};
use crate::ids::CampaignId;

/// Most levels a campaign tree has (a root is level 1).
pub const MAX_DEPTH: usize = 5;

/// Checks giving `campaign` the parent whose ancestor chain (the parent first, then its
/// parent, up to a root) is `chain`, when `campaign`'s own subtree is `height` levels high
/// (1 for a campaign without children).
pub fn check_parent(campaign: CampaignId, chain: &[CampaignId], height: usize) -> CrmResult<()> {
    if chain.contains(&campaign) {
        return Err(CrmError::rule(
            "campaign_cycle",
            format!("campaign {campaign} would become its own ancestor"),
        ));
    }
    let depth = chain.len().saturating_add(height);
    if depth > MAX_DEPTH {
        return Err(CrmError::rule(
            "campaign_depth",
            format!("the hierarchy would be {depth} levels deep; at most {MAX_DEPTH}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(raw: &[i64]) -> Vec<CampaignId> {
        raw.iter().copied().map(CampaignId).collect()
    }

    fn rule(r: CrmResult<()>) -> String {
        match r {
            Ok(()) => "ok".into(),
            Err(CrmError::RuleViolation { rule, .. }) => rule,
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_campaign_is_never_its_own_ancestor() {
        assert_eq!(
            rule(check_parent(CampaignId(1), &ids(&[1]), 1)),
            "campaign_cycle"
        );
        assert_eq!(
            rule(check_parent(CampaignId(1), &ids(&[3, 2, 1]), 1)),
            "campaign_cycle"
        );
        assert_eq!(rule(check_parent(CampaignId(1), &ids(&[3, 2]), 1)), "ok");
    }

    #[test]
    fn depth_limit_on_both_sides() {
        // A leaf under a chain of MAX_DEPTH - 1 is at the limit; one more level is refused.
        let chain: Vec<CampaignId> = (10..10 + MAX_DEPTH as i64 - 1).map(CampaignId).collect();
        assert_eq!(rule(check_parent(CampaignId(1), &chain, 1)), "ok");
        assert_eq!(
            rule(check_parent(CampaignId(1), &chain, 2)),
            "campaign_depth"
        );
        let longer: Vec<CampaignId> = (10..10 + MAX_DEPTH as i64).map(CampaignId).collect();
        assert_eq!(
            rule(check_parent(CampaignId(1), &longer, 1)),
            "campaign_depth"
        );
        assert_eq!(rule(check_parent(CampaignId(1), &[], MAX_DEPTH)), "ok");
    }
}
