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

use chrono::{Duration, Utc, Weekday};
use crm_core::access::{Action, DataScope, FieldAccess, FieldRule, Grant, MaskMode, Module};
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

fn grants(module: Module, actions: &[Action], scope: DataScope) -> Vec<Grant> {
    actions
        .iter()
        .map(|&action| Grant {
            module,
            action,
            scope,
        })
        .collect()
}

fn sales_role(name: &str, scope: DataScope) -> RoleInput {
    use Action::*;
    RoleInput {
        name: name.into(),
        grants: [
            grants(
                Module::Customers,
                &[Create, Read, Update, Import, Transfer],
                scope,
            ),
            grants(Module::Contacts, &[Create, Read, Update], scope),
            grants(Module::FollowUps, &[Create, Read], scope),
            grants(Module::Opportunities, &[Create, Read, Update], scope),
            grants(Module::Contracts, &[Create, Read, Update], scope),
            grants(Module::Receivables, &[Read], scope),
            grants(Module::Leads, &[Create, Read, Update], scope),
        ]
        .concat(),
        fields: vec![],
    }
}

fn service_role() -> RoleInput {
    RoleInput {
        name: "customer service".into(),
        grants: [
            grants(Module::Customers, &[Action::Read], DataScope::All),
            grants(Module::Contacts, &[Action::Read], DataScope::All),
            grants(
                Module::Tickets,
                &[Action::Create, Action::Read, Action::Update],
                DataScope::All,
            ),
        ]
        .concat(),
        fields: vec![
            FieldRule {
                module: Module::Customers,
                field: "phone".into(),
                access: FieldAccess::ReadOnly,
                mask: MaskMode::Everywhere,
            },
            FieldRule {
                module: Module::Customers,
                field: "email".into(),
                access: FieldAccess::Hidden,
                mask: MaskMode::None,
            },
            FieldRule {
                module: Module::Customers,
                field: "address".into(),
                access: FieldAccess::ReadOnly,
                mask: MaskMode::InLists,
            },
        ],
    }
}

/// Creates a role, or brings an existing one of the same name up to date.
async fn ensure_role(crm: &Crm<SqliteStore>, input: RoleInput) -> CrmResult<RoleId> {
    let sys = Actor::system(TENANT);
    match crm
        .list_roles(sys)
        .await?
        .into_iter()
        .find(|r| r.name == input.name)
    {
        Some(role) => Ok(crm.update_role(sys, role.id, input).await?.id),
        None => Ok(crm.create_role(sys, input).await?.id),
    }
}

async fn set_up_org(crm: &Crm<SqliteStore>) -> CrmResult<()> {
    let sys = Actor::system(TENANT);
    crm.setup_tenant(sys, "星辰贸易集团 (demo)", TenantSettings::default())
        .await?;
    let sales = ensure_role(crm, sales_role("sales", DataScope::SelfOnly)).await?;
    let manager = ensure_role(
        crm,
        sales_role("sales manager", DataScope::SelfAndSubordinates),
    )
    .await?;
    let service = ensure_role(crm, service_role()).await?;
    for (id, name, parent) in [(1, "Sales", None), (2, "Customer Service", None)] {
        crm.upsert_department(
            sys,
            DepartmentInput {
                id: DepartmentId(id),
                name: name.into(),
                parent_id: parent,
            },
        )
        .await?;
    }
    let users = [
        (MANAGER, "陈经理 (manager)", 1, None, manager),
        (ZHANG, "张伟 (sales)", 1, Some(MANAGER), sales),
        (LI, "李娜 (sales)", 1, Some(MANAGER), sales),
        (SERVICE, "赵敏 (service)", 2, None, service),
    ];
    for (id, name, dept, supervisor, role) in users {
        let input = UserInput {
            id,
            name: name.into(),
            department_id: Some(DepartmentId(dept)),
            supervisor_id: supervisor,
            role_ids: vec![role],
            tenant_admin: false,
            active: true,
            time_zone: None,
        };
        crm.upsert_user(sys, input).await?;
    }
    Ok(())
}

