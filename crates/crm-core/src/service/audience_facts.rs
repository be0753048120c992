//! The facts loader of audience conditions (tags, segments): builds [`Facts`] for a batch of
//! customers as of an instant with one query per kind of fact — purchases (RFM and the last
//! order), follow-ups, open opportunities, customer tags — never one query per customer.
//! Only the kinds a condition [`Needs`] are read. Every event-derived fact counts events at
//! or before `as_of` only, so the facts (and the conditions over them) are state-based.

use super::{Crm, Ctx};
use crate::audience::{Facts, Needs};
use crate::customer::Customer;
use crate::error::{CrmError, CrmResult};
use crate::followup::FollowUp;
use crate::opportunity::Opportunity;
use crate::store::{Entity, Filter, Query, SqlValue, Store, StoreExt};
use crate::tag::{CustomerTag, Tag, TagStatus};
use crate::tier::{figures, Purchase, Quintiles, Scoring, Thresholds};
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeMap, BTreeSet};

/// Most customers per call of [`Crm::audience_facts`].
pub(crate) const MAX_FACTS_BATCH: usize = 500;

fn in_ids(ids: &[i64]) -> Filter {
    Filter::is_in(
        "customer_id",
        ids.iter().map(|i| SqlValue::Int(*i)).collect(),
    )
}

/// Rows grouped by customer id.
fn by_customer<T>(rows: Vec<T>, key: impl Fn(&T) -> Option<i64>) -> BTreeMap<i64, Vec<T>> {
    let mut out: BTreeMap<i64, Vec<T>> = BTreeMap::new();
    for r in rows {
        if let Some(k) = key(&r) {
            out.entry(k).or_default().push(r);
        }
    }
    out
}

/// The latest instant in `items` at or before `as_of`.
fn last_until<T>(
    items: &[T],
    at: impl Fn(&T) -> DateTime<Utc>,
    as_of: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    items.iter().map(at).filter(|t| *t <= as_of).max()
}

