//! Stage templates: per pipeline stage, the tasks entering the stage creates, each due a
//! number of business days (on a business calendar), calendar days or calendar months
//! (clamped to the month's end) after the local day the stage was entered. Each item has a
//! key; (opportunity, stage, item) identifies its copies, and only one copy is open at a
//! time.

use super::due::Due;
use super::input::priority;
use super::reminder;
use crate::error::{CrmError, CrmResult};
use crate::ids::{BusinessCalendarId, TenantId};
use crate::sales::Pipeline;
use crate::sla::CompiledCalendar;
use crate::store::{Entity, Record, SqlValue};
use crate::tenant::local_midnight;
use crate::validate::{optional_text, required_text, MAX_NAME};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Largest offset in days or business days.
pub const MAX_OFFSET_DAYS: u32 = 366;

/// Largest offset in months.
pub const MAX_OFFSET_MONTHS: u32 = 24;

/// Most items per stage.
pub const MAX_ITEMS: usize = 20;

/// Longest item key.
const MAX_KEY: usize = 50;

/// Local days searched for business days before giving up (a calendar without any).
const MAX_SCAN_DAYS: u32 = 3700;

/// How far after the stage's entry day a template task is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "unit", content = "value", rename_all = "snake_case")]
pub enum TemplateOffset {
    /// Business days on the templates' calendar (0: the entry day).
    BusinessDays(u32),
    /// Calendar days.
    Days(u32),
    /// Calendar months; a day past the target month's end is its last day.
    Months(u32),
}

/// One task a stage creates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateItem {
    /// Key, unique in its stage (`a`–`z`, `0`–`9`, `_`, `-`).
    pub key: String,
    /// The task's title.
    pub title: String,
    /// The task's kind.
    #[serde(default)]
    pub kind: Option<String>,
    /// The task's priority 0–3.
    #[serde(default)]
    pub priority: i64,
    /// When it is due after the entry day (an all-day due).
    pub offset: TemplateOffset,
    /// The task's reminders, minutes before the due.
    #[serde(default)]
    pub reminders: Vec<i64>,
}

/// The items of one stage of one pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StageTemplate {
    /// Pipeline name.
    pub pipeline: String,
    /// Stage key in it.
    pub stage: String,
    /// What entering it creates.
    pub items: Vec<TemplateItem>,
}

/// The tenant's stage templates (one row per tenant, id 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TaskTemplates {
    /// Tenant.
    pub tenant: TenantId,
    /// Always 1.
    pub id: i64,
    /// Optimistic version.
    pub version: i64,
    /// The business calendar of business-day offsets.
    pub calendar_id: Option<BusinessCalendarId>,
    /// The stages' templates.
    pub stages: Vec<StageTemplate>,
}

impl TaskTemplates {
    /// The items of `stage` in `pipeline`.
    pub fn items(&self, pipeline: &str, stage: &str) -> &[TemplateItem] {
        self.stages
            .iter()
            .find(|s| s.pipeline == pipeline && s.stage == stage)
            .map_or(&[], |s| s.items.as_slice())
    }
}

/// Validates templates against the tenant's pipelines; errors name the field
/// (`stages[1].items[0].offset`).
pub fn validate(
    stages: &[StageTemplate],
    calendar_id: Option<BusinessCalendarId>,
    pipelines: &BTreeMap<String, Pipeline>,
) -> CrmResult<()> {
    let mut seen = Vec::new();
    for (i, s) in stages.iter().enumerate() {
        let at = format!("stages[{i}]");
        let pipeline = pipelines
            .get(&s.pipeline)
            .ok_or_else(|| CrmError::validation(format!("{at}.pipeline"), "no such pipeline"))?;
        if pipeline.stage(&s.stage).is_none() {
            return Err(CrmError::validation(
                format!("{at}.stage"),
                "no such stage in the pipeline",
            ));
        }
        if seen.contains(&(&s.pipeline, &s.stage)) {
            return Err(CrmError::validation(
                format!("{at}.stage"),
                "the stage is listed twice",
            ));
        }
        seen.push((&s.pipeline, &s.stage));
        if s.items.len() > MAX_ITEMS {
            return Err(CrmError::validation(
                format!("{at}.items"),
                format!("at most {MAX_ITEMS}"),
            ));
        }
        for (j, item) in s.items.iter().enumerate() {
            let at = format!("{at}.items[{j}]");
            item_rules(item, &at, calendar_id)?;
            if s.items[..j].iter().any(|o| o.key == item.key) {
                return Err(CrmError::validation(format!("{at}.key"), "repeats a key"));
            }
        }
    }
    Ok(())
}

