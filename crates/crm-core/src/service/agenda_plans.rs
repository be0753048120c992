//! The agenda's planned things: tasks due, calendar occurrences and field visits of a
//! user, each read through the reader's scope of its module (tasks and events also by
//! the reader's own collaboration or attendance), titles under list field rules.

use super::calendar_access::attending;
use super::{Crm, Ctx};
use crate::access::{Action, Module, ViewContext};
use crate::agenda::{AgendaEntry, AgendaKind, AgendaRange};
use crate::calendar::{occurrences, CalendarEvent};
use crate::error::CrmResult;
use crate::ids::UserId;
use crate::store::{Entity, Filter, Order, Predicate, Query, ScopeFilter, Store};
use crate::task::{collaborator_needle, Due, Task, TaskStatus};
use crate::view::{MaskKind, Masker};
use crate::visit::{Visit, VisitStatus};
use chrono::Duration;

impl<S: Store> Crm<S> {
    /// Open tasks the user owns or collaborates on, due in the range: all-day ones on their
    /// date, timed ones at their instant. Read through the reader's task scope (their reach
    /// of owners, or tasks they collaborate on themselves).
    pub(super) async fn agenda_tasks(
        &self,
        ctx: &Ctx,
        user: UserId,
        range: &AgendaRange,
        items: &mut Vec<AgendaEntry>,
    ) -> CrmResult<()> {
        let Some(reach) = ctx.access.reach(Module::Tasks, Action::Read) else {
            return Ok(());
        };
        let mut base = Query::new(Entity::Task, ctx.tenant.id)
            .filter(Filter::eq("status", TaskStatus::Open.as_str()))
            // A day on either side: an all-day task is stored as the end of its date in the
            // zone it was set in, which may differ from the agenda's.
            .filter(Filter::ge(
                "due_at",
                crate::clock::minus(range.start, Duration::days(2)),
            ))
            .filter(Filter::lt(
                "due_at",
                crate::clock::plus(range.end, Duration::days(2)),
            ));
        if let Some(scope) = ctx.task_scope(&reach)? {
            base = base.scope(scope);
        }
        let mine = [
            Filter::eq("owner_id", user.0),
            Filter::contains("collaborators", collaborator_needle(user)),
        ];
        for whose in mine {
            for t in self.agenda_rows::<Task>(base.clone().filter(whose)).await? {
                let placed = match t.due {
                    Due::AllDay { date } => range.all_day(date),
                    Due::At { at } => range.timed(at, None),
                };
                let Some((date, time)) = placed else {
                    continue;
                };
                items.push(AgendaEntry {
                    kind: AgendaKind::Task,
                    entity: "task".into(),
                    id: t.id.0,
                    key: None,
                    title: t.title,
                    date,
                    time,
                    customer_id: t.links.customer_id,
                });
            }
        }
        Ok(())
    }
}

impl<S: Store> Crm<S> {
    /// Occurrences of the events the user owns or attends that start in the range (timed
    /// ones on the local day of their start; whole-day ones on each of their days in the
    /// range), read through the reader's calendar scope: owners it reaches, or events the
    /// reader attends.
    pub(super) async fn agenda_events(
        &self,
        ctx: &Ctx,
        user: UserId,
        range: &AgendaRange,
        items: &mut Vec<AgendaEntry>,
    ) -> CrmResult<()> {
        if ctx.access.reach(Module::Calendar, Action::Read).is_none() {
            return Ok(());
        }
        let whose = Predicate::Or(vec![
            Predicate::Compare(Filter::eq("owner_id", user.0)),
            attending(user),
        ]);
        let when = Predicate::And(vec![
            Predicate::Compare(Filter::lt("span_start", range.end)),
            Predicate::Or(vec![
                Predicate::Compare(Filter::is_null("span_end")),
                Predicate::Compare(Filter::gt("span_end", range.start)),
            ]),
        ]);
        let scope = Predicate::And(vec![ctx.event_scope()?, whose, when]);
        let query = Query::new(Entity::CalendarEvent, ctx.tenant.id)
            .scope(ScopeFilter::Predicate(scope))
            .order(Order::IdAsc);
        let policy = ctx.access.field_policy(Module::Calendar);
        for event in self.agenda_rows::<CalendarEvent>(query).await? {
            for o in occurrences(&event, range.start, range.end)?.occurrences {
                let mut title = o.title.clone();
                Masker::new(&policy, ViewContext::List).required_text(
                    "title",
                    &mut title,
                    MaskKind::Text,
                );
                let key = o.original_start.format("%Y-%m-%dT%H:%M:%S").to_string();
                let entry = |date, time, key: String| AgendaEntry {
                    kind: AgendaKind::Event,
                    entity: "calendar_event".into(),
                    id: o.event_id.0,
                    key: Some(key),
                    title: title.clone(),
                    date,
                    time,
                    customer_id: event.links.customer_id,
                };
                if o.all_day {
                    // Whole days: local dates in the event's own zone, end exclusive.
                    let first = o.local_start.date();
                    let last = o
                        .local_end
                        .checked_sub_signed(Duration::days(1))
                        .map_or(first, |t| t.date())
                        .max(first);
                    let mut day = first;
                    while day <= last {
                        if let Some((date, time)) = range.all_day(day) {
                            items.push(entry(date, time, format!("{key}/{day}")));
                        }
                        match day.succ_opt() {
                            Some(next) => day = next,
                            None => break,
                        }
                    }
                } else if let Some((date, time)) = range.timed(o.start, Some(o.end)) {
                    items.push(entry(date, time, key));
                }
            }
        }
        Ok(())
    }

    /// The user's visits that are not cancelled, at their check-in (else their planned
    /// start), until their check-out (else their planned end), in the reader's visits scope.
    pub(super) async fn agenda_visits(
        &self,
        ctx: &Ctx,
        user: UserId,
        range: &AgendaRange,
        items: &mut Vec<AgendaEntry>,
    ) -> CrmResult<()> {
        let Some(q) = super::agenda::scoped(ctx, Module::Visits, Entity::Visit) else {
            return Ok(());
        };
        let q = q
            .filter(Filter::eq("owner_id", user.0))
            .filter(Filter::ge("at", range.start))
            .filter(Filter::lt("at", range.end));
        for v in self.agenda_rows::<Visit>(q).await? {
            if v.status == VisitStatus::Cancelled {
                continue;
            }
            let end = v.check_out.as_ref().map(|e| e.at).or(v.planned_end);
            let Some((date, time)) = range.timed(v.at(), end) else {
                continue;
            };
            items.push(AgendaEntry {
                kind: AgendaKind::Visit,
                entity: "visit".into(),
                id: v.id.0,
                key: None,
                title: v.purpose.clone().unwrap_or_default(),
                date,
                time,
                customer_id: Some(v.customer_id),
            });
        }
        Ok(())
    }
}
