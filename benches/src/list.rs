//! Scoped list page (DESIGN §7): a 50-row page of customers over the full customer table for
//! [`World::manager`] (self-and-subordinates scope: the 50 users of the first region, plus
//! the default pool they are members of), first page and later pages by keyset cursor.
//!
//! - engine: `Crm::list_customers` (permission context, scope pushed into SQL, JSON decode,
//!   field masking);
//! - (a) the statement the SQLite store generates for that scope (one index-ordered branch
//!   per owner, per pool and for team memberships, `UNION ALL`, first 50 ids) written by
//!   hand and run with sqlx on the store's pool, rows decoded into [`Customer`]s;
//! - (b) the same statement prepared once with rusqlite, rows decoded alike.
//!
//! The baselines know the scope up front (a host caching the org would); the engine resolves
//! it from the stored org (tenant, users, departments, roles, pools), whose read cost is
//! reported as a note ([`snapshot_native`], [`snapshot_sqlx_read`]). Every page of every contender is
//! checked to hold the same ids as the engine's.
//!
//! The database ([`prepare`]) is seeded once per size and seed and reused by later runs and
//! by the 360° scenario; all three contenders read the same file.

use crate::db::Native;
use crate::report::{median, Better, Figure};
use crate::setup::{self, Size, World, FIRST_USER, TENANT, USERS_PER_DEPARTMENT};
use crm_core::access::Role;
use crm_core::customer::Customer;
use crm_core::ids::{PoolId, UserId};
use crm_core::org::{Department, User};
use crm_core::pool::Pool;
use crm_core::service::CustomerFilter;
use crm_core::store::{Entity, Order, Query, Record, ScopeFilter, StoreExt};
use crm_core::tenant::Tenant;
use crm_core::{Actor, Crm, CrmError, CrmResult};
use crm_store_sqlite::SqliteStore;
use std::path::Path;
use std::time::Instant;

/// Rows per page.
pub const PAGE: u32 = 50;

/// The seeded customer database shared by the read scenarios.
#[derive(Debug, Clone)]
pub struct BigDb {
    /// SQLite file.
    pub path: String,
    /// The org and customers in it.
    pub world: World,
    /// Seconds spent seeding in this run (`None`: reused from an earlier run).
    pub seed_secs: Option<f64>,
}

fn st<E: std::fmt::Display>(e: E) -> CrmError {
    CrmError::Storage(e.to_string())
}

/// The world of a database seeded by [`prepare`], from the ids it recorded.
fn world_of(size: Size, marker: &str) -> Option<World> {
    let mut it = marker.split_whitespace().map(str::parse::<i64>);
    let (pool, calendar_id, first_customer) =
        (it.next()?.ok()?, it.next()?.ok()?, it.next()?.ok()?);
    Some(World {
        size,
        pool: PoolId(pool),
        users: (0..size.users() as i64)
            .map(|i| UserId(FIRST_USER + i))
            .collect(),
        manager: UserId(FIRST_USER),
        calendar_id,
        first_customer,
    })
}

/// Seeds (or reuses) `dir/big-<customers>-<seed>.db`: the org through the engine, then
/// `size.customers` customers through the store. A marker file next to it records the ids
/// needed to rebuild the [`World`] in later runs.
pub async fn prepare(size: Size, dir: &Path) -> CrmResult<BigDb> {
    let path = dir
        .join(format!("big-{}-{}.db", size.customers, size.seed))
        .display()
        .to_string();
    let marker = format!("{path}.world");
    if Path::new(&path).exists() {
        if let Some(world) = std::fs::read_to_string(&marker)
            .ok()
            .and_then(|m| world_of(size, &m))
        {
            return Ok(BigDb {
                path,
                world,
                seed_secs: None,
            });
        }
    }
    for suffix in ["", "-wal", "-shm", ".world", ".view360"] {
        let _ = std::fs::remove_file(format!("{path}{suffix}"));
    }
    let start = Instant::now();
    let store = SqliteStore::open(&path).await?;
    let (crm, _) = setup::engine(store.clone());
    let world = setup::setup_org(&crm, size, None).await?;
    let world = setup::seed_customers(&store, &world).await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(store.pool())
        .await
        .map_err(st)?;
    store.close().await;
    std::fs::write(
        &marker,
        format!(
            "{} {} {}",
            world.pool.0, world.calendar_id, world.first_customer
        ),
    )
    .map_err(st)?;
    Ok(BigDb {
        path,
        world,
        seed_secs: Some(start.elapsed().as_secs_f64()),
    })
}

