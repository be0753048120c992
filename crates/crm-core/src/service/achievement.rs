//! Achievement, attainment and rankings (DESIGN §4.10): actuals are sums of credit records
//! (fixed at their events), targets are the latest approved revisions, any range of days,
//! departments with their sub-departments, all in the actor's `targets` read scope.

use super::{Crm, Ctx, Page};
use crate::access::{Action, Module, Reach};
use crate::actor::Actor;
use crate::credit::{Credit, CreditSource};
use crate::error::{CrmError, CrmResult};
use crate::ids::{DepartmentId, UserId};
use crate::money::Currency;
use crate::store::{Entity, Filter, Order, Query, SqlValue, Store, StoreExt};
use crate::target::achievement::{fiscal_years, ranking_order, round_half_up, target_in_range};
use crate::target::{attainment, FiscalCalendar, FiscalPeriod, Metric, Target, TargetSubject};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The most days a custom range may span (ten years and a bit).
const MAX_RANGE_DAYS: i64 = 3700;
/// Credits read per page while summing.
const CREDIT_PAGE: u32 = 2000;

/// A period of achievement: a fiscal year, quarter or month, or any range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum AchievementPeriod {
    /// A fiscal year (named by the calendar year it starts in).
    Year {
        /// The fiscal year.
        year: i32,
    },
    /// A fiscal quarter.
    Quarter {
        /// The fiscal year.
        year: i32,
        /// 1–4.
        quarter: u32,
    },
    /// A fiscal month.
    Month {
        /// The fiscal year.
        year: i32,
        /// 1–12 (1 is the fiscal start month).
        month: u32,
    },
    /// Any range of tenant-local days, both ends included.
    Range {
        /// The first day.
        from: NaiveDate,
        /// The last day.
        to: NaiveDate,
    },
}

impl AchievementPeriod {
    /// The first and last day, validated (field `period.*`).
    pub fn days(self, calendar: &FiscalCalendar) -> CrmResult<(NaiveDate, NaiveDate)> {
        match self {
            AchievementPeriod::Year { year } => calendar.bounds(FiscalPeriod::Year { year }),
            AchievementPeriod::Quarter { year, quarter } => {
                calendar.bounds(FiscalPeriod::Quarter { year, quarter })
            }
            AchievementPeriod::Month { year, month } => {
                calendar.bounds(FiscalPeriod::Month { year, month })
            }
            AchievementPeriod::Range { from, to } => {
                crate::target::fiscal::check_day(from, "period.from")?;
                crate::target::fiscal::check_day(to, "period.to")?;
                if to < from {
                    return Err(CrmError::validation("period.to", "is before period.from"));
                }
                if (to - from).num_days() >= MAX_RANGE_DAYS {
                    return Err(CrmError::validation(
                        "period.to",
                        format!("a range spans at most {MAX_RANGE_DAYS} days"),
                    ));
                }
                Ok((from, to))
            }
        }
    }
}

/// Achievement of one subject (`target.achievement`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AchievementRequest {
    /// Whose: a user, a department (with its sub-departments) or the tenant.
    pub subject: TargetSubject,
    /// What.
    pub metric: Metric,
    /// When.
    pub period: AchievementPeriod,
    /// The currency of an amount metric (default the tenant's); refused for counts.
    #[serde(default)]
    pub currency: Option<String>,
    /// Prorate users' targets by calendar days from the day they joined (`joined_on`).
    #[serde(default)]
    pub prorate: bool,
}

/// A subject's target, actual and attainment over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Achievement {
    /// Whose.
    pub subject: TargetSubject,
    /// What.
    pub metric: Metric,
    /// The first day.
    pub from: NaiveDate,
    /// The last day.
    pub to: NaiveDate,
    /// The currency of an amount metric.
    pub currency: Option<String>,
    /// The approved target over the period (rounded once); `None` when there is none.
    pub target: Option<Decimal>,
    /// Σ credits over the period (refunds and reversals negative).
    pub actual: Decimal,
    /// `actual / target` in percent, 2 decimals half-up; `None` without a target or for a
    /// zero target.
    pub attainment: Option<Decimal>,
}

