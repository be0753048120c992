//! Pool claim: 1 and 8 concurrent claimers over the pooled customers under a held limit,
//! each walking the list from its own offset and claiming one customer at a time until the
//! held limit refuses it; every run wins the same number of claims (one claimer has a
//! limit eight times that of each of eight, see [`run_size`]). Throughput is successful claims per second of wall time; after
//! each run the stored rows are checked: nothing claimed twice, nobody over the limit,
//! every held counter equal to the real count.

use crate::db::{Db, Native, SqlxPg, SqlxSqlite};
use crate::setup::{self, now, Size, World, TENANT};
use crm_core::customer::Customer;
use crm_core::ids::{CustomerId, UserId};
use crm_core::pool::{
    decide_claim, ClaimCounter, ClaimMode, ClaimSnapshot, HeldCounter, OwnerChange, OwnerHistory,
    Pool,
};
use crm_core::service::RetryPolicy;
use crm_core::store::{AuditEntry, Changes, Entity, EventKind, NewEvent, SqlValue, Store};
use crm_core::{Actor, Crm, CrmError, CrmResult};
use std::sync::Arc;
use std::time::Instant;

/// What one run of claimers achieved.
#[derive(Debug, Clone)]
pub struct ClaimRun {
    /// Successful claims.
    pub claims: usize,
    /// Wall time in seconds.
    pub secs: f64,
    /// Every claimed customer, over all claimers (to check for doubles).
    pub won: Vec<CustomerId>,
}

impl ClaimRun {
    /// Claims per second.
    pub fn rate(&self) -> f64 {
        self.claims as f64 / self.secs.max(1e-9)
    }

    /// Panics when a customer was claimed twice.
    pub fn assert_no_double_claims(&self) {
        let mut all = self.won.clone();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), self.won.len(), "a customer was claimed twice");
    }
}

/// Claimers of the widest run; every run wins as many claims as this many claimers at the
/// size's held limit.
pub const MAX_CLAIMERS: usize = 8;

/// The size of a run of `claimers`: the held limit is raised so that every run wins the
/// same number of claims (`MAX_CLAIMERS` × the size's limit) and one claimer is timed over
/// as many claims as eight.
pub fn run_size(size: Size, claimers: usize) -> Size {
    let share = (MAX_CLAIMERS / claimers.clamp(1, MAX_CLAIMERS)) as u32;
    Size {
        claim_limit: size.claim_limit * share,
        ..size
    }
}

/// The claim world: the org, a held limit, and only pooled customers.
pub fn claim_size(size: Size) -> Size {
    Size {
        customers: size.pooled,
        ..size
    }
}

/// Sets up the org and seeds the pooled customers on `store`.
pub async fn prepare<S: Store>(store: S, size: Size) -> CrmResult<World> {
    let (crm, _clock) = setup::engine(store);
    let world = setup::setup_org(&crm, claim_size(size), Some(size.claim_limit)).await?;
    setup::seed_customers(crm.store(), &world).await
}

fn order(world: &World, k: usize) -> Vec<CustomerId> {
    let ids = world.pooled_ids();
    let n = ids.len();
    (0..n).map(|step| ids[(k * 7 + step) % n]).collect()
}

/// `claimers` engine claimers on tasks of the current runtime.
pub async fn run_engine<S: Store>(crm: Arc<Crm<S>>, world: &World, claimers: usize) -> ClaimRun {
    let start = Instant::now();
    let mut tasks = Vec::new();
    for k in 0..claimers {
        let crm = crm.clone();
        let who = world.users[k * 3 % world.users.len()];
        let pool = world.pool;
        let ids = order(world, k);
        tasks.push(tokio::spawn(async move {
            let mut won = Vec::new();
            for id in ids {
                match crm.claim(Actor::user(TENANT, who), pool, vec![id]).await {
                    Ok(_) => won.push(id),
                    Err(CrmError::RuleViolation { rule, .. }) if rule == "held_limit" => break,
                    Err(CrmError::RuleViolation { .. }) | Err(CrmError::Conflict { .. }) => {}
                    Err(e) => panic!("engine claimer {who}: {e:?}"),
                }
            }
            won
        }));
    }
    let mut won = Vec::new();
    for t in tasks {
        won.extend(t.await.expect("claimer task"));
    }
    ClaimRun {
        claims: won.len(),
        secs: start.elapsed().as_secs_f64(),
        won,
    }
}

/// What a hand-written claimer knows up front (the pool, its limit, today's key).
#[derive(Debug, Clone)]
pub struct ClaimSetup {
    /// The pool as stored.
    pub pool: Pool,
    /// The held limit.
    pub limit: u32,
    /// Today's claim-counter key in the tenant's time zone.
    pub day: String,
}

