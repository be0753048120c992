//! Leads, assignment rules and the lead report.

use super::*;

/// Leads (线索) through the facet: capture, a duplicate folded in at intake, the status flow
/// and the owner scope. On a second run both intakes fold into the first run's lead.
pub(crate) async fn lead_tour(crm: &Crm<SqliteStore>) -> CrmResult<()> {
    use crm_core::lead::{LeadInput, LeadStatus};
    use crm_core::op::{LeadFilter, NewLead, SetLeadStatus};
    let zhang = Actor::user(TENANT, ZHANG);
    let intake = |name: &str, phone: &str| NewLead {
        lead: LeadInput {
            name: name.into(),
            company: Some("海川贸易有限公司".into()),
            phone: Some(phone.into()),
            ..LeadInput::default()
        },
        owner_id: None,
        by_rules: false,
    };
    let first = crm
        .leads()
        .create(zhang, intake("王先生", "13600001234"))
        .await?;
    let again = crm
        .leads()
        .create(zhang, intake("王总", "+86 136-0000-1234"))
        .await?;
    let id_in = |v: &crm_core::view::VisibleJson, key: &str| v.record[key].as_i64();
    let original = match first.record["status"].as_str() {
        Some("merged") => id_in(&first, "merged_into"),
        _ => id_in(&first, "id"),
    }
    .map(crm_core::ids::LeadId)
    .unwrap_or_default();
    let worked = crm
        .leads()
        .set_status(
            zhang,
            SetLeadStatus {
                id: original,
                status: LeadStatus::Working,
                reason: None,
            },
        )
        .await?;
    let seen_by_li = crm
        .leads()
        .list(
            Actor::user(TENANT, LI),
            LeadFilter {
                owner_id: Some(ZHANG),
                ..LeadFilter::default()
            },
        )
        .await?
        .items
        .len();
    println!(
        "\n== leads: lead {original} is {}; a second intake of its phone was {} into {}; \
         李娜 sees {seen_by_li} of 张伟's leads",
        worked.record["status"].as_str().unwrap_or("?"),
        again.record["status"].as_str().unwrap_or("?"),
        again.record["merged_into"]
    );
    Ok(())
}

/// Lead assignment (线索分配) through the facets: rules saved once, leads captured by the
/// system actor and handed out by round robin from the stored cursor, daily caps sending the
/// overflow to the manager, and the explanation of that decision. A second run the same day
/// finds both reps at their caps.
pub(crate) async fn assignment_tour(crm: &Crm<SqliteStore>) -> CrmResult<()> {
    use crm_core::assignment::{
        AssignedBy, AssignmentRules, Availability, Condition, Entry, EntryMember, LeadField,
        OverflowTarget, Strategy,
    };
    use crm_core::lead::LeadInput;
    use crm_core::op::{ExplainAssignment, NewLead, SetAssignmentMember, SetAssignmentRules};
    let sys = Actor::system(TENANT);
    let round_robin = |name: &str, condition| Entry {
        name: name.into(),
        condition,
        members: [ZHANG, LI]
            .into_iter()
            .map(|user| EntryMember { user, weight: 1 })
            .collect(),
        strategy: Strategy::RoundRobin,
        overflow: OverflowTarget::User(MANAGER),
    };
    let rules = AssignmentRules {
        entries: vec![
            round_robin(
                "华东",
                Condition::Equals {
                    field: LeadField::Region,
                    value: "华东".into(),
                },
            ),
            round_robin("其他地区", Condition::Always),
        ],
    };
    crm.assignment()
        .set_rules(sys, SetAssignmentRules { rules })
        .await?;
    // Each rep takes at most three leads a day (counted in the tenant's local day).
    for user_id in [ZHANG, LI] {
        crm.assignment()
            .set_member(
                sys,
                SetAssignmentMember {
                    user_id,
                    settings: Availability {
                        daily_cap: Some(3),
                        ..Availability::default()
                    },
                },
            )
            .await?;
    }
    let mut owners = Vec::new();
    let mut last = None;
    for i in 0..7 {
        let lead = crm
            .leads()
            .create(
                sys,
                NewLead {
                    lead: LeadInput {
                        name: format!("展会线索 {i}"),
                        region: Some("华东".into()),
                        ..LeadInput::default()
                    },
                    owner_id: None,
                    by_rules: true,
                },
            )
            .await?;
        let owner = lead.record["owner_id"].as_i64().unwrap_or_default();
        owners.push(match UserId(owner) {
            ZHANG => "张伟".to_owned(),
            LI => "李娜".to_owned(),
            MANAGER => "经理".to_owned(),
            other => other.to_string(),
        });
        last = lead.record["id"].as_i64();
    }
    println!(
        "\n== assignment: seven 华东 leads went to {}",
        owners.join(", ")
    );
    let records = crm
        .assignment()
        .explain(
            sys,
            ExplainAssignment {
                lead_id: crm_core::ids::LeadId(last.unwrap_or_default()),
            },
        )
        .await?;
    if let Some(AssignedBy::Rule { decision }) = records.last().map(|r| &r.assigned_by) {
        let skipped: Vec<String> = decision
            .skipped
            .iter()
            .map(|s| format!("user {} ({})", s.user, s.reason))
            .collect();
        println!(
            "   the last one: entry «{}» ({}), passed over: {}",
            decision.entry_name,
            decision.strategy.as_str(),
            if skipped.is_empty() {
                "nobody".to_owned()
            } else {
                skipped.join(", ")
            }
        );
    }
    // The lead report of today (the tenant's local day), in the reader's scope.
    let today = Utc::now().with_timezone(&TOUR_TZ).date_naive();
    let report = crm
        .leads()
        .report(
            sys,
            crm_core::op::LeadReportRequest {
                from: today,
                to: today,
                calendar_id: None,
            },
        )
        .await?;
    let statuses: Vec<String> = report
        .by_status
        .iter()
        .map(|r| format!("{} {}", r.status, r.leads))
        .collect();
    let rate = report.total.conversion_rate.map_or("n/a".to_owned(), |r| {
        format!("{}%", (r * rust_decimal::Decimal::from(100)).round_dp(1))
    });
    println!(
        "   lead report for {today}: {} lead(s) ({}), conversion rate {rate}",
        report.total.leads,
        statuses.join(", ")
    );
    Ok(())
}

pub(crate) fn outcome<T>(r: &CrmResult<T>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(crm_core::CrmError::RuleViolation { rule, detail }) => {
            format!("refused by {rule}: {detail}")
        }
        Err(e) => format!("refused: {e}"),
    }
}