impl<S: Store> Crm<S> {
    /// The [`Facts`] of `batch` (at most [`MAX_FACTS_BATCH`] customers, in order) as of
    /// `as_of`, reading only what `needs` asks for. RFM figures use the tenant's tier window
    /// and default currency; scores use the tenant's thresholds, or `quintiles` when the
    /// tenant scores by quintiles (the caller computes them over the population; without
    /// them the default thresholds apply). A customer's last order or follow-up is the
    /// latest at or before `as_of`.
    pub(crate) async fn audience_facts(
        &self,
        ctx: &Ctx,
        batch: &[Customer],
        as_of: DateTime<Utc>,
        needs: Needs,
        quintiles: Option<&Quintiles>,
    ) -> CrmResult<Vec<Facts>> {
        if batch.len() > MAX_FACTS_BATCH {
            return Err(CrmError::Storage(format!(
                "audience facts: at most {MAX_FACTS_BATCH} customers per batch"
            )));
        }
        let tenant = ctx.tenant.id;
        let settings = &ctx.tenant.settings;
        let ids: Vec<i64> = batch.iter().map(|c| c.id.0).collect();
        let mut facts: Vec<Facts> = batch.iter().cloned().map(Facts::bare).collect();
        if ids.is_empty() {
            return Ok(facts);
        }
        if needs.rfm || needs.last_order {
            let window = Duration::days(i64::from(settings.tiers.window_days));
            let since = crate::clock::minus(as_of, window);
            // Customers whose stored last purchase is after `as_of` need their history.
            let later: Vec<i64> = batch
                .iter()
                .filter(|c| c.last_purchase_at.is_some_and(|t| t > as_of))
                .map(|c| c.id.0)
                .collect();
            let mut query = Query::new(Entity::Purchase, tenant)
                .filter(in_ids(&ids))
                .filter(Filter::le("at", as_of));
            if later.is_empty() {
                query = query.filter(Filter::gt("at", since));
            }
            let rows: Vec<Purchase> = self.store().load_all(&query).await?;
            let rows = by_customer(rows, |p| Some(p.customer_id.0));
            let default_thresholds = Thresholds::default();
            let thresholds = match &settings.tiers.scoring {
                Scoring::Thresholds(t) => t,
                _ => &default_thresholds,
            };
            for f in &mut facts {
                let all = rows.get(&f.customer.id.0).map(Vec::as_slice).unwrap_or(&[]);
                f.last_order_at = match f.customer.last_purchase_at {
                    Some(t) if t <= as_of => Some(t),
                    Some(_) => last_until(all, |p| p.at, as_of),
                    None => None,
                };
                let window: Vec<Purchase> = all.iter().filter(|p| p.at > since).cloned().collect();
                f.rfm = figures(f.last_order_at, &window, &settings.default_currency, as_of)?;
                f.scores = match quintiles {
                    Some(q) => q.score(&f.rfm),
                    None => thresholds.score(&f.rfm),
                };
            }
        }
        if needs.last_followup || needs.followups_since.is_some() {
            let later = batch
                .iter()
                .any(|c| needs.last_followup && c.last_followup_at.is_some_and(|t| t > as_of));
            let mut query = Query::new(Entity::FollowUp, tenant)
                .filter(in_ids(&ids))
                .filter(Filter::le("at", as_of));
            // Without a customer whose stored last follow-up is after `as_of`, only the
            // widest window is read (or nothing when only the last follow-up is needed).
            let read = match (later, needs.followups_since) {
                (true, _) => true,
                (false, Some(since)) => {
                    query = query.filter(Filter::ge("at", since));
                    true
                }
                (false, None) => false,
            };
            let rows: Vec<FollowUp> = if read {
                self.store().load_all(&query).await?
            } else {
                Vec::new()
            };
            let rows = by_customer(rows, |x| x.customer_id.map(|c| c.0));
            for f in &mut facts {
                let all = rows.get(&f.customer.id.0).map(Vec::as_slice).unwrap_or(&[]);
                f.last_followup_at = match f.customer.last_followup_at {
                    Some(t) if t <= as_of => Some(t),
                    Some(_) => last_until(all, |x| x.at, as_of),
                    None => None,
                };
                f.followups = all
                    .iter()
                    .map(|x| x.at)
                    .filter(|t| needs.followups_since.is_some_and(|s| *t >= s))
                    .collect();
            }
        }
        if needs.open_products {
            let rows: Vec<Opportunity> = self
                .store()
                .load_all(
                    &Query::new(Entity::Opportunity, tenant)
                        .filter(in_ids(&ids))
                        .filter(Filter::eq("status", "open")),
                )
                .await?;
            let rows = by_customer(rows, |o| Some(o.customer_id.0));
            for f in &mut facts {
                f.open_products = rows
                    .get(&f.customer.id.0)
                    .into_iter()
                    .flatten()
                    .flat_map(|o| o.products.iter().map(|l| l.product.trim().to_owned()))
                    .collect();
            }
        }
        if needs.tags {
            let names: BTreeMap<i64, String> = self
                .store()
                .load_all::<Tag>(
                    &Query::new(Entity::Tag, tenant)
                        .filter(Filter::eq("status", TagStatus::Active.as_str())),
                )
                .await?
                .into_iter()
                .map(|t| (t.id.0, t.name))
                .collect();
            let rows: Vec<CustomerTag> = self
                .store()
                .load_all(
                    &Query::new(Entity::CustomerTag, tenant)
                        .filter(in_ids(&ids))
                        .filter(Filter::eq("active", true)),
                )
                .await?;
            let rows = by_customer(rows, |t| Some(t.customer_id.0));
            for f in &mut facts {
                f.tags = rows
                    .get(&f.customer.id.0)
                    .into_iter()
                    .flatten()
                    .filter_map(|t| names.get(&t.tag_id.0).cloned())
                    .collect::<BTreeSet<String>>();
            }
        }
        Ok(facts)
    }
}
