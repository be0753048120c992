//! The agenda query (`calendar.agenda`): what a user has on each local day of a range,
//! from every module, each item once, in the actor's scope and under their field rules.
//!
//! Each source reads only what the actor's read scope of its module reaches (a module the
//! actor cannot read contributes nothing) and only items of the user the agenda is for;
//! titles are shown as a list shows them (masked or emptied by field rules).

use super::{Crm, Ctx};
use crate::access::{Action, Module, Reach, ViewContext};
use crate::actor::Actor;
use crate::agenda::{arrange, AgendaEntry, AgendaKind, AgendaRange};
use crate::contract::{Contract, ContractStatus};
use crate::customer::Customer;
use crate::error::{CrmError, CrmResult};
use crate::ids::UserId;
use crate::opportunity::Opportunity;
use crate::sales::OpportunityStatus;
use crate::store::{Entity, Filter, Query, Record, Store, StoreExt};
use crate::view::{MaskKind, Masker};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Rows read per query while collecting an agenda.
const AGENDA_PAGE: u32 = 500;

/// The most rows one source may read for one agenda: beyond it the call is refused
/// (`agenda_too_broad`) rather than answered in part.
pub const MAX_AGENDA_ROWS: usize = 10_000;

/// A user's agenda over a range of local days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct UserAgenda {
    /// Whose agenda.
    pub user_id: UserId,
    /// The zone its days are local to (the user's, else the tenant's).
    pub time_zone: String,
    /// First day.
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
    /// The items: by local day, the all-day ones of each day first, then by start.
    pub items: Vec<AgendaEntry>,
}

impl<S: Store> Crm<S> {
    /// The agenda of `user` (default: the actor) over the local days `from..=to`.
    pub async fn user_agenda(
        &self,
        actor: Actor,
        user: Option<UserId>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> CrmResult<UserAgenda> {
        let ctx = self.ctx(actor).await?;
        let user = user
            .or(ctx.access.user().map(|u| u.id))
            .ok_or_else(|| CrmError::validation("user_id", "required for the system actor"))?;
        if !ctx.access.org().users.contains_key(&user) {
            return Err(CrmError::not_found("user", user));
        }
        let zone = ctx.user_zone(user)?;
        let range = AgendaRange::new(from, to, zone)?;
        let mut items = Vec::new();
        self.agenda_followups(&ctx, user, &range, &mut items)
            .await?;
        self.agenda_expected_closes(&ctx, user, &range, &mut items)
            .await?;
        self.agenda_contracts(&ctx, user, &range, &mut items)
            .await?;
        self.agenda_tasks(&ctx, user, &range, &mut items).await?;
        self.agenda_events(&ctx, user, &range, &mut items).await?;
        self.agenda_visits(&ctx, user, &range, &mut items).await?;
        Ok(UserAgenda {
            user_id: user,
            time_zone: zone.name().to_owned(),
            from,
            to,
            items: arrange(items),
        })
    }

    /// Every row of `query` (in id pages), for one agenda source.
    pub(crate) async fn agenda_rows<R: Record + 'static>(&self, query: Query) -> CrmResult<Vec<R>> {
        let mut rows = Vec::new();
        let mut after = None;
        loop {
            let page: Vec<R> = self
                .store()
                .load_all(&query.clone().after(after).limit(AGENDA_PAGE))
                .await?;
            let full = page.len() == AGENDA_PAGE as usize;
            after = page.last().map(Record::raw_id);
            rows.extend(page);
            if rows.len() > MAX_AGENDA_ROWS {
                return Err(CrmError::rule(
                    "agenda_too_broad",
                    format!(
                        "more than {MAX_AGENDA_ROWS} records of one kind fall in the range: ask for fewer days"
                    ),
                ));
            }
            if !full {
                return Ok(rows);
            }
        }
    }

    /// Customers the user owns whose planned follow-up falls in the range.
    async fn agenda_followups(
        &self,
        ctx: &Ctx,
        user: UserId,
        range: &AgendaRange,
        items: &mut Vec<AgendaEntry>,
    ) -> CrmResult<()> {
        let Some(q) = scoped(ctx, Module::Customers, Entity::Customer) else {
            return Ok(());
        };
        let q = q
            .filter(Filter::eq("owner_id", user.0))
            .filter(Filter::ge("next_followup_at", range.start))
            .filter(Filter::lt("next_followup_at", range.end));
        for c in self.agenda_rows::<Customer>(q).await? {
            let Some(at) = c.next_followup_at else {
                continue;
            };
            let Some((date, time)) = range.timed(at, None) else {
                continue;
            };
            let id = c.id;
            let title = ctx.present(c, ViewContext::List).record.name;
            items.push(AgendaEntry {
                kind: AgendaKind::Followup,
                entity: "customer".into(),
                id: id.0,
                key: None,
                title,
                date,
                time,
                customer_id: Some(id),
            });
        }
        Ok(())
    }

