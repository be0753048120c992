//! Check-in and check-out of field visits (DESIGN §4.9): the engine's clock, the evidence
//! rules of [`crate::visit`], and the follow-up of kind visit recorded through the same path
//! as `followup.create` (which restarts the owner's recycle clock).

use super::followups::followup_changes_on;
use super::{json, transact, Crm, Ctx};
use crate::access::Action;
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::followup::{CheckIn, FollowUpKind, NewFollowUp};
use crate::ids::{CustomerId, FollowUpId, UserId, VisitId};
use crate::store::{Changes, Entity, EventKind, Filter, Query, Store, StoreExt};
use crate::validate::{optional_text, MAX_NOTE, MAX_TEXT};
use crate::visit::distance::MAX_DISTANCE_M;
use crate::visit::{CheckInStep, EvidenceInput, GeoPoint, Visit, VisitSettings};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Visits read per query when looking back.
const PAGE: u32 = 500;

/// Checks in at a customer (`visit.check_in`): a planned visit by its id, or ad hoc by the
/// customer (a visit is created checked in).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CheckInVisit {
    /// The planned visit (give this or `customer_id`).
    #[serde(default)]
    pub visit_id: Option<VisitId>,
    /// The customer of an ad hoc visit (no plan).
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    /// Purpose of an ad hoc visit.
    #[serde(default)]
    pub purpose: Option<String>,
    /// Notes of the follow-up the check-in records (default: the purpose).
    #[serde(default)]
    pub note: Option<String>,
    /// What the client reports.
    #[serde(flatten)]
    pub evidence: EvidenceInput,
}

/// Checks out of a visit (`visit.check_out`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CheckOutVisit {
    /// The visit (checked in).
    pub visit_id: VisitId,
    /// What the client reports.
    #[serde(flatten)]
    pub evidence: EvidenceInput,
}

/// What a check-in answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct VisitCheckIn {
    /// The visit as checked in.
    pub visit: Visit,
    /// True when this was a repeat within the tenant's window: the first check-in is
    /// answered and nothing was written.
    pub repeated: bool,
}

