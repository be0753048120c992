//! Scheduled work (`Crm::run_due_work`) over the full tenant: 1,000,000 customers, 100,000
//! open tickets and 200,000 receivable installments (20,000 active contracts × 10), on a
//! SQLite file (DESIGN §7: under 10 s, peak memory under 256 MiB).
//!
//! One pristine database is seeded (and kept, keyed by size and seed, for reruns); each
//! contender runs on its own copy of it:
//!
//! - the engine: one `run_due_work` at [`setup::now`], timed, in a child process
//!   (`due-work-run`) so that its peak resident memory is its own and not the seeding's;
//! - (a) the same selections and writes hand-written with sqlx, (b) with rusqlite, both
//!   over [`Db`] and the engine's own pure rules (`due_recycle`, `into_pool`, the SLA
//!   sweep, tier assignment), in the engine's order: recycling, reminders, follow-up
//!   escalations, SLA, contracts, tiers.
//!
//! Afterwards the counts of all three must agree and `check_pool_invariants` must hold on
//! every copy (nobody owned while pooled, held counters equal reality).

use crate::db::{Db, Native, Raw, SqlxSqlite};
use crate::report::{Better, Figure};
use crate::setup::{self, mix, now, Size, World, TENANT};
use chrono::{Duration, NaiveDate};
use crm_core::contract::{Contract, ContractStatus, LedgerEntry};
use crm_core::customer::Customer;
use crm_core::ids::UserId;
use crm_core::pool::recycle::{due_recycle, due_reminders, into_pool};
use crm_core::pool::{HeldCounter, OwnerChange, OwnerHistory, Pool, RecycleKind};
use crm_core::sales::{EntryKind, Installment, LineInput, PricingInput};
use crm_core::service::{DueWorkReport, NewContract, PlanInput};
use crm_core::sla::CompiledCalendar;
use crm_core::store::{AuditEntry, Changes, Entity, EventKind, NewEvent, SqlValue, Store};
use crm_core::tenant::TenantSettings;
use crm_core::ticket::Ticket;
use crm_core::tier::{figures, Purchase, RfmFigures, Scoring, TierSettings};
use crm_core::{Actor, CrmError, CrmResult};
use crm_store_sqlite::SqliteStore;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Installments per seeded contract.
pub const INSTALLMENTS: usize = 10;

/// Rows per seeding unit of work.
const SEED_CHUNK: usize = 5_000;

/// Bumped whenever the generator below changes, so a kept seed is not reused by mistake.
const GENERATOR: u32 = 2;

/// Contracts seeded for a size: one per five open tickets (20,000 at full size, so
/// 200,000 installments).
pub fn contracts(size: Size) -> usize {
    (size.tickets / 5).max(2)
}

/// Today in the tenant's zone (Asia/Shanghai, UTC+8 without daylight saving).
pub fn today() -> NaiveDate {
    (now() + Duration::hours(8)).date_naive()
}

fn file(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("due-work-{name}.db"))
}

