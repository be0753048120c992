//! What a condition reads about one customer as of an instant, and what a condition needs
//! loaded (so a loader reads only that).

use super::condition::Condition;
use crate::customer::Customer;
use crate::tier::{RfmFigures, RfmScores};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::collections::BTreeSet;

/// The facts about one customer as of an instant. Loaders fill every event-derived field
/// with events at or before `as_of` only, so the same data gives the same facts whenever
/// they are computed.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    /// The customer (fields, tier, creation).
    pub customer: Customer,
    /// RFM figures as of the instant (monetary in the tenant's default currency).
    pub rfm: RfmFigures,
    /// RFM scores.
    pub scores: RfmScores,
    /// Last purchase (order, payment, contract) at or before the instant.
    pub last_order_at: Option<DateTime<Utc>>,
    /// Last follow-up at or before the instant.
    pub last_followup_at: Option<DateTime<Utc>>,
    /// Follow-up instants at or before the instant, at least those since
    /// [`Needs::followups_since`].
    pub followups: Vec<DateTime<Utc>>,
    /// Product names on the lines of its open opportunities.
    pub open_products: BTreeSet<String>,
    /// Names of the tags it carries (active).
    pub tags: BTreeSet<String>,
}

impl Facts {
    /// Facts of a customer with no purchases, follow-ups, opportunities or tags.
    pub fn bare(customer: Customer) -> Self {
        let rfm = RfmFigures {
            recency_days: None,
            frequency: 0,
            monetary: rust_decimal::Decimal::ZERO,
        };
        Self {
            customer,
            rfm,
            scores: RfmScores { r: 1, f: 1, m: 1 },
            last_order_at: None,
            last_followup_at: None,
            followups: Vec::new(),
            open_products: BTreeSet::new(),
            tags: BTreeSet::new(),
        }
    }
}

/// Which kinds of facts a set of conditions reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Needs {
    /// RFM figures or scores.
    pub rfm: bool,
    /// The last order.
    pub last_order: bool,
    /// The last follow-up.
    pub last_followup: bool,
    /// Follow-ups from this instant on (the widest window).
    pub followups_since: Option<DateTime<Utc>>,
    /// Open-opportunity products.
    pub open_products: bool,
    /// Tags.
    pub tags: bool,
}

impl Needs {
    /// The union of two needs.
    pub fn union(self, other: Needs) -> Needs {
        Needs {
            rfm: self.rfm || other.rfm,
            last_order: self.last_order || other.last_order,
            last_followup: self.last_followup || other.last_followup,
            followups_since: match (self.followups_since, other.followups_since) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
            open_products: self.open_products || other.open_products,
            tags: self.tags || other.tags,
        }
    }
}

impl Condition {
    /// What evaluating this condition as of `as_of` in `tz` reads.
    pub fn needs(&self, as_of: DateTime<Utc>, tz: Tz) -> Needs {
        let none = Needs::default();
        match self {
            Condition::All { of } | Condition::Any { of } => {
                of.iter().fold(none, |n, c| n.union(c.needs(as_of, tz)))
            }
            Condition::Not { of } => of.needs(as_of, tz),
            Condition::Rfm { .. } => Needs { rfm: true, ..none },
            Condition::SinceLastOrder(_) => Needs {
                last_order: true,
                ..none
            },
            Condition::SinceLastFollowup(_) => Needs {
                last_followup: true,
                ..none
            },
            Condition::FollowupsInWindow { window, .. } => Needs {
                // Out of the calendar's range: nothing to count.
                followups_since: window.bounds(as_of, tz).map(|(s, _)| s),
                ..none
            },
            Condition::OpenOpportunityProduct { .. } => Needs {
                open_products: true,
                ..none
            },
            Condition::Tag { .. } => Needs { tags: true, ..none },
            Condition::Field { .. } | Condition::Tier { .. } | Condition::Created { .. } => none,
        }
    }

    /// Names of the tags the condition reads (in `tag` leaves), each once.
    pub fn tag_names(&self) -> BTreeSet<&str> {
        let mut out = BTreeSet::new();
        self.visit(&mut |c| {
            if let Condition::Tag { name } = c {
                out.insert(name.as_str());
            }
        });
        out
    }

    /// Calls `f` on every node, parents first.
    pub fn visit<'a>(&'a self, f: &mut dyn FnMut(&'a Condition)) {
        f(self);
        match self {
            Condition::All { of } | Condition::Any { of } => {
                for c in of {
                    c.visit(f);
                }
            }
            Condition::Not { of } => of.visit(f),
            _ => {}
        }
    }
}
