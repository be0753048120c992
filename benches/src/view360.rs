//! The 360° view (DESIGN §7) of one customer inside the big customer database of
//! [`crate::list`], with 100 follow-ups, 10 opportunities, 5 contracts carrying 20
//! installments (4 each) and 10 tickets, all created through the engine's API.
//!
//! - engine: `Crm::customer_360` as the region manager (permission context, customer and
//!   team, contacts, the 20 most recent follow-ups, opportunities, contracts with their
//!   installments' paid/outstanding, open tickets with SLA state, owner history, masking);
//! - (a) the same reads hand-written with sqlx: the customer by id, its team members, its
//!   contacts, its follow-ups newest first limited to 20, its opportunities and contracts
//!   newest first limited to 50, its open tickets newest first limited to 50 and its owner
//!   history newest first limited to 20 (the statements the store issues), decoded into the
//!   engine's types;
//! - (b) the same statements prepared once with rusqlite, decoded alike.

use crate::db::Native;
use crate::list::{self, native_rows, select_list, snapshot_native, sqlx_rows, time_ms, BigDb};
use crate::report::Figure;
use crate::setup::{self, Size, TENANT};
use crm_core::access::TeamMember;
use crm_core::contact::Contact;
use crm_core::contract::Contract;
use crm_core::customer::Customer;
use crm_core::followup::{FollowUp, FollowUpKind, NewFollowUp};
use crm_core::ids::CustomerId;
use crm_core::opportunity::Opportunity;
use crm_core::pool::OwnerHistory;
use crm_core::sales::{LineInput, PricingInput, ScheduledPercent};
use crm_core::service::{
    Customer360, NewContract, NewOpportunity, PlanInput, VIEW_CONTRACTS, VIEW_OPEN_TICKETS,
    VIEW_OPPORTUNITIES, VIEW_OWNER_HISTORY,
};
use crm_core::store::Entity;
use crm_core::ticket::{Channel, NewTicket, Priority, Ticket, TicketStatus};
use crm_core::{Actor, CrmError, CrmResult};
use crm_store_sqlite::SqliteStore;
use rust_decimal::Decimal;
use std::path::Path;
use std::time::Instant;

/// Follow-ups on the viewed customer.
pub const FOLLOWUPS: usize = 100;
/// Opportunities on it.
pub const OPPORTUNITIES: usize = 10;
/// Contracts on it.
pub const CONTRACTS: usize = 5;
/// Installments per contract (20 in all).
pub const INSTALLMENTS_PER_CONTRACT: usize = 4;
/// Tickets on it.
pub const TICKETS: usize = 10;
/// Follow-ups the engine's 360° view carries (its `RECENT_FOLLOWUPS`, not exported).
pub const RECENT_FOLLOWUPS: usize = 20;

fn st<E: std::fmt::Display>(e: E) -> CrmError {
    CrmError::Storage(e.to_string())
}

