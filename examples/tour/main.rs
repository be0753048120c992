//! A tour of the crm engine on the embedded SQLite default.
//!
//! ```text
//! cargo run --example tour                 # creates or reopens ./crm-tour.db
//! cargo run --example tour -- --reset      # starts from an empty file
//! cargo run --example tour -- --db /tmp/x.db
//! ```
//!
//! It sets up an org with three roles, imports customers from `examples/data/customers.csv`,
//! records follow-ups, shows what a salesperson, their manager and customer service each
//! see, prints a 360° view and the tail of the event log. Running it again on the same file
//! is safe: set-up is idempotent and the import reports the rows it already has.

use chrono::{Duration, TimeZone, Utc, Weekday};
use crm_core::access::{Action, DataScope, FieldAccess, FieldRule, Grant, MaskMode, Module};
use crm_core::agenda::AgendaTime;
use crm_core::customer::NewCustomer;
use crm_core::followup::{FollowUpKind, NewFollowUp};
use crm_core::ids::{DepartmentId, RoleId, TenantId, UserId};
use crm_core::pool::{
    HeldLimits, LevelLimits, Members, PoolFieldMode, PoolFieldRule, PoolInput, PoolRules,
    RecycleKind, RecycleRule,
};
use crm_core::service::{CustomerFilter, DepartmentInput, ImportOptions, RoleInput, UserInput};
use crm_core::service::{MessageInput, SlaGroupBy};
use crm_core::sla::{
    Calendar, Escalation, EscalationAction, MetricKind, PolicyConditions, PriorityTargets,
    SlaPolicy, Targets, WarningLead,
};
use crm_core::tenant::TenantSettings;
use crm_core::ticket::{
    Channel, MessageAuthor, NewTicket, Priority, RouteTarget, RoutingRule, TicketGroup,
    TicketSettings, TicketStatus,
};
use crm_core::tier::{PurchaseInput, PurchaseKind};
use crm_core::{Actor, Crm, CrmResult, FixedClock, SystemClock};
use crm_store_sqlite::SqliteStore;
use std::path::Path;
use std::sync::Arc;

const TENANT: TenantId = TenantId(1);
/// The tour tenant's zone: local times are printed in it.
const TOUR_TZ: chrono_tz::Tz = chrono_tz::Asia::Shanghai;
const MANAGER: UserId = UserId(11);
const ZHANG: UserId = UserId(12);
const LI: UserId = UserId(13);
const SERVICE: UserId = UserId(20);

mod agenda;
mod leads;
mod marketing;
mod org;
mod pools;
mod sales;
mod targets;
mod tickets;

use agenda::*;
use leads::*;
use marketing::*;
use org::*;
use pools::*;
use sales::*;
use targets::*;
use tickets::*;