/// A ranking of users (`target.ranking`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RankingRequest {
    /// What.
    pub metric: Metric,
    /// When.
    pub period: AchievementPeriod,
    /// Only users of this department and its sub-departments.
    #[serde(default)]
    pub department_id: Option<DepartmentId>,
    /// The currency of an amount metric (default the tenant's); refused for counts.
    #[serde(default)]
    pub currency: Option<String>,
    /// Prorate targets by calendar days from the day each user joined.
    #[serde(default)]
    pub prorate: bool,
}

/// One ranked user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RankingRow {
    /// 1 for the best; equal attainment and actual share a rank.
    pub rank: u32,
    /// The user.
    pub user_id: UserId,
    /// Their name.
    pub name: String,
    /// Their department.
    pub department_id: Option<DepartmentId>,
    /// Their target over the period.
    pub target: Decimal,
    /// Their actual (zero when nothing was credited).
    pub actual: Decimal,
    /// Attainment in percent; `None` for a zero target (ranked last).
    pub attainment: Option<Decimal>,
}

/// Every user in scope with an approved target over the period, zero actuals included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Ranking {
    /// What.
    pub metric: Metric,
    /// The first day.
    pub from: NaiveDate,
    /// The last day.
    pub to: NaiveDate,
    /// The currency of an amount metric.
    pub currency: Option<String>,
    /// Best first.
    pub rows: Vec<RankingRow>,
}

/// Which credit records to list (`target.credits`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditFilter {
    /// Only this user's.
    #[serde(default)]
    pub user_id: Option<UserId>,
    /// Only this metric.
    #[serde(default)]
    pub metric: Option<Metric>,
    /// Only from this event.
    #[serde(default)]
    pub source: Option<CreditSource>,
    /// Only credits of this record (with `source`).
    #[serde(default)]
    pub source_id: Option<i64>,
    /// Only from this local day on.
    #[serde(default)]
    pub from: Option<NaiveDate>,
    /// Only up to this local day.
    #[serde(default)]
    pub to: Option<NaiveDate>,
    /// Keyset cursor (the previous page's `next_after`).
    #[serde(default)]
    pub after: Option<i64>,
    /// Page size, 1..=500 (default 50).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// The measuring unit of a request: the currency of an amount metric and the scale.
struct Unit {
    currency: Option<Currency>,
    scale: u32,
}

impl Unit {
    fn code(&self) -> Option<String> {
        self.currency.as_ref().map(|c| c.code().to_owned())
    }
    fn matches(&self, currency: Option<&str>) -> bool {
        match &self.currency {
            Some(c) => currency == Some(c.code()),
            None => true,
        }
    }
}

impl Ctx {
    /// The tenant's fiscal calendar.
    pub(crate) fn fiscal_calendar(&self) -> CrmResult<FiscalCalendar> {
        self.tenant.settings.targets.calendar()
    }

    fn unit(&self, metric: Metric, currency: Option<&str>) -> CrmResult<Unit> {
        if !metric.is_amount() {
            if currency.is_some() {
                return Err(CrmError::validation(
                    "currency",
                    format!("{metric} is a count and has no currency"),
                ));
            }
            return Ok(Unit {
                currency: None,
                scale: 2,
            });
        }
        let code = currency.unwrap_or(&self.tenant.settings.default_currency);
        let currency = Currency::parse(code, "currency")?;
        let scale = currency.minor_units();
        Ok(Unit {
            currency: Some(currency),
            scale,
        })
    }

    /// Whether the `targets` read reach covers every user in `users`.
    fn reaches_all(reach: &Reach, users: &BTreeSet<UserId>) -> bool {
        match reach {
            Reach::All => true,
            Reach::Owners(set) => users.iter().all(|u| set.contains(u)),
        }
    }

