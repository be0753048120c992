//! Setting a credit split (业绩分成) on a contract or an opportunity before the event that
//! earns its credit (DESIGN §4.10): validated (distinct active users, shares summing to
//! exactly 100 %), refused once the credit is earned, audited.

use super::{json, transact, Crm, Ctx};
use crate::access::Action;
use crate::access::ViewContext;
use crate::actor::Actor;
use crate::contract::{Contract, ContractStatus};
use crate::credit::CreditSplit;
use crate::error::{CrmError, CrmResult};
use crate::ids::{ContractId, OpportunityId};
use crate::opportunity::Opportunity;
use crate::sales::OpportunityStatus;
use crate::store::{Changes, Entity, EventKind, Store};
use crate::view::VisibleJson;

impl Ctx {
    /// A split as it is stored: `None` for an empty one; else validated, with every user an
    /// active member of the org.
    fn checked_split(&self, split: CreditSplit) -> CrmResult<Option<CreditSplit>> {
        if split.0.is_empty() {
            return Ok(None);
        }
        split.validate()?;
        for (i, share) in split.0.iter().enumerate() {
            if !self
                .access
                .org()
                .users
                .get(&share.user_id)
                .is_some_and(|u| u.active)
            {
                return Err(CrmError::validation(
                    format!("credit_split[{i}].user_id"),
                    format!("no active user {}", share.user_id),
                ));
            }
        }
        Ok(Some(split))
    }
}

impl<S: Store> Crm<S> {
    /// Sets a contract's credit split; refused once it is active or closed.
    pub async fn set_contract_credit_split(
        &self,
        actor: Actor,
        id: ContractId,
        split: CreditSplit,
    ) -> CrmResult<VisibleJson> {
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let (before, _) = self.contract_for(&ctx, id, Action::Update).await?;
            if !matches!(
                before.status,
                ContractStatus::Draft | ContractStatus::PendingApproval | ContractStatus::Rejected
            ) {
                return Err(CrmError::rule(
                    "credit_already_earned",
                    format!("contract is {}", before.status.as_str()),
                ));
            }
            let next = Contract {
                credit_split: ctx.checked_split(split.clone())?,
                ..before.clone()
            };
            let mut changes = Changes::new(ctx.tenant.id);
            changes.update(&next)?;
            changes.audit(ctx.audit(
                "contract.set_credit_split",
                Entity::Contract,
                id,
                json(&before),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::CreditSplitChanged,
                Entity::Contract,
                id,
                serde_json::json!({ "credit_split": next.credit_split }),
            ));
            Ok((
                changes,
                ctx.contract_detail(&Contract {
                    version: next.version + 1,
                    ..next
                })?,
            ))
        })
    }

    /// Sets an open opportunity's credit split; refused once it is won or lost.
    pub async fn set_opportunity_credit_split(
        &self,
        actor: Actor,
        id: OpportunityId,
        split: CreditSplit,
    ) -> CrmResult<VisibleJson> {
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let (before, _) = self.opportunity_for(&ctx, id, Action::Update).await?;
            if before.state.status != OpportunityStatus::Open {
                return Err(CrmError::rule(
                    "credit_already_earned",
                    "the opportunity is closed",
                ));
            }
            let next = Opportunity {
                credit_split: ctx.checked_split(split.clone())?,
                ..before.clone()
            };
            let mut changes = Changes::new(ctx.tenant.id);
            changes.update(&next)?;
            changes.audit(ctx.audit(
                "opportunity.set_credit_split",
                Entity::Opportunity,
                id,
                json(&before),
                json(&next),
            ));
            changes.event(ctx.event(
                EventKind::CreditSplitChanged,
                Entity::Opportunity,
                id,
                serde_json::json!({ "credit_split": next.credit_split }),
            ));
            Ok((
                changes,
                ctx.show(
                    Entity::Opportunity,
                    &Opportunity {
                        version: next.version + 1,
                        ..next
                    },
                    ViewContext::Detail,
                ),
            ))
        })
    }
}