/// The owners the manager's self-and-subordinates scope reaches: every user of the first
/// region's departments (the region itself and the departments under it).
pub fn manager_scope(world: &World) -> Vec<i64> {
    let regions = world.size.regions();
    world
        .users
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            let d = i / USERS_PER_DEPARTMENT + 1;
            let region = if d <= regions {
                d
            } else {
                (d - regions - 1) % regions + 1
            };
            region == 1
        })
        .map(|(_, u)| u.0)
        .collect()
}

/// The customers' select list, as the store writes it (`t.tenant_id, t.id, t.version,
/// <columns>, t.body`), and the index of the body column.
pub fn select_list(entity: Entity) -> (String, usize) {
    let spec = entity.spec();
    let mut names = vec!["tenant_id", "id", "version"];
    names.extend(spec.columns.iter().map(|c| c.name));
    names.push("body");
    let list = names
        .iter()
        .map(|n| format!("t.\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ");
    (list, names.len() - 1)
}

/// The scoped page statement the SQLite store generates for `owners` and `pools` (ascending,
/// with a keyset cursor when `keyset`), written out by hand.
pub fn page_sql(owners: usize, pools: usize, keyset: bool) -> String {
    let (list, _) = select_list(Entity::Customer);
    let after = if keyset { " AND c.\"id\" > ?" } else { "" };
    let branch = |cond: &str| {
        format!(
            "SELECT id FROM (SELECT c.\"id\" AS id FROM \"customers\" AS c WHERE c.\"tenant_id\" = ? \
             AND {cond}{after} ORDER BY c.\"id\" ASC LIMIT ?)"
        )
    };
    let mut branches: Vec<String> = Vec::new();
    branches.extend((0..owners).map(|_| branch("c.\"owner_id\" = ?")));
    branches.extend((0..pools).map(|_| branch("c.\"pool_id\" = ?")));
    branches.push(branch(
        "c.\"id\" IN (SELECT tm.\"customer_id\" FROM \"team_members\" AS tm WHERE \
         tm.\"tenant_id\" = ? AND tm.\"user_id\" = ? AND (tm.\"expires_at\" IS NULL OR \
         tm.\"expires_at\" > ?))",
    ));
    format!(
        "SELECT {list} FROM \"customers\" AS t WHERE t.\"tenant_id\" = ? AND t.\"id\" IN ({}) \
         ORDER BY t.\"id\" ASC LIMIT ?",
        branches.join(" UNION ALL ")
    )
}

/// The values bound to [`page_sql`], in order.
pub fn page_binds(
    owners: &[i64],
    pools: &[i64],
    actor: i64,
    after: Option<i64>,
    limit: u32,
) -> Vec<i64> {
    let t = TENANT.0;
    let limit = i64::from(limit);
    let mut b = vec![t];
    let tail = |b: &mut Vec<i64>| {
        if let Some(a) = after {
            b.push(a);
        }
        b.push(limit);
    };
    for o in owners {
        b.extend([t, *o]);
        tail(&mut b);
    }
    for p in pools {
        b.extend([t, *p]);
        tail(&mut b);
    }
    b.extend([t, t, actor, setup::now().timestamp_micros()]);
    tail(&mut b);
    b.push(limit);
    b
}

/// Decodes a stored body with its version column.
pub fn decode<R: Record>(version: i64, body: &str) -> CrmResult<R> {
    let mut r: R = serde_json::from_str(body).map_err(st)?;
    r.set_version(version);
    Ok(r)
}

/// Runs `sql` with integer binds through sqlx and decodes every row as `R`.
pub async fn sqlx_rows<R: Record>(
    pool: &sqlx::SqlitePool,
    sql: &str,
    binds: &[i64],
    body_col: usize,
) -> CrmResult<Vec<R>> {
    use sqlx::Row;
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(*b);
    }
    let rows = q.fetch_all(pool).await.map_err(st)?;
    rows.iter()
        .map(|r| {
            let version: i64 = r.try_get(2).map_err(st)?;
            let body: &str = r.try_get(body_col).map_err(st)?;
            decode(version, body)
        })
        .collect()
}

