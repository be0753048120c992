//! The requests that create and change a campaign, and their pure checks: a name, a period
//! whose end is not before its start (rule `period_order`), a budget exact per currency
//! ([`super::amount`]), a status move allowed by [`CampaignStatus::check_move`].

use super::amount::budget;
use super::model::{Campaign, CampaignChannel, CampaignStatus};
use crate::error::{CrmError, CrmResult};
use crate::ids::{CampaignId, UserId};
use crate::money::strict::StrictDecimal;
use crate::validate::{optional_text, required_text, MAX_NAME, MAX_NOTE};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

fn budget_map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, Decimal>, D::Error> {
    BTreeMap::<String, StrictDecimal>::deserialize(d)
        .map(|m| m.into_iter().map(|(k, v)| (k, v.0)).collect())
}

fn budget_option<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<BTreeMap<String, Decimal>>, D::Error> {
    Option::<BTreeMap<String, StrictDecimal>>::deserialize(d)
        .map(|o| o.map(|m| m.into_iter().map(|(k, v)| (k, v.0)).collect()))
}

/// A campaign's period: first and last local day, both inclusive; either may be open.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// First day.
    #[serde(default)]
    pub start_on: Option<NaiveDate>,
    /// Last day (not before `start_on`).
    #[serde(default)]
    pub end_on: Option<NaiveDate>,
}

impl Period {
    /// Refuses an end before the start (field `end_on`, rule `period_order`).
    pub fn check(self) -> CrmResult<Self> {
        if let (Some(start), Some(end)) = (self.start_on, self.end_on) {
            if end < start {
                return Err(CrmError::validation(
                    "end_on",
                    format!("period_order: {end} is before the start {start}"),
                ));
            }
        }
        Ok(self)
    }
}

/// Creates a campaign (`campaign.create`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignInput {
    /// Name (required, at most 200 characters).
    pub name: String,
    /// The parent campaign (same tenant; at most 5 levels).
    #[serde(default)]
    pub parent_id: Option<CampaignId>,
    /// The channel.
    pub channel: CampaignChannel,
    /// The initial status: planned (default) or active.
    #[serde(default)]
    pub status: Option<CampaignStatus>,
    /// First local day.
    #[serde(default)]
    pub start_on: Option<NaiveDate>,
    /// Last local day (not before `start_on`).
    #[serde(default)]
    pub end_on: Option<NaiveDate>,
    /// Budget per currency: ISO 4217 code → decimal string, exact at the currency's scale,
    /// not negative, at most 10^15.
    #[serde(default, deserialize_with = "budget_map")]
    pub budget: BTreeMap<String, Decimal>,
    /// The responsible user (default: the acting user).
    #[serde(default)]
    pub owner_id: Option<UserId>,
    /// A description.
    #[serde(default)]
    pub description: Option<String>,
}

/// The checked parts of a [`CampaignInput`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedCampaign {
    /// Trimmed name.
    pub name: String,
    /// Initial status.
    pub status: CampaignStatus,
    /// Period.
    pub period: Period,
    /// Budget at each currency's scale.
    pub budget: BTreeMap<String, Decimal>,
    /// Trimmed description.
    pub description: Option<String>,
}

impl CampaignInput {
    /// The checked name, status, period, budget and description.
    pub fn check(&self) -> CrmResult<CheckedCampaign> {
        let status = self.status.unwrap_or(CampaignStatus::Planned);
        if !matches!(status, CampaignStatus::Planned | CampaignStatus::Active) {
            return Err(CrmError::validation(
                "status",
                format!("initial_status: a campaign starts planned or active, not {status}"),
            ));
        }
        Ok(CheckedCampaign {
            name: required_text(&self.name, "name", MAX_NAME)?,
            status,
            period: Period {
                start_on: self.start_on,
                end_on: self.end_on,
            }
            .check()?,
            budget: budget(&self.budget, "budget")?,
            description: optional_text(self.description.as_deref(), "description", MAX_NOTE)?,
        })
    }
}