fn remove_db(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

fn io(what: &'static str) -> impl Fn(std::io::Error) -> CrmError {
    move |e| CrmError::Storage(format!("{what}: {e}"))
}

/// Copies a closed SQLite database (and a leftover WAL, if any) to `to`.
pub fn copy_db(from: &Path, to: &Path) -> CrmResult<()> {
    remove_db(to);
    std::fs::copy(from, to).map_err(io("copying database"))?;
    let wal = PathBuf::from(format!("{}-wal", from.display()));
    if wal.exists() {
        std::fs::copy(&wal, format!("{}-wal", to.display())).map_err(io("copying WAL"))?;
    }
    Ok(())
}

/// The tier every generated customer has as of yesterday's recomputation (no purchases:
/// the same figures for everyone; the rules may still look at the customer).
fn settled_tier(tiers: &TierSettings, c: &Customer) -> String {
    // No purchases: nothing is added up, so the checked sum cannot fail.
    let fig = figures(c.last_purchase_at, &[], "CNY", now()).unwrap_or(RfmFigures {
        recency_days: None,
        frequency: 0,
        monetary: Decimal::ZERO,
    });
    let scores = match &tiers.scoring {
        Scoring::Thresholds(t) => t.score(&fig),
        // Quintiles, and any scoring that ranks the population: here a population of one.
        _ => crm_core::tier::Quintiles::from_population(std::slice::from_ref(&fig)).score(&fig),
    };
    tiers.assign(c, &fig, &scores)
}

/// [`setup::seed_customers`], except that every customer carries the tier yesterday's
/// batch gave it, but 1 in 97 whose tier is still unset (the day's tier changes).
pub async fn seed_customers_tiered<S: Store>(store: &S, world: &World) -> CrmResult<World> {
    let tiers = TenantSettings::default().tiers;
    setup::seed_customers_with(store, world, |k, c| {
        if k % 97 != 5 {
            c.tier = Some(settled_tier(&tiers, c));
        }
    })
    .await
}

fn money(s: &str) -> Decimal {
    s.parse().unwrap_or_default()
}

/// Seeds [`contracts`] active contracts with [`INSTALLMENTS`] monthly installments each:
/// one template made through the engine (create, submit — no approval policy, so it is
/// approved at once — and a 10-installment plan), then copies under fresh ids on other
/// owned customers, each started up to 300 days ago. Installments already due are paid
/// (one ledger payment), except that 1 in 20 contracts leaves its latest due installment
/// unpaid (overdue now, its due-soon reminder already sent); installments due within the
/// next three days fire their due-soon reminder; 1 in 100 contracts ended yesterday
/// (expired by the sweep).
pub async fn seed_contracts<S: Store>(crm: &crm_core::Crm<S>, world: &World) -> CrmResult<()> {
    let size = world.size;
    let owned = size.customers - size.pooled;
    let sys = Actor::system(TENANT);
    let t = today();
    let tc = 2;
    let template = crm
        .create_contract(
            sys,
            NewContract {
                number: "HT-TEMPLATE".into(),
                customer_id: world.customer(tc),
                opportunity_id: None,
                owner_id: Some(world.owner_of(tc)),
                signed_on: Some(t + Duration::days(5)),
                start_on: t + Duration::days(5),
                end_on: t + Duration::days(400),
                pricing: PricingInput {
                    currency: "CNY".into(),
                    lines: vec![LineInput {
                        product: "软件许可".into(),
                        quantity: Decimal::ONE,
                        unit_price: money("120000.00"),
                        discount: Decimal::ZERO,
                        tax_rate: Decimal::ZERO,
                    }],
                    order_discount: Decimal::ZERO,
                },
            },
        )
        .await?
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    crm.submit_contract(sys, template.id).await?;
    let template = crm
        .set_plan(
            sys,
            template.id,
            PlanInput::Amounts {
                installments: (0..INSTALLMENTS)
                    .map(|k| crm_core::sales::ScheduledAmount {
                        due_date: t + Duration::days(35 + 30 * k as i64),
                        amount: money("12000.00"),
                    })
                    .collect(),
            },
        )
        .await?
        .decode::<crm_core::contract::Contract>()
        .expect("typed record");
    let n = contracts(size).saturating_sub(1);
    if n == 0 {
        return Ok(());
    }
    let first = crm.store().allocate_ids(Entity::Contract, n as u32).await?;
    let mut k = 0;
    while k < n {
        let end = (k + SEED_CHUNK).min(n);
        let mut changes = Changes::new(TENANT);
        for j in k..end {
            let h = mix(size.seed ^ 0x636f_6e74, j as u64);
            let ci = (h as usize >> 16) % owned;
            let start = t - Duration::days((h % 300) as i64);
            let dues: Vec<NaiveDate> = (0..INSTALLMENTS)
                .map(|i| start + Duration::days(30 * (i as i64 + 1)))
                .collect();
            let past = dues.iter().filter(|d| **d < t).count();
            let leave_unpaid = (h >> 8) % 20 == 1 && past > 0;
            let mut installments = template.installments.clone();
            let mut reminders = Vec::new();
            let mut allocations = Vec::new();
            let mut paid = Decimal::ZERO;
            for (i, inst) in installments.iter_mut().enumerate() {
                *inst = Installment {
                    due_date: dues[i],
                    ..inst.clone()
                };
                if i < past {
                    if leave_unpaid && i + 1 == past {
                        reminders.push((i, "due_soon".to_owned()));
                    } else {
                        inst.paid = inst.amount;
                        paid += inst.amount;
                        allocations.push((i, inst.amount));
                    }
                }
            }
            let at = setup::now() - Duration::days(1);
            let ledger = if allocations.is_empty() {
                Vec::new()
            } else {
                vec![LedgerEntry {
                    kind: EntryKind::Payment,
                    amount: paid,
                    date: t - Duration::days(1),
                    method: Some("银行转账".into()),
                    reference: None,
                    allocations,
                    credit: Decimal::ZERO,
                    by: None,
                    at,
                }]
            };
            let id = first + j as i64;
            let end_on = if (h >> 24) % 100 == 3 {
                t - Duration::days(1)
            } else {
                start + Duration::days(30 * INSTALLMENTS as i64 + 30)
            };
            changes.insert(&Contract {
                id: id.into(),
                version: 1,
                number: format!("HT-{id:08}"),
                customer_id: world.customer(ci),
                owner_id: world.owner_of(ci),
                signed_on: Some(start),
                start_on: start,
                end_on,
                installments,
                ledger,
                reminders,
                created_at: at - Duration::days((h % 300) as i64),
                ..template.clone()
            })?;
        }
        crm.store().apply(changes).await?;
        k = end;
    }
    Ok(())
}

/// Seeds the pristine database at `path`: the org, the customers (tiers as of yesterday),
/// the open tickets ([`setup::seed_tickets`]) and the contracts. Returns the world.
pub async fn seed(path: &Path, size: Size) -> CrmResult<World> {
    remove_db(path);
    let store = SqliteStore::open(&path.display().to_string()).await?;
    let (crm, clock) = setup::engine(store.clone());
    let world = setup::setup_org(&crm, size, None).await?;
    let world = seed_customers_tiered(crm.store(), &world).await?;
    setup::seed_tickets(&crm, &clock, &world).await?;
    clock.set(now());
    seed_contracts(&crm, &world).await?;
    store.close().await;
    Ok(world)
}

/// The pristine seed for `size` in `dir`, made unless a kept one matches; returns its path
/// and the seconds spent seeding (0 when reused).
pub async fn pristine(dir: &Path, size: Size) -> CrmResult<(PathBuf, f64)> {
    let path = file(dir, "seed");
    let marker = dir.join("due-work-seed.key");
    let key = format!("{GENERATOR} {size:?}");
    if path.exists() && std::fs::read_to_string(&marker).ok().as_deref() == Some(key.as_str()) {
        return Ok((path, 0.0));
    }
    let _ = std::fs::remove_file(&marker);
    let start = Instant::now();
    seed(&path, size).await?;
    let secs = start.elapsed().as_secs_f64();
    std::fs::write(&marker, key).map_err(io("writing seed marker"))?;
    Ok((path, secs))
}

/// The engine's run on `path`: one `run_due_work` at [`now`]; returns the report and the
/// seconds it took.
pub async fn run_engine(path: &Path) -> CrmResult<(DueWorkReport, f64)> {
    let store = SqliteStore::open(&path.display().to_string()).await?;
    let (crm, _) = setup::engine(store.clone());
    let start = Instant::now();
    let report = crm.run_due_work(TENANT, now()).await?;
    let secs = start.elapsed().as_secs_f64();
    store.close().await;
    Ok((report, secs))
}

/// What the engine's child process printed.
#[derive(Debug, Clone)]
pub struct EngineRun {
    /// The report.
    pub report: DueWorkReport,
    /// Seconds of `run_due_work`.
    pub secs: f64,
    /// Peak resident set of the whole process in KiB (`/usr/bin/time -v` when available,
    /// else the child's own `VmHWM`).
    pub peak_kib: u64,
    /// Where the peak figure came from.
    pub peak_source: &'static str,
}

/// The line `due-work-run` prints for its parent.
pub const RESULT_TAG: &str = "DUE_WORK_RESULT";

/// Body of the `due-work-run` mode: copies the pristine seed to the engine's file, runs,
/// prints one [`RESULT_TAG`] line (seconds, `VmHWM`, the report as JSON).
pub async fn run_child(dir: &Path) -> CrmResult<()> {
    let engine = file(dir, "engine");
    copy_db(&file(dir, "seed"), &engine)?;
    let (report, secs) = run_engine(&engine).await?;
    let json = serde_json::to_string(&report).map_err(|e| CrmError::Storage(e.to_string()))?;
    println!(
        "{RESULT_TAG} {secs} {} {json}",
        crate::report::peak_rss_kib()
    );
    Ok(())
}

/// Runs `exe due-work-run` (under `/usr/bin/time -v` when present) with `CRM_BENCH_DIR`
/// set to `dir` and reads its result.
pub fn spawn_engine(exe: &Path, dir: &Path) -> CrmResult<EngineRun> {
    let timed = Path::new("/usr/bin/time").exists();
    let mut cmd = if timed {
        let mut c = std::process::Command::new("/usr/bin/time");
        c.arg("-v").arg(exe);
        c
    } else {
        std::process::Command::new(exe)
    };
    let out = cmd
        .arg("due-work-run")
        .env("CRM_BENCH_DIR", dir)
        .output()
        .map_err(io("spawning due-work-run"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(CrmError::Storage(format!(
            "due-work-run failed: {stdout}\n{stderr}"
        )));
    }
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix(RESULT_TAG))
        .ok_or_else(|| CrmError::Storage(format!("no result from due-work-run: {stdout}")))?;
    let mut parts = line.trim().splitn(3, ' ');
    let bad = || CrmError::Storage(format!("bad result line: {line}"));
    let secs: f64 = parts.next().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
    let hwm: u64 = parts.next().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
    let report: DueWorkReport = parts
        .next()
        .and_then(|s| serde_json::from_str(s).ok())
        .ok_or_else(bad)?;
    let time_v = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse().ok());
    let (peak_kib, peak_source) = match time_v {
        Some(v) => (v, "/usr/bin/time -v"),
        None => (hwm, "VmHWM"),
    };
    Ok(EngineRun {
        report,
        secs,
        peak_kib,
        peak_source,
    })
}

