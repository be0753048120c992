//! Segment definitions (客户分群, DESIGN §4.11, ADR 0031): create, update, retire, read and
//! list. A definition names only active segments of the tenant and never closes a cycle
//! (rule `segment_cycle`, with the path); its conditions are checked by the audience
//! language. Membership lives in [`segment_eval`](super::segment_eval) and
//! [`segment_overrides`](super::segment_overrides).

use super::{json, page_limit, transact, Crm, Ctx, Page};
use crate::access::{Action, Module};
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::ids::{SegmentId, TenantId};
use crate::segment::graph::Graph;
use crate::segment::{check_acyclic, Segment, SegmentExpr, SegmentInput, SegmentStatus};
use crate::store::{Changes, Entity, EventKind, Filter, Order, Query, Store, StoreExt};
use crate::validate::{optional_text, required_text, MAX_NAME, MAX_TEXT};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Most segment definitions a tenant keeps (active and retired).
pub const MAX_SEGMENTS: usize = 1_000;

/// Which segments to list (`segment.list`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentFilter {
    /// Only in this status.
    #[serde(default)]
    pub status: Option<SegmentStatus>,
    /// Keyset cursor (the previous page's `next_after`).
    #[serde(default)]
    pub after: Option<i64>,
    /// Page size, 1..=500 (default 50).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// A checked definition: trimmed name and description, expression within its limits.
struct Checked {
    name: String,
    description: Option<String>,
    expr: SegmentExpr,
}

fn check_input(input: SegmentInput) -> CrmResult<Checked> {
    crate::validate::texts(&input, "")?;
    let name = required_text(&input.name, "name", MAX_NAME)?;
    let description = optional_text(input.description.as_deref(), "description", MAX_TEXT)?;
    input.expr.check_shape()?;
    for condition in input.expr.conditions() {
        super::segment_facts::check_condition(condition)?;
    }
    Ok(Checked {
        name,
        description,
        expr: input.expr,
    })
}

fn segment_payload(segment: &Segment, change: &str) -> serde_json::Value {
    serde_json::json!({
        "change": change,
        "name": segment.name,
        "status": segment.status,
    })
}

impl<S: Store> Crm<S> {
    /// Every segment definition of the tenant (bounded by [`MAX_SEGMENTS`]).
    pub(super) async fn all_segments(&self, tenant: TenantId) -> CrmResult<Vec<Segment>> {
        self.store()
            .load_all(&Query::new(Entity::Segment, tenant).limit(MAX_SEGMENTS as u32 + 1))
            .await
    }

    /// One segment by id (not found when missing).
    pub(super) async fn segment(&self, ctx: &Ctx, id: SegmentId) -> CrmResult<Segment> {
        self.store()
            .load::<Segment>(ctx.tenant.id, id)
            .await?
            .ok_or_else(|| CrmError::not_found("segment", id))
    }

    /// Refuses a name another segment has, a reference to a missing or retired segment, and
    /// a cycle through `subject`.
    fn check_definition(subject: SegmentId, checked: &Checked, all: &[Segment]) -> CrmResult<()> {
        if let Some(other) = all
            .iter()
            .find(|s| s.id != subject && s.name == checked.name)
        {
            return Err(CrmError::validation(
                "name",
                format!("name_taken: segment {} is named so", other.id),
            ));
        }
        let refs = checked.expr.segments();
        for r in &refs {
            match all.iter().find(|s| s.id == *r) {
                None if *r != subject => {
                    return Err(CrmError::validation(
                        "expr",
                        format!("unknown_segment: no segment {r}"),
                    ))
                }
                Some(s) if s.status == SegmentStatus::Retired && *r != subject => {
                    return Err(CrmError::validation(
                        "expr",
                        format!("segment_retired: segment {r} is retired"),
                    ))
                }
                _ => {}
            }
        }
        let graph: Graph = all.iter().map(|s| (s.id, s.expr.segments())).collect();
        check_acyclic(subject, &refs, &graph)
    }

