//! `tenant.*`: set-up and settings of the actor's tenant.

use super::{facet, operation};
use crate::tenant::{Tenant, TenantSettings};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

facet!(
    /// The tenant (租户): set-up and settings.
    tenant -> TenantOps {
        setup: SetupTenant,
        get: GetTenant,
    }
);

/// Creates the actor's tenant or replaces its name and settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
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
    |crm, actor, _r| crm.get_tenant(actor)
);