/// Runs `sql` (prepared once, cached) with integer binds through rusqlite and decodes every
/// row as `R`.
pub fn native_rows<R: Record>(
    conn: &rusqlite::Connection,
    sql: &str,
    binds: &[i64],
    body_col: usize,
) -> CrmResult<Vec<R>> {
    let mut stmt = conn.prepare_cached(sql).map_err(st)?;
    let mut rows = stmt
        .query(rusqlite::params_from_iter(binds.iter()))
        .map_err(st)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(st)? {
        let version: i64 = r.get(2).map_err(st)?;
        let body = r.get_ref(body_col).map_err(st)?.as_str().map_err(st)?;
        out.push(decode(version, body)?);
    }
    Ok(out)
}

fn all_rows<R: Record>(conn: &rusqlite::Connection, entity: Entity) -> CrmResult<Vec<R>> {
    let (list, body) = select_list(entity);
    let sql = format!(
        "SELECT {list} FROM \"{}\" AS t WHERE t.\"tenant_id\" = ? ORDER BY t.\"id\" ASC",
        entity.spec().table
    );
    native_rows(conn, &sql, &[TENANT.0], body)
}

/// The reads every engine call starts with to resolve the actor's permissions (tenant, all
/// users, departments, roles and pools, decoded), done with rusqlite; returns rows read.
pub fn snapshot_native(db: &Native) -> CrmResult<usize> {
    db.raw(|conn| {
        let (list, body) = select_list(Entity::Tenant);
        let tenant: Vec<Tenant> = native_rows(
            conn,
            &format!(
                "SELECT {list} FROM \"tenants\" AS t WHERE t.\"tenant_id\" = ? AND t.\"id\" = ?"
            ),
            &[TENANT.0, TENANT.0],
            body,
        )?;
        let users: Vec<User> = all_rows(conn, Entity::User)?;
        let departments: Vec<Department> = all_rows(conn, Entity::Department)?;
        let roles: Vec<Role> = all_rows(conn, Entity::Role)?;
        let pools: Vec<Pool> = all_rows(conn, Entity::Pool)?;
        Ok(tenant.len() + users.len() + departments.len() + roles.len() + pools.len())
    })
}

/// The permission-snapshot statements (tenant, users, departments, roles, pools) through
/// sqlx, decoded; returns rows read.
pub async fn snapshot_sqlx_read(pool: &sqlx::SqlitePool) -> CrmResult<usize> {
    let (list, body) = select_list(Entity::Tenant);
    let tenant: Vec<Tenant> = sqlx_rows(
        pool,
        &format!("SELECT {list} FROM \"tenants\" AS t WHERE t.\"tenant_id\" = ? AND t.\"id\" = ?"),
        &[TENANT.0, TENANT.0],
        body,
    )
    .await?;
    let all = |e: Entity| {
        let (list, body) = select_list(e);
        (
            format!(
                "SELECT {list} FROM \"{}\" AS t WHERE t.\"tenant_id\" = ? ORDER BY t.\"id\" ASC",
                e.spec().table
            ),
            body,
        )
    };
    let (q, b) = all(Entity::User);
    let users: Vec<User> = sqlx_rows(pool, &q, &[TENANT.0], b).await?;
    let (q, b) = all(Entity::Department);
    let departments: Vec<Department> = sqlx_rows(pool, &q, &[TENANT.0], b).await?;
    let (q, b) = all(Entity::Role);
    let roles: Vec<Role> = sqlx_rows(pool, &q, &[TENANT.0], b).await?;
    let (q, b) = all(Entity::Pool);
    let pools: Vec<Pool> = sqlx_rows(pool, &q, &[TENANT.0], b).await?;
    Ok(tenant.len() + users.len() + departments.len() + roles.len() + pools.len())
}

/// Median of `f` over `n` runs of a synchronous closure, in milliseconds.
pub fn time_ms<T>(n: usize, mut f: impl FnMut() -> CrmResult<T>) -> CrmResult<f64> {
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        f()?;
        v.push(start.elapsed().as_secs_f64() * 1e3);
    }
    Ok(median(&mut v))
}

