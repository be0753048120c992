//! The condition tree and its small vocabularies (operators, units, RFM measures).

use super::calendar::RelativeWindow;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A condition over one customer's state. JSON: internally tagged by `"type"`, e.g.
/// `{"type":"since_last_order","unit":"month","more_than":3}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Condition {
    /// Every condition holds (true when empty).
    All {
        /// Conditions.
        of: Vec<Condition>,
    },
    /// Some condition holds (false when empty).
    Any {
        /// Conditions.
        of: Vec<Condition>,
    },
    /// The condition does not hold.
    Not {
        /// Condition.
        of: Box<Condition>,
    },
    /// A customer field compared with a literal (see [`FIELDS`](super::FIELDS); custom fields
    /// as `custom.<key>`).
    Field {
        /// Field name.
        field: String,
        /// Operator.
        op: FieldOp,
        /// Literal (a string, number, boolean, `YYYY-MM-DD` date, or a list for `in`); not
        /// used by `is_set` / `is_not_set`.
        #[serde(default)]
        value: Option<serde_json::Value>,
    },
    /// The computed tier is one of these.
    Tier {
        /// Tier names.
        tiers: Vec<String>,
    },
    /// An RFM figure or score compared with a value (monetary in the tenant's default
    /// currency). A customer that never bought has no recency: `recency_days` never matches.
    Rfm {
        /// Figure or score.
        measure: RfmMeasure,
        /// Comparison.
        op: Compare,
        /// Value, a decimal string.
        #[serde(deserialize_with = "crate::money::strict::deserialize")]
        value: Decimal,
    },
    /// Time since the last order (any purchase: order, payment or contract).
    SinceLastOrder(SinceLast),
    /// Time since the last follow-up.
    SinceLastFollowup(SinceLast),
    /// Some line of an open opportunity names one of these products (exact, trimmed).
    OpenOpportunityProduct {
        /// Product names.
        products: Vec<String>,
    },
    /// The number of follow-ups in a relative window (up to `as_of`) compared with `count`.
    FollowupsInWindow {
        /// Window.
        window: RelativeWindow,
        /// Comparison.
        op: Compare,
        /// Count.
        count: u32,
    },
    /// Created in a relative window.
    Created {
        /// Window.
        window: RelativeWindow,
    },
    /// Carries this tag (active, by name).
    Tag {
        /// Tag name.
        name: String,
    },
}

/// "More than n" or "within n" units since an event; exactly one of the two is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SinceLast {
    /// Calendar days or calendar months.
    pub unit: TimeUnit,
    /// Matches when strictly more than this many units have passed (≥ 1).
    #[serde(default)]
    pub more_than: Option<u32>,
    /// Matches when at most this many units have passed (≥ 1).
    #[serde(default)]
    pub within: Option<u32>,
}

/// Unit of [`SinceLast`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TimeUnit {
    /// Local calendar days.
    Day,
    /// Calendar months (month ends clamp).
    Month,
}

/// Field operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FieldOp {
    /// Equal (numbers numerically).
    Eq,
    /// Not equal (an unset field is not equal to anything).
    Ne,
    /// Equal to one of a list.
    In,
    /// Text contains (case-insensitive), or a list value has the element.
    Contains,
    /// Set (not null, not empty).
    IsSet,
    /// Not set.
    IsNotSet,
    /// Greater than (numbers, dates).
    Gt,
    /// Greater or equal.
    Ge,
    /// Less than.
    Lt,
    /// Less or equal.
    Le,
}

/// Comparisons of numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Compare {
    /// `=`
    Eq,
    /// `≠`
    Ne,
    /// `>`
    Gt,
    /// `≥`
    Ge,
    /// `<`
    Lt,
    /// `≤`
    Le,
}

impl Compare {
    /// Applies the comparison.
    pub fn holds<T: PartialOrd>(self, left: &T, right: &T) -> bool {
        match self {
            Compare::Eq => left == right,
            Compare::Ne => left != right,
            Compare::Gt => left > right,
            Compare::Ge => left >= right,
            Compare::Lt => left < right,
            Compare::Le => left <= right,
        }
    }
}

/// An RFM figure or score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RfmMeasure {
    /// Whole days since the last purchase.
    RecencyDays,
    /// Purchases in the tier window.
    Frequency,
    /// Sum of purchases in the window, default currency.
    Monetary,
    /// Recency score 1–5.
    R,
    /// Frequency score 1–5.
    F,
    /// Monetary score 1–5.
    M,
}
