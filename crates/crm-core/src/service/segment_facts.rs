//! The bridge between segments and the audience condition language: checking a condition,
//! loading a batch's facts (the audience loader: one query per kind of fact the
//! expression's conditions need, per batch) and a customer's verdicts for an expression.

use super::{Crm, Ctx};
use crate::audience::{Facts, Needs};
use crate::customer::Customer;
use crate::error::CrmResult;
use crate::ids::{CustomerId, SegmentId};
use crate::segment::{Condition, SegmentExpr, SegmentMember, Verdicts};
use crate::store::{Entity, Filter, Query, SqlValue, Store, StoreExt};
use crate::tier::{Quintiles, Scoring};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::collections::{BTreeMap, BTreeSet};

/// Refuses a condition the audience language refuses (fields named under `expr.condition`).
pub(super) fn check_condition(condition: &Condition) -> CrmResult<()> {
    condition.validate_at("expr.condition")
}

/// What the conditions of `expr` read, as of `as_of` in `tz`.
fn needs_of(expr: &SegmentExpr, as_of: DateTime<Utc>, tz: Tz) -> Needs {
    expr.conditions()
        .into_iter()
        .fold(Needs::default(), |n, c| n.union(c.needs(as_of, tz)))
}

/// One customer's verdicts: its facts and the referenced segments it is a member of.
struct CustomerVerdicts<'a> {
    facts: &'a Facts,
    member_of: &'a BTreeSet<SegmentId>,
    as_of: DateTime<Utc>,
    tz: Tz,
}

impl Verdicts for CustomerVerdicts<'_> {
    fn condition(&self, condition: &Condition) -> bool {
        condition.matches(self.facts, self.as_of, self.tz)
    }
    fn member_of(&self, segment: SegmentId) -> bool {
        self.member_of.contains(&segment)
    }
}

/// What evaluating an expression over batches needs once: the facts it reads and, when
/// the tenant scores RFM by quintiles and a condition reads RFM, the population's
/// breakpoints.
pub(super) struct FactsPlan {
    needs: Needs,
    quintiles: Option<Quintiles>,
    tz: Tz,
}

impl<S: Store> Crm<S> {
    /// The facts plan of `expr` at `as_of` (reads the whole population's RFM figures once
    /// only for quintile scoring with an RFM condition).
    pub(super) async fn facts_plan(
        &self,
        ctx: &Ctx,
        expr: &SegmentExpr,
        as_of: DateTime<Utc>,
    ) -> CrmResult<FactsPlan> {
        let tz = ctx.tenant.settings.tz()?;
        let needs = needs_of(expr, as_of, tz);
        let quintiles = match ctx.tenant.settings.tiers.scoring {
            Scoring::Quintiles if needs.rfm => Some(self.population_quintiles(ctx, as_of).await?),
            _ => None,
        };
        Ok(FactsPlan {
            needs,
            quintiles,
            tz,
        })
    }

    /// Whether each customer of a batch matches `expr` at `as_of`, in the batch's order:
    /// one facts load for the batch (one query per kind the plan needs) and one read of the
    /// referenced segments' open stints of these customers.
    pub(super) async fn batch_matches(
        &self,
        ctx: &Ctx,
        expr: &SegmentExpr,
        plan: &FactsPlan,
        customers: &[Customer],
        as_of: DateTime<Utc>,
    ) -> CrmResult<Vec<bool>> {
        let facts = self
            .audience_facts(ctx, customers, as_of, plan.needs, plan.quintiles.as_ref())
            .await?;
        let refs = expr.segments();
        let mut member_of: BTreeMap<CustomerId, BTreeSet<SegmentId>> = BTreeMap::new();
        if !refs.is_empty() && !customers.is_empty() {
            let stints: Vec<SegmentMember> = self
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
                    tz: plan.tz,
                })
            })
            .collect())
    }
}