    /// The users a subject's achievement sums over, refused when the actor's reach does
    /// not cover them all.
    fn subject_users(&self, reach: &Reach, subject: TargetSubject) -> CrmResult<SubjectUsers> {
        let org = self.access.org();
        let denied = || CrmError::PermissionDenied {
            module: Module::Targets.as_str().into(),
            action: Action::Read.as_str().into(),
            field: Some("subject".into()),
        };
        match subject {
            TargetSubject::User { id } => {
                if !org.users.contains_key(&id) {
                    return Err(CrmError::not_found("user", id));
                }
                if !Self::reaches_all(reach, &BTreeSet::from([id])) {
                    return Err(denied());
                }
                Ok(SubjectUsers::Users(BTreeSet::from([id]), None))
            }
            TargetSubject::Department { id } => {
                if !org.departments.contains_key(&id) {
                    return Err(CrmError::not_found("department", id));
                }
                let subtree = org.department_subtree(id);
                let users = org.users_in(&subtree);
                let active: BTreeSet<UserId> = users
                    .iter()
                    .copied()
                    .filter(|u| org.users.get(u).is_some_and(|x| x.active))
                    .collect();
                // An empty subtree is never "covered": its past credits stay with scope all.
                if !Self::reaches_all(reach, &active)
                    || (active.is_empty() && !matches!(reach, Reach::All))
                {
                    return Err(denied());
                }
                Ok(SubjectUsers::Users(users, Some(subtree)))
            }
            TargetSubject::Tenant => {
                if !matches!(reach, Reach::All) {
                    return Err(denied());
                }
                Ok(SubjectUsers::Tenant)
            }
        }
    }
}

/// Whom a subject's figures sum over.
enum SubjectUsers {
    /// These users (and, for a department, credits recorded to these departments).
    Users(BTreeSet<UserId>, Option<BTreeSet<DepartmentId>>),
    /// Everyone.
    Tenant,
}

impl<S: Store> Crm<S> {
    /// The latest approved revision per subject of `metric` for the fiscal years given.
    async fn approved_for(
        &self,
        ctx: &Ctx,
        metric: Metric,
        years: &[i32],
    ) -> CrmResult<Vec<Target>> {
        let mut out = Vec::new();
        for year in years {
            out.extend(self.approved_targets(ctx.tenant.id, metric, *year).await?);
        }
        Ok(out)
    }

    /// Σ credits of `metric` in `[from, to]` matching `filter`, per credited user, in the
    /// unit's currency, read a page at a time.
    async fn credit_sums(
        &self,
        ctx: &Ctx,
        metric: Metric,
        (from, to): (NaiveDate, NaiveDate),
        filter: Option<Filter>,
        unit: &Unit,
    ) -> CrmResult<BTreeMap<UserId, Decimal>> {
        let mut sums: BTreeMap<UserId, Decimal> = BTreeMap::new();
        let mut after = None;
        loop {
            let mut query = Query::new(Entity::Credit, ctx.tenant.id)
                .filter(Filter::eq("metric", metric.as_str()))
                .filter(Filter::ge(
                    "local_date",
                    crate::credit::model::date_key(from),
                ))
                .filter(Filter::le("local_date", crate::credit::model::date_key(to)))
                .order(Order::IdAsc)
                .after(after)
                .limit(CREDIT_PAGE);
            if let Some(f) = &filter {
                query = query.filter(f.clone());
            }
            let page = self.store().load_all::<Credit>(&query).await?;
            let full = page.len() == CREDIT_PAGE as usize;
            after = page.last().map(|c| c.id.0);
            for c in page {
                if unit.matches(c.currency.as_deref()) {
                    *sums.entry(c.user_id).or_default() += c.amount;
                }
            }
            if !full {
                break;
            }
        }
        Ok(sums)
    }

