//! `due_work.*`: scheduled, time-driven work of the actor's tenant.

use super::{Op, Request};
use crate::error::FfiResult;
use chrono::{DateTime, Utc};
use crm_core::ids::TenantId;
use crm_core::{Actor, CrmError};
use serde::Deserialize;

pub(super) const OPS: &[Op] = &[Op {
    name: "due_work.run",
    calls: "run_due_work",
    summary: "Runs everything due in the actor's tenant at `now` (team expiry, pool recycling and reminders, follow-up escalations, daily tiers); idempotent at the same now. System actor only.",
    request: r#"{"now?": "RFC 3339 UTC, default the engine's clock"}"#,
    handler: run,
    access: None,
    schemas: None,
}];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Run {
    #[serde(default)]
    now: Option<DateTime<Utc>>,
}

/// The tenant of a system actor; scheduled work runs as the tenant's system actor, so a user
/// actor may not start it.
pub(super) fn system_tenant(actor: Actor) -> FfiResult<TenantId> {
    match actor {
        Actor::System { tenant } => Ok(tenant),
        Actor::User { .. } => Err(CrmError::PermissionDenied {
            module: "settings".into(),
            action: "update".into(),
            field: Some("actor".into()),
        }
        .into()),
    }
}

fn run(r: &Request<'_>) -> FfiResult<String> {
    let tenant = system_tenant(r.actor()?)?;
    let req: Run = r.parse()?;
    r.run(move |crm| async move {
        let now = match req.now {
            Some(now) => now,
            None => crm.clock().now(),
        };
        crm.run_due_work(tenant, now).await
    })
}
