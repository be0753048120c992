//! Stage templates: entering a stage creates its tasks in the same unit of work, due in
//! business days (across a weekend and a holiday), calendar days or months (clamped to the
//! month's end); re-entry while a copy is open makes no second one (TK5), a done copy
//! allows a new one; bad templates are refused by name and change nothing.

use super::*;
use crate::error::CrmError;
use crate::ids::{BusinessCalendarId, OpportunityId};
use crate::sales::StageMove;
use crate::service::{NewOpportunity, SetTaskTemplates, TaskFilter};
use crate::sla::Calendar;
use crate::task::{StageTemplate, Task, TaskSource, TaskStatus, TemplateItem, TemplateOffset};
use std::sync::Arc;

fn item(key: &str, offset: TemplateOffset) -> TemplateItem {
    TemplateItem {
        key: key.into(),
        title: format!("step {key}"),
        kind: Some("call".into()),
        priority: 2,
        offset,
        reminders: vec![60],
    }
}

fn templates(calendar_id: Option<BusinessCalendarId>) -> SetTaskTemplates {
    SetTaskTemplates {
        calendar_id,
        stages: vec![
            StageTemplate {
                pipeline: "default".into(),
                stage: "qualified".into(),
                items: vec![
                    item("a", TemplateOffset::BusinessDays(1)),
                    item("b", TemplateOffset::Days(3)),
                    item("c", TemplateOffset::Months(1)),
                ],
            },
            StageTemplate {
                pipeline: "default".into(),
                stage: "proposal".into(),
                items: vec![item("x", TemplateOffset::Days(0))],
            },
        ],
    }
}

async fn opportunity<S: Store>(f: &Fixture<S>, customer: CustomerId) -> OpportunityId {
    let shown = f
        .crm
        .create_opportunity(
            Actor::system(T1),
            NewOpportunity {
                customer_id: customer,
                name: "大单".into(),
                amount: rust_decimal::Decimal::from(1000),
                currency: "CNY".into(),
                pipeline: None,
                stage: "qualified".into(),
                probability: None,
                expected_close: day(2026, 6, 30),
                owner_id: Some(REP),
                products: vec![],
            },
        )
        .await
        .expect("opportunity");
    OpportunityId(shown.record["id"].as_i64().unwrap_or_default())
}

async fn move_to<S: Store>(f: &Fixture<S>, o: OpportunityId, stage: &str) {
    f.crm
        .move_opportunity(
            Actor::system(T1),
            o,
            StageMove::To {
                stage: stage.into(),
            },
        )
        .await
        .expect("move");
}

/// The tasks of an opportunity, by template item key, oldest first.
async fn of<S: Store>(f: &Fixture<S>, o: OpportunityId) -> Vec<Task> {
    let mut filter = TaskFilter::default();
    filter.linked.opportunity_id = Some(o);
    let mut tasks: Vec<Task> = f
        .crm
        .list_tasks(Actor::system(T1), filter)
        .await
        .expect("list")
        .items
        .into_iter()
        .map(|t| t.task)
        .collect();
    tasks.sort_by_key(|t| t.id);
    tasks
}

fn item_of(t: &Task) -> &str {
    match &t.source {
        TaskSource::StageTemplate { item, .. } => item,
        _ => "",
    }
}

