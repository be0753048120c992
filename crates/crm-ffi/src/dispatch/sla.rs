//! `sla.*`: business calendars, SLA policies and the SLA compliance report.

use super::{Empty, Op, Request};
use crate::error::FfiResult;
use chrono::{DateTime, Utc};
use crm_core::service::SlaGroupBy;
use crm_core::sla::{Calendar, SlaPolicy};
use serde::Deserialize;
use serde_json::{Map, Value};

pub(super) const OPS: &[Op] = &[
    Op {
        name: "sla.save_calendar",
        calls: "save_calendar",
        summary: "Creates (no id) or replaces a business calendar (tenant admins). Returns it with its id and version.",
        request: r#"{"id?": "int", "name": "string", "calendar": {"time_zone": "IANA zone", "monday?": [{"start": "HH:MM", "end": "HH:MM (24:00 allowed)"}], "tuesday?": [], "wednesday?": [], "thursday?": [], "friday?": [], "saturday?": [], "sunday?": [], "holidays?": ["YYYY-MM-DD"], "overrides?": [{"date": "YYYY-MM-DD", "intervals": []}]}}"#,
        handler: save_calendar,
        access: None,
        schemas: None,
    },
    Op {
        name: "sla.save_policy",
        calls: "save_sla_policy",
        summary: "Creates (id 0 or absent) or replaces an SLA policy (tenant admins).",
        request: r#"{"id?": "int, 0 = new", "name": "string", "position": "int, lower first", "is_default": "bool", "when?": {"priorities": [], "tiers": [], "channels": [], "categories": []}, "calendar_id": "int", "targets": {"low|normal|high|urgent": {"first_response_secs": "int", "next_response_secs": "int", "resolution_secs": "int"}}, "paused_statuses?": ["waiting_on_customer", "on_hold"], "closed_counts_as_paused?": "bool", "warnings?": [{"type": "minutes", "minutes": "int"}, {"type": "percent", "percent": "int"}], "escalations?": [{"after_secs": "int", "action": {"type": "notify_supervisor | raise_priority | reassign_group", "group?": "string"}}]}"#,
        handler: save_policy,
        access: None,
        schemas: None,
    },
    Op {
        name: "sla.list_policies",
        calls: "list_sla_policies",
        summary: "The tenant's SLA policies in matching order.",
        request: "{}",
        handler: list_policies,
        access: None,
        schemas: None,
    },
    Op {
        name: "sla.report",
        calls: "sla_report",
        summary: "SLA compliance of tickets created in [from, to): met, breached and pending per metric, grouped.",
        request: r#"{"from": "RFC 3339 UTC", "to": "RFC 3339 UTC", "group_by?": "all | group | agent | priority, default all"}"#,
        handler: report,
        access: None,
        schemas: None,
    },
    Op {
        name: "sla.add_business",
        calls: "add_business",
        summary: "The instant `seconds` of business time after `start` on a calendar, as the SLA clocks compute it, and when the clock starts running.",
        request: r#"{"calendar_id": "int", "start": "RFC 3339 UTC", "seconds": "int 0..=316224000"}"#,
        handler: add_business,
        access: None,
        schemas: None,
    },
    Op {
        name: "sla.business_between",
        calls: "business_between",
        summary: "Business seconds in [from, to) on a calendar (0 when to <= from).",
        request: r#"{"calendar_id": "int", "from": "RFC 3339 UTC", "to": "RFC 3339 UTC"}"#,
        handler: business_between,
        access: None,
        schemas: None,
    },
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SaveCalendar {
    #[serde(default)]
    id: Option<i64>,
    name: String,
    calendar: Calendar,
}

fn save_calendar(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: SaveCalendar = r.parse()?;
    r.run(move |crm| async move {
        crm.save_calendar(actor, req.id, &req.name, req.calendar)
            .await
    })
}

fn save_policy(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    // The tenant comes from the actor and a missing id means a new policy, so hosts may
    // leave both out.
    let mut object: Map<String, Value> = r.parse()?;
    object.insert("tenant".into(), Value::from(actor.tenant().0));
    object.entry("id").or_insert(Value::from(0));
    let policy: SlaPolicy = super::parse_json(&Value::Object(object).to_string(), "request_json")?;
    r.run(move |crm| async move { crm.save_sla_policy(actor, policy).await })
}

fn list_policies(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let _: Empty = r.parse()?;
    r.run(move |crm| async move { crm.list_sla_policies(actor).await })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Report {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    #[serde(default = "all")]
    group_by: SlaGroupBy,
}

fn all() -> SlaGroupBy {
    SlaGroupBy::All
}

fn report(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: Report = r.parse()?;
    r.run(move |crm| async move { crm.sla_report(actor, req.from, req.to, req.group_by).await })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddBusiness {
    calendar_id: i64,
    start: DateTime<Utc>,
    seconds: i64,
}

fn add_business(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: AddBusiness = r.parse()?;
    r.run(move |crm| async move {
        crm.add_business(actor, req.calendar_id, req.start, req.seconds)
            .await
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BusinessBetween {
    calendar_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

fn business_between(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: BusinessBetween = r.parse()?;
    r.run(move |crm| async move {
        crm.business_between(actor, req.calendar_id, req.from, req.to)
            .await
    })
}