async fn run(db: &str) -> CrmResult<()> {
    println!("== crm tour on SQLite file {db}");
    let store = SqliteStore::open(db).await?;
    let crm = Crm::new(store, Arc::new(SystemClock));
    set_up_org(&crm).await?;
    println!("org: 陈经理 manages 张伟 and 李娜 (sales); 赵敏 is customer service.");

    let csv_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/customers.csv");
    let csv = std::fs::read_to_string(&csv_path)
        .map_err(|e| crm_core::CrmError::validation("csv", e.to_string()))?;
    let report = crm
        .import_customers_csv(Actor::user(TENANT, MANAGER), &csv, ImportOptions::default())
        .await?;
    println!(
        "\n== import of {} ({} rows)",
        csv_path.display(),
        report.rows
    );
    println!("  imported: {}", report.imported.len());
    for e in &report.errors {
        println!("  line {:>2}: invalid {} — {}", e.line, e.field, e.reason);
    }
    for d in &report.duplicates {
        match (d.existing, d.earlier_line) {
            (Some(id), _) => println!(
                "  line {:>2}: duplicate of customer {id} (owner {}) by {}",
                d.line,
                d.owner.map_or("none".to_owned(), |o| o.to_string()),
                d.matched_on
            ),
            (None, Some(l)) => println!(
                "  line {:>2}: duplicate of line {l} by {}",
                d.line, d.matched_on
            ),
            _ => {}
        }
    }

    // Follow-ups by 张伟 on his customers.
    let zhang = Actor::user(TENANT, ZHANG);
    let own = CustomerFilter {
        owner_id: Some(ZHANG),
        ..Default::default()
    };
    let mine = crm.list_customers(zhang, own).await?;
    let now = Utc::now();
    for (i, c) in mine.items.iter().enumerate() {
        let fu = NewFollowUp {
            customer_id: c.record.id,
            kind: if i % 2 == 0 {
                FollowUpKind::Call
            } else {
                FollowUpKind::Visit
            },
            content: format!("第{}次沟通：确认采购预算与交付时间", i + 1),
            at: None,
            location: None,
            next_followup_at: Some(now + Duration::hours(2 + i as i64)),
        };
        crm.record_followup(zhang, fu).await?;
    }
    println!("\n== 张伟 recorded {} follow-up(s)", mine.items.len());

    println!("\n== who sees what (scopes pushed into the query; fields masked per role)");
    show_list(&crm, "张伟 (sales, self)", zhang).await?;
    show_list(
        &crm,
        "陈经理 (manager, self and subordinates)",
        Actor::user(TENANT, MANAGER),
    )
    .await?;
    show_list(
        &crm,
        "赵敏 (customer service, all; phone masked, e-mail hidden)",
        Actor::user(TENANT, SERVICE),
    )
    .await?;

    if let Some(first) = mine.items.first() {
        let view = crm
            .customer_360(Actor::user(TENANT, MANAGER), first.record.id)
            .await?;
        let c = &view.customer.record;
        println!("\n== 360° view of customer {} as 陈经理", c.id.0);
        println!(
            "  {} ({}), owner {}",
            c.name,
            c.kind,
            view.owner_name.as_deref().unwrap_or("—")
        );
        println!(
            "  phone {}  email {}",
            c.phone.as_deref().unwrap_or("—"),
            c.email.as_deref().unwrap_or("—")
        );
        println!("  address {}", c.address.as_deref().unwrap_or("—"));
        println!(
            "  next follow-up {}",
            c.next_followup_at
                .map(|t| t
                    .with_timezone(&TOUR_TZ)
                    .format("%Y-%m-%d %H:%M")
                    .to_string())
                .unwrap_or_else(|| "—".into())
        );
        for f in view.recent_followups.unwrap_or_default().iter().take(3) {
            println!(
                "  follow-up {} {}: {}",
                f.record.at.with_timezone(&TOUR_TZ).format("%Y-%m-%d %H:%M"),
                f.record.kind,
                f.record.content
            );
        }
    }

    let agenda = crm.agenda(zhang, None).await?;
    println!(
        "\n== 张伟's agenda: {} overdue, {} due today",
        agenda.overdue.len(),
        agenda.due_today.len()
    );

    // Scheduled work two days on: 李娜 never followed up on her imported customers.
    let later = now + Duration::hours(49);
    let due = crm.run_due_work(TENANT, later).await?;
    println!(
        "\n== run_due_work at now + 49 h: {} follow-up escalation(s) to supervisors",
        due.followup_escalations
    );

    lead_tour(&crm).await?;
    assignment_tour(&crm).await?;
    pool_tour(&crm, now).await?;
    ticket_tour(db, now).await?;
    sales_tour(&crm, now).await?;
    agenda_tour(&crm, now).await?;
    targets_tour(&crm, now).await?;
    marketing_tour(&crm, now).await?;

    let events = crm.events_after(Actor::system(TENANT), 0, 1000).await?;
    println!("\n== event log: {} event(s); the last 12:", events.len());
    for e in events.iter().rev().take(12).rev() {
        let detail = ["reason", "days_left", "to"]
            .iter()
            .find_map(|k| {
                e.payload.get(*k).map(|v| match v.as_str() {
                    Some(text) => format!("{k}: {text}"),
                    None => format!("{k}: {v}"),
                })
            })
            .unwrap_or_default();
        println!(
            "  #{:<4} {:<26} {} {:<4} {detail}",
            e.seq, e.kind, e.entity, e.record_id
        );
    }
    Ok(())
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut db = "crm-tour.db".to_owned();
    let mut reset = false;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--reset" => reset = true,
            "--db" if i + 1 < args.len() => {
                db = args[i + 1].clone();
                i += 1;
            }
            other => {
                eprintln!("unknown argument {other:?}; usage: tour [--reset] [--db PATH]");
                std::process::exit(2);
            }
        }
        i += 1;
    }
    if reset {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{db}{suffix}"));
        }
    }
    if let Err(e) = run(&db).await {
        eprintln!("tour failed: {e}");
        std::process::exit(1);
    }
}