impl<S: Store> Crm<S> {
    /// Checks in: see [`CheckInVisit`].
    pub async fn check_in_visit(
        &self,
        actor: Actor,
        request: CheckInVisit,
    ) -> CrmResult<VisitCheckIn> {
        crate::validate::texts(&request, "")?;
        request.evidence.validate()?;
        let note = optional_text(request.note.as_deref(), "note", MAX_NOTE)?;
        let ad_hoc_id = match (request.visit_id, request.customer_id) {
            (Some(_), None) => None,
            (None, Some(_)) => Some(VisitId(self.new_id(Entity::Visit).await?)),
            _ => {
                return Err(CrmError::validation(
                    "visit_id",
                    "give the planned visit, or the customer of an ad hoc visit, not both",
                ))
            }
        };
        let followup_id = FollowUpId(self.new_id(Entity::FollowUp).await?);
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let visitor = visitor(&ctx)?;
            let settings = ctx.tenant.settings.visits;
            let mut snapshot = None;
            let visit = match (request.visit_id, request.customer_id, ad_hoc_id) {
                (Some(id), _, _) => {
                    if request.purpose.is_some() {
                        return Err(CrmError::validation(
                            "purpose",
                            "is planned with the visit; give it for ad hoc visits only",
                        ));
                    }
                    let visit = self.visit_for(&ctx, id, Action::Update).await?;
                    if visit.owner_id != visitor {
                        return Err(CrmError::rule(
                            "not_visit_owner",
                            format!("visit {id} is another user's: only its visitor checks in"),
                        ));
                    }
                    visit
                }
                (None, Some(customer), Some(id)) => {
                    ctx.reaches_visit(Action::Create, visitor)?;
                    // The customer is read before the look for a recent ad hoc visit and
                    // updated from this snapshot: a racing ad hoc check-in committed after
                    // the look makes this one conflict and retry, and then find it.
                    snapshot = Some(self.followup_customer(&ctx, customer).await?);
                    if let Some(first) = self
                        .recent_ad_hoc(&ctx, visitor, customer, &settings)
                        .await?
                    {
                        return Ok((
                            Changes::new(ctx.tenant.id),
                            VisitCheckIn {
                                visit: first,
                                repeated: true,
                            },
                        ));
                    }
                    let mut visit =
                        Visit::blank(ctx.tenant.id, id, customer, visitor, Some(visitor), ctx.now);
                    visit.purpose = optional_text(request.purpose.as_deref(), "purpose", MAX_TEXT)?;
                    visit
                }
                _ => {
                    return Err(CrmError::validation(
                        "visit_id",
                        "give the planned visit or the customer",
                    ))
                }
            };
            if visit.check_in_step(ctx.now, settings.repeat_window_secs)? == CheckInStep::Repeat {
                return Ok((
                    Changes::new(ctx.tenant.id),
                    VisitCheckIn {
                        visit,
                        repeated: true,
                    },
                ));
            }
            request.evidence.require_photos(&settings)?;
            let customer = match snapshot {
                Some(customer) => customer,
                None => self.followup_customer(&ctx, visit.customer_id).await?,
            };
            let previous = self
                .previous_check_in(&ctx, visitor, visit.id, settings.max_speed_kmh)
                .await?;
            let evidence = request
                .evidence
                .assess(ctx.now, customer.location, previous, &settings);
            let mut changes = Changes::new(ctx.tenant.id);
            let content = note
                .clone()
                .or_else(|| visit.purpose.clone())
                .unwrap_or_else(|| "外勤签到 (field visit check-in)".to_owned());
            let point = request.evidence.location;
            followup_changes_on(
                &ctx,
                &mut changes,
                followup_id,
                NewFollowUp {
                    customer_id: visit.customer_id,
                    kind: FollowUpKind::Visit,
                    content,
                    at: None,
                    location: Some(CheckIn {
                        latitude: point.latitude,
                        longitude: point.longitude,
                        address: None,
                    }),
                    next_followup_at: None,
                },
                customer,
            )?;
            let next = visit.checked_in(evidence, followup_id);
            let ad_hoc = request.visit_id.is_none();
            let (before, stored) = if ad_hoc {
                changes.insert(&next)?;
                (serde_json::Value::Null, next.clone())
            } else {
                changes.update(&next)?;
                (
                    json(&visit),
                    Visit {
                        version: next.version + 1,
                        ..next.clone()
                    },
                )
            };
            changes.audit(ctx.audit(
                "visit.check_in",
                Entity::Visit,
                next.id.0,
                before,
                json(&next),
            ));
            let evidence = next.check_in.as_ref();
            changes.event(ctx.event(
                EventKind::VisitCheckedIn,
                Entity::Visit,
                next.id.0,
                serde_json::json!({
                    "customer_id": next.customer_id,
                    "owner_id": next.owner_id,
                    "ad_hoc": ad_hoc,
                    "flags": evidence.map(|e| e.flags.clone()).unwrap_or_default(),
                    "distance_m": evidence.and_then(|e| e.distance_m),
                    "followup_id": followup_id,
                }),
            ));
            Ok((
                changes,
                VisitCheckIn {
                    visit: stored,
                    repeated: false,
                },
            ))
        })
    }

    /// Checks out: see [`CheckOutVisit`].
    pub async fn check_out_visit(&self, actor: Actor, request: CheckOutVisit) -> CrmResult<Visit> {
        crate::validate::texts(&request, "")?;
        request.evidence.validate()?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let visitor = visitor(&ctx)?;
            let visit = self
                .visit_for(&ctx, request.visit_id, Action::Update)
                .await?;
            if visit.owner_id != visitor {
                return Err(CrmError::rule(
                    "not_visit_owner",
                    format!(
                        "visit {} is another user's: only its visitor checks out",
                        visit.id
                    ),
                ));
            }
            let settings = ctx.tenant.settings.visits;
            let customer = self.load_customer(ctx.tenant.id, visit.customer_id).await?;
            let evidence = request
                .evidence
                .assess(ctx.now, customer.location, None, &settings);
            let next = visit.checked_out(evidence)?;
            let mut changes = Changes::new(ctx.tenant.id);
            changes.update(&next)?;
            changes.audit(ctx.audit(
                "visit.check_out",
                Entity::Visit,
                next.id.0,
                json(&visit),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::VisitCheckedOut,
                Entity::Visit,
                next.id.0,
                serde_json::json!({
                    "customer_id": next.customer_id,
                    "owner_id": next.owner_id,
                    "duration_secs": next.duration_secs,
                    "flags": next.check_out.as_ref().map(|e| e.flags.clone()).unwrap_or_default(),
                }),
            ));
            Ok((
                changes,
                Visit {
                    version: next.version + 1,
                    ..next
                },
            ))
        })
    }

    /// The latest check-in of `user` before now other than `this` visit's: its time and
    /// point. Only check-ins from which the farthest point on Earth is reachable under the
    /// speed limit are looked at — an older one can never imply impossible travel.
    async fn previous_check_in(
        &self,
        ctx: &Ctx,
        user: UserId,
        this: VisitId,
        max_speed_kmh: u32,
    ) -> CrmResult<Option<(DateTime<Utc>, GeoPoint)>> {
        let hours = (MAX_DISTANCE_M / 1000.0 / f64::from(max_speed_kmh.max(1))).ceil() as i64 + 1;
        let since = ctx.now - Duration::hours(hours);
        let mut latest: Option<(DateTime<Utc>, GeoPoint)> = None;
        let mut after = None;
        loop {
            let query = Query::new(Entity::Visit, ctx.tenant.id)
                .filter(Filter::eq("owner_id", user.0))
                .filter(Filter::ge("checked_in_at", since))
                .filter(Filter::le("checked_in_at", ctx.now))
                .after(after)
                .limit(PAGE);
            let rows: Vec<Visit> = self.store().load_all(&query).await?;
            for v in rows.iter().filter(|v| v.id != this) {
                if let Some(e) = &v.check_in {
                    if latest.is_none_or(|(at, _)| e.at > at) {
                        latest = Some((e.at, e.location));
                    }
                }
            }
            if rows.len() < PAGE as usize {
                return Ok(latest);
            }
            after = rows.last().map(|v| v.id.0);
        }
    }

    /// The ad hoc visit `user` checked in at `customer` within the repeat window, if any
    /// (the latest): a repeated ad hoc check-in answers it.
    async fn recent_ad_hoc(
        &self,
        ctx: &Ctx,
        user: UserId,
        customer: CustomerId,
        settings: &VisitSettings,
    ) -> CrmResult<Option<Visit>> {
        let since = ctx.now - Duration::seconds(i64::from(settings.repeat_window_secs));
        let rows: Vec<Visit> = self
            .store()
            .load_all(
                &Query::new(Entity::Visit, ctx.tenant.id)
                    .filter(Filter::eq("owner_id", user.0))
                    .filter(Filter::eq("customer_id", customer.0))
                    .filter(Filter::ge("checked_in_at", since))
                    .limit(PAGE),
            )
            .await?;
        Ok(rows
            .into_iter()
            .filter(|v| v.planned_start.is_none())
            .max_by_key(|v| (v.check_in.as_ref().map(|e| e.at), v.id)))
    }
}

/// The user checking in or out (the system actor does not visit).
fn visitor(ctx: &Ctx) -> CrmResult<UserId> {
    ctx.access.user().map(|u| u.id).ok_or_else(|| {
        CrmError::rule(
            "visitor_required",
            "a check-in or check-out is made by a user, not the system actor",
        )
    })
}
