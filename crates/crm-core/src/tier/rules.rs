//! Tier rules (客户分层): an ordered list of (tier, condition), first match wins, a default
//! tier last; and the default rule set.

use super::rfm::{RfmFigures, RfmScores, Scoring};
use crate::customer::{Customer, CustomerLevel, DealStatus};
use crate::error::{CrmError, CrmResult};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A condition over RFM figures, scores and customer fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TierCondition {
    /// Every condition holds.
    All {
        /// Conditions.
        of: Vec<TierCondition>,
    },
    /// Some condition holds.
    Any {
        /// Conditions.
        of: Vec<TierCondition>,
    },
    /// Has bought, and the last purchase is at least this many whole days ago.
    NoPurchaseForDays {
        /// Days.
        days: i64,
    },
    /// Never bought.
    NeverPurchased,
    /// Scores at least these.
    ScoresAtLeast {
        /// Minimum R.
        #[serde(default)]
        r: u8,
        /// Minimum F.
        #[serde(default)]
        f: u8,
        /// Minimum M.
        #[serde(default)]
        m: u8,
    },
    /// Frequency score at most this.
    FrequencyScoreAtMost {
        /// Maximum F.
        f: u8,
    },
    /// Monetary in the window at least this.
    MonetaryAtLeast {
        /// Amount (a decimal string, at most [`MAX_AMOUNT`](crate::money::MAX_AMOUNT)).
        #[serde(deserialize_with = "crate::money::strict::deserialize")]
        amount: Decimal,
    },
    /// Manual level is this.
    Level {
        /// Level.
        level: CustomerLevel,
    },
    /// Deal status is this.
    DealStatus {
        /// Status.
        status: DealStatus,
    },
    /// Carries this tag.
    Tag {
        /// Tag.
        tag: String,
    },
}

/// A threshold amount: not negative, at most [`MAX_AMOUNT`](crate::money::MAX_AMOUNT).
fn non_negative_amount(amount: Decimal, field: &str) -> CrmResult<()> {
    if amount.is_sign_negative() && !amount.is_zero() {
        return Err(CrmError::validation(field, "must not be negative"));
    }
    crate::money::within_max(amount, field).map(|_| ())
}

impl TierCondition {
    /// Checks every amount in the condition (nested ones too) on `field`.
    fn check_amounts(&self, field: &str) -> CrmResult<()> {
        match self {
            TierCondition::All { of } | TierCondition::Any { of } => of
                .iter()
                .enumerate()
                .try_for_each(|(i, c)| c.check_amounts(&format!("{field}.of[{i}]"))),
            TierCondition::MonetaryAtLeast { amount } => {
                non_negative_amount(*amount, &format!("{field}.amount"))
            }
            _ => Ok(()),
        }
    }

    /// Evaluates the condition.
    pub fn holds(&self, c: &Customer, fig: &RfmFigures, s: &RfmScores) -> bool {
        match self {
            TierCondition::All { of } => of.iter().all(|x| x.holds(c, fig, s)),
            TierCondition::Any { of } => of.iter().any(|x| x.holds(c, fig, s)),
            TierCondition::NoPurchaseForDays { days } => {
                fig.recency_days.is_some_and(|r| r >= *days)
            }
            TierCondition::NeverPurchased => fig.recency_days.is_none(),
            TierCondition::ScoresAtLeast { r, f, m } => s.r >= *r && s.f >= *f && s.m >= *m,
            TierCondition::FrequencyScoreAtMost { f } => s.f <= *f,
            TierCondition::MonetaryAtLeast { amount } => fig.monetary >= *amount,
            TierCondition::Level { level } => c.level == Some(*level),
            TierCondition::DealStatus { status } => c.deal_status == *status,
            TierCondition::Tag { tag } => c.tags.contains(tag),
        }
    }
}

/// One tier rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TierRule {
    /// Tier name.
    pub tier: String,
    /// Condition.
    pub when: TierCondition,
}

/// The tier configuration of a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default)]
pub struct TierSettings {
    /// Window for frequency and monetary, in days.
    pub window_days: u32,
    /// Scoring.
    pub scoring: Scoring,
    /// Ordered rules; first match wins.
    pub rules: Vec<TierRule>,
    /// Tier when no rule matches.
    pub default_tier: String,
}

impl Default for TierSettings {
    /// The default rule set: 流失 (churned: no purchase for 365 days), 沉睡 (dormant: none
    /// for 90 days), 重要价值 (VIP: R, F, M scores ≥ 4), 潜力 (potential: R ≥ 4 with F ≤ 3),
    /// else 普通 (regular).
    fn default() -> Self {
        Self {
            window_days: 365,
            scoring: Scoring::default(),
            rules: vec![
                TierRule {
                    tier: "流失".into(),
                    when: TierCondition::NoPurchaseForDays { days: 365 },
                },
                TierRule {
                    tier: "沉睡".into(),
                    when: TierCondition::NoPurchaseForDays { days: 90 },
                },
                TierRule {
                    tier: "重要价值".into(),
                    when: TierCondition::ScoresAtLeast { r: 4, f: 4, m: 4 },
                },
                TierRule {
                    tier: "潜力".into(),
                    when: TierCondition::All {
                        of: vec![
                            TierCondition::ScoresAtLeast { r: 4, f: 0, m: 0 },
                            TierCondition::FrequencyScoreAtMost { f: 3 },
                        ],
                    },
                },
            ],
            default_tier: "普通".into(),
        }
    }
}

impl TierSettings {
    /// Checks names and the window.
    pub fn validate(&self) -> CrmResult<()> {
        if self.window_days == 0 || self.window_days > 3650 {
            return Err(CrmError::validation(
                "settings.tiers.window_days",
                "must be 1..=3650",
            ));
        }
        for (i, r) in self.rules.iter().enumerate() {
            if r.tier.trim().is_empty() || r.tier.chars().count() > 50 {
                return Err(CrmError::validation(
                    format!("settings.tiers.rules[{i}].tier"),
                    "1 to 50 characters",
                ));
            }
        }
        let field = |path: &str| format!("settings.tiers.{path}");
        if let Scoring::Thresholds(t) = &self.scoring {
            for (j, m) in t.monetary.iter().enumerate() {
                non_negative_amount(*m, &field(&format!("scoring.monetary[{j}]")))?;
            }
        }
        for (i, r) in self.rules.iter().enumerate() {
            r.when.check_amounts(&field(&format!("rules[{i}].when")))?;
        }
        if self.default_tier.trim().is_empty() {
            return Err(CrmError::validation(
                "settings.tiers.default_tier",
                "must not be empty",
            ));
        }
        Ok(())
    }

    /// The tier of a customer: the first matching rule, else the default.
    pub fn assign(&self, c: &Customer, fig: &RfmFigures, scores: &RfmScores) -> String {
        self.rules
            .iter()
            .find(|r| r.when.holds(c, fig, scores))
            .map(|r| r.tier.clone())
            .unwrap_or_else(|| self.default_tier.clone())
    }
}
