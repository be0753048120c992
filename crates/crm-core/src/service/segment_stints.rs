//! Writing membership changes: a join opens a stint (its id from a block allocated once per
//! unit of work), a leave sets `left_at` on the open one; each with its audit entry and its
//! `SegmentJoined` / `SegmentLeft` event.

use super::{json, Crm, Ctx};
use crate::error::{CrmError, CrmResult};
use crate::ids::{CustomerId, SegmentId, SegmentMemberId};
use crate::segment::{Decision, JoinReason, SegmentMember};
use crate::store::{Changes, Entity, EventKind, SqlValue, Store};
use chrono::{DateTime, Utc};

/// The event payload of a join or leave.
pub(super) fn stint_payload(stint: &SegmentMember, reason: JoinReason) -> serde_json::Value {
    serde_json::json!({
        "segment_id": stint.segment_id,
        "customer_id": stint.customer_id,
        "stint_id": stint.id,
        "reason": reason,
    })
}

/// Where and when a join or leave is written, and by which operation (for the audit).
#[derive(Debug, Clone, Copy)]
pub(super) struct StintPlace<'a> {
    /// The segment.
    pub segment: SegmentId,
    /// The instant of the change.
    pub at: DateTime<Utc>,
    /// The operation's name.
    pub operation: &'a str,
}

/// Ids allocated for the stints of one unit of work.
#[derive(Debug, Clone, Copy)]
pub(super) struct IdBlock {
    next: i64,
    end: i64,
}

impl IdBlock {
    fn take(&mut self) -> CrmResult<SegmentMemberId> {
        if self.next >= self.end {
            return Err(CrmError::Storage("stint ids exhausted".into()));
        }
        let id = self.next;
        self.next += 1;
        Ok(SegmentMemberId(id))
    }
}

/// The number of new stints `decisions` begin.
pub(super) fn joins(decisions: &[(CustomerId, Option<&SegmentMember>, Decision)]) -> usize {
    decisions
        .iter()
        .filter(|(_, open, d)| open.is_none() && matches!(d, Decision::Join(_)))
        .count()
}

/// Adds to `changes` the join or leave `decision` of `customer` in `place.segment` at
/// `place.at` (a new stint takes its id from `ids`); returns the numbers joined and left
/// (0 or 1 each).
pub(super) fn stage(
    ctx: &Ctx,
    changes: &mut Changes,
    place: StintPlace<'_>,
    customer: CustomerId,
    open: Option<&SegmentMember>,
    decision: Decision,
    ids: &mut IdBlock,
) -> CrmResult<(u64, u64)> {
    let StintPlace {
        segment,
        at,
        operation,
    } = place;
    match (decision, open) {
        (Decision::Join(reason), None) => {
            let stint = SegmentMember {
                tenant: ctx.tenant.id,
                id: ids.take()?,
                version: 1,
                segment_id: segment,
                customer_id: customer,
                joined_at: at,
                joined_by: reason,
                left_at: None,
                left_by: None,
            };
            changes.insert(&stint)?;
            changes.audit(ctx.audit(
                operation,
                Entity::SegmentMember,
                stint.id.0,
                serde_json::Value::Null,
                json(&stint),
            ));
            changes.event(ctx.event(
                EventKind::SegmentJoined,
                Entity::Segment,
                segment.0,
                stint_payload(&stint, reason),
            ));
            Ok((1, 0))
        }
        (Decision::Leave(reason), Some(stint)) => {
            let next = SegmentMember {
                left_at: Some(at),
                left_by: Some(reason),
                ..stint.clone()
            };
            changes.update(&next)?;
            changes.audit(ctx.audit(
                operation,
                Entity::SegmentMember,
                stint.id.0,
                json(stint),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::SegmentLeft,
                Entity::Segment,
                segment.0,
                stint_payload(&next, reason),
            ));
            Ok((0, 1))
        }
        _ => Ok((0, 0)),
    }
}

pub(super) fn ids_of(customers: &[CustomerId]) -> Vec<SqlValue> {
    customers.iter().map(|c| SqlValue::Int(c.0)).collect()
}

impl<S: Store> Crm<S> {
    /// `n` fresh stint ids in one allocation.
    pub(super) async fn stint_ids(&self, n: usize) -> CrmResult<IdBlock> {
        if n == 0 {
            return Ok(IdBlock { next: 0, end: 0 });
        }
        let count = u32::try_from(n)
            .map_err(|_| CrmError::Storage(format!("{n} stint ids in one allocation")))?;
        let next = self
            .store()
            .allocate_ids(Entity::SegmentMember, count)
            .await?;
        Ok(IdBlock {
            next,
            end: next.saturating_add(i64::from(count)),
        })
    }
}
