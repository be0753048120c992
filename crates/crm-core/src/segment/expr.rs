//! The segment expression (分群条件): `all`, `any`, `not`, an audience condition over one
//! customer's state, or membership of another segment. Its shape is bounded
//! ([`MAX_DEPTH`], [`MAX_NODES`]); its verdict for one customer comes from [`Verdicts`], which
//! the service builds from the batch's facts and the referenced segments' current members.

use crate::error::{CrmError, CrmResult};
use crate::ids::SegmentId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The condition language over one customer's state, shared with tag rules.
pub use crate::audience::Condition;

/// Deepest nesting accepted (a leaf is depth 1).
pub const MAX_DEPTH: usize = 8;

/// Most nodes (operators and leaves together) accepted in one expression.
pub const MAX_NODES: usize = 64;

/// A boolean expression over customers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum SegmentExpr {
    /// Every part holds (an empty `all` holds for every customer).
    All {
        /// The parts.
        of: Vec<SegmentExpr>,
    },
    /// At least one part holds (an empty `any` holds for none).
    Any {
        /// The parts.
        of: Vec<SegmentExpr>,
    },
    /// The part does not hold.
    Not {
        /// The negated part.
        expr: Box<SegmentExpr>,
    },
    /// A condition over the customer's state (fields, tier, RFM, time since the last order
    /// or follow-up, open opportunities' products, counts in windows, relative windows in the
    /// tenant's zone, tags).
    Condition {
        /// The condition.
        condition: Condition,
    },
    /// The customer is a current member of another segment (as last materialized).
    Segment {
        /// The other segment.
        id: SegmentId,
    },
}

/// What an expression needs to know about one customer.
pub trait Verdicts {
    /// Whether the customer meets `condition`.
    fn condition(&self, condition: &Condition) -> bool;
    /// Whether the customer is a current member of `segment`.
    fn member_of(&self, segment: SegmentId) -> bool;
}

impl SegmentExpr {
    /// Nesting depth: 1 for a leaf or an empty `all`/`any`.
    pub fn depth(&self) -> usize {
        match self {
            SegmentExpr::All { of } | SegmentExpr::Any { of } => {
                1 + of.iter().map(SegmentExpr::depth).max().unwrap_or(0)
            }
            SegmentExpr::Not { expr } => 1 + expr.depth(),
            SegmentExpr::Condition { .. } | SegmentExpr::Segment { .. } => 1,
        }
    }

    /// Number of nodes.
    pub fn nodes(&self) -> usize {
        match self {
            SegmentExpr::All { of } | SegmentExpr::Any { of } => {
                1 + of.iter().map(SegmentExpr::nodes).sum::<usize>()
            }
            SegmentExpr::Not { expr } => 1 + expr.nodes(),
            SegmentExpr::Condition { .. } | SegmentExpr::Segment { .. } => 1,
        }
    }

    /// Refuses an expression deeper than [`MAX_DEPTH`] (`expr_too_deep`) or larger than
    /// [`MAX_NODES`] (`expr_too_large`), field `expr`. Depth is measured without recursing
    /// past the limit, so a hostile nesting cannot exhaust the stack here.
    pub fn check_shape(&self) -> CrmResult<()> {
        if self.deeper_than(MAX_DEPTH) {
            return Err(CrmError::validation(
                "expr",
                format!("expr_too_deep: at most {MAX_DEPTH} levels"),
            ));
        }
        let nodes = self.nodes();
        if nodes > MAX_NODES {
            return Err(CrmError::validation(
                "expr",
                format!("expr_too_large: {nodes} nodes, at most {MAX_NODES}"),
            ));
        }
        Ok(())
    }

    /// Whether the depth exceeds `limit`.
    fn deeper_than(&self, limit: usize) -> bool {
        if limit == 0 {
            return true;
        }
        match self {
            SegmentExpr::All { of } | SegmentExpr::Any { of } => {
                of.iter().any(|e| e.deeper_than(limit - 1))
            }
            SegmentExpr::Not { expr } => expr.deeper_than(limit - 1),
            SegmentExpr::Condition { .. } | SegmentExpr::Segment { .. } => false,
        }
    }

    /// The segments it refers to directly.
    pub fn segments(&self) -> BTreeSet<SegmentId> {
        let mut out = BTreeSet::new();
        self.walk(&mut |e| {
            if let SegmentExpr::Segment { id } = e {
                out.insert(*id);
            }
        });
        out
    }

    /// Its conditions, in order of appearance.
    pub fn conditions(&self) -> Vec<&Condition> {
        let mut out = Vec::new();
        self.collect_conditions(&mut out);
        out
    }

