//! `due_work.*`: scheduled, time-driven work of the actor's tenant.

use super::{facet, operation};
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::ids::TenantId;
use crate::service::{Crm, DueWorkReport};
use crate::store::Store;
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

facet!(
    /// Scheduled work: recycle, SLA clocks and the other timers.
    due_work -> DueWorkOps {
        run: RunDueWork,
    }
);

/// Runs everything due in the actor's tenant (system actor only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunDueWork {
    /// The instant to run at (default: the engine's clock).
    #[serde(default)]
    pub now: Option<DateTime<Utc>>,
}

operation!(RunDueWork, "due_work.run", Settings, Update, DueWorkReport,
    "Runs everything due in the actor's tenant at `now` (team expiry, pool recycling and reminders, follow-up escalations, SLA clocks, lead first-contact clocks, contracts and installments, daily tiers); idempotent at the same now. System actor only.",
    |crm, actor, r| run(crm, actor, r.now));

async fn run<S: Store>(
    crm: &Crm<S>,
    actor: Actor,
    now: Option<DateTime<Utc>>,
) -> CrmResult<DueWorkReport> {
    let tenant = system_tenant(actor)?;
    let now = now.unwrap_or_else(|| crm.clock().now());
    crm.run_due_work(tenant, now).await
}

/// The tenant of a system actor; scheduled work runs as the tenant's system actor, so a user
/// actor may not start it.
pub(super) fn system_tenant(actor: Actor) -> CrmResult<TenantId> {
    match actor {
        Actor::System { tenant } => Ok(tenant),
        Actor::User { .. } => Err(CrmError::PermissionDenied {
            module: "settings".into(),
            action: "update".into(),
            field: Some("actor".into()),
        }),
    }
}