/// TK5 and the offsets.
pub async fn stage_templates_create_tasks_once_per_open_copy<S: Store>(store: Arc<S>) {
    let f = setup(store).await;
    let sys = Actor::system(T1);
    // Shanghai weekdays 09:00–18:00, Monday 2026-03-09 a holiday.
    let cal = f
        .crm
        .save_calendar(
            sys,
            None,
            "tasks",
            Calendar::new("Asia/Shanghai")
                .with_weekdays(&[("09:00", "18:00")])
                .with_holiday(day(2026, 3, 9)),
        )
        .await
        .expect("calendar")
        .id;
    f.crm
        .set_task_templates(user(ADMIN), templates(Some(cal)))
        .await
        .expect("templates");
    let c = customer(&f, REP, "模板客户").await;
    // Friday 2026-03-06, 10:00 in Shanghai.
    f.clock.set(utc(2026, 3, 6, 2, 0));
    let o = opportunity(&f, c).await;
    let tasks = of(&f, o).await;
    let dues: Vec<(&str, Due)> = tasks.iter().map(|t| (item_of(t), t.due)).collect();
    assert_eq!(
        dues,
        vec![
            ("a", on(day(2026, 3, 10))),
            ("b", on(day(2026, 3, 9))),
            ("c", on(day(2026, 4, 6))),
        ]
    );
    for t in &tasks {
        assert_eq!(t.owner_id, REP);
        assert_eq!(t.links.customer_id, Some(c));
        assert_eq!(t.priority, 2);
        assert_eq!(t.reminders.len(), 1);
    }
    move_to(&f, o, "proposal").await;
    assert_eq!(count(&f).await, 4);
    // TK5: back into "qualified" while its copies are open: no second copy.
    move_to(&f, o, "qualified").await;
    assert_eq!(count(&f).await, 4);
    // A done copy allows a new one; open copies still block theirs.
    let a = tasks[0].id;
    f.crm.complete_task(user(REP), a).await.expect("complete");
    move_to(&f, o, "proposal").await;
    move_to(&f, o, "qualified").await;
    assert_eq!(count(&f).await, 5);
    let now = of(&f, o).await;
    let open_a: Vec<&Task> = now
        .iter()
        .filter(|t| item_of(t) == "a" && t.status == TaskStatus::Open)
        .collect();
    assert_eq!(open_a.len(), 1);
    assert_ne!(open_a[0].id, a);
    // The done copy is not reopened while the new one is open.
    let refused = f.crm.reopen_task(user(REP), a).await;
    assert!(
        matches!(&refused, Err(CrmError::RuleViolation { rule, .. }) if rule == "template_copy_open"),
        "{refused:?}"
    );
    // Months clamp to the month's end: entered Saturday 2026-01-31 (local).
    f.clock.set(utc(2026, 1, 31, 2, 0));
    let o2 = opportunity(&f, c).await;
    let dues: Vec<(String, Due)> = of(&f, o2)
        .await
        .iter()
        .map(|t| (item_of(t).to_owned(), t.due))
        .collect();
    assert_eq!(
        dues,
        vec![
            ("a".to_owned(), on(day(2026, 2, 2))),
            ("b".to_owned(), on(day(2026, 2, 3))),
            ("c".to_owned(), on(day(2026, 2, 28))),
        ]
    );
}

/// Bad templates name the field and change nothing; only admins set them.
pub async fn stage_templates_refuse_bad_input<S: Store>(store: Arc<S>) {
    let f = setup(store).await;
    let before = f.crm.task_templates(user(ADMIN)).await.expect("templates");
    let with = |change: &dyn Fn(&mut SetTaskTemplates)| {
        let mut t = templates(None);
        t.stages[0].items.retain(|i| i.key != "a");
        change(&mut t);
        t
    };
    let cases: Vec<(SetTaskTemplates, &str)> = vec![
        (templates(None), "calendar_id"),
        (
            with(&|t| t.stages[0].stage = "nowhere".into()),
            "stages[0].stage",
        ),
        (
            with(&|t| t.stages[1].pipeline = "other".into()),
            "stages[1].pipeline",
        ),
        (
            with(&|t| t.stages[0].items[0].priority = 4),
            "stages[0].items[0].priority",
        ),
        (
            with(&|t| t.stages[0].items[1].reminders = vec![-5]),
            "stages[0].items[1].reminders[0]",
        ),
        (
            with(&|t| t.stages[0].items[1].key = "b".into()),
            "stages[0].items[1].key",
        ),
        (
            with(&|t| t.stages[0].items[0].offset = TemplateOffset::Months(25)),
            "stages[0].items[0].offset",
        ),
        (
            with(&|t| t.stages[1].stage = "qualified".into()),
            "stages[1].stage",
        ),
        (
            with(&|t| t.stages[0].items[0].key = "Has Space".into()),
            "stages[0].items[0].key",
        ),
    ];
    for (bad, field) in cases {
        let refused = f.crm.set_task_templates(user(ADMIN), bad).await;
        assert!(
            matches!(&refused, Err(CrmError::Validation { field: got, .. }) if got == field),
            "{field}: {refused:?}"
        );
    }
    let denied = f.crm.set_task_templates(user(REP), with(&|_| {})).await;
    assert!(
        matches!(denied, Err(CrmError::PermissionDenied { .. })),
        "{denied:?}"
    );
    assert_eq!(
        f.crm.task_templates(user(ADMIN)).await.expect("templates"),
        before
    );
    // The boundary values are accepted.
    let ok = with(&|t| t.stages[0].items[0].offset = TemplateOffset::Months(24));
    f.crm
        .set_task_templates(user(ADMIN), ok.clone())
        .await
        .expect("accepted");
    assert_eq!(
        f.crm
            .task_templates(user(ADMIN))
            .await
            .expect("templates")
            .stages,
        ok.stages
    );
}