// ---------------------------------------------------------------------------------------
// The baselines: the same work by hand over `Db`.

fn to_json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

fn audit(
    op: &str,
    entity: Entity,
    id: impl Into<i64>,
    before: &impl serde::Serialize,
    after: &impl serde::Serialize,
) -> AuditEntry {
    AuditEntry {
        id: 0,
        tenant: TENANT,
        at: now(),
        actor: None,
        operation: op.into(),
        entity: entity.name().into(),
        record_id: id.into(),
        changes: AuditEntry::diff(&to_json(before), &to_json(after)),
    }
}

fn event(
    kind: EventKind,
    entity: Entity,
    id: impl Into<i64>,
    payload: serde_json::Value,
) -> NewEvent {
    NewEvent {
        kind,
        at: now(),
        entity: entity.name().into(),
        record_id: id.into(),
        payload,
    }
}

fn decode_all<R: crm_core::store::Record>(rows: &[Raw]) -> CrmResult<Vec<R>> {
    rows.iter().map(Raw::decode).collect()
}

/// The clock column a rule kind counts from; `None` for a kind this baseline does not know
/// (the bench's pools use none such).
fn clock_column(kind: RecycleKind) -> Option<&'static str> {
    match kind {
        RecycleKind::NoFollowUp => Some("t.\"followup_clock_at\""),
        RecycleKind::NoDeal => Some("t.\"owned_since\""),
        RecycleKind::NoOpenOpportunity => Some("t.\"opportunity_clock_at\""),
        _ => None,
    }
}