/// Gives `customer` its follow-ups, opportunities, contracts with plans, and tickets through
/// the engine (the follow-ups as the owner, the rest as the system actor naming the owner).
pub async fn populate(store: &SqliteStore, big: &BigDb, customer: CustomerId) -> CrmResult<()> {
    let (crm, clock) = setup::engine(store.clone());
    let world = &big.world;
    let owner = Actor::user(TENANT, world.manager);
    let sys = Actor::system(TENANT);
    let now = setup::now();
    let day = now.date_naive();
    for k in 0..FOLLOWUPS {
        crm.record_followup(
            owner,
            NewFollowUp {
                customer_id: customer,
                kind: [FollowUpKind::Call, FollowUpKind::Visit, FollowUpKind::Email][k % 3],
                content: format!("第{k}次跟进：客户询问报价与交付周期，已发送资料。"),
                at: Some(now - chrono::Duration::hours((FOLLOWUPS - k) as i64)),
                location: None,
                next_followup_at: None,
            },
        )
        .await?;
    }
    for k in 0..OPPORTUNITIES {
        crm.create_opportunity(
            sys,
            NewOpportunity {
                customer_id: customer,
                name: format!("商机 {k}"),
                amount: Decimal::from(10_000 * (k as i64 + 1)),
                currency: "CNY".into(),
                pipeline: None,
                stage: "lead".into(),
                probability: None,
                expected_close: day + chrono::Duration::days(30 + k as i64),
                owner_id: Some(world.manager),
                products: vec![],
            },
        )
        .await?;
    }
    for k in 0..CONTRACTS {
        let c = crm
            .create_contract(
                sys,
                NewContract {
                    number: format!("BENCH-360-{}-{k}", customer.0),
                    customer_id: customer,
                    opportunity_id: None,
                    owner_id: Some(world.manager),
                    signed_on: Some(day),
                    start_on: day,
                    end_on: day + chrono::Duration::days(365),
                    pricing: PricingInput {
                        currency: "CNY".into(),
                        lines: vec![LineInput {
                            product: format!("产品 {k}"),
                            quantity: Decimal::from(10),
                            unit_price: Decimal::from(1_000),
                            discount: Decimal::ZERO,
                            tax_rate: Decimal::from(13),
                        }],
                        order_discount: Decimal::ZERO,
                    },
                },
            )
            .await?
            .decode::<crm_core::contract::Contract>()
            .expect("typed record");
        let installments = (0..INSTALLMENTS_PER_CONTRACT)
            .map(|i| ScheduledPercent {
                due_date: day + chrono::Duration::days(90 * (i as i64 + 1)),
                percent: Decimal::from(100 / INSTALLMENTS_PER_CONTRACT as i64),
            })
            .collect();
        crm.set_plan(sys, c.id, PlanInput::Percents { installments })
            .await?;
    }
    for k in 0..TICKETS {
        clock.set(now - chrono::Duration::hours(k as i64));
        crm.create_ticket(
            sys,
            NewTicket {
                customer_id: customer,
                subject: format!("工单 {k}"),
                description: "客户反馈系统导出报表时报错。".into(),
                channel: Channel::Email,
                category: None,
                priority: Priority::Normal,
                assignee_id: Some(world.manager),
                group: None,
            },
        )
        .await?;
    }
    clock.set(now);
    Ok(())
}

/// The statements the engine's 360° view issues after its permission snapshot.
struct Reads {
    customer: String,
    team: String,
    contacts: String,
    followups: String,
    opportunities: String,
    contracts: String,
    open_tickets: String,
    history: String,
    bodies: [usize; 8],
}

fn by_customer(entity: Entity, tail: &str) -> (String, usize) {
    let (list, body) = select_list(entity);
    (
        format!(
            "SELECT {list} FROM \"{}\" AS t WHERE t.\"tenant_id\" = ? AND t.\"customer_id\" = ?{tail}",
            entity.spec().table
        ),
        body,
    )
}

/// `customer_360`'s caps (`VIEW_*` in the engine).
const NEWEST: &str = " ORDER BY t.\"id\" DESC LIMIT ";

impl Reads {
    fn new() -> Self {
        let (list, cb) = select_list(Entity::Customer);
        let (team, tb) = by_customer(Entity::TeamMember, " ORDER BY t.\"id\" ASC");
        let (contacts, kb) = by_customer(Entity::Contact, " ORDER BY t.\"id\" ASC");
        let (followups, fb) = by_customer(Entity::FollowUp, &format!("{NEWEST}{RECENT_FOLLOWUPS}"));
        let (opportunities, ob) = by_customer(
            Entity::Opportunity,
            &format!("{NEWEST}{VIEW_OPPORTUNITIES}"),
        );
        let (contracts, kc) = by_customer(Entity::Contract, &format!("{NEWEST}{VIEW_CONTRACTS}"));
        let open: Vec<String> = [
            TicketStatus::New,
            TicketStatus::Open,
            TicketStatus::WaitingOnCustomer,
            TicketStatus::OnHold,
        ]
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
        let (open_tickets, ot) = by_customer(
            Entity::Ticket,
            &format!(
                " AND t.\"status\" IN ({}){NEWEST}{VIEW_OPEN_TICKETS}",
                open.join(", ")
            ),
        );
        let (history, hb) = by_customer(
            Entity::OwnerHistory,
            &format!("{NEWEST}{VIEW_OWNER_HISTORY}"),
        );
        Reads {
            customer: format!(
                "SELECT {list} FROM \"customers\" AS t WHERE t.\"tenant_id\" = ? AND t.\"id\" = ?"
            ),
            team,
            contacts,
            followups,
            opportunities,
            contracts,
            open_tickets,
            history,
            bodies: [cb, tb, kb, fb, ob, kc, ot, hb],
        }
    }
}

