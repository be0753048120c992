//! The lead report on every store: counts by status, source and owner, conversion rate and
//! median business times on the tenant's calendar, in the reader's scope, the period's
//! local-day bounds on both sides, the source grouping withheld from a reader who may not
//! read the source.

use crate::access::{Action, DataScope, FieldAccess, FieldRule, Grant, MaskMode, Module};
use crate::error::CrmError;
use crate::followup::{FollowUpKind, NewLeadFollowUp};
use crate::ids::{LeadId, UserId};
use crate::lead::{FirstContactSettings, LeadInput, LeadSettings, LeadStatus};
use crate::service::{ConvertLead, LeadReportRequest, RoleInput, UserInput};
use crate::sla::{Calendar, WarningLead};
use crate::store::Store;
use crate::tenant::TenantSettings;
use crate::testkit::fixture::*;
use crate::Actor;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;
use std::sync::Arc;

const ANALYST: UserId = UserId(40);
const MASKED_ANALYST: UserId = UserId(41);
const TEAM_LEAD: UserId = UserId(42);

/// 2026-03-`day` at `h:m` UTC (the 2nd is a Monday; Shanghai is UTC+8).
fn march(day: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, h, m, 0)
        .single()
        .unwrap_or_default()
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap_or_default()
}

/// Readers with lead and report read: an analyst over every lead, one who may not read
/// the source, and a team lead over their subordinates (REP2 reports to them here).
async fn analysts<S: Store>(f: &Fixture<S>) {
    let sys = Actor::system(T1);
    for (id, name, scope, fields) in [
        (ANALYST, "lead analyst", DataScope::All, vec![]),
        (
            MASKED_ANALYST,
            "lead analyst, no source",
            DataScope::All,
            vec![FieldRule {
                module: Module::Leads,
                field: "source".into(),
                access: FieldAccess::Hidden,
                mask: MaskMode::None,
            }],
        ),
        (
            TEAM_LEAD,
            "team lead",
            DataScope::SelfAndSubordinates,
            vec![],
        ),
    ] {
        let role = f
            .crm
            .create_role(
                sys,
                RoleInput {
                    name: name.into(),
                    grants: [Module::Leads, Module::Reports]
                        .into_iter()
                        .map(|module| Grant {
                            module,
                            action: Action::Read,
                            scope,
                        })
                        .collect(),
                    fields,
                },
            )
            .await
            .expect("role");
        f.crm
            .upsert_user(
                sys,
                UserInput {
                    id,
                    name: name.into(),
                    department_id: Some(SALES),
                    supervisor_id: None,
                    role_ids: vec![role.id],
                    tenant_admin: false,
                    active: true,
                    time_zone: None,
                    joined_on: None,
                },
            )
            .await
            .expect("user");
    }
    f.crm
        .upsert_user(
            sys,
            UserInput {
                id: REP2,
                name: "Rep Wang".into(),
                department_id: Some(SALES_EAST),
                supervisor_id: Some(TEAM_LEAD),
                role_ids: f.roles.get("sales").copied().into_iter().collect(),
                tenant_admin: false,
                active: true,
                time_zone: None,
                joined_on: None,
            },
        )
        .await
        .expect("rep2 reports to the team lead");
}

async fn lead<S: Store>(f: &Fixture<S>, owner: UserId, name: &str, source: &str) -> LeadId {
    let shown = f
        .crm
        .create_lead(
            user(owner),
            LeadInput {
                name: name.into(),
                source: Some(source.into()),
                ..LeadInput::default()
            },
            None,
        )
        .await
        .expect("lead");
    LeadId(shown.record["id"].as_i64().unwrap_or_default())
}

async fn call<S: Store>(f: &Fixture<S>, owner: UserId, lead: LeadId, at: DateTime<Utc>) {
    f.clock.set(at);
    f.crm
        .add_lead_followup(
            user(owner),
            NewLeadFollowUp {
                lead_id: lead,
                kind: FollowUpKind::Call,
                content: "call".into(),
                at: None,
                location: None,
                next_followup_at: None,
            },
        )
        .await
        .expect("follow-up");
}

