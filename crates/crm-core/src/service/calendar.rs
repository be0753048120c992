//! Calendar event operations: create, read, list, edit and delete events in the actor's
//! calendar scope (the owner's data scope, and attendees for reading), with field rules on
//! every read and write.

use super::{json, transact, Crm, Ctx, Page};
use crate::access::{Action, Module, ViewContext};
use crate::actor::Actor;
use crate::calendar::{CalendarEvent, EventInput, EventPatch};
use crate::error::{CrmError, CrmResult};
use crate::ids::{CalendarEventId, UserId};
use crate::store::{
    Changes, Entity, EventKind, Filter, Order, Query, ScopeFilter, Store, StoreExt,
};
use crate::view::VisibleJson;
use serde::{Deserialize, Serialize};

/// Which events to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarEventFilter {
    /// Only this owner's.
    #[serde(default)]
    pub owner_id: Option<UserId>,
    /// Keyset cursor (the previous page's `next_after`).
    #[serde(default)]
    pub after: Option<i64>,
    /// Page size, 1..=500 (default 50).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// What `calendar.delete_event` answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CalendarEventDeleted {
    /// The event deleted (the whole series).
    pub id: CalendarEventId,
}

impl Ctx {
    /// Refuses writing a title or location the actor's calendar field rules do not leave
    /// editable.
    pub(super) fn check_event_fields(&self, title: bool, location: bool) -> CrmResult<()> {
        let fields: Vec<&str> = [("title", title), ("location", location)]
            .into_iter()
            .filter(|(_, given)| *given)
            .map(|(f, _)| f)
            .collect();
        self.access.check_editable(Module::Calendar, &fields)
    }

    /// An event as the actor may see it.
    pub(super) fn show_event(&self, event: &CalendarEvent, view: ViewContext) -> VisibleJson {
        self.show(Entity::CalendarEvent, event, view)
    }

    /// Audit entry and outbox event of one change of `next` (from `before`).
    pub(super) fn log_event_change(
        &self,
        changes: &mut Changes,
        operation: &str,
        kind: EventKind,
        before: Option<&CalendarEvent>,
        next: &CalendarEvent,
        payload: serde_json::Value,
    ) {
        let before = before.map(json).unwrap_or(serde_json::Value::Null);
        changes.audit(self.audit(
            operation,
            Entity::CalendarEvent,
            next.id,
            before,
            json(next),
        ));
        changes.event(self.event(kind, Entity::CalendarEvent, next.id, payload));
    }
}