/// Held-counter writes for customers leaving their owners (recycled).
async fn release_held<D: Db>(db: &D, changes: &mut Changes, gone: &[&Customer]) -> CrmResult<()> {
    let mut delta: BTreeMap<UserId, (i64, i64)> = BTreeMap::new();
    for c in gone {
        if let Some(o) = c.owner_id {
            let e = delta.entry(o).or_default();
            e.0 += 1;
            e.1 += i64::from(c.deal_status == crm_core::customer::DealStatus::Dealt);
        }
    }
    for (u, (h, d)) in delta {
        let mut counter: HeldCounter = db
            .get(Entity::HeldCounter, u.0)
            .await?
            .ok_or_else(|| CrmError::not_found("held counter", u))?
            .decode()?;
        counter.held -= h;
        counter.held_dealt -= d;
        changes.update(&counter)?;
    }
    Ok(())
}

/// Recycling and reminders by hand: the engine's selection per rule and level, keyset
/// batches of 500, one transaction per batch.
async fn recycle_by_hand<D: Db>(db: &D, pool: &Pool, owners: &[UserId]) -> CrmResult<(u64, u64)> {
    let at = now();
    let marks = vec!["?"; owners.len()].join(", ");
    let (mut recycled, mut reminded) = (0, 0);
    for remind in [false, true] {
        for rule in &pool.rules.recycle {
            if remind && rule.remind_days_before == 0 {
                continue;
            }
            for (level, days) in rule.limits.entries() {
                let fire = at - Duration::days(i64::from(days) + 1);
                let Some(clock) = clock_column(rule.kind) else {
                    continue;
                };
                let mut cond = format!("t.\"owner_id\" IN ({marks}) AND t.\"locked\" = ?");
                let mut binds: Vec<SqlValue> = owners.iter().map(|u| SqlValue::Int(u.0)).collect();
                binds.push(SqlValue::Bool(false));
                match level {
                    Some(l) => {
                        cond.push_str(" AND t.\"level\" = ?");
                        binds.push(SqlValue::Text(l.as_str().into()));
                    }
                    None => cond.push_str(" AND t.\"level\" IS NULL"),
                }
                if pool.rules.dealt_exempt || rule.kind == RecycleKind::NoDeal {
                    cond.push_str(" AND t.\"deal_status\" = 'not_dealt'");
                }
                if remind {
                    cond.push_str(&format!(" AND {clock} > ? AND {clock} <= ?"));
                    binds.push(SqlValue::Time(fire));
                    binds.push(SqlValue::Time(
                        fire + Duration::days(i64::from(rule.remind_days_before)),
                    ));
                } else {
                    cond.push_str(&format!(" AND {clock} <= ?"));
                    binds.push(SqlValue::Time(fire));
                }
                cond.push_str(" AND t.\"id\" > ?");
                let mut after = 0i64;
                loop {
                    let mut b = binds.clone();
                    b.push(SqlValue::Int(after));
                    let rows = db
                        .select(Entity::Customer, &cond, "ORDER BY t.\"id\" LIMIT 500", &b)
                        .await?;
                    let Some(last) = rows.last().map(|r| r.id) else {
                        break;
                    };
                    after = last;
                    let batch: Vec<Customer> = decode_all(&rows)?;
                    let mut changes = Changes::new(TENANT);
                    if remind {
                        for c in &batch {
                            let due = due_reminders(pool, c, at);
                            if due.is_empty() {
                                continue;
                            }
                            let mut next = c.clone();
                            for s in &due {
                                next.recycle_reminders
                                    .insert(s.kind.as_str().to_owned(), s.clock);
                                changes.event(event(EventKind::RecycleDueSoon, Entity::Customer, c.id.0, serde_json::json!({ "owner_id": c.owner_id, "rule": s.kind, "days_left": s.days_left, "fires_at": s.fires_at, "pool_id": pool.id })));
                                reminded += 1;
                            }
                            changes.update(&next)?;
                        }
                    } else {
                        let mut gone = Vec::new();
                        let mut pairs = Vec::new();
                        for c in &batch {
                            let Some(status) = due_recycle(pool, c, at) else {
                                continue;
                            };
                            let reason = status.kind.reason(status.limit_days);
                            let next = into_pool(c, pool.id, &reason, at);
                            changes.update(&next)?;
                            changes.audit(audit(
                                "due_work.recycle",
                                Entity::Customer,
                                c.id.0,
                                c,
                                &next,
                            ));
                            changes.event(event(EventKind::CustomerRecycled, Entity::Customer, c.id.0, serde_json::json!({ "pool_id": pool.id, "previous_owner_id": c.owner_id, "reason": reason, "rule": status.kind, "manual": false })));
                            gone.push(c);
                            pairs.push((c.owner_id, next, reason));
                        }
                        if pairs.is_empty() {
                            continue;
                        }
                        release_held(db, &mut changes, &gone).await?;
                        let first = db
                            .allocate(Entity::OwnerHistory, pairs.len() as u32)
                            .await?;
                        for (i, (from, after_c, reason)) in pairs.iter().enumerate() {
                            changes.insert(&OwnerHistory {
                                tenant: TENANT,
                                id: first + i as i64,
                                version: 1,
                                customer_id: after_c.id,
                                change: OwnerChange::Recycled,
                                from_owner: *from,
                                to_owner: None,
                                pool_id: Some(pool.id),
                                by: None,
                                reason: Some(reason.clone()),
                                at,
                            })?;
                        }
                        recycled += pairs.len() as u64;
                    }
                    if !changes.is_empty() {
                        db.apply(&changes).await?;
                    }
                }
            }
        }
    }
    Ok((recycled, reminded))
}

