//! Whether one customer joins, leaves or stays as is, from the expression's verdict, the
//! manual override and the current stint. Exclusion wins over everything; inclusion wins
//! over the expression (SG2, SG3).

use super::model::OverrideMode;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Why a stint began or ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum JoinReason {
    /// The expression (started or stopped matching).
    Rule,
    /// A manual include.
    Include,
    /// A manual exclude.
    Exclude,
    /// A manual override was cleared and the expression decided.
    Cleared,
}

impl JoinReason {
    /// The stable name (`rule`, `include`, `exclude`, `cleared`).
    pub fn as_str(self) -> &'static str {
        match self {
            JoinReason::Rule => "rule",
            JoinReason::Include => "include",
            JoinReason::Exclude => "exclude",
            JoinReason::Cleared => "cleared",
        }
    }
}

/// What happens to one customer's membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// A new stint begins.
    Join(JoinReason),
    /// The open stint ends.
    Leave(JoinReason),
    /// Nothing changes.
    Stay,
}

/// Whether the customer should be a member: an exclude keeps it out, an include keeps it
/// in, otherwise the expression decides.
pub fn wanted(matches: bool, override_mode: Option<OverrideMode>) -> bool {
    match override_mode {
        Some(OverrideMode::Exclude) => false,
        Some(OverrideMode::Include) => true,
        None => matches,
    }
}

/// The change for a customer who `is_member` now, given the expression's verdict and its
/// override; `reason` names a change caused by the expression (`rule`, or `cleared` right
/// after an override is lifted).
pub fn decide(
    is_member: bool,
    matches: bool,
    override_mode: Option<OverrideMode>,
    reason: JoinReason,
) -> Decision {
    let want = wanted(matches, override_mode);
    let why = match override_mode {
        Some(OverrideMode::Include) => JoinReason::Include,
        Some(OverrideMode::Exclude) => JoinReason::Exclude,
        None => reason,
    };
    match (is_member, want) {
        (false, true) => Decision::Join(why),
        (true, false) => Decision::Leave(why),
        _ => Decision::Stay,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OverrideMode::{Exclude, Include};

    #[test]
    fn exclusion_wins_and_inclusion_beats_the_expression() {
        let r = JoinReason::Rule;
        assert_eq!(decide(false, true, None, r), Decision::Join(r));
        assert_eq!(decide(true, false, None, r), Decision::Leave(r));
        assert_eq!(decide(true, true, None, r), Decision::Stay);
        assert_eq!(decide(false, false, None, r), Decision::Stay);
        assert_eq!(
            decide(true, true, Some(Exclude), r),
            Decision::Leave(JoinReason::Exclude)
        );
        assert_eq!(decide(false, true, Some(Exclude), r), Decision::Stay);
        assert_eq!(
            decide(false, false, Some(Include), r),
            Decision::Join(JoinReason::Include)
        );
        assert_eq!(decide(true, false, Some(Include), r), Decision::Stay);
        assert_eq!(
            decide(true, false, None, JoinReason::Cleared),
            Decision::Leave(JoinReason::Cleared)
        );
    }
}