fn item_rules(
    item: &TemplateItem,
    at: &str,
    calendar: Option<BusinessCalendarId>,
) -> CrmResult<()> {
    let key_ok = !item.key.is_empty()
        && item.key.len() <= MAX_KEY
        && item
            .key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if !key_ok {
        return Err(CrmError::validation(
            format!("{at}.key"),
            format!("1 to {MAX_KEY} of a-z, 0-9, _ and -"),
        ));
    }
    required_text(&item.title, &format!("{at}.title"), MAX_NAME)?;
    optional_text(item.kind.as_deref(), &format!("{at}.kind"), MAX_NAME)?;
    priority(item.priority, &format!("{at}.priority"))?;
    reminder::offsets(&item.reminders, &format!("{at}.reminders"))?;
    let (value, max) = match item.offset {
        TemplateOffset::BusinessDays(n) | TemplateOffset::Days(n) => (n, MAX_OFFSET_DAYS),
        TemplateOffset::Months(n) => (n, MAX_OFFSET_MONTHS),
    };
    if value > max {
        return Err(CrmError::validation(
            format!("{at}.offset"),
            format!("at most {max}"),
        ));
    }
    if matches!(item.offset, TemplateOffset::BusinessDays(_)) && calendar.is_none() {
        return Err(CrmError::validation(
            "calendar_id",
            "business-day offsets need a business calendar",
        ));
    }
    Ok(())
}

/// Whether `date` (local to the calendar's zone) has working time.
pub fn is_business_day(calendar: &CompiledCalendar, date: NaiveDate) -> bool {
    let tz = calendar.time_zone();
    let Some(next) = date.succ_opt() else {
        return false;
    };
    calendar.business_between(local_midnight(tz, date), local_midnight(tz, next)) > 0
}

/// The all-day due of an item for a stage entered on local day `entered`; business days
/// count on `calendar` (required for them).
pub fn due_for(
    offset: TemplateOffset,
    entered: NaiveDate,
    calendar: Option<&CompiledCalendar>,
) -> CrmResult<Due> {
    let out_of_range = || CrmError::rule("template_due", "the due is out of range");
    let date = match offset {
        TemplateOffset::Days(n) => entered
            .checked_add_days(chrono::Days::new(u64::from(n)))
            .ok_or_else(out_of_range)?,
        // chrono clamps to the last day of a shorter month (01-31 + 1 month = 02-29).
        TemplateOffset::Months(n) => entered
            .checked_add_months(Months::new(n))
            .ok_or_else(out_of_range)?,
        TemplateOffset::BusinessDays(n) => {
            let calendar = calendar.ok_or_else(|| {
                CrmError::rule("template_calendar", "business-day offsets need a calendar")
            })?;
            add_business_days(calendar, entered, n)?
        }
    };
    Ok(Due::AllDay { date })
}

/// The `n`-th business day after `from` (`from` itself for 0).
pub fn add_business_days(
    calendar: &CompiledCalendar,
    from: NaiveDate,
    n: u32,
) -> CrmResult<NaiveDate> {
    let mut day = from;
    let mut left = n;
    let mut scanned = 0;
    while left > 0 {
        day = day
            .succ_opt()
            .ok_or_else(|| CrmError::rule("template_due", "the due is out of range"))?;
        scanned += 1;
        if scanned > MAX_SCAN_DAYS {
            return Err(CrmError::rule(
                "template_calendar",
                "the calendar has too few business days",
            ));
        }
        if is_business_day(calendar, day) {
            left -= 1;
        }
    }
    Ok(day)
}

impl Record for TaskTemplates {
    const ENTITY: Entity = Entity::TaskTemplates;
    fn tenant(&self) -> TenantId {
        self.tenant
    }
    fn raw_id(&self) -> i64 {
        self.id
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::Calendar;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn months_clamp_to_the_months_end() {
        let due = |n| due_for(TemplateOffset::Months(n), d(2024, 1, 31), None).expect("due");
        assert_eq!(
            due(1),
            Due::AllDay {
                date: d(2024, 2, 29)
            }
        );
        assert_eq!(
            due(2),
            Due::AllDay {
                date: d(2024, 3, 31)
            }
        );
        assert_eq!(
            due(3),
            Due::AllDay {
                date: d(2024, 4, 30)
            }
        );
        assert_eq!(
            due_for(TemplateOffset::Days(1), d(2024, 1, 31), None).expect("due"),
            Due::AllDay {
                date: d(2024, 2, 1)
            }
        );
    }

    #[test]
    fn business_days_skip_weekends_and_holidays() {
        // 2026-03-06 is a Friday; Monday the 9th is a holiday.
        let cal = Calendar::new("Asia/Shanghai")
            .with_weekdays(&[("09:00", "18:00")])
            .with_holiday(d(2026, 3, 9))
            .compile()
            .expect("calendar");
        let friday = d(2026, 3, 6);
        assert_eq!(add_business_days(&cal, friday, 0).expect("0"), friday);
        assert_eq!(
            add_business_days(&cal, friday, 1).expect("1"),
            d(2026, 3, 10)
        );
        assert_eq!(
            add_business_days(&cal, friday, 2).expect("2"),
            d(2026, 3, 11)
        );
        assert!(due_for(TemplateOffset::BusinessDays(1), friday, None).is_err());
        // Mondays only: the largest offset still lands (366 weeks on).
        let mondays = Calendar::new("Asia/Shanghai")
            .with_days(&[chrono::Weekday::Mon], &[("09:00", "18:00")])
            .compile()
            .expect("mondays");
        assert_eq!(
            add_business_days(&mondays, friday, 1).expect("1"),
            d(2026, 3, 9)
        );
        let last = add_business_days(&mondays, friday, MAX_OFFSET_DAYS).expect("max");
        assert_eq!(
            (last - friday).num_days(),
            3 + 7 * (i64::from(MAX_OFFSET_DAYS) - 1)
        );
    }
}