/// Follow-up escalations by hand (keyset batches of 500).
async fn escalate_by_hand<D: Db>(db: &D, world: &World, hours: u32) -> CrmResult<u64> {
    let cutoff = now() - Duration::hours(i64::from(hours));
    let org = Supervisors::new(world);
    let mut after = 0i64;
    let mut n = 0;
    loop {
        let rows = db
            .select(
                Entity::Customer,
                "t.\"escalation_pending\" = ? AND t.\"owned_since\" <= ? AND t.\"id\" > ?",
                "ORDER BY t.\"id\" LIMIT 500",
                &[
                    SqlValue::Bool(true),
                    SqlValue::Time(cutoff),
                    SqlValue::Int(after),
                ],
            )
            .await?;
        let Some(last) = rows.last().map(|r| r.id) else {
            break;
        };
        after = last;
        let mut changes = Changes::new(TENANT);
        for c in decode_all::<Customer>(&rows)? {
            let next = Customer {
                escalated_for: c.owned_since,
                ..c.clone()
            };
            changes.update(&next)?;
            changes.audit(audit(
                "due_work.escalate_followup",
                Entity::Customer,
                c.id.0,
                &c,
                &next,
            ));
            changes.event(event(
                EventKind::FollowUpOverdueEscalated,
                Entity::Customer,
                c.id.0,
                serde_json::json!({ "owner_id": c.owner_id, "supervisor_id": c.owner_id.and_then(|o| org.of(o)), "owned_since": c.owned_since, "hours": hours }),
            ));
            n += 1;
        }
        db.apply(&changes).await?;
    }
    Ok(n)
}

/// Each generated user's supervisor (the department manager; managers report to their
/// region's manager), as `setup_org` made them.
struct Supervisors(BTreeMap<UserId, Option<UserId>>);

impl Supervisors {
    fn new(world: &World) -> Self {
        let regions = world.size.regions();
        let per = setup::USERS_PER_DEPARTMENT;
        let manager = |d: usize| UserId(setup::FIRST_USER + ((d - 1) * per) as i64);
        let parent = |d: usize| (d > regions).then(|| (d - regions - 1) % regions + 1);
        let mut m = BTreeMap::new();
        for (i, u) in world.users.iter().enumerate() {
            let d = i / per + 1;
            let sup = if i % per == 0 {
                parent(d).map(manager)
            } else {
                Some(manager(d))
            };
            m.insert(*u, sup);
        }
        Self(m)
    }

    fn of(&self, u: UserId) -> Option<UserId> {
        self.0.get(&u).copied().flatten()
    }
}

/// SLA sweep by hand: tickets whose next check is due, keyset batches of 200.
async fn sla_by_hand<D: Db>(db: &D, cal: &CompiledCalendar) -> CrmResult<(u64, u64)> {
    let at = now();
    let (mut warnings, mut breaches) = (0, 0);
    let mut after = 0i64;
    loop {
        let rows = db
            .select(
                Entity::Ticket,
                "t.\"sla_next_check_at\" <= ? AND t.\"id\" > ?",
                "ORDER BY t.\"id\" LIMIT 200",
                &[SqlValue::Time(at), SqlValue::Int(after)],
            )
            .await?;
        let Some(last) = rows.last().map(|r| r.id) else {
            break;
        };
        after = last;
        let mut changes = Changes::new(TENANT);
        for before in decode_all::<Ticket>(&rows)? {
            let mut t = before.clone();
            let Some(sla) = t.sla.as_mut() else { continue };
            let fired = sla.sweep(at, cal);
            for f in &fired {
                let (kind, payload) = match f {
                    crm_core::sla::SlaFired::Warning {
                        metric,
                        level,
                        due_at,
                    } => {
                        warnings += 1;
                        (
                            EventKind::SlaWarning,
                            serde_json::json!({ "metric": metric, "level": level, "due_at": due_at, "assignee_id": before.assignee_id }),
                        )
                    }
                    crm_core::sla::SlaFired::Breach { metric, due_at } => {
                        breaches += 1;
                        (
                            EventKind::SlaBreached,
                            serde_json::json!({ "metric": metric, "due_at": due_at, "assignee_id": before.assignee_id }),
                        )
                    }
                    crm_core::sla::SlaFired::Escalation {
                        metric,
                        level,
                        action,
                    } => (
                        EventKind::SlaEscalated,
                        serde_json::json!({ "metric": metric, "level": level, "action": action }),
                    ),
                    // A kind this baseline does not know writes no event.
                    _ => continue,
                };
                changes.event(event(kind, Entity::Ticket, before.id, payload));
            }
            if t != before {
                changes.update(&t)?;
                if !fired.is_empty() {
                    changes.audit(audit(
                        "due_work.sla",
                        Entity::Ticket,
                        before.id,
                        &before,
                        &t,
                    ));
                }
            }
        }
        if !changes.is_empty() {
            db.apply(&changes).await?;
        }
    }
    Ok((warnings, breaches))
}

