//! The bridge between segments and the audience condition language: checking a condition,
//! loading a batch's facts (one query per kind of fact per batch, by the audience loader)
//! and a customer's verdicts for an expression.

use super::{Crm, Ctx};
use crate::customer::Customer;
use crate::error::{CrmError, CrmResult};
use crate::ids::{CustomerId, SegmentId};
use crate::segment::{Condition, SegmentExpr, Verdicts};
use crate::store::{Entity, Filter, Query, SqlValue, Store, StoreExt};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};

/// What the audience loader knows about one customer. PLACEHOLDER until audience merges.
pub(super) type Facts = ();

/// Refuses a condition the audience language refuses (field `expr`). PLACEHOLDER.
pub(super) fn check_condition(_condition: &Condition) -> CrmResult<()> {
    Err(CrmError::validation(
        "expr",
        "condition_unsupported: conditions need the audience module",
    ))
}

/// Whether `condition` holds for a customer with `facts` at `as_of`. PLACEHOLDER.
fn holds(_condition: &Condition, _facts: &Facts, _as_of: DateTime<Utc>) -> bool {
    false
}

/// One customer's verdicts: its facts and the referenced segments it is a member of.
struct CustomerVerdicts<'a> {
    facts: &'a Facts,
    member_of: &'a BTreeSet<SegmentId>,
    as_of: DateTime<Utc>,
}

impl Verdicts for CustomerVerdicts<'_> {
    fn condition(&self, condition: &Condition) -> bool {
        holds(condition, self.facts, self.as_of)
    }
    fn member_of(&self, segment: SegmentId) -> bool {
        self.member_of.contains(&segment)
    }
}

impl<S: Store> Crm<S> {
    /// Whether each customer of a batch matches `expr` at `as_of`, in the batch's order:
    /// one facts load for the batch (skipped without conditions) and one read of the
    /// referenced segments' open stints of these customers.
    pub(super) async fn batch_matches(
        &self,
        ctx: &Ctx,
        expr: &SegmentExpr,
        customers: &[Customer],
        as_of: DateTime<Utc>,
    ) -> CrmResult<Vec<bool>> {
        let _conditions = expr.conditions();
        let facts: Vec<Facts> = vec![(); customers.len()];
        let refs = expr.segments();
        let mut member_of: BTreeMap<CustomerId, BTreeSet<SegmentId>> = BTreeMap::new();
        if !refs.is_empty() && !customers.is_empty() {
            let stints: Vec<crate::segment::SegmentMember> = self
                .store()
                .load_all(
                    &Query::new(Entity::SegmentMember, ctx.tenant.id)
                        .filter(Filter::is_in(
                            "segment_id",
                            refs.iter().map(|s| SqlValue::Int(s.0)).collect(),
                        ))
                        .filter(Filter::is_in(
                            "open_customer",
                            customers.iter().map(|c| SqlValue::Int(c.id.0)).collect(),
                        )),
                )
                .await?;
            for s in stints {
                member_of
                    .entry(s.customer_id)
                    .or_default()
                    .insert(s.segment_id);
            }
        }
        let none = BTreeSet::new();
        Ok(customers
            .iter()
            .zip(&facts)
            .map(|(c, facts)| {
                expr.matches(&CustomerVerdicts {
                    facts,
                    member_of: member_of.get(&c.id).unwrap_or(&none),
                    as_of,
                })
            })
            .collect())
    }
}