/// Changes a campaign (`campaign.update`): only the fields given change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignPatch {
    /// The campaign.
    pub id: CampaignId,
    /// New name.
    #[serde(default)]
    pub name: Option<String>,
    /// New parent (same tenant, no cycle, at most 5 levels).
    #[serde(default)]
    pub parent_id: Option<CampaignId>,
    /// Makes the campaign a root (refused together with `parent_id`).
    #[serde(default)]
    pub make_root: bool,
    /// New channel.
    #[serde(default)]
    pub channel: Option<CampaignChannel>,
    /// New status (planned → active | cancelled; active → completed | cancelled).
    #[serde(default)]
    pub status: Option<CampaignStatus>,
    /// New period (replaces both days).
    #[serde(default)]
    pub period: Option<Period>,
    /// New budget (replaces every currency).
    #[serde(default, deserialize_with = "budget_option")]
    pub budget: Option<BTreeMap<String, Decimal>>,
    /// New owner.
    #[serde(default)]
    pub owner_id: Option<UserId>,
    /// New description (blank clears it).
    #[serde(default)]
    pub description: Option<String>,
}

impl CampaignPatch {
    /// Applies the plain fields (name, channel, status, period, budget, description) to
    /// `campaign`; the parent and the owner are the service's to check.
    pub fn apply(&self, campaign: &mut Campaign) -> CrmResult<()> {
        if self.make_root && self.parent_id.is_some() {
            return Err(CrmError::validation(
                "make_root",
                "parent_conflict: give parent_id or make_root, not both",
            ));
        }
        if let Some(name) = &self.name {
            campaign.name = required_text(name, "name", MAX_NAME)?;
        }
        if let Some(channel) = self.channel {
            campaign.channel = channel;
        }
        if let Some(status) = self.status {
            campaign.status.check_move(status)?;
            campaign.status = status;
        }
        if let Some(period) = self.period {
            let period = period.check()?;
            campaign.start_on = period.start_on;
            campaign.end_on = period.end_on;
        }
        if let Some(b) = &self.budget {
            campaign.budget = budget(b, "budget")?;
        }
        if let Some(d) = &self.description {
            campaign.description = optional_text(Some(d), "description", MAX_NOTE)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    fn input() -> CampaignInput {
        CampaignInput {
            name: " Spring ".into(),
            parent_id: None,
            channel: CampaignChannel::Email,
            status: None,
            start_on: day(2026, 2, 28),
            end_on: day(2026, 2, 28),
            budget: BTreeMap::new(),
            owner_id: None,
            description: None,
        }
    }

    #[test]
    fn end_on_the_start_day_is_fine_the_day_before_is_not() {
        let ok = input().check().map(|c| c.name);
        assert_eq!(ok.ok(), Some("Spring".to_owned()));
        let before = CampaignInput {
            end_on: day(2026, 2, 27),
            ..input()
        };
        assert!(matches!(
            before.check(),
            Err(CrmError::Validation { field, reason }) if field == "end_on" && reason.starts_with("period_order")
        ));
        // Leap day to the next month.
        let leap = CampaignInput {
            start_on: day(2028, 2, 29),
            end_on: day(2028, 3, 1),
            ..input()
        };
        assert!(leap.check().is_ok());
    }

    #[test]
    fn starts_planned_or_active() {
        assert_eq!(
            input().check().map(|c| c.status).ok(),
            Some(CampaignStatus::Planned)
        );
        for s in [CampaignStatus::Completed, CampaignStatus::Cancelled] {
            let bad = CampaignInput {
                status: Some(s),
                ..input()
            };
            assert!(bad.check().is_err());
        }
    }

    #[test]
    fn budgets_are_strict_decimal_strings() {
        let ok: Result<CampaignInput, _> = serde_json::from_str(
            r#"{"name":"a","channel":"sms","budget":{"CNY":"100.50","JPY":"3000"}}"#,
        );
        assert!(ok.is_ok());
        let float: Result<CampaignInput, _> =
            serde_json::from_str(r#"{"name":"a","channel":"sms","budget":{"CNY":100.5}}"#);
        assert!(float.is_err());
    }
}
