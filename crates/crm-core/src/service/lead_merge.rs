//! Merging leads: the winner (most advanced status, then earliest created, then lowest id)
//! keeps its values and takes the others' where it has none; the others are marked merged
//! into it. One unit of work, audited, with one `LeadMerged` event.

use super::lead_loads::LoadBook;
use super::{json, transact, Crm};
use crate::access::{Action, ViewContext};
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::ids::LeadId;
use crate::lead::{fill, merge_order, Lead, LeadStatus, MergeRank};
use crate::store::{Changes, Entity, EventKind, Store};
use crate::view::VisibleJson;
use serde::{Deserialize, Serialize};

/// What a merge did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LeadMerge {
    /// The winner as the actor sees it after the merge.
    pub winner: VisibleJson,
    /// The leads merged into it, in merge order.
    pub merged: Vec<LeadId>,
}

impl<S: Store> Crm<S> {
    /// Merges two or more open leads the actor may update (see the module docs).
    pub async fn merge_leads(&self, actor: Actor, ids: Vec<LeadId>) -> CrmResult<LeadMerge> {
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            let mut leads = Vec::with_capacity(ids.len());
            let ranks: Vec<MergeRank> = ids
                .iter()
                .map(|id| MergeRank {
                    id: id.0,
                    status: LeadStatus::New,
                    created_at: ctx.now,
                })
                .collect();
            // Shape errors (too few, too many, repeated) before any read.
            merge_order(&ranks)?;
            for id in &ids {
                leads.push(self.lead_for(&ctx, *id, Action::Update).await?);
            }
            let ranks: Vec<MergeRank> = leads
                .iter()
                .map(|l| MergeRank {
                    id: l.id.0,
                    status: l.status,
                    created_at: l.created_at,
                })
                .collect();
            let order = merge_order(&ranks)?;
            let by_id = |id: i64| leads.iter().find(|l| l.id.0 == id);
            let ordered: Vec<&Lead> = order.iter().filter_map(|r| by_id(r.id)).collect();
            let (Some(first), rest) = (ordered.first(), ordered.get(1..).unwrap_or_default())
            else {
                return Err(CrmError::validation(
                    "ids",
                    "a merge takes at least two leads",
                ));
            };
            let winner_before = (*first).clone();
            let mut winner = winner_before.clone();
            let blank = |s: &String| s.trim().is_empty();
            macro_rules! fill_text {
                ($field:ident) => {
                    fill(
                        &mut winner.$field,
                        &rest.iter().map(|l| l.$field.clone()).collect::<Vec<_>>(),
                        blank,
                    )
                };
            }
            fill_text!(company);
            fill_text!(phone);
            fill_text!(email);
            fill_text!(source);
            fill_text!(region);
            fill_text!(industry);
            if winner.estimated_amount.is_none() {
                if let Some(l) = rest.iter().find(|l| l.estimated_amount.is_some()) {
                    winner.estimated_amount = l.estimated_amount;
                    winner.currency = l.currency.clone();
                }
            }
            if winner.matched_customer_id.is_none() {
                winner.matched_customer_id = rest.iter().find_map(|l| l.matched_customer_id);
            }
            for l in rest {
                for (k, v) in &l.custom {
                    winner.custom.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
            // The earliest contact of any of them is the winner's first contact.
            for l in rest {
                if let Some(at) = l.first_contacted_at {
                    winner.record_contact(at);
                }
            }
            let filled = winner != winner_before;
            // The merged values must be ones the actor may write on the winner.
            let mut touched: Vec<String> = winner
                .custom
                .keys()
                .filter(|k| !winner_before.custom.contains_key(*k))
                .map(|k| format!("custom.{k}"))
                .collect();
            for (f, changed) in [
                ("company", winner.company != winner_before.company),
                ("phone", winner.phone != winner_before.phone),
                ("email", winner.email != winner_before.email),
                ("source", winner.source != winner_before.source),
                ("region", winner.region != winner_before.region),
                ("industry", winner.industry != winner_before.industry),
                (
                    "estimated_amount",
                    winner.estimated_amount != winner_before.estimated_amount,
                ),
            ] {
                if changed {
                    touched.push(f.to_owned());
                }
            }
            let touched_names: Vec<&str> = touched.iter().map(String::as_str).collect();
            ctx.access
                .check_editable(crate::access::Module::Leads, &touched_names)?;
            let mut changes = Changes::new(ctx.tenant.id);
            let mut losers = Vec::new();
            let mut pairs = Vec::new();
            for l in rest {
                let after = Lead {
                    status: LeadStatus::Merged,
                    merged_into: Some(winner.id),
                    updated_at: ctx.now,
                    ..(*l).clone()
                };
                changes.update(&after)?;
                changes.audit(ctx.audit("lead.merge", Entity::Lead, l.id, json(*l), json(&after)));
                losers.push(l.id);
                pairs.push(((*l).clone(), after));
            }
            // The losers' follow-ups move to the winner.
            let mut moved = 0usize;
            for l in rest {
                for mut f in self.followups_of_lead(&ctx, l.id).await? {
                    f.lead_id = Some(winner.id);
                    changes.update(&f)?;
                    moved += 1;
                }
                self.tasks_follow_merge(&ctx, &mut changes, l.id, winner.id)
                    .await?;
            }
            if filled {
                winner.updated_at = ctx.now;
                changes.update(&winner)?;
                changes.audit(ctx.audit(
                    "lead.merge",
                    Entity::Lead,
                    winner.id,
                    json(&winner_before),
                    json(&winner),
                ));
            }
            let mut loads = LoadBook::default();
            loads
                .lead_changes(self, ctx.tenant.id, pairs.iter().map(|(b, a)| (Some(b), a)))
                .await?;
            loads.write(&mut changes)?;
            changes.event(ctx.event(
                EventKind::LeadMerged,
                Entity::Lead,
                winner.id,
                serde_json::json!({ "merged": losers, "filled": touched, "followups_moved": moved }),
            ));
            let stored = Lead {
                version: winner.version + i64::from(filled),
                ..winner
            };
            let shown = self.lead_view(&ctx, stored, ViewContext::Detail).await?;
            Ok((
                changes,
                LeadMerge {
                    winner: shown,
                    merged: losers,
                },
            ))
        })
    }
}
