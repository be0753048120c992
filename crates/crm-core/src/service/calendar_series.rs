//! Calendar series operations: the occurrences of a user's events in a range, and the
//! changes of single occurrences and of "this and following".

use super::calendar_access::attending;
use super::{transact, Crm, Ctx};
use crate::access::{Action, ViewContext};
use crate::actor::Actor;
use crate::calendar::{
    check_range, is_occurrence, occurrences, split, CalendarEvent, EventPatch, EventTime,
    Exception, ExceptionChange, MAX_OCCURRENCES,
};
use crate::error::{CrmError, CrmResult};
use crate::ids::{CalendarEventId, UserId};
use crate::store::{
    Changes, Entity, EventKind, Filter, Order, Predicate, Query, ScopeFilter, Store, StoreExt,
};
use crate::validate::{optional_text, MAX_NAME};
use crate::view::VisibleJson;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

/// Most exceptions one series keeps.
pub const MAX_EXCEPTIONS: usize = 2000;
/// Events read per page while expanding a range.
const EVENT_PAGE: u32 = 200;
/// Most events one `calendar.occurrences` call expands.
const MAX_EVENTS: usize = 2000;

/// The occurrences of a range (`calendar.occurrences`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OccurrenceList {
    /// Occurrences in start order, each as the actor may see it (`event_id`,
    /// `original_start`, `start`, `end`, `local_start`, `local_end`, `time_zone`,
    /// `all_day`, `moved`, `title`).
    pub items: Vec<VisibleJson>,
    /// More occurrences (or events) fall in the range than were returned.
    pub truncated: bool,
}

/// The two series a split leaves (`calendar.split`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CalendarSplit {
    /// The series before the split, now ending there.
    pub ended: VisibleJson,
    /// The new series from the split occurrence on.
    pub started: VisibleJson,
}

impl<S: Store> Crm<S> {
    /// The occurrences in `[from, to)` of the events `user` (default: the actor) owns or
    /// attends that the actor reads, in start order; at most 1000, a range of at most 366
    /// days.
    pub async fn calendar_occurrences(
        &self,
        actor: Actor,
        user: Option<UserId>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> CrmResult<OccurrenceList> {
        check_range(from, to)?;
        // Stored instants are whole microseconds; so are the bounds they are compared with.
        let (from, to) = (
            crate::clock::ceil_micros(from),
            crate::clock::ceil_micros(to),
        );
        let ctx = self.ctx(actor).await?;
        let user = user
            .or(ctx.access.user().map(|u| u.id))
            .ok_or_else(|| CrmError::validation("user_id", "the system actor names the user"))?;
        let whose = Predicate::Or(vec![
            Predicate::Compare(Filter::eq("owner_id", user.0)),
            attending(user),
        ]);
        let when = Predicate::And(vec![
            Predicate::Compare(Filter::lt("span_start", to)),
            Predicate::Or(vec![
                Predicate::Compare(Filter::is_null("span_end")),
                Predicate::Compare(Filter::gt("span_end", from)),
            ]),
        ]);
        let scope = Predicate::And(vec![ctx.event_scope()?, whose, when]);
        let mut all = Vec::new();
        let mut truncated = false;
        let mut after = None;
        let mut read = 0usize;
        loop {
            let page: Vec<CalendarEvent> = self
                .store()
                .load_all(
                    &Query::new(Entity::CalendarEvent, ctx.tenant.id)
                        .scope(ScopeFilter::Predicate(scope.clone()))
                        .order(Order::IdAsc)
                        .after(after)
                        .limit(EVENT_PAGE),
                )
                .await?;
            let full = page.len() == EVENT_PAGE as usize;
            after = page.last().map(|e| e.id.0);
            for event in &page {
                let expansion = occurrences(event, from, to)?;
                truncated |= expansion.truncated;
                all.extend(expansion.occurrences);
            }
            read += page.len();
            if !full {
                break;
            }
            if read >= MAX_EVENTS {
                truncated = true;
                break;
            }
        }
        all.sort_by_key(|o| (o.start, o.event_id, o.original_start));
        truncated |= all.len() > MAX_OCCURRENCES;
        all.truncate(MAX_OCCURRENCES);
        Ok(OccurrenceList {
            items: all
                .iter()
                .map(|o| ctx.show(Entity::CalendarEvent, o, ViewContext::List))
                .collect(),
            truncated,
        })
    }

    /// Deletes one occurrence of a series (already deleted: nothing changes).
    pub async fn delete_calendar_occurrence(
        &self,
        actor: Actor,
        id: CalendarEventId,
        original_start: NaiveDateTime,
    ) -> CrmResult<VisibleJson> {
        self.change_occurrence(actor, id, original_start, None)
            .await
    }

    /// Moves one occurrence of a series to `time` (of the event's kind), maybe under its
    /// own title; moved back to its original time without a title it is no exception any
    /// more.
    pub async fn move_calendar_occurrence(
        &self,
        actor: Actor,
        id: CalendarEventId,
        original_start: NaiveDateTime,
        time: EventTime,
        title: Option<String>,
    ) -> CrmResult<VisibleJson> {
        crate::validate::texts(&title, "title")?;
        self.change_occurrence(actor, id, original_start, Some((time, title)))
            .await
    }

    async fn change_occurrence(
        &self,
        actor: Actor,
        id: CalendarEventId,
        key: NaiveDateTime,
        moved: Option<(EventTime, Option<String>)>,
    ) -> CrmResult<VisibleJson> {
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let current = self.event_for(&ctx, id, Action::Update).await?;
            let next = occurrence_change(&ctx, &current, key, moved.clone())?;
            let mut changes = Changes::new(ctx.tenant.id);
            if next.exceptions == current.exceptions {
                return Ok((changes, ctx.show_event(&current, ViewContext::Detail)));
            }
            let (operation, kind) = match &moved {
                None => (
                    "calendar.delete_occurrence",
                    EventKind::CalendarOccurrenceDeleted,
                ),
                Some(_) => (
                    "calendar.move_occurrence",
                    EventKind::CalendarOccurrenceMoved,
                ),
            };
            changes.update(&next)?;
            let change = next.exception(key).map(|e| e.change.clone());
            ctx.log_event_change(
                &mut changes,
                operation,
                kind,
                Some(&current),
                &next,
                serde_json::json!({ "original_start": key, "change": change }),
            );
            let stored = CalendarEvent {
                version: next.version + 1,
                ..next
            };
            Ok((changes, ctx.show_event(&stored, ViewContext::Detail)))
        })
    }

    /// Splits a series at one occurrence ("this and following"): the series ends before
    /// it and a new one, with `patch` applied, starts there.
    pub async fn split_calendar_series(
        &self,
        actor: Actor,
        id: CalendarEventId,
        original_start: NaiveDateTime,
        patch: EventPatch,
    ) -> CrmResult<CalendarSplit> {
        crate::validate::texts(&patch, "patch")?;
        let new_id = CalendarEventId(self.new_id(Entity::CalendarEvent).await?);
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let current = self.event_for(&ctx, id, Action::Update).await?;
            // The split writes a new series for the same owner: creating it is the
            // actor's to do too.
            ctx.require_event_owner(Action::Create, current.owner_id)?;
            ctx.check_event_fields(patch.title.is_some(), patch.location.is_some())?;
            let mut parts = split(
                &current,
                original_start,
                new_id,
                &patch,
                ctx.now,
                ctx.access.user().map(|u| u.id),
            )?;
            self.check_event_people_and_links(&ctx, &parts.started, Some(&current))
                .await?;
            parts.ended.updated_at = ctx.now;
            let mut changes = Changes::new(ctx.tenant.id);
            changes.update(&parts.ended)?;
            changes.insert(&parts.started)?;
            self.sync_attendees(&ctx, &mut changes, &parts.started, &[])
                .await?;
            ctx.log_event_change(
                &mut changes,
                "calendar.split",
                EventKind::CalendarSeriesSplit,
                Some(&current),
                &parts.ended,
                serde_json::json!({ "original_start": original_start, "new_event_id": new_id }),
            );
            ctx.log_event_change(
                &mut changes,
                "calendar.split",
                EventKind::CalendarEventCreated,
                None,
                &parts.started,
                serde_json::json!({
                    "owner_id": parts.started.owner_id,
                    "attendees": parts.started.attendees,
                    "split_from": id,
                }),
            );
            let ended = CalendarEvent {
                version: parts.ended.version + 1,
                ..parts.ended.clone()
            };
            Ok((
                changes,
                CalendarSplit {
                    ended: ctx.show_event(&ended, ViewContext::Detail),
                    started: ctx.show_event(&parts.started, ViewContext::Detail),
                },
            ))
        })
    }
}