impl<S: Store> Crm<S> {
    /// Creates an event owned by `owner` (default: the acting user; the system actor names
    /// one), in the tenant's zone unless the input gives one.
    pub async fn create_calendar_event(
        &self,
        actor: Actor,
        input: EventInput,
        owner: Option<UserId>,
    ) -> CrmResult<VisibleJson> {
        crate::validate::texts(&input, "")?;
        let id = CalendarEventId(self.new_id(Entity::CalendarEvent).await?);
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let owner = owner.or(ctx.access.user().map(|u| u.id)).ok_or_else(|| {
                CrmError::validation("owner_id", "the system actor names the owner")
            })?;
            if !ctx.access.org().users.get(&owner).is_some_and(|u| u.active) {
                return Err(CrmError::validation(
                    "owner_id",
                    format!("no active user {owner}"),
                ));
            }
            ctx.require_event_owner(Action::Create, owner)?;
            let mut event = CalendarEvent {
                tenant: ctx.tenant.id,
                id,
                version: 1,
                title: String::new(),
                time: input.time,
                time_zone: ctx.tenant.settings.tz()?.name().to_owned(),
                owner_id: owner,
                attendees: Vec::new(),
                links: Default::default(),
                location: None,
                recurrence: None,
                exceptions: Vec::new(),
                split_from: None,
                created_by: ctx.access.user().map(|u| u.id),
                created_at: ctx.now,
                updated_at: ctx.now,
            };
            input.apply(&mut event)?;
            ctx.check_event_fields(true, event.location.is_some())?;
            self.check_event_people_and_links(&ctx, &event, None)
                .await?;
            let mut changes = Changes::new(ctx.tenant.id);
            changes.insert(&event)?;
            self.sync_attendees(&ctx, &mut changes, &event, &[]).await?;
            ctx.log_event_change(
                &mut changes,
                "calendar.create_event",
                EventKind::CalendarEventCreated,
                None,
                &event,
                serde_json::json!({ "owner_id": owner, "attendees": event.attendees }),
            );
            Ok((changes, ctx.show_event(&event, ViewContext::Detail)))
        })
    }

    /// One event as the actor may see it (one they neither reach nor attend is not
    /// found).
    pub async fn get_calendar_event(
        &self,
        actor: Actor,
        id: CalendarEventId,
    ) -> CrmResult<VisibleJson> {
        let ctx = self.ctx(actor).await?;
        let event = self.event_for(&ctx, id, Action::Read).await?;
        Ok(ctx.show_event(&event, ViewContext::Detail))
    }

    /// Events the actor reads (in scope or attending), oldest first.
    pub async fn list_calendar_events(
        &self,
        actor: Actor,
        filter: CalendarEventFilter,
    ) -> CrmResult<Page<VisibleJson>> {
        let ctx = self.ctx(actor).await?;
        let limit = super::page_limit(filter.limit)?;
        let mut q = Query::new(Entity::CalendarEvent, ctx.tenant.id)
            .scope(ScopeFilter::Predicate(ctx.event_scope()?))
            .order(Order::IdAsc)
            .after(filter.after)
            .limit(limit);
        if let Some(o) = filter.owner_id {
            q = q.filter(Filter::eq("owner_id", o.0));
        }
        let events: Vec<CalendarEvent> = self.store().load_all(&q).await?;
        Ok(Page::of(events, limit, |e| {
            ctx.show_event(&e, ViewContext::List)
        }))
    }

    /// Changes the given fields of an event (see [`EventPatch`]).
    pub async fn update_calendar_event(
        &self,
        actor: Actor,
        id: CalendarEventId,
        patch: EventPatch,
    ) -> CrmResult<VisibleJson> {
        crate::validate::texts(&patch, "")?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let current = self.event_for(&ctx, id, Action::Update).await?;
            ctx.check_event_fields(patch.title.is_some(), patch.location.is_some())?;
            let mut next = current.clone();
            patch.apply(&mut next)?;
            let mut changes = Changes::new(ctx.tenant.id);
            if next == current {
                return Ok((changes, ctx.show_event(&current, ViewContext::Detail)));
            }
            self.check_event_people_and_links(&ctx, &next, Some(&current))
                .await?;
            next.updated_at = ctx.now;
            changes.update(&next)?;
            self.sync_attendees(&ctx, &mut changes, &next, &current.attendees)
                .await?;
            ctx.log_event_change(
                &mut changes,
                "calendar.update_event",
                EventKind::CalendarEventUpdated,
                Some(&current),
                &next,
                serde_json::json!({
                    "exceptions_dropped": current.exceptions.len() > next.exceptions.len(),
                }),
            );
            let stored = CalendarEvent {
                version: next.version + 1,
                ..next
            };
            Ok((changes, ctx.show_event(&stored, ViewContext::Detail)))
        })
    }

    /// Deletes an event (the whole series) with its attendee rows.
    pub async fn delete_calendar_event(
        &self,
        actor: Actor,
        id: CalendarEventId,
    ) -> CrmResult<CalendarEventDeleted> {
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let current = self.event_for(&ctx, id, Action::Delete).await?;
            let mut changes = Changes::new(ctx.tenant.id);
            let gone = CalendarEvent {
                attendees: Vec::new(),
                ..current.clone()
            };
            self.sync_attendees(&ctx, &mut changes, &gone, &current.attendees)
                .await?;
            changes.delete(&current);
            changes.audit(ctx.audit(
                "calendar.delete_event",
                Entity::CalendarEvent,
                id,
                json(&current),
                serde_json::Value::Null,
            ));
            changes.event(ctx.event(
                EventKind::CalendarEventDeleted,
                Entity::CalendarEvent,
                id,
                serde_json::json!({ "owner_id": current.owner_id }),
            ));
            Ok((changes, CalendarEventDeleted { id }))
        })
    }
}
