//! Reach figures (触达统计) of a campaign: per touch kind the distinct recipients and the
//! total touches, and rates that name their numerator and denominator. A rate is a
//! percentage of distinct recipients at 2 decimals, rounded half-up, and `None` when its
//! denominator is zero — never 0 and never a division error.

use super::touch::TouchKind;
use crate::error::CrmResult;
use crate::money::checked;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The denominator name of rates over the campaign's members.
pub const MEMBERS: &str = "members";

/// The rates reported, `(name, numerator kind, denominator)`: the denominator is a touch
/// kind or `None` for the members.
pub const RATES: &[(&str, TouchKind, Option<TouchKind>)] = &[
    ("sent_rate", TouchKind::Sent, None),
    ("delivery_rate", TouchKind::Delivered, Some(TouchKind::Sent)),
    ("open_rate", TouchKind::Opened, Some(TouchKind::Delivered)),
    ("click_rate", TouchKind::Clicked, Some(TouchKind::Delivered)),
    (
        "click_to_open_rate",
        TouchKind::Clicked,
        Some(TouchKind::Opened),
    ),
    ("reply_rate", TouchKind::Replied, Some(TouchKind::Delivered)),
    ("form_rate", TouchKind::Form, Some(TouchKind::Clicked)),
    ("attendance_rate", TouchKind::Attended, None),
];

/// What the figures are computed from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReachCounts {
    /// Members counted.
    pub members: u64,
    /// Per kind: (distinct recipients, total touches).
    pub kinds: BTreeMap<TouchKind, (u64, u64)>,
}

/// The touches of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct KindCount {
    /// The kind.
    pub kind: TouchKind,
    /// Distinct records reached with it.
    pub recipients: u64,
    /// Touches of it.
    pub total: u64,
}

/// One rate, naming what it divides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Rate {
    /// Its name (`open_rate`).
    pub name: String,
    /// The touch kind counted above the line (distinct recipients).
    pub numerator: String,
    /// The touch kind (distinct recipients) or `members` below the line.
    pub denominator: String,
    /// Percent at 2 decimals, half-up (`"41.50"`); `None` when the denominator is zero.
    pub value: Option<Decimal>,
}

/// `numerator / denominator` in percent at 2 decimals, half-up; `None` at zero.
pub fn percent(numerator: u64, denominator: u64) -> CrmResult<Option<Decimal>> {
    if denominator == 0 {
        return Ok(None);
    }
    let hundred = Decimal::ONE_HUNDRED;
    let scaled = checked::mul(Decimal::from(numerator), hundred, "reach rate")?;
    let ratio = scaled
        .checked_div(Decimal::from(denominator))
        .ok_or_else(|| checked::overflow("reach rate"))?;
    let mut value = ratio.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    value.rescale(2);
    Ok(Some(value))
}

/// Every kind's counts (all kinds, zeros included, in kind order) and every rate.
pub fn reach_figures(counts: &ReachCounts) -> CrmResult<(Vec<KindCount>, Vec<Rate>)> {
    let of = |k: TouchKind| counts.kinds.get(&k).copied().unwrap_or((0, 0));
    let kinds = TouchKind::ALL
        .iter()
        .map(|&kind| {
            let (recipients, total) = of(kind);
            KindCount {
                kind,
                recipients,
                total,
            }
        })
        .collect();
    let mut rates = Vec::with_capacity(RATES.len());
    for &(name, numerator, denominator) in RATES {
        let below = match denominator {
            Some(k) => of(k).0,
            None => counts.members,
        };
        rates.push(Rate {
            name: name.to_owned(),
            numerator: numerator.as_str().to_owned(),
            denominator: denominator.map_or(MEMBERS, TouchKind::as_str).to_owned(),
            value: percent(of(numerator).0, below)?,
        });
    }
    Ok((kinds, rates))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(n: u64, d: u64) -> Option<String> {
        percent(n, d).ok().flatten().map(|v| v.to_string())
    }

    #[test]
    fn percentages_are_exact_at_two_decimals_half_up() {
        assert_eq!(p(83, 200), Some("41.50".into()));
        assert_eq!(p(1, 3), Some("33.33".into()));
        assert_eq!(p(2, 3), Some("66.67".into()));
        // 0.125 % → 0.13 (half-up), 0.124… → 0.12.
        assert_eq!(p(1, 800), Some("0.13".into()));
        assert_eq!(p(1, 801), Some("0.12".into()));
        assert_eq!(p(0, 5), Some("0.00".into()));
        assert_eq!(p(5, 5), Some("100.00".into()));
        assert_eq!(p(0, 0), None);
        assert_eq!(p(3, 0), None);
        assert!(percent(u64::MAX, 1).is_ok());
    }

    #[test]
    fn rates_name_their_denominator_and_are_none_at_zero() {
        let mut counts = ReachCounts {
            members: 0,
            ..Default::default()
        };
        counts.kinds.insert(TouchKind::Sent, (200, 210));
        counts.kinds.insert(TouchKind::Delivered, (200, 200));
        counts.kinds.insert(TouchKind::Opened, (83, 120));
        let (kinds, rates) = reach_figures(&counts).unwrap_or_default();
        assert_eq!(kinds.len(), TouchKind::ALL.len());
        assert_eq!(kinds[0].total, 210);
        assert_eq!(kinds[6].recipients, 0);
        let rate = |name: &str| rates.iter().find(|r| r.name == name).cloned();
        let open = rate("open_rate").unwrap_or_else(|| panic!("open_rate"));
        assert_eq!(
            (open.numerator.as_str(), open.denominator.as_str()),
            ("opened", "delivered")
        );
        assert_eq!(open.value.map(|v| v.to_string()), Some("41.50".into()));
        // No members: sent_rate has no value; no clicks: form_rate has none; click_rate is 0.
        assert_eq!(rate("sent_rate").and_then(|r| r.value), None);
        assert_eq!(
            rate("sent_rate").map(|r| r.denominator),
            Some(MEMBERS.into())
        );
        assert_eq!(rate("form_rate").and_then(|r| r.value), None);
        assert_eq!(
            rate("click_rate")
                .and_then(|r| r.value)
                .map(|v| v.to_string()),
            Some("0.00".into())
        );
        let json = serde_json::to_value(&open).unwrap_or_default();
        assert_eq!(json["value"], serde_json::json!("41.50"));
        let none = serde_json::to_value(rate("sent_rate")).unwrap_or_default();
        assert_eq!(none["value"], serde_json::Value::Null);
    }
}
