//! What one evaluation of a rule tag does to one customer: the state machine behind sticky
//! manual removal.

use super::model::{CustomerTag, TagSource};
use serde::{Deserialize, Serialize};

/// Why a tag went on or off (the `reason` of `TagApplied` / `TagRemoved` events).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TagReason {
    /// A user applied or removed it.
    Manual,
    /// Its rule matches.
    RuleMatches,
    /// Its rule no longer matches.
    RuleNoLongerMatches,
    /// The tag was retired.
    TagRetired,
}

impl TagReason {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            TagReason::Manual => "manual",
            TagReason::RuleMatches => "rule_matches",
            TagReason::RuleNoLongerMatches => "rule_no_longer_matches",
            TagReason::TagRetired => "tag_retired",
        }
    }
}

impl std::fmt::Display for TagReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome of evaluating a rule tag on one customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Nothing changes.
    Keep,
    /// The tag goes on (source rule).
    Apply,
    /// The tag goes off.
    Remove,
    /// A manual removal's suppression ends (the rule stopped matching); the tag stays off.
    ClearSuppression,
}

/// Decides from the customer's row for the tag (if any) and whether the rule matches now:
/// - no row, or off and not suppressed: on when the rule matches;
/// - on by the rule: off when the rule no longer matches; on by a user: kept;
/// - off after a user removed it (suppressed): stays off while the rule matches; the first
///   evaluation where it does not match ends the suppression, so a later match applies it.
pub fn decide(row: Option<&CustomerTag>, matches: bool) -> Decision {
    match row {
        None => {
            if matches {
                Decision::Apply
            } else {
                Decision::Keep
            }
        }
        Some(r) if r.active => match (r.source, matches) {
            (TagSource::Rule, false) => Decision::Remove,
            _ => Decision::Keep,
        },
        Some(r) if r.suppressed => {
            if matches {
                Decision::Keep
            } else {
                Decision::ClearSuppression
            }
        }
        Some(_) => {
            if matches {
                Decision::Apply
            } else {
                Decision::Keep
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{CustomerId, CustomerTagId, TagId, TenantId};

    fn row(active: bool, source: TagSource, suppressed: bool) -> CustomerTag {
        CustomerTag {
            tenant: TenantId(1),
            id: CustomerTagId(1),
            version: 1,
            customer_id: CustomerId(1),
            tag_id: TagId(1),
            active,
            source,
            since: chrono::DateTime::default(),
            suppressed,
            updated_at: chrono::DateTime::default(),
        }
    }

    #[test]
    fn rule_tags_follow_the_rule() {
        assert_eq!(decide(None, true), Decision::Apply);
        assert_eq!(decide(None, false), Decision::Keep);
        let on = row(true, TagSource::Rule, false);
        assert_eq!(decide(Some(&on), true), Decision::Keep);
        assert_eq!(decide(Some(&on), false), Decision::Remove);
        let off = row(false, TagSource::Rule, false);
        assert_eq!(decide(Some(&off), true), Decision::Apply);
        assert_eq!(decide(Some(&off), false), Decision::Keep);
    }

    #[test]
    fn manual_removal_sticks_until_the_rule_stops_and_matches_again() {
        let removed = row(false, TagSource::Manual, true);
        assert_eq!(decide(Some(&removed), true), Decision::Keep);
        assert_eq!(decide(Some(&removed), false), Decision::ClearSuppression);
        let cleared = row(false, TagSource::Manual, false);
        assert_eq!(decide(Some(&cleared), true), Decision::Apply);
    }

    #[test]
    fn manual_application_is_never_undone_by_the_rule() {
        let applied = row(true, TagSource::Manual, false);
        assert_eq!(decide(Some(&applied), false), Decision::Keep);
        assert_eq!(decide(Some(&applied), true), Decision::Keep);
    }
}
