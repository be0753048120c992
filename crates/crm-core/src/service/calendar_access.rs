//! Who reaches a calendar event: those whose calendar data scope reaches its owner, and
//! its attendees (read only); the same rule as a query predicate for lists; and the
//! attendee rows that let stores answer "the events a user attends".

use super::{Crm, Ctx};
use crate::access::{modules_of, Action, Module, Reach};
use crate::calendar::{CalendarAttendee, CalendarEvent};
use crate::error::{CrmError, CrmResult};
use crate::ids::{CalendarEventId, UserId};
use crate::store::{Changes, Entity, Filter, Predicate, Query, ScopeFilter, Store, StoreExt, ID};

impl Ctx {
    /// Whether `action` on the calendar reaches events owned by `owner` (a missing grant
    /// is `PermissionDenied`).
    pub(super) fn reaches_event_owner(&self, action: Action, owner: UserId) -> CrmResult<bool> {
        Ok(match self.access.require(Module::Calendar, action)? {
            Reach::All => true,
            Reach::Owners(set) => set.contains(&owner),
        })
    }

    /// Refuses `action` on events of `owner` unless the actor's calendar scope reaches
    /// them.
    pub(super) fn require_event_owner(&self, action: Action, owner: UserId) -> CrmResult<()> {
        if self.reaches_event_owner(action, owner)? {
            Ok(())
        } else {
            Err(CrmError::PermissionDenied {
                module: Module::Calendar.as_str().into(),
                action: action.as_str().into(),
                field: None,
            })
        }
    }

    /// Whether the actor attends `event`.
    pub(super) fn attends(&self, event: &CalendarEvent) -> bool {
        self.access
            .user()
            .is_some_and(|u| event.attendees.contains(&u.id))
    }

    /// The events the actor reads, as a predicate on `calendar_events`: owner in the
    /// calendar read scope, or an attendee row of the actor.
    pub(super) fn event_scope(&self) -> CrmResult<Predicate> {
        let owners = match self.access.require(Module::Calendar, Action::Read)? {
            Reach::All => return Ok(Predicate::True),
            Reach::Owners(set) => set,
        };
        let owned = Predicate::Compare(Filter::is_in(
            "owner_id",
            owners.iter().map(|u| u.0.into()).collect(),
        ));
        let attending = match self.access.user() {
            Some(u) => attending(u.id),
            None => Predicate::False,
        };
        Ok(Predicate::Or(vec![owned, attending]))
    }
}

/// The events `user` attends, as a predicate on `calendar_events`.
pub(super) fn attending(user: UserId) -> Predicate {
    Predicate::in_select(
        ID,
        Entity::CalendarAttendee,
        "event_id",
        Predicate::Compare(Filter::eq("user_id", user.0)),
    )
}

impl<S: Store> Crm<S> {
    /// Loads an event the actor may `action`: one they do not read (outside their scope
    /// and not attending) is not found; one they read but may not change is
    /// `PermissionDenied`.
    pub(super) async fn event_for(
        &self,
        ctx: &Ctx,
        id: CalendarEventId,
        action: Action,
    ) -> CrmResult<CalendarEvent> {
        let event = self
            .store()
            .load::<CalendarEvent>(ctx.tenant.id, id)
            .await?;
        let mut readable = None;
        if let Some(e) = event {
            if ctx.reaches_event_owner(Action::Read, e.owner_id)? || ctx.attends(&e) {
                readable = Some(e);
            }
        }
        let event = readable.ok_or_else(|| CrmError::not_found("calendar_event", id))?;
        if action != Action::Read {
            ctx.require_event_owner(action, event.owner_id)?;
        }
        Ok(event)
    }

    /// Writes the attendee rows of `event` from `before` to its current attendees.
    pub(super) async fn sync_attendees(
        &self,
        ctx: &Ctx,
        changes: &mut Changes,
        event: &CalendarEvent,
        before: &[UserId],
    ) -> CrmResult<()> {
        let gone: Vec<UserId> = before
            .iter()
            .copied()
            .filter(|u| !event.attendees.contains(u))
            .collect();
        let new: Vec<UserId> = event
            .attendees
            .iter()
            .copied()
            .filter(|u| !before.contains(u))
            .collect();
        if !gone.is_empty() {
            let rows: Vec<CalendarAttendee> = self
                .store()
                .load_all(
                    &Query::new(Entity::CalendarAttendee, ctx.tenant.id)
                        .filter(Filter::eq("event_id", event.id.0)),
                )
                .await?;
            for row in rows.iter().filter(|r| gone.contains(&r.user_id)) {
                changes.delete(row);
            }
        }
        if !new.is_empty() {
            let count = u32::try_from(new.len())
                .map_err(|_| CrmError::validation("attendees", "too many attendees"))?;
            let first = self
                .store()
                .allocate_ids(Entity::CalendarAttendee, count)
                .await?;
            for (i, user) in (0i64..).zip(new) {
                changes.insert(&CalendarAttendee {
                    tenant: ctx.tenant.id,
                    id: first + i,
                    version: 1,
                    event_id: event.id,
                    user_id: user,
                })?;
            }
        }
        Ok(())
    }

    /// Refuses new attendees who are not active users of the tenant, and new links to
    /// records the actor does not read (missing and out of scope alike, so a refusal
    /// tells nothing); what `before` already had stays.
    pub(super) async fn check_event_people_and_links(
        &self,
        ctx: &Ctx,
        event: &CalendarEvent,
        before: Option<&CalendarEvent>,
    ) -> CrmResult<()> {
        let had = before.map(|b| b.attendees.as_slice()).unwrap_or_default();
        for u in event.attendees.iter().filter(|u| !had.contains(u)) {
            if !ctx.access.org().users.get(u).is_some_and(|x| x.active) {
                return Err(CrmError::validation(
                    "attendees",
                    format!("no active user {u}"),
                ));
            }
        }
        let old = before.map(|b| b.links.given()).unwrap_or_default();
        for (field, entity, id) in event.links.given() {
            if old.contains(&(field, entity, id)) {
                continue;
            }
            if !self.reads_record(ctx, entity, id).await? {
                return Err(CrmError::validation(
                    field,
                    format!("no {} {id} you can read", entity.name()),
                ));
            }
        }
        Ok(())
    }

    /// Whether the actor reads the record `id` of `entity` through its module's read
    /// scope (the scope is part of the query).
    pub(super) async fn reads_record(&self, ctx: &Ctx, entity: Entity, id: i64) -> CrmResult<bool> {
        let Some(module) = modules_of(entity).first().copied() else {
            return Ok(false);
        };
        let Some(reach) = ctx.access.reach(module, Action::Read) else {
            return Ok(false);
        };
        let scope = ctx
            .access
            .scope_filter(&reach, ctx.now)
            .predicate(entity.spec())?;
        let query = Query::new(entity, ctx.tenant.id)
            .scope(ScopeFilter::Predicate(Predicate::And(vec![
                scope,
                Predicate::Compare(Filter::eq(ID, id)),
            ])))
            .limit(1);
        Ok(self.store().count(&query).await? > 0)
    }
}