    /// Creates an active segment (`segment.create`).
    pub async fn create_segment(&self, actor: Actor, input: SegmentInput) -> CrmResult<Segment> {
        let checked = check_input(input)?;
        let id = SegmentId(self.new_id(Entity::Segment).await?);
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            ctx.access.require(Module::Marketing, Action::Create)?;
            let all = self.all_segments(ctx.tenant.id).await?;
            if all.len() >= MAX_SEGMENTS {
                return Err(CrmError::rule(
                    "segment_limit",
                    format!("a tenant keeps at most {MAX_SEGMENTS} segments"),
                ));
            }
            Self::check_definition(id, &checked, &all)?;
            let segment = Segment {
                tenant: ctx.tenant.id,
                id,
                version: 1,
                name: checked.name.clone(),
                description: checked.description.clone(),
                expr: checked.expr.clone(),
                status: SegmentStatus::Active,
                created_by: ctx.access.actor().user_id(),
                created_at: ctx.now,
                updated_at: ctx.now,
                evaluated_at: None,
            };
            let mut changes = Changes::new(ctx.tenant.id);
            changes.insert(&segment)?;
            changes.audit(ctx.audit(
                "segment.create",
                Entity::Segment,
                id.0,
                serde_json::Value::Null,
                json(&segment),
            ));
            changes.event(ctx.event(
                EventKind::SegmentChanged,
                Entity::Segment,
                id.0,
                segment_payload(&segment, "created"),
            ));
            Ok((changes, segment))
        })
    }

    /// Replaces an active segment's definition (`segment.update`); membership follows at the
    /// next evaluation.
    pub async fn update_segment(
        &self,
        actor: Actor,
        id: SegmentId,
        input: SegmentInput,
    ) -> CrmResult<Segment> {
        let checked = check_input(input)?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            ctx.access.require(Module::Marketing, Action::Update)?;
            let current = self.segment(&ctx, id).await?;
            if current.status == SegmentStatus::Retired {
                return Err(CrmError::rule(
                    "segment_retired",
                    format!("segment {id} is retired"),
                ));
            }
            let all = self.all_segments(ctx.tenant.id).await?;
            Self::check_definition(id, &checked, &all)?;
            let next = Segment {
                name: checked.name.clone(),
                description: checked.description.clone(),
                expr: checked.expr.clone(),
                updated_at: ctx.now,
                ..current.clone()
            };
            let mut changes = Changes::new(ctx.tenant.id);
            changes.update(&next)?;
            let stored = Segment {
                version: next.version + 1,
                ..next
            };
            changes.audit(ctx.audit(
                "segment.update",
                Entity::Segment,
                id.0,
                json(&current),
                json(&stored),
            ));
            changes.event(ctx.event(
                EventKind::SegmentChanged,
                Entity::Segment,
                id.0,
                segment_payload(&stored, "updated"),
            ));
            Ok((changes, stored))
        })
    }

    /// Retires a segment (`segment.retire`): no longer evaluated, its membership kept as
    /// last materialized. Refused while an active segment names it (`segment_in_use`).
    pub async fn retire_segment(&self, actor: Actor, id: SegmentId) -> CrmResult<Segment> {
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            ctx.access.require(Module::Marketing, Action::Update)?;
            let current = self.segment(&ctx, id).await?;
            if current.status == SegmentStatus::Retired {
                return Err(CrmError::rule(
                    "segment_retired",
                    format!("segment {id} is retired"),
                ));
            }
            let all = self.all_segments(ctx.tenant.id).await?;
            let users: Vec<String> = all
                .iter()
                .filter(|s| {
                    s.id != id
                        && s.status == SegmentStatus::Active
                        && s.expr.segments().contains(&id)
                })
                .map(|s| format!("segment {}", s.id))
                .collect();
            if !users.is_empty() {
                return Err(CrmError::rule(
                    "segment_in_use",
                    format!("named by {}", users.join(", ")),
                ));
            }
            let next = Segment {
                status: SegmentStatus::Retired,
                updated_at: ctx.now,
                ..current.clone()
            };
            let mut changes = Changes::new(ctx.tenant.id);
            changes.update(&next)?;
            let stored = Segment {
                version: next.version + 1,
                ..next
            };
            changes.audit(ctx.audit(
                "segment.retire",
                Entity::Segment,
                id.0,
                json(&current),
                json(&stored),
            ));
            changes.event(ctx.event(
                EventKind::SegmentChanged,
                Entity::Segment,
                id.0,
                segment_payload(&stored, "retired"),
            ));
            Ok((changes, stored))
        })
    }

    /// One segment definition (`segment.get`).
    pub async fn get_segment(&self, actor: Actor, id: SegmentId) -> CrmResult<Segment> {
        let ctx = self.ctx(actor).await?;
        ctx.access.require(Module::Marketing, Action::Read)?;
        self.segment(&ctx, id).await
    }

    /// A page of segment definitions by ascending id (`segment.list`).
    pub async fn list_segments(
        &self,
        actor: Actor,
        filter: SegmentFilter,
    ) -> CrmResult<Page<Segment>> {
        let ctx = self.ctx(actor).await?;
        ctx.access.require(Module::Marketing, Action::Read)?;
        let limit = page_limit(filter.limit)?;
        let mut query = Query::new(Entity::Segment, ctx.tenant.id)
            .order(Order::IdAsc)
            .after(filter.after)
            .limit(limit);
        if let Some(status) = filter.status {
            query = query.filter(Filter::eq("status", status.as_str()));
        }
        let rows: Vec<Segment> = self.store().load_all(&query).await?;
        Ok(Page::of(rows, limit, |s| s))
    }
}
