//! Credit splits (业绩分成): who shares an event's credit, in percent. A host sets a split on a
//! contract or opportunity before it is won; without one the owner gets 100 %. Shares are
//! fixed into the credit records at the event.

use crate::error::{CrmError, CrmResult};
use crate::ids::UserId;
use crate::money::Currency;
use crate::sales::allocate::allocate_amount;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The most users one split may name.
pub const MAX_SPLIT_USERS: usize = 20;

/// One user's share of a split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditShare {
    /// The credited user.
    pub user_id: UserId,
    /// The share in percent, (0, 100] with at most 2 decimals.
    pub share: Decimal,
}

/// A split: distinct users whose shares sum to exactly 100 %.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct CreditSplit(pub Vec<CreditShare>);

impl CreditSplit {
    /// The whole credit to one user.
    pub fn sole(user_id: UserId) -> Self {
        Self(vec![CreditShare {
            user_id,
            share: Decimal::ONE_HUNDRED,
        }])
    }

    /// Refuses an empty split or one of more than 20 users (field `credit_split`), a repeated
    /// user or a share outside (0, 100] or with more than 2 decimals (field
    /// `credit_split[i].user_id` / `credit_split[i].share`), and shares not summing to
    /// exactly 100 (rule `share_sum`).
    pub fn validate(&self) -> CrmResult<()> {
        if self.0.is_empty() {
            return Err(CrmError::validation("credit_split", "at least one user"));
        }
        if self.0.len() > MAX_SPLIT_USERS {
            return Err(CrmError::validation(
                "credit_split",
                format!("at most {MAX_SPLIT_USERS} users"),
            ));
        }
        let mut sum = Decimal::ZERO;
        for (i, s) in self.0.iter().enumerate() {
            if self.0[..i].iter().any(|o| o.user_id == s.user_id) {
                return Err(CrmError::validation(
                    format!("credit_split[{i}].user_id"),
                    format!("user {} is named twice", s.user_id),
                ));
            }
            if s.share <= Decimal::ZERO
                || s.share > Decimal::ONE_HUNDRED
                || s.share.normalize().scale() > 2
            {
                return Err(CrmError::validation(
                    format!("credit_split[{i}].share"),
                    "a percentage above 0 and at most 100, with at most 2 decimals",
                ));
            }
            sum += s.share;
        }
        if sum != Decimal::ONE_HUNDRED {
            return Err(CrmError::rule(
                "share_sum",
                format!("credit shares sum to {sum} %, not 100 %"),
            ));
        }
        Ok(())
    }

    /// Splits an amount (at `currency`'s scale, either sign) over the shares by largest
    /// remainder in minor units, ties to the earlier share: the parts sum to `amount` exactly.
    pub fn amounts(&self, amount: Decimal, currency: &Currency) -> CrmResult<Vec<Decimal>> {
        let weights: Vec<Decimal> = self.0.iter().map(|s| s.share).collect();
        let parts = allocate_amount(amount.abs(), &weights, currency)?;
        Ok(if amount.is_sign_negative() {
            parts.into_iter().map(|p| -p).collect()
        } else {
            parts
        })
    }

    /// Splits one counted event (or its reversal, `sign` −1): each user gets their share as a
    /// fraction of one (50 % → 0.5).
    pub fn counts(&self, sign: Decimal) -> Vec<Decimal> {
        self.0
            .iter()
            .map(|s| sign * s.share / Decimal::ONE_HUNDRED)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    fn split(shares: &[(i64, &str)]) -> CreditSplit {
        CreditSplit(
            shares
                .iter()
                .map(|(u, s)| CreditShare {
                    user_id: UserId(*u),
                    share: dec(s),
                })
                .collect(),
        )
    }

    fn field(r: CrmResult<()>) -> String {
        match r {
            Err(CrmError::Validation { field, .. }) => field,
            Err(CrmError::RuleViolation { rule, .. }) => rule,
            Err(e) => e.to_string(),
            Ok(()) => "ok".into(),
        }
    }

    #[test]
    fn shares_must_sum_to_exactly_100() {
        assert_eq!(field(split(&[(1, "60"), (2, "40")]).validate()), "ok");
        assert_eq!(
            field(split(&[(1, "60"), (2, "39.99")]).validate()),
            "share_sum"
        );
        assert_eq!(
            field(split(&[(1, "60"), (2, "40.01")]).validate()),
            "share_sum"
        );
        assert_eq!(field(CreditSplit::sole(UserId(3)).validate()), "ok");
    }

    #[test]
    fn bad_shares_are_refused_by_field() {
        assert_eq!(field(split(&[]).validate()), "credit_split");
        assert_eq!(
            field(split(&[(1, "50"), (1, "50")]).validate()),
            "credit_split[1].user_id"
        );
        assert_eq!(
            field(split(&[(1, "0"), (2, "100")]).validate()),
            "credit_split[0].share"
        );
        assert_eq!(
            field(split(&[(1, "-10"), (2, "110")]).validate()),
            "credit_split[0].share"
        );
        assert_eq!(
            field(split(&[(1, "33.335"), (2, "66.665")]).validate()),
            "credit_split[0].share"
        );
        assert_eq!(field(split(&[(1, "33.30"), (2, "66.70")]).validate()), "ok");
        let many: Vec<(i64, &str)> = (1..=21).map(|u| (u, "1")).collect();
        assert_eq!(field(split(&many).validate()), "credit_split");
    }

    #[test]
    fn amounts_sum_exactly_and_keep_the_sign() {
        let cny = Currency::parse("CNY", "currency").unwrap();
        let s = split(&[(1, "33.34"), (2, "33.33"), (3, "33.33")]);
        let parts = s.amounts(dec("100.01"), &cny).unwrap();
        assert_eq!(parts.iter().copied().sum::<Decimal>(), dec("100.01"));
        let neg = s.amounts(dec("-100.01"), &cny).unwrap();
        assert_eq!(neg, parts.iter().map(|p| -*p).collect::<Vec<_>>());
    }

    #[test]
    fn tg5_counts_follow_the_share() {
        // Order A qty 5 credited 100 %, order B qty 10 credited 50 %: achieved 10, not 15.
        let a = CreditSplit::sole(UserId(1));
        let b = split(&[(1, "50"), (2, "50")]);
        let qty_a = dec("5") * a.counts(Decimal::ONE)[0];
        let qty_b = dec("10") * b.counts(Decimal::ONE)[0];
        assert_eq!(qty_a + qty_b, dec("10"));
        assert_eq!(b.counts(-Decimal::ONE), vec![dec("-0.5"), dec("-0.5")]);
    }
}