    /// The achievement of one subject over a period, in the actor's `targets` read scope.
    pub async fn target_achievement(
        &self,
        actor: Actor,
        request: AchievementRequest,
    ) -> CrmResult<Achievement> {
        let ctx = self.ctx(actor).await?;
        let reach = ctx.access.require(Module::Targets, Action::Read)?;
        let calendar = ctx.fiscal_calendar()?;
        let (from, to) = request.period.days(&calendar)?;
        let unit = ctx.unit(request.metric, request.currency.as_deref())?;
        let whom = ctx.subject_users(&reach, request.subject)?;
        let targets = self
            .approved_for(&ctx, request.metric, &fiscal_years(&calendar, from, to))
            .await?;
        let org = ctx.access.org();
        let member_from = |u: UserId| {
            request
                .prorate
                .then(|| org.users.get(&u).and_then(|x| x.joined_on))
                .flatten()
        };
        let part = |t: &Target, joined: Option<NaiveDate>| {
            target_in_range(&calendar, t.fiscal_year, &t.months, from, to, joined)
        };
        let comparable = |t: &Target| unit.matches(t.currency.as_deref());
        // The subject's own target; without one, a department or the tenant sums its users'.
        let own: Vec<&Target> = targets
            .iter()
            .filter(|t| t.subject == request.subject && comparable(t))
            .collect();
        let target = if !own.is_empty() {
            Some(own.iter().map(|t| part(t, None)).sum::<Decimal>())
        } else {
            let members: Vec<&Target> = targets
                .iter()
                .filter(|t| comparable(t))
                .filter(|t| match (t.subject, &whom) {
                    (TargetSubject::User { id }, SubjectUsers::Users(users, _)) => {
                        users.contains(&id)
                            && !matches!(request.subject, TargetSubject::User { .. })
                    }
                    (TargetSubject::User { .. }, SubjectUsers::Tenant) => true,
                    _ => false,
                })
                .collect();
            (!members.is_empty()).then(|| {
                members
                    .iter()
                    .map(|t| part(t, t.subject.user().and_then(member_from)))
                    .sum()
            })
        };
        // A user's own target is prorated by their joining day.
        let target = match (request.subject, target) {
            (TargetSubject::User { id }, Some(_)) if request.prorate => Some(
                own.iter()
                    .map(|t| part(t, member_from(id)))
                    .sum::<Decimal>(),
            ),
            (_, t) => t,
        }
        .map(|t| round_half_up(t, unit.scale));
        let filter = match &whom {
            SubjectUsers::Users(users, None) => Some(Filter::is_in(
                "user_id",
                users.iter().map(|u| SqlValue::Int(u.0)).collect(),
            )),
            SubjectUsers::Users(_, Some(departments)) => Some(Filter::is_in(
                "department_id",
                departments.iter().map(|d| SqlValue::Int(d.0)).collect(),
            )),
            SubjectUsers::Tenant => None,
        };
        let actual: Decimal = self
            .credit_sums(&ctx, request.metric, (from, to), filter, &unit)
            .await?
            .values()
            .sum();
        let actual = round_half_up(actual, unit.scale);
        Ok(Achievement {
            subject: request.subject,
            metric: request.metric,
            from,
            to,
            currency: unit.code(),
            attainment: target.and_then(|t| attainment(actual, t)),
            target,
            actual,
        })
    }

