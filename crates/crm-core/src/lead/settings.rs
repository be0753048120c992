//! The tenant's lead settings (part of [`TenantSettings`](crate::tenant::TenantSettings)).

use super::first_contact::FirstContactSettings;
use crate::error::CrmResult;
use serde::{Deserialize, Serialize};

/// Settings of the leads module.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct LeadSettings {
    /// "First contact within N business hours" of a lead getting its owner (none: no
    /// first-contact clock).
    pub first_contact: Option<FirstContactSettings>,
}

impl LeadSettings {
    /// Checks every setting; errors name `settings.leads.…`.
    pub fn validate(&self) -> CrmResult<()> {
        if let Some(first_contact) = &self.first_contact {
            first_contact.validate("settings.leads.first_contact")?;
        }
        Ok(())
    }
}
