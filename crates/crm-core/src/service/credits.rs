//! Writing credit records (DESIGN §4.10, ADR 0027): the services whose events earn a metric
//! call [`Crm::write_credits`] inside their own unit of work, so the credit lands with the
//! event or not at all. Who is credited and with what share is fixed here, at the event: a
//! later transfer of the customer or change of an owner moves nothing.

use super::{Crm, Ctx};
use crate::credit::{Credit, CreditSource, CreditSplit};
use crate::error::{CrmError, CrmResult};
use crate::ids::{CreditId, CustomerId, UserId};
use crate::money::Currency;
use crate::store::{Changes, Entity, EventKind, Filter, Order, Query, Store, StoreExt};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// One crediting event.
pub(crate) struct CreditEvent<'a> {
    /// What happened.
    pub source: CreditSource,
    /// The record it happened to (the credit event's record too).
    pub source_entity: Entity,
    /// Its id.
    pub source_id: i64,
    /// Which of several events of that record (a ledger position); 0 otherwise.
    pub source_ref: i64,
    /// Who shares it.
    pub split: &'a CreditSplit,
    /// The amount for amount metrics (positive; reversals are negated here), ignored for
    /// counts (each counted event is one).
    pub amount: Decimal,
    /// The currency of an amount metric.
    pub currency: Option<&'a Currency>,
    /// The tenant-local day the event happened.
    pub local_date: NaiveDate,
    /// The customer concerned.
    pub customer_id: Option<CustomerId>,
}

impl Ctx {
    /// The tenant-local day of now.
    pub(crate) fn local_today(&self) -> CrmResult<NaiveDate> {
        Ok(crate::sales::today_in(self.tenant.settings.tz()?, self.now))
    }
}

impl<S: Store> Crm<S> {
    /// Adds one credit record per share of `event` to `changes`, with one `CreditRecorded`
    /// event listing them. Amounts are split by largest remainder in minor units (they sum to
    /// the event's amount exactly); counts give each user their share of one. Users who are
    /// no longer in the org are refused (`credit_split[i].user_id`).
    pub(crate) async fn write_credits(
        &self,
        ctx: &Ctx,
        changes: &mut Changes,
        event: CreditEvent<'_>,
    ) -> CrmResult<()> {
        let sign = if event.source.is_reversal() {
            -Decimal::ONE
        } else {
            Decimal::ONE
        };
        let metric = event.source.metric();
        let amounts = if metric.is_amount() {
            let currency = event
                .currency
                .ok_or_else(|| CrmError::validation("currency", "required for an amount"))?;
            let signed = if event.source.is_reversal() {
                -event.amount.abs()
            } else {
                event.amount
            };
            event.split.amounts(signed, currency)?
        } else {
            event.split.counts(sign)
        };
        let rows: Vec<(UserId, Decimal, Decimal)> = event
            .split
            .0
            .iter()
            .zip(amounts)
            .map(|(s, a)| (s.user_id, s.share, a))
            .collect();
        self.write_credit_rows(ctx, changes, &event, rows).await
    }

    /// Adds the given `(user, share, amount)` credits of `event` (its split and amount
    /// ignored) to `changes`, with one `CreditRecorded` event; zero amounts are left out.
    pub(crate) async fn write_credit_rows(
        &self,
        ctx: &Ctx,
        changes: &mut Changes,
        event: &CreditEvent<'_>,
        rows: Vec<(UserId, Decimal, Decimal)>,
    ) -> CrmResult<()> {
        let metric = event.source.metric();
        let shares: Vec<_> = rows.into_iter().filter(|(_, _, a)| !a.is_zero()).collect();
        if shares.is_empty() {
            return Ok(());
        }
        let count = u32::try_from(shares.len())
            .map_err(|_| CrmError::validation("credit_split", "too many users"))?;
        let first = self.store().allocate_ids(Entity::Credit, count).await?;
        let org = ctx.access.org();
        let mut listed = Vec::with_capacity(shares.len());
        for (i, (user_id, share, amount)) in shares.into_iter().enumerate() {
            let user = org.users.get(&user_id).ok_or_else(|| {
                CrmError::validation(
                    format!("credit_split[{i}].user_id"),
                    format!("no user {user_id}"),
                )
            })?;
            let credit = Credit {
                tenant: ctx.tenant.id,
                id: CreditId(first + i as i64),
                version: 1,
                metric,
                user_id: user.id,
                department_id: user.department_id,
                share,
                amount,
                currency: event
                    .currency
                    .filter(|_| metric.is_amount())
                    .map(|c| c.code().to_owned()),
                local_date: event.local_date,
                at: ctx.now,
                source: event.source,
                source_id: event.source_id,
                source_ref: event.source_ref,
                customer_id: event.customer_id,
            };
            changes.insert(&credit)?;
            listed.push(serde_json::json!({
                "credit_id": credit.id,
                "user_id": credit.user_id,
                "share": credit.share,
                "amount": credit.amount,
            }));
        }
        changes.event(ctx.event(
            EventKind::CreditRecorded,
            event.source_entity,
            event.source_id,
            serde_json::json!({
                "source": event.source,
                "metric": metric,
                "currency": event.currency.map(|c| c.code()),
                "local_date": event.local_date,
                "credits": listed,
            }),
        ));
        Ok(())
    }

    /// The credits already written for one source record (all its events).
    pub(crate) async fn credits_of(
        &self,
        ctx: &Ctx,
        source: CreditSource,
        source_id: i64,
    ) -> CrmResult<Vec<Credit>> {
        let query = Query::new(Entity::Credit, ctx.tenant.id)
            .filter(Filter::eq("source", source.as_str()))
            .filter(Filter::eq("source_id", source_id))
            .order(Order::IdAsc);
        self.store().load_all::<Credit>(&query).await
    }

    /// The users an event is credited to: the record's own split when set, else its owner
    /// alone.
    pub(crate) fn split_or_owner(split: Option<&CreditSplit>, owner: UserId) -> CreditSplit {
        split
            .filter(|s| !s.0.is_empty())
            .cloned()
            .unwrap_or_else(|| CreditSplit::sole(owner))
    }
}