    fn collect_conditions<'a>(&'a self, out: &mut Vec<&'a Condition>) {
        match self {
            SegmentExpr::All { of } | SegmentExpr::Any { of } => {
                for e in of {
                    e.collect_conditions(out);
                }
            }
            SegmentExpr::Not { expr } => expr.collect_conditions(out),
            SegmentExpr::Condition { condition } => out.push(condition),
            SegmentExpr::Segment { .. } => {}
        }
    }

    fn walk(&self, f: &mut impl FnMut(&SegmentExpr)) {
        f(self);
        match self {
            SegmentExpr::All { of } | SegmentExpr::Any { of } => {
                for e in of {
                    e.walk(f);
                }
            }
            SegmentExpr::Not { expr } => expr.walk(f),
            SegmentExpr::Condition { .. } | SegmentExpr::Segment { .. } => {}
        }
    }

    /// Whether a customer with these verdicts is matched.
    pub fn matches(&self, v: &impl Verdicts) -> bool {
        match self {
            SegmentExpr::All { of } => of.iter().all(|e| e.matches(v)),
            SegmentExpr::Any { of } => of.iter().any(|e| e.matches(v)),
            SegmentExpr::Not { expr } => !expr.matches(v),
            SegmentExpr::Condition { condition } => v.condition(condition),
            SegmentExpr::Segment { id } => v.member_of(*id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Members(Vec<i64>);

    impl Verdicts for Members {
        fn condition(&self, _condition: &Condition) -> bool {
            false
        }
        fn member_of(&self, segment: SegmentId) -> bool {
            self.0.contains(&segment.0)
        }
    }

    fn seg(id: i64) -> SegmentExpr {
        SegmentExpr::Segment { id: SegmentId(id) }
    }

    fn nested(levels: usize) -> SegmentExpr {
        let mut e = seg(1);
        for _ in 1..levels {
            e = SegmentExpr::Not { expr: Box::new(e) };
        }
        e
    }

    #[test]
    fn boolean_operators_follow_their_parts() {
        let v = Members(vec![1, 3]);
        assert!(SegmentExpr::All { of: vec![] }.matches(&v));
        assert!(!SegmentExpr::Any { of: vec![] }.matches(&v));
        assert!(SegmentExpr::All {
            of: vec![seg(1), seg(3)]
        }
        .matches(&v));
        assert!(!SegmentExpr::All {
            of: vec![seg(1), seg(2)]
        }
        .matches(&v));
        assert!(SegmentExpr::Any {
            of: vec![seg(2), seg(3)]
        }
        .matches(&v));
        assert!(SegmentExpr::Not {
            expr: Box::new(seg(2))
        }
        .matches(&v));
        assert!(!SegmentExpr::Not {
            expr: Box::new(seg(1))
        }
        .matches(&v));
    }

    #[test]
    fn depth_is_refused_past_the_limit_only() {
        assert_eq!(nested(MAX_DEPTH).depth(), MAX_DEPTH);
        assert!(nested(MAX_DEPTH).check_shape().is_ok());
        let err = nested(MAX_DEPTH + 1).check_shape().unwrap_err();
        assert!(err.to_string().contains("expr_too_deep"), "{err}");
    }

    #[test]
    fn size_is_refused_past_the_limit_only() {
        let wide = |n: usize| SegmentExpr::Any {
            of: (0..n as i64).map(seg).collect(),
        };
        assert_eq!(wide(MAX_NODES - 1).nodes(), MAX_NODES);
        assert!(wide(MAX_NODES - 1).check_shape().is_ok());
        let err = wide(MAX_NODES).check_shape().unwrap_err();
        assert!(err.to_string().contains("expr_too_large"), "{err}");
    }

    #[test]
    fn references_are_collected_once() {
        let e = SegmentExpr::All {
            of: vec![
                seg(4),
                SegmentExpr::Not {
                    expr: Box::new(SegmentExpr::Any {
                        of: vec![seg(2), seg(4)],
                    }),
                },
            ],
        };
        assert_eq!(
            e.segments().into_iter().map(|s| s.0).collect::<Vec<_>>(),
            [2, 4]
        );
        assert!(e.conditions().is_empty());
    }

    #[test]
    fn the_json_form_is_tagged_by_op() {
        let e: SegmentExpr = serde_json::from_str(
            r#"{"op":"all","of":[{"op":"not","expr":{"op":"segment","id":7}}]}"#,
        )
        .unwrap();
        assert_eq!(
            e,
            SegmentExpr::All {
                of: vec![SegmentExpr::Not {
                    expr: Box::new(seg(7))
                }]
            }
        );
        assert!(serde_json::from_str::<SegmentExpr>(r#"{"op":"xor","of":[]}"#).is_err());
        assert!(serde_json::from_str::<SegmentExpr>(r#"{"op":"segment","id":1,"x":1}"#).is_err());
    }
}