/// What the hand-written 360° read returns.
struct View {
    customer: Customer,
    team: Vec<TeamMember>,
    contacts: Vec<Contact>,
    followups: Vec<FollowUp>,
    opportunities: Vec<Opportunity>,
    contracts: Vec<Contract>,
    open_tickets: Vec<Ticket>,
    history: Vec<OwnerHistory>,
}

impl View {
    /// Ids per section, to compare with the engine's view.
    fn ids(&self) -> [Vec<i64>; 5] {
        [
            self.followups.iter().map(|f| f.id.0).collect(),
            self.opportunities.iter().map(|o| o.id.0).collect(),
            self.contracts.iter().map(|c| c.id.0).collect(),
            self.open_tickets.iter().map(|t| t.id.0).collect(),
            self.history.iter().map(|h| h.id).collect(),
        ]
    }
}

fn one(mut v: Vec<Customer>, id: CustomerId) -> CrmResult<Customer> {
    v.pop().ok_or_else(|| CrmError::not_found("customer", id))
}

async fn view_sqlx(pool: &sqlx::SqlitePool, r: &Reads, id: CustomerId) -> CrmResult<View> {
    let b = [TENANT.0, id.0];
    Ok(View {
        customer: one(sqlx_rows(pool, &r.customer, &b, r.bodies[0]).await?, id)?,
        team: sqlx_rows(pool, &r.team, &b, r.bodies[1]).await?,
        contacts: sqlx_rows(pool, &r.contacts, &b, r.bodies[2]).await?,
        followups: sqlx_rows(pool, &r.followups, &b, r.bodies[3]).await?,
        opportunities: sqlx_rows(pool, &r.opportunities, &b, r.bodies[4]).await?,
        contracts: sqlx_rows(pool, &r.contracts, &b, r.bodies[5]).await?,
        open_tickets: sqlx_rows(pool, &r.open_tickets, &b, r.bodies[6]).await?,
        history: sqlx_rows(pool, &r.history, &b, r.bodies[7]).await?,
    })
}

fn view_native(db: &Native, r: &Reads, id: CustomerId) -> CrmResult<View> {
    db.raw(|conn| {
        let b = [TENANT.0, id.0];
        Ok(View {
            customer: one(native_rows(conn, &r.customer, &b, r.bodies[0])?, id)?,
            team: native_rows(conn, &r.team, &b, r.bodies[1])?,
            contacts: native_rows(conn, &r.contacts, &b, r.bodies[2])?,
            followups: native_rows(conn, &r.followups, &b, r.bodies[3])?,
            opportunities: native_rows(conn, &r.opportunities, &b, r.bodies[4])?,
            contracts: native_rows(conn, &r.contracts, &b, r.bodies[5])?,
            open_tickets: native_rows(conn, &r.open_tickets, &b, r.bodies[6])?,
            history: native_rows(conn, &r.history, &b, r.bodies[7])?,
        })
    })
}

/// The engine's view as ids per section (as [`View::ids`]); a section the actor may not
/// read is an error: the scenario measures the whole view.
/// The id at `path` in a redacted record (the view's sales and ticket sections are JSON);
/// -1 when absent, so a missing id never matches a baseline's.
fn id_at(record: &serde_json::Value, path: &[&str]) -> i64 {
    path.iter()
        .fold(record, |v, k| &v[*k])
        .as_i64()
        .unwrap_or(-1)
}

fn engine_ids(v: &Customer360) -> CrmResult<[Vec<i64>; 5]> {
    let missing = |s: &str| CrmError::Storage(format!("the manager's 360° view lacks {s}"));
    Ok([
        v.recent_followups
            .as_ref()
            .ok_or_else(|| missing("follow-ups"))?
            .iter()
            .map(|f| f.record.id.0)
            .collect(),
        v.opportunities
            .as_ref()
            .ok_or_else(|| missing("opportunities"))?
            .iter()
            .map(|o| id_at(&o.record, &["id"]))
            .collect(),
        v.contracts
            .as_ref()
            .ok_or_else(|| missing("contracts"))?
            .iter()
            .map(|c| id_at(&c.record, &["contract", "id"]))
            .collect(),
        v.open_tickets
            .as_ref()
            .ok_or_else(|| missing("tickets"))?
            .iter()
            .map(|t| id_at(&t.record, &["ticket", "id"]))
            .collect(),
        v.owner_history.iter().map(|h| h.id).collect(),
    ])
}