/// The `q` quantile (0..=1) of some samples (sorted in place; 0 when empty).
pub fn quantile(samples: &mut [f64], q: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    samples.sort_by(f64::total_cmp);
    let i = ((samples.len() - 1) as f64 * q).round() as usize;
    samples[i.min(samples.len() - 1)]
}

/// Latency samples of the three contenders, in milliseconds.
#[derive(Debug, Default, Clone)]
pub struct Samples {
    /// Engine.
    pub engine: Vec<f64>,
    /// (a) sqlx.
    pub sqlx: Vec<f64>,
    /// (b) rusqlite.
    pub native: Vec<f64>,
}

impl Samples {
    /// A figure: medians as the numbers, p95 of each in the notes.
    pub fn figure(&mut self, name: String, target_ms: Option<f64>) -> Figure {
        let mut f = Figure::new(name, "ms median", Better::Lower, median(&mut self.engine));
        f.sqlx = Some(median(&mut self.sqlx));
        f.native = Some(median(&mut self.native));
        f.notes.push(format!(
            "p95: engine {:.3} ms, (a) {:.3} ms, (b) {:.3} ms over {} samples each",
            quantile(&mut self.engine, 0.95),
            quantile(&mut self.sqlx, 0.95),
            quantile(&mut self.native, 0.95),
            self.engine.len()
        ));
        if let Some(t) = target_ms {
            f.target = format!("median under {t} ms on SQLite");
            f.met = Some(f.engine < t);
        }
        f
    }
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3
}

fn same_ids(what: &str, engine: &[i64], other: &[i64]) -> CrmResult<()> {
    if engine == other {
        Ok(())
    } else {
        Err(CrmError::Storage(format!(
            "{what}: the baseline's page ({} rows, first {:?}) differs from the engine's ({} rows, first {:?})",
            other.len(),
            other.first(),
            engine.len(),
            engine.first()
        )))
    }
}

/// Runs the scenario on the database of [`prepare`]: figures for the first page and for
/// later pages (cursors after pages 1–3 and one deep in the table).
pub async fn scenario(size: Size, dir: &Path) -> CrmResult<Vec<Figure>> {
    let big = prepare(size, dir).await?;
    run(&big).await
}