/// Contract expiry and installment reminders by hand: contracts whose next check is due,
/// keyset batches of 200.
async fn contracts_by_hand<D: Db>(db: &D) -> CrmResult<(u64, u64, u64)> {
    let t = today();
    let key = t.format("%Y-%m-%d").to_string();
    let (mut expired, mut soon, mut overdue) = (0, 0, 0);
    let mut after = 0i64;
    loop {
        let rows = db
            .select(
                Entity::Contract,
                "t.\"next_check_on\" <= ? AND t.\"id\" > ?",
                "ORDER BY t.\"id\" LIMIT 200",
                &[SqlValue::Text(key.clone()), SqlValue::Int(after)],
            )
            .await?;
        let Some(last) = rows.last().map(|r| r.id) else {
            break;
        };
        after = last;
        let mut changes = Changes::new(TENANT);
        for k in decode_all::<Contract>(&rows)? {
            let mut next = k.clone();
            if next.status == ContractStatus::Active && next.end_on < t {
                next.status = ContractStatus::Expired;
                changes.event(event(
                    EventKind::ContractClosed,
                    Entity::Contract,
                    k.id,
                    serde_json::json!({ "status": "expired" }),
                ));
                expired += 1;
            }
            for (i, inst) in k.installments.iter().enumerate() {
                if inst.void || inst.outstanding() <= Decimal::ZERO {
                    continue;
                }
                let soon_from = inst.due_date - Duration::days(i64::from(k.due_soon_days));
                let key_soon = (i, "due_soon".to_owned());
                if t >= soon_from && t <= inst.due_date && !next.reminders.contains(&key_soon) {
                    next.reminders.push(key_soon);
                    changes.event(event(EventKind::InstallmentDueSoon, Entity::Contract, k.id, serde_json::json!({ "installment": i, "due_date": inst.due_date, "outstanding": inst.outstanding(), "owner_id": k.owner_id })));
                    soon += 1;
                }
                let key_over = (i, "overdue".to_owned());
                if inst.is_overdue(t) && !next.reminders.contains(&key_over) {
                    next.reminders.push(key_over);
                    if !next.reminders.contains(&(i, "due_soon".to_owned())) {
                        next.reminders.push((i, "due_soon".to_owned()));
                    }
                    changes.event(event(EventKind::InstallmentOverdue, Entity::Contract, k.id, serde_json::json!({ "installment": i, "due_date": inst.due_date, "outstanding": inst.outstanding(), "owner_id": k.owner_id })));
                    overdue += 1;
                }
            }
            if next != k {
                changes.update(&next)?;
                changes.audit(audit(
                    "due_work.contract",
                    Entity::Contract,
                    k.id,
                    &k,
                    &next,
                ));
            }
        }
        if !changes.is_empty() {
            db.apply(&changes).await?;
        }
    }
    Ok((expired, soon, overdue))
}

/// The daily tier recomputation by hand: every customer in keyset batches of 500, the
/// batch's purchases in the window with one `IN` query, changed tiers written.
async fn tiers_by_hand<D: Db>(db: &D, tiers: &TierSettings) -> CrmResult<u64> {
    let at = now();
    let since = at - Duration::days(i64::from(tiers.window_days));
    let Scoring::Thresholds(thresholds) = &tiers.scoring else {
        return Err(CrmError::Storage(
            "the bench tenant scores by thresholds".into(),
        ));
    };
    let mut after = 0i64;
    let mut changed = 0;
    loop {
        let rows = db
            .select(
                Entity::Customer,
                "t.\"id\" > ?",
                "ORDER BY t.\"id\" LIMIT 500",
                &[SqlValue::Int(after)],
            )
            .await?;
        let Some(last) = rows.last().map(|r| r.id) else {
            break;
        };
        after = last;
        let batch: Vec<Customer> = decode_all(&rows)?;
        let marks = vec!["?"; batch.len()].join(", ");
        let mut binds: Vec<SqlValue> = batch.iter().map(|c| SqlValue::Int(c.id.0)).collect();
        binds.push(SqlValue::Time(since));
        let purchases: Vec<Purchase> = decode_all(
            &db.select(
                Entity::Purchase,
                &format!("t.\"customer_id\" IN ({marks}) AND t.\"at\" > ?"),
                "",
                &binds,
            )
            .await?,
        )?;
        let mut by_customer: BTreeMap<i64, Vec<Purchase>> = BTreeMap::new();
        for p in purchases {
            by_customer.entry(p.customer_id.0).or_default().push(p);
        }
        let mut changes = Changes::new(TENANT);
        for c in &batch {
            let fig = figures(
                c.last_purchase_at,
                by_customer.get(&c.id.0).map(Vec::as_slice).unwrap_or(&[]),
                "CNY",
                at,
            )?;
            let tier = tiers.assign(c, &fig, &thresholds.score(&fig));
            if c.tier.as_deref() == Some(tier.as_str()) {
                continue;
            }
            let next = Customer {
                tier: Some(tier.clone()),
                ..c.clone()
            };
            changes.update(&next)?;
            changes.audit(audit("tier.recompute", Entity::Customer, c.id.0, c, &next));
            changes.event(event(
                EventKind::TierChanged,
                Entity::Customer,
                c.id.0,
                serde_json::json!({ "from": c.tier, "to": tier }),
            ));
            changed += 1;
        }
        if !changes.is_empty() {
            db.apply(&changes).await?;
        }
    }
    Ok(changed)
}

