//! Follow-ups on leads: recorded and listed through the lead, in the actor's lead scope and
//! with the leads module's permissions; the first one stops the lead's first-contact clock.
//! Conversion later sets the customer on the same rows (ADR 0019).

use super::{json, page_limit, transact, Crm, Ctx, Page};
use crate::access::{Action, FieldPolicy, Module, ViewContext};
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::followup::{visible_followup, FollowUp, NewLeadFollowUp};
use crate::ids::{FollowUpId, LeadId};
use crate::store::{Changes, Entity, EventKind, Filter, Order, Query, Store, StoreExt};
use crate::view::Visible;

impl Ctx {
    /// The field policy of follow-ups shown through a lead: the follow-up module's rules
    /// (notes and check-ins, the rules they keep once moved to a customer); closed — both
    /// withheld — for a reader none of whose roles grants follow-ups ("no role: nothing").
    pub(crate) fn lead_followup_policy(&self) -> FieldPolicy {
        if self.access.grants_module(Module::FollowUps) {
            self.access.field_policy(Module::FollowUps)
        } else {
            FieldPolicy::closed()
        }
    }
}

impl<S: Store> Crm<S> {
    /// Records a follow-up on an open lead the actor may update. The lead is written in the
    /// same unit of work (its first contact, its version), so a concurrent conversion or
    /// merge and this follow-up cannot both succeed on a stale lead.
    pub async fn add_lead_followup(
        &self,
        actor: Actor,
        input: NewLeadFollowUp,
    ) -> CrmResult<Visible<FollowUp>> {
        crate::validate::texts(&input, "")?;
        let id = FollowUpId(self.new_id(Entity::FollowUp).await?);
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let lead = self.lead_for(&ctx, input.lead_id, Action::Update).await?;
            if !lead.status.is_open() {
                return Err(CrmError::rule(
                    "lead_closed",
                    format!(
                        "a {} lead takes no follow-ups (record them on its customer)",
                        lead.status
                    ),
                ));
            }
            let author = ctx.access.user().map(|u| u.id);
            let followup = input.clone().into_followup(&lead, id, author, ctx.now)?;
            let mut next = lead.clone();
            next.record_contact(followup.at);
            next.updated_at = ctx.now;
            let first_contact = lead.first_contacted_at != next.first_contacted_at;
            let mut changes = Changes::new(ctx.tenant.id);
            changes.insert(&followup)?;
            changes.update(&next)?;
            changes.audit(ctx.audit(
                "lead.add_followup",
                Entity::FollowUp,
                id,
                serde_json::Value::Null,
                json(&followup),
            ));
            changes.audit(ctx.audit(
                "lead.add_followup",
                Entity::Lead,
                lead.id,
                json(&lead),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::FollowUpRecorded,
                Entity::Lead,
                lead.id,
                serde_json::json!({
                    "followup_id": id,
                    "author_id": author,
                    "kind": followup.kind,
                    "first_contacted_at": first_contact.then_some(next.first_contacted_at).flatten(),
                }),
            ));
            Ok((
                changes,
                visible_followup(followup, &ctx.lead_followup_policy(), ViewContext::Detail),
            ))
        })
    }

    /// Follow-ups recorded on a lead the actor may read, newest first, keyset-paged (those
    /// moved to a customer by conversion included: the lead keeps them).
    pub async fn list_lead_followups(
        &self,
        actor: Actor,
        lead: LeadId,
        after: Option<i64>,
        limit: Option<u32>,
    ) -> CrmResult<Page<Visible<FollowUp>>> {
        let ctx = self.ctx(actor).await?;
        self.lead_for(&ctx, lead, Action::Read).await?;
        let limit = page_limit(limit)?;
        let items: Vec<FollowUp> = self
            .store()
            .load_all(
                &Query::new(Entity::FollowUp, ctx.tenant.id)
                    .filter(Filter::eq("lead_id", lead))
                    .order(Order::IdDesc)
                    .after(after)
                    .limit(limit),
            )
            .await?;
        let policy = ctx.lead_followup_policy();
        Ok(Page::of(items, limit, |f| {
            visible_followup(f, &policy, ViewContext::List)
        }))
    }
}
