//! Tenant settings: the per-tenant configuration every rule reads.

use crate::customer::custom_fields::CustomFieldDef;
use crate::error::{CrmError, CrmResult};
use crate::ids::TenantId;
use crate::money::{Currency, RoundingMode};
use crate::store::{Entity, Record, SqlValue};
use serde::{Deserialize, Serialize};

/// Settings of one tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
    /// Held limits for pools.
    pub held_limits: crate::pool::HeldLimits,
    /// Reasons a user may give when putting a customer back into a pool.
    pub recycle_reasons: Vec<String>,
    /// Tier rules.
    pub tiers: crate::tier::TierSettings,
    /// Ticket groups and routing.
    pub tickets: crate::ticket::TicketSettings,
    /// Opportunity pipelines by name (`default` is used when none is named).
    pub pipelines: std::collections::BTreeMap<String, crate::sales::Pipeline>,
    /// Contract approval and receivables.
    pub contracts: crate::contract::ContractSettings,
    /// Leads: the first-contact clock.
    pub leads: crate::lead::LeadSettings,
    /// Field visits: geofence, photos, clock skew, travel speed, repeat window.
    pub visits: crate::visit::VisitSettings,
    /// Region (ISO 3166-1 alpha-2, e.g. `CN`, `DE`, `US`) in which phone numbers written
    /// without an international prefix are read; default `CN` (see
    /// [`crate::customer::phone`]).
    #[serde(default = "default_phone_region")]
    pub phone_region: String,
    /// Sales targets: the fiscal calendar and department coverage.
    #[serde(default)]
    pub targets: crate::target::TargetSettings,
    /// Attribution of won deals to campaigns, and the figures campaign economics use.
    #[serde(default)]
    pub attribution: crate::attribution::AttributionSettings,
}

fn default_phone_region() -> String {
    crate::customer::phone::DEFAULT_REGION.to_owned()
}

impl Default for TenantSettings {
    fn default() -> Self {
        Self {
            time_zone: "Asia/Shanghai".into(),
            default_currency: "CNY".into(),
            rounding: RoundingMode::HalfUp,
            followup_escalation_hours: 48,
            customer_fields: Vec::new(),
            held_limits: crate::pool::HeldLimits::default(),
            recycle_reasons: vec![
                "客户无意向 (no interest)".into(),
                "联系不上 (unreachable)".into(),
                "其他 (other)".into(),
            ],
            tiers: crate::tier::TierSettings::default(),
            tickets: crate::ticket::TicketSettings::default(),
            pipelines: [("default".to_owned(), crate::opportunity::default_pipeline())].into(),
            contracts: crate::contract::ContractSettings::default(),
            leads: crate::lead::LeadSettings::default(),
            visits: crate::visit::VisitSettings::default(),
            phone_region: default_phone_region(),
            targets: crate::target::TargetSettings::default(),
            attribution: crate::attribution::AttributionSettings::default(),
        }
    }
}

impl TenantSettings {
    /// Checks every setting, naming the first bad field.
    pub fn validate(&self) -> CrmResult<()> {
        crate::validate::texts(self, "settings")?;
        self.tz()?;
        crate::customer::phone::region(&self.phone_region, "settings.phone_region")?;
        Currency::parse(&self.default_currency, "settings.default_currency")?;
        if self.followup_escalation_hours > 24 * 365 {
            return Err(CrmError::validation(
                "settings.followup_escalation_hours",
                "at most one year",
            ));
        }
        self.tiers.validate()?;
        for pipeline in self.pipelines.values() {
            pipeline.validate()?;
        }
        if let Some(policy) = &self.contracts.approval {
            policy.validate()?;
        }
        self.contracts.aging.validate()?;
        self.leads.validate()?;
        self.visits.validate()?;
        self.targets.validate()?;
        self.attribution.validate()?;
        for (i, r) in self.recycle_reasons.iter().enumerate() {
            crate::validate::required_text(r, &format!("settings.recycle_reasons[{i}]"), 100)?;
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
                format!(
                    "unknown IANA time zone {}",
                    crate::validate::quote(&self.time_zone)
                ),
            )
        })
    }
}