/// The measurement on a prepared database.
pub async fn run(big: &BigDb) -> CrmResult<Vec<Figure>> {
    let world = &big.world;
    let size = world.size;
    let store = SqliteStore::open(&big.path).await?;
    let (crm, _) = setup::engine(store.clone());
    let crm: Crm<SqliteStore> = crm;
    let native = Native::open(&big.path)?;
    let actor = Actor::user(TENANT, world.manager);
    let owners = manager_scope(world);
    let pools = vec![world.pool.0];
    let (_, body) = select_list(Entity::Customer);
    let sql_first = page_sql(owners.len(), pools.len(), false);
    let sql_after = page_sql(owners.len(), pools.len(), true);

    // Cursors: after pages 1, 2, 3 (read through the engine), and one deep in the owned block.
    let mut cursors: Vec<Option<i64>> = vec![None];
    let mut after = None;
    for _ in 0..3 {
        let page = crm
            .list_customers(
                actor,
                CustomerFilter {
                    after,
                    limit: Some(PAGE),
                    ..CustomerFilter::default()
                },
            )
            .await?;
        after = page.next_after;
        match after {
            Some(a) => cursors.push(Some(a)),
            None => break,
        }
    }
    let deep = world.first_customer + (size.customers - size.pooled) as i64 / 2;
    cursors.push(Some(deep));

    let mut first = Samples::default();
    let mut later = Samples::default();
    let mut store_only = Vec::new();
    let mut snapshot_sqlx = Vec::new();
    let mut rows_seen = 0usize;
    for _ in 0..size.samples {
        for (k, cursor) in cursors.iter().enumerate() {
            let acc = if k == 0 { &mut first } else { &mut later };
            let binds = page_binds(&owners, &pools, world.manager.0, *cursor, PAGE);
            let sql = if cursor.is_some() {
                &sql_after
            } else {
                &sql_first
            };

            let start = Instant::now();
            let page = crm
                .list_customers(
                    actor,
                    CustomerFilter {
                        after: *cursor,
                        limit: Some(PAGE),
                        ..CustomerFilter::default()
                    },
                )
                .await?;
            acc.engine.push(ms(start));
            let e: Vec<i64> = page.items.iter().map(|v| v.record.id.0).collect();

            let start = Instant::now();
            let a: Vec<Customer> = sqlx_rows(store.pool(), sql, &binds, body).await?;
            acc.sqlx.push(ms(start));

            let start = Instant::now();
            let b: Vec<Customer> = native.raw(|conn| native_rows(conn, sql, &binds, body))?;
            acc.native.push(ms(start));

            // Breakdown: the store's read of the same page alone (statement + decode), and
            // the engine's permission-snapshot statements alone, both through sqlx.
            let start = Instant::now();
            let q = Query::new(Entity::Customer, TENANT)
                .scope(ScopeFilter::Restricted {
                    owners: owners.iter().map(|o| UserId(*o)).collect(),
                    actor: world.manager,
                    pools: pools.clone(),
                    now: setup::now(),
                })
                .order(Order::IdAsc)
                .after(*cursor)
                .limit(PAGE);
            let c: Vec<Customer> = store.load_all(&q).await?;
            store_only.push(ms(start));
            let start = Instant::now();
            snapshot_sqlx_read(store.pool()).await?;
            snapshot_sqlx.push(ms(start));

            let c: Vec<i64> = c.iter().map(|c| c.id.0).collect();
            same_ids("store.query", &e, &c)?;
            let a: Vec<i64> = a.iter().map(|c| c.id.0).collect();
            let b: Vec<i64> = b.iter().map(|c| c.id.0).collect();
            same_ids("(a) sqlx", &e, &a)?;
            same_ids("(b) rusqlite", &e, &b)?;
            if e.len() != PAGE as usize {
                return Err(CrmError::Storage(format!(
                    "page after {cursor:?} has {} rows, expected {PAGE}",
                    e.len()
                )));
            }
            rows_seen += e.len();
        }
    }
    let snapshot_rows = snapshot_native(&native)?;
    let snapshot_ms = time_ms(size.samples.max(5), || snapshot_native(&native))?;
    store.close().await;

    let scope_note = format!(
        "actor = manager of region 1, self-and-subordinates over {} owners + {} pool ({} customers in the table; {} branches in the statement); all pages checked equal across contenders ({rows_seen} rows per contender)",
        owners.len(),
        pools.len(),
        size.customers,
        owners.len() + pools.len() + 1
    );
    let breakdown = format!(
        "engine breakdown (medians over all pages, sqlx): the store's page read alone (same statement, decoded) {:.3} ms; the 5 permission-snapshot statements alone {:.3} ms; engine time beyond the page read is the snapshot (or, when cached, the check of its version), resolve and masking",
        median(&mut store_only),
        median(&mut snapshot_sqlx)
    );
    let ctx_note = format!(
        "the engine resolves the scope from its permission snapshot ({snapshot_rows} rows: tenant, users, departments, roles, pools; cached per tenant version since commit da8f742, re-read on every call before); reading it takes {snapshot_ms:.3} ms median with rusqlite — the baselines know the scope up front"
    );
    let seed_note = match big.seed_secs {
        Some(s) => format!("database seeded in this run in {s:.1} s ({})", big.path),
        None => format!("database reused from an earlier run ({})", big.path),
    };
    let mut f1 = first.figure(
        format!(
            "scoped list page, first {PAGE} rows, {} customers, SQLite file",
            size.customers
        ),
        Some(5.0),
    );
    let mut f2 = later.figure(
        format!(
            "scoped list page, later pages by cursor ({} cursors: after pages 1–3 and id {deep}), SQLite file",
            cursors.len() - 1
        ),
        Some(5.0),
    );
    for f in [&mut f1, &mut f2] {
        f.notes.push(scope_note.clone());
        f.notes.push(ctx_note.clone());
        f.notes.push(breakdown.clone());
        f.notes.push(seed_note.clone());
    }
    Ok(vec![f1, f2])
}
