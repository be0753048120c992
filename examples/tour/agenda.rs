//! Tasks, calendar events and a field visit, then one day's agenda as a table.

use super::*;
use crm_core::calendar::{EventInput, EventLinks, EventTime, Recurrence};
use crm_core::customer::CustomerPatch;
use crm_core::service::{CalendarEventFilter, CheckInVisit};
use crm_core::task::{Due, TaskInput, TaskLinks};
use crm_core::visit::{EvidenceInput, GeoPoint, PlanVisit};

/// The stand-up's title: a second run finds it and plans nothing again.
const STAND_UP: &str = "销售晨会";

/// 张伟's day: a recurring stand-up 李娜 attends, two tasks, a planned visit he checks in
/// to on site, then his agenda for today (his customers' follow-ups and deals included),
/// and what 李娜 sees of his day (only what she attends: her scope is her own records).
pub(crate) async fn agenda_tour(
    crm: &Crm<SqliteStore>,
    now: chrono::DateTime<Utc>,
) -> CrmResult<()> {
    let zhang = Actor::user(TENANT, ZHANG);
    let today = now.with_timezone(&TOUR_TZ).date_naive();
    let at_local = |h: u32, m: u32| {
        let local = today.and_hms_opt(h, m, 0).unwrap_or_default();
        TOUR_TZ
            .from_local_datetime(&local)
            .earliest()
            .map_or(now, |t| t.with_timezone(&Utc))
    };
    println!("\n== 张伟's day {today}: tasks, calendar, a field visit, the agenda");

    let planned = crm
        .list_calendar_events(
            zhang,
            CalendarEventFilter {
                owner_id: Some(ZHANG),
                ..Default::default()
            },
        )
        .await?
        .items
        .iter()
        .any(|e| e.record.get("title").and_then(|t| t.as_str()) == Some(STAND_UP));
    if planned {
        println!("  (planned on an earlier run: the agenda below shows it again)");
    } else {
        let start = today.and_hms_opt(9, 0, 0).unwrap_or_default();
        let stand_up = EventInput {
            title: STAND_UP.into(),
            time: EventTime::Timed {
                start,
                end: start + Duration::minutes(30),
            },
            time_zone: Some(TOUR_TZ.name().into()),
            attendees: vec![LI],
            links: EventLinks::default(),
            location: Some("三楼会议室".into()),
            recurrence: Some(Recurrence {
                rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;COUNT=10".into(),
                month_end: Default::default(),
            }),
        };
        crm.create_calendar_event(zhang, stand_up, None).await?;
        let task = |title: &str, due: Due, reminders: Vec<i64>| TaskInput {
            title: title.into(),
            kind: None,
            priority: 2,
            due,
            collaborators: vec![],
            links: TaskLinks::default(),
            reminders,
            notes: None,
        };
        crm.create_task(
            zhang,
            task("整理本周报价单", Due::AllDay { date: today }, vec![]),
            None,
        )
        .await?;
        crm.create_task(
            zhang,
            task(
                "给采购部回电",
                Due::At {
                    at: at_local(16, 0),
                },
                vec![30],
            ),
            None,
        )
        .await?;

        // A visit at his first customer: its location is set, the visit planned for the
        // afternoon, and he checks in 120 m away with a phone reporting 15 m accuracy.
        if let Some(customer) = crm
            .list_customers(
                zhang,
                CustomerFilter {
                    owner_id: Some(ZHANG),
                    ..Default::default()
                },
            )
            .await?
            .items
            .first()
            .map(|c| c.record.id)
        {
            let site = GeoPoint {
                latitude: 31.2304,
                longitude: 121.4737,
            };
            crm.update_customer(
                zhang,
                customer,
                CustomerPatch {
                    location: Some(site),
                    ..Default::default()
                },
            )
            .await?;
            let visit = crm
                .plan_visit(
                    zhang,
                    PlanVisit {
                        customer_id: customer,
                        owner_id: None,
                        start: at_local(14, 0),
                        end: at_local(15, 0),
                        purpose: Some("季度回访".into()),
                    },
                )
                .await?;
            let checked = crm
                .check_in_visit(
                    zhang,
                    CheckInVisit {
                        visit_id: Some(visit.id),
                        customer_id: None,
                        purpose: None,
                        note: Some("现场确认交付计划".into()),
                        evidence: EvidenceInput {
                            location: GeoPoint {
                                latitude: 31.2315,
                                longitude: 121.4737,
                            },
                            accuracy_m: 15.0,
                            client_at: Some(now),
                            photos: vec!["photos/visit-door.jpg".into()],
                            mock_location: false,
                        },
                    },
                )
                .await?;
            let evidence = checked.visit.check_in.as_ref();
            println!(
                "  check-in at customer {}: {:.1} m from its location, flags [{}]",
                customer.0,
                evidence.and_then(|e| e.distance_m).unwrap_or_default(),
                checked
                    .visit
                    .flags()
                    .iter()
                    .map(|f| f.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }

    let agenda = crm.user_agenda(zhang, None, today, today).await?;
    println!(
        "  {:<7} {:<17} title   ({}, {today})",
        "time", "kind", agenda.time_zone
    );
    for item in &agenda.items {
        let time = match item.time {
            AgendaTime::AllDay { .. } => "all day".to_owned(),
            AgendaTime::Timed { start, .. } => {
                start.with_timezone(&TOUR_TZ).format("%H:%M").to_string()
            }
        };
        println!("  {:<7} {:<17} {}", time, item.kind.as_str(), item.title);
    }
    let seen_by_li = crm
        .user_agenda(Actor::user(TENANT, LI), Some(ZHANG), today, today)
        .await?;
    println!(
        "  李娜 reading 张伟's day sees {} item(s): {}",
        seen_by_li.items.len(),
        seen_by_li
            .items
            .iter()
            .map(|i| format!("{} {}", i.kind, i.title))
            .collect::<Vec<_>>()
            .join("; ")
    );
    Ok(())
}