/// Figures per source and owner with business medians; scope, period bounds and the
/// withheld source grouping.
pub async fn lead_report_counts_rates_and_business_medians<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store).await;
    let sys = Actor::system(T1);
    analysts(&f).await;
    // Business hours: weekdays 09:00–18:00 in Shanghai (01:00–10:00 UTC).
    let calendar = Calendar::new("Asia/Shanghai").with_weekdays(&[("09:00", "18:00")]);
    let cal = f
        .crm
        .save_calendar(sys, None, "office", calendar)
        .await
        .expect("calendar")
        .id;
    let tenant = f.crm.get_tenant(sys).await.expect("tenant");
    f.crm
        .setup_tenant(
            sys,
            &tenant.name,
            TenantSettings {
                leads: LeadSettings {
                    first_contact: Some(FirstContactSettings {
                        calendar_id: cal,
                        business_hours: 8,
                        warning: WarningLead::Minutes { minutes: 30 },
                    }),
                    ..LeadSettings::default()
                },
                ..tenant.settings.clone()
            },
        )
        .await
        .expect("settings");

    // Monday 2026-03-02, 10:00 Shanghai (02:00 UTC).
    f.clock.set(march(2, 2, 0));
    let a = lead(&f, REP, "a", "web").await;
    let b = lead(&f, REP, "b", "web").await;
    let c = lead(&f, REP, "c", "展会").await;
    let d = lead(&f, REP2, "d", "web").await;
    // An intake duplicate of d: shown in the status table, counted once (through d).
    let dup = f
        .crm
        .create_lead(
            user(REP2),
            LeadInput {
                name: "d again".into(),
                source: Some("web".into()),
                company: Some("重复公司".into()),
                ..LeadInput::default()
            },
            None,
        )
        .await
        .expect("dup");
    assert_eq!(dup.record["status"], "new");
    let dup_id = LeadId(dup.record["id"].as_i64().unwrap_or_default());
    f.crm
        .merge_leads(user(REP2), vec![d, dup_id])
        .await
        .expect("merge");
    // a: contacted one business hour after its clock started; b: three hours; d: on
    // Tuesday 10:00, after Monday's 18:00 close → 8 + 1 = 9 business hours.
    call(&f, REP, a, march(2, 3, 0)).await;
    call(&f, REP, b, march(2, 5, 0)).await;
    call(&f, REP2, d, march(3, 2, 0)).await;
    // a is converted Tuesday 10:00 Shanghai: 9 business hours after its creation.
    f.clock.set(march(3, 2, 0));
    f.crm
        .convert_lead(
            sys,
            ConvertLead {
                id: a,
                customer_id: None,
                contact: false,
                opportunity: None,
                convert_unqualified: false,
            },
        )
        .await
        .expect("convert");
    f.crm
        .set_lead_status(user(REP), c, LeadStatus::Working, None)
        .await
        .expect("working");
    // Created on Tuesday: outside a report of Monday alone.
    let _tuesday = lead(&f, REP, "e", "web").await;

    let monday = LeadReportRequest {
        from: day(2),
        to: day(2),
        calendar_id: None,
    };
    let report = f
        .crm
        .lead_report(user(ANALYST), monday)
        .await
        .expect("report");
    assert_eq!(report.calendar_id, Some(cal));
    assert_eq!(
        report.total.leads, 4,
        "a, b, c and d; the merged duplicate counts once"
    );
    assert_eq!(report.total.converted, 1);
    assert_eq!(report.total.contacted, 3);
    assert_eq!(report.total.conversion_rate, Some(Decimal::new(2500, 4)));
    // Business seconds to first contact: 3600, 10800, 32400 → the median 10800.
    assert_eq!(report.total.median_first_contact_secs, Some(10_800));
    assert_eq!(report.total.median_conversion_secs, Some(9 * 3600));
    let status = |s: LeadStatus| {
        report
            .by_status
            .iter()
            .find(|r| r.status == s)
            .map_or(0, |r| r.leads)
    };
    assert_eq!(
        (
            status(LeadStatus::New),
            status(LeadStatus::Working),
            status(LeadStatus::Converted),
            status(LeadStatus::Merged)
        ),
        (2, 1, 1, 1)
    );
    let sources = report.by_source.clone().expect("source readable");
    let web = sources
        .iter()
        .find(|r| r.source.as_deref() == Some("web"))
        .expect("web");
    assert_eq!((web.figures.leads, web.figures.converted), (3, 1));
    assert_eq!(web.figures.conversion_rate, Some(Decimal::new(3333, 4)));
    let fair = sources
        .iter()
        .find(|r| r.source.as_deref() == Some("展会"))
        .expect("展会");
    assert_eq!((fair.figures.leads, fair.figures.contacted), (1, 0));
    assert_eq!(fair.figures.median_first_contact_secs, None);
    let rep = report
        .by_owner
        .iter()
        .find(|r| r.owner_id == Some(REP))
        .expect("rep");
    assert_eq!(rep.figures.leads, 3);
    assert_eq!(rep.figures.median_first_contact_secs, Some(3600));

    // Both local days: e joins. The day before: nothing.
    let two_days = f
        .crm
        .lead_report(
            user(ANALYST),
            LeadReportRequest {
                to: day(3),
                ..monday
            },
        )
        .await
        .expect("two days");
    assert_eq!(two_days.total.leads, 5);
    let sunday = f
        .crm
        .lead_report(
            user(ANALYST),
            LeadReportRequest {
                from: day(1),
                to: day(1),
                calendar_id: None,
            },
        )
        .await
        .expect("sunday");
    assert_eq!(sunday.total.leads, 0);
    assert_eq!(sunday.total.conversion_rate, None);

    // A reader who may not read the source gets no source grouping, the rest unchanged.
    let masked = f
        .crm
        .lead_report(user(MASKED_ANALYST), monday)
        .await
        .expect("masked");
    assert_eq!(masked.by_source, None);
    assert_eq!(masked.withheld, vec!["source".to_owned()]);
    assert_eq!(masked.total, report.total);
    // Scope: the team lead reads REP2's leads only (d, and the duplicate merged into it).
    let team = f
        .crm
        .lead_report(user(TEAM_LEAD), monday)
        .await
        .expect("team");
    assert_eq!(team.total.leads, 1);
    assert_eq!(team.by_owner.len(), 1);
    assert_eq!(team.by_owner[0].owner_id, Some(REP2));
    assert_eq!(team.by_status.iter().map(|r| r.leads).sum::<u64>(), 2);
    assert_eq!(team.total.median_first_contact_secs, Some(9 * 3600));
    // The system sees all; a rep without the reports grant is refused.
    let all = f.crm.lead_report(sys, monday).await.expect("system");
    assert_eq!(all.total, report.total);
    let refused = f.crm.lead_report(user(REP), monday).await;
    assert!(
        matches!(refused, Err(CrmError::PermissionDenied { .. })),
        "{refused:?}"
    );
    let backwards = f
        .crm
        .lead_report(
            sys,
            LeadReportRequest {
                from: day(3),
                to: day(2),
                calendar_id: None,
            },
        )
        .await;
    assert!(
        matches!(&backwards, Err(CrmError::Validation { field, .. }) if field == "to"),
        "{backwards:?}"
    );
}