/// Reads the pool once.
pub async fn claim_setup<D: Db>(db: &D, world: &World) -> CrmResult<ClaimSetup> {
    let pool: Pool = db
        .get(Entity::Pool, world.pool.0)
        .await?
        .ok_or_else(|| CrmError::not_found("pool", world.pool))?
        .decode()?;
    Ok(ClaimSetup {
        pool,
        limit: world.size.claim_limit,
        day: (now() + chrono::Duration::hours(8))
            .format("%Y-%m-%d")
            .to_string(),
    })
}

fn to_json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// One claim by hand: read the customer, the held counter and today's claim counter; decide
/// with the engine's own pure rule; write customer, counters, history, audit and event in
/// one transaction with version checks.
pub async fn claim_by_hand<D: Db>(
    db: &D,
    s: &ClaimSetup,
    who: UserId,
    id: CustomerId,
) -> CrmResult<()> {
    let customer: Customer = db
        .get(Entity::Customer, id.0)
        .await?
        .ok_or_else(|| CrmError::not_found("customer", id))?
        .decode()?;
    let held: HeldCounter = match db.get(Entity::HeldCounter, who.0).await? {
        Some(r) => r.decode()?,
        None => HeldCounter::zero(TENANT, who),
    };
    let daily: Option<ClaimCounter> = db
        .select(
            Entity::ClaimCounter,
            "t.\"pool_id\" = ? AND t.\"user_id\" = ? AND t.\"day\" = ?",
            "",
            &[
                SqlValue::Int(s.pool.id.0),
                SqlValue::Int(who.0),
                SqlValue::Text(s.day.clone()),
            ],
        )
        .await?
        .first()
        .map(|r| r.decode())
        .transpose()?;
    let at = now();
    let decision = decide_claim(
        ClaimSnapshot {
            pool: &s.pool,
            customers: vec![customer],
            claimant: who,
            held,
            held_limit: Some(s.limit),
            count_dealt: false,
            daily: daily.clone(),
            now: at,
        },
        ClaimMode::Claim,
    )?;
    let mut changes = Changes::new(TENANT);
    if decision.held.version == 0 {
        changes.insert(&HeldCounter {
            version: 1,
            ..decision.held.clone()
        })?;
    } else {
        changes.update(&decision.held)?;
    }
    match daily {
        Some(d) => changes.update(&ClaimCounter {
            claims: decision.daily_claims,
            ..d
        })?,
        None => changes.insert(&ClaimCounter {
            tenant: TENANT,
            id: db.allocate(Entity::ClaimCounter, 1).await?,
            version: 1,
            pool_id: s.pool.id,
            user_id: who,
            day: s.day.clone(),
            claims: decision.daily_claims,
        })?,
    }
    let history = db.allocate(Entity::OwnerHistory, 1).await?;
    for (before, after) in decision.customers {
        changes.update(&after)?;
        changes.insert(&OwnerHistory {
            tenant: TENANT,
            id: history,
            version: 1,
            customer_id: after.id,
            change: OwnerChange::Claimed,
            from_owner: None,
            to_owner: after.owner_id,
            pool_id: Some(s.pool.id),
            by: Some(who),
            reason: None,
            at,
        })?;
        changes.audit(AuditEntry {
            id: 0,
            tenant: TENANT,
            at,
            actor: Some(who),
            operation: "pool.claim".into(),
            entity: "customer".into(),
            record_id: after.id.0,
            changes: AuditEntry::diff(&to_json(&before), &to_json(&after)),
        });
        changes.event(NewEvent {
            kind: EventKind::CustomerClaimed,
            at,
            entity: "customer".into(),
            record_id: after.id.0,
            payload: serde_json::json!({ "pool_id": s.pool.id, "owner_id": who, "by": who }),
        });
    }
    db.apply(&changes).await
}