/// Gives the manager role read access to opportunities and contracts when a database
/// seeded before [`setup`] granted them lacks it (idempotent; before any timing).
async fn grant_sales_reads(crm: &crm_core::Crm<SqliteStore>) -> CrmResult<()> {
    let sys = Actor::system(TENANT);
    for role in crm.list_roles(sys).await? {
        let reads_contracts = role
            .grants
            .iter()
            .any(|g| g.module == crm_core::access::Module::Contracts);
        if role.name == "manager" && !reads_contracts {
            crm.update_role(sys, role.id, setup::manager_role()).await?;
        }
    }
    Ok(())
}

/// Runs the scenario on the big database (seeded by [`list::prepare`] when missing).
pub async fn scenario(size: Size, dir: &Path) -> CrmResult<Figure> {
    let big = list::prepare(size, dir).await?;
    run(&big).await
}

/// The measurement on a prepared database; the related records are created on the first
/// run and reused afterwards (a marker file next to the database).
pub async fn run(big: &BigDb) -> CrmResult<Figure> {
    let size = big.world.size;
    let id = big.world.customer(0);
    let store = SqliteStore::open(&big.path).await?;
    let marker = format!("{}.view360", big.path);
    let populate_secs =
        if std::fs::read_to_string(&marker).ok().as_deref() == Some(id.0.to_string().as_str()) {
            None
        } else {
            let start = Instant::now();
            populate(&store, big, id).await?;
            std::fs::write(&marker, id.0.to_string()).map_err(st)?;
            Some(start.elapsed().as_secs_f64())
        };
    let (crm, _) = setup::engine(store.clone());
    grant_sales_reads(&crm).await?;
    let native = Native::open(&big.path)?;
    let actor = Actor::user(TENANT, big.world.manager);
    let reads = Reads::new();

    let mut s = list::Samples::default();
    for _ in 0..size.samples {
        let start = Instant::now();
        let v = crm.customer_360(actor, id).await?;
        s.engine.push(start.elapsed().as_secs_f64() * 1e3);

        let start = Instant::now();
        let a = view_sqlx(store.pool(), &reads, id).await?;
        s.sqlx.push(start.elapsed().as_secs_f64() * 1e3);

        let start = Instant::now();
        let b = view_native(&native, &reads, id)?;
        s.native.push(start.elapsed().as_secs_f64() * 1e3);

        let want = engine_ids(&v)?;
        for (name, got) in [("(a)", &a), ("(b)", &b)] {
            if got.ids() != want
                || got.customer.id != v.customer.record.id
                || got.contacts.len() != v.contacts.as_ref().map_or(0, Vec::len)
                || got.team.len() != v.team.len()
            {
                return Err(CrmError::Storage(format!(
                    "{name} read a different 360° view than the engine"
                )));
            }
        }
        let counts = [RECENT_FOLLOWUPS, OPPORTUNITIES, CONTRACTS, TICKETS];
        if want[..4].iter().map(Vec::len).ne(counts) {
            return Err(CrmError::Storage(format!(
                "the view carries {:?} (follow-ups, opportunities, contracts, open tickets), expected {counts:?}",
                want.iter().map(Vec::len).collect::<Vec<_>>()
            )));
        }
    }
    let snapshot_ms = time_ms(size.samples, || snapshot_native(&native))?;
    store.close().await;

    let mut f = s.figure(
        format!(
            "360° view of a customer ({FOLLOWUPS} follow-ups, {OPPORTUNITIES} opportunities, {CONTRACTS} contracts / {} installments, {TICKETS} tickets) among {} customers, SQLite file",
            CONTRACTS * INSTALLMENTS_PER_CONTRACT,
            size.customers
        ),
        Some(5.0),
    );
    f.notes.push(format!(
        "customer_360 returns the customer, owner name, contacts, the {RECENT_FOLLOWUPS} most recent follow-ups, opportunities, contracts with each installment's paid/outstanding, open tickets with SLA state, owner history and the team; the baselines run the same 8 statements and decode the rows (they do not compute paid/outstanding or mask); every sample's sections were checked equal by id; the engine also checks its permission snapshot's version (snapshot {snapshot_ms:.3} ms median to read in full with rusqlite)"
    ));
    f.notes.push(match populate_secs {
        Some(s) => format!(
            "related records created through the engine in this run in {s:.1} s; database {}",
            big.path
        ),
        None => format!(
            "related records reused from an earlier run; database {}",
            big.path
        ),
    });
    if let Some(s) = big.seed_secs {
        f.notes
            .push(format!("customer database seeded in this run in {s:.1} s"));
    }
    Ok(f)
}