    /// The user's open opportunities expected to close in the range (all-day).
    async fn agenda_expected_closes(
        &self,
        ctx: &Ctx,
        user: UserId,
        range: &AgendaRange,
        items: &mut Vec<AgendaEntry>,
    ) -> CrmResult<()> {
        let Some(q) = scoped(ctx, Module::Opportunities, Entity::Opportunity) else {
            return Ok(());
        };
        let (first, last) = range.date_keys();
        let q = q
            .filter(Filter::eq("owner_id", user.0))
            .filter(Filter::eq("status", OpportunityStatus::Open.as_str()))
            .filter(Filter::ge("expected_close", first))
            .filter(Filter::le("expected_close", last));
        let policy = ctx.access.field_policy(Module::Opportunities);
        for o in self.agenda_rows::<Opportunity>(q).await? {
            let Some((date, time)) = range.all_day(o.expected_close) else {
                continue;
            };
            let mut title = o.name;
            Masker::new(&policy, ViewContext::List).required_text(
                "name",
                &mut title,
                MaskKind::Text,
            );
            items.push(AgendaEntry {
                kind: AgendaKind::ExpectedClose,
                entity: "opportunity".into(),
                id: o.id.0,
                key: None,
                title,
                date,
                time,
                customer_id: Some(o.customer_id),
            });
        }
        Ok(())
    }

    /// The user's contracts: installments falling due (read through the receivables
    /// scope) and active contracts ending (read through the contracts scope), all-day.
    async fn agenda_contracts(
        &self,
        ctx: &Ctx,
        user: UserId,
        range: &AgendaRange,
        items: &mut Vec<AgendaEntry>,
    ) -> CrmResult<()> {
        let policy = ctx.access.field_policy(Module::Contracts);
        let title_of = |k: &Contract| {
            let mut title = k.number.clone();
            Masker::new(&policy, ViewContext::List).required_text(
                "number",
                &mut title,
                MaskKind::Text,
            );
            title
        };
        if let Some(q) = scoped(ctx, Module::Receivables, Entity::Contract) {
            let q = q.filter(Filter::eq("owner_id", user.0));
            for k in self.agenda_rows::<Contract>(q).await? {
                if !collects(k.status) {
                    continue;
                }
                for (n, installment) in k.installments.iter().enumerate() {
                    if installment.void || installment.outstanding() <= Decimal::ZERO {
                        continue;
                    }
                    let Some((date, time)) = range.all_day(installment.due_date) else {
                        continue;
                    };
                    items.push(AgendaEntry {
                        kind: AgendaKind::InstallmentDue,
                        entity: "contract".into(),
                        id: k.id.0,
                        key: Some((n + 1).to_string()),
                        title: title_of(&k),
                        date,
                        time,
                        customer_id: Some(k.customer_id),
                    });
                }
            }
        }
        if let Some(q) = scoped(ctx, Module::Contracts, Entity::Contract) {
            let q = q
                .filter(Filter::eq("owner_id", user.0))
                .filter(Filter::eq("status", ContractStatus::Active.as_str()));
            for k in self.agenda_rows::<Contract>(q).await? {
                let Some((date, time)) = range.all_day(k.end_on) else {
                    continue;
                };
                items.push(AgendaEntry {
                    kind: AgendaKind::ContractExpiring,
                    entity: "contract".into(),
                    id: k.id.0,
                    key: None,
                    title: title_of(&k),
                    date,
                    time,
                    customer_id: Some(k.customer_id),
                });
            }
        }
        Ok(())
    }
}

/// A query of `entity` in the actor's read scope of `module`; `None` when they cannot read it.
pub(crate) fn scoped(ctx: &Ctx, module: Module, entity: Entity) -> Option<Query> {
    let reach: Reach = ctx.access.reach(module, Action::Read)?;
    Some(Query::new(entity, ctx.tenant.id).scope(ctx.access.scope_filter(&reach, ctx.now)))
}

/// Whether a contract in `status` still collects its installments.
fn collects(status: ContractStatus) -> bool {
    matches!(
        status,
        ContractStatus::Active | ContractStatus::Expired | ContractStatus::Completed
    )
}