fn cell(s: Option<&str>, width: usize) -> String {
    let s = s.unwrap_or("-");
    let mut out: String = s.chars().take(width * 2).collect();
    while out
        .chars()
        .map(|c| if c.is_ascii() { 1 } else { 2 })
        .sum::<usize>()
        > width * 2
    {
        out.pop();
    }
    let shown = out
        .chars()
        .map(|c| if c.is_ascii() { 1 } else { 2 })
        .sum::<usize>();
    if shown < width * 2 {
        out.push_str(&" ".repeat(width * 2 - shown));
    }
    out.push(' ');
    out
}

async fn show_list(crm: &Crm<SqliteStore>, who: &str, actor: Actor) -> CrmResult<()> {
    let page = crm
        .list_customers(
            actor,
            CustomerFilter {
                limit: Some(50),
                ..Default::default()
            },
        )
        .await?;
    println!("\n{who} sees {} customer(s):", page.items.len());
    let header = [
        cell(Some("name"), 14),
        cell(Some("phone"), 10),
        cell(Some("email"), 11),
    ]
    .concat();
    println!("    id  {header}hidden / masked");
    for c in &page.items {
        let r = &c.record;
        println!(
            "  {:>4}  {}{}{}{} / {}",
            r.id.0,
            cell(Some(&r.name), 14),
            cell(r.phone.as_deref(), 10),
            cell(r.email.as_deref(), 11),
            if c.hidden_fields.is_empty() {
                "-".into()
            } else {
                c.hidden_fields.join(",")
            },
            if c.masked_fields.is_empty() {
                "-".into()
            } else {
                c.masked_fields.join(",")
            },
        );
    }
    Ok(())
}

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

