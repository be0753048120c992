//! Business calendars and SLA policies (tenant admins), and re-applying them to a ticket.

use super::{json, transact, Crm, Ctx};
use crate::access::Action;
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::ids::{BusinessCalendarId, SlaPolicyId};
use crate::sla::{BusinessCalendar, Calendar, CompiledCalendar, SlaPolicy};
use crate::store::{Changes, Entity, EventKind, Query, Store, StoreExt};
use crate::validate::{required_text, MAX_NAME};

impl<S: Store> Crm<S> {
    /// Creates (`id` = None) or replaces a business calendar.
    pub async fn save_calendar(
        &self,
        actor: Actor,
        id: Option<i64>,
        name: &str,
        calendar: Calendar,
    ) -> CrmResult<BusinessCalendar> {
        crate::validate::texts(name, "name")?;
        crate::validate::texts(&calendar, "calendar")?;
        let name = required_text(name, "calendar.name", MAX_NAME)?;
        calendar.compile()?;
        let new_id = match id {
            Some(id) => id,
            None => self.new_id(Entity::BusinessCalendar).await?,
        };
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            ctx.access.require_settings(Action::Update)?;
            let existing = self
                .store()
                .load::<BusinessCalendar>(ctx.tenant.id, new_id)
                .await?;
            if id.is_some() && existing.is_none() {
                return Err(CrmError::not_found("calendar", new_id));
            }
            let next = BusinessCalendar {
                tenant: ctx.tenant.id,
                id: new_id.into(),
                version: existing.as_ref().map(|c| c.version).unwrap_or(1),
                name: name.clone(),
                calendar: calendar.clone(),
            };
            let mut changes = Changes::new(ctx.tenant.id);
            match &existing {
                None => changes.insert(&next)?,
                Some(_) => changes.update(&next)?,
            }
            changes.audit(ctx.audit(
                "sla.save_calendar",
                Entity::BusinessCalendar,
                new_id,
                json(&existing),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::SlaConfigChanged,
                Entity::BusinessCalendar,
                new_id,
                serde_json::json!({ "name": next.name }),
            ));
            Ok((
                changes,
                BusinessCalendar {
                    version: existing.map(|c| c.version + 1).unwrap_or(1),
                    ..next
                },
            ))
        })
    }

    /// Creates (`policy.id` = 0) or replaces an SLA policy. Marking one default unmarks the
    /// others.
    pub async fn save_sla_policy(&self, actor: Actor, policy: SlaPolicy) -> CrmResult<SlaPolicy> {
        crate::validate::texts(&policy, "policy")?;
        policy.validate()?;
        let id = if policy.id == SlaPolicyId(0) {
            SlaPolicyId(self.new_id(Entity::SlaPolicy).await?)
        } else {
            policy.id
        };
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            ctx.access.require_settings(Action::Update)?;
            if self
                .store()
                .get(
                    Entity::BusinessCalendar,
                    ctx.tenant.id,
                    policy.calendar_id.into(),
                )
                .await?
                .is_none()
            {
                return Err(CrmError::not_found("calendar", policy.calendar_id));
            }
            let all: Vec<SlaPolicy> = self
                .store()
                .load_all(&Query::new(Entity::SlaPolicy, ctx.tenant.id))
                .await?;
            let existing = all.iter().find(|p| p.id == id).cloned();
            if policy.id != SlaPolicyId(0) && existing.is_none() {
                return Err(CrmError::not_found("sla_policy", id));
            }
            let next = SlaPolicy {
                tenant: ctx.tenant.id,
                id,
                version: existing.as_ref().map(|p| p.version).unwrap_or(1),
                ..policy.clone()
            };
            let mut changes = Changes::new(ctx.tenant.id);
            if next.is_default {
                for other in all.iter().filter(|p| p.is_default && p.id != id) {
                    changes.update(&SlaPolicy {
                        is_default: false,
                        ..other.clone()
                    })?;
                }
            }
            match &existing {
                None => changes.insert(&next)?,
                Some(_) => changes.update(&next)?,
            }
            changes.audit(ctx.audit(
                "sla.save_policy",
                Entity::SlaPolicy,
                id,
                json(&existing),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::SlaConfigChanged,
                Entity::SlaPolicy,
                id,
                serde_json::json!({ "name": next.name }),
            ));
            Ok((
                changes,
                SlaPolicy {
                    version: existing.map(|p| p.version + 1).unwrap_or(1),
                    ..next
                },
            ))
        })
    }

    /// The tenant's SLA policies in order.
    pub async fn list_sla_policies(&self, actor: Actor) -> CrmResult<Vec<SlaPolicy>> {
        let ctx = self.ctx(actor).await?;
        let mut all: Vec<SlaPolicy> = self
            .store()
            .load_all(&Query::new(Entity::SlaPolicy, ctx.tenant.id))
            .await?;
        all.sort_by_key(|p| (p.position, p.id));
        Ok(all)
    }

    /// A calendar, compiled, with its version.
    pub(crate) async fn compiled_calendar(
        &self,
        ctx: &Ctx,
        id: BusinessCalendarId,
    ) -> CrmResult<(BusinessCalendar, CompiledCalendar)> {
        let cal = self
            .store()
            .load::<BusinessCalendar>(ctx.tenant.id, id)
            .await?
            .ok_or_else(|| CrmError::not_found("calendar", id))?;
        let compiled = cal.calendar.compile()?;
        Ok((cal, compiled))
    }
}
