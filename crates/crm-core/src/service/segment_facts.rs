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
use crate::tier::{Purchase, Quintiles, Scoring};
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
            Scoring::Quintiles if needs.rfm => Some(self.segment_quintiles(ctx, as_of).await?),
            _ => None,
        };
        Ok(FactsPlan {
            needs,
            quintiles,
            tz,
        })
    }

    /// The facts of a batch as of `as_of`. INTERIM until the audience facts loader
    /// (`service/audience_facts.rs`, branch tags) is merged: the customer itself, its last
    /// order and RFM figures from its purchases (one query for the batch) and its last
    /// follow-up and follow-up instants (one query); open-opportunity products and tags are
    /// not loaded yet.
    async fn segment_facts(
        &self,
        ctx: &Ctx,
        batch: &[Customer],
        as_of: DateTime<Utc>,
        needs: Needs,
        quintiles: Option<&Quintiles>,
    ) -> CrmResult<Vec<Facts>> {
        let mut facts: Vec<Facts> = batch.iter().cloned().map(Facts::bare).collect();
        if batch.is_empty() {
            return Ok(facts);
        }
        let ids: Vec<SqlValue> = batch.iter().map(|c| SqlValue::Int(c.id.0)).collect();
        let settings = &ctx.tenant.settings;
        if needs.rfm || needs.last_order {
            let rows: Vec<Purchase> = self
                .store()
                .load_all(
                    &Query::new(Entity::Purchase, ctx.tenant.id)
                        .filter(Filter::is_in("customer_id", ids.clone()))
                        .filter(Filter::le("at", as_of)),
                )
                .await?;
            let since = crate::clock::minus(
                as_of,
                chrono::Duration::days(i64::from(settings.tiers.window_days)),
            );
            let default_thresholds = crate::tier::Thresholds::default();
            let thresholds = match &settings.tiers.scoring {
                Scoring::Thresholds(t) => t,
                _ => &default_thresholds,
            };
            for f in &mut facts {
                let mine: Vec<Purchase> = rows
                    .iter()
                    .filter(|p| p.customer_id == f.customer.id)
                    .cloned()
                    .collect();
                f.last_order_at = mine.iter().map(|p| p.at).max();
                let window: Vec<Purchase> = mine.into_iter().filter(|p| p.at > since).collect();
                f.rfm = crate::tier::figures(
                    f.last_order_at,
                    &window,
                    &settings.default_currency,
                    as_of,
                )?;
                f.scores = match quintiles {
                    Some(q) => q.score(&f.rfm),
                    None => thresholds.score(&f.rfm),
                };
            }
        }
        if needs.last_followup || needs.followups_since.is_some() {
            let rows: Vec<crate::followup::FollowUp> = self
                .store()
                .load_all(
                    &Query::new(Entity::FollowUp, ctx.tenant.id)
                        .filter(Filter::is_in("customer_id", ids))
                        .filter(Filter::le("at", as_of)),
                )
                .await?;
            for f in &mut facts {
                let mut at: Vec<DateTime<Utc>> = rows
                    .iter()
                    .filter(|r| r.customer_id == Some(f.customer.id))
                    .map(|r| r.at)
                    .collect();
                at.sort_unstable();
                f.last_followup_at = at.last().copied();
                f.followups = at;
            }
        }
        Ok(facts)
    }

    /// Quintile breakpoints over every customer as of `as_of`.
    async fn segment_quintiles(&self, ctx: &Ctx, as_of: DateTime<Utc>) -> CrmResult<Quintiles> {
        let needs = Needs {
            rfm: true,
            ..Needs::default()
        };
        let mut all = Vec::new();
        let mut after = None;
        loop {
            let batch: Vec<Customer> = self
                .store()
                .load_all(
                    &Query::new(Entity::Customer, ctx.tenant.id)
                        .after(after)
                        .limit(super::segment_eval::EVAL_BATCH),
                )
                .await?;
            let Some(last) = batch.last().map(|c| c.id.0) else {
                break;
            };
            let facts = self.segment_facts(ctx, &batch, as_of, needs, None).await?;
            all.extend(facts.into_iter().map(|f| f.rfm));
            after = Some(last);
        }
        Ok(Quintiles::from_population(&all))
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
            .segment_facts(ctx, customers, as_of, plan.needs, plan.quintiles.as_ref())
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
