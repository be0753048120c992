//! `tenant.*`: set-up and settings of the actor's tenant.

use super::{Empty, Op, Request};
use crate::error::FfiResult;
use crm_core::tenant::TenantSettings;
use serde::Deserialize;

pub(super) const OPS: &[Op] = &[
    Op {
        name: "tenant.setup",
        calls: "setup_tenant",
        summary: "Creates the actor's tenant (system actor) or replaces its name and settings (tenant admin). Returns the tenant.",
        request: r#"{"name": "string", "settings?": {"time_zone": "IANA zone, default Asia/Shanghai", "default_currency": "ISO 4217, default CNY", "rounding": "half_up | half_even", "followup_escalation_hours": "int, default 48, 0 = off", "customer_fields": [{"key": "identifier", "label": "string", "type": "text (with max_len) | integer | decimal | date | bool | choice (with options)", "required": "bool"}], "held_limits": {"default?": "int", "users": {"user id": "int"}, "departments": {"department id": "int"}, "count_dealt": "bool", "exempt_pool_admins": "bool"}, "recycle_reasons": ["string"], "tiers": "RFM tier rules (see crm_core::tier::TierSettings)", "tickets": "ticket groups and routing (see crm_core::ticket::TicketSettings)", "pipelines": {"name": "opportunity pipeline (see crm_core::sales::Pipeline); default has \"default\""}, "contracts": {"approval?": {"branches": [{"name": "string", "condition?": {"currency?": "string", "total?": {"min?": {"inclusive | exclusive": "decimal string"}, "max?": "as min"}, "max_discount?": "as total", "customer_tiers?": ["string"], "owner_departments?": ["int"]}, "levels": [{"name": "string", "approvers": {"kind": "role | users | supervisor", "role?": "int", "users?": ["int"], "levels?": "int"}, "mode": "any_one | all"}]}], "forbid_self_approval?": "bool", "amendment_threshold_percent?": "decimal string, default 20"}, "won_on_approval?": "bool, default true", "aging?": {"upper_bounds": ["int"]}, "due_soon_days?": "int, default 3"}}}"#,
        handler: setup,
        access: None,
        schemas: None,
    },
    Op {
        name: "tenant.get",
        calls: "tenant",
        summary: "The actor's tenant with its settings.",
        request: "{}",
        handler: get,
        access: None,
        schemas: None,
    },
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Setup {
    name: String,
    #[serde(default)]
    settings: TenantSettings,
}

fn setup(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: Setup = r.parse()?;
    r.run(move |crm| async move { crm.setup_tenant(actor, &req.name, req.settings).await })
}

fn get(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let _: Empty = r.parse()?;
    r.run(move |crm| async move { crm.tenant(actor).await })
}
