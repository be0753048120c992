//! Reading segments' membership (`segment.members`, `segment.count`, `segment.history`) and
//! previewing an unsaved expression (`segment.preview`). Every read sees only customers in
//! the actor's Marketing read scope: a stint is read through its customer, so an
//! out-of-scope member is absent and not counted.

use super::segment_eval::EVAL_BATCH;
use super::{page_limit, Crm, Ctx, Page};
use crate::access::{Action, Module};
use crate::actor::Actor;
use crate::customer::Customer;
use crate::error::{CrmError, CrmResult};
use crate::ids::{CustomerId, SegmentId};
use crate::segment::{SegmentExpr, SegmentMember};
use crate::store::{Entity, Filter, Predicate, Query, ScopeFilter, Store, StoreExt, ID};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What `segment.preview` found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SegmentPreview {
    /// The instant evaluated as of.
    pub as_of: DateTime<Utc>,
    /// Matching customers in the actor's scope.
    pub count: u64,
    /// The first of them by ascending id, at most the page size.
    pub customers: Vec<CustomerId>,
}

impl Ctx {
    /// The scope of rows hanging off customers by `customer_id`, as the actor's Marketing
    /// read reaches customers (`None`: everything).
    fn marketing_member_scope(&self) -> CrmResult<Option<ScopeFilter>> {
        let reach = self.access.require(Module::Marketing, Action::Read)?;
        match self.access.scope_filter(&reach, self.now) {
            ScopeFilter::All => Ok(None),
            filter => Ok(Some(ScopeFilter::Predicate(Predicate::in_select(
                "customer_id",
                Entity::Customer,
                ID,
                filter.predicate(Entity::Customer.spec())?,
            )))),
        }
    }
}

fn scoped(query: Query, scope: Option<ScopeFilter>) -> Query {
    match scope {
        Some(s) => query.scope(s),
        None => query,
    }
}

impl<S: Store> Crm<S> {
    /// The current members of a segment in the actor's scope, a page of stints by id.
    pub async fn segment_members(
        &self,
        actor: Actor,
        id: SegmentId,
        after: Option<i64>,
        limit: Option<u32>,
    ) -> CrmResult<Page<SegmentMember>> {
        let ctx = self.ctx(actor).await?;
        let scope = ctx.marketing_member_scope()?;
        let limit = page_limit(limit)?;
        self.segment(&ctx, id).await?;
        let query = Query::new(Entity::SegmentMember, ctx.tenant.id)
            .filter(Filter::eq("segment_id", id.0))
            .filter(Filter::is_null("left_at"))
            .after(after)
            .limit(limit);
        let rows: Vec<SegmentMember> = self.store().load_all(&scoped(query, scope)).await?;
        Ok(Page::of(rows, limit, |m| m))
    }

    /// How many current members of a segment are in the actor's scope.
    pub async fn segment_count(&self, actor: Actor, id: SegmentId) -> CrmResult<u64> {
        let ctx = self.ctx(actor).await?;
        let scope = ctx.marketing_member_scope()?;
        self.segment(&ctx, id).await?;
        let query = Query::new(Entity::SegmentMember, ctx.tenant.id)
            .filter(Filter::eq("segment_id", id.0))
            .filter(Filter::is_null("left_at"));
        self.store().count(&scoped(query, scope)).await
    }

    /// Join/leave stints of a segment, of a customer, or of a customer in a segment, by
    /// ascending id, in the actor's scope (a customer outside it has no history).
    pub async fn segment_history(
        &self,
        actor: Actor,
        segment: Option<SegmentId>,
        customer: Option<CustomerId>,
        after: Option<i64>,
        limit: Option<u32>,
    ) -> CrmResult<Page<SegmentMember>> {
        let ctx = self.ctx(actor).await?;
        let scope = ctx.marketing_member_scope()?;
        let limit = page_limit(limit)?;
        let mut query = Query::new(Entity::SegmentMember, ctx.tenant.id)
            .after(after)
            .limit(limit);
        match (segment, customer) {
            (None, None) => {
                return Err(CrmError::validation(
                    "segment",
                    "history_subject: name a segment, a customer or both",
                ))
            }
            (s, c) => {
                if let Some(s) = s {
                    self.segment(&ctx, s).await?;
                    query = query.filter(Filter::eq("segment_id", s.0));
                }
                if let Some(c) = c {
                    query = query.filter(Filter::eq("customer_id", c.0));
                }
            }
        }
        let rows: Vec<SegmentMember> = self.store().load_all(&scoped(query, scope)).await?;
        Ok(Page::of(rows, limit, |m| m))
    }

    /// Counts and lists the first page of customers in the actor's scope that `expr`
    /// matches at `as_of` (default now), writing nothing. Segments it names are read as
    /// last materialized; conditions and references are checked as for a definition.
    pub async fn preview_segment(
        &self,
        actor: Actor,
        expr: SegmentExpr,
        as_of: Option<DateTime<Utc>>,
        limit: Option<u32>,
    ) -> CrmResult<SegmentPreview> {
        crate::validate::texts(&expr, "expr")?;
        expr.check_shape()?;
        for condition in expr.conditions() {
            super::segment_facts::check_condition(condition)?;
        }
        let ctx = self.ctx(actor).await?;
        let reach = ctx.access.require(Module::Marketing, Action::Read)?;
        let limit = page_limit(limit)?;
        let as_of = as_of.map_or(ctx.now, super::truncate_micros);
        for r in expr.segments() {
            if self
                .store()
                .get(Entity::Segment, ctx.tenant.id, r.0)
                .await?
                .is_none()
            {
                return Err(CrmError::validation(
                    "expr",
                    format!("unknown_segment: no segment {r}"),
                ));
            }
        }
        let scope = ctx.access.scope_filter(&reach, ctx.now);
        let mut out = SegmentPreview {
            as_of,
            ..SegmentPreview::default()
        };
        let plan = self.facts_plan(&ctx, &expr, as_of).await?;
        let mut after = None;
        loop {
            let customers: Vec<Customer> = self
                .store()
                .load_all(
                    &Query::new(Entity::Customer, ctx.tenant.id)
                        .scope(scope.clone())
                        .after(after)
                        .limit(EVAL_BATCH),
                )
                .await?;
            let Some(last) = customers.last().map(|c| c.id.0) else {
                break;
            };
            let matches = self
                .batch_matches(&ctx, &expr, &plan, &customers, as_of)
                .await?;
            for (c, matched) in customers.iter().zip(matches) {
                if matched {
                    out.count += 1;
                    if out.customers.len() < limit as usize {
                        out.customers.push(c.id);
                    }
                }
            }
            after = Some(last);
            if customers.len() < EVAL_BATCH as usize {
                break;
            }
        }
        Ok(out)
    }
}