/// Leads (线索) through the facet: capture, a duplicate folded in at intake, the status flow
/// and the owner scope. On a second run both intakes fold into the first run's lead.
async fn lead_tour(crm: &Crm<SqliteStore>) -> CrmResult<()> {
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
async fn assignment_tour(crm: &Crm<SqliteStore>) -> CrmResult<()> {
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

fn outcome<T>(r: &CrmResult<T>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(crm_core::CrmError::RuleViolation { rule, detail }) => {
            format!("refused by {rule}: {detail}")
        }
        Err(e) => format!("refused: {e}"),
    }
}

/// The customer pool (公海): claims under a held limit, a cooldown refusal, reminders and a
/// recycle sweep at simulated times.
async fn pool_tour(crm: &Crm<SqliteStore>, now: chrono::DateTime<Utc>) -> CrmResult<()> {
    let sys = Actor::system(TENANT);
    let tenant = crm.get_tenant(sys).await?;
    let mut settings = tenant.settings.clone();
    settings.held_limits = HeldLimits {
        default: Some(5),
        ..HeldLimits::default()
    };
    crm.setup_tenant(sys, &tenant.name, settings).await?;
    let input = PoolInput {
        name: "华东公海".into(),
        position: 0,
        is_default: true,
        enabled: true,
        admins: Members {
            users: vec![MANAGER],
            departments: vec![],
        },
        members: Members {
            users: vec![],
            departments: vec![DepartmentId(1)],
        },
        rules: PoolRules {
            daily_claim_cap: Some(10),
            previous_owner_cooldown_days: 7,
            recycle: vec![RecycleRule {
                kind: RecycleKind::NoFollowUp,
                limits: LevelLimits::all(30),
                remind_days_before: 3,
            }],
            ..PoolRules::default()
        },
        field_rules: vec![PoolFieldRule {
            field: "phone".into(),
            mode: PoolFieldMode::Masked,
        }],
    };
    let pool = match crm
        .list_pools(sys)
        .await?
        .into_iter()
        .find(|p| p.name == input.name)
    {
        Some(p) => crm.update_pool(sys, p.id, input).await?,
        None => crm.create_pool(sys, input).await?,
    };
    println!("\n== pool {} (id {}): held limit 5, cooldown 7 days, recycle after 30 days without follow-up", pool.name, pool.id.0);
    for (i, name) in [
        "苏州新材料有限公司",
        "南京智造科技",
        "无锡精密机械",
        "宁波港口贸易",
    ]
    .iter()
    .enumerate()
    {
        let input = NewCustomer {
            name: (*name).into(),
            phone: Some(format!("1590000{:04}", 100 + i)),
            pool_id: Some(pool.id),
            ..Default::default()
        };
        match crm.create_customer(sys, input).await {
            Ok(_) | Err(crm_core::CrmError::Duplicate { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    let li = Actor::user(TENANT, LI);
    let page = crm.pool_customers(li, pool.id, None, Some(10)).await?;
    println!(
        "  李娜 sees {} customer(s) in the pool, phones masked: {}",
        page.items.len(),
        page.items
            .iter()
            .map(|c| c.record.phone.clone().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let held = crm
        .list_customers(
            li,
            CustomerFilter {
                owner_id: Some(LI),
                ..Default::default()
            },
        )
        .await?
        .items
        .len();
    println!("  李娜 holds {held} customer(s) before claiming");
    for c in &page.items {
        let r = crm.claim(li, pool.id, vec![c.record.id]).await;
        println!("  李娜 claims {} → {}", c.record.name, outcome(&r));
    }

    let zhang = Actor::user(TENANT, ZHANG);
    if let Some(mine) = crm
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
    {
        let reason = &tenant.settings.recycle_reasons[0];
        crm.release_customer(zhang, mine.record.id, reason).await?;
        println!(
            "  张伟 puts {} back into the pool ({reason})",
            mine.record.name
        );
        let r = crm.claim(zhang, pool.id, vec![mine.record.id]).await;
        println!("  张伟 tries to claim it back at once → {}", outcome(&r));
    }

    for days in [28, 31] {
        let at = now + Duration::days(days);
        let due = crm.run_due_work(TENANT, at).await?;
        println!(
            "  run_due_work at now + {days} days: {} reminder(s), {} recycled",
            due.recycle_reminders, due.recycled
        );
    }
    Ok(())
}

/// A customer to continue the tour with: the first owned one, else the first at all
/// (earlier runs' simulated sweeps may have recycled them into the pool).
async fn any_customer(crm: &Crm<SqliteStore>) -> CrmResult<Option<crm_core::ids::CustomerId>> {
    let all = crm
        .list_customers(
            Actor::system(TENANT),
            CustomerFilter {
                limit: Some(500),
                ..Default::default()
            },
        )
        .await?;
    Ok(all
        .items
        .iter()
        .find(|c| c.record.owner_id.is_some())
        .or(all.items.first())
        .map(|c| c.record.id))
}

/// Tickets with SLA clocks, on a fixed clock so the simulated minutes are exact.
async fn ticket_tour(db: &str, now: chrono::DateTime<Utc>) -> CrmResult<()> {
    let clock = Arc::new(FixedClock::new(now));
    let crm = Crm::new(SqliteStore::open(db).await?, clock.clone());
    let sys = Actor::system(TENANT);
    let mut settings = crm.get_tenant(sys).await?.settings;
    settings.tickets = TicketSettings {
        groups: vec![
            TicketGroup {
                name: "senior".into(),
                agents: vec![MANAGER],
            },
            TicketGroup {
                name: "first line".into(),
                agents: vec![SERVICE],
            },
        ],
        routing: vec![
            RoutingRule {
                keywords: vec![],
                channels: vec![],
                tiers: vec!["重要价值".into()],
                priorities: vec![Priority::Urgent],
                to: RouteTarget::Group {
                    name: "senior".into(),
                },
            },
            RoutingRule {
                keywords: vec![],
                channels: vec![],
                tiers: vec![],
                priorities: vec![],
                to: RouteTarget::Group {
                    name: "first line".into(),
                },
            },
        ],
    };
    crm.setup_tenant(sys, "星辰贸易集团 (demo)", settings)
        .await?;
    let existing = crm.list_sla_policies(sys).await?;
    let calendar_id = match existing.first() {
        Some(p) => p.calendar_id,
        None => {
            crm.save_calendar(
                sys,
                None,
                "全天候 24/7",
                Calendar::new("Asia/Shanghai").with_days(
                    &[
                        Weekday::Mon,
                        Weekday::Tue,
                        Weekday::Wed,
                        Weekday::Thu,
                        Weekday::Fri,
                        Weekday::Sat,
                        Weekday::Sun,
                    ],
                    &[("00:00", "24:00")],
                ),
            )
            .await?
            .id
        }
    };
    let targets = |fr: i64, res: i64| Targets {
        first_response_secs: fr,
        next_response_secs: fr,
        resolution_secs: res,
    };
    for (name, vip, t) in [
        ("VIP", true, targets(30 * 60, 4 * 3600)),
        ("standard", false, targets(2 * 3600, 24 * 3600)),
    ] {
        let id = existing
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.id)
            .unwrap_or_default();
        let policy = SlaPolicy {
            tenant: TENANT,
            id,
            version: 0,
            name: name.into(),
            position: if vip { 0 } else { 10 },
            is_default: !vip,
            when: PolicyConditions {
                tiers: if vip {
                    vec!["重要价值".into()]
                } else {
                    vec![]
                },
                ..Default::default()
            },
            calendar_id,
            targets: PriorityTargets {
                low: t,
                normal: t,
                high: t,
                urgent: t,
            },
            paused_statuses: vec![TicketStatus::WaitingOnCustomer, TicketStatus::OnHold],
            closed_counts_as_paused: true,
            warnings: vec![WarningLead::Minutes { minutes: 15 }],
            escalations: vec![Escalation {
                after_secs: 30 * 60,
                action: EscalationAction::NotifySupervisor,
            }],
        };
        crm.save_sla_policy(sys, policy).await?;
    }

    // Make one customer a VIP through its orders.
    let Some(vip) = any_customer(&crm).await? else {
        return Ok(());
    };
    for i in 0..5 {
        let order = PurchaseInput {
            customer_id: vip,
            kind: PurchaseKind::Order,
            at: now - Duration::days(i * 7),
            amount: 60_000.into(),
            currency: "CNY".into(),
            reference: Some(format!("SO-{i}")),
        };
        crm.record_purchase(sys, order).await?;
    }
    let tier = crm.get_customer(sys, vip).await?.record.tier;
    println!(
        "\n== tickets: customer {} is now tier {}",
        vip.0,
        tier.as_deref().unwrap_or("-")
    );

    let service = Actor::user(TENANT, SERVICE);
    let input = NewTicket {
        customer_id: vip,
        subject: "生产系统无法登录".into(),
        description: "所有用户登录报错 500".into(),
        channel: Channel::Phone,
        category: None,
        priority: Priority::Urgent,
        assignee_id: None,
        group: None,
    };
    let t = crm
        .create_ticket(service, input)
        .await?
        .decode::<crm_core::service::TicketView>()
        .expect("typed record")
        .ticket;
    let fr = |t: &crm_core::ticket::Ticket| {
        t.sla
            .as_ref()
            .and_then(|s| s.latest(MetricKind::FirstResponse))
            .map(|m| {
                m.due_at
                    .with_timezone(&TOUR_TZ)
                    .format("%H:%M:%S")
                    .to_string()
            })
            .unwrap_or_default()
    };
    println!(
        "  urgent ticket {} routed to group {} → agent {}; first response due {} (Asia/Shanghai)",
        t.id,
        t.group.as_deref().unwrap_or("-"),
        t.assignee_id.map_or("none".to_owned(), |u| u.0.to_string()),
        fr(&t)
    );
    clock.set(now + Duration::minutes(5));
    crm.set_ticket_status(service, t.id, TicketStatus::WaitingOnCustomer)
        .await?;
    clock.set(now + Duration::minutes(25));
    let msg = MessageInput {
        author: MessageAuthor::Customer,
        public: true,
        body: "截图已发".into(),
    };
    let t = crm
        .add_ticket_message(service, t.id, msg)
        .await?
        .decode::<crm_core::service::TicketView>()
        .expect("typed record")
        .ticket;
    println!("  waiting on the customer from +5 to +25 min: first response now due {} UTC (20 paused minutes added)", fr(&t));
    for minutes in [34, 36, 51, 81] {
        let r = crm
            .run_due_work(TENANT, now + Duration::minutes(minutes))
            .await?;
        println!(
            "  run_due_work at +{minutes} min: {} warning(s), {} breach(es), {} escalation(s)",
            r.sla.warnings, r.sla.breaches, r.sla.escalations
        );
    }
    let rows = crm
        .sla_report(
            sys,
            now - Duration::days(1),
            now + Duration::days(1),
            SlaGroupBy::Priority,
        )
        .await?;
    println!("\n  SLA compliance, tickets created today, by priority:");
    println!(
        "  {:<8} {:>7} {:>10} {:>10} {:>9} {:>14}",
        "priority", "tickets", "FR met", "FR late", "breaches", "FR compliance"
    );
    for r in rows {
        let pct = r
            .first_response
            .compliance_pct
            .map(|p| format!("{p}%"))
            .unwrap_or_else(|| "-".into());
        println!(
            "  {:<8} {:>7} {:>10} {:>10} {:>9} {:>14}",
            r.key, r.tickets, r.first_response.met, r.first_response.breached, r.breaches, pct
        );
    }
    Ok(())
}

/// Sales: an opportunity through the pipeline, a contract over the approval threshold
/// through two levels, a plan of three installments, a partial payment, aging and forecast.
async fn sales_tour(crm: &Crm<SqliteStore>, now: chrono::DateTime<Utc>) -> CrmResult<()> {
    use crm_core::sales::{
        ApprovalLevel, ApprovalMode, ApprovalPolicy, Approvers, Branch, Condition, Decision,
        EntryKind, LineInput, PricingInput, Range, ScheduledPercent, StageMove,
    };
    use crm_core::service::{LedgerInput, NewContract, NewOpportunity, PlanInput};
    let sys = Actor::system(TENANT);
    let tenant = crm.get_tenant(sys).await?;
    let mut settings = tenant.settings.clone();
    let level = |name: &str, user: UserId| ApprovalLevel {
        name: name.into(),
        approvers: Approvers::Users { users: vec![user] },
        mode: ApprovalMode::AnyOne,
    };
    settings.contracts.approval = Some(ApprovalPolicy {
        branches: vec![
            Branch {
                name: "< 50,000".into(),
                condition: Some(Condition {
                    total: Some(Range::below(50_000.into())),
                    ..Default::default()
                }),
                levels: vec![level("区域经理 regional manager", MANAGER)],
            },
            Branch {
                name: "≥ 50,000".into(),
                condition: None,
                levels: vec![
                    level("区域经理 regional manager", MANAGER),
                    level("财务总监 finance director", SERVICE),
                ],
            },
        ],
        forbid_self_approval: true,
        amendment_threshold_percent: 20.into(),
    });
    crm.setup_tenant(sys, &tenant.name, settings).await?;
    let Some(customer) = any_customer(crm).await? else {
        return Ok(());
    };
    let today = now.date_naive();
    let opp = crm
        .create_opportunity(
            sys,
            NewOpportunity {
                customer_id: customer,
                name: "ERP 二期".into(),
                amount: 86_000.into(),
                currency: "CNY".into(),
                pipeline: None,
                stage: "lead".into(),
                probability: None,
                expected_close: today + Duration::days(45),
                owner_id: Some(ZHANG),
                products: vec![],
            },
        )
        .await?
        .decode::<crm_core::opportunity::Opportunity>()
        .expect("typed record");
    println!(
        "\n== sales: opportunity {} \"{}\" for customer {}",
        opp.id, opp.name, customer.0
    );
    for stage in ["qualified", "proposal", "negotiation"] {
        let o = crm
            .move_opportunity(
                sys,
                opp.id,
                StageMove::To {
                    stage: stage.into(),
                },
            )
            .await?
            .decode::<crm_core::opportunity::Opportunity>()
            .expect("typed record");
        println!(
            "  → {:<12} probability {}%",
            o.state.stage, o.state.probability
        );
    }
    let number = format!("HT-{}-{}", today.format("%Y%m%d"), opp.id);
    let lines = vec![
        LineInput {
            product: "ERP 许可 (license)".into(),
            quantity: 20.into(),
            unit_price: 4_000.into(),
            discount: 10.into(),
            tax_rate: 13.into(),
        },
        LineInput {
            product: "实施服务 (services)".into(),
            quantity: 5.into(),
            unit_price: 3_000.into(),
            discount: 0.into(),
            tax_rate: 6.into(),
        },
    ];
    let contract = crm
        .create_contract(
            sys,
            NewContract {
                number: number.clone(),
                customer_id: customer,
                opportunity_id: Some(opp.id),
                owner_id: Some(ZHANG),
                signed_on: Some(today),
                start_on: today,
                end_on: today + Duration::days(365),
                pricing: PricingInput {
                    currency: "CNY".into(),
                    lines,
                    order_discount: 0.into(),
                },
            },
        )
        .await?
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    let t = &contract.pricing.totals;
    println!(
        "  contract {number}: subtotal {} tax {} total {} CNY",
        t.subtotal, t.tax_total, t.grand_total
    );
    let submitted = crm
        .submit_contract(Actor::user(TENANT, ZHANG), contract.id)
        .await?
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    println!(
        "  submitted: branch {}, {} level(s)",
        submitted
            .approval
            .as_ref()
            .map(|r| r.branch.clone())
            .unwrap_or_default(),
        submitted
            .approval
            .as_ref()
            .map(|r| r.levels.len())
            .unwrap_or(0)
    );
    let r = crm
        .decide_contract(
            Actor::user(TENANT, ZHANG),
            contract.id,
            Decision::Approve,
            None,
        )
        .await;
    println!("  张伟 tries to approve his own contract → {}", outcome(&r));
    crm.decide_contract(
        Actor::user(TENANT, MANAGER),
        contract.id,
        Decision::Approve,
        Some("同意".into()),
    )
    .await?;
    let active = crm
        .decide_contract(
            Actor::user(TENANT, SERVICE),
            contract.id,
            Decision::Approve,
            Some("财务通过".into()),
        )
        .await?
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    let won: crm_core::opportunity::Opportunity = crm
        .get_opportunity(sys, opp.id)
        .await?
        .decode()
        .map_err(|e| crm_core::CrmError::Storage(e.to_string()))?;
    println!(
        "  approved by 陈经理 then 赵敏: contract {}; opportunity {}",
        active.status.as_str(),
        won.state.status
    );
    let plan = PlanInput::Percents {
        installments: vec![
            ScheduledPercent {
                due_date: today,
                percent: 30.into(),
            },
            ScheduledPercent {
                due_date: today + Duration::days(30),
                percent: 40.into(),
            },
            ScheduledPercent {
                due_date: today + Duration::days(60),
                percent: 30.into(),
            },
        ],
    };
    crm.set_plan(sys, contract.id, plan).await?;
    let first = active.pricing.totals.grand_total * rust_decimal::Decimal::new(2, 1);
    let paid = crm
        .record_ledger(
            sys,
            contract.id,
            LedgerInput {
                kind: EntryKind::Payment,
                amount: first.round_dp(2),
                date: today,
                installment: None,
                method: Some("银行转账".into()),
                reference: Some("BK-001".into()),
            },
        )
        .await?
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    println!("\n  installments after a payment of {}:", first.round_dp(2));
    println!(
        "  {:<12} {:>12} {:>12} {:>12}",
        "due", "amount", "paid", "outstanding"
    );
    for i in &paid.installments {
        println!(
            "  {:<12} {:>12} {:>12} {:>12}",
            i.due_date,
            i.amount,
            i.paid,
            i.outstanding()
        );
    }
    let aging = crm.aging(sys, today + Duration::days(45), None).await?;
    println!(
        "\n  aging as of {} (not yet due | {}):",
        aging.as_of,
        aging.labels.join(" | ")
    );
    for row in &aging.rows {
        let buckets: Vec<String> = row.buckets.iter().map(|b| b.to_string()).collect();
        println!(
            "  customer {:>3} contract {:>3}: {} | {}  = {}",
            row.key.0 .0,
            row.key.1,
            row.not_yet_due,
            buckets.join(" | "),
            row.total
        );
    }
    let report = crm
        .sales_report(
            sys,
            "default",
            today - Duration::days(30),
            today + Duration::days(30),
        )
        .await?;
    println!("\n  weighted pipeline by close month:");
    for r in &report.weighted_by_month {
        println!(
            "  {} {:>14} {}",
            r.group,
            r.weighted.to_string(),
            r.currency.code()
        );
    }
    println!(
        "  win rate this period: {}",
        report
            .win_rate
            .rate_percent
            .map_or("n/a".to_owned(), |p| format!("{p}%"))
    );
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
