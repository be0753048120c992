//! The amendment guard: when an amended contract must be approved again from level 1.

use super::{ApprovalFacts, ApprovalPolicy};
use crate::error::CrmResult;
use crate::money::checked;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Why an amendment must be approved again from level 1. Stored and emitted as an object
/// whose `reason` is a stable snake_case name ([`ReapprovalReason::as_str`]) next to its
/// figures: `{"reason":"amount_lowered","approved_total":"100.00","amended_total":"70.00",…}`
/// (the totals under money keys, so the contracts `total` field rule withholds them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReapprovalReason {
    /// The total fell by more than the threshold.
    AmountLowered {
        /// Approved total.
        #[serde(rename = "approved_total", alias = "approved")]
        approved: Decimal,
        /// Amended total.
        #[serde(rename = "amended_total", alias = "amended")]
        amended: Decimal,
        /// The threshold in percent.
        threshold_percent: Decimal,
    },
    /// The max discount rose above the approved one.
    DiscountRaised {
        /// Approved max discount.
        approved: Decimal,
        /// Amended max discount.
        amended: Decimal,
    },
    /// The currency changed.
    CurrencyChanged,
    /// The amended contract matches a different branch (e.g. it crossed an amount bound).
    BranchChanged {
        /// Branch that approved.
        approved: String,
        /// Branch the amendment matches.
        amended: String,
    },
}

impl ReapprovalReason {
    /// The stable name: `amount_lowered`, `discount_raised`, `currency_changed`,
    /// `branch_changed`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ReapprovalReason::AmountLowered { .. } => "amount_lowered",
            ReapprovalReason::DiscountRaised { .. } => "discount_raised",
            ReapprovalReason::CurrencyChanged => "currency_changed",
            ReapprovalReason::BranchChanged { .. } => "branch_changed",
        }
    }
}

impl std::fmt::Display for ReapprovalReason {
    /// One line for people: `amount lowered from 100.00 to 70.00 (threshold 20%)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReapprovalReason::AmountLowered {
                approved,
                amended,
                threshold_percent,
            } => write!(
                f,
                "amount lowered from {approved} to {amended} (threshold {threshold_percent}%)"
            ),
            ReapprovalReason::DiscountRaised { approved, amended } => {
                write!(f, "discount raised from {approved}% to {amended}%")
            }
            ReapprovalReason::CurrencyChanged => f.write_str("currency changed"),
            ReapprovalReason::BranchChanged { approved, amended } => {
                write!(f, "approval branch changed from {approved} to {amended}")
            }
        }
    }
}

/// The amendment guard's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AmendmentVerdict {
    /// True when the amendment must be approved again from level 1.
    pub restart_from_first_level: bool,
    /// Every reason found (empty when not restarting).
    pub reasons: Vec<ReapprovalReason>,
}

/// Compares an amendment with what was approved. Full re-approval from level 1 is needed
/// when the total is lowered by **more than** the policy's threshold (exactly 20 % of 100.00
/// → 80.00 does not; 79.99 does), when the max discount rises above the approved one, when
/// the currency changes, or when the amended facts select another branch of the policy.
/// Rule `approval_no_branch` when the amended facts match no branch.
pub fn amendment_guard(
    policy: &ApprovalPolicy,
    approved: &ApprovalFacts,
    amended: &ApprovalFacts,
) -> CrmResult<AmendmentVerdict> {
    let mut reasons = Vec::new();
    if approved.currency != amended.currency {
        reasons.push(ReapprovalReason::CurrencyChanged);
    } else if amended.total < approved.total {
        // (approved − amended) / approved × 100 > threshold, without dividing.
        let what = "amendment guard";
        let drop = checked::mul(
            checked::sub(approved.total, amended.total, what)?,
            Decimal::ONE_HUNDRED,
            what,
        )?;
        let limit = checked::mul(policy.amendment_threshold_percent, approved.total, what)?;
        if drop > limit {
            reasons.push(ReapprovalReason::AmountLowered {
                approved: approved.total,
                amended: amended.total,
                threshold_percent: policy.amendment_threshold_percent,
            });
        }
    }
    if amended.max_discount > approved.max_discount {
        reasons.push(ReapprovalReason::DiscountRaised {
            approved: approved.max_discount,
            amended: amended.max_discount,
        });
    }
    let was = policy
        .select(approved)
        .ok()
        .map(|(i, b)| (i, b.name.clone()));
    let (now, now_branch) = policy.select(amended)?;
    if was.as_ref().map(|(i, _)| *i) != Some(now) {
        let approved_name = was.map(|(_, name)| name).unwrap_or_default();
        reasons.push(ReapprovalReason::BranchChanged {
            approved: approved_name,
            amended: now_branch.name.clone(),
        });
    }
    Ok(AmendmentVerdict {
        restart_from_first_level: !reasons.is_empty(),
        reasons,
    })
}