/// The whole of `run_due_work` by hand over `db`; returns the same report and seconds.
pub async fn run_by_hand<D: Db>(db: &D, world: &World) -> CrmResult<(DueWorkReport, f64)> {
    let settings = TenantSettings::default();
    let cal = setup::calendar().compile()?;
    let start = Instant::now();
    let pool: Pool = db
        .get(Entity::Pool, world.pool.0)
        .await?
        .ok_or_else(|| CrmError::not_found("pool", world.pool))?
        .decode()?;
    let (recycled, recycle_reminders) = recycle_by_hand(db, &pool, &world.users).await?;
    let followup_escalations =
        escalate_by_hand(db, world, settings.followup_escalation_hours).await?;
    let (warnings, breaches) = sla_by_hand(db, &cal).await?;
    let (contracts_expired, installments_due_soon, installments_overdue) =
        contracts_by_hand(db).await?;
    let tier_changes = tiers_by_hand(db, &settings.tiers).await?;
    let secs = start.elapsed().as_secs_f64();
    Ok((
        DueWorkReport {
            followup_escalations,
            expired_team_members: 0,
            recycled,
            recycle_reminders,
            // The bench world has no lead pools.
            leads_recycled: 0,
            tier_changes,
            sla: crm_core::service::SlaSweepCounts {
                warnings,
                breaches,
                escalations: 0,
            },
            // The bench world has no leads.
            lead_first_contact: crm_core::service::FirstContactCounts::default(),
            contracts_expired,
            installments_due_soon,
            installments_overdue,
            // The bench world has no tasks.
            task_reminders: 0,
            // The bench world has no rule tags.
            tag_changes: 0,
            // The bench world has no segments.
            segment_changes: 0,
        },
        secs,
    ))
}

/// How the engine is run: in this process (smoke test) or as a child `due-work-run` of
/// this executable (the harness, so peak memory is the run's own).
#[derive(Debug, Clone)]
pub enum EngineMode {
    /// In this process; peak memory is not reported.
    InProcess,
    /// `exe due-work-run` in a child process.
    Child(PathBuf),
}

fn counts(r: &DueWorkReport) -> String {
    format!(
        "recycled {}, recycle reminders {}, follow-up escalations {}, SLA warnings {} / breaches {} / escalations {}, contracts expired {}, installments due soon {} / overdue {}, tier changes {}, team members expired {}",
        r.recycled,
        r.recycle_reminders,
        r.followup_escalations,
        r.sla.warnings,
        r.sla.breaches,
        r.sla.escalations,
        r.contracts_expired,
        r.installments_due_soon,
        r.installments_overdue,
        r.tier_changes,
        r.expired_team_members
    )
}

