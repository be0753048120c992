//! `target.achievement`, `target.ranking` and `target.credits`: actuals from credit records
//! against approved targets, in the actor's `targets` read scope.

use super::{facet, operation};
use crate::credit::Credit;
use crate::service::Page;
pub use crate::service::{
    Achievement, AchievementPeriod, AchievementRequest, CreditFilter, Ranking, RankingRequest,
    RankingRow,
};

facet!(
    /// Achievement (业绩): what users, departments and the tenant achieved against their
    /// approved targets, rankings, and the credit records behind them.
    achievement -> AchievementOps {
        achievement: AchievementRequest,
        ranking: RankingRequest,
        credits: CreditFilter,
    }
);

operation!(AchievementRequest, "target.achievement", Targets, Read, Achievement,
    "Target, actual and attainment of a user, a department (with its sub-departments: credits recorded to them at their events) or the tenant over a fiscal year, quarter, month or any range of days. Actual = Σ credit records (refunds and terminations negative); target = the latest approved revisions (a department or tenant without its own target sums its users'), partly covered months by calendar days, optionally prorated from each user's joined_on; attainment = actual / target in percent, 2 decimals half-up, null for a zero or missing target. Refused (permission_denied) unless the actor's targets read scope covers every active user of the subject.",
    |crm, actor, r| crm.target_achievement(actor, r));

operation!(RankingRequest, "target.ranking", Targets, Read, Ranking,
    "Every user in the actor's targets read scope (within a department's subtree when asked) with an approved target over the period — zero actuals included — best attainment first, then higher actual; a zero target (null attainment) last; equal attainment and actual share a rank.",
    |crm, actor, r| crm.target_ranking(actor, r));

operation!(CreditFilter, "target.credits", Targets, Read, Page<Credit>,
    "Credit records of users in the actor's targets read scope, oldest first, by user, metric, source event, source record and local day, a page at a time.",
    |crm, actor, r| crm.list_credits(actor, r));
