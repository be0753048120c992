//! The events that earn credit (DESIGN §4.10, ADR 0027), one function each, called by the
//! services where the event happens, inside their unit of work:
//! - a contract becoming active credits its total by its split (the contract's own, else its
//!   opportunity's, else its owner), and that split is fixed onto the contract;
//! - an approved amendment credits the difference (a currency change reverses the old total
//!   and credits the new one); termination reverses exactly what the contract was credited,
//!   user by user;
//! - payments and refunds credit the payment amount by the contract's fixed split;
//! - a customer's first deal credits its owner at that moment;
//! - a converted lead credits its owner (the converter when it had none);
//! - a won opportunity credits its split; reopening a won one reverses that win.

use super::credits::CreditEvent;
use super::{Crm, Ctx};
use crate::contract::Contract;
use crate::credit::{CreditSource, CreditSplit};
use crate::customer::Customer;
use crate::error::CrmResult;
use crate::ids::UserId;
use crate::lead::Lead;
use crate::money::Currency;
use crate::opportunity::Opportunity;
use crate::sales::EntryKind;
use crate::sales::OpportunityStatus;
use crate::store::{Changes, Entity, Store, StoreExt};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

impl<S: Store> Crm<S> {
    /// A contract became active: credits its total and fixes the split onto `k`.
    pub(crate) async fn credit_contract_activated(
        &self,
        ctx: &Ctx,
        changes: &mut Changes,
        k: &mut Contract,
    ) -> CrmResult<()> {
        let mut split = k.credit_split.clone().filter(|s| !s.0.is_empty());
        if split.is_none() {
            if let Some(oid) = k.opportunity_id {
                split = self
                    .store()
                    .load::<Opportunity>(ctx.tenant.id, oid)
                    .await?
                    .and_then(|o| o.credit_split)
                    .filter(|s| !s.0.is_empty());
            }
        }
        let split = split.unwrap_or_else(|| CreditSplit::sole(k.owner_id));
        k.credit_split = Some(split.clone());
        let currency = Currency::parse(&k.pricing_input.currency, "currency")?;
        let event = CreditEvent {
            source: CreditSource::ContractActivated,
            source_entity: Entity::Contract,
            source_id: k.id.0,
            source_ref: 0,
            split: &split,
            amount: k.pricing.totals.grand_total,
            currency: Some(&currency),
            local_date: ctx.local_today()?,
            customer_id: Some(k.customer_id),
        };
        self.write_credits(ctx, changes, event).await
    }

    /// An amendment of an active contract was approved: `before` is the contract as it was,
    /// `after` with the amended pricing.
    pub(crate) async fn credit_contract_amended(
        &self,
        ctx: &Ctx,
        changes: &mut Changes,
        before: &Contract,
        after: &Contract,
    ) -> CrmResult<()> {
        let split = Self::split_or_owner(before.credit_split.as_ref(), before.owner_id);
        let old = Currency::parse(&before.pricing_input.currency, "currency")?;
        let new = Currency::parse(&after.pricing_input.currency, "currency")?;
        let today = ctx.local_today()?;
        let base = after.version.saturating_mul(2);
        let event = |amount: Decimal, currency, source_ref| CreditEvent {
            source: CreditSource::ContractAmended,
            source_entity: Entity::Contract,
            source_id: after.id.0,
            source_ref,
            split: &split,
            amount,
            currency: Some(currency),
            local_date: today,
            customer_id: Some(after.customer_id),
        };
        let (was, now) = (
            before.pricing.totals.grand_total,
            after.pricing.totals.grand_total,
        );
        if old.code() == new.code() {
            if now != was {
                self.write_credits(ctx, changes, event(now - was, &new, base + 1))
                    .await?;
            }
            return Ok(());
        }
        self.write_credits(ctx, changes, event(-was, &old, base))
            .await?;
        self.write_credits(ctx, changes, event(now, &new, base + 1))
            .await
    }

    /// An active contract was terminated: every user's contract credit (activation and
    /// amendments, per currency) is reversed exactly.
    pub(crate) async fn credit_contract_terminated(
        &self,
        ctx: &Ctx,
        changes: &mut Changes,
        k: &Contract,
    ) -> CrmResult<()> {
        let mut totals: BTreeMap<(String, UserId), (Decimal, Decimal)> = BTreeMap::new();
        for source in [
            CreditSource::ContractActivated,
            CreditSource::ContractAmended,
        ] {
            for c in self.credits_of(ctx, source, k.id.0).await? {
                let entry = totals
                    .entry((c.currency.clone().unwrap_or_default(), c.user_id))
                    .or_insert((c.share, Decimal::ZERO));
                entry.1 += c.amount;
            }
        }
        let today = ctx.local_today()?;
        let empty = CreditSplit::default();
        let mut by_currency: BTreeMap<String, Vec<(UserId, Decimal, Decimal)>> = BTreeMap::new();
        for ((code, user), (share, amount)) in totals {
            by_currency
                .entry(code)
                .or_default()
                .push((user, share, -amount));
        }
        for (i, (code, rows)) in by_currency.into_iter().enumerate() {
            let currency = Currency::parse(&code, "currency")?;
            let event = CreditEvent {
                source: CreditSource::ContractTerminated,
                source_entity: Entity::Contract,
                source_id: k.id.0,
                source_ref: i as i64,
                split: &empty,
                amount: Decimal::ZERO,
                currency: Some(&currency),
                local_date: today,
                customer_id: Some(k.customer_id),
            };
            self.write_credit_rows(ctx, changes, &event, rows).await?;
        }
        Ok(())
    }

