//! The tenant's target settings (`settings.targets`): the fiscal calendar's start month and
//! whether a department's target must be covered by its members' before it is approved.

use super::FiscalCalendar;
use crate::error::{CrmError, CrmResult};
use serde::{Deserialize, Serialize};

/// Settings of sales targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct TargetSettings {
    /// The month (1–12) whose first day starts a fiscal year; 1 (default) is the calendar
    /// year. Cannot change once any target revision of the tenant has been approved
    /// (rule `fiscal_calendar_in_use`).
    pub fiscal_start_month: u32,
    /// When set, approving a department or tenant target whose months are not covered by
    /// the sum of its members' and sub-departments' targets is refused (rule `coverage_gap`);
    /// otherwise the shortfall is only a warning.
    pub require_coverage: bool,
}

impl Default for TargetSettings {
    fn default() -> Self {
        Self {
            fiscal_start_month: 1,
            require_coverage: false,
        }
    }
}

impl TargetSettings {
    /// Refuses a start month outside 1–12 (field `targets.fiscal_start_month`).
    pub fn validate(&self) -> CrmResult<()> {
        if (1..=12).contains(&self.fiscal_start_month) {
            Ok(())
        } else {
            Err(CrmError::validation(
                "targets.fiscal_start_month",
                "must be a month, 1 to 12",
            ))
        }
    }

    /// The tenant's fiscal calendar; refused like [`validate`](Self::validate).
    pub fn calendar(&self) -> CrmResult<FiscalCalendar> {
        self.validate()?;
        Ok(FiscalCalendar {
            start_month: self.fiscal_start_month,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_old_json_load() {
        let s: TargetSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(s, TargetSettings::default());
        assert_eq!(s.calendar().unwrap(), FiscalCalendar::default());
        let april: TargetSettings =
            serde_json::from_str(r#"{"fiscal_start_month":4,"require_coverage":true}"#).unwrap();
        assert_eq!(april.calendar().unwrap().start_month, 4);
        assert!(april.require_coverage);
        assert!(serde_json::from_str::<TargetSettings>(r#"{"start":4}"#).is_err());
    }

    #[test]
    fn tenant_settings_carry_and_validate_them() {
        let old: crate::tenant::TenantSettings =
            serde_json::from_str(r#"{"time_zone":"Asia/Shanghai","default_currency":"CNY"}"#)
                .unwrap();
        assert_eq!(old.targets, TargetSettings::default());
        let mut bad = old.clone();
        bad.targets.fiscal_start_month = 13;
        assert!(matches!(
            bad.validate(),
            Err(CrmError::Validation { field, .. }) if field == "targets.fiscal_start_month"
        ));
        let mut april = old;
        april.targets.fiscal_start_month = 4;
        assert!(april.validate().is_ok());
        let json = serde_json::to_value(&april).unwrap();
        assert_eq!(json["targets"]["fiscal_start_month"], 4);
    }

    #[test]
    fn start_months_outside_the_year_are_refused_by_name() {
        for bad in [0, 13, u32::MAX] {
            let s = TargetSettings {
                fiscal_start_month: bad,
                require_coverage: false,
            };
            assert!(matches!(
                s.validate(),
                Err(CrmError::Validation { field, .. }) if field == "targets.fiscal_start_month"
            ));
            assert!(s.calendar().is_err());
        }
        for good in [1, 12] {
            let s = TargetSettings {
                fiscal_start_month: good,
                require_coverage: false,
            };
            assert!(s.validate().is_ok());
        }
    }
}