impl crate::customer::CustomerSettings for TenantSettings {
    fn customer_fields(&self) -> &[CustomFieldDef] {
        &self.customer_fields
    }
    fn phone_region(&self) -> &str {
        &self.phone_region
    }
}

/// A tenant as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Tenant {
    /// The host's tenant id.
    pub id: TenantId,
    /// Optimistic version.
    pub version: i64,
    /// Display name.
    pub name: String,
    /// Settings.
    pub settings: TenantSettings,
    /// Local date (tenant zone) of the last batch tier recomputation by scheduled work.
    #[serde(default)]
    pub tiers_computed_on: Option<String>,
    /// Local date (tenant zone) of the last rule-tag evaluation by scheduled work.
    #[serde(default)]
    pub tags_evaluated_on: Option<String>,
    /// Local date (tenant zone) of the last evaluation of every active segment by scheduled
    /// work.
    #[serde(default)]
    pub segments_evaluated_on: Option<String>,
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

/// The UTC instant at which local `date` starts in `tz` (the first instant of the day that
/// exists; where midnight is skipped by a DST change, the first valid local time after it).
pub fn local_midnight(tz: chrono_tz::Tz, date: chrono::NaiveDate) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    let mut local = date.and_time(chrono::NaiveTime::MIN);
    for _ in 0..48 {
        if let Some(t) = tz.from_local_datetime(&local).earliest() {
            return t.with_timezone(&chrono::Utc);
        }
        local += chrono::Duration::minutes(30);
    }
    chrono::Utc.from_utc_datetime(&date.and_time(chrono::NaiveTime::MIN))
}

/// Start of the local day containing `now` and start of the next one, as UTC instants.
pub fn local_day_bounds(
    tz: chrono_tz::Tz,
    now: chrono::DateTime<chrono::Utc>,
) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    let today = now.with_timezone(&tz).date_naive();
    let tomorrow = today.succ_opt().unwrap_or(today);
    (local_midnight(tz, today), local_midnight(tz, tomorrow))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn day_bounds_follow_the_tenant_zone() {
        let tz: chrono_tz::Tz = "Asia/Shanghai".parse().unwrap();
        // 2026-03-01 15:59:59 UTC is 23:59:59 in Shanghai; one second later is the next day.
        let before = Utc.with_ymd_and_hms(2026, 3, 1, 15, 59, 59).unwrap();
        let after = Utc.with_ymd_and_hms(2026, 3, 1, 16, 0, 0).unwrap();
        assert_eq!(local_day_bounds(tz, before).1, after);
        assert_eq!(local_day_bounds(tz, after).0, after);
    }

    #[test]
    fn midnight_skipped_by_dst_moves_to_the_first_valid_time() {
        // Santiago skips 00:00–01:00 local on 2024-09-08.
        let tz: chrono_tz::Tz = "America/Santiago".parse().unwrap();
        let start = local_midnight(tz, chrono::NaiveDate::from_ymd_opt(2024, 9, 8).unwrap());
        assert_eq!(
            start.with_timezone(&tz).format("%H:%M").to_string(),
            "01:00"
        );
    }

    #[test]
    fn bad_settings_name_the_field() {
        let s = TenantSettings {
            time_zone: "Mars/Base".into(),
            ..TenantSettings::default()
        };
        assert!(
            matches!(s.validate(), Err(CrmError::Validation { field, .. }) if field == "settings.time_zone")
        );
        let s = TenantSettings {
            default_currency: "ABC".into(),
            ..TenantSettings::default()
        };
        assert!(
            matches!(s.validate(), Err(CrmError::Validation { field, .. }) if field == "settings.default_currency")
        );
    }
}
