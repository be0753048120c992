//! The lead's status flow: New → Working → Qualified | Unqualified (with a reason) →
//! Converted; Merged when folded into another lead.

use crate::error::{CrmError, CrmResult};
use serde::{Deserialize, Serialize};

/// Where a lead stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LeadStatus {
    /// Not contacted yet.
    #[default]
    New,
    /// Being worked (contacted).
    Working,
    /// Worth converting.
    Qualified,
    /// Not worth pursuing (a reason is recorded).
    Unqualified,
    /// Converted into a customer (terminal).
    Converted,
    /// Merged into another lead (terminal).
    Merged,
}

impl LeadStatus {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            LeadStatus::New => "new",
            LeadStatus::Working => "working",
            LeadStatus::Qualified => "qualified",
            LeadStatus::Unqualified => "unqualified",
            LeadStatus::Converted => "converted",
            LeadStatus::Merged => "merged",
        }
    }

    /// Open leads count against capacity and may be assigned, converted and merged.
    pub fn is_open(self) -> bool {
        !matches!(self, LeadStatus::Converted | LeadStatus::Merged)
    }

    /// How far the lead has come, for the merge winner rule: qualified, then worked
    /// (working or unqualified), then new. Closed leads rank nowhere (they are not merged).
    pub fn advancement(self) -> Option<u8> {
        match self {
            LeadStatus::New => Some(0),
            LeadStatus::Working | LeadStatus::Unqualified => Some(1),
            LeadStatus::Qualified => Some(2),
            LeadStatus::Converted | LeadStatus::Merged => None,
        }
    }

    /// Checks a status change a user asks for (`lead.set_status`): between the open
    /// statuses any way except back to `new`, with a reason exactly when the target is
    /// `unqualified`. Conversion and merge have their own operations.
    pub fn check_change(self, to: LeadStatus, reason: Option<&str>) -> CrmResult<()> {
        if !self.is_open() {
            return Err(CrmError::rule(
                "lead_closed",
                format!("a {} lead does not change status", self.as_str()),
            ));
        }
        match to {
            LeadStatus::Converted | LeadStatus::Merged => Err(CrmError::validation(
                "status",
                format!(
                    "{} is reached through lead.{}",
                    to.as_str(),
                    if to == LeadStatus::Converted {
                        "convert"
                    } else {
                        "merge"
                    }
                ),
            )),
            LeadStatus::New if self != LeadStatus::New => Err(CrmError::rule(
                "lead_status_backwards",
                "a worked lead does not go back to new",
            )),
            LeadStatus::Unqualified if reason.is_none_or(|r| r.trim().is_empty()) => Err(
                CrmError::validation("reason", "an unqualified lead needs its reason"),
            ),
            _ if to != LeadStatus::Unqualified && reason.is_some() => Err(CrmError::validation(
                "reason",
                "a reason goes only with unqualified",
            )),
            _ => Ok(()),
        }
    }
}

impl std::fmt::Display for LeadStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::LeadStatus::*;
    use super::*;

    #[test]
    fn open_statuses_move_freely_but_never_back_to_new() {
        assert!(New.check_change(Working, None).is_ok());
        assert!(Working.check_change(Qualified, None).is_ok());
        assert!(Qualified.check_change(Working, None).is_ok());
        assert!(Unqualified.check_change(Working, None).is_ok());
        assert!(New.check_change(New, None).is_ok());
        assert!(matches!(
            Working.check_change(New, None),
            Err(CrmError::RuleViolation { rule, .. }) if rule == "lead_status_backwards"
        ));
    }

    #[test]
    fn unqualified_needs_a_reason_and_only_it_takes_one() {
        assert!(matches!(
            Working.check_change(Unqualified, None),
            Err(CrmError::Validation { field, .. }) if field == "reason"
        ));
        assert!(Working.check_change(Unqualified, Some("  ")).is_err());
        assert!(Working.check_change(Unqualified, Some("no budget")).is_ok());
        assert!(Working.check_change(Qualified, Some("why")).is_err());
    }

    #[test]
    fn closed_leads_and_terminal_targets_are_refused() {
        for closed in [Converted, Merged] {
            assert!(matches!(
                closed.check_change(Working, None),
                Err(CrmError::RuleViolation { rule, .. }) if rule == "lead_closed"
            ));
        }
        assert!(Qualified.check_change(Converted, None).is_err());
        assert!(Qualified.check_change(Merged, None).is_err());
    }

    #[test]
    fn advancement_orders_qualified_over_worked_over_new() {
        assert!(Qualified.advancement() > Working.advancement());
        assert_eq!(Working.advancement(), Unqualified.advancement());
        assert!(Working.advancement() > New.advancement());
        assert_eq!(Converted.advancement(), None);
    }
}