    /// A payment or refund was recorded on `k` (its ledger entry at `position`, dated
    /// `date`): credited by the contract's fixed split. Write-offs earn nothing.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn credit_ledger_entry(
        &self,
        ctx: &Ctx,
        changes: &mut Changes,
        k: &Contract,
        kind: EntryKind,
        amount: Decimal,
        currency: &Currency,
        date: NaiveDate,
        position: usize,
    ) -> CrmResult<()> {
        let source = match kind {
            EntryKind::Payment => CreditSource::PaymentReceived,
            EntryKind::Refund => CreditSource::Refund,
            _ => return Ok(()),
        };
        let split = Self::split_or_owner(k.credit_split.as_ref(), k.owner_id);
        let event = CreditEvent {
            source,
            source_entity: Entity::Contract,
            source_id: k.id.0,
            source_ref: i64::try_from(position).unwrap_or(i64::MAX),
            split: &split,
            amount,
            currency: Some(currency),
            local_date: date,
            customer_id: Some(k.customer_id),
        };
        self.write_credits(ctx, changes, event).await
    }

    /// A customer's first deal: credited to its owner at this moment (none in a pool: no
    /// credit). Credited once per customer.
    pub(crate) async fn credit_customer_won(
        &self,
        ctx: &Ctx,
        changes: &mut Changes,
        customer: &Customer,
    ) -> CrmResult<()> {
        let Some(owner) = customer.owner_id else {
            return Ok(());
        };
        if !self
            .credits_of(ctx, CreditSource::CustomerWon, customer.id.0)
            .await?
            .is_empty()
        {
            return Ok(());
        }
        let split = CreditSplit::sole(owner);
        let event = CreditEvent {
            source: CreditSource::CustomerWon,
            source_entity: Entity::Customer,
            source_id: customer.id.0,
            source_ref: 0,
            split: &split,
            amount: Decimal::ONE,
            currency: None,
            local_date: ctx.local_today()?,
            customer_id: Some(customer.id),
        };
        self.write_credits(ctx, changes, event).await
    }

    /// A lead was converted: credited to its owner (the converter when it had none).
    pub(crate) async fn credit_lead_converted(
        &self,
        ctx: &Ctx,
        changes: &mut Changes,
        lead: &Lead,
        customer: Option<crate::ids::CustomerId>,
    ) -> CrmResult<()> {
        let Some(owner) = lead.owner_id.or(ctx.access.user().map(|u| u.id)) else {
            return Ok(());
        };
        let split = CreditSplit::sole(owner);
        let event = CreditEvent {
            source: CreditSource::LeadConverted,
            source_entity: Entity::Lead,
            source_id: lead.id.0,
            source_ref: 0,
            split: &split,
            amount: Decimal::ONE,
            currency: None,
            local_date: ctx.local_today()?,
            customer_id: customer,
        };
        self.write_credits(ctx, changes, event).await
    }

    /// An opportunity moved from `before` to `after`: a win credits its split; reopening a
    /// won one reverses that win's credits exactly. Other moves earn nothing.
    pub(crate) async fn credit_opportunity_move(
        &self,
        ctx: &Ctx,
        changes: &mut Changes,
        before: &Opportunity,
        after: &Opportunity,
    ) -> CrmResult<()> {
        let won = |o: &Opportunity| o.state.status == OpportunityStatus::Won;
        let source_ref = i64::try_from(after.history.len()).unwrap_or(i64::MAX);
        let today = ctx.local_today()?;
        if !won(before) && won(after) {
            let split = Self::split_or_owner(after.credit_split.as_ref(), after.owner_id);
            let event = CreditEvent {
                source: CreditSource::OpportunityWon,
                source_entity: Entity::Opportunity,
                source_id: after.id.0,
                source_ref,
                split: &split,
                amount: Decimal::ONE,
                currency: None,
                local_date: today,
                customer_id: Some(after.customer_id),
            };
            return self.write_credits(ctx, changes, event).await;
        }
        if won(before) && !won(after) {
            let wins = self
                .credits_of(ctx, CreditSource::OpportunityWon, after.id.0)
                .await?;
            let last = wins.iter().map(|c| c.source_ref).max();
            let rows = wins
                .iter()
                .filter(|c| Some(c.source_ref) == last)
                .map(|c| (c.user_id, c.share, -c.amount))
                .collect();
            let empty = CreditSplit::default();
            let event = CreditEvent {
                source: CreditSource::OpportunityReopened,
                source_entity: Entity::Opportunity,
                source_id: after.id.0,
                source_ref,
                split: &empty,
                amount: Decimal::ZERO,
                currency: None,
                local_date: today,
                customer_id: Some(after.customer_id),
            };
            return self.write_credit_rows(ctx, changes, &event, rows).await;
        }
        Ok(())
    }
}