/// The event after deleting (`moved` none) or moving the occurrence originally at `key`:
/// a series only, `key` one of its occurrences, a move of the event's kind with a valid
/// time and title (the title editable by the actor), at most [`MAX_EXCEPTIONS`].
fn occurrence_change(
    ctx: &Ctx,
    current: &CalendarEvent,
    key: NaiveDateTime,
    moved: Option<(EventTime, Option<String>)>,
) -> CrmResult<CalendarEvent> {
    if current.recurrence.is_none() {
        return Err(CrmError::rule(
            "not_recurring",
            "a one-off event has no single occurrences: update or delete the event",
        ));
    }
    if !is_occurrence(current, key)? {
        return Err(CrmError::validation(
            "original_start",
            format!("{key} is not an occurrence of the event"),
        ));
    }
    let mut next = current.clone();
    match moved {
        None => next.set_exception(Exception {
            original_start: key,
            change: ExceptionChange::Deleted,
        }),
        Some((time, title)) => {
            time.validate("time")?;
            if time.is_all_day() != current.time.is_all_day() {
                return Err(CrmError::validation(
                    "time",
                    "an occurrence keeps the event's kind (timed or all-day)",
                ));
            }
            let title = optional_text(title.as_deref(), "title", MAX_NAME)?;
            ctx.check_event_fields(title.is_some(), false)?;
            if title.is_none() && time == current.time.starting_at(key) {
                next.exceptions.retain(|e| e.original_start != key);
            } else {
                next.set_exception(Exception {
                    original_start: key,
                    change: ExceptionChange::Moved { time, title },
                });
            }
        }
    }
    if next.exceptions.len() > MAX_EXCEPTIONS && next.exceptions.len() > current.exceptions.len() {
        return Err(CrmError::rule(
            "too_many_exceptions",
            format!("a series keeps at most {MAX_EXCEPTIONS} exceptions: split it"),
        ));
    }
    next.updated_at = ctx.now;
    crate::calendar::check_schedule(&next)?;
    Ok(next)
}
