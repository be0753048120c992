//! The tenant's lead settings (part of [`TenantSettings`](crate::tenant::TenantSettings)).

use super::first_contact::FirstContactSettings;
use crate::customer::custom_fields::CustomFieldDef;
use crate::error::{CrmError, CrmResult};
use serde::{Deserialize, Serialize};

/// Settings of the leads module.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct LeadSettings {
    /// "First contact within N business hours" of a lead getting its owner (none: no
    /// first-contact clock).
    pub first_contact: Option<FirstContactSettings>,
    /// The tenant's custom lead fields (自定义字段), typed and validated like customers'.
    pub custom_fields: Vec<CustomFieldDef>,
}

impl LeadSettings {
    /// Checks every setting; errors name `settings.leads.…`.
    pub fn validate(&self) -> CrmResult<()> {
        if let Some(first_contact) = &self.first_contact {
            first_contact.validate("settings.leads.first_contact")?;
        }
        let mut seen = std::collections::BTreeSet::new();
        for def in &self.custom_fields {
            def.validate()?;
            if !seen.insert(def.key.as_str()) {
                return Err(CrmError::validation(
                    format!("settings.leads.custom_fields.{}", def.key),
                    "defined twice",
                ));
            }
        }
        Ok(())
    }
}
