//! Tenant settings: the per-tenant configuration every rule reads.

use crate::customer::custom_fields::CustomFieldDef;
use crate::error::{CrmError, CrmResult};
use crate::ids::TenantId;
use crate::money::{Currency, RoundingMode};
use crate::store::{Entity, Record, SqlValue};
use serde::{Deserialize, Serialize};

/// Settings of one tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TenantSettings {
    /// IANA time zone for "today", daily caps and local dates (`Asia/Shanghai`).
    pub time_zone: String,
    /// Default currency code.
    pub default_currency: String,
    /// Rounding of amounts to minor units.
    pub rounding: RoundingMode,
    /// Hours after assignment without a follow-up by the owner before the supervisor is
    /// alerted (0 = off).
    pub followup_escalation_hours: u32,
    /// Custom field schema for customers.
    pub customer_fields: Vec<CustomFieldDef>,
}

impl Default for TenantSettings {
    fn default() -> Self {
        Self {
            time_zone: "Asia/Shanghai".into(),
            default_currency: "CNY".into(),
            rounding: RoundingMode::HalfUp,
            followup_escalation_hours: 48,
            customer_fields: Vec::new(),
        }
    }
}

impl TenantSettings {
    /// Checks every setting, naming the first bad field.
    pub fn validate(&self) -> CrmResult<()> {
        self.tz()?;
        Currency::parse(&self.default_currency, "settings.default_currency")?;
        if self.followup_escalation_hours > 24 * 365 {
            return Err(CrmError::validation(
                "settings.followup_escalation_hours",
                "at most one year",
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for def in &self.customer_fields {
            def.validate()?;
            if !seen.insert(def.key.as_str()) {
                return Err(CrmError::validation(
                    format!("settings.customer_fields.{}", def.key),
                    "defined twice",
                ));
            }
        }
        Ok(())
    }

    /// The parsed time zone.
    pub fn tz(&self) -> CrmResult<chrono_tz::Tz> {
        self.time_zone.parse::<chrono_tz::Tz>().map_err(|_| {
            CrmError::validation(
                "settings.time_zone",
                format!("unknown IANA time zone {:?}", self.time_zone),
            )
        })
    }
}

/// A tenant as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tenant {
    /// The host's tenant id.
    pub id: TenantId,
    /// Optimistic version.
    pub version: i64,
    /// Display name.
    pub name: String,
    /// Settings.
    pub settings: TenantSettings,
}

impl Record for Tenant {
    const ENTITY: Entity = Entity::Tenant;
    fn tenant(&self) -> TenantId {
        self.id
    }
    fn raw_id(&self) -> i64 {
        self.id.0
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn set_version(&mut self, version: i64) {
        self.version = version;
    }
    fn columns(&self) -> Vec<SqlValue> {
        Vec::new()
    }
}