/// One claim by hand, tried again on `Conflict` as often and after the same jittered pauses
/// as the engine tries an operation (`RetryPolicy::default()`): a conflict may be a concurrent change of the claimant's own
/// counter, which must not lose the claim, so the engine re-reads and decides again; the
/// hand-written claimer does the same statements.
async fn claim_retrying<D: Db>(
    db: &D,
    s: &ClaimSetup,
    who: UserId,
    id: CustomerId,
) -> CrmResult<()> {
    let retry = RetryPolicy::default();
    let mut attempt = 1;
    loop {
        let started = std::time::Instant::now();
        match claim_by_hand(db, s, who, id).await {
            Err(CrmError::Conflict { .. }) if attempt < retry.max_attempts => {
                tokio::time::sleep(retry.jittered(attempt, started.elapsed())).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

async fn by_hand_claimer<D: Db>(
    db: &D,
    s: &ClaimSetup,
    who: UserId,
    ids: Vec<CustomerId>,
) -> Vec<CustomerId> {
    let mut won = Vec::new();
    for id in ids {
        match claim_retrying(db, s, who, id).await {
            Ok(()) => won.push(id),
            Err(CrmError::RuleViolation { rule, .. }) if rule == "held_limit" => break,
            Err(CrmError::RuleViolation { .. }) | Err(CrmError::Conflict { .. }) => {}
            Err(e) => panic!("hand-written claimer {who}: {e:?}"),
        }
    }
    won
}

/// `claimers` sqlx claimers (SQLite) sharing the store's pool, on tasks.
pub async fn run_sqlx_sqlite(
    db: SqlxSqlite,
    world: &World,
    claimers: usize,
) -> CrmResult<ClaimRun> {
    let s = Arc::new(claim_setup(&db, world).await?);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for k in 0..claimers {
        let (db, s) = (db.clone(), s.clone());
        let who = world.users[k * 3 % world.users.len()];
        let ids = order(world, k);
        tasks.push(tokio::spawn(async move {
            by_hand_claimer(&db, &s, who, ids).await
        }));
    }
    let mut won = Vec::new();
    for t in tasks {
        won.extend(t.await.expect("claimer task"));
    }
    Ok(ClaimRun {
        claims: won.len(),
        secs: start.elapsed().as_secs_f64(),
        won,
    })
}

/// `claimers` sqlx claimers (PostgreSQL) sharing the store's pool, on tasks.
pub async fn run_sqlx_pg(db: SqlxPg, world: &World, claimers: usize) -> CrmResult<ClaimRun> {
    let s = Arc::new(claim_setup(&db, world).await?);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for k in 0..claimers {
        let (db, s) = (db.clone(), s.clone());
        let who = world.users[k * 3 % world.users.len()];
        let ids = order(world, k);
        tasks.push(tokio::spawn(async move {
            by_hand_claimer(&db, &s, who, ids).await
        }));
    }
    let mut won = Vec::new();
    for t in tasks {
        won.extend(t.await.expect("claimer task"));
    }
    Ok(ClaimRun {
        claims: won.len(),
        secs: start.elapsed().as_secs_f64(),
        won,
    })
}

/// `claimers` rusqlite claimers, each on its own thread with its own connection.
pub fn run_native(path: &str, world: &World, claimers: usize) -> CrmResult<ClaimRun> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| CrmError::Storage(e.to_string()))?;
    let setup_db = Native::open(path)?;
    let s = Arc::new(rt.block_on(claim_setup(&setup_db, world))?);
    let start = Instant::now();
    let mut threads = Vec::new();
    for k in 0..claimers {
        let s = s.clone();
        let who = world.users[k * 3 % world.users.len()];
        let ids = order(world, k);
        let path = path.to_owned();
        threads.push(std::thread::spawn(move || -> CrmResult<Vec<CustomerId>> {
            let db = Native::open(&path)?;
            // Timers: a conflicting claim pauses before it is tried again, as the engine's do.
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .map_err(|e| CrmError::Storage(e.to_string()))?;
            Ok(rt.block_on(by_hand_claimer(&db, &s, who, ids)))
        }));
    }
    let mut won = Vec::new();
    for t in threads {
        won.extend(t.join().expect("claimer thread")?);
    }
    Ok(ClaimRun {
        claims: won.len(),
        secs: start.elapsed().as_secs_f64(),
        won,
    })
}

fn figure(
    name: String,
    engine: &ClaimRun,
    sqlx: &ClaimRun,
    native: Option<&ClaimRun>,
    limit: u32,
    claimers: usize,
) -> crate::Figure {
    let mut f = crate::Figure::new(
        name,
        "claims/s",
        crate::report::Better::Higher,
        engine.rate(),
    );
    f.sqlx = Some(sqlx.rate());
    f.native = native.map(ClaimRun::rate);
    f.target = "≥ 80% of (a), zero double claims, zero limit violations".into();
    f.met = f.ratio(f.sqlx).map(|r| r >= 0.8);
    f.notes.push(format!(
        "claims won: engine {}, (a) {}{}; expected {} (= {claimers} claimers × limit {limit}); invariants checked on every database: OK",
        engine.claims,
        sqlx.claims,
        native.map_or(String::new(), |n| format!(", (b) {}", n.claims)),
        claimers as u32 * limit,
    ));
    f
}

async fn check(store: &crm_store_sqlite::SqliteStore, run: &ClaimRun, limit: u32) {
    run.assert_no_double_claims();
    crm_core::testkit::conformance::check_pool_invariants(store, Some(i64::from(limit))).await;
}

/// The SQLite-file variant: three identically seeded files in `dir`, one per contender.
pub async fn scenario_sqlite(
    size: Size,
    dir: &std::path::Path,
    claimers: usize,
) -> CrmResult<crate::Figure> {
    use crm_store_sqlite::SqliteStore;
    let size = run_size(size, claimers);
    let path = |name: &str| {
        dir.join(format!("claim-{claimers}-{name}.db"))
            .display()
            .to_string()
    };
    let mut worlds = Vec::new();
    for name in ["engine", "sqlx", "native"] {
        let p = path(name);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{p}{suffix}"));
        }
        let store = SqliteStore::open(&p).await?;
        worlds.push(prepare(store.clone(), size).await?);
        store.close().await;
    }
    let world = worlds[0].clone();
    let limit = size.claim_limit;
    let engine_store = SqliteStore::open(&path("engine")).await?;
    let (crm, _) = setup::engine(engine_store.clone());
    let e = run_engine(Arc::new(crm), &world, claimers).await;
    check(&engine_store, &e, limit).await;
    let sqlx_store = SqliteStore::open(&path("sqlx")).await?;
    let a = run_sqlx_sqlite(
        SqlxSqlite {
            pool: sqlx_store.pool().clone(),
        },
        &world,
        claimers,
    )
    .await?;
    check(&sqlx_store, &a, limit).await;
    let native_path = path("native");
    let w = world.clone();
    let b = tokio::task::spawn_blocking(move || run_native(&native_path, &w, claimers))
        .await
        .map_err(|e| CrmError::Storage(e.to_string()))??;
    let native_store = SqliteStore::open(&path("native")).await?;
    check(&native_store, &b, limit).await;
    Ok(figure(
        format!(
            "pool claim, {claimers} claimer(s), SQLite file, {} pooled",
            size.pooled
        ),
        &e,
        &a,
        Some(&b),
        limit,
        claimers,
    ))
}

/// Lets the server settle before a timed run: statistics for every seeded table (so both
/// contenders get the same plans) and a checkpoint (so the seeding's dirty pages are not
/// flushed during whichever run comes first).
pub async fn settle_pg(url: &str) -> CrmResult<()> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url)
        .await
        .map_err(|e| CrmError::Storage(e.to_string()))?;
    for statement in ["ANALYZE", "CHECKPOINT"] {
        sqlx::query(statement)
            .execute(&mut conn)
            .await
            .map_err(|e| CrmError::Storage(format!("{statement}: {e}")))?;
    }
    Ok(())
}

