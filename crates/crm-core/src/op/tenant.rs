//! `tenant.*`: set-up and settings of the actor's tenant.

use super::{operation, Visitor};
use crate::tenant::{Tenant, TenantSettings};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub(super) fn visit<V: Visitor>(v: &mut V) {
    v.visit::<SetupTenant>();
    v.visit::<GetTenant>();
}

/// Creates the actor's tenant or replaces its name and settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupTenant {
    /// Display name of the tenant.
    pub name: String,
    /// Its settings (the defaults when absent).
    #[serde(default)]
    pub settings: TenantSettings,
}

operation!(SetupTenant, "tenant.setup", Settings, Update, Tenant,
    "Creates the actor's tenant (system actor) or replaces its name and settings (tenant admin). Returns the tenant.",
    |crm, actor, r| crm.setup_tenant(actor, &r.name, r.settings));

/// Reads the actor's tenant: `{}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetTenant {}

operation!(
    GetTenant,
    "tenant.get",
    Settings,
    Read,
    Tenant,
    "The actor's tenant with its settings.",
    |crm, actor, _r| crm.tenant(actor)
);