    /// Every user in the actor's scope (within a department's subtree when asked) with an
    /// approved target over the period, best attainment first, zero actuals included and
    /// zero targets last.
    pub async fn target_ranking(
        &self,
        actor: Actor,
        request: RankingRequest,
    ) -> CrmResult<Ranking> {
        let ctx = self.ctx(actor).await?;
        let reach = ctx.access.require(Module::Targets, Action::Read)?;
        let calendar = ctx.fiscal_calendar()?;
        let (from, to) = request.period.days(&calendar)?;
        let unit = ctx.unit(request.metric, request.currency.as_deref())?;
        let org = ctx.access.org();
        let within: Option<BTreeSet<UserId>> = match request.department_id {
            Some(d) if !org.departments.contains_key(&d) => {
                return Err(CrmError::not_found("department", d))
            }
            Some(d) => Some(org.users_in(&org.department_subtree(d))),
            None => None,
        };
        let in_scope = |u: UserId| {
            Ctx::reaches_all(&reach, &BTreeSet::from([u]))
                && within.as_ref().is_none_or(|w| w.contains(&u))
        };
        let targets = self
            .approved_for(&ctx, request.metric, &fiscal_years(&calendar, from, to))
            .await?;
        let mut wanted: BTreeMap<UserId, Decimal> = BTreeMap::new();
        for t in &targets {
            let Some(user) = t.subject.user() else {
                continue;
            };
            if !in_scope(user) || !unit.matches(t.currency.as_deref()) {
                continue;
            }
            let joined = request
                .prorate
                .then(|| org.users.get(&user).and_then(|x| x.joined_on))
                .flatten();
            let part = target_in_range(&calendar, t.fiscal_year, &t.months, from, to, joined);
            *wanted.entry(user).or_default() += part;
        }
        let mut actuals: BTreeMap<UserId, Decimal> = BTreeMap::new();
        let users: Vec<UserId> = wanted.keys().copied().collect();
        for chunk in users.chunks(500) {
            let filter = Filter::is_in(
                "user_id",
                chunk.iter().map(|u| SqlValue::Int(u.0)).collect(),
            );
            actuals.extend(
                self.credit_sums(&ctx, request.metric, (from, to), Some(filter), &unit)
                    .await?,
            );
        }
        let mut rows: Vec<RankingRow> = wanted
            .into_iter()
            .map(|(user_id, target)| {
                let target = round_half_up(target, unit.scale);
                let actual = round_half_up(
                    actuals.get(&user_id).copied().unwrap_or_default(),
                    unit.scale,
                );
                let u = org.users.get(&user_id);
                RankingRow {
                    rank: 0,
                    user_id,
                    name: u.map(|u| u.name.clone()).unwrap_or_default(),
                    department_id: u.and_then(|u| u.department_id),
                    attainment: attainment(actual, target),
                    target,
                    actual,
                }
            })
            .collect();
        rows.sort_by(|a, b| {
            ranking_order(
                (a.attainment, a.actual, a.user_id.0),
                (b.attainment, b.actual, b.user_id.0),
            )
        });
        let mut previous: Option<(Option<Decimal>, Decimal)> = None;
        let mut rank = 0u32;
        for (i, row) in rows.iter_mut().enumerate() {
            let key = (row.attainment, row.actual);
            if previous != Some(key) {
                rank = u32::try_from(i + 1).unwrap_or(u32::MAX);
                previous = Some(key);
            }
            row.rank = rank;
        }
        Ok(Ranking {
            metric: request.metric,
            from,
            to,
            currency: unit.code(),
            rows,
        })
    }

    /// A page of credit records in the actor's `targets` read scope (by credited user).
    pub async fn list_credits(
        &self,
        actor: Actor,
        filter: CreditFilter,
    ) -> CrmResult<Page<Credit>> {
        let ctx = self.ctx(actor).await?;
        let (mut query, limit) = ctx.scoped_page(
            Module::Targets,
            Entity::Credit,
            Order::IdAsc,
            filter.after,
            filter.limit,
        )?;
        if let Some(u) = filter.user_id {
            query = query.filter(Filter::eq("user_id", u.0));
        }
        if let Some(m) = filter.metric {
            query = query.filter(Filter::eq("metric", m.as_str()));
        }
        if let Some(s) = filter.source {
            query = query.filter(Filter::eq("source", s.as_str()));
        }
        if let Some(id) = filter.source_id {
            query = query.filter(Filter::eq("source_id", id));
        }
        if let Some(d) = filter.from {
            crate::target::fiscal::check_day(d, "from")?;
            query = query.filter(Filter::ge("local_date", crate::credit::model::date_key(d)));
        }
        if let Some(d) = filter.to {
            crate::target::fiscal::check_day(d, "to")?;
            query = query.filter(Filter::le("local_date", crate::credit::model::date_key(d)));
        }
        let rows = self.store().load_all::<Credit>(&query).await?;
        Ok(Page::of(rows, limit, |c| c))
    }
}