/// Drops and recreates nothing but `schema` on the server at `url`.
pub async fn drop_schema(url: &str, schema: &str) -> CrmResult<()> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url)
        .await
        .map_err(|e| CrmError::Storage(e.to_string()))?;
    sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
        .execute(&mut conn)
        .await
        .map_err(|e| CrmError::Storage(e.to_string()))?;
    Ok(())
}

/// The PostgreSQL variant: two schemas seeded alike (engine, (a)); no (b) on PostgreSQL.
pub async fn scenario_pg(size: Size, url: &str, claimers: usize) -> CrmResult<crate::Figure> {
    use crm_store_postgres::PostgresStore;
    let size = run_size(size, claimers);
    let schema = |name: &str| format!("bench_claim{claimers}_{name}");
    let mut world = None;
    for name in ["engine", "sqlx"] {
        drop_schema(url, &schema(name)).await?;
        let store = PostgresStore::connect_with_schema(url, &schema(name)).await?;
        world = Some(prepare(store, size).await?);
    }
    let world = world.ok_or_else(|| CrmError::Storage("no world".into()))?;
    let limit = size.claim_limit;
    let engine_store = PostgresStore::connect_with_schema(url, &schema("engine")).await?;
    let (crm, _) = setup::engine(engine_store.clone());
    settle_pg(url).await?;
    let e = run_engine(Arc::new(crm), &world, claimers).await;
    e.assert_no_double_claims();
    crm_core::testkit::conformance::check_pool_invariants(&engine_store, Some(i64::from(limit)))
        .await;
    let sqlx_store = PostgresStore::connect_with_schema(url, &schema("sqlx")).await?;
    settle_pg(url).await?;
    let a = run_sqlx_pg(
        SqlxPg {
            pool: sqlx_store.pool().clone(),
        },
        &world,
        claimers,
    )
    .await?;
    a.assert_no_double_claims();
    crm_core::testkit::conformance::check_pool_invariants(&sqlx_store, Some(i64::from(limit)))
        .await;
    let mut f = figure(
        format!(
            "pool claim, {claimers} claimer(s), PostgreSQL, {} pooled",
            size.pooled
        ),
        &e,
        &a,
        None,
        limit,
        claimers,
    );
    f.notes
        .push("no baseline (b) on PostgreSQL: rusqlite is SQLite's native API".into());
    for name in ["engine", "sqlx"] {
        drop_schema(url, &schema(name)).await?;
    }
    Ok(f)
}