/// The scenario: seed (or reuse) the pristine database in `dir`, run the engine, (a) and
/// (b) on copies, check counts and invariants; one figure in seconds and the engine's
/// report. Panics when the baselines did different work or an invariant fails.
pub async fn scenario(
    size: Size,
    dir: &Path,
    mode: EngineMode,
) -> CrmResult<(Figure, DueWorkReport)> {
    let (seed_path, seed_secs) = pristine(dir, size).await?;
    // The world's ids: the seed is deterministic, so a throw-away in-memory org gives the
    // same users and pool; the customer block starts at the first allocated id.
    let world = {
        let store = SqliteStore::open(&seed_path.display().to_string()).await?;
        let pool: Vec<Raw> = SqlxSqlite {
            pool: store.pool().clone(),
        }
        .select(Entity::Pool, "1 = 1", "ORDER BY t.\"id\" LIMIT 1", &[])
        .await?;
        let first: i64 = sqlx::query_scalar("SELECT MIN(\"id\") FROM \"customers\"")
            .fetch_one(store.pool())
            .await
            .map_err(|e| CrmError::Storage(e.to_string()))?;
        store.close().await;
        let pool_id = pool
            .first()
            .map(|r| r.id)
            .ok_or_else(|| CrmError::Storage("no pool in the seed".into()))?;
        let users: Vec<UserId> = (0..size.users())
            .map(|i| UserId(setup::FIRST_USER + i as i64))
            .collect();
        World {
            size,
            pool: crm_core::ids::PoolId(pool_id),
            manager: users[0],
            users,
            calendar_id: 0,
            first_customer: first,
        }
    };
    let (engine, peak) = match mode {
        EngineMode::InProcess => {
            let path = file(dir, "engine");
            copy_db(&seed_path, &path)?;
            let (report, secs) = run_engine(&path).await?;
            (
                EngineRun {
                    report,
                    secs,
                    peak_kib: 0,
                    peak_source: "not measured in process",
                },
                None,
            )
        }
        EngineMode::Child(exe) => {
            let run = spawn_engine(&exe, dir)?;
            eprintln!(
                "due-work engine: {:.3} s, peak {} KiB ({}); {}",
                run.secs,
                run.peak_kib,
                run.peak_source,
                counts(&run.report)
            );
            let peak = run.peak_kib;
            (run, Some(peak))
        }
    };
    let sqlx_path = file(dir, "sqlx");
    copy_db(&seed_path, &sqlx_path)?;
    let sqlx_store = SqliteStore::open(&sqlx_path.display().to_string()).await?;
    let (a_report, a_secs) = run_by_hand(
        &SqlxSqlite {
            pool: sqlx_store.pool().clone(),
        },
        &world,
    )
    .await?;
    eprintln!("due-work (a) sqlx: {a_secs:.3} s; {}", counts(&a_report));
    let native_path = file(dir, "native");
    copy_db(&seed_path, &native_path)?;
    let w = world.clone();
    let np = native_path.clone();
    let (b_report, b_secs) = tokio::task::spawn_blocking(move || -> CrmResult<_> {
        let db = Native::open(&np.display().to_string())?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .map_err(|e| CrmError::Storage(e.to_string()))?;
        rt.block_on(run_by_hand(&db, &w))
    })
    .await
    .map_err(|e| CrmError::Storage(e.to_string()))??;
    let engine_store = SqliteStore::open(&file(dir, "engine").display().to_string()).await?;
    let native_store = SqliteStore::open(&native_path.display().to_string()).await?;
    for store in [&engine_store, &sqlx_store, &native_store] {
        crm_core::testkit::conformance::check_pool_invariants(store, None).await;
    }
    engine_store.close().await;
    sqlx_store.close().await;
    native_store.close().await;
    let r = &engine.report;
    let mut f = Figure::new(
        format!(
            "run_due_work, SQLite file, {} customers / {} open tickets / {} installments",
            size.customers,
            size.tickets,
            contracts(size) * INSTALLMENTS
        ),
        "s",
        Better::Lower,
        engine.secs,
    );
    f.sqlx = Some(a_secs);
    f.native = Some(b_secs);
    f.target = "under 10 s, peak memory under 256 MiB".into();
    f.met = peak.map(|p| engine.secs < 10.0 && p < 256 * 1024);
    f.notes.push(format!("engine: {}", counts(r)));
    let same = |o: &DueWorkReport| {
        DueWorkReport {
            expired_team_members: r.expired_team_members,
            sla: crm_core::service::SlaSweepCounts {
                escalations: r.sla.escalations,
                ..o.sla
            },
            ..o.clone()
        } == *r
    };
    f.notes.push(format!(
        "(a) and (b) did the same work: {} / {}",
        if same(&a_report) { "yes" } else { "NO" },
        if same(&b_report) { "yes" } else { "NO" }
    ));
    if !same(&a_report) || !same(&b_report) {
        f.notes.push(format!("(a): {}", counts(&a_report)));
        f.notes.push(format!("(b): {}", counts(&b_report)));
    }
    match peak {
        Some(p) => f.notes.push(format!(
            "engine peak RSS {:.1} MiB ({}, child process running only the due work)",
            p as f64 / 1024.0,
            engine.peak_source
        )),
        None => f.notes.push("peak memory not measured (in process)".into()),
    }
    f.notes.push(if seed_secs > 0.0 {
        format!("seeding took {seed_secs:.1} s")
    } else {
        "seed reused from an earlier run (same size and seed)".into()
    });
    f.notes
        .push("check_pool_invariants held on all three databases afterwards".into());
    assert!(
        same(&a_report) && same(&b_report),
        "the baselines did different work:\n{}",
        f.render()
    );
    Ok((f, engine.report))
}

/// Where the engine's time goes (the `due-work-steps` mode), on fresh copies of the seed:
/// the daily tier recomputation alone (`recompute_tiers`), then `run_due_work` on a copy
/// whose tenant already recorded today's tiers (every other sweep). Returns
/// (tiers seconds, other sweeps seconds, the second run's report).
pub async fn breakdown(dir: &Path) -> CrmResult<(f64, f64, DueWorkReport)> {
    let seed_path = file(dir, "seed");
    let path = file(dir, "steps");
    copy_db(&seed_path, &path)?;
    let store = SqliteStore::open(&path.display().to_string()).await?;
    let (crm, _) = setup::engine(store.clone());
    let start = Instant::now();
    crm.recompute_tiers(TENANT, now()).await?;
    let tiers = start.elapsed().as_secs_f64();
    store.close().await;
    copy_db(&seed_path, &path)?;
    let store = SqliteStore::open(&path.display().to_string()).await?;
    let (crm, _) = setup::engine(store.clone());
    let tenant = crm.get_tenant(Actor::system(TENANT)).await?;
    let mut changes = Changes::new(TENANT);
    changes.update(&crm_core::tenant::Tenant {
        tiers_computed_on: Some(today().format("%Y-%m-%d").to_string()),
        ..tenant
    })?;
    store.apply(changes).await?;
    let start = Instant::now();
    let report = crm.run_due_work(TENANT, now()).await?;
    let rest = start.elapsed().as_secs_f64();
    store.close().await;
    remove_db(&path);
    Ok((tiers, rest, report))
}
